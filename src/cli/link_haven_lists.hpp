// Private to the haven command: `haven link --data DIR --by organisation`, the lists of victims
// drawn from Haven's own data (docs/linkage.md, "Lists from Haven's own data").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "link/link.hpp"

namespace CLI {
class App;
}

namespace haven::cli {

struct HavenListsRequest {
  std::string data_dir, key_file, database;
  std::string by = "organisation";
  std::string from, to, region;       // cases opened within (YYYY-MM-DD, inclusive), in the region
  std::vector<std::int64_t> org_ids;  // empty: every organisation
};

// Adds --data, --key-file, --database, --by, --from, --to, --region and --org to `link`.
void add_haven_list_options(CLI::App& link, HavenListsRequest& request);

// The columns a specification may name for these lists: the person fields of the schema.
const std::vector<std::string>& haven_list_columns();

// One list per organisation (named after it): the persons in the victim role of its cases opened
// in the period and region, merged duplicates counted once as the person they were merged into,
// each record identified by its display code, with the columns `spec` names unsealed in memory.
// Organisations without a victim in scope are left out (a note on stderr). Writes one audit entry
// (organisations, period, region, records per list) before returning.
// Errors: kInvalidArgument for a date that is not YYYY-MM-DD or a period ending before it starts,
// an organisation or region the data does not have (the message lists those it has), a column the
// lists do not have; kNotFound when there is no data directory; those of opening it.
Result<std::vector<link::RecordList>> read_haven_lists(const HavenListsRequest& request,
                                                       const link::LinkSpec& spec);

}  // namespace haven::cli
