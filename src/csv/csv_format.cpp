// RFC 4180 reading (on libcsv) and writing, with line numbers a person can find in an editor.
#include <csv.h>

#include <istream>
#include <optional>
#include <ostream>

#include "core/core.hpp"
#include "csv/csv.hpp"

namespace haven {
namespace {

constexpr std::size_t kChunkSize = 64 * 1024;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool starts_formula(std::string_view text) {
  const auto first = text.find_first_not_of('\'');
  return first != std::string_view::npos &&
         std::string_view("=+-@").find(text[first]) != std::string_view::npos;
}

// libcsv skips blanks around unquoted cells by default; they are data here (and the validator
// decides what to trim), so nothing counts as a blank.
int no_blanks(unsigned char) { return 0; }

// Counts line breaks (CRLF, LF or a lone CR) in `text`; `after_cr` carries a CR at the end of one
// piece over to the next so a CRLF split between two pieces counts once.
std::uint64_t count_breaks(std::string_view text, bool& after_cr) {
  std::uint64_t breaks = 0;
  for (char c : text) {
    if (c == '\r' || (c == '\n' && !after_cr)) ++breaks;
    after_cr = c == '\r';
  }
  return breaks;
}

// Receives libcsv's callbacks and turns them into rows with their starting line.
class RowAssembler {
 public:
  explicit RowAssembler(const std::function<Status(const CsvRow&)>& on_row) : on_row_(on_row) {}

  static void on_cell(void* data, std::size_t size, void* self) {
    static_cast<RowAssembler*>(self)->add_cell(static_cast<const char*>(data), size);
  }
  static void on_row_end(int terminator, void* self) {
    static_cast<RowAssembler*>(self)->end_row(terminator);
  }

  const std::optional<Error>& error() const { return error_; }
  bool has_header() const { return header_.has_value(); }
  // Where the cell being parsed started, for errors libcsv reports mid-cell.
  std::string cell_location() const { return location(line_, cells_.size()); }

  std::string location(std::uint64_t line, std::size_t cell) const {
    std::string where = "line " + std::to_string(line) + ", column ";
    if (header_ && cell < header_->size()) return where + "\"" + (*header_)[cell] + "\"";
    return where + std::to_string(cell + 1);
  }

 private:
  void add_cell(const char* data, std::size_t size) {
    if (error_) return;
    if (cells_.empty()) row_line_ = line_;
    cells_.emplace_back(data ? data : "", data ? size : 0);
    // A quoted cell may span lines; later rows start that much further down.
    bool after_cr = false;
    line_ += count_breaks(cells_.back(), after_cr);
    after_row_cr_ = false;
  }

  void end_row(int terminator) {
    if (error_) return;
    if (!cells_.empty()) deliver();
    // With CSV_REPALL_NL every CR and LF ends a (possibly empty) row; the LF of a CRLF ends an
    // empty one and is the same line break.
    if (terminator == '\r' || (terminator == '\n' && !after_row_cr_)) ++line_;
    after_row_cr_ = terminator == '\r';
  }

  void deliver() {
    for (std::size_t i = 0; i < cells_.size(); ++i)
      if (!is_valid_utf8(cells_[i])) {
        fail(location(row_line_, i),
             "is not valid UTF-8 text; save the file as CSV UTF-8 and import it again");
        return;
      }
    if (!header_) {
      header_ = cells_;
    } else if (cells_.size() != header_->size()) {
      fail("line " + std::to_string(row_line_),
           "has " + std::to_string(cells_.size()) + " cells but the header has " +
               std::to_string(header_->size()) +
               "; every row needs one cell per column (cells containing commas must be quoted)");
      return;
    }
    row_.line = row_line_;
    row_.cells = std::move(cells_);
    if (Status status = on_row_(row_); !status.ok()) error_ = status.error();
    cells_ = std::move(row_.cells);
    cells_.clear();
  }

  void fail(std::string where, const std::string& message) {
    error_ = invalid(where + ": " + message, where);
  }

  const std::function<Status(const CsvRow&)>& on_row_;
  std::optional<std::vector<std::string>> header_;
  std::vector<std::string> cells_;
  CsvRow row_;
  std::uint64_t line_ = 1;
  std::uint64_t row_line_ = 1;
  bool after_row_cr_ = false;
  std::optional<Error> error_;
};

// Owns a libcsv parser for the duration of one read.
class Parser {
 public:
  Parser() {
    ok_ = csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) == 0;
    if (ok_) csv_set_space_func(&parser_, no_blanks);
  }
  ~Parser() {
    if (ok_) csv_free(&parser_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  bool ok() const { return ok_; }
  csv_parser* get() { return &parser_; }

 private:
  csv_parser parser_{};
  bool ok_ = false;
};

Error parse_error(int code, std::string where) {
  if (code == CSV_EPARSE)
    return invalid(where +
                       ": a quote in the middle of a cell; a cell containing quotes must be "
                       "quoted as a whole, with its quotes doubled (\"\")",
                   where);
  return Error{ErrorCode::kUnavailable, "not enough memory to read the file", where};
}

}  // namespace

std::string csv_cell(std::string_view text) {
  const bool needs_quotes = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                                               text.back() == ' ' || text.back() == '\t'));
  if (!needs_quotes) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out << ',';
    out << csv_cell(cells[i]);
  }
  out << "\r\n";
}

std::string guard_formula(std::string_view text) {
  if (starts_formula(text)) return "'" + std::string(text);
  return std::string(text);
}

std::string unguard_formula(std::string_view cell) {
  if (!cell.empty() && cell.front() == '\'' && starts_formula(cell.substr(1)))
    return std::string(cell.substr(1));
  return std::string(cell);
}

Status read_csv(std::istream& in, const std::function<Status(const CsvRow& row)>& on_row) {
  Parser parser;
  if (!parser.ok()) return Error{ErrorCode::kUnavailable, "not enough memory to read the file", ""};
  RowAssembler rows(on_row);
  std::string buffer(kChunkSize, '\0');
  std::uint64_t lines_fed = 1;  // line of the next byte fed, for errors libcsv finds mid-cell
  bool after_cr = false;
  bool first = true;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.bad()) return Error{ErrorCode::kUnavailable, "could not read the file", ""};
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (first && chunk.substr(0, kByteOrderMark.size()) == kByteOrderMark)
      chunk.remove_prefix(kByteOrderMark.size());
    first = false;
    const std::size_t parsed = csv_parse(parser.get(), chunk.data(), chunk.size(),
                                         RowAssembler::on_cell, RowAssembler::on_row_end, &rows);
    if (rows.error()) return *rows.error();
    if (parsed < chunk.size()) {
      const auto line = lines_fed + count_breaks(chunk.substr(0, parsed), after_cr);
      return parse_error(csv_error(parser.get()), "line " + std::to_string(line));
    }
    lines_fed += count_breaks(chunk, after_cr);
  }
  if (csv_fini(parser.get(), RowAssembler::on_cell, RowAssembler::on_row_end, &rows) != 0) {
    const std::string where = rows.cell_location();
    return invalid(where +
                       ": a quoted cell starts here and is never closed; the file may be "
                       "truncated, or a closing quote is missing",
                   where);
  }
  if (rows.error()) return *rows.error();
  if (!rows.has_header()) return invalid("the file is empty: it needs a header row", "line 1");
  return Status::Ok();
}

}  // namespace haven
