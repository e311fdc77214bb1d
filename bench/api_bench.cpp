// API benchmark: durable writes and case-page reads on a Haven data directory, each printed next
// to a reference measured in the same run on the same machine:
//   writes: a raw SQLite WAL commit (same pragmas) of a row of the same size;
//   reads:  cpp-httplib's own hello-world, loaded by the same wrk command.
// On PostgreSQL (--database, or DIR/database) see api_bench_pg.cpp: the same measures through one
// and two `haven serve` processes, against pgbench in the same run.
// Usage: haven_bench --data DIR [--database CONNINFO] [--servers 2] [--seconds 10] [--connections 64] [--writes 2000]
#include <httplib.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "api/api.hpp"
#include "audit/audit.hpp"
#include "bench_load.hpp"

namespace haven::bench {
int run_postgres_bench(const Args& args, const std::string& conninfo, KeyRing& keys);
}

namespace {

using namespace haven;
using namespace haven::bench;
using Stopwatch = std::chrono::steady_clock;

WriteFigures raw_sqlite_commits(const std::string& file, int count, std::size_t payload_size) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(payload) VALUES (?)", -1, &insert, nullptr);
  const std::string payload(payload_size, 'x');
  std::vector<double> latencies;
  const auto start = Stopwatch::now();
  for (int i = 0; i < count; ++i) {
    const auto t0 = Stopwatch::now();
    sqlite3_bind_text(insert, 1, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    latencies.push_back(std::chrono::duration<double, std::milli>(Stopwatch::now() - t0).count());
  }
  const double seconds = std::chrono::duration<double>(Stopwatch::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return {count / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99)};
}

Result<WriteFigures> haven_event_writes(Store& store, const haven::Clock& clock, std::int64_t org, std::int64_t case_id, int count) {
  const EntitySpec& spec = *find_entity("case_event");
  std::vector<double> latencies;
  const auto start = Stopwatch::now();
  for (int i = 0; i < count; ++i) {
    const auto t0 = Stopwatch::now();
    auto tx = store.begin(true);
    HAVEN_TRY(tx);
    const Json event = {{"case_id", case_id}, {"occurred_at", "2026-03-01T10:00:00Z"}, {"type", "contact"},
                        {"summary", "Follow-up call with the survivor's guardian; next visit agreed."}};
    HAVEN_TRY(create_record(**tx, spec, org, event, clock));
    HAVEN_TRY((*tx)->commit());
    latencies.push_back(std::chrono::duration<double, std::milli>(Stopwatch::now() - t0).count());
  }
  const double seconds = std::chrono::duration<double>(Stopwatch::now() - start).count();
  return WriteFigures{count / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99)};
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  args.haven = (std::filesystem::path(argv[0]).parent_path() / ".." / "haven").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--data") args.data = argv[i + 1];
    else if (flag == "--database") args.database = argv[i + 1];
    else if (flag == "--servers") args.servers = std::stoi(argv[i + 1]);
    else if (flag == "--haven") args.haven = argv[i + 1];
    else if (flag == "--pgbench") args.pgbench = argv[i + 1];
    else if (flag == "--seconds") args.seconds = std::stoi(argv[i + 1]);
    else if (flag == "--connections") args.connections = std::stoi(argv[i + 1]);
    else if (flag == "--writes") args.writes = std::stoi(argv[i + 1]);
  }
  if (args.data.empty() || args.servers < 1) {
    std::fprintf(stderr, "usage: haven_bench --data DIR [--database CONNINFO] [--servers 2] [--haven PATH] [--pgbench PATH]\n"
                         "                   [--seconds 10] [--connections 64] [--writes 2000]\n"
                         "DIR is a data directory made by `haven demo` (the reference is --persons 1000000); with\n"
                         "--database (or DIR/database) its PostgreSQL database, served by 1..N `haven serve` processes.\n");
    return 2;
  }
  SystemClock clock;
  auto source = key_source_from("", false);  // HAVEN_PASSPHRASE, as for the haven command
  auto keys = source.ok() ? KeyRing::open(args.data, *source) : Result<std::unique_ptr<KeyRing>>(source.error());
  if (!keys.ok()) {
    std::fprintf(stderr, "cannot open the keys of %s: %s\n", args.data.c_str(), keys.error().message.c_str());
    return 1;
  }
  if (args.database.empty()) {
    std::ifstream named(std::filesystem::path(args.data) / "database");
    for (std::string line; args.database.empty() && std::getline(named, line);)
      if (!line.empty() && line[0] != '#') args.database = line;
  }
  if (!args.database.empty()) return run_postgres_bench(args, args.database, **keys);
  SqliteOptions options;
  options.key_ring = keys->get();
  auto store = open_sqlite_store(std::filesystem::path(args.data) / "haven.db", clock, options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", args.data.c_str(), store.error().message.c_str());
    return 1;
  }
  // Who to act as, and which of that organisation's cases to read.
  std::int64_t org = 1;
  std::string username;
  std::vector<std::int64_t> case_ids;
  std::int64_t persons = 0, cases = 0;
  {
    auto tx = (*store)->begin(false);
    auto users = (*tx)->list_users(org);
    for (const auto& user : *users)
      // A supervisor reads any case of the organisation (a caseworker only those assigned).
      for (const char* role : {"supervisor", "org_admin"})
        if (std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end()) username = user.username;
    ListQuery query;
    query.limit = 1000;
    for (int page = 0; page < 20; ++page) {
      auto listed = (*tx)->list(*find_entity("case"), org, query);
      for (const auto& r : listed->records) case_ids.push_back(r.id);
      if (listed->next_cursor.empty()) break;
      query.cursor = listed->next_cursor;
    }
    persons = *(*tx)->count(*find_entity("person"), 0);
    cases = *(*tx)->count(*find_entity("case"), 0);
  }
  if (username.empty() || case_ids.empty()) {
    std::fprintf(stderr, "organisation 1 needs a supervisor or administrator and cases: make DIR with `haven demo`\n");
    return 1;
  }
  std::printf("data: %lld persons, %lld cases; %d connections, %d s per load, 2 cores shared by wrk and server\n",
              static_cast<long long>(persons), static_cast<long long>(cases), args.connections, args.seconds);

  const std::string raw_file = std::filesystem::temp_directory_path() / ("haven-bench-raw-" + std::to_string(::getpid()) + ".db");
  const WriteFigures raw = raw_sqlite_commits(raw_file, args.writes, 350);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(raw_file + suffix);
  auto writes = haven_event_writes(**store, clock, org, case_ids.front(), args.writes);
  if (!writes.ok()) {
    std::fprintf(stderr, "write failed: %s\n", writes.error().message.c_str());
    return 1;
  }
  std::printf("%-22s %9.0f commits/s  p50 %6.2f ms  p99 %6.2f ms\n", "raw SQLite WAL commit", raw.per_second, raw.p50_ms, raw.p99_ms);
  std::printf("%-22s %9.0f commits/s  p50 %6.2f ms  p99 %6.2f ms  ratio to raw SQLite %.2f\n", "haven event write",
              writes->per_second, writes->p50_ms, writes->p99_ms, writes->per_second / raw.per_second);

  // What security costs per request: opening one sealed person (the read path) and appending one
  // audit entry (the background writer's work per read), each timed alone.
  {
    auto tx = (*store)->begin(false);
    ListQuery one;
    one.limit = 1;
    const Record person = (*tx)->list(*find_entity("person"), org, one)->records.front();
    Json sealed_part = Json::object();
    for (const auto& field : find_entity("person")->fields)
      if (field.sensitivity != Sensitivity::kPublic && person.fields.contains(field.name)) sealed_part[field.name] = person.fields[field.name];
    const std::string plaintext = sealed_part.dump();
    const std::string sealed = *(*keys)->seal(org, plaintext, "person:1");
    constexpr int kOpens = 200000;
    const auto start = Stopwatch::now();
    std::size_t bytes = 0;
    for (int i = 0; i < kOpens; ++i) bytes += (*keys)->open_sealed(org, sealed, "person:1")->size();
    const double seconds = std::chrono::duration<double>(Stopwatch::now() - start).count();
    std::printf("%-22s %9.0f opens/s  %.2f us each (%zu bytes of sealed fields)\n", "open sealed person", kOpens / seconds,
                1e6 * seconds / kOpens, bytes / kOpens);
  }
  {
    AuditLog probe(**store, clock, (*keys)->audit_chain_key().value());
    constexpr int kEntries = 20000;
    const auto start = Stopwatch::now();
    for (int i = 0; i < kEntries; ++i) probe.append_read({org, 1, "bench", "read", "case", case_ids[i % case_ids.size()], Json::object()});
    (void)probe.flush();
    const double seconds = std::chrono::duration<double>(Stopwatch::now() - start).count();
    std::printf("%-22s %9.0f entries/s  %.2f us each (batched, hash-chained, durable)\n", "audit read entry", kEntries / seconds,
                1e6 * seconds / kEntries);
  }

  httplib::Server hello;  // the same stack with the same thread pool as Haven's server
  hello.new_task_queue = [threads = ApiOptions{}.threads] { return new httplib::ThreadPool(threads); };
  hello.set_keep_alive_max_count(1000);
  hello.set_tcp_nodelay(true);
  hello.Get("/hello", [](const httplib::Request&, httplib::Response& res) { res.set_content("hello", "text/plain"); });
  const int hello_port = hello.bind_to_any_port("127.0.0.1");
  std::thread hello_thread([&] { hello.listen_after_bind(); });
  AuditLog audit(**store, clock, (*keys)->audit_chain_key().value());
  ApiOptions api_options;
  api_options.log_requests = false;
  ApiServer api(**store, clock, audit, api_options);
  if (!api.bind("127.0.0.1", 0).ok()) return 1;
  std::thread api_thread([&] { (void)api.listen_bound(); });
  while (!hello.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  httplib::Client client("127.0.0.1", api.port());
  auto login = client.Post("/api/v1/sessions", Json{{"username", username}, {"password", "haven-demo"}}.dump(), "application/json");
  if (!login || login->status != 201) {
    std::fprintf(stderr, "cannot log in as %s (demo password haven-demo)\n", username.c_str());
    return 1;
  }
  const std::string token = Json::parse(login->body)["token"];
  const std::string script = std::filesystem::temp_directory_path() / ("haven-bench-" + std::to_string(::getpid()) + ".lua");
  const std::string api_url = "http://127.0.0.1:" + std::to_string(api.port());
  const LoadFigures reference = run_wrk("http://127.0.0.1:" + std::to_string(hello_port) + "/hello", args.connections, args.seconds, "");
  write_read_script(script, case_ids, token, "");
  const LoadFigures case_read = run_wrk(api_url, args.connections, args.seconds, script);
  write_read_script(script, case_ids, token, "/timeline");
  const LoadFigures timeline = run_wrk(api_url, args.connections, args.seconds, script);
  std::filesystem::remove(script);
  print_load("hello-world (httplib)", reference, reference, "hello-world");
  print_load("case read", case_read, reference, "hello-world");
  print_load("case timeline", timeline, reference, "hello-world");
  api.stop();
  hello.stop();
  api_thread.join();
  hello_thread.join();
  return 0;
}
