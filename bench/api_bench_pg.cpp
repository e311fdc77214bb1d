// The API benchmark on PostgreSQL (issue 7): the same measures as on SQLite (a durable case-event
// write, case reads, case timelines), served by one and then two `haven serve` processes on one
// database, each next to PostgreSQL's own rates in the same run on the same cluster: pgbench
// custom scripts doing a single-row INSERT and a primary-key SELECT of a row of the same size as
// an event, with as many client connections as wrk has (and one, for the single writer).
#include <fcntl.h>
#include <httplib.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/api.hpp"
#include "audit/audit.hpp"
#include "bench_load.hpp"

namespace haven::bench {

namespace {

using Stopwatch = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int kReferenceRows = 100000;

struct PgbenchFigures {
  double tps = 0, latency_ms = 0;
};

std::string read_all(FILE* pipe) {
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  return output;
}

bool admin(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  PGresult* result = PQexec(conn, sql.c_str());
  const bool ok =
      PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  if (!ok) std::fprintf(stderr, "reference table: %s", PQerrorMessage(conn));
  PQclear(result);
  PQfinish(conn);
  return ok;
}

// pgbench with a custom script, `clients` connections, for `seconds`; prepared statements, no
// vacuum.
PgbenchFigures run_pgbench(const Args& args, const std::string& conninfo, const std::string& script,
                           int clients) {
  const std::string command = args.pgbench + " -n -M prepared -f " + script + " -c " +
                              std::to_string(clients) + " -j " +
                              std::to_string(std::min(clients, 2)) + " -T " +
                              std::to_string(args.seconds) + " '" + conninfo + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {};
  const std::string output = read_all(pipe);
  pclose(pipe);
  PgbenchFigures figures;
  std::smatch m;
  if (std::regex_search(output, m,
                        std::regex(R"(tps = ([0-9.]+) \(without initial connection time\))")))
    figures.tps = std::stod(m[1]);
  if (std::regex_search(output, m, std::regex(R"(latency average = ([0-9.]+) ms)")))
    figures.latency_ms = std::stod(m[1]);
  if (figures.tps == 0) std::fprintf(stderr, "pgbench output:\n%s\n", output.c_str());
  return figures;
}

struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  std::string log;
};

// `haven serve` on a port the kernel picks; waits until it serves (search index loaded) and
// answers /healthz. Its log (one line per request) goes to a file, as under systemd.
ServerProcess start_server(const Args& args, const std::string& conninfo, int index) {
  ServerProcess server;
  server.log = (fs::temp_directory_path() / ("haven-bench-serve-" + std::to_string(::getpid()) +
                                             "-" + std::to_string(index) + ".log"))
                   .string();
  server.pid = fork();
  if (server.pid == 0) {
    const int fd = ::open(server.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(args.haven.c_str(), "haven", "serve", "--data", args.data.c_str(), "--database",
          conninfo.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::regex serving(R"(event=serving address=http://[^:]+:([0-9]+))");
  for (int waited = 0; waited < 6000 && server.port == 0; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (int status = 0; waitpid(server.pid, &status, WNOHANG) == server.pid) {
      std::fprintf(stderr, "haven serve stopped at start; its log is %s\n", server.log.c_str());
      server.pid = -1;
      return server;
    }
    std::ifstream in(server.log);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    if (std::smatch m; std::regex_search(text, m, serving)) server.port = std::stoi(m[1]);
  }
  httplib::Client client("127.0.0.1", server.port);
  for (int tries = 0; tries < 100; ++tries) {
    if (auto res = client.Get("/healthz"); res && res->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return server;
}

void stop_server(ServerProcess& server) {
  if (server.pid <= 0) return;
  kill(server.pid, SIGTERM);
  int status = 0;
  waitpid(server.pid, &status, 0);
  std::filesystem::remove(server.log);
  server.pid = -1;
}

void print_ratio(const char* name, double value, const char* unit, double reference,
                 const char* reference_name, double p50_ms, double p99_ms) {
  std::printf("%-34s %9.0f %s  p50 %7.2f ms  p99 %7.2f ms  ratio to %s %.3f\n", name, value, unit,
              p50_ms, p99_ms, reference_name, reference > 0 ? value / reference : 0);
}

}  // namespace

int run_postgres_bench(const Args& args, const std::string& conninfo, KeyRing& keys) {
  SystemClock clock;
  PostgresOptions options;
  options.key_ring = &keys;
  auto store = open_postgres_store(conninfo, clock, options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", conninfo.c_str(), store.error().message.c_str());
    return 1;
  }
  std::int64_t org = 1, persons = 0, cases = 0;
  std::string username;
  std::vector<std::int64_t> case_ids;
  {
    auto tx = (*store)->begin(false);
    const auto users = (*tx)->list_users(org);
    if (!users.ok()) {
      std::fprintf(stderr, "cannot list the users: %s\n", users.error().message.c_str());
      return 1;
    }
    for (const auto& user : *users)
      for (const char* role : {"supervisor", "org_admin"})
        if (std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end())
          username = user.username;
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
    std::fprintf(stderr,
                 "organisation 1 needs a supervisor or administrator and cases: make DIR with "
                 "`haven demo`\n");
    return 1;
  }
  std::printf(
      "data: %lld persons, %lld cases (PostgreSQL); %d connections, %d s per load, up to %d haven "
      "serve "
      "processes; 2 cores shared by wrk, pgbench, the servers and PostgreSQL\n",
      static_cast<long long>(persons), static_cast<long long>(cases), args.connections,
      args.seconds, args.servers);

  // PostgreSQL's own rates, from pgbench on a table of rows the size of an event's.
  if (!admin(
          conninfo,
          "DROP TABLE IF EXISTS bench_reference; CREATE TABLE bench_reference (id bigserial "
          "PRIMARY KEY, payload text NOT NULL); "
          "INSERT INTO bench_reference (payload) SELECT repeat('x', 350) FROM generate_series(1, " +
              std::to_string(kReferenceRows) + "); ANALYZE bench_reference"))
    return 1;
  const std::string insert_script =
      fs::temp_directory_path() / ("haven-bench-insert-" + std::to_string(::getpid()) + ".sql");
  const std::string select_script =
      fs::temp_directory_path() / ("haven-bench-select-" + std::to_string(::getpid()) + ".sql");
  std::ofstream(insert_script)
      << "INSERT INTO bench_reference (payload) VALUES (repeat('x', 350));\n";
  std::ofstream(select_script) << "\\set id random(1, " << kReferenceRows
                               << ")\nSELECT payload FROM bench_reference WHERE id = :id;\n";
  const PgbenchFigures insert_one = run_pgbench(args, conninfo, insert_script, 1);
  const PgbenchFigures insert_many = run_pgbench(args, conninfo, insert_script, args.connections);
  const PgbenchFigures select_many = run_pgbench(args, conninfo, select_script, args.connections);

  // One writer through the store: validate, seal, index, audit entry, commit (as on SQLite).
  std::vector<double> latencies;
  const auto start = Stopwatch::now();
  for (int i = 0; i < args.writes; ++i) {
    const auto t0 = Stopwatch::now();
    auto tx = (*store)->begin(true);
    const Json event = {
        {"case_id", case_ids.front()},
        {"occurred_at", "2026-03-01T10:00:00Z"},
        {"type", "contact"},
        {"summary", "Follow-up call with the survivor's guardian; next visit agreed."}};
    auto written = tx.ok() ? create_record(**tx, *find_entity("case_event"), org, event, clock)
                           : Result<Record>(tx.error());
    if (!written.ok() || !(*tx)->commit().ok()) {
      std::fprintf(stderr, "write failed: %s\n",
                   written.ok() ? "commit" : written.error().message.c_str());
      return 1;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Stopwatch::now() - t0).count());
  }
  const double write_rate =
      args.writes / std::chrono::duration<double>(Stopwatch::now() - start).count();
  store->reset();  // the servers below are separate processes with pools of their own

  std::vector<ServerProcess> servers;
  for (int i = 0; i < args.servers; ++i) {
    servers.push_back(start_server(args, conninfo, i));
    if (servers.back().port == 0) {
      for (auto& s : servers) stop_server(s);
      return 1;
    }
  }
  httplib::Server hello;  // the same HTTP stack and thread pool as Haven's server
  hello.new_task_queue = [threads = ApiOptions{}.threads] {
    return new httplib::ThreadPool(threads);
  };
  hello.set_keep_alive_max_count(1000);
  hello.set_tcp_nodelay(true);
  hello.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello", "text/plain");
  });
  const int hello_port = hello.bind_to_any_port("127.0.0.1");
  std::thread hello_thread([&] { hello.listen_after_bind(); });
  while (!hello.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  // One session, made on the first server, used on every server: sessions live in the database.
  httplib::Client client("127.0.0.1", servers.front().port);
  auto login = client.Post("/api/v1/sessions",
                           Json{{"username", username}, {"password", "haven-demo"}}.dump(),
                           "application/json");
  if (!login || login->status != 201) {
    std::fprintf(stderr, "cannot log in as %s (demo password haven-demo)\n", username.c_str());
    for (auto& s : servers) stop_server(s);
    hello.stop();
    hello_thread.join();
    return 1;
  }
  const std::string token = Json::parse(login->body)["token"];
  const std::string script =
      fs::temp_directory_path() / ("haven-bench-pg-" + std::to_string(::getpid()) + ".lua");
  const LoadFigures reference = run_wrk("http://127.0.0.1:" + std::to_string(hello_port) + "/hello",
                                        args.connections, args.seconds, "");

  std::printf("\nreferences in this run\n");
  std::printf("%-34s %9.0f tx/s   latency average %.2f ms\n", "pgbench INSERT, 1 client",
              insert_one.tps, insert_one.latency_ms);
  std::printf("%-34s %9.0f tx/s   latency average %.2f ms\n",
              ("pgbench INSERT, " + std::to_string(args.connections) + " clients").c_str(),
              insert_many.tps, insert_many.latency_ms);
  std::printf("%-34s %9.0f tx/s   latency average %.2f ms\n",
              ("pgbench pk SELECT, " + std::to_string(args.connections) + " clients").c_str(),
              select_many.tps, select_many.latency_ms);
  print_load("hello-world (httplib)", reference, reference, "hello-world");
  std::printf("\n");
  print_ratio("haven event write, 1 writer", write_rate, "commits/s", insert_one.tps,
              "pgbench INSERT 1 client", percentile(latencies, 0.5), percentile(latencies, 0.99));
  for (int count = 1; count <= args.servers; ++count) {
    std::vector<std::string> urls;
    for (int i = 0; i < count; ++i)
      urls.push_back("http://127.0.0.1:" + std::to_string(servers[i].port));
    const std::string label =
        " (" + std::to_string(count) + (count == 1 ? " server)" : " servers)");
    write_read_script(script, case_ids, token, "");
    const LoadFigures read = run_wrk(urls, args.connections, args.seconds, script);
    write_read_script(script, case_ids, token, "/timeline");
    const LoadFigures timeline = run_wrk(urls, args.connections, args.seconds, script);
    write_event_script(script, case_ids, token);
    const LoadFigures writes = run_wrk(urls, args.connections, args.seconds, script);
    print_ratio(("case read" + label).c_str(), read.per_second, "req/s", select_many.tps,
                "pgbench pk SELECT", read.p50_ms, read.p99_ms);
    std::printf("%-34s %9s        (ratio to hello-world %.3f; non-2xx %ld)\n", "", "",
                read.per_second / reference.per_second, read.errors);
    print_ratio(("case timeline" + label).c_str(), timeline.per_second, "req/s", select_many.tps,
                "pgbench pk SELECT", timeline.p50_ms, timeline.p99_ms);
    std::printf("%-34s %9s        (non-2xx %ld)\n", "", "", timeline.errors);
    print_ratio(("event POST" + label).c_str(), writes.per_second, "req/s", insert_many.tps,
                "pgbench INSERT", writes.p50_ms, writes.p99_ms);
    std::printf("%-34s %9s        (non-2xx %ld)\n", "", "", writes.errors);
  }
  fs::remove(script);
  fs::remove(insert_script);
  fs::remove(select_script);
  for (auto& s : servers) stop_server(s);
  hello.stop();
  hello_thread.join();
  admin(conninfo, "DROP TABLE IF EXISTS bench_reference");
  return 0;
}

}  // namespace haven::bench
