// Export and import against real SQLite stores: round trips, id translation between systems,
// all-or-nothing imports and errors that point at a line and a column.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <streambuf>

#include "csv/csv.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

const EntitySpec& spec(const char* kind) { return *find_entity(kind); }

// A stream that cannot seek, like a pipe.
class PipeBuffer : public std::streambuf {
 public:
  explicit PipeBuffer(std::string text) : text_(std::move(text)) {
    setg(text_.data(), text_.data(), text_.data() + text_.size());
  }

 private:
  std::string text_;
};

class CsvImport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("haven-csv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    source_ = open("source.db");
    target_ = open("target.db");
    source_org_ = create(*source_, "organisation", 0,
                         {{"name", "Source NGO"}, {"type", "ngo"}, {"country", "IN"}});
    // The target already holds data, so ids given by the import differ from the file's.
    create(*target_, "organisation", 0, {{"name", "Other"}, {"type", "ngo"}, {"country", "KH"}});
    target_org_ = create(*target_, "organisation", 0,
                         {{"name", "Target NGO"}, {"type", "ngo"}, {"country", "IN"}});
    create(*target_, "person", target_org_, {{"given_name", "Already here"}});
  }
  void TearDown() override {
    source_.reset();
    target_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> open(const char* name) {
    // Each database has its own key ring, as each data directory does.
    rings_.push_back(KeyRing::from_master_key(Key{static_cast<unsigned char>(rings_.size() + 1)}));
    SqliteOptions options;
    options.key_ring = rings_.back().get();
    auto store = open_sqlite_store(dir_ / name, clock_, options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return std::move(store.value());
  }
  std::int64_t create(Store& store, const char* kind, std::int64_t org, const Json& input) {
    auto tx = store.begin(true);
    EXPECT_TRUE(tx.ok());
    auto record = create_record(**tx, spec(kind), org, input, clock_);
    EXPECT_TRUE(record.ok()) << record.error().message;
    EXPECT_TRUE((*tx)->commit().ok());
    return record.ok() ? record->id : 0;
  }
  std::string export_text(Store& store, const char* kind, std::int64_t org) {
    auto tx = store.begin(false);
    EXPECT_TRUE(tx.ok());
    std::ostringstream out;
    auto written = export_records(**tx, spec(kind), org, out, {});
    EXPECT_TRUE(written.ok()) << written.error().message;
    return out.str();
  }
  Result<ImportSummary> import_text(const char* kind, const std::string& text) {
    std::istringstream in(text);
    return import_records(*target_, spec(kind), target_org_, in, clock_, {}, id_maps_);
  }
  std::int64_t count(const char* kind) {
    auto tx = target_->begin(false);
    EXPECT_TRUE(tx.ok());
    auto n = (*tx)->count(spec(kind), target_org_);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }
  std::string import_error(const char* kind, const std::string& text) {
    auto result = import_text(kind, text);
    EXPECT_FALSE(result.ok()) << "import should have failed";
    return result.ok() ? "" : result.error().message;
  }

  // The data rows of an export without the envelope, references translated through id_maps_ so
  // that exports of two stores compare equal when the import kept every field.
  std::vector<std::vector<std::string>> field_rows(const char* kind, const std::string& text,
                                                   bool translate) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    const auto columns = csv_columns(spec(kind));
    Status status = read_csv(in, [&](const CsvRow& row) {
      if (row.line == 1) return Status::Ok();
      std::vector<std::string> cells(row.cells.begin() + 5, row.cells.end());
      for (std::size_t i = 0; translate && i < cells.size(); ++i) {
        const FieldSpec& field = spec(kind).fields[i];
        if (field.type == FieldType::kRef && !cells[i].empty())
          cells[i] = std::to_string(id_maps_.at(field.ref_kind).at(std::stoll(cells[i])));
      }
      rows.push_back(std::move(cells));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return rows;
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<KeyRing>> rings_;  // outlive the stores that use them
  std::unique_ptr<Store> source_, target_;
  std::int64_t source_org_ = 0, target_org_ = 0;
  IdMaps id_maps_;
};

TEST_F(CsvImport, RoundTripsPersonsCasesAndRolesWithTranslatedIds) {
  const auto priya = create(*source_, "person", source_org_,
                            {{"given_name", "प्रिया"},
                             {"family_name", "शर्मा"},
                             {"aliases", {"Pri, \"P\"", "=Priya"}},
                             {"sex", "female"},
                             {"birth_date", "2010-05-01"},
                             {"phone", "+91 98 7654 3210"},
                             {"address", "12 MG Road, Delhi"},
                             {"nationality", "IN"}});
  create(*source_, "person", source_org_,
         {{"given_name", "សុខា"}, {"sex", "female"}, {"age_estimate", 15}, {"country", "KH"}});
  const auto suspect = create(*source_, "person", source_org_,
                              {{"given_name", "=HYPERLINK(\"http://x\")"}, {"sex", "male"}});
  const auto kiln =
      create(*source_, "case", source_org_,
             {{"title", "Brick kiln, Haryana"},
              {"exploitation_form", "labour_brick_kiln"},
              {"country", "IN"},
              {"opened_on", "2026-01-10"},
              {"incident_date", "2025-12-01"},
              {"summary", "Found at dawn.\nTwelve workers,\n\"bonded\" for two years."}});
  create(*source_, "case_person", source_org_,
         {{"case_id", kiln}, {"person_id", priya}, {"role", "victim"}});
  create(*source_, "case_person", source_org_,
         {{"case_id", kiln}, {"person_id", suspect}, {"role", "suspect"}, {"notes", "-owner"}});

  for (const char* kind : {"person", "case", "case_person"}) {
    SCOPED_TRACE(kind);
    const std::string exported = export_text(*source_, kind, source_org_);
    auto summary = import_text(kind, exported);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->created, summary->rows);
    const std::string again = export_text(*target_, kind, target_org_);
    const bool is_role = std::string(kind) == "case_person";
    if (is_role) {
      EXPECT_EQ(summary->references_remapped, 4u);
    }
    if (std::string(kind) != "person") {
      EXPECT_EQ(field_rows(kind, exported, is_role), field_rows(kind, again, false));
    } else {
      // The target held a person before: compare the imported ones.
      auto imported = field_rows(kind, again, false);
      imported.erase(imported.begin());
      EXPECT_EQ(field_rows(kind, exported, false), imported);
    }
  }
  EXPECT_EQ(id_maps_.at("person").size(), 3u);
  EXPECT_NE(id_maps_.at("person").at(priya), priya);  // the test would not see a missed remap
  const std::string roles = export_text(*target_, "case_person", target_org_);
  EXPECT_NE(roles.find("true"), std::string::npos) << "is_minor recomputed for the victim";
  EXPECT_NE(roles.find("'-owner"), std::string::npos);
}

TEST_F(CsvImport, WrongHeaderNamesTheColumnsAndListsAcceptedOnes) {
  std::string error = import_error("person", "id,given_nam,sex,nickname\n1,A,female,B\n");
  EXPECT_NE(error.find("unknown columns: given_nam, nickname"), std::string::npos) << error;
  EXPECT_NE(error.find("accepted columns, in any order, are: id, display_code, version, "
                       "created_at, updated_at, given_name,"),
            std::string::npos)
      << error;
  error = import_error("case", "title,country,title\nx,IN,y\n");
  EXPECT_NE(error.find("columns given twice: title"), std::string::npos) << error;
  EXPECT_NE(error.find("missing required columns: exploitation_form, opened_on"), std::string::npos)
      << error;
}

TEST_F(CsvImport, BadCellNamesLineAndColumnAndNothingIsWritten) {
  const auto before = count("person");
  const std::string text =
      "given_name,age_estimate,sex,aliases\n"
      "A,12,female,\nB,13,female,\nC,14,male,\n"
      "\"D, \"\"Dee\"\"\",15,male,\"[\"\"D\"\",\n\"\"Dee\"\"]\"\n"  // lines 5-6
      "E,abc,female,\n";                                            // line 7
  const auto result = import_text("person", text);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message.rfind("line 7, column age_estimate: must be a whole number", 0),
            0u)
      << result.error().message;
  EXPECT_EQ(result.error().field, "line 7, column \"age_estimate\"");
  EXPECT_EQ(count("person"), before);
  EXPECT_TRUE(id_maps_.empty());
}

TEST_F(CsvImport, ValidationErrorsAreMappedFromFieldToColumn) {
  std::string error = import_error("person", "sex,given_name,birth_date\nfemale,A,2030-01-01\n");
  EXPECT_EQ(error.rfind("line 2, column birth_date: cannot be after today", 0), 0u) << error;
  error = import_error("person", "sex,given_name\nfemale,A\nwoman,B\n");
  EXPECT_EQ(error.rfind("line 3, column sex: must be one of: female, male", 0), 0u) << error;
  error = import_error("case_person", "case_id,person_id,role\n1,999,victim\n");
  EXPECT_NE(error.find("line 2, column case_id"), std::string::npos) << error;
  EXPECT_NE(error.find("import the case file first"), std::string::npos) << error;
  const auto the_case = create(*target_, "case", target_org_,
                               {{"title", "t"},
                                {"exploitation_form", "osec"},
                                {"country", "PH"},
                                {"opened_on", "2026-01-01"}});
  error = import_error("legal_case", "case_id,stages\n" + std::to_string(the_case) +
                                         ",\"[{\"\"stage\"\":\"\"trial\"\"}]\"\n");
  EXPECT_EQ(error, "line 2, column stages: at /stages/0/date: is required");
  error = import_error("person", "given_name,aliases\nA,not json\n");
  EXPECT_EQ(error.rfind("line 2, column aliases: must be a JSON list of texts", 0), 0u) << error;
  EXPECT_EQ(count("person"), 1);
}

TEST_F(CsvImport, ComputedAndEnvelopeColumnsAreIgnoredAndFormulaGuardsRemoved) {
  const auto the_case = create(*target_, "case", target_org_,
                               {{"title", "t"},
                                {"exploitation_form", "osec"},
                                {"country", "PH"},
                                {"opened_on", "2026-01-01"}});
  const auto child = create(*target_, "person", target_org_, {{"birth_date", "2015-01-01"}});
  const std::string text =
      "display_code,case_id,person_id,role,is_minor,version,notes\n"
      "CP-1999-00001," +
      std::to_string(the_case) + "," + std::to_string(child) + ",victim,false,9,'=1+1\n";
  auto result = import_text("case_person", text);
  ASSERT_TRUE(result.ok()) << result.error().message;
  auto tx = target_->begin(false);
  ASSERT_TRUE(tx.ok());
  auto page = (*tx)->list(spec("case_person"), target_org_, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  const Record& role = page->records[0];
  EXPECT_EQ(role.fields["is_minor"], true);
  EXPECT_EQ(role.fields["notes"], "=1+1");
  EXPECT_EQ(role.version, 1);
  EXPECT_EQ(role.display_code, "CP-2026-00001");
}

TEST_F(CsvImport, ExportPagesThroughEveryRecordAndReportsProgress) {
  {
    auto tx = source_->begin(true);
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 1001; ++i) {
      auto r = create_record(**tx, spec("training"), source_org_,
                             {{"audience_agency", "Police " + std::to_string(i)},
                              {"held_on", "2026-01-15"},
                              {"participants", i + 1}},
                             clock_);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto tx = source_->begin(false);
  ASSERT_TRUE(tx.ok());
  std::ostringstream out;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  auto written = export_records(
      **tx, spec("training"), source_org_, out,
      [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(*written, 1001u);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], std::make_pair(std::uint64_t{1000}, std::uint64_t{1001}));
  EXPECT_EQ(calls[1], std::make_pair(std::uint64_t{1001}, std::uint64_t{1001}));
  const auto rows = field_rows("training", out.str(), false);
  ASSERT_EQ(rows.size(), 1001u);
  EXPECT_EQ(rows.back()[0], "Police 1000");

  // Imported from a pipe: no total known in advance, still all rows.
  PipeBuffer pipe(out.str());
  std::istream in(&pipe);
  std::uint64_t last_total = 99;
  auto summary = import_records(*target_, spec("training"), target_org_, in, clock_,
                                [&](std::uint64_t, std::uint64_t total) { last_total = total; });
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->created, 1001u);
  EXPECT_EQ(last_total, 0u);
  EXPECT_EQ(count("training"), 1001);
}

}  // namespace
}  // namespace haven
