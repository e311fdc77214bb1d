// haven dedupe: the background duplicate scan that fills the review queue, and reindexing.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/progress.hpp"

namespace haven::cli {

int run_dedupe(const DedupeOptions& options) {
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
  if (!data.ok()) return fail(data.error());
  if (options.reindex) {
    ProgressBar bar("search encodings");
    auto written = data->finder->reindex(*data->store, options.org_id, [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    bar.finish();
    if (!written.ok()) return fail(written.error());
    if (auto recorded = data->record("dedupe", "reindex", options.org_id, {{"persons", *written}}); !recorded.ok()) return fail(recorded.error());
    data->close_audit();
    std::fprintf(stderr, "Search encodings rewritten for %llu persons\n", static_cast<unsigned long long>(*written));
    return 0;
  }
  if (auto search = data->prepare_search(); !search.ok()) return fail(search.error());
  dedupe::ScanOptions scan;
  scan.org_id = options.org_id;
  scan.threshold = options.threshold;
  scan.top_k = options.top_k;
  ProgressBar bar("duplicate scan");
  scan.progress = [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  auto summary = dedupe::scan_duplicates(*data->store, *data->finder, scan, clock);
  bar.finish();
  if (!summary.ok()) return fail(summary.error());
  if (auto recorded = data->record("dedupe", "dedupe_scan", options.org_id,
                                   {{"persons", summary->persons}, {"pairs", summary->pairs}, {"new_pairs", summary->new_pairs}});
      !recorded.ok())
    return fail(recorded.error());
  data->close_audit();
  std::printf("%llu persons compared; %llu likely duplicate pairs, %llu of them new in the review queue\n",
              static_cast<unsigned long long>(summary->persons), static_cast<unsigned long long>(summary->pairs),
              static_cast<unsigned long long>(summary->new_pairs));
  return 0;
}

}  // namespace haven::cli
