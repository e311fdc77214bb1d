// The record routes: list, create, read, update of every entity, and a case's timeline. Each
// goes through authorize() and, for roles limited to need to know, through the store's
// visibility rule; every read of a record and every change is audited.
#include <algorithm>
#include <charconv>

#include <sodium.h>

#include "api/http.hpp"

namespace haven {
namespace {

using http::Caller;
using http::send_error;
using http::send_json;
using http::send_problem;

// Kinds whose every read is audited one by one, also when they come in a list: persons, cases,
// and linkage review pairs, which carry two people's identifying values.
bool audited_per_record(const EntitySpec& spec) {
  return spec.kind == "person" || spec.kind == "case" || spec.kind == "link_review";
}

// Names of fields a write touched: what the audit log may say about a change (never values).
Json field_names(const Json& body) {
  Json names = Json::array();
  if (body.is_object())
    for (const auto& [name, value] : body.items()) names.push_back(name);
  return names;
}

std::int64_t org_scope(const EntitySpec& spec, const Principal& principal) {
  return spec.org_scoped ? principal.org_id : 0;
}

}  // namespace

namespace http {

Status check_visible(ApiServer::Impl& api, Transaction& tx, const Caller& caller, const EntitySpec& spec,
                     std::int64_t id);

// Need to know: may this caller see record `id`? Supervisors and organisation-wide roles always;
// others when the store's rule says so, or by break-glass (audited, flagged for review).
Status check_visible(ApiServer::Impl& api, Transaction& tx, const Caller& caller, const EntitySpec& spec,
                     std::int64_t id) {
  if (!limited_to_need_to_know(caller.principal)) return Status::Ok();
  auto visible = tx.is_visible(spec, id, caller.principal.user_id);
  HAVEN_TRY(visible);
  if (*visible) return Status::Ok();
  if (!caller.break_glass_reason.empty()) {
    api.audit.append_read(api.event_for(caller, "break_glass", spec.kind, id,
                                        {{"reason", caller.break_glass_reason}, {"flagged", true}}));
    return Status::Ok();
  }
  std::string reasons;
  for (const auto& r : break_glass_reasons()) reasons += (reasons.empty() ? "" : ", ") + r;
  return Error{ErrorCode::kPermissionDenied,
               "this " + spec.kind + " belongs to a case not assigned to you; ask its supervisor for access, or in an "
               "emergency send X-Haven-Break-Glass with one of: " + reasons + " (the access is recorded and reviewed)",
               ""};
}

}  // namespace http

void ApiServer::Impl::record_routes() {
  using http::check_visible;
  auto guarded = [this](const httplib::Request& req, httplib::Response& res, Action action, auto&& body) {
    const EntitySpec* spec = find_entity(req.matches[1].str());
    if (!spec || spec->collection != req.matches[1].str())
      return send_problem(res, 404, "no collection /api/v1/" + req.matches[1].str() + "; see /api/v1/openapi.json");
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, action, *spec); !allowed.ok()) return send_error(res, allowed.error());
    body(*spec, *caller);
  };
  // For a new or changed record: the records it points to must be ones the caller may see.
  auto check_references = [this](Transaction& tx, const Caller& caller, const EntitySpec& spec, const Json& fields) -> Status {
    for (const char* link : {"case_id", "person_id", "legal_case_id"}) {
      const FieldSpec* f = spec.field(link);
      if (!f || !fields.contains(link) || !fields[link].is_number_integer()) continue;
      const std::int64_t target = fields[link].get<std::int64_t>();
      auto exists = tx.get(*find_entity(f->ref_kind), target, caller.principal.org_id);
      if (!exists.ok()) continue;  // validation names the missing reference
      HAVEN_TRY(http::check_visible(*this, tx, caller, *find_entity(f->ref_kind), target));
    }
    return Status::Ok();
  };

  // The original file of an evidence item: stored once, sealed, only if its SHA-256 is the one the
  // item recorded; read back only by staff who may read the item.
  server.Put(R"(/api/v1/evidence-items/(\d+)/file)", [this](const httplib::Request& req, httplib::Response& res) {
    const EntitySpec& spec = *find_entity("evidence_item");
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, Action::kUpdate, spec); !allowed.ok()) return send_error(res, allowed.error());
    auto id = http::parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    if (req.body.empty()) return send_problem(res, 400, "send the file's bytes as the body (Content-Type: application/octet-stream)");
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    auto item = (*tx)->get(spec, *id, caller->principal.org_id);
    if (!item.ok()) return send_error(res, item.error());
    if (auto visible = http::check_visible(*this, **tx, *caller, spec, *id); !visible.ok()) return send_error(res, visible.error());
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(req.body.data()), req.body.size());
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (item->fields["sha256"] != hex)
      return send_problem(res, 400, std::string("the file's SHA-256 is ") + hex + ", not the one this evidence item recorded; "
                          "register the file it was seized as", "/sha256");
    if (auto stored = (*tx)->insert_evidence_file(*id, caller->principal.org_id, req.body); !stored.ok())
      return send_error(res, stored.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "attach", spec.kind, *id, {{"bytes", req.body.size()}})); !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    res.status = 201;
  });
  server.Get(R"(/api/v1/evidence-items/(\d+)/file)", [this](const httplib::Request& req, httplib::Response& res) {
    const EntitySpec& spec = *find_entity("evidence_item");
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (sees_pseudonymised(caller->principal)) return send_problem(res, 403, "evidence files are for staff who work cases");
    auto id = http::parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    if (auto item = (*tx)->get(spec, *id, caller->principal.org_id); !item.ok()) return send_error(res, item.error());
    if (auto visible = http::check_visible(*this, **tx, *caller, spec, *id); !visible.ok()) return send_error(res, visible.error());
    auto file = (*tx)->get_evidence_file(*id, caller->principal.org_id);
    if (!file.ok()) return send_error(res, file.error());
    audit.append_read(event_for(*caller, "read", spec.kind, *id, {{"file", true}}));
    res.set_header("Content-Disposition", "attachment");
    res.set_content(std::move(file.value()), "application/octet-stream");
  });
  server.Get(R"(/api/v1/cases/(\d+)/timeline)", [this](const httplib::Request& req, httplib::Response& res) {
    timeline(req, res);
  });
  server.Get(R"(/api/v1/([a-z-]+))", [this, guarded](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, Action::kList, [&](const EntitySpec& spec, const Caller& caller) { list_records(req, res, spec, caller); });
  });
  server.Post(R"(/api/v1/([a-z-]+))", [this, guarded, check_references](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, Action::kCreate, [&](const EntitySpec& spec, const Caller& caller) {
      auto body = http::parse_body(req);
      if (!body.ok()) return send_error(res, body.error());
      auto tx = store.begin(true);
      if (!tx.ok()) return send_error(res, tx.error());
      if (auto allowed = check_references(**tx, caller, spec, *body); !allowed.ok()) return send_error(res, allowed.error());
      auto record = create_record(**tx, spec, caller.principal.org_id, *body, clock);
      if (!record.ok()) return send_error(res, record.error());
      const AuditEvent event = event_for(caller, "create", spec.kind, record->id, {{"fields", field_names(*body)}});
      if (auto audited = audit.append(**tx, event); !audited.ok()) return send_error(res, audited.error());
      if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
      res.set_header("Location", "/api/v1/" + spec.collection + "/" + std::to_string(record->id));
      res.set_header("ETag", "\"" + std::to_string(record->version) + "\"");
      send_json(res, 201, present(caller.principal, spec, *record));
    });
  });
  server.Get(R"(/api/v1/([a-z-]+)/([^/]+))", [this, guarded](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, Action::kRead, [&](const EntitySpec& spec, const Caller& caller) {
      auto id = http::parse_id(req.matches[2].str());
      if (!id.ok()) return send_error(res, id.error());
      auto tx = store.begin(false);
      if (!tx.ok()) return send_error(res, tx.error());
      auto record = (*tx)->get(spec, *id, org_scope(spec, caller.principal));
      if (!record.ok()) return send_error(res, record.error());
      if (auto visible = check_visible(*this, **tx, caller, spec, *id); !visible.ok()) return send_error(res, visible.error());
      audit.append_read(event_for(caller, "read", spec.kind, *id));
      res.set_header("ETag", "\"" + std::to_string(record->version) + "\"");
      send_json(res, 200, present(caller.principal, spec, *record));
    });
  });
  server.Patch(R"(/api/v1/([a-z-]+)/([^/]+))", [this, guarded, check_references](const httplib::Request& req, httplib::Response& res) {
    guarded(req, res, Action::kUpdate, [&](const EntitySpec& spec, const Caller& caller) {
      auto id = http::parse_id(req.matches[2].str());
      if (!id.ok()) return send_error(res, id.error());
      auto body = http::parse_body(req);
      if (!body.ok()) return send_error(res, body.error());
      if (!body->is_object()) return send_problem(res, 400, "the request body must be a JSON object");
      auto version = expected_version(req, *body);
      if (!version.ok()) return send_error(res, version.error());
      body->erase("version");
      if (!spec.org_scoped && *id != caller.principal.org_id && !caller.principal.has_role("system_admin"))
        return send_problem(res, 403, "you can only change your own organisation");
      auto tx = store.begin(true);
      if (!tx.ok()) return send_error(res, tx.error());
      const std::int64_t org = org_scope(spec, caller.principal);
      if (auto exists = (*tx)->get(spec, *id, org); !exists.ok()) return send_error(res, exists.error());
      if (auto visible = check_visible(*this, **tx, caller, spec, *id); !visible.ok()) return send_error(res, visible.error());
      if (auto allowed = check_references(**tx, caller, spec, *body); !allowed.ok()) return send_error(res, allowed.error());
      auto record = update_record(**tx, spec, *id, org, *version, *body, clock);
      if (!record.ok()) return send_error(res, record.error());
      const AuditEvent event = event_for(caller, "update", spec.kind, *id, {{"fields", field_names(*body)}});
      if (auto audited = audit.append(**tx, event); !audited.ok()) return send_error(res, audited.error());
      if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
      res.set_header("ETag", "\"" + std::to_string(record->version) + "\"");
      send_json(res, 200, present(caller.principal, spec, *record));
    });
  });
}

// One page of a collection: filters, sort and cursor from the query string; need to know applied.
void ApiServer::Impl::list_records(const httplib::Request& req, httplib::Response& res, const EntitySpec& spec,
                                   const http::Caller& caller) {
  auto query = http::parse_list_query(spec, req);
  if (!query.ok()) return send_error(res, query.error());
  if (!query->exact.empty() && !limited_to_need_to_know(caller.principal) && sees_pseudonymised(caller.principal))
    return send_problem(res, 403, "looking people up by identifying fields is not open to analysts and auditors");
  if (limited_to_need_to_know(caller.principal)) query->need_to_know_user = caller.principal.user_id;
  auto tx = store.begin(false);
  if (!tx.ok()) return send_error(res, tx.error());
  auto page = (*tx)->list(spec, org_scope(spec, caller.principal), *query);
  if (!page.ok()) return send_error(res, page.error());
  Json items = Json::array();
  for (const auto& record : page->records) {
    items.push_back(present(caller.principal, spec, record));
    if (audited_per_record(spec))
      audit.append_read(event_for(caller, "read", spec.kind, record.id, {{"via", "list"}}));
  }
  if (!audited_per_record(spec))
    audit.append_read(event_for(caller, "list", spec.kind, 0, {{"count", items.size()}}));
  Json body = {{"items", std::move(items)}};
  if (!page->next_cursor.empty()) body["next_cursor"] = page->next_cursor;
  send_json(res, 200, body);
}

  // The version being updated, from If-Match ("3" or 3) or the body's "version".
Result<std::int64_t> ApiServer::Impl::expected_version(const httplib::Request& req, const Json& body) {
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

void ApiServer::Impl::timeline(const httplib::Request& req, httplib::Response& res) {
  auto caller = caller_of(req);
  if (!caller.ok()) return send_error(res, caller.error());
  const Principal* principal = &caller->principal;
  const EntitySpec& case_spec = *find_entity("case");
  if (auto allowed = authorize(*principal, Action::kRead, case_spec); !allowed.ok()) return send_error(res, allowed.error());
  auto id = http::parse_id(req.matches[1].str());
  if (!id.ok()) return send_error(res, id.error());
  auto tx = store.begin(false);
  if (!tx.ok()) return send_error(res, tx.error());
  auto the_case = (*tx)->get(case_spec, *id, principal->org_id);
  if (!the_case.ok()) return send_error(res, the_case.error());
  if (auto visible = http::check_visible(*this, **tx, *caller, case_spec, *id); !visible.ok())
    return send_error(res, visible.error());
  audit.append_read(event_for(*caller, "read", "case", *id, {{"via", "timeline"}}));
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

}  // namespace haven
