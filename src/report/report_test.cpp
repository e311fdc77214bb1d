#include "report/report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "crypto/crypto.hpp"

namespace haven::report {
namespace {

ReportRequest request(std::string name, int min_cell = 5, std::string by = "") {
  ReportRequest r;
  r.name = std::move(name);
  r.min_cell = min_cell;
  r.by = std::move(by);
  return r;
}

class Reports : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("haven-report-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    keys_ = KeyRing::from_master_key(Key{7, 7, 7});
    SqliteOptions options;
    options.key_ring = keys_.get();
    auto store = open_sqlite_store(dir_ / "haven.db", clock_, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    fill();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::int64_t add(Transaction& tx, const char* kind, std::int64_t org, const Json& fields) {
    auto record = create_record(tx, *find_entity(kind), org, fields, clock_);
    EXPECT_TRUE(record.ok()) << kind << ": " << record.error().message;
    return record.ok() ? record->id : 0;
  }

  // Fifteen cases: twelve opened in 2024 (eight in Cebu, four in Manila), three in 2025. Seven
  // of the 2024 cases were charged on 2024-06-01; six ended in conviction and one in acquittal on
  // 2025-01-10. Six survivors were assessed twice, restored at the second assessment.
  void fill() {
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok());
    Transaction& t = **tx;
    org_ = add(t, "organisation", 0, {{"name", "Mission Cebu"}, {"type", "ngo"}, {"country", "PH"}});
    std::int64_t first_case = 0;
    for (int i = 0; i < 15; ++i) {
      const bool early = i < 12;
      const std::int64_t case_id =
          add(t, "case", org_, {{"title", "Case " + std::to_string(i)}, {"exploitation_form", "osec"}, {"country", "PH"},
                                {"region", i < 8 ? "Cebu" : "Manila"}, {"opened_on", early ? "2024-01-15" : "2025-03-01"}});
      if (i == 0) first_case = case_id;
      if (early && i < 10)
        add(t, "report", org_, {{"channel", "hotline"}, {"received_at", "2024-01-10T08:00:00Z"}, {"priority", "high"}, {"case_id", case_id}});
      if (early && i < 7) {
        Json stages = {{{"stage", "complaint"}, {"date", "2024-02-01"}}, {{"stage", "charges_filed"}, {"date", "2024-06-01"}},
                       {{"stage", "verdict"}, {"date", "2025-01-10"}, {"verdict", i < 6 ? "conviction" : "acquittal"}}};
        add(t, "legal_case", org_, {{"case_id", case_id}, {"charges", {{{"statute", "RA 9208"}, {"counts", 1}}}}, {"stages", stages}});
      }
    }
    add(t, "operation", org_, {{"case_id", first_case}, {"type", "rescue"}, {"date", "2024-03-01"}, {"victims_identified", 9}, {"suspects_arrested", 2}});
    for (int i = 0; i < 6; ++i) {
      const std::int64_t person = add(t, "person", org_, {{"given_name", "Survivor"}, {"region", "Cebu"}});
      Json low, high;
      for (const auto& domain : choices::kAssessmentDomains) low[domain] = 2, high[domain] = 3;
      add(t, "outcome_assessment", org_, {{"person_id", person}, {"assessed_on", "2025-01-01"}, {"scores", low}});
      add(t, "outcome_assessment", org_, {{"person_id", person}, {"assessed_on", "2025-07-01"}, {"scores", high}});
    }
    add(t, "training", org_, {{"audience_agency", "PNP"}, {"held_on", "2025-02-01"}, {"participants", 20}, {"pre_test_mean", 50}, {"post_test_mean", 80}});
    add(t, "training", org_, {{"audience_agency", "PNP"}, {"held_on", "2025-05-01"}, {"participants", 30}, {"pre_test_mean", 60}, {"post_test_mean", 90}});
    add(t, "training", org_, {{"audience_agency", "NBI"}, {"held_on", "2025-05-01"}, {"participants", 3}});
    ASSERT_TRUE(t.commit().ok());
  }

  Report run(ReportRequest wanted) {
    wanted.org_id = org_;
    wanted.as_of = "2026-11-26";
    auto tx = store_->begin(false);
    auto report = build_report(**tx, wanted);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? std::move(report.value()) : Report{};
  }
  static const Cell& at(const Table& table, std::size_t row, const std::string& column) {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c] == column) return table.rows.at(row).at(c);
    throw std::out_of_range(column);
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::filesystem::path dir_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<Store> store_;
  std::int64_t org_ = 0;
};

TEST_F(Reports, FunnelCountsEachStageInItsPeriod) {
  Report report = run(request("funnel", 0));
  const Table& funnel = report.tables.at(0);
  ASSERT_EQ(funnel.rows.size(), 3u);  // 2024, 2025, total
  EXPECT_EQ(at(funnel, 0, "period").text, "2024");
  EXPECT_EQ(at(funnel, 0, "reports received").number, 10);
  EXPECT_EQ(at(funnel, 0, "investigations opened").number, 12);
  EXPECT_EQ(at(funnel, 0, "operations").number, 1);
  EXPECT_EQ(at(funnel, 0, "victims identified").number, 9);
  EXPECT_EQ(at(funnel, 0, "legal cases charged").number, 7);
  EXPECT_EQ(at(funnel, 1, "convictions").number, 6);
  EXPECT_EQ(at(funnel, 1, "acquittals").number, 1);
  EXPECT_NEAR(at(funnel, 1, "conviction rate (%)").number, 600.0 / 7, 1e-9);
  EXPECT_EQ(at(funnel, 2, "investigations opened").number, 15);
  EXPECT_FALSE(at(funnel, 1, "acquittals").suppressed);
}

TEST_F(Reports, SmallCellsAndWhatTheyWouldRevealAreSuppressed) {
  Report report = run(request("funnel"));
  const Table& funnel = report.tables.at(0);
  EXPECT_TRUE(at(funnel, 1, "investigations opened").suppressed) << "3 is below 5";
  EXPECT_TRUE(at(funnel, 0, "investigations opened").suppressed) << "the total would give the 3 away";
  EXPECT_FALSE(at(funnel, 2, "investigations opened").suppressed);
  EXPECT_TRUE(at(funnel, 1, "acquittals").suppressed);
  EXPECT_TRUE(at(funnel, 1, "conviction rate (%)").suppressed) << "computed from a suppressed count";
  EXPECT_FALSE(at(funnel, 1, "convictions").suppressed);
  const Json json = to_json(report);
  EXPECT_EQ(json["tables"][0]["rows"][1]["acquittals"], "<5");
  EXPECT_EQ(json["parameters"]["min_cell"], 5);
  const std::string csv = to_csv(funnel);
  EXPECT_NE(csv.find("<5"), std::string::npos);
  EXPECT_EQ(csv.find(",1,"), std::string::npos) << csv;
  // The chart shows no suppressed value: the acquittals bar of the total (1) is a gap.
  ASSERT_FALSE(report.charts.empty());
  EXPECT_TRUE(std::isnan(report.charts[0].series[0].y[7]));
}

TEST_F(Reports, GroupsByRegion) {
  Report report = run(request("funnel", 0, "region"));
  const Table& funnel = report.tables.at(0);
  EXPECT_EQ(funnel.columns[1], "region");
  EXPECT_EQ(at(funnel, 0, "region").text, "Cebu");
  EXPECT_EQ(at(funnel, 0, "investigations opened").number, 8);
  EXPECT_EQ(at(funnel, 1, "region").text, "Manila");
  EXPECT_EQ(at(funnel, 1, "investigations opened").number, 4);
}

TEST_F(Reports, TimeToJusticeCensorsOpenCases) {
  Report report = run(request("time-to-justice"));
  const Table& medians = report.tables.at(0);
  // report to charges, cohort 2024: 12 cases, 7 charged 143 days after the first report.
  EXPECT_EQ(at(medians, 0, "cohort").text, "2024");
  EXPECT_EQ(at(medians, 0, "subjects").number, 12);
  EXPECT_EQ(at(medians, 0, "events").number, 7);
  EXPECT_EQ(at(medians, 0, "median days").number, 143);
  // cohort 2025: three cases, too few to show.
  EXPECT_TRUE(at(medians, 1, "subjects").suppressed);
  EXPECT_TRUE(at(medians, 1, "median days").kind == Cell::Kind::kEmpty || at(medians, 1, "median days").suppressed);
  // charges to verdict: all seven in 223 days.
  EXPECT_EQ(at(medians, 2, "measure").text, "charges to verdict");
  EXPECT_EQ(at(medians, 2, "median days").number, 223);
  ASSERT_EQ(report.charts.size(), 2u);
  EXPECT_EQ(report.charts[0].series.size(), 1u) << "the 2025 cohort's curve is too small to draw";
}

TEST_F(Reports, OutcomesAndRestoration) {
  Report report = run(request("outcomes"));
  const Table& scores = report.tables.at(0);
  EXPECT_EQ(at(scores, 0, "assessments").number, 12);
  EXPECT_EQ(at(scores, 0, "safety").number, 2.5);
  EXPECT_EQ(at(scores, 0, "restored (%)").number, 50);
  const Table& restoration = report.tables.at(1);
  EXPECT_EQ(at(restoration, 0, "reached restored").number, 6);
  EXPECT_EQ(at(restoration, 0, "median days to restored").number, 181);
}

TEST_F(Reports, StrengtheningWeighsTestScoresByParticipants) {
  Report report = run(request("strengthening", 0));
  const Table& agencies = report.tables.at(0);
  EXPECT_EQ(at(agencies, 1, "agency").text, "PNP");
  EXPECT_EQ(at(agencies, 1, "officials trained").number, 50);
  EXPECT_NEAR(at(agencies, 1, "pre-test mean").number, 56, 1e-9);
  EXPECT_NEAR(at(agencies, 1, "improvement (points)").number, 30, 1e-9);
  EXPECT_EQ(at(agencies, 0, "pre-test mean").kind, Cell::Kind::kEmpty) << "NBI recorded no tests";
}

TEST_F(Reports, RendersXlsxSvgAndPng) {
  Report report = run(request("funnel"));
  auto xlsx = to_xlsx(report);
  ASSERT_TRUE(xlsx.ok()) << xlsx.error().message;
  EXPECT_EQ(xlsx->substr(0, 2), "PK");
  auto svg = chart_svg(report.charts.at(0));
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->find("<svg"), std::string::npos);
  auto png = chart_png(report.charts.at(0));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->substr(1, 3), "PNG");
}

TEST_F(Reports, BadRequestsNameTheParameter) {
  auto tx = store_->begin(false);
  auto check = [&](ReportRequest wanted, const std::string& field) {
    wanted.as_of = "2026-11-26";
    auto report = build_report(**tx, wanted);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().field, field);
  };
  check(request("prevalence"), "report");
  ReportRequest weekly = request("funnel");
  weekly.period = "week";
  check(weekly, "period");
  check(request("funnel", 5, "sex"), "by");
  ReportRequest bad_date = request("funnel");
  bad_date.from = "2024-13-01";
  check(bad_date, "from");
  check(request("funnel", -1), "min_cell");
}

TEST_F(Reports, CaptureHistoriesFromHavensOwnRecords) {
  std::int64_t duplicate = 0, kept = 0;
  {
    auto tx = store_->begin(true);
    Transaction& t = **tx;
    // Three cases in Cebu, 2024: one reported by hotline only, one by police with an operation,
    // one by hotline and police. Two victims each; one of them recorded twice and merged.
    std::vector<std::int64_t> cases;
    for (const auto& channels : std::vector<std::vector<std::string>>{{"hotline"}, {"police"}, {"hotline", "police"}}) {
      const auto case_id = add(t, "case", org_, {{"title", "c"}, {"exploitation_form", "labour_fishing"}, {"country", "PH"},
                                                 {"region", "Cebu"}, {"opened_on", "2024-05-01"}});
      for (const auto& channel : channels)
        add(t, "report", org_, {{"channel", channel}, {"received_at", "2024-04-30T08:00:00Z"}, {"priority", "high"}, {"case_id", case_id}});
      cases.push_back(case_id);
    }
    add(t, "operation", org_, {{"case_id", cases[1]}, {"type", "rescue"}, {"date", "2024-05-02"}});
    for (std::size_t c = 0; c < cases.size(); ++c)
      for (int v = 0; v < 2; ++v) {
        const auto person = add(t, "person", org_, {{"given_name", "V"}});
        add(t, "case_person", org_, {{"case_id", cases[c]}, {"person_id", person}, {"role", "victim"}});
        if (c == 0 && v == 0) kept = person;
        if (c == 1 && v == 0) duplicate = person;
      }
    // The victim of the police case is the hotline case's first victim, recorded twice.
    auto record = t.get(*find_entity("person"), duplicate, org_);
    Json merged = record->fields;
    merged["merged_into"] = kept;
    ASSERT_TRUE(t.update(*find_entity("person"), duplicate, org_, record->version, merged).ok());
    ASSERT_TRUE(t.commit().ok());
  }
  auto tx = store_->begin(false);
  CaptureRequest request;
  request.org_id = org_;
  request.from = "2024-05-01";
  request.region = "Cebu";
  auto table = capture_histories(**tx, request);
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->lists(), (std::vector<std::string>{"hotline", "operation", "police"}));
  EXPECT_EQ(table->observed(), 5u) << "six victim records, one merged: five people";
  EXPECT_EQ(table->count(0b001), 1u);  // hotline only: the second victim of the first case
  EXPECT_EQ(table->count(0b110), 1u);  // operation and police: the second victim of the police case
  EXPECT_EQ(table->count(0b111), 1u);  // the merged victim: hotline, police and the operation
  EXPECT_EQ(table->count(0b101), 2u);  // hotline and police: the third case's victims

  request.region = "Davao";
  auto nobody = capture_histories(**tx, request);
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().code, ErrorCode::kFailedPrecondition);
  request.from = "yesterday";
  EXPECT_EQ(capture_histories(**tx, request).error().field, "from");
}

}  // namespace
}  // namespace haven::report
