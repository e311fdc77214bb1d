// Export: every record of a kind as one CSV file, page by page so memory stays flat.
#include <ostream>

#include "csv/csv.hpp"
#include "store/store.hpp"

namespace haven {

Result<std::uint64_t> export_records(Transaction& tx, const EntitySpec& spec, std::int64_t org_id,
                                     std::ostream& out, const Progress& progress) {
  constexpr std::size_t kPageSize = 1000;
  auto total = tx.count(spec, org_id);
  HAVEN_TRY(total);
  write_csv_row(out, csv_columns(spec));

  ListQuery query;
  query.sort = "id";  // keyset order: a page never repeats or skips a record
  query.limit = kPageSize;
  std::uint64_t written = 0;
  while (true) {
    auto page = tx.list(spec, org_id, query);
    HAVEN_TRY(page);
    for (const auto& record : page->records) write_csv_row(out, record_cells(spec, record));
    written += page->records.size();
    if (!out)
      return Error{ErrorCode::kUnavailable,
                   "could not write the export after " + std::to_string(written) +
                       " records (is the disk full?)",
                   ""};
    if (progress) progress(written, static_cast<std::uint64_t>(*total));
    // An empty page with a cursor would loop forever; treat it as the end.
    if (page->next_cursor.empty() || page->records.empty()) break;
    query.cursor = std::move(page->next_cursor);
  }
  out.flush();
  if (!out)
    return Error{ErrorCode::kUnavailable, "could not write the export (is the disk full?)", ""};
  return written;
}

}  // namespace haven
