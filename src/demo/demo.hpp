// Synthetic demonstration data: organisations, users, cases and everything around them, shaped
// like the work of anti-trafficking NGOs, police and prosecutors in ten countries. Every record
// goes through create_record, so the data obeys the same validation and workflow rules as any
// other writer. Generation is deterministic: the same options and clock give the same records.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.hpp"
#include "store/store.hpp"

namespace haven {

// Every generated user can log in with this password.
inline constexpr std::string_view kDemoPassword = "haven-demo";

struct DemoOptions {
  std::uint64_t persons = 2000;  // persons created, injected duplicates included (0..10^8)
  std::uint64_t seed = 1;        // same seed, options and clock: same records
  double duplicate_rate = 0.02;  // share of persons that re-register an earlier person (0..0.5)
  std::uint64_t events_per_case = 33;  // average timeline entries per case (0..1000)
};

// One injected duplicate: a second registration of the same human being, in the same
// organisation, with its fields corrupted the way intake forms get them wrong.
struct DuplicateTruth {
  std::int64_t original_id = 0;
  std::int64_t duplicate_id = 0;
  // Applied in this order; each one of: typo, swapped_names, transliteration,
  // missing_birth_date, day_month_swap.
  std::vector<std::string> corruptions;

  bool operator==(const DuplicateTruth&) const = default;
};

struct DemoSummary {
  std::map<std::string, std::uint64_t> counts;  // records created per kind, and "user"
  std::uint64_t minors = 0;  // case_person links that Haven derived is_minor = true for
  std::vector<DuplicateTruth> duplicates;  // in creation order
  std::string admin_username;              // a system_admin who can log in with kDemoPassword

  bool operator==(const DemoSummary&) const = default;
};

// Creates the demonstration data set in `store`: organisations with staff accounts, then case
// groups (a case with its report, people, operation, proceedings, aftercare and timeline) until
// options.persons persons exist, then trainings. Records are written in transactions of about
// 5,000 records, each committed before the next begins. Everything that has happened is dated on
// or before clock.now(); only things planned (future hearings, plan review dates) come after it.
// The store may hold other data; the same seed then gives the same records under other ids.
// `progress` (may be empty) is called after each commit with persons created so far and
// options.persons. Prints nothing.
// Fails with kInvalidArgument for options out of range or a clock outside 1990..2098 (before
// writing anything); otherwise with the error of the store or of the first record the rules
// refuse, its message naming the kind (a bug in the generator). Batches committed before a
// failure stay in the store.
Result<DemoSummary> generate_demo(
    Store& store, const DemoOptions& options, const Clock& clock,
    const std::function<void(std::uint64_t done, std::uint64_t total)>& progress);

// Writes the duplicate truth as CSV: a header `original_id,duplicate_id,corruptions`, then one
// row per duplicate, corruptions joined by ';'. Fails with kUnavailable if the stream fails.
Status write_duplicate_truth(const DemoSummary& summary, std::ostream& out);

}  // namespace haven
