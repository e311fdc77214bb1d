// Survivor outcomes (assessment scores, restoration) and justice-system strengthening (trainings,
// case-file audits), from public fields only.
#include <algorithm>
#include <cmath>
#include <set>

#include "report/indicators.hpp"
#include "stats/stats.hpp"

namespace haven::report {
namespace {

// The requested grouping of each person: their own region, or the form of exploitation of the
// first case they are a victim in.
Result<std::map<std::int64_t, std::string>> person_groups(Transaction& tx, const ReportRequest& request) {
  std::map<std::int64_t, std::string> groups;
  if (request.by == "region") {
    HAVEN_TRY(tx.scan(*find_entity("person"), request.org_id, {"region"}, [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
      groups[id] = v[0].is_string() && !v[0].get<std::string>().empty() ? v[0].get<std::string>() : "unknown";
    }));
  } else if (request.by == "exploitation_form") {
    auto cases = load_cases(tx, request.org_id);
    HAVEN_TRY(cases);
    HAVEN_TRY(tx.scan(*find_entity("case_person"), request.org_id, {"case_id", "person_id", "role"},
                      [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                        if (text(v[2]) != "victim" || !v[0].is_number_integer() || !v[1].is_number_integer()) return;
                        auto found = cases->find(v[0].get<std::int64_t>());
                        if (found != cases->end()) groups.try_emplace(v[1].get<std::int64_t>(), group_of(found->second, request.by));
                      }));
  }
  return groups;
}

struct Assessment {
  std::string on;
  std::array<double, 6> scores{};
  bool restored = false;
};

}  // namespace

Result<Report> outcomes_report(Transaction& tx, const ReportRequest& request) {
  auto groups = person_groups(tx, request);
  HAVEN_TRY(groups);
  const auto& domains = choices::kAssessmentDomains;
  std::map<std::int64_t, std::vector<Assessment>> by_person;
  HAVEN_TRY(tx.scan(*find_entity("outcome_assessment"), request.org_id, {"person_id", "assessed_on", "scores", "restored"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      if (!v[0].is_number_integer() || !in_range(text(v[1]), request) || !v[2].is_object()) return;
                      Assessment a{text(v[1]), {}, v[3].is_boolean() && v[3].get<bool>()};
                      for (std::size_t d = 0; d < domains.size(); ++d) a.scores[d] = v[2].value(domains[d], 0.0);
                      by_person[v[0].get<std::int64_t>()].push_back(a);
                    }));
  auto group_of_person = [&](std::int64_t person) -> std::string {
    if (request.by.empty()) return "";
    auto found = groups->find(person);
    return found == groups->end() ? "unknown" : found->second;
  };

  struct Sums {
    std::int64_t assessments = 0, restored = 0;
    std::set<std::int64_t> survivors;
    std::array<double, 6> score_sums{};
  };
  std::map<std::pair<std::string, std::string>, Sums> periods;
  std::map<std::string, std::vector<stats::Observation>> restoration;
  for (auto& [person, assessments] : by_person) {
    std::sort(assessments.begin(), assessments.end(), [](const Assessment& a, const Assessment& b) { return a.on < b.on; });
    const std::string group = group_of_person(person);
    for (const auto& a : assessments) {
      Sums& sums = periods[{period_of(a.on, request.period), group}];
      ++sums.assessments;
      sums.restored += a.restored;
      sums.survivors.insert(person);
      for (std::size_t d = 0; d < domains.size(); ++d) sums.score_sums[d] += a.scores[d];
    }
    auto first_restored = std::find_if(assessments.begin(), assessments.end(), [](const Assessment& a) { return a.restored; });
    const std::string end = first_restored != assessments.end() ? first_restored->on : assessments.back().on;
    if (auto days = days_between(assessments.front().on, end))
      restoration[request.by.empty() ? "all survivors" : group].push_back({*days, first_restored != assessments.end()});
  }

  Report report;
  report.title = "Survivor outcomes";
  const bool grouped = !request.by.empty();
  Table scores;
  scores.name = "scores";
  scores.title = "Outcome assessments: mean score per domain (1 in crisis, 4 thriving)";
  scores.columns = {"period"};
  if (grouped) scores.columns.push_back(group_column(request.by));
  const std::size_t assessments_column = scores.columns.size();
  scores.columns.push_back("assessments");
  scores.columns.push_back("survivors assessed");
  for (const auto& domain : domains) scores.columns.push_back(domain);
  scores.columns.push_back("restored assessments");
  scores.columns.push_back("restored (%)");
  for (const auto& [key, sums] : periods) {
    std::vector<Cell> row{Cell::label(key.first)};
    if (grouped) row.push_back(Cell::label(key.second));
    row.push_back(Cell::count(sums.assessments));
    row.push_back(Cell::count(static_cast<std::int64_t>(sums.survivors.size())));
    for (double sum : sums.score_sums) row.push_back(Cell::value(sum / sums.assessments, {assessments_column + 1}));
    row.push_back(Cell::count(sums.restored));
    row.push_back(Cell::value(100.0 * sums.restored / sums.assessments, {assessments_column, row.size() - 1}));
    scores.rows.push_back(std::move(row));
  }

  Table restored;
  restored.name = "restoration";
  restored.title = "Survivors reaching the restored status, and how long it takes";
  restored.columns = {grouped ? group_column(request.by) : "survivors", "survivors assessed", "reached restored", "restored (%)",
                      "median days to restored", "median low (95%)", "median high (95%)"};
  Chart curve_chart;
  curve_chart.kind = Chart::Kind::kSteps;
  curve_chart.title = "Share not yet restored (Kaplan-Meier)";
  curve_chart.x_label = "months since the first assessment";
  curve_chart.y_label = "share not yet restored";
  curve_chart.y_max = 1;
  for (const auto& [group, observations] : restoration) {
    auto curve = stats::kaplan_meier(observations);
    HAVEN_TRY(curve);
    restored.rows.push_back({Cell::label(group), Cell::count(curve->subjects), Cell::count(curve->events),
                             Cell::value(100.0 * curve->events / std::max(curve->subjects, 1), {1, 2}), median_cell(curve->median, 1),
                             median_cell(curve->median_low, 1), median_cell(curve->median_high, 1)});
    if (curve->subjects < std::max(request.min_cell, 1)) continue;
    curve_chart.series.push_back(survival_series(group, *curve));
  }
  report.tables.push_back(std::move(scores));
  report.tables.push_back(std::move(restored));
  report.notes.push_back("A survivor is restored when every domain scores at or above the organisation's restored threshold "
                         "(3 unless configured). Time to restored runs from the first assessment; survivors not yet "
                         "restored are censored at their latest assessment.");
  suppress_small_cells(report, request.min_cell);
  if (!grouped) {
    std::vector<std::size_t> domain_columns;
    for (std::size_t d = 0; d < domains.size(); ++d) domain_columns.push_back(assessments_column + 2 + d);
    Chart lines = chart_from_table(report.tables.front(), 0, domain_columns, Chart::Kind::kLines, "Mean score per domain over time", "mean score (1-4)");
    lines.y_max = 4;
    report.charts.push_back(std::move(lines));
  }
  report.charts.push_back(std::move(curve_chart));
  return report;
}

Result<Report> strengthening_report(Transaction& tx, const ReportRequest& request) {
  struct Agency {
    std::int64_t trainings = 0, participants = 0, scored_participants = 0;
    double pre_sum = 0, post_sum = 0;  // weighted by participants, over trainings with both scores
  };
  std::map<std::string, Agency> agencies;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> trainings_by_period;  // trainings, participants
  HAVEN_TRY(tx.scan(*find_entity("training"), request.org_id, {"audience_agency", "held_on", "participants", "pre_test_mean", "post_test_mean"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      const std::string held_on = text(v[1]);
                      if (!in_range(held_on, request)) return;
                      const std::int64_t participants = v[2].is_number_integer() ? v[2].get<std::int64_t>() : 0;
                      Agency& agency = agencies[text(v[0]).empty() ? "unknown" : text(v[0])];
                      ++agency.trainings;
                      agency.participants += participants;
                      if (v[3].is_number() && v[4].is_number()) {
                        agency.scored_participants += participants;
                        agency.pre_sum += v[3].get<double>() * participants;
                        agency.post_sum += v[4].get<double>() * participants;
                      }
                      auto& period = trainings_by_period[period_of(held_on, request.period)];
                      ++period.first;
                      period.second += participants;
                    }));
  auto cases = load_cases(tx, request.org_id);
  HAVEN_TRY(cases);
  struct Audits {
    std::int64_t audits = 0;
    double compliance_sum = 0;
  };
  std::map<std::pair<std::string, std::string>, Audits> audits;
  HAVEN_TRY(tx.scan(*find_entity("case_audit"), request.org_id, {"case_id", "audited_on", "compliance_percent"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      const std::string on = text(v[1]);
                      if (!in_range(on, request) || !v[2].is_number()) return;
                      std::string group;
                      if (!request.by.empty()) {
                        auto found = v[0].is_number_integer() ? cases->find(v[0].get<std::int64_t>()) : cases->end();
                        group = found == cases->end() ? "unknown" : group_of(found->second, request.by);
                      }
                      Audits& a = audits[{period_of(on, request.period), group}];
                      ++a.audits;
                      a.compliance_sum += v[2].get<double>();
                    }));

  Report report;
  report.title = "Strengthening the justice system";
  Table by_agency;
  by_agency.name = "trainings_by_agency";
  by_agency.title = "Officials trained, by agency, and their test scores";
  by_agency.columns = {"agency", "trainings", "officials trained", "pre-test mean", "post-test mean", "improvement (points)"};
  Agency all;
  auto agency_row = [](const std::string& name, const Agency& a) {
    const bool scored = a.scored_participants > 0;
    const double pre = scored ? a.pre_sum / a.scored_participants : NAN, post = scored ? a.post_sum / a.scored_participants : NAN;
    return std::vector<Cell>{Cell::label(name), Cell::count(a.trainings), Cell::count(a.participants),
                             scored ? Cell::value(pre, {2}) : Cell::empty(), scored ? Cell::value(post, {2}) : Cell::empty(),
                             scored ? Cell::value(post - pre, {2}) : Cell::empty()};
  };
  for (const auto& [name, a] : agencies) {
    by_agency.rows.push_back(agency_row(name, a));
    all.trainings += a.trainings, all.participants += a.participants, all.scored_participants += a.scored_participants;
    all.pre_sum += a.pre_sum, all.post_sum += a.post_sum;
  }
  by_agency.total_rows_from = by_agency.rows.size();
  by_agency.rows.push_back(agency_row("all agencies", all));

  Table over_time;
  over_time.name = "trainings_over_time";
  over_time.title = "Trainings over time";
  over_time.columns = {"period", "trainings", "officials trained"};
  for (const auto& [period, n] : trainings_by_period)
    over_time.rows.push_back({Cell::label(period), Cell::count(n.first), Cell::count(n.second)});

  Table compliance;
  compliance.name = "case_file_audits";
  compliance.title = "Case-file audits: compliance with the checklist";
  compliance.columns = {"period"};
  if (!request.by.empty()) compliance.columns.push_back(group_column(request.by));
  compliance.columns.push_back("audits");
  compliance.columns.push_back("mean compliance (%)");
  const std::size_t audits_column = compliance.columns.size() - 2;
  for (const auto& [key, a] : audits) {
    std::vector<Cell> row{Cell::label(key.first)};
    if (!request.by.empty()) row.push_back(Cell::label(key.second));
    row.push_back(Cell::count(a.audits));
    row.push_back(Cell::value(a.compliance_sum / a.audits, {audits_column}));
    compliance.rows.push_back(std::move(row));
  }
  report.tables.push_back(std::move(by_agency));
  report.tables.push_back(std::move(over_time));
  report.tables.push_back(std::move(compliance));
  report.notes.push_back("Test means are weighted by participants, over trainings that recorded both a pre- and a post-test.");
  suppress_small_cells(report, request.min_cell);
  report.charts.push_back(chart_from_table(report.tables[0], 0, {2}, Chart::Kind::kBars, "Officials trained by agency", "officials"));
  if (request.by.empty()) {
    Chart trend = chart_from_table(report.tables[2], 0, {2}, Chart::Kind::kLines, "Case-file audit compliance", "mean compliance (%)");
    trend.y_max = 100;
    report.charts.push_back(std::move(trend));
  }
  return report;
}

}  // namespace haven::report
