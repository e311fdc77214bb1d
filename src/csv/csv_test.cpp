// The CSV format on its own: quoting, line numbers, and files that are broken in the ways real
// files are (truncated uploads, Latin-1 exports, hand-edited rows).
#include "csv/csv.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "store/store.hpp"

namespace haven {
namespace {

// Reads `text`; returns the rows read before any error, and the error message in `error`.
std::vector<CsvRow> read_all(const std::string& text, std::string* error = nullptr) {
  std::istringstream in(text);
  std::vector<CsvRow> rows;
  Status status = read_csv(in, [&](const CsvRow& row) {
    rows.push_back(row);
    return Status::Ok();
  });
  if (error) *error = status.ok() ? "" : status.error().message;
  return rows;
}

std::string written(const std::vector<std::vector<std::string>>& rows) {
  std::ostringstream out;
  for (const auto& row : rows) write_csv_row(out, row);
  return out.str();
}

// The cell of column `name` when `record` is exported.
std::string cell_of(const EntitySpec& spec, const Record& record, const std::string& name) {
  const auto columns = csv_columns(spec);
  const auto cells = record_cells(spec, record);
  return cells.at(std::find(columns.begin(), columns.end(), name) - columns.begin());
}

TEST(CsvFormat, QuotesOnlyWhatNeedsQuoting) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell(" padded"), "\" padded\"");
  EXPECT_EQ(written({{"a", "b"}}), "a,b\r\n");
}

TEST(CsvFormat, RoundTripsAwkwardCellsWithTheirLineNumbers) {
  const std::vector<std::vector<std::string>> rows = {
      {"name", "notes", "place"},
      {"देवनागरी लिपि", "line one\nline two\r\nline three", "Phnom Penh, Cambodia"},
      {"ភាសាខ្មែរ", "she said \"no\", twice", " leading and trailing "},
      {"", "\"", ",,,"},
      {"last", "", "tab\there"}};
  std::string error;
  const auto read = read_all(written(rows), &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(read.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(read[i].cells, rows[i]) << "row " << i;
  // The second row spans lines 2-4, so the third starts on line 5.
  EXPECT_EQ(read[0].line, 1u);
  EXPECT_EQ(read[1].line, 2u);
  EXPECT_EQ(read[2].line, 5u);
  EXPECT_EQ(read[3].line, 6u);
  EXPECT_EQ(read[4].line, 7u);
}

TEST(CsvFormat, SkipsByteOrderMarkAndBlankLinesButCountsThem) {
  std::string error;
  const auto read = read_all(
      "\xEF\xBB\xBF"
      "a,b\n\n1,2\r\n\r\n3,4",
      &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].cells, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(read[1].line, 3u);
  EXPECT_EQ(read[2].line, 5u);
  EXPECT_EQ(read[2].cells, (std::vector<std::string>{"3", "4"}));
}

TEST(CsvFormat, TruncatedFileNamesWhereTheOpenQuoteStarts) {
  std::string error;
  const auto read = read_all("a,b\r\n1,2\r\n3,\"cut off in the mid", &error);
  EXPECT_NE(error.find("line 3, column \"b\""), std::string::npos) << error;
  EXPECT_NE(error.find("never closed"), std::string::npos) << error;
  EXPECT_EQ(read.size(), 2u);
}

TEST(CsvFormat, RefusesInvalidUtf8NamingTheCell) {
  std::string error;
  read_all(
      "name,place\nok,ok\nMar\xED"
      "a,Manila\n",
      &error);  // Latin-1 í
  EXPECT_NE(error.find("line 3, column \"name\""), std::string::npos) << error;
  EXPECT_NE(error.find("UTF-8"), std::string::npos) << error;
  read_all("name,place\nok,\xE0\xA4\n", &error);  // Devanagari cut in the middle
  EXPECT_NE(error.find("line 2, column \"place\""), std::string::npos) << error;
}

TEST(CsvFormat, RefusesRaggedRows) {
  std::string error;
  read_all("a,b,c\n1,2,3\n4,5\n", &error);
  EXPECT_NE(error.find("line 3: has 2 cells but the header has 3"), std::string::npos) << error;
  read_all("a,b\n1,2,3\n", &error);
  EXPECT_NE(error.find("line 2: has 3 cells"), std::string::npos) << error;
}

TEST(CsvFormat, RefusesStrayQuotesAndEmptyFiles) {
  std::string error;
  read_all("a,b\n1,2\nx\"y,3\n", &error);
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
  EXPECT_NE(error.find("quote"), std::string::npos) << error;
  read_all("", &error);
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  read_all("\n\r\n", &error);
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
}

TEST(CsvFormat, StopsAtTheFirstErrorOfTheCallback) {
  std::istringstream in("a\n1\n2\n3\n");
  int seen = 0;
  Status status = read_csv(in, [&](const CsvRow& row) -> Status {
    ++seen;
    if (row.cells[0] == "1") return invalid("no ones");
    return Status::Ok();
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "no ones");
  EXPECT_EQ(seen, 2);
}

TEST(FormulaGuard, PrefixesFormulaStartsAndIsReversible) {
  EXPECT_EQ(guard_formula("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
  EXPECT_EQ(guard_formula("+63 917 555 0101"), "'+63 917 555 0101");
  EXPECT_EQ(guard_formula("-5"), "'-5");
  EXPECT_EQ(guard_formula("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(guard_formula("Maria"), "Maria");
  EXPECT_EQ(guard_formula("'quoted'"), "'quoted'");
  EXPECT_EQ(guard_formula("'=x"), "''=x");
  for (const std::string text : {"=1+1", "'=1+1", "''@a", "'", "''", "plain", "'plain", "", "a=b"})
    EXPECT_EQ(unguard_formula(guard_formula(text)), text) << text;
}

TEST(EntityCells, ColumnsStartWithTheEnvelopeThenFollowTheSpec) {
  const EntitySpec& person = *find_entity("person");
  const auto columns = csv_columns(person);
  ASSERT_EQ(columns.size(), 5 + person.fields.size());
  EXPECT_EQ(
      std::vector<std::string>(columns.begin(), columns.begin() + 5),
      (std::vector<std::string>{"id", "display_code", "version", "created_at", "updated_at"}));
  EXPECT_EQ(columns[5], person.fields[0].name);
  EXPECT_EQ(columns.back(), person.fields.back().name);
}

TEST(EntityCells, FormatsEachTypeAndGuardsOnlyStrings) {
  const EntitySpec& training = *find_entity("training");
  Record record;
  record.id = 7;
  record.display_code = "TR-2026-00007";
  record.version = 2;
  record.created_at = "2026-03-01T00:00:00Z";
  record.updated_at = "2026-03-02T00:00:00Z";
  record.fields = {{"audience_agency", "=cmd|' /C calc'!A0"},
                   {"held_on", "2026-02-01"},
                   {"topics", {"victim identification", "-trauma"}},
                   {"participants", 25},
                   {"pre_test_mean", 41.5}};
  auto cell = [&](const std::string& name) { return cell_of(training, record, name); };
  EXPECT_EQ(cell("id"), "7");
  EXPECT_EQ(cell("version"), "2");
  EXPECT_EQ(cell("audience_agency"), "'=cmd|' /C calc'!A0");
  EXPECT_EQ(cell("held_on"), "2026-02-01");
  EXPECT_EQ(cell("topics"), "[\"victim identification\",\"-trauma\"]");  // JSON: not a formula
  EXPECT_EQ(cell("participants"), "25");
  EXPECT_EQ(cell("pre_test_mean"), "41.5");
  EXPECT_EQ(cell("post_test_mean"), "");
}

TEST(EntityCells, NegativeNumbersAreNotGuarded) {
  const EntitySpec& person = *find_entity("person");
  Record record;
  record.fields = {{"age_estimate", -1},
                   {"custom", {{"tribe", "x"}, {"_form_version", 3}}},
                   {"aliases", Json::array()}};
  auto cell = [&](const std::string& name) { return cell_of(person, record, name); };
  EXPECT_EQ(cell("age_estimate"), "-1");
  EXPECT_EQ(cell("custom"), "{\"tribe\":\"x\"}");  // the stored form version is not shown
  EXPECT_EQ(cell("aliases"), "[]");
}

}  // namespace
}  // namespace haven
