#include <sodium.h>

#include <cstdio>

#include "api/http.hpp"
#include "dedupe/dedupe.hpp"

namespace haven {

using http::send_problem;

namespace {

constexpr const char* kStartedHeader = "X-Haven-Started";

std::unique_ptr<httplib::Server> make_server(const ApiOptions& options) {
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(), options.tls_key_file.c_str());
}

}  // namespace

ApiServer::Impl::Impl(Store& store, const Clock& clock, AuditLog& audit, ApiOptions options)
    : store(store), clock(clock), audit(audit), options(options), auth(store, clock),
      server_owner(make_server(options)), server(*server_owner) {
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  tls_failed = tls && (options.tls_cert_file.empty() || options.tls_key_file.empty() || !server.is_valid());
}

Result<http::Caller> ApiServer::Impl::caller_of(const httplib::Request& req) {
  http::Caller caller;
  std::string token;
  const std::string header = req.get_header_value("Authorization");
  if (header.rfind("Bearer ", 0) == 0) {
    token = header.substr(7);
  } else if (req.has_header("Cookie")) {
    token = http::cookie_value(req, "haven_session");
    caller.via_cookie = !token.empty();
  }
  if (token.empty())
    return Error{ErrorCode::kUnauthenticated, "log in first (POST /api/v1/sessions), then send Authorization: Bearer <token>", ""};
  auto authenticated = auth.authenticate(token);
  HAVEN_TRY(authenticated);
  // A browser sends the cookie on any request to us, even one another site made it send; a change
  // must also carry the token that only our own page could read.
  if (caller.via_cookie && req.method != "GET" && req.method != "HEAD") {
    const std::string sent = req.get_header_value("X-CSRF-Token");
    const std::string& expected = authenticated->csrf_token;
    if (sent.size() != expected.size() || expected.empty() || sodium_memcmp(sent.data(), expected.data(), expected.size()) != 0) {
      const Principal& who = authenticated->principal;
      audit_now({who.org_id, who.user_id, who.username, "csrf_refused", "", 0, {{"method", req.method}}});
      return Error{ErrorCode::kPermissionDenied, "missing or wrong X-CSRF-Token header for a change made with the session cookie", ""};
    }
  }
  if (caller.via_cookie) caller.csrf_token = authenticated->csrf_token;
  caller.principal = std::move(authenticated->principal);
  if (req.has_header("X-Haven-Break-Glass")) {
    const std::string reason = req.get_header_value("X-Haven-Break-Glass");
    const auto& reasons = break_glass_reasons();
    if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end())
      return invalid("X-Haven-Break-Glass must name a reason from the list", "X-Haven-Break-Glass");
    if (sees_pseudonymised(caller.principal))
      return Error{ErrorCode::kPermissionDenied, "break-glass access is for staff who work cases", ""};
    caller.break_glass_reason = reason;
  }
  return caller;
}

AuditEvent ApiServer::Impl::event_for(const http::Caller& caller, std::string action, std::string kind,
                                      std::int64_t record_id, Json detail) const {
  return AuditEvent{caller.principal.org_id, caller.principal.user_id, caller.principal.username, std::move(action),
                    std::move(kind), record_id, std::move(detail)};
}

void ApiServer::Impl::audit_now(const AuditEvent& event) {
  auto tx = store.begin(true);
  Status status = tx.ok() ? audit.append(**tx, event) : tx.status();
  if (status.ok()) status = (*tx)->commit();
  if (!status.ok()) std::fprintf(stderr, "event=audit_write_failed action=%s detail=\"%s\"\n", event.action.c_str(), status.error().message.c_str());
}

bool ApiServer::Impl::database_answers() {
  auto tx = store.begin(false);
  return tx.ok() && (*tx)->commit().ok();
}

void ApiServer::Impl::configure() {
  server.set_payload_max_length(std::max(options.max_body_bytes, options.max_file_bytes));
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "event=unhandled_exception what=\"%s\"\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "event=unhandled_exception\n");
    }
    send_problem(res, 500, "an internal error occurred; it has been logged");
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) return send_problem(res, 404, "no such resource: " + req.path + "; see /api/v1/openapi.json");
    if (res.status == 413)
      return send_problem(res, 413, "the request body is larger than the limit; send less at once");
    send_problem(res, res.status, "the request could not be handled");
  });
  // The start of each request travels in a response header that never leaves the server: the
  // handlers see one Request and one Response per request, and nothing else is per request.
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header(kStartedHeader, std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    // cpp-httplib 0.11 answers "br" with Brotli at quality 11: 60 ms for a page of 25 cases and
    // 350 ms for the OpenAPI document, where gzip takes 2 and 25 ms for 25% more bytes. Browsers
    // all send "br", so it is taken out of what they accept. (Each Request is a mutable object
    // httplib builds per request; only the handler's view of it is const.)
    auto& headers = const_cast<httplib::Headers&>(req.headers);
    if (auto accepted = headers.find("Accept-Encoding"); accepted != headers.end())
      accepted->second = http::without_brotli(accepted->second);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    double seconds = -1;
    if (auto started = res.headers.find(kStartedHeader); started != res.headers.end()) {
      const std::chrono::steady_clock::duration since(std::stoll(started->second));
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch() - since).count();
      res.headers.erase(started);
    }
    metrics.observe(http::RequestMetrics::route_class(req.path, res.status), res.status, seconds);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    // The web interface's files say how long they may be cached; nothing else may be.
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  });
  server.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  server.set_keep_alive_max_count(1000);
  server.set_tcp_nodelay(true);  // small JSON answers must not wait for Nagle's algorithm
  if (!options.log_requests) return;
  // One line per request, with no query string and no body: they may hold identifying data.
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    std::fprintf(stderr, "event=request method=%s path=%s status=%d\n", req.method.c_str(), req.path.c_str(), res.status);
  });
}

ApiServer::ApiServer(Store& store, const Clock& clock, AuditLog& audit, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, clock, audit, options)) {
  impl_->configure();
  // Load balancers take a server out of rotation on 503: it is up but cannot reach its database.
  impl_->server.Get("/healthz", [impl = impl_.get()](const httplib::Request&, httplib::Response& res) {
    if (impl->database_answers()) return res.set_content("ok\n", "text/plain");
    res.status = 503;
    res.set_content("database unreachable\n", "text/plain");
  });
  if (impl_->options.serve_metrics)
    impl_->server.Get("/metrics", [impl = impl_.get()](const httplib::Request&, httplib::Response& res) {
      http::RequestMetrics::Gauges gauges;
      gauges.database_up = impl->database_answers() ? 1 : 0;
      gauges.audit_queue = static_cast<double>(impl->audit.queued_reads());
      if (const auto pool = impl->store.connection_stats()) {
        gauges.connections_in_use = static_cast<double>(pool->in_use);
        gauges.connections_open = static_cast<double>(pool->open);
        gauges.connections_max = static_cast<double>(pool->max);
        gauges.connections_waiting = static_cast<double>(pool->waiting);
      }
      if (impl->options.person_finder) gauges.persons_indexed = static_cast<double>(impl->options.person_finder->size());
      res.set_content(impl->metrics.render(gauges), "text/plain; version=0.0.4");
    });
  impl_->server.Get("/api/v1/openapi.json", [document = openapi_document().dump()](const httplib::Request&, httplib::Response& res) {
    res.set_content(document, "application/json");
  });
  // Specific routes first: cpp-httplib takes the first pattern that matches.
  impl_->account_routes();
  impl_->referral_routes();
  impl_->evidence_routes();
  impl_->people_routes();
  impl_->link_review_routes();
  impl_->export_routes();
  impl_->record_routes();
  impl_->web_routes();  // last: it answers every other GET
}

ApiServer::~ApiServer() = default;

Status ApiServer::bind(const std::string& host, int port) {
  if (impl_->tls_failed)
    return Error{ErrorCode::kInvalidArgument,
                 "cannot use the TLS certificate and key: give both --tls-cert and --tls-key, as PEM files that match", ""};
  const int bound = port == 0 ? impl_->server.bind_to_any_port(host) : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound < 0)
    return Error{ErrorCode::kUnavailable,
                 "cannot listen on " + host + ":" + std::to_string(port) + "; is another program using that port?", ""};
  impl_->port = bound;
  return Status::Ok();
}

Status ApiServer::listen_bound() {
  if (!impl_->server.listen_after_bind())
    return Error{ErrorCode::kUnavailable, "the server stopped unexpectedly", ""};
  return Status::Ok();
}

Status ApiServer::listen(const std::string& host, int port) {
  HAVEN_TRY(bind(host, port));
  return listen_bound();
}

int ApiServer::port() const { return impl_->port; }

void ApiServer::stop() { impl_->server.stop(); }

}  // namespace haven
