// Charts drawn once with cairo and written as SVG (for the web and documents) or PNG (for slides
// and e-mail): one drawing routine, two surfaces, so both always show the same thing.
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/report.hpp"

namespace haven::report {
namespace {

constexpr double kWidth = 900, kHeight = 480;
constexpr double kLeft = 70, kRight = 200, kTop = 44, kBottom = 90;

// Okabe–Ito: distinguishable with the common forms of colour blindness.
constexpr double kPalette[][3] = {{0.00, 0.45, 0.70}, {0.90, 0.62, 0.00}, {0.00, 0.62, 0.45}, {0.80, 0.47, 0.65},
                                  {0.34, 0.71, 0.91}, {0.84, 0.37, 0.00}, {0.94, 0.89, 0.26}, {0.30, 0.30, 0.30}};
void set_colour(cairo_t* cr, std::size_t index, double alpha = 1) {
  const auto& c = kPalette[index % std::size(kPalette)];
  cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha);
}

void text_at(cairo_t* cr, double x, double y, const std::string& text, double size, double align = 0, double angle = 0) {
  cairo_save(cr);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  cairo_move_to(cr, x, y);
  cairo_rotate(cr, angle);
  cairo_rel_move_to(cr, -extents.x_advance * align, 0);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

std::string number_label(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, std::abs(value) >= 100 || value == std::floor(value) ? "%.0f" : "%.2g", value);
  return buffer;
}

// A "nice" step (1, 2 or 5 times a power of ten) giving about five ticks up to `top`.
double tick_step(double top) {
  const double raw = top / 5, power = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

void draw(cairo_t* cr, const Chart& chart) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text_at(cr, kLeft, 26, chart.title, 16);

  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const bool categorical = chart.kind != Chart::Kind::kSteps;
  double x_max = categorical ? std::max<double>(1, static_cast<double>(chart.categories.size())) : 0, y_top = chart.y_max;
  for (const auto& s : chart.series) {
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (!categorical && i < s.x.size()) x_max = std::max(x_max, s.x[i]);
      if (chart.y_max <= 0 && std::isfinite(s.y[i])) y_top = std::max(y_top, s.y[i] * 1.1);
    }
  }
  if (y_top <= 0) y_top = 1;
  if (x_max <= 0) x_max = 1;
  const double step = tick_step(y_top);
  if (chart.y_max <= 0) y_top = std::ceil(y_top / step) * step;
  auto px = [&](double x) { return kLeft + (categorical ? (x + 0.5) / x_max : x / x_max) * plot_w; };
  auto py = [&](double y) { return kTop + plot_h - std::clamp(y / y_top, 0.0, 1.0) * plot_h; };

  // Grid and axes.
  cairo_set_line_width(cr, 1);
  for (double y = 0; y <= y_top + 1e-9; y += step) {
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, kLeft, py(y));
    cairo_line_to(cr, kLeft + plot_w, py(y));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    text_at(cr, kLeft - 6, py(y) + 4, number_label(y), 11, 1);
  }
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  cairo_move_to(cr, kLeft, kTop);
  cairo_line_to(cr, kLeft, kTop + plot_h);
  cairo_line_to(cr, kLeft + plot_w, kTop + plot_h);
  cairo_stroke(cr);
  if (categorical) {
    const bool rotate = chart.categories.size() > 8;
    for (std::size_t i = 0; i < chart.categories.size(); ++i)
      text_at(cr, px(static_cast<double>(i)), kTop + plot_h + 16, chart.categories[i], 10, rotate ? 0 : 0.5, rotate ? 0.6 : 0);
  } else {
    const double x_step = tick_step(x_max);
    for (double x = 0; x <= x_max + 1e-9; x += x_step) text_at(cr, px(x), kTop + plot_h + 16, number_label(x), 11, 0.5);
  }
  text_at(cr, kLeft + plot_w / 2, kHeight - 12, chart.x_label, 12, 0.5);
  text_at(cr, 16, kTop + plot_h / 2, chart.y_label, 12, 0.5, -M_PI / 2);

  // Data. NaN is a gap: a suppressed or missing value is never drawn.
  const std::size_t n_series = std::max<std::size_t>(1, chart.series.size());
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    if (chart.kind == Chart::Kind::kBars) {
      const double slot = plot_w / x_max * 0.8, width = slot / static_cast<double>(n_series);
      for (std::size_t i = 0; i < series.y.size(); ++i) {
        if (!std::isfinite(series.y[i])) continue;
        const double left = px(series.x[i]) - slot / 2 + width * static_cast<double>(s);
        set_colour(cr, s);
        cairo_rectangle(cr, left, py(series.y[i]), width * 0.92, py(0) - py(series.y[i]));
        cairo_fill(cr);
      }
      continue;
    }
    // Bands only while they stay readable: with many curves they hide one another.
    if (chart.kind == Chart::Kind::kSteps && series.low.size() == series.y.size() && chart.series.size() <= 3) {
      set_colour(cr, s, 0.15);
      for (std::size_t i = 0; i + 1 < series.x.size(); ++i) {
        cairo_rectangle(cr, px(series.x[i]), py(series.high[i]), px(series.x[i + 1]) - px(series.x[i]),
                        py(series.low[i]) - py(series.high[i]));
        cairo_fill(cr);
      }
    }
    set_colour(cr, s);
    cairo_set_line_width(cr, 2);
    bool drawing = false;
    for (std::size_t i = 0; i < series.y.size() && i < series.x.size(); ++i) {
      if (!std::isfinite(series.y[i])) {
        drawing = false;
        continue;
      }
      const double x = px(series.x[i]), y = py(series.y[i]);
      if (!drawing) {
        cairo_move_to(cr, x, y);
        drawing = true;
      } else if (chart.kind == Chart::Kind::kSteps) {
        cairo_line_to(cr, x, py(series.y[i - 1]));
        cairo_line_to(cr, x, y);
      } else {
        cairo_line_to(cr, x, y);
      }
    }
    cairo_stroke(cr);
    if (chart.kind == Chart::Kind::kLines)
      for (std::size_t i = 0; i < series.y.size(); ++i)
        if (std::isfinite(series.y[i])) {
          cairo_arc(cr, px(series.x[i]), py(series.y[i]), 3, 0, 2 * M_PI);
          cairo_fill(cr);
        }
  }

  // Legend.
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const double y = kTop + 10 + 20 * static_cast<double>(s);
    set_colour(cr, s);
    cairo_rectangle(cr, kWidth - kRight + 16, y - 9, 12, 12);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text_at(cr, kWidth - kRight + 34, y + 1, chart.series[s].name, 11);
  }
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

Status surface_status(cairo_surface_t* surface) {
  const cairo_status_t status = cairo_surface_status(surface);
  if (status == CAIRO_STATUS_SUCCESS) return Status::Ok();
  return Error{ErrorCode::kInternal, std::string("the chart was not drawn: ") + cairo_status_to_string(status), ""};
}

}  // namespace

Result<std::string> chart_svg(const Chart& chart) {
  std::string out;
  cairo_surface_t* surface = cairo_svg_surface_create_for_stream(append, &out, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  draw(cr, chart);
  cairo_destroy(cr);
  cairo_surface_finish(surface);  // the SVG is complete only once the surface is finished
  Status status = surface_status(surface);
  cairo_surface_destroy(surface);
  HAVEN_TRY(status);
  return out;
}

Result<std::string> chart_png(const Chart& chart) {
  std::string out;
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(kWidth), static_cast<int>(kHeight));
  cairo_t* cr = cairo_create(surface);
  draw(cr, chart);
  cairo_destroy(cr);
  Status status = surface_status(surface);
  if (status.ok() && cairo_surface_write_to_png_stream(surface, append, &out) != CAIRO_STATUS_SUCCESS)
    status = Error{ErrorCode::kInternal, "the chart was not encoded as PNG", ""};
  cairo_surface_destroy(surface);
  HAVEN_TRY(status);
  return out;
}

}  // namespace haven::report
