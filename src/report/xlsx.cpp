// XLSX through libxlsxwriter: one worksheet per table, suppressed cells as the text "<5".
#include <xlsxwriter.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "report/report.hpp"

namespace haven::report {
namespace {

// Worksheet names: at most 31 characters, none of []:*?/\ and unique within the workbook.
std::string sheet_name(const std::string& wanted, std::set<std::string>& used) {
  std::string name;
  for (char c : wanted) name += std::string("[]:*?/\\").find(c) == std::string::npos ? c : '_';
  name = name.substr(0, 28);
  std::string candidate = name;
  for (int n = 2; used.count(candidate); ++n) candidate = name + "_" + std::to_string(n);
  used.insert(candidate);
  return candidate;
}

}  // namespace

Result<std::string> to_xlsx(const Report& report) {
  // libxlsxwriter 1.1.4 (Debian 12) writes only to a file: write a private temporary one.
  std::string path = (std::filesystem::temp_directory_path() / "haven-report-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return Error{ErrorCode::kUnavailable, "cannot create a temporary file for the workbook", ""};
  ::close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};

  lxw_workbook* workbook = workbook_new(path.c_str());
  if (!workbook) return Error{ErrorCode::kInternal, "cannot start the workbook", ""};
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  std::set<std::string> used;
  for (const auto& table : report.tables) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name(table.name, used).c_str());
    worksheet_write_string(sheet, 0, 0, table.title.c_str(), bold);
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      worksheet_write_string(sheet, 1, static_cast<lxw_col_t>(c), table.columns[c].c_str(), bold);
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const auto row = static_cast<lxw_row_t>(r + 2);
      for (std::size_t c = 0; c < table.rows[r].size() && c < table.columns.size(); ++c) {
        const Cell& cell = table.rows[r][c];
        const auto column = static_cast<lxw_col_t>(c);
        if (cell.suppressed) {
          worksheet_write_string(sheet, row, column, ("<" + std::to_string(table.min_cell)).c_str(), nullptr);
        } else if ((cell.kind == Cell::Kind::kCount || cell.kind == Cell::Kind::kNumber) && std::isfinite(cell.number)) {
          worksheet_write_number(sheet, row, column, cell.number, nullptr);
        } else if (cell.kind == Cell::Kind::kText) {
          // worksheet_write_string never evaluates a formula, so text cannot inject one.
          worksheet_write_string(sheet, row, column, cell.text.c_str(), nullptr);
        }
      }
    }
    worksheet_set_column(sheet, 0, static_cast<lxw_col_t>(table.columns.size()), 18, nullptr);
  }
  lxw_worksheet* notes = workbook_add_worksheet(workbook, sheet_name("notes", used).c_str());
  worksheet_write_string(notes, 0, 0, report.title.c_str(), bold);
  for (std::size_t i = 0; i < report.notes.size(); ++i)
    worksheet_write_string(notes, static_cast<lxw_row_t>(i + 1), 0, report.notes[i].c_str(), nullptr);
  const lxw_error closed = workbook_close(workbook);
  if (closed != LXW_NO_ERROR) return Error{ErrorCode::kInternal, std::string("the workbook was not written: ") + lxw_strerror(closed), ""};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace haven::report
