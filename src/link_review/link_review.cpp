#include "link_review/link_review.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace haven::link_review {

namespace {

// Weights as the schema holds them: a level never seen in training can weigh -infinity (m = 0),
// which JSON cannot carry; the bound says as much to a reviewer.
double bounded_weight(double weight) {
  constexpr double kBound = 9999;
  if (std::isnan(weight)) return 0;
  return std::clamp(weight, -kBound, kBound);
}

}  // namespace

const EntitySpec& spec() { return *find_entity("link_review"); }

std::vector<Json> review_band(const link::Linker& linker, const link::Model& model,
                              const std::vector<link::ScoredPair>& pairs, const std::string& run) {
  const link::LinkSpec& link_spec = model.spec;
  std::vector<Json> reviews;
  for (const auto& pair : pairs) {
    if (pair.probability < link_spec.review_from || pair.probability >= link_spec.threshold) continue;
    const std::vector<double> weights = linker.field_weights(model, pair);
    Json comparisons = Json::array();
    for (std::size_t f = 0; f < link_spec.fields.size(); ++f) {
      const std::size_t level = pair.levels[f];
      const auto& levels = link_spec.fields[f].levels;
      Json comparison = {{"field", link_spec.fields[f].name},
                         {"level", level == 0 ? "null" : level <= levels.size() ? levels[level - 1].label : "else"},
                         {"weight", bounded_weight(weights[f])}};
      // Missing values are left out: the schema keeps no empty strings.
      if (const auto& left = linker.compared_value(f, pair.left); !left.empty()) comparison["left"] = left;
      if (const auto& right = linker.compared_value(f, pair.right); !right.empty()) comparison["right"] = right;
      comparisons.push_back(std::move(comparison));
    }
    reviews.push_back({{"run", run},
                       {"list_l", linker.list_name(linker.record_list(pair.left))},
                       {"record_l", linker.record_id(pair.left)},
                       {"list_r", linker.list_name(linker.record_list(pair.right))},
                       {"record_r", linker.record_id(pair.right)},
                       {"match_probability", pair.probability},
                       {"match_weight", bounded_weight(pair.weight)},
                       {"comparisons", std::move(comparisons)},
                       {"status", kPending}});
  }
  return reviews;
}

Result<bool> run_exists(Transaction& tx, std::int64_t org_id, const std::string& run) {
  ListQuery query;
  query.filters.push_back({"run", Filter::Op::kEq, run});
  query.limit = 1;
  auto page = tx.list(spec(), org_id, query);
  HAVEN_TRY(page);
  return !page->records.empty();
}

Result<std::size_t> store_run(Transaction& tx, std::int64_t org_id, const std::vector<Json>& reviews,
                              const Clock& clock) {
  if (reviews.empty()) return std::size_t{0};
  const std::string run = reviews.front().value("run", std::string());
  auto exists = run_exists(tx, org_id, run);
  HAVEN_TRY(exists);
  if (*exists)
    return Error{ErrorCode::kConflict,
                 "organisation " + std::to_string(org_id) + " already has a linkage run named \"" + run +
                     "\"; give this run another name (--run), or decide that run's pairs first",
                 "/run"};
  WriteContext context{org_id, tx, clock};
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    if (reviews[i].value("run", std::string()) != run)
      return Error{ErrorCode::kInternal, "the pairs of one run carry different run names", "/run"};
    auto fields = validate_workflow_record(spec(), reviews[i], context);
    if (!fields.ok()) {
      Error error = fields.error();
      // Names the pair by its lists and record ids only: the values are identifying.
      error.message = "pair " + std::to_string(i + 1) + " (" + reviews[i].value("list_l", "") + " " +
                      reviews[i].value("record_l", "") + ", " + reviews[i].value("list_r", "") + " " +
                      reviews[i].value("record_r", "") + ") at " + error.field + ": " + error.message;
      return error;
    }
    HAVEN_TRY(tx.insert(spec(), org_id, std::move(fields.value())));
  }
  return reviews.size();
}

Result<std::vector<Decision>> decisions(Transaction& tx, std::int64_t org_id, const std::string& run) {
  std::vector<Decision> out;
  // Public fields only: the compared values stay sealed.
  HAVEN_TRY(tx.scan(spec(), org_id, {"run", "list_l", "record_l", "list_r", "record_r", "status"},
                    [&](std::int64_t, std::int64_t org, const std::vector<Json>& values) {
                      if (values[0] != run) return;
                      auto text = [&](std::size_t i) { return values[i].is_string() ? values[i].get<std::string>() : std::string(); };
                      out.push_back({text(1), text(2), text(3), text(4), text(5), org});
                    }));
  if (out.empty())
    return Error{ErrorCode::kNotFound,
                 (org_id ? "organisation " + std::to_string(org_id) + " has no" : std::string("no organisation has a")) +
                     " linkage run named \"" + run + "\"",
                 "/run"};
  return out;
}

Result<std::vector<RunSummary>> runs(Transaction& tx, std::int64_t org_id) {
  std::map<std::string, RunSummary> by_name;
  HAVEN_TRY(tx.scan(spec(), org_id, {"run", "status"}, [&](std::int64_t, std::int64_t, const std::vector<Json>& values) {
    if (!values[0].is_string()) return;
    RunSummary& summary = by_name[values[0].get<std::string>()];
    summary.run = values[0].get<std::string>();
    const std::string status = values[1].is_string() ? values[1].get<std::string>() : std::string();
    if (status == kMatch)
      ++summary.match;
    else if (status == kNonMatch)
      ++summary.non_match;
    else
      ++summary.pending;
  }));
  std::vector<RunSummary> out;
  for (auto& [name, summary] : by_name) out.push_back(std::move(summary));
  return out;
}

Result<Record> decide(Transaction& tx, std::int64_t org_id, std::int64_t id, const std::string& status,
                      const std::string& note, std::int64_t user_id, const Clock& clock) {
  if (status != kMatch && status != kNonMatch && status != kPending)
    return Error{ErrorCode::kInternal, "a link review is decided match, non_match or reopened to pending", ""};
  auto record = tx.get(spec(), id, org_id);
  HAVEN_TRY(record);
  const std::string current = record->fields.value("status", std::string());
  if (status == kPending && current == kPending)
    return Error{ErrorCode::kConflict, "the pair is pending already; only a decided pair is reopened", "/status"};
  if (status != kPending && current != kPending)
    return Error{ErrorCode::kConflict,
                 "the pair was decided " + current + " already; reopen it first (POST /api/v1/link-reviews/" +
                     std::to_string(id) + "/reopen) to decide again",
                 "/status"};
  Json fields = record->fields;
  fields["status"] = status;
  for (const char* decided : {"note", "decided_by", "decided_at"}) fields.erase(decided);
  if (status != kPending) {
    if (!note.empty()) fields["note"] = note;
    fields["decided_by"] = user_id;
    fields["decided_at"] = format_datetime(clock.now());
  }
  WriteContext context{org_id, tx, clock};
  auto checked = validate_workflow_record(spec(), fields, context);
  HAVEN_TRY(checked);
  return tx.update(spec(), id, org_id, record->version, std::move(checked.value()));
}

}  // namespace haven::link_review
