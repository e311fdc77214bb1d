// Finding the same person: fuzzy person search (also the duplicate warning at intake), merging
// duplicates and undoing a merge, and the review queue's confirm and reject. Results stay within
// the caller's organisation and need to know: a match the caller may not see is left out, and
// nothing says it existed.
#include "api/http.hpp"
#include "dedupe/dedupe.hpp"

namespace haven {

namespace http {
Status check_visible(ApiServer::Impl& api, Transaction& tx, const Caller& caller, const EntitySpec& spec, std::int64_t id);
}

namespace {

using http::Caller;
using http::send_error;
using http::send_json;
using http::send_problem;

const EntitySpec& spec_of(const char* kind) { return *find_entity(kind); }

// Searching by names, birth dates and phones is a look-up by identifying data: not for the
// pseudonymised roles, and for the others as for reading persons.
Status may_search(const Principal& principal) {
  if (sees_pseudonymised(principal))
    return Error{ErrorCode::kPermissionDenied, "analysts and auditors work on pseudonymised data and do not look people up", ""};
  return authorize(principal, Action::kRead, spec_of("person"));
}

Result<search::QueryOptions> query_options(const Json& body) {
  search::QueryOptions options;
  if (body.contains("top_k")) {
    if (!body["top_k"].is_number_unsigned() || body["top_k"] < 1 || body["top_k"] > 100)
      return invalid("top_k is a whole number from 1 to 100", "/top_k");
    options.top_k = body["top_k"].get<std::size_t>();
  }
  if (body.contains("min_score")) {
    if (!body["min_score"].is_number() || body["min_score"] < 0 || body["min_score"] > 1)
      return invalid("min_score is a number from 0 to 1 (0.5: worth a look at intake)", "/min_score");
    options.min_score = body["min_score"].get<double>();
  }
  if (body.contains("exclude_person_id")) {
    if (!body["exclude_person_id"].is_number_integer()) return invalid("is a person id", "/exclude_person_id");
    options.exclude_person = body["exclude_person_id"].get<std::int64_t>();
  }
  return options;
}

}  // namespace

void ApiServer::Impl::people_routes() {
  server.Post("/api/v1/persons/search", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = may_search(caller->principal); !allowed.ok()) return send_error(res, allowed.error());
    if (!options.person_finder) return send_problem(res, 503, "person search is not available on this server");
    auto body = http::parse_body(req, options.max_body_bytes);
    if (!body.ok()) return send_error(res, body.error());
    if (!body->is_object()) return send_problem(res, 400, "send the fields to search by as a JSON object", "/");
    auto settings = query_options(*body);
    if (!settings.ok()) return send_error(res, settings.error());
    Json query = *body;
    for (const char* option : {"top_k", "min_score", "exclude_person_id"}) query.erase(option);
    if (auto fresh = options.person_finder->refresh(store); !fresh.ok()) return send_error(res, fresh.error());
    auto matches = options.person_finder->find(caller->principal.org_id, query, *settings, *parse_date(format_date(clock.now())));
    if (!matches.ok()) return send_error(res, matches.error());

    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    const EntitySpec& persons = spec_of("person");
    Json items = Json::array();
    for (const auto& match : *matches) {
      if (limited_to_need_to_know(caller->principal)) {
        auto visible = (*tx)->is_visible(persons, match.person_id, caller->principal.user_id);
        if (!visible.ok()) return send_error(res, visible.error());
        if (!*visible) continue;
      }
      auto record = (*tx)->get(persons, match.person_id, caller->principal.org_id);
      if (!record.ok()) continue;  // written after the index was refreshed and gone since: not a match
      Json fields = Json::array();
      for (const auto& f : match.fields) fields.push_back({{"field", f.field}, {"verdict", f.verdict}, {"weight", f.weight}});
      items.push_back({{"person", present(caller->principal, persons, *record)},
                       {"score", match.score},
                       {"explanation", match.explanation},
                       {"fields", fields}});
      audit.append_read(event_for(*caller, "read", "person", match.person_id, {{"via", "search"}}));
    }
    // The query's values are identifying: the log names the fields searched by, never their values.
    Json searched = Json::array();
    for (const auto& [name, value] : query.items()) searched.push_back(name);
    audit.append_read(event_for(*caller, "search", "person", 0, {{"fields", searched}, {"count", items.size()}}));
    send_json(res, 200, {{"items", items}});
  });

  server.Post(R"(/api/v1/persons/(\d+)/merge)", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, Action::kUpdate, spec_of("person")); !allowed.ok()) return send_error(res, allowed.error());
    auto kept = http::parse_id(req.matches[1].str());
    if (!kept.ok()) return send_error(res, kept.error());
    auto body = http::parse_body(req, options.max_body_bytes);
    if (!body.ok()) return send_error(res, body.error());
    if (!body->is_object() || !(*body)["duplicate_id"].is_number_integer())
      return send_problem(res, 400, "send {\"duplicate_id\": the person merged into this one, \"reason\": why}", "/duplicate_id");
    const std::int64_t duplicate = (*body)["duplicate_id"].get<std::int64_t>();
    const std::string reason = body->value("reason", std::string());
    if (reason.size() > 2000) return send_problem(res, 400, "the reason is at most 2000 characters", "/reason");
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    for (std::int64_t id : {*kept, duplicate})
      if (auto visible = http::check_visible(*this, **tx, *caller, spec_of("person"), id); !visible.ok())
        return send_error(res, visible.error());
    auto merged = dedupe::merge_persons(**tx, caller->principal.org_id, *kept, duplicate, reason, clock);
    if (!merged.ok()) return send_error(res, merged.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "merge", "person", *kept, {{"merged_person_id", duplicate}, {"merge_id", merged->id}}));
        !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    send_json(res, 201, merged->to_json());
  });

  server.Post(R"(/api/v1/person-merges/(\d+)/undo)", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, Action::kUpdate, spec_of("person")); !allowed.ok()) return send_error(res, allowed.error());
    auto id = http::parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    auto merge = (*tx)->get(spec_of("person_merge"), *id, caller->principal.org_id);
    if (!merge.ok()) return send_error(res, merge.error());
    for (const char* field : {"person_id", "merged_person_id"})
      if (auto visible = http::check_visible(*this, **tx, *caller, spec_of("person"), merge->fields.value(field, std::int64_t{0}));
          !visible.ok())
        return send_error(res, visible.error());
    auto undone = dedupe::undo_merge(**tx, caller->principal.org_id, *id, clock);
    if (!undone.ok()) return send_error(res, undone.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "merge_undo", "person_merge", *id)); !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    send_json(res, 200, undone->to_json());
  });

  server.Post(R"(/api/v1/duplicate-candidates/(\d+)/(confirm|reject))", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    const EntitySpec& spec = spec_of("duplicate_candidate");
    if (auto allowed = authorize(caller->principal, Action::kUpdate, spec); !allowed.ok()) return send_error(res, allowed.error());
    auto id = http::parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    const std::string next = req.matches[2].str() == "confirm" ? "confirmed" : "rejected";
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    if (auto visible = http::check_visible(*this, **tx, *caller, spec, *id); !visible.ok()) return send_error(res, visible.error());
    auto candidate = (*tx)->get(spec, *id, caller->principal.org_id);
    if (!candidate.ok()) return send_error(res, candidate.error());
    const std::string status = candidate->fields.value("status", std::string());
    if (status != "open" && !(status == "confirmed" && next == "rejected") && !(status == "rejected" && next == "confirmed"))
      return send_problem(res, 409, "the pair is " + status + "; only open, confirmed or rejected pairs are reviewed", "/status");
    Json fields = candidate->fields;
    fields["status"] = next;
    // The store's own update: status is computed, and only the review sets it.
    auto updated = (*tx)->update(spec, *id, caller->principal.org_id, candidate->version, fields);
    if (!updated.ok()) return send_error(res, updated.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "duplicate_" + req.matches[2].str(), spec.kind, *id)); !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    send_json(res, 200, updated->to_json());
  });
}

}  // namespace haven
