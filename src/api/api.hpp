// The JSON HTTP API under /api/v1/, documented by the OpenAPI document it serves.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "auth/auth.hpp"
#include "core/core.hpp"
#include "store/store.hpp"

namespace haven {

class AuditLog;
namespace dedupe {
class PersonFinder;
}

struct ApiOptions {
  std::size_t max_body_bytes = 1 << 20;   // JSON bodies; larger ones get 413
  std::size_t max_file_bytes = 32 << 20;  // evidence files
  // cpp-httplib serves each open connection on a thread of its own; keep-alive connections hold
  // theirs, so the pool bounds how many clients are served at once.
  std::size_t threads = 64;
  bool log_requests = true;  // one line per request on stderr
  // HTTPS when both are given (PEM files); otherwise plain HTTP, for loopback or behind a proxy
  // that terminates TLS (docs/security.md).
  std::string tls_cert_file, tls_key_file;
  // Fuzzy person search and duplicates (src/dedupe); without it those routes answer 503. Must
  // outlive the server.
  dedupe::PersonFinder* person_finder = nullptr;
  // GET /metrics (Prometheus text format): route classes, status codes and counts only, no
  // identifying data, unauthenticated; restrict it at the proxy (docs/operations.md) or turn it off.
  bool serve_metrics = true;
};

class ApiServer {
 public:
  struct Impl;  // the route files share it (src/api/http.hpp)

  // Every read and change is recorded in `audit`. All three must outlive the server.
  ApiServer(Store& store, const Clock& clock, AuditLog& audit, ApiOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds host:port (port 0 picks a free one, see port()) and serves until stop(). Blocks.
  Status listen(const std::string& host, int port);
  // Binds without serving yet, so a caller knows the port before listen_bound() blocks.
  Status bind(const std::string& host, int port);
  Status listen_bound();
  int port() const;
  void stop();

 private:
  std::unique_ptr<Impl> impl_;
};

// The OpenAPI 3.1 document, generated from the entity descriptions.
Json openapi_document();

}  // namespace haven
