// Capture-history tables: built from rows in memory or parsed from CSV (libcsv), validated once
// at the edge so the estimation code can trust them.
#include <csv.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "stats/mse.hpp"

namespace haven::stats {

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string pattern_text(const std::vector<bool>& on) {
  std::string text;
  for (bool b : on) text += b ? '1' : '0';
  return text;
}

// The rows of a CSV text as libcsv splits them, each with the line it started on.
struct CsvRows {
  struct Row {
    std::size_t line = 0;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  Row current;
  std::size_t line = 1;
  bool in_row = false;

  static void on_field(void* data, std::size_t size, void* self_ptr) {
    auto* self = static_cast<CsvRows*>(self_ptr);
    if (!self->in_row) {
      self->in_row = true;
      self->current.line = self->line;
    }
    self->current.cells.emplace_back(static_cast<const char*>(data), size);
  }
  static void on_row(int, void* self_ptr) {
    auto* self = static_cast<CsvRows*>(self_ptr);
    if (!self->in_row) self->current.line = self->line;
    self->rows.push_back(std::move(self->current));
    self->current = Row{};
    self->in_row = false;
  }
};

Result<CsvRows> split_csv(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM, from Excel
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return Error{ErrorCode::kInternal, "cannot start the CSV parser", {}};
  CsvRows rows;
  // Fed one line at a time so every row knows the line it started on.
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(start, end - start);
    if (csv_parse(&parser, line.data(), line.size(), CsvRows::on_field, CsvRows::on_row, &rows) != line.size()) {
      const std::string why = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      return invalid("the CSV is malformed (" + why + ")", "line " + std::to_string(rows.line));
    }
    ++rows.line;
    start = end;
  }
  const bool finished = csv_fini(&parser, CsvRows::on_field, CsvRows::on_row, &rows) == 0;
  csv_free(&parser);
  if (!finished) return invalid("the CSV ends inside a quoted cell (a truncated file?)", "line " + std::to_string(rows.line - 1));
  return rows;
}

// A count: a whole number written as digits (a trailing ".0" from a spreadsheet is accepted).
Result<std::uint64_t> parse_count(const std::string& cell, const std::string& where) {
  if (cell.empty()) return invalid("the count is missing", where);
  double value = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size() || !std::isfinite(value)) {
    return invalid("the count \"" + cell + "\" is not a number; counts are whole numbers of people, like 12", where);
  }
  if (value < 0) return invalid("the count " + cell + " is negative; counts are whole numbers of people, 0 or more", where);
  if (value != std::floor(value)) return invalid("the count " + cell + " is fractional; counts are whole numbers of people", where);
  if (value > 9.0e15) return invalid("the count " + cell + " is too large", where);
  return static_cast<std::uint64_t>(value);
}

}  // namespace

std::uint64_t CaptureTable::observed() const {
  std::uint64_t n = 0;
  for (std::uint64_t c : cells_) n += c;
  return n;
}

std::vector<std::string> CaptureTable::non_overlapping_pairs() const {
  std::vector<std::string> pairs;
  for (int i = 0; i < list_count(); ++i) {
    for (int j = i + 1; j < list_count(); ++j) {
      const std::uint32_t both = (1u << i) | (1u << j);
      std::uint64_t shared = 0;
      for (std::uint32_t p = 1; p < cells_.size(); ++p)
        if ((p & both) == both) shared += cells_[p];
      if (shared == 0) pairs.push_back(lists_[i] + ":" + lists_[j]);
    }
  }
  return pairs;
}

Result<CaptureTable> make_capture_table(std::vector<std::string> lists, const std::vector<CaptureRow>& rows) {
  const int k = static_cast<int>(lists.size());
  if (k < 2) return invalid("a capture-history table needs at least two lists; it has " + std::to_string(k));
  if (k > kMaxLists) {
    return invalid("the table has " + std::to_string(k) + " lists; at most " + std::to_string(kMaxLists) +
                   " are accepted, because the model has a cell for each of the 2^k - 1 capture patterns (32,767 for 15 "
                   "lists) and needs far more people than that; merge similar lists first");
  }
  for (int i = 0; i < k; ++i) {
    if (lists[i].empty()) return invalid("list " + std::to_string(i + 1) + " has no name", "list " + std::to_string(i + 1));
    if (lists[i].find(':') != std::string::npos) {
      return invalid("the list name \"" + lists[i] + "\" contains ':', which separates the lists of a model term", "list " + lists[i]);
    }
    for (int j = 0; j < i; ++j) {
      if (lists[j] == lists[i]) return invalid("the list name \"" + lists[i] + "\" is given twice", "list " + lists[i]);
    }
  }
  CaptureTable table;
  table.cells_.assign(std::size_t{1} << k, 0);
  std::vector<std::size_t> given_at(table.cells_.size(), 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string where = "row " + std::to_string(r + 1);
    if (rows[r].on_list.size() != lists.size()) {
      return invalid("the row has " + std::to_string(rows[r].on_list.size()) + " list flags for " + std::to_string(k) + " lists", where);
    }
    std::uint32_t pattern = 0;
    for (int i = 0; i < k; ++i) pattern |= rows[r].on_list[i] ? (1u << i) : 0u;
    if (pattern == 0) {
      return invalid("the pattern of people on no list cannot be observed (it is what is estimated); remove this row", where);
    }
    if (given_at[pattern] != 0) {
      return invalid("the capture pattern " + pattern_text(rows[r].on_list) + " is given twice (first in row " +
                         std::to_string(given_at[pattern]) + "); give each pattern once with its total count", where);
    }
    given_at[pattern] = r + 1;
    table.cells_[pattern] = rows[r].count;
  }
  const std::uint64_t observed = table.observed();
  if (observed == 0) return invalid("the table observes nobody: every count is zero or there are no rows");
  for (int i = 0; i < k; ++i) {
    std::uint64_t on = 0;
    for (std::uint32_t p = 1; p < table.cells_.size(); ++p)
      if (p & (1u << i)) on += table.cells_[p];
    if (on == 0) return invalid("list \"" + lists[i] + "\" holds nobody; it tells nothing, remove its column", "list " + lists[i]);
    if (on == observed) {
      return invalid("list \"" + lists[i] + "\" holds everybody observed, so the other lists say nothing about whom it "
                     "missed; remove its column or add the lists it is missing", "list " + lists[i]);
    }
  }
  table.lists_ = std::move(lists);
  return table;
}

Result<CaptureTable> parse_capture_table(std::string_view csv_text) {
  auto split = split_csv(csv_text);
  HAVEN_TRY(split);
  std::vector<CsvRows::Row>& rows = split->rows;
  // libcsv reports a blank line as an empty row; those are skipped.
  std::erase_if(rows, [](const CsvRows::Row& row) {
    return row.cells.empty() || (row.cells.size() == 1 && trim(row.cells[0]).empty());
  });
  if (rows.empty()) return invalid("the file is empty; expected a header naming the lists and a count column");
  const CsvRows::Row& header = rows.front();
  int count_column = -1;
  std::vector<std::string> lists;
  for (std::size_t c = 0; c < header.cells.size(); ++c) {
    const std::string name = trim(header.cells[c]);
    const std::string key = lower(name);
    if (key == "count" || key == "n" || key == "frequency" || key == "freq") {
      if (count_column >= 0) return invalid("two count columns (\"" + header.cells[count_column] + "\" and \"" + name + "\")", "line 1");
      count_column = static_cast<int>(c);
    } else {
      lists.push_back(name);
    }
  }
  if (count_column < 0) {
    return invalid("no count column: the header needs one column named count, n or frequency holding the number of "
                   "people with each capture pattern", "line " + std::to_string(header.line));
  }
  if (rows.size() == 1) return invalid("the table has a header but no rows of capture patterns");
  if (lists.size() > static_cast<std::size_t>(kMaxLists)) {
    // Checked before the rows so a very wide table is refused at once, with the reason.
    return make_capture_table(std::move(lists), {}).status().error();
  }
  std::vector<CaptureRow> capture_rows;
  std::map<std::size_t, std::size_t> line_of_row;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRows::Row& row = rows[r];
    const std::string line = "line " + std::to_string(row.line);
    if (row.cells.size() != header.cells.size()) {
      return invalid("the row has " + std::to_string(row.cells.size()) + " cells; the header has " +
                         std::to_string(header.cells.size()), line);
    }
    CaptureRow capture;
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      const std::string cell = trim(row.cells[c]);
      const std::string where = line + ", column \"" + trim(header.cells[c]) + "\"";
      if (static_cast<int>(c) == count_column) {
        auto count = parse_count(cell, where);
        HAVEN_TRY(count);
        capture.count = *count;
      } else if (cell == "0" || cell == "1") {
        capture.on_list.push_back(cell == "1");
      } else {
        return invalid("\"" + cell + "\" is not a capture flag; list columns hold 1 (on the list) or 0 (not on it)", where);
      }
    }
    line_of_row[capture_rows.size() + 1] = row.line;
    capture_rows.push_back(std::move(capture));
  }
  auto table = make_capture_table(std::move(lists), capture_rows);
  if (!table.ok()) {
    // Name the CSV line rather than the row number of the in-memory form.
    Error error = table.error();
    if (error.field.rfind("row ", 0) == 0) {
      const std::size_t row = std::stoul(error.field.substr(4));
      error.field = "line " + std::to_string(line_of_row[row]);
      const auto first = error.message.find("(first in row ");
      if (first != std::string::npos) {
        const auto close = error.message.find(')', first);
        const std::size_t earlier = std::stoul(error.message.substr(first + 14, close - first - 14));
        error.message.replace(first, close - first + 1, "(first on line " + std::to_string(line_of_row[earlier]) + ")");
      }
    }
    return error;
  }
  return table;
}

Result<CaptureTable> read_capture_table(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open " + path, path};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{ErrorCode::kUnavailable, "cannot read " + path, path};
  return parse_capture_table(text.str());
}

}  // namespace haven::stats
