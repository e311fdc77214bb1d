#include "cli/link_review.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace haven::cli {

void add_link_review_options(CLI::App& link, LinkReviewOptions& options) {
  link.add_option("--review-into", options.review_into,
                  "Store the pairs of the review band (from --review-from up to the threshold), with both "
                  "records'\ncompared values, in this data directory's review queue (needs --org and --run)");
  link.add_option("--decisions-from", options.decisions_from,
                  "Apply the decisions people made on run --run in this data directory's review queue: "
                  "a pair\ndecided match is linked, one decided non_match is not, before clustering");
  link.add_option("--run", options.run,
                  "With --review-into or --decisions-from: the review queue's name for this linkage run "
                  "(unique in the\norganisation, which --org names; with --decisions-from --org is needed only "
                  "when several\norganisations have a run of that name)");
}

namespace {

int refuse(const std::string& message, int code) {
  std::cerr << "haven link: " << message << "\nNothing was linked.\n";
  return code;
}

}  // namespace

int LinkReviewQueue::prepare(const LinkReviewOptions& options, const HavenListsRequest& shared) {
  options_ = options;
  const bool storing = !options.review_into.empty(), applying = !options.decisions_from.empty();
  if (!storing && !applying) {
    if (!options.run.empty()) return refuse("--run is for --review-into or --decisions-from", 2);
    return -1;
  }
  if (options.run.empty()) return refuse("name the review queue's run with --run NAME", 2);
  if (options.run.size() > 100) return refuse("--run is at most 100 characters", 2);
  if (storing && applying)
    return refuse("give --review-into or --decisions-from, not both: --run names one run, which is either "
                  "being stored for review or having its decisions applied", 2);
  if (storing && !shared.data_dir.empty())
    return refuse("--review-into with --data would carry several organisations' victims, with their values, "
                  "into one organisation's review queue; link CSV lists the organisation holds instead", 2);
  if (shared.org_ids.size() > 1)
    return refuse("the review queue belongs to one organisation: give --org once", 2);
  org_id_ = shared.org_ids.empty() ? 0 : shared.org_ids.front();
  if (storing && org_id_ == 0) return refuse("--review-into needs the organisation's id (--org ID)", 2);
  auto data = open_existing(storing ? options.review_into : options.decisions_from, shared.key_file, clock_, shared.database);
  if (!data.ok()) return refuse(data.error().message, data.error().code == ErrorCode::kInvalidArgument ? kExitBadData : kExitFailure);
  data_ = std::move(data.value());
  auto tx = data_->store->begin(false);
  if (!tx.ok()) return refuse(tx.error().message, kExitFailure);
  if (org_id_ != 0 && !(*tx)->get(*find_entity("organisation"), org_id_, 0).ok())
    return refuse("there is no organisation " + std::to_string(org_id_) + " in " + data_->dir, kExitBadData);
  if (applying) {
    auto decided = link_review::decisions(**tx, org_id_, options.run);
    if (!decided.ok())
      return refuse(decided.error().code == ErrorCode::kNotFound
                        ? "the review queue of " + options.decisions_from + " has no run \"" + options.run +
                              "\"" + (org_id_ ? " in organisation " + std::to_string(org_id_) : "") +
                              " (GET /api/v1/link-reviews/runs lists them)"
                        : decided.error().message,
                    decided.error().code == ErrorCode::kNotFound ? kExitBadData : kExitFailure);
    decisions_org_ = decided->front().org_id;
    for (const auto& d : *decided)
      if (d.org_id != decisions_org_)
        return refuse("several organisations have a run named \"" + options.run + "\": say which with --org ID", 2);
    decisions_ = std::move(decided.value());
    // Read, audited when read (the run, how many pairs; ids and statuses are all that was read).
    auto recorded = data_->record("link", "link_review_apply", decisions_org_,
                                  {{"run", options.run}, {"pairs", decisions_.size()}});
    if (!recorded.ok()) return refuse(recorded.error().message, kExitFailure);
  }
  if (storing) {
    auto taken = link_review::run_exists(**tx, org_id_, options.run);
    if (!taken.ok()) return refuse(taken.error().message, kExitFailure);
    if (*taken)
      return refuse("organisation " + std::to_string(org_id_) + " already has a review run named \"" +
                        options.run + "\"; give this run another name with --run",
                    kExitBadData);
  }
  return -1;
}

int LinkReviewQueue::apply_decisions(const link::Linker& linker, std::vector<link::ScoredPair>& pairs) {
  if (options_.decisions_from.empty()) return 0;
  std::map<std::pair<std::string, std::string>, std::uint32_t> record_of;  // (list, id) -> global index
  for (std::uint32_t r = 0; r < linker.record_count(); ++r)
    record_of.emplace(std::pair{linker.list_name(linker.record_list(r)), linker.record_id(r)}, r);
  std::map<std::pair<std::uint32_t, std::uint32_t>, const link_review::Decision*> decided;
  std::size_t pending = 0, not_in_lists = 0;
  for (const auto& d : decisions_) {
    if (d.status == link_review::kPending) {
      ++pending;
      continue;
    }
    const auto left = record_of.find({d.list_l, d.record_l}), right = record_of.find({d.list_r, d.record_r});
    if (left == record_of.end() || right == record_of.end()) {
      ++not_in_lists;
      continue;
    }
    decided[std::minmax(left->second, right->second)] = &d;
  }
  std::size_t matches = 0, non_matches = 0;
  std::erase_if(pairs, [&](link::ScoredPair& pair) {
    const auto found = decided.find(std::minmax(pair.left, pair.right));
    if (found == decided.end()) return false;
    const bool match = found->second->status == link_review::kMatch;
    (match ? matches : non_matches) += 1;
    decided.erase(found);
    if (match) pair.probability = 1;
    return !match;
  });
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.probability > b.probability; });
  std::cout << "Review run \"" << options_.run << "\": " << matches + non_matches << " decisions applied (" << matches
            << " match, " << non_matches << " non_match)";
  if (!decided.empty())
    std::cout << "; " << decided.size() << " decided pairs were not among this linkage's pairs from review_from and "
              << "keep the model's verdict";
  if (not_in_lists) std::cout << "; " << not_in_lists << " decided pairs name records not in these lists";
  if (pending) std::cout << "; " << pending << " pairs still pending";
  std::cout << "\n";
  data_->close_audit();
  return 0;
}

int LinkReviewQueue::store_review_band(const link::Linker& linker, const link::Model& model,
                                       const std::vector<link::ScoredPair>& pairs) {
  if (options_.review_into.empty()) return 0;
  const std::vector<Json> reviews = link_review::review_band(linker, model, pairs, options_.run);
  if (reviews.empty()) {
    std::cout << "No pair between review_from (" << model.spec.review_from << ") and the threshold ("
              << model.spec.threshold << "): nothing to review, run \"" << options_.run << "\" not stored\n";
    data_->close_audit();
    return 0;
  }
  auto tx = data_->store->begin(true);
  if (!tx.ok()) return std::cerr << "haven link: " << tx.error().message << "\n", kExitFailure;
  auto stored = link_review::store_run(**tx, org_id_, reviews, clock_);
  if (!stored.ok()) {
    std::cerr << "haven link: the review queue was not written: " << stored.error().message << "\n";
    return stored.error().code == ErrorCode::kConflict || stored.error().code == ErrorCode::kInvalidArgument ? kExitBadData
                                                                                                             : kExitFailure;
  }
  Json lists = Json::array();
  for (std::size_t l = 0; l < linker.list_count(); ++l) lists.push_back(linker.list_name(l));
  // The run's name, its lists and a count: never a record's values.
  const AuditEvent event{org_id_, 0, "cli:link", "link_review_import", "link_review", 0,
                         {{"run", options_.run}, {"pairs", *stored}, {"lists", lists}}};
  if (auto audited = data_->audit->append(**tx, event); !audited.ok())
    return std::cerr << "haven link: " << audited.error().message << "\n", kExitFailure;
  if (auto committed = (*tx)->commit(); !committed.ok())
    return std::cerr << "haven link: the review queue was not written: " << committed.error().message << "\n", kExitFailure;
  data_->close_audit();
  std::cout << *stored << " pairs of the review band stored for review as run \"" << options_.run << "\" of organisation "
            << org_id_ << " in " << data_->dir << "\n";
  return 0;
}

}  // namespace haven::cli
