// The review queue of record linkage's uncertain band: the runs with their pairs counted by
// status, and a person's decision on a pair (match, non-match, or reopened). Listing and reading
// single pairs are the generic record routes (records.cpp); who may do what is authorize()'s
// (supervisors and investigators decide; analysts and auditors read pseudonymised).
#include "api/http.hpp"
#include "link_review/link_review.hpp"

namespace haven {

namespace {

using http::send_error;
using http::send_json;
using http::send_problem;

// The reviewer's note from an optional JSON body {"note": "..."}; the schema checks its length.
Result<std::string> note_of(const httplib::Request& req, std::size_t max_bytes) {
  if (req.body.empty()) return std::string();
  auto body = http::parse_body(req, max_bytes);
  HAVEN_TRY(body);
  if (!body->is_object()) return invalid("send {\"note\": \"why\"} or no body at all", "/");
  for (const auto& [name, value] : body->items())
    if (name != "note") return invalid("is not accepted; the only field is note", "/" + name);
  if (!body->contains("note") || (*body)["note"].is_null()) return std::string();
  if (!(*body)["note"].is_string()) return invalid("must be text (at most 2000 characters)", "/note");
  return (*body)["note"].get<std::string>();
}

}  // namespace

void ApiServer::Impl::link_review_routes() {
  server.Get("/api/v1/link-reviews/runs", [this](const httplib::Request& req, httplib::Response& res) {
    const EntitySpec& spec = link_review::spec();
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, Action::kList, spec); !allowed.ok()) return send_error(res, allowed.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    auto runs = link_review::runs(**tx, caller->principal.org_id);
    if (!runs.ok()) return send_error(res, runs.error());
    Json items = Json::array();
    for (const auto& run : *runs)
      items.push_back({{"run", run.run}, {"pending", run.pending}, {"match", run.match},
                       {"non_match", run.non_match}, {"total", run.total()}});
    audit.append_read(event_for(*caller, "list", spec.kind, 0, {{"via", "runs"}, {"count", items.size()}}));
    send_json(res, 200, {{"items", std::move(items)}});
  });

  server.Post(R"(/api/v1/link-reviews/(\d+)/(match|non-match|reopen))", [this](const httplib::Request& req, httplib::Response& res) {
    const EntitySpec& spec = link_review::spec();
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, Action::kUpdate, spec); !allowed.ok()) return send_error(res, allowed.error());
    auto id = http::parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    const std::string action = req.matches[2].str();
    auto note = note_of(req, options.max_body_bytes);
    if (!note.ok()) return send_error(res, note.error());
    if (action == "reopen" && !note->empty()) return send_problem(res, 400, "a reopened pair has no note; send no body", "/note");
    const std::string status = action == "match" ? link_review::kMatch
                               : action == "non-match" ? link_review::kNonMatch
                                                       : link_review::kPending;
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    auto decided = link_review::decide(**tx, caller->principal.org_id, *id, status, *note, caller->principal.user_id, clock);
    if (!decided.ok()) return send_error(res, decided.error());
    // The decision, never the note's words or the compared values.
    const AuditEvent event = event_for(*caller, action == "reopen" ? "link_review_reopen" : "link_review_decide", spec.kind, *id,
                                       {{"status", status}, {"run", decided->fields.value("run", "")}, {"note", !note->empty()}});
    if (auto audited = audit.append(**tx, event); !audited.ok()) return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    res.set_header("ETag", "\"" + std::to_string(decided->version) + "\"");
    send_json(res, 200, present(caller->principal, spec, *decided));
  });
}

}  // namespace haven
