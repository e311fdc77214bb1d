// Private to haven_api: request counters and latency histograms for GET /metrics (Prometheus text
// format 0.0.4). Labels carry route classes and status codes only: never ids, names or queries.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace haven::http {

class RequestMetrics {
 public:
  // Upper bounds of the duration histogram, in seconds.
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,   1,    2.5,   10};

  explicit RequestMetrics(std::chrono::system_clock::time_point started) : started_(started) {}

  // The route class of a request path: the collection under /api/v1/ ("persons", "cases",
  // "sessions"), "healthz", "metrics", or "other" (every 404 and any other path: a client cannot add labels).
  static std::string route_class(std::string_view path, int status);

  void observe(const std::string& route, int status, double seconds);

  // Gauges the server reads when asked; a negative value leaves the metric out.
  struct Gauges {
    double audit_queue = -1;
    double persons_indexed = -1;
    double database_up = -1;
    // PostgreSQL's connection pool (Store::connection_stats); left out for SQLite.
    double connections_in_use = -1;
    double connections_open = -1;
    double connections_max = -1;
    double connections_waiting = -1;
  };
  std::string render(const Gauges& gauges) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> counts{};  // not cumulative; summed when rendered
    std::uint64_t count = 0;
    double sum = 0;
  };
  const std::chrono::system_clock::time_point started_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> durations_;
};

}  // namespace haven::http
