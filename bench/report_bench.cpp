// Report benchmark: every indicator report over a whole data directory, next to a reference
// measured in the same run on the same database: SQLite's own GROUP BY over the case table (the
// aggregate behind one column of the funnel). The ratio says how many such bare aggregates one
// report costs.
// Usage: HAVEN_PASSPHRASE=... haven_report_bench --data DIR [--runs 3]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "report/report.hpp"

namespace {

using namespace haven;
using Stopwatch = std::chrono::steady_clock;

template <class F>
double best_seconds(int runs, F&& body) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto start = Stopwatch::now();
    body();
    best = std::min(best, std::chrono::duration<double>(Stopwatch::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--data") data = argv[i + 1];
    else if (flag == "--runs") runs = std::max(1, std::stoi(argv[i + 1]));
  }
  if (data.empty()) {
    std::fprintf(stderr, "usage: haven_report_bench --data DIR [--runs 3]  (HAVEN_PASSPHRASE opens DIR)\n");
    return 2;
  }
  SystemClock clock;
  auto source = key_source_from("", false);
  auto keys = source.ok() ? KeyRing::open(data, *source) : Result<std::unique_ptr<KeyRing>>(source.error());
  if (!keys.ok()) {
    std::fprintf(stderr, "cannot open the keys of %s: %s\n", data.c_str(), keys.error().message.c_str());
    return 1;
  }
  SqliteOptions options;
  options.key_ring = keys->get();
  const auto file = std::filesystem::path(data) / "haven.db";
  auto store = open_sqlite_store(file, clock, options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", data.c_str(), store.error().message.c_str());
    return 1;
  }

  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::int64_t cases = 0;
  const double reference = best_seconds(runs, [&] {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT substr(f_opened_on, 1, 4), f_region, count(*) FROM \"case\" GROUP BY 1, 2", -1, &stmt, nullptr);
    cases = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) cases += sqlite3_column_int64(stmt, 2);
    sqlite3_finalize(stmt);
  });
  sqlite3_close(db);
  std::printf("reference: SQLite GROUP BY over %lld cases: %.3f s\n\n", static_cast<long long>(cases), reference);
  std::printf("%-16s %-18s %10s %14s\n", "report", "grouping", "seconds", "x reference");
  for (const auto& name : report::report_names()) {
    for (const std::string by : {"", "region"}) {
      report::ReportRequest request;
      request.name = name;
      request.by = by;
      request.as_of = format_date(clock.now());
      Status status = Status::Ok();
      const double seconds = best_seconds(runs, [&] {
        auto tx = (*store)->begin(false);
        auto built = tx.ok() ? report::build_report(**tx, request) : Result<report::Report>(tx.error());
        if (!built.ok()) status = built.error();
      });
      if (!status.ok()) {
        std::fprintf(stderr, "%s failed: %s\n", name.c_str(), status.error().message.c_str());
        return 1;
      }
      std::printf("%-16s %-18s %10.3f %14.1f\n", name.c_str(), by.empty() ? "period" : "period x region", seconds, seconds / reference);
    }
  }
  return 0;
}
