// Private to haven_api: HTTP helpers shared by the route files, and the server's state.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/metrics.hpp"
#include "audit/audit.hpp"

namespace haven::http {

// RFC 9457 problem details; `field` names the offending input as a JSON pointer.
void send_problem(httplib::Response& res, int status, const std::string& detail, const std::string& field = {},
                  const char* code = nullptr);
void send_error(httplib::Response& res, const Error& error);
void send_json(httplib::Response& res, int status, const Json& body);
// The JSON body; kPayloadTooLarge past `max_bytes`.
Result<Json> parse_body(const httplib::Request& req, std::size_t max_bytes = 1 << 20);
Result<std::int64_t> parse_id(const std::string& text);
Result<ListQuery> parse_list_query(const EntitySpec& spec, const httplib::Request& req);
// The value of cookie `name` in the Cookie header, or empty. (cpp-httplib 0.11 parses none.)
std::string cookie_value(const httplib::Request& req, std::string_view name);
// An Accept-Encoding header value without "br" (and its parameters); the rest as sent.
std::string without_brotli(std::string_view accept_encoding);
// The value of a query parameter as a whole number (0 when absent).
Result<std::int64_t> integer_param(const httplib::Request& req, const std::string& name);

// Who is calling, as established for one request.
struct Caller {
  Principal principal;
  bool via_cookie = false;
  std::string csrf_token;  // the session's, when it came by cookie: GET /api/v1/me hands it to the page
  std::string break_glass_reason;  // from X-Haven-Break-Glass, checked against the list
};

}  // namespace haven::http

namespace haven {

struct ApiServer::Impl {
  Impl(Store& store, const Clock& clock, AuditLog& audit, ApiOptions options);

  Store& store;
  const Clock& clock;
  AuditLog& audit;
  ApiOptions options;
  Authenticator auth;
  LoginThrottle throttle{20, std::chrono::minutes(5)};
  std::unique_ptr<httplib::Server> server_owner;  // an SSLServer when TLS is configured
  httplib::Server& server;
  bool tls_failed = false;  // the certificate or key could not be loaded
  int port = 0;
  http::RequestMetrics metrics{std::chrono::system_clock::now()};

  // True when the database answers a trivial query (a read transaction begun and ended).
  bool database_answers();

  void configure();
  void record_routes();   // records.cpp
  void account_routes();  // accounts.cpp
  void referral_routes();  // referrals.cpp
  void evidence_routes();  // evidence.cpp
  void people_routes();    // people.cpp
  void link_review_routes();  // link_reviews.cpp: before record_routes, whose /{collection}/{id} would match
  void export_routes();    // exports.cpp: before record_routes, whose /{collection}/{id} would match
  void web_routes();       // web.cpp: the web interface at /, after every other route
  void timeline(const httplib::Request& req, httplib::Response& res);
  // GET /api/v1/{collection}: the caller is authenticated and authorised to list `spec` (records.cpp).
  void list_records(const httplib::Request& req, httplib::Response& res, const EntitySpec& spec, const http::Caller& caller);
  // The version being updated, from If-Match ("3" or 3) or the body's "version".
  static Result<std::int64_t> expected_version(const httplib::Request& req, const Json& body);

  // Authenticates the request (bearer token, or session cookie plus CSRF token on changes).
  Result<http::Caller> caller_of(const httplib::Request& req);
  // Appends an event in its own write transaction (logins, account changes).
  void audit_now(const AuditEvent& event);
  AuditEvent event_for(const http::Caller& caller, std::string action, std::string kind = {},
                       std::int64_t record_id = 0, Json detail = Json::object()) const;
};

}  // namespace haven
