#include <httplib.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/api.hpp"

namespace haven {
namespace {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kPreconditionRequired: return 428;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

const char* http_title(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Not logged in";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 413: return "Request too large";
    case 428: return "Version required";
    case 503: return "Temporarily unavailable";
    default: return "Internal error";
  }
}

// Messages may quote what the client sent; invalid UTF-8 in it is replaced, never re-sent.
std::string dump(const Json& body) { return body.dump(-1, ' ', false, Json::error_handler_t::replace); }

// RFC 9457 problem details; `field` names the offending input as a JSON pointer.
void send_problem(httplib::Response& res, int status, const std::string& detail,
                  const std::string& field = {}, const char* code = nullptr) {
  Json body = {{"type", std::string("https://haven.invalid/problems/") + (code ? code : "error")},
               {"title", http_title(status)},
               {"status", status},
               {"detail", detail}};
  if (!field.empty()) body["field"] = field;
  res.status = status;
  res.set_content(dump(body), "application/problem+json");
}

void send_error(httplib::Response& res, const Error& error) {
  const int status = http_status(error.code);
  // Internal details stay in the log, never in a response.
  const std::string detail = status == 500 ? "an internal error occurred; it has been logged" : error.message;
  if (status == 500) std::fprintf(stderr, "event=internal_error detail=\"%s\"\n", error.message.c_str());
  send_problem(res, status, detail, error.field, error_code_name(error.code));
}

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

Result<Json> parse_body(const httplib::Request& req) {
  if (req.body.empty()) return invalid("the request needs a JSON body", "");
  const auto& type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0)
    return invalid("send the body as Content-Type: application/json", "");
  try {
    return Json::parse(req.body);
  } catch (const Json::parse_error& e) {
    return invalid(std::string("the body is not valid JSON (") + e.what() +
                       "); check quotes, commas and that text is UTF-8",
                   "");
  }
}

Result<std::int64_t> parse_id(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0)
    return Error{ErrorCode::kNotFound, "no record has id " + text, ""};
  return value;
}

// A query-string value typed as the field it filters.
Result<Json> typed_value(const FieldSpec* field, const std::string& name, const std::string& text) {
  const FieldType type = field ? field->type : (name == "id" ? FieldType::kInteger : FieldType::kDateTime);
  if (type == FieldType::kInteger || type == FieldType::kRef) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      return invalid("must be a whole number", name);
    return Json(value);
  }
  if (type == FieldType::kBoolean) {
    if (text != "true" && text != "false") return invalid("must be true or false", name);
    return Json(text == "true");
  }
  if (type == FieldType::kNumber) {
    try {
      std::size_t used = 0;
      const double value = std::stod(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
      return Json(value);
    } catch (const std::exception&) {
      return invalid("must be a number", name);
    }
  }
  if (type == FieldType::kEnum && std::find(field->choices.begin(), field->choices.end(), text) == field->choices.end()) {
    std::string accepted;
    for (const auto& c : field->choices) accepted += (accepted.empty() ? "" : ", ") + c;
    return invalid("must be one of: " + accepted, name);
  }
  if (!is_valid_utf8(text)) return invalid("is not valid UTF-8", name);
  return Json(text);
}

Result<ListQuery> parse_list_query(const EntitySpec& spec, const httplib::Request& req) {
  ListQuery query;
  for (const auto& [name, value] : req.params) {
    if (name == "limit") {
      std::size_t limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 || limit > 1000)
        return invalid("must be a whole number from 1 to 1000", "limit");
      query.limit = limit;
    } else if (name == "cursor") {
      query.cursor = value;
    } else if (name == "sort") {
      query.sort = value;
    } else if (name == "order") {
      if (value != "asc" && value != "desc") return invalid("must be asc or desc", "order");
      query.descending = value == "desc";
    } else {
      Filter filter;
      std::string field_name = name;
      if (name.size() > 4 && name.ends_with(".gte")) field_name = name.substr(0, name.size() - 4), filter.op = Filter::Op::kGe;
      if (name.size() > 4 && name.ends_with(".lte")) field_name = name.substr(0, name.size() - 4), filter.op = Filter::Op::kLe;
      const FieldSpec* field = spec.field(field_name);
      const bool envelope = field_name == "id" || field_name == "created_at" || field_name == "updated_at";
      if (!envelope && (!field || !field->indexed)) {
        std::string accepted = "limit, cursor, sort, order, id, created_at, updated_at";
        for (const auto& f : spec.fields)
          if (f.indexed) accepted += ", " + f.name;
        return invalid("is not a filter of " + spec.collection + "; accepted: " + accepted, name);
      }
      auto typed = typed_value(field, name, value);
      HAVEN_TRY(typed);
      filter.field = field_name;
      filter.value = std::move(typed.value());
      query.filters.push_back(std::move(filter));
    }
  }
  return query;
}

}  // namespace

struct ApiServer::Impl {
  Impl(Store& store, const Clock& clock, ApiOptions options)
      : store(store), clock(clock), options(options), auth(store, clock) {}

  Store& store;
  const Clock& clock;
  ApiOptions options;
  Authenticator auth;
  httplib::Server server;
  int port = 0;

  Result<Principal> principal_of(const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    if (header.rfind("Bearer ", 0) != 0)
      return Error{ErrorCode::kUnauthenticated, "log in first (POST /api/v1/sessions), then send Authorization: Bearer <token>", ""};
    return auth.authenticate(header.substr(7));
  }

  // Runs `body` for an authenticated, authorised request on a known collection.
  template <class F>
  void guarded(const httplib::Request& req, httplib::Response& res, Action action, F&& body) {
    const EntitySpec* spec = find_entity(req.matches[1].str());
    if (!spec || spec->collection != req.matches[1].str())
      return send_problem(res, 404, "no collection /api/v1/" + req.matches[1].str() + "; see /api/v1/openapi.json");
    auto principal = principal_of(req);
    if (!principal.ok()) return send_error(res, principal.error());
    if (auto allowed = authorize(*principal, action, *spec); !allowed.ok()) return send_error(res, allowed.error());
    body(*spec, *principal);
  }

  void routes() {
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    server.Get("/api/v1/openapi.json", [document = openapi_document().dump()](const httplib::Request&, httplib::Response& res) {
      res.set_content(document, "application/json");
    });
    server.Post("/api/v1/sessions", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = parse_body(req);
      if (!body.ok()) return send_error(res, body.error());
      if (!body->is_object() || !(*body)["username"].is_string() || !(*body)["password"].is_string())
        return send_problem(res, 400, "send {\"username\": ..., \"password\": ...}", "/username");
      auto session = auth.login((*body)["username"].get<std::string>(), (*body)["password"].get<std::string>());
      if (!session.ok()) return send_error(res, session.error());
      send_json(res, 201, {{"token", session->token}, {"expires_at", session->expires_at},
                           {"user", {{"id", session->principal.user_id}, {"username", session->principal.username},
                                     {"org_id", session->principal.org_id}, {"roles", session->principal.roles}}}});
    });
    server.Delete("/api/v1/sessions", [this](const httplib::Request& req, httplib::Response& res) {
      auto principal = principal_of(req);
      if (!principal.ok()) return send_error(res, principal.error());
      if (auto done = auth.logout(req.get_header_value("Authorization").substr(7)); !done.ok()) return send_error(res, done.error());
      res.status = 204;
    });
    server.Get("/api/v1/me", [this](const httplib::Request& req, httplib::Response& res) {
      auto principal = principal_of(req);
      if (!principal.ok()) return send_error(res, principal.error());
      send_json(res, 200, {{"id", principal->user_id}, {"username", principal->username},
                           {"org_id", principal->org_id}, {"roles", principal->roles}});
    });
    server.Get(R"(/api/v1/cases/(\d+)/timeline)", [this](const httplib::Request& req, httplib::Response& res) {
      timeline(req, res);
    });
    server.Get(R"(/api/v1/([a-z-]+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, Action::kList, [&](const EntitySpec& spec, const Principal& principal) {
        auto query = parse_list_query(spec, req);
        if (!query.ok()) return send_error(res, query.error());
        auto tx = store.begin(false);
        if (!tx.ok()) return send_error(res, tx.error());
        auto page = (*tx)->list(spec, spec.org_scoped ? principal.org_id : 0, *query);
        if (!page.ok()) return send_error(res, page.error());
        Json items = Json::array();
        for (const auto& record : page->records) items.push_back(present(principal, spec, record));
        Json body = {{"items", std::move(items)}};
        if (!page->next_cursor.empty()) body["next_cursor"] = page->next_cursor;
        send_json(res, 200, body);
      });
    });
    server.Post(R"(/api/v1/([a-z-]+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, Action::kCreate, [&](const EntitySpec& spec, const Principal& principal) {
        auto body = parse_body(req);
        if (!body.ok()) return send_error(res, body.error());
        auto tx = store.begin(true);
        if (!tx.ok()) return send_error(res, tx.error());
        auto record = create_record(**tx, spec, principal.org_id, *body, clock);
        if (!record.ok()) return send_error(res, record.error());
        if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
        res.set_header("Location", "/api/v1/" + spec.collection + "/" + std::to_string(record->id));
        res.set_header("ETag", "\"" + std::to_string(record->version) + "\"");
        send_json(res, 201, present(principal, spec, *record));
      });
    });
    server.Get(R"(/api/v1/([a-z-]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, Action::kRead, [&](const EntitySpec& spec, const Principal& principal) {
        auto id = parse_id(req.matches[2].str());
        if (!id.ok()) return send_error(res, id.error());
        auto tx = store.begin(false);
        if (!tx.ok()) return send_error(res, tx.error());
        auto record = (*tx)->get(spec, *id, spec.org_scoped ? principal.org_id : 0);
        if (!record.ok()) return send_error(res, record.error());
        res.set_header("ETag", "\"" + std::to_string(record->version) + "\"");
        send_json(res, 200, present(principal, spec, *record));
      });
    });
    server.Patch(R"(/api/v1/([a-z-]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, Action::kUpdate, [&](const EntitySpec& spec, const Principal& principal) {
        auto id = parse_id(req.matches[2].str());
        if (!id.ok()) return send_error(res, id.error());
        auto body = parse_body(req);
        if (!body.ok()) return send_error(res, body.error());
        if (!body->is_object()) return send_problem(res, 400, "the request body must be a JSON object");
        auto version = expected_version(req, *body);
        if (!version.ok()) return send_error(res, version.error());
        body->erase("version");
        auto tx = store.begin(true);
        if (!tx.ok()) return send_error(res, tx.error());
        const std::int64_t org = spec.org_scoped ? principal.org_id : 0;
        if (!spec.org_scoped && *id != principal.org_id && !principal.has_role("system_admin"))
          return send_problem(res, 403, "you can only change your own organisation");
        auto record = update_record(**tx, spec, *id, org, *version, *body, clock);
        if (!record.ok()) return send_error(res, record.error());
        if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
        res.set_header("ETag", "\"" + std::to_string(record->version) + "\"");
        send_json(res, 200, present(principal, spec, *record));
      });
    });
  }

  // The version being updated, from If-Match ("3" or 3) or the body's "version".
  static Result<std::int64_t> expected_version(const httplib::Request& req, const Json& body) {
    std::string text = req.get_header_value("If-Match");
    if (!text.empty()) {
      if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
      std::int64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) return invalid("If-Match must be the record's version, e.g. \"3\"", "If-Match");
      return value;
    }
    if (body.contains("version")) {
      if (!body["version"].is_number_integer()) return invalid("must be the whole-number version you read", "/version");
      return body["version"].get<std::int64_t>();
    }
    return Error{ErrorCode::kPreconditionRequired,
                 "say which version you are updating (the record's \"version\", or an If-Match header), so "
                 "that a change made meanwhile by someone else is never overwritten",
                 "/version"};
  }

  void timeline(const httplib::Request& req, httplib::Response& res) {
    auto principal = principal_of(req);
    if (!principal.ok()) return send_error(res, principal.error());
    const EntitySpec& case_spec = *find_entity("case");
    if (auto allowed = authorize(*principal, Action::kRead, case_spec); !allowed.ok()) return send_error(res, allowed.error());
    auto id = parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    auto the_case = (*tx)->get(case_spec, *id, principal->org_id);
    if (!the_case.ok()) return send_error(res, the_case.error());
    Json entries = Json::array();
    // Reads every record of `kind` linked by `link` = value, up to a bound that keeps one
    // request from scanning without end.
    auto each = [&](const char* kind, const char* link, std::int64_t value, auto&& visit) -> Status {
      const EntitySpec& spec = *find_entity(kind);
      ListQuery query;
      query.filters.push_back({link, Filter::Op::kEq, value});
      query.limit = 1000;
      auto page = (*tx)->list(spec, principal->org_id, query);
      HAVEN_TRY(page);
      for (const auto& record : page->records) visit(record, present(*principal, spec, record));
      return Status::Ok();
    };
    auto add = [&](const std::string& at, const char* kind, std::int64_t record_id, Json detail) {
      detail["at"] = at;
      detail["kind"] = kind;
      detail["id"] = record_id;
      entries.push_back(std::move(detail));
    };
    add(the_case->fields["opened_on"], "case_opened", the_case->id, {{"summary", "Case opened"}});
    std::vector<std::int64_t> legal_case_ids;
    Status status = each("case_event", "case_id", *id, [&](const Record& r, const Json& shown) {
      add(r.fields["occurred_at"], "event", r.id, {{"type", shown["type"]}, {"summary", shown.value("summary", "")}});
    });
    if (status.ok())
      status = each("operation", "case_id", *id, [&](const Record& r, const Json& shown) {
        add(r.fields["date"], "operation", r.id,
            {{"type", shown["type"]}, {"victims_identified", shown.value("victims_identified", 0)},
             {"suspects_arrested", shown.value("suspects_arrested", 0)}});
      });
    if (status.ok())
      status = each("legal_case", "case_id", *id, [&](const Record& r, const Json&) {
        legal_case_ids.push_back(r.id);
        for (const auto& stage : r.fields.value("stages", Json::array())) {
          Json detail = {{"stage", stage["stage"]}, {"legal_case_id", r.id}};
          if (stage.contains("verdict")) detail["verdict"] = stage["verdict"];
          add(stage["date"], "legal_stage", r.id, detail);
        }
      });
    for (std::int64_t legal_case_id : legal_case_ids)
      if (status.ok())
        status = each("hearing", "legal_case_id", legal_case_id, [&](const Record& r, const Json& shown) {
          add(r.fields["scheduled_at"], "hearing", r.id,
              {{"held", shown.value("held", false)}, {"postponed", shown.value("postponed", false)}});
        });
    if (!status.ok()) return send_error(res, status.error());
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Json& a, const Json& b) { return a["at"].get<std::string>() < b["at"].get<std::string>(); });
    send_json(res, 200, {{"case_id", *id}, {"entries", std::move(entries)}});
  }

  void configure() {
    server.set_payload_max_length(options.max_body_bytes);
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
      send_problem(res, res.status, http_title(res.status));
    });
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
      res.set_header("X-Frame-Options", "DENY");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-store");
    });
    // One line per request, with no query string and no body: they may hold identifying data.
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "event=request method=%s path=%s status=%d\n", req.method.c_str(), req.path.c_str(), res.status);
    });
  }
};

ApiServer::ApiServer(Store& store, const Clock& clock, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, clock, options)) {
  impl_->configure();
  impl_->routes();
}

ApiServer::~ApiServer() = default;

Status ApiServer::bind(const std::string& host, int port) {
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
