// Private to the haven command: haven link's review queue (docs/linkage.md, "Review queue").
// --review-into stores a run's uncertain pairs in a data directory for people to decide on;
// --decisions-from applies their decisions to a linkage before clustering.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/data_dir.hpp"
#include "cli/link_haven_lists.hpp"
#include "link/link.hpp"
#include "link_review/link_review.hpp"

namespace CLI {
class App;
}

namespace haven::cli {

struct LinkReviewOptions {
  std::string review_into, decisions_from, run;
};
// Adds --review-into, --decisions-from and --run. The data directory's --key-file and --database,
// and --org (the queue's organisation), are the options --data adds (link_haven_lists.hpp).
void add_link_review_options(CLI::App& link, LinkReviewOptions& options);

// One linkage run's use of the review queue. Everything that could refuse the run (options that
// do not fit, no such organisation, a run name taken, an unknown run) is checked by prepare(),
// before the long linking starts.
class LinkReviewQueue {
 public:
  // -1 when there is nothing to refuse (also when no review option was given); else the exit code,
  // the reason printed: 2 for options that do not fit, 3 for a refused run, 1 for a failure.
  // `shared`: --key-file, --database and --org as given for --data. --review-into is refused
  // together with --data: the pairs would carry several organisations' victims into one
  // organisation's queue.
  int prepare(const LinkReviewOptions& options, const HavenListsRequest& shared);
  // --decisions-from: decided pairs override the model (match: probability 1, non_match: dropped),
  // `pairs` sorted again by probability; prints how many decisions were applied. (The read of the
  // decisions was audited by prepare.)
  int apply_decisions(const link::Linker& linker, std::vector<link::ScoredPair>& pairs);
  // --review-into: stores the pairs of the review band with both records' compared values, in one
  // transaction with its audit entry; prints how many. 0, or the exit code after printing why.
  int store_review_band(const link::Linker& linker, const link::Model& model,
                        const std::vector<link::ScoredPair>& pairs);

 private:
  LinkReviewOptions options_;
  std::int64_t org_id_ = 0;  // the queue's organisation (0: any, with --decisions-from)
  SystemClock clock_;
  std::optional<DataDir> data_;
  std::int64_t decisions_org_ = 0;
  std::vector<link_review::Decision> decisions_;
};

}  // namespace haven::cli
