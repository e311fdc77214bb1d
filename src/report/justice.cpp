// The justice pipeline (funnel) and time to justice (Kaplan–Meier), from public fields only.
#include <algorithm>
#include <cmath>
#include <limits>

#include "report/indicators.hpp"
#include "stats/stats.hpp"

namespace haven::report {
namespace {

// The first date of each stage kind in a legal case's stage list, and its verdict.
struct LegalFacts {
  std::int64_t case_id = 0;
  std::string charged_on, verdict_on, verdict;
};
Result<std::map<std::int64_t, LegalFacts>> load_legal_cases(Transaction& tx, std::int64_t org_id) {
  std::map<std::int64_t, LegalFacts> legal;
  HAVEN_TRY(tx.scan(*find_entity("legal_case"), org_id, {"case_id", "stages"},
                    [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
                      LegalFacts facts;
                      facts.case_id = v[0].is_number_integer() ? v[0].get<std::int64_t>() : 0;
                      if (v[1].is_array()) {
                        for (const auto& stage : v[1]) {
                          const std::string kind = text(stage.value("stage", Json())), date = text(stage.value("date", Json()));
                          if (kind == "charges_filed" && (facts.charged_on.empty() || date < facts.charged_on)) facts.charged_on = date;
                          if (kind == "verdict" && facts.verdict_on.empty()) {
                            facts.verdict_on = date;
                            facts.verdict = text(stage.value("verdict", Json()));
                          }
                        }
                      }
                      legal[id] = std::move(facts);
                    }));
  return legal;
}

enum Stage { kReports, kInvestigations, kOperations, kVictims, kArrests, kCharged, kConvictions, kAcquittals, kDismissals, kStages };
const char* const kStageNames[kStages] = {"reports received",   "investigations opened", "operations",
                                          "victims identified", "suspects arrested",     "legal cases charged",
                                          "convictions",        "acquittals",            "dismissals"};

}  // namespace

Result<Report> funnel_report(Transaction& tx, const ReportRequest& request) {
  auto cases = load_cases(tx, request.org_id);
  HAVEN_TRY(cases);
  std::map<std::pair<std::string, std::string>, std::array<std::int64_t, kStages>> counts;
  auto add = [&](const std::string& date, const std::string& group, Stage stage, std::int64_t amount) {
    if (!in_range(date, request)) return;
    auto [it, fresh] = counts.try_emplace({period_of(date, request.period), group});
    if (fresh) it->second.fill(0);
    it->second[stage] += amount;
  };
  auto case_group = [&](const Json& case_id) -> std::optional<std::string> {
    if (!case_id.is_number_integer()) return std::nullopt;
    auto found = cases->find(case_id.get<std::int64_t>());
    if (found == cases->end()) return std::nullopt;
    return group_of(found->second, request.by);
  };

  HAVEN_TRY(tx.scan(*find_entity("report"), request.org_id, {"received_at", "exploitation_form", "region", "case_id"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      std::string group = case_group(v[3]).value_or("");
                      if (group.empty() && !request.by.empty()) {
                        group = text(request.by == "region" ? v[2] : v[1]);
                        if (group.empty()) group = "unknown";
                      }
                      add(text(v[0]), group, kReports, 1);
                    }));
  for (const auto& [id, facts] : *cases) add(facts.opened_on, group_of(facts, request.by), kInvestigations, 1);
  HAVEN_TRY(tx.scan(*find_entity("operation"), request.org_id, {"case_id", "date", "victims_identified", "suspects_arrested"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      const std::string group = case_group(v[0]).value_or(request.by.empty() ? "" : "unknown");
                      const std::string date = text(v[1]);
                      add(date, group, kOperations, 1);
                      if (v[2].is_number_integer()) add(date, group, kVictims, v[2].get<std::int64_t>());
                      if (v[3].is_number_integer()) add(date, group, kArrests, v[3].get<std::int64_t>());
                    }));
  auto legal = load_legal_cases(tx, request.org_id);
  HAVEN_TRY(legal);
  for (const auto& [id, facts] : *legal) {
    const std::string group = case_group(Json(facts.case_id)).value_or(request.by.empty() ? "" : "unknown");
    if (!facts.charged_on.empty()) add(facts.charged_on, group, kCharged, 1);
    if (facts.verdict == "conviction" || facts.verdict == "plea") add(facts.verdict_on, group, kConvictions, 1);
    if (facts.verdict == "acquittal") add(facts.verdict_on, group, kAcquittals, 1);
    if (facts.verdict == "dismissal") add(facts.verdict_on, group, kDismissals, 1);
  }

  Report report;
  report.title = "The justice pipeline: from report to conviction";
  Table table;
  table.name = "funnel";
  table.title = "Justice pipeline by " + request.period + (request.by.empty() ? "" : " and " + group_column(request.by));
  table.columns.push_back("period");
  const bool grouped = !request.by.empty();
  if (grouped) table.columns.push_back(group_column(request.by));
  const std::size_t first_stage = table.columns.size();
  for (const char* name : kStageNames) table.columns.push_back(name);
  table.columns.push_back("charged per 100 investigations");
  table.columns.push_back("conviction rate (%)");
  auto stage_column = [&](Stage stage) { return first_stage + stage; };
  auto make_row = [&](const std::string& period, const std::string& group, const std::array<std::int64_t, kStages>& n) {
    std::vector<Cell> row{Cell::label(period)};
    if (grouped) row.push_back(Cell::label(group));
    for (std::int64_t value : n) row.push_back(Cell::count(value));
    row.push_back(n[kInvestigations] > 0
                      ? Cell::value(100.0 * n[kCharged] / n[kInvestigations], {stage_column(kCharged), stage_column(kInvestigations)})
                      : Cell::empty());
    const std::int64_t verdicts = n[kConvictions] + n[kAcquittals] + n[kDismissals];
    row.push_back(verdicts > 0 ? Cell::value(100.0 * n[kConvictions] / verdicts,
                                             {stage_column(kConvictions), stage_column(kAcquittals), stage_column(kDismissals)})
                               : Cell::empty());
    return row;
  };
  std::array<std::int64_t, kStages> total{};
  for (const auto& [key, n] : counts) {
    table.rows.push_back(make_row(key.first, key.second, n));
    for (int s = 0; s < kStages; ++s) total[s] += n[s];
  }
  table.total_rows_from = table.rows.size();
  table.rows.push_back(make_row("total", grouped ? "all" : "", total));
  report.tables.push_back(std::move(table));
  report.notes.push_back("Each stage is counted in the period of its own date: a case reported in one year may be "
                         "convicted in a later one, so the stages of one period are not one cohort.");
  report.notes.push_back("Convictions include guilty pleas; the conviction rate is convictions among verdicts.");
  suppress_small_cells(report, request.min_cell);

  // The funnel chart: the total row's stages as bars (suppressed stages are gaps).
  const Table& shown = report.tables.front();
  Chart funnel;
  funnel.title = "Justice pipeline, all periods";
  funnel.y_label = "count";
  Series all{"total", {}, {}, {}, {}};
  for (int s = 0; s < kStages; ++s) {
    const Cell& cell = shown.rows.back()[stage_column(static_cast<Stage>(s))];
    funnel.categories.push_back(kStageNames[s]);
    all.x.push_back(s);
    all.y.push_back(cell.suppressed ? std::numeric_limits<double>::quiet_NaN() : cell.number);
  }
  funnel.series.push_back(std::move(all));
  report.charts.push_back(std::move(funnel));
  if (!grouped)
    report.charts.push_back(chart_from_table(shown, 0, {stage_column(kReports), stage_column(kInvestigations), stage_column(kCharged), stage_column(kConvictions)},
                                             Chart::Kind::kLines, "Pipeline over time", "count"));
  return report;
}

Result<Report> time_to_justice_report(Transaction& tx, const ReportRequest& request) {
  auto cases = load_cases(tx, request.org_id);
  HAVEN_TRY(cases);
  auto legal = load_legal_cases(tx, request.org_id);
  HAVEN_TRY(legal);
  std::map<std::int64_t, std::string> first_report;  // by case
  HAVEN_TRY(tx.scan(*find_entity("report"), request.org_id, {"received_at", "case_id"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      if (!v[1].is_number_integer()) return;
                      const std::string day = text(v[0]).substr(0, 10);
                      auto [it, fresh] = first_report.try_emplace(v[1].get<std::int64_t>(), day);
                      if (!fresh && day < it->second) it->second = day;
                    }));
  std::map<std::int64_t, std::string> first_charge;  // by case
  for (const auto& [id, facts] : *legal) {
    if (facts.charged_on.empty()) continue;
    auto [it, fresh] = first_charge.try_emplace(facts.case_id, facts.charged_on);
    if (!fresh && facts.charged_on < it->second) it->second = facts.charged_on;
  }

  // Groups: the requested grouping, else the cohort (period of the start).
  using Groups = std::map<std::string, std::vector<stats::Observation>>;
  Groups to_charges, to_verdict;
  int inconsistent = 0;
  auto observe = [&](Groups& groups, const std::string& group, const std::string& start, const std::string& event_on,
                     const std::string& censored_on) {
    const auto time = days_between(start, event_on.empty() ? censored_on : event_on);
    if (!time) return;
    if (*time < 0) {
      ++inconsistent;
      return;
    }
    groups[group].push_back({*time, !event_on.empty()});
  };
  for (const auto& [id, facts] : *cases) {
    std::string start = facts.opened_on;
    if (auto report = first_report.find(id); report != first_report.end() && report->second < start) start = report->second;
    if (!in_range(start, request)) continue;
    auto charge = first_charge.find(id);
    const std::string charged = charge == first_charge.end() ? "" : charge->second;
    // A case closed without charges leaves follow-up when it closes (censored there).
    const std::string censored = facts.status == "closed" && !facts.closed_on.empty() ? facts.closed_on : request.as_of;
    observe(to_charges, request.by.empty() ? period_of(start, request.period) : group_of(facts, request.by), start, charged, censored);
  }
  for (const auto& [id, facts] : *legal) {
    if (facts.charged_on.empty() || !in_range(facts.charged_on, request)) continue;
    auto found = cases->find(facts.case_id);
    const std::string group = request.by.empty() ? period_of(facts.charged_on, request.period)
                              : found == cases->end() ? "unknown" : group_of(found->second, request.by);
    observe(to_verdict, group, facts.charged_on, facts.verdict_on, request.as_of);
  }

  Report report;
  report.title = "Time to justice";
  Table medians;
  medians.name = "medians";
  medians.title = "Median days to charges and to verdict";
  medians.columns = {"measure", request.by.empty() ? "cohort" : group_column(request.by), "subjects", "events", "still open",
                     "median days", "median low (95%)", "median high (95%)"};
  Table comparison;
  comparison.name = "comparison";
  comparison.title = "Do the groups differ? (log-rank test)";
  comparison.columns = {"measure", "groups compared", "chi-square", "degrees of freedom", "p-value"};

  // Subjects minus events: hidden with either, or subtraction would give a suppressed count back.
  auto still_open = [](std::int64_t n) {
    Cell cell = Cell::count(n);
    cell.derived_from = {2, 3};
    return cell;
  };
  auto add_measure = [&](const std::string& measure, const Groups& groups) -> Status {
    Chart chart;
    chart.kind = Chart::Kind::kSteps;
    chart.title = "Share without " + std::string(measure == "report to charges" ? "charges" : "a verdict") + " (Kaplan-Meier)";
    chart.x_label = "months since " + std::string(measure == "report to charges" ? "the report" : "charges");
    chart.y_label = "share still waiting";
    chart.y_max = 1;
    std::vector<std::vector<stats::Observation>> compared;
    for (const auto& [group, observations] : groups) {
      auto curve = stats::kaplan_meier(observations);
      HAVEN_TRY(curve);
      medians.rows.push_back({Cell::label(measure), Cell::label(group), Cell::count(curve->subjects), Cell::count(curve->events),
                              still_open(curve->subjects - curve->events), median_cell(curve->median, 2),
                              median_cell(curve->median_low, 2), median_cell(curve->median_high, 2)});
      // A curve shows each event's timing: only groups above the small-cell threshold are drawn.
      if (curve->subjects < std::max(request.min_cell, 1)) continue;
      compared.push_back(observations);
      chart.series.push_back(survival_series(group, *curve));
    }
    if (compared.size() >= 2) {
      auto test = stats::log_rank(compared);
      if (test.ok())
        comparison.rows.push_back({Cell::label(measure), Cell::value(static_cast<double>(compared.size())), Cell::value(test->chi_square),
                                   Cell::value(test->degrees_of_freedom), Cell::value(test->p_value)});
    }
    report.charts.push_back(std::move(chart));
    return Status::Ok();
  };
  HAVEN_TRY(add_measure("report to charges", to_charges));
  HAVEN_TRY(add_measure("charges to verdict", to_verdict));
  report.tables.push_back(std::move(medians));
  report.tables.push_back(std::move(comparison));
  report.notes.push_back("Kaplan-Meier estimates: cases without charges (or verdict) yet are censored at " + request.as_of +
                         "; a case closed without charges is censored at its closing date. Medians are empty while "
                         "more than half are still waiting.");
  report.notes.push_back("Report to charges starts at the earlier of the case's first report and its opening date.");
  if (inconsistent > 0)
    report.notes.push_back(std::to_string(inconsistent) + " records were left out because their event precedes their start date; "
                           "correct their dates.");
  suppress_small_cells(report, request.min_cell);
  return report;
}

}  // namespace haven::report
