#include "api/metrics.hpp"

#include <cstdio>

namespace haven::http {

std::string RequestMetrics::route_class(std::string_view path, int status) {
  if (path == "/healthz") return "healthz";
  if (path == "/metrics") return "metrics";
  constexpr std::string_view kApi = "/api/v1/";
  // A 404 names no route that exists: its path must not become a label.
  if (status == 404 || path.substr(0, kApi.size()) != kApi) return "other";
  std::string_view rest = path.substr(kApi.size());
  rest = rest.substr(0, rest.find('/'));
  if (rest.empty() || rest.size() > 40) return "other";
  for (char c : rest)
    if (!((c >= 'a' && c <= 'z') || c == '-' || c == '_' || c == '.')) return "other";
  return std::string(rest);
}

void RequestMetrics::observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  if (seconds < 0) return;  // refused before routing: counted, not timed
  Histogram& h = durations_[route];
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  if (b < kBuckets.size()) ++h.counts[b];
  ++h.count;
  h.sum += seconds;
}

std::string RequestMetrics::render(const Gauges& gauges) const {
  std::string out;
  char line[256];
  auto gauge = [&](const char* name, const char* help, double value) {
    if (value < 0) return;
    std::snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name,
                  name, value);
    out += line;
  };
  gauge("haven_process_start_time_seconds",
        "Start time of the process since the Unix epoch in seconds.",
        std::chrono::duration<double>(started_.time_since_epoch()).count());
  gauge("haven_database_up", "1 when the database answered a trivial query just now, else 0.",
        gauges.database_up);
  gauge("haven_database_connections_in_use", "PostgreSQL connections of this process leased to a request now.",
        gauges.connections_in_use);
  gauge("haven_database_connections_open", "PostgreSQL connections this process holds open, in use or idle.",
        gauges.connections_open);
  gauge("haven_database_connections_max", "The bound of this process's PostgreSQL connection pool.",
        gauges.connections_max);
  gauge("haven_database_connections_waiting", "Requests of this process waiting for a PostgreSQL connection now.",
        gauges.connections_waiting);
  gauge("haven_audit_read_queue_length", "Audited reads waiting to be written to the audit log.",
        gauges.audit_queue);
  gauge("haven_persons_indexed", "Persons in this process's fuzzy search index.",
        gauges.persons_indexed);
  std::lock_guard lock(mutex_);
  out +=
      "# HELP haven_http_requests_total HTTP requests answered, by route class and status.\n"
      "# TYPE haven_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    std::snprintf(line, sizeof line, "haven_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                  key.first.c_str(), key.second, static_cast<unsigned long long>(count));
    out += line;
  }
  out +=
      "# HELP haven_http_request_duration_seconds Time from routing to the response, by route "
      "class.\n"
      "# TYPE haven_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations_) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += h.counts[b];
      std::snprintf(line, sizeof line,
                    "haven_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    route.c_str(), kBuckets[b], static_cast<unsigned long long>(cumulative));
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "haven_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                  "haven_http_request_duration_seconds_sum{route=\"%s\"} %.9g\n"
                  "haven_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  route.c_str(), static_cast<unsigned long long>(h.count), route.c_str(), h.sum,
                  route.c_str(), static_cast<unsigned long long>(h.count));
    out += line;
  }
  return out;
}

}  // namespace haven::http
