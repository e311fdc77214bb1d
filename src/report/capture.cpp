// Capture histories from Haven's own records, for multiple systems estimation: which ways of
// finding victims found each victim. Public fields only; duplicates merged into one person.
#include <set>

#include "report/indicators.hpp"

namespace haven::report {

Result<stats::CaptureTable> capture_histories(Transaction& tx, const CaptureRequest& request) {
  for (const auto& [name, value] : {std::pair{"from", request.from}, std::pair{"to", request.to}})
    if (!value.empty() && !parse_date(value)) return invalid(std::string(name) + " must be a date, YYYY-MM-DD", name);
  auto cases = load_cases(tx, request.org_id);
  HAVEN_TRY(cases);
  ReportRequest dates;
  dates.from = request.from;
  dates.to = request.to;
  // The cases in scope: opened in the period, in the region.
  std::set<std::int64_t> in_scope;
  for (const auto& [id, facts] : *cases)
    if (in_range(facts.opened_on, dates) && (request.region.empty() || facts.region == request.region)) in_scope.insert(id);

  // The lists each case is on: the channels of its reports, and "operation" when it had one.
  std::map<std::int64_t, std::set<std::string>> case_lists;
  auto id_of = [](const Json& value) { return value.is_number_integer() ? value.get<std::int64_t>() : std::int64_t{0}; };
  HAVEN_TRY(tx.scan(*find_entity("report"), request.org_id, {"case_id", "channel"}, [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
    if (in_scope.count(id_of(v[0])) && v[1].is_string()) case_lists[id_of(v[0])].insert(v[1].get<std::string>());
  }));
  HAVEN_TRY(tx.scan(*find_entity("operation"), request.org_id, {"case_id"}, [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
    if (in_scope.count(id_of(v[0]))) case_lists[id_of(v[0])].insert("operation");
  }));

  // Duplicates count once: a merged record stands for the person it was merged into.
  std::map<std::int64_t, std::int64_t> merged_into;
  HAVEN_TRY(tx.scan(*find_entity("person"), request.org_id, {"merged_into"}, [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
    if (v[0].is_number_integer()) merged_into[id] = v[0].get<std::int64_t>();
  }));
  auto person_of = [&](std::int64_t id) {
    for (int hops = 0; hops < 16; ++hops) {  // merges may chain; a cycle cannot, but never loop forever
      auto next = merged_into.find(id);
      if (next == merged_into.end()) break;
      id = next->second;
    }
    return id;
  };
  std::map<std::int64_t, std::set<std::string>> victim_lists;
  HAVEN_TRY(tx.scan(*find_entity("case_person"), request.org_id, {"case_id", "person_id", "role"},
                    [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                      if (v[2] != "victim") return;
                      auto lists = case_lists.find(id_of(v[0]));
                      if (lists == case_lists.end()) return;
                      victim_lists[person_of(id_of(v[1]))].insert(lists->second.begin(), lists->second.end());
                    }));

  std::set<std::string> names;
  for (const auto& [person, lists] : victim_lists) names.insert(lists.begin(), lists.end());
  std::vector<std::string> order(names.begin(), names.end());
  std::map<std::vector<bool>, std::uint64_t> patterns;
  for (const auto& [person, lists] : victim_lists) {
    std::vector<bool> on(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) on[i] = lists.count(order[i]) > 0;
    ++patterns[on];
  }
  std::vector<stats::CaptureRow> rows;
  for (const auto& [on, count] : patterns) rows.push_back({on, count});
  if (order.size() < 2)
    return Error{ErrorCode::kFailedPrecondition,
                 "the victims in scope were found through " + std::to_string(order.size()) +
                     " way(s) only; estimation needs at least two lists (report channels or operations) that overlap",
                 ""};
  auto table = stats::make_capture_table(order, rows);
  // The records are what they are: a table the method cannot use is a fact about the data in
  // scope, not a malformed request.
  if (!table.ok())
    return Error{ErrorCode::kFailedPrecondition, "the victims in scope cannot be estimated: " + table.error().message, ""};
  return table;
}

}  // namespace haven::report
