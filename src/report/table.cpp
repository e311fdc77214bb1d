// Small-cell suppression and the plain renderings (JSON, CSV) of report tables.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/report.hpp"

namespace haven::report {
namespace {

bool is_small(const Cell& cell, int min_cell) {
  return cell.kind == Cell::Kind::kCount && cell.number > 0 && cell.number < min_cell;
}

void suppress_table(Table& table, int min_cell) {
  table.min_cell = min_cell;
  for (auto& row : table.rows)
    for (auto& cell : row)
      if (is_small(cell, min_cell)) cell.suppressed = true;

  // Complementary suppression: with a total row shown, a column with exactly one suppressed cell
  // among the rows it totals gives that cell away by subtraction; hide the next smallest too.
  const std::size_t body_rows = std::min(table.total_rows_from, table.rows.size());
  if (body_rows < table.rows.size()) {
    for (std::size_t column = 0; column < table.columns.size(); ++column) {
      int suppressed = 0;
      std::size_t smallest = SIZE_MAX;
      for (std::size_t r = 0; r < body_rows; ++r) {
        if (column >= table.rows[r].size()) continue;
        const Cell& cell = table.rows[r][column];
        if (cell.kind != Cell::Kind::kCount) continue;
        if (cell.suppressed) {
          ++suppressed;
        } else if (cell.number > 0 && (smallest == SIZE_MAX || cell.number < table.rows[smallest][column].number)) {
          smallest = r;
        }
      }
      if (suppressed == 1 && smallest != SIZE_MAX) table.rows[smallest][column].suppressed = true;
    }
  }

  for (auto& row : table.rows)
    for (auto& cell : row)
      for (std::size_t source : cell.derived_from)
        if (source < row.size() && row[source].suppressed) cell.suppressed = true;
}

Json cell_json(const Cell& cell, int min_cell) {
  if (cell.suppressed) return "<" + std::to_string(min_cell);
  switch (cell.kind) {
    case Cell::Kind::kEmpty: return nullptr;
    case Cell::Kind::kCount: return static_cast<std::int64_t>(cell.number);
    case Cell::Kind::kNumber: return std::isfinite(cell.number) ? Json(cell.number) : Json(nullptr);
    case Cell::Kind::kText: return cell.text;
  }
  return nullptr;
}

std::string cell_text(const Cell& cell, int min_cell) {
  if (cell.suppressed) return "<" + std::to_string(min_cell);
  switch (cell.kind) {
    case Cell::Kind::kEmpty: return "";
    case Cell::Kind::kCount: return std::to_string(static_cast<std::int64_t>(cell.number));
    case Cell::Kind::kNumber: {
      if (!std::isfinite(cell.number)) return "";
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.4g", cell.number);
      return buffer;
    }
    case Cell::Kind::kText: return cell.text;
  }
  return "";
}

std::string csv_field(const std::string& text) {
  // Quote what a spreadsheet would misread, and neutralise formula injection (=, +, -, @ at the
  // start of a text cell run as formulas in spreadsheet programs).
  std::string value = text;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '@' ||
                         (value[0] == '-' && value.find_first_not_of("-.0123456789") != std::string::npos)))
    value = "'" + value;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

void suppress_small_cells(Report& report, int min_cell) {
  if (min_cell <= 1) return;
  for (auto& table : report.tables) suppress_table(table, min_cell);
  report.parameters["min_cell"] = min_cell;
}

Json to_json(const Report& report) {
  Json out = {{"report", report.name}, {"title", report.title}, {"parameters", report.parameters},
              {"notes", report.notes}, {"tables", Json::array()}, {"charts", Json::array()}};
  for (const auto& table : report.tables) {
    Json rows = Json::array();
    for (const auto& row : table.rows) {
      Json object = Json::object();
      for (std::size_t c = 0; c < table.columns.size() && c < row.size(); ++c)
        object[table.columns[c]] = cell_json(row[c], table.min_cell);
      rows.push_back(std::move(object));
    }
    out["tables"].push_back({{"name", table.name}, {"title", table.title}, {"columns", table.columns}, {"rows", std::move(rows)}});
  }
  for (const auto& chart : report.charts) {
    Json series = Json::array();
    for (const auto& s : chart.series) {
      Json one = {{"name", s.name}, {"x", s.x}, {"y", s.y}};
      if (!s.low.empty()) one["low"] = s.low, one["high"] = s.high;
      series.push_back(std::move(one));
    }
    out["charts"].push_back({{"title", chart.title}, {"x_label", chart.x_label}, {"y_label", chart.y_label},
                             {"categories", chart.categories}, {"series", std::move(series)}});
  }
  return out;
}

std::string to_csv(const Table& table) {
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) out += (c ? "," : "") + csv_field(table.columns[c]);
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      out += (c ? "," : "") + csv_field(c < row.size() ? cell_text(row[c], table.min_cell) : "");
    out += "\r\n";
  }
  return out;
}

std::string to_text(const Report& report) {
  std::string out = report.title + "\n";
  for (const auto& table : report.tables) {
    out += "\n" + table.title + "\n";
    std::vector<std::vector<std::string>> cells{table.columns};
    for (const auto& row : table.rows) {
      std::vector<std::string> line;
      for (std::size_t c = 0; c < table.columns.size(); ++c) line.push_back(c < row.size() ? cell_text(row[c], table.min_cell) : "");
      cells.push_back(std::move(line));
    }
    std::vector<std::size_t> widths(table.columns.size(), 0);
    for (const auto& line : cells)
      for (std::size_t c = 0; c < line.size(); ++c) widths[c] = std::max(widths[c], line[c].size());
    for (const auto& line : cells) {
      for (std::size_t c = 0; c < line.size(); ++c)
        out += line[c] + std::string(widths[c] - line[c].size() + (c + 1 < line.size() ? 2 : 0), ' ');
      out += "\n";
    }
    if (table.rows.empty()) out += "(no records in this period)\n";
  }
  if (!report.notes.empty()) out += "\nNotes:\n";
  for (const auto& note : report.notes) out += "- " + note + "\n";
  return out;
}

}  // namespace haven::report
