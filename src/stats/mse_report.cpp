// The estimate for people and programs: JSON, a text report and an SVG chart.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "stats/mse.hpp"

namespace haven::stats {

namespace {

// A whole number with thousands separators: 11,418.
std::string people(double value) {
  const long long n = std::llround(value);
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string p_value(double p) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, p < 1e-4 ? "%.1e" : "%.4f", p);
  return buffer;
}

nlohmann::json interval_json(const Interval& interval) {
  // An open upper limit is null, never an infinity (JSON has none, and a reader must notice).
  return {{"low", interval.low},
          {"high", interval.high_bounded ? nlohmann::json(interval.high) : nlohmann::json(nullptr)},
          {"method", interval.method}};
}

std::string interval_text(const Interval& interval) {
  return people(interval.low) + " to " + (interval.high_bounded ? people(interval.high) : "no upper limit");
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string escape_xml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const MseEstimate& e) {
  nlohmann::json j;
  j["lists"] = e.lists;
  j["observed"] = e.observed;
  j["hidden"] = e.hidden;
  j["total"] = e.total;
  j["ci_low"] = e.ci_low;
  j["ci_high"] = e.ci_high;
  j["level"] = e.level;
  j["interval_method"] = "normal approximation on the log scale of the dark figure";
  j["model"] = e.model;
  j["minus_infinity_terms"] = e.minus_infinity_terms;
  j["non_overlapping_pairs"] = e.non_overlapping_pairs;
  j["method"] = e.method;
  j["log_hidden"] = e.log_hidden;
  j["log_hidden_se"] = e.log_hidden_se;
  j["parameters"] = e.parameters;
  j["deviance"] = e.deviance;
  j["aic"] = e.aic;
  j["bic"] = e.bic;
  j["steps"] = nlohmann::json::array();
  for (const SelectionStep& s : e.steps) j["steps"].push_back({{"term", s.term}, {"p_value", s.p_value}, {"total", s.total}});
  j["profile"] = e.profile ? interval_json(*e.profile) : nlohmann::json(nullptr);
  if (e.bootstrap) {
    const BootstrapSummary& b = *e.bootstrap;
    j["bootstrap"] = {{"replicates", b.replicates},
                      {"failed", b.failed},
                      {"seed", b.seed},
                      {"reselect", b.reselect},
                      {"bca", interval_json(b.bca)},
                      {"percentile", interval_json(b.percentile)},
                      {"acceleration", b.acceleration},
                      {"bias_correction", std::isfinite(b.bias_correction) ? nlohmann::json(b.bias_correction) : nlohmann::json(nullptr)}};
  } else {
    j["bootstrap"] = nullptr;
  }
  j["sensitivity"] = nlohmann::json::array();
  for (const ModelEstimate& m : e.sensitivity) {
    j["sensitivity"].push_back({{"label", m.label}, {"model", m.terms}, {"total", m.total}, {"ci_low", m.ci_low},
                                {"ci_high", m.ci_high}, {"aic", m.aic}, {"bic", m.bic}});
  }
  j["cells"] = nlohmann::json::array();
  for (const CellFit& c : e.cells) j["cells"].push_back({{"pattern", c.pattern}, {"observed", c.observed}, {"fitted", c.fitted}});
  j["warnings"] = e.warnings;
  j["caveats"] = e.caveats;
  return j;
}

std::string render_report(const MseEstimate& e) {
  std::ostringstream out;
  const int percent = static_cast<int>(std::lround(e.level * 100));
  out << "Multiple systems estimation over " << e.lists.size() << " lists (" << join(e.lists, ", ") << ")\n\n";
  out << "  People on at least one list (observed): " << people(static_cast<double>(e.observed)) << "\n";
  out << "  People on no list (estimated hidden):   " << people(e.hidden) << "\n";
  out << "  Estimated total:                        " << people(e.total) << "\n";
  out << "  " << percent << "% interval for the total:         " << people(e.ci_low) << " to " << people(e.ci_high)
      << "  (normal approximation on the log scale of the hidden number)\n";
  if (e.profile) out << "  " << percent << "% profile-likelihood interval:    " << interval_text(*e.profile) << "\n";
  if (e.bootstrap) {
    const BootstrapSummary& b = *e.bootstrap;
    out << "  " << percent << "% bootstrap interval:             " << interval_text(b.bca) << "  (" << b.bca.method << ", "
        << b.replicates << " replicates, seed " << b.seed << (b.reselect ? ", model re-selected in each" : ", model refitted") << ")\n";
  }
  out << "\nModel: main effects" << (e.model.empty() ? " only" : " + " + join(e.model, ", ")) << "\n";
  out << "  chosen by " << e.method << "; " << e.parameters << " parameters, deviance " << fixed(e.deviance, 2) << ", AIC "
      << fixed(e.aic, 2) << ", BIC " << fixed(e.bic, 2) << "\n";
  if (!e.minus_infinity_terms.empty()) out << "  also at minus infinity (lists sharing nobody): " << join(e.minus_infinity_terms, ", ") << "\n";
  for (std::size_t i = 0; i < e.steps.size(); ++i) {
    out << "  step " << i + 1 << ": + " << e.steps[i].term << "  (p = " << p_value(e.steps[i].p_value) << "), total "
        << people(e.steps[i].total) << "\n";
  }
  if (!e.sensitivity.empty()) {
    out << "\nOther candidate models (sensitivity):\n";
    for (const ModelEstimate& m : e.sensitivity) {
      out << "  " << people(m.total) << " (" << people(m.ci_low) << " to " << people(m.ci_high) << ")  AIC " << fixed(m.aic, 1)
          << "  BIC " << fixed(m.bic, 1) << "  " << m.label << ": " << (m.terms.empty() ? "main effects" : join(m.terms, ", "))
          << "\n";
    }
  }
  if (!e.warnings.empty()) {
    out << "\nWarnings about this data:\n";
    for (const std::string& w : e.warnings) out << "  - " << w << "\n";
  }
  out << "\nWhat the estimate assumes:\n";
  for (const std::string& c : e.caveats) out << "  - " << c << "\n";
  return out.str();
}

// Hand-written SVG: a few dozen points and two axes do not justify a plotting dependency, and
// the file must open in any browser on an offline field laptop.
std::string render_chart_svg(const MseEstimate& e) {
  constexpr double kWidth = 640, kHeight = 520, kLeft = 70, kRight = 30, kTop = 50, kBottom = 60;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double top = 1;
  for (const CellFit& c : e.cells) top = std::max({top, static_cast<double>(c.observed), c.fitted});
  // log(1 + count) on both axes: cells range from 0 to thousands.
  const double max_log = std::log10(1 + top) * 1.05;
  auto sx = [&](double v) { return kLeft + plot_w * std::log10(1 + v) / max_log; };
  auto sy = [&](double v) { return kTop + plot_h - plot_h * std::log10(1 + v) / max_log; };
  std::ostringstream svg;
  svg << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << kWidth << R"(" height=")" << kHeight
      << R"(" font-family="sans-serif" font-size="12">)" << "\n";
  svg << R"(<rect width="100%" height="100%" fill="white"/>)" << "\n";
  svg << R"(<text x=")" << kWidth / 2 << R"(" y="24" text-anchor="middle" font-size="15">)"
      << escape_xml("Observed and fitted people per capture pattern (total " + people(e.total) + ")") << "</text>\n";
  svg << R"(<rect x=")" << kLeft << R"(" y=")" << kTop << R"(" width=")" << plot_w << R"(" height=")" << plot_h
      << R"(" fill="none" stroke="#444"/>)" << "\n";
  for (double tick : {0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0}) {
    if (std::log10(1 + tick) > max_log) break;
    svg << R"(<line x1=")" << sx(tick) << R"(" y1=")" << kTop + plot_h << R"(" x2=")" << sx(tick) << R"(" y2=")" << kTop + plot_h + 5
        << R"(" stroke="#444"/><text x=")" << sx(tick) << R"(" y=")" << kTop + plot_h + 18 << R"(" text-anchor="middle">)"
        << people(tick) << "</text>\n";
    svg << R"(<line x1=")" << kLeft - 5 << R"(" y1=")" << sy(tick) << R"(" x2=")" << kLeft << R"(" y2=")" << sy(tick)
        << R"(" stroke="#444"/><text x=")" << kLeft - 8 << R"(" y=")" << sy(tick) + 4 << R"(" text-anchor="end">)" << people(tick)
        << "</text>\n";
  }
  svg << R"(<line x1=")" << sx(0) << R"(" y1=")" << sy(0) << R"(" x2=")" << sx(top) << R"(" y2=")" << sy(top)
      << R"(" stroke="#999" stroke-dasharray="4 4"/>)" << "\n";
  for (const CellFit& c : e.cells) {
    svg << R"(<circle cx=")" << sx(static_cast<double>(c.observed)) << R"(" cy=")" << sy(c.fitted)
        << R"(" r="4" fill="#1f6fb2" fill-opacity="0.7"><title>)" << escape_xml(c.pattern) << ": observed " << c.observed
        << ", fitted " << fixed(c.fitted, 1) << "</title></circle>\n";
  }
  svg << R"(<text x=")" << kLeft + plot_w / 2 << R"(" y=")" << kHeight - 15 << R"(" text-anchor="middle">observed (log scale)</text>)" << "\n";
  svg << "<text transform=\"translate(18 " << kTop + plot_h / 2
      << R"svg() rotate(-90)" text-anchor="middle">fitted by the model (log scale)</text>)svg" << "\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace haven::stats
