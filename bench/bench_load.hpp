// Shared by the API benchmarks (api_bench.cpp for SQLite, api_bench_pg.cpp for PostgreSQL): the
// command line, percentiles, wrk as the load generator, and the wrk scripts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace haven::bench {

struct Args {
  std::string data;
  std::string database;  // PostgreSQL (else DIR/database when present, else DIR/haven.db)
  std::string haven;     // the haven binary that serves (PostgreSQL: --servers processes of it)
  std::string pgbench = "pgbench";
  int seconds = 10, connections = 64, writes = 2000, servers = 1;
};

inline double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values.empty()
             ? 0
             : values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

struct WriteFigures {
  double per_second, p50_ms, p99_ms;
};

struct LoadFigures {
  double per_second = 0, p50_ms = 0, p99_ms = 0;
  long errors = 0;
};

inline double to_ms(const std::string& value, const std::string& unit) {
  const double v = std::stod(value);
  return unit == "us" ? v / 1000 : unit == "s" ? v * 1000 : v;
}

inline LoadFigures parse_wrk(const std::string& output) {
  LoadFigures figures;
  std::smatch m;
  if (std::regex_search(output, m, std::regex(R"(Requests/sec:\s+([0-9.]+))")))
    figures.per_second = std::stod(m[1]);
  if (std::regex_search(output, m, std::regex(R"(50%\s+([0-9.]+)(us|ms|s))")))
    figures.p50_ms = to_ms(m[1], m[2]);
  if (std::regex_search(output, m, std::regex(R"(99%\s+([0-9.]+)(us|ms|s))")))
    figures.p99_ms = to_ms(m[1], m[2]);
  if (std::regex_search(output, m, std::regex(R"(Non-2xx or 3xx responses:\s+([0-9]+))")))
    figures.errors = std::stol(m[1]);
  if (figures.per_second == 0) std::fprintf(stderr, "wrk output:\n%s\n", output.c_str());
  return figures;
}

// wrk against each URL at once (a separate process each, so the load generator's cost is the same
// for every target), `connections` shared between them. Requests/s are summed; p50 and p99 are
// the worst of the processes'.
inline LoadFigures run_wrk(const std::vector<std::string>& urls, int connections, int seconds,
                           const std::string& script) {
  const int threads = urls.size() > 1 ? 1 : 2;
  std::vector<FILE*> pipes;
  for (const auto& url : urls) {
    const std::string command = "wrk -t" + std::to_string(threads) + " -c" +
                                std::to_string(connections / static_cast<int>(urls.size())) +
                                " -d" + std::to_string(seconds) + "s --latency" +
                                (script.empty() ? "" : " -s " + script) + " " + url + " 2>&1";
    pipes.push_back(popen(command.c_str(), "r"));
  }
  LoadFigures total;
  for (FILE* pipe : pipes) {
    if (!pipe) continue;
    std::string output;
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
    pclose(pipe);
    const LoadFigures one = parse_wrk(output);
    total.per_second += one.per_second;
    total.p50_ms = std::max(total.p50_ms, one.p50_ms);
    total.p99_ms = std::max(total.p99_ms, one.p99_ms);
    total.errors += one.errors;
  }
  return total;
}

inline LoadFigures run_wrk(const std::string& url, int connections, int seconds,
                           const std::string& script) {
  return run_wrk(std::vector<std::string>{url}, connections, seconds, script);
}

inline void print_load(const char* name, const LoadFigures& f, const LoadFigures& reference,
                       const char* reference_name) {
  std::printf("%-26s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %ld  ratio to %s %.2f\n",
              name, f.per_second, f.p50_ms, f.p99_ms, f.errors, reference_name,
              reference.per_second > 0 ? f.per_second / reference.per_second : 0);
}

// A wrk script that reads /api/v1/cases/{id}<suffix> for random ids of `case_ids`, as `token`.
inline void write_read_script(const std::string& file, const std::vector<std::int64_t>& case_ids,
                              const std::string& token, const std::string& suffix) {
  std::ofstream lua(file);
  lua << "local ids = {";
  for (std::size_t i = 0; i < case_ids.size(); ++i) lua << (i ? "," : "") << case_ids[i];
  lua << "}\nmath.randomseed(7)\nwrk.headers[\"Authorization\"] = \"Bearer " << token << "\"\n"
      << "request = function()\n  return wrk.format(\"GET\", \"/api/v1/cases/\" .. "
         "ids[math.random(#ids)] .. \""
      << suffix << "\")\nend\n";
}

// A wrk script that records a case event (the durable write of api_bench.cpp) in a random case.
inline void write_event_script(const std::string& file, const std::vector<std::int64_t>& case_ids,
                               const std::string& token) {
  std::ofstream lua(file);
  lua << "local ids = {";
  for (std::size_t i = 0; i < case_ids.size(); ++i) lua << (i ? "," : "") << case_ids[i];
  lua << "}\nmath.randomseed(11)\nwrk.headers[\"Authorization\"] = \"Bearer " << token << "\"\n"
      << "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
      << "request = function()\n  local body = '{\"case_id\":' .. ids[math.random(#ids)] .. "
         "',\"occurred_at\":\"2026-03-01T10:00:00Z\",\"type\":\"contact\",\"summary\":\"Follow-up "
         "call with the "
         "survivor guardian; next visit agreed.\"}'\n  return wrk.format(\"POST\", "
         "\"/api/v1/case-events\", nil, body)\nend\n";
}

}  // namespace haven::bench
