// Referrals between organisations: the receiver lists what was sent to it, accepts or declines,
// and reads a shared case within what the survivor consented to; the sender may revoke. Every
// shared read is audited.
#include "api/http.hpp"

namespace haven {
namespace {

using http::Caller;
using http::send_error;
using http::send_json;
using http::send_problem;

const EntitySpec& spec_of(const char* kind) { return *find_entity(kind); }

// Which of the consenting survivor's fields each `shared` grant opens.
const std::vector<std::pair<std::string, std::vector<std::string>>>& person_grants() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> grants = {
      {"person_names", {"given_name", "family_name", "aliases"}},
      {"person_contact", {"phone", "address"}},
      {"person_birth_date", {"birth_date", "age_estimate", "age_estimated_on"}}};
  return grants;
}

bool granted(const Json& referral, const std::string& what) {
  const Json shared = referral.value("shared", Json::array());
  return std::find(shared.begin(), shared.end(), what) != shared.end();
}

// A record with only public fields, plus the sealed ones in `extra`.
Json public_view(const EntitySpec& spec, const Record& record, const std::vector<std::string>& extra = {}) {
  Json out = record.to_json();
  for (const auto& field : spec.fields)
    if (field.sensitivity != Sensitivity::kPublic &&
        std::find(extra.begin(), extra.end(), field.name) == extra.end())
      out.erase(field.name);
  return out;
}

}  // namespace

void ApiServer::Impl::referral_routes() {
  // The referral `id` sent to the caller's organisation, or kNotFound.
  auto incoming = [this](Transaction& tx, const Caller& caller, std::int64_t id) -> Result<Record> {
    auto referral = tx.get(spec_of("referral"), id, 0);
    if (!referral.ok() || referral->fields["to_org_id"] != caller.principal.org_id)
      return Error{ErrorCode::kNotFound, "no referral " + std::to_string(id) + " was sent to your organisation", ""};
    return referral;
  };
  auto works_cases = [](const Caller& caller) -> Status {
    if (sees_pseudonymised(caller.principal))
      return Error{ErrorCode::kPermissionDenied, "analysts and auditors do not handle referrals", ""};
    return Status::Ok();
  };

  server.Get("/api/v1/referrals/incoming", [this, works_cases](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = works_cases(*caller); !allowed.ok()) return send_error(res, allowed.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    ListQuery query;
    query.filters.push_back({"to_org_id", Filter::Op::kEq, caller->principal.org_id});
    if (req.has_param("status")) query.filters.push_back({"status", Filter::Op::kEq, req.get_param_value("status")});
    query.limit = 1000;
    auto page = (*tx)->list(spec_of("referral"), 0, query);
    if (!page.ok()) return send_error(res, page.error());
    Json items = Json::array();
    for (const auto& record : page->records) items.push_back(record.to_json());
    audit.append_read(event_for(*caller, "list", "referral", 0, {{"count", items.size()}, {"incoming", true}}));
    send_json(res, 200, {{"items", items}});
  });

  server.Post(R"(/api/v1/referrals/(\d+)/(accept|decline|revoke))", [this, incoming, works_cases](const httplib::Request& req,
                                                                                                   httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = works_cases(*caller); !allowed.ok()) return send_error(res, allowed.error());
    auto id = http::parse_id(req.matches[1].str());
    if (!id.ok()) return send_error(res, id.error());
    const std::string action = req.matches[2].str();
    auto tx = store.begin(true);
    if (!tx.ok()) return send_error(res, tx.error());
    Result<Record> referral = action == "revoke" ? (*tx)->get(spec_of("referral"), *id, caller->principal.org_id)
                                                 : incoming(**tx, *caller, *id);
    if (!referral.ok()) return send_error(res, referral.error());
    const std::string status = referral->fields["status"];
    const std::string next = action == "accept" ? "accepted" : action == "decline" ? "declined" : "revoked";
    const bool allowed = action == "revoke" ? (status == "pending" || status == "accepted") : status == "pending";
    if (!allowed) return send_problem(res, 409, "the referral is " + status + "; it cannot be " + next + " now", "/status");
    Json fields = referral->fields;
    fields["status"] = next;
    // The store's own update, not update_record: status is computed, and only these routes set it.
    auto updated = (*tx)->update(spec_of("referral"), *id, 0, referral->version, fields);
    if (!updated.ok()) return send_error(res, updated.error());
    if (auto audited = audit.append(**tx, event_for(*caller, "referral_" + action, "referral", *id)); !audited.ok())
      return send_error(res, audited.error());
    if (auto committed = (*tx)->commit(); !committed.ok()) return send_error(res, committed.error());
    send_json(res, 200, updated->to_json());
  });

  server.Get(R"(/api/v1/shared/cases/(\d+))", [this, works_cases](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = works_cases(*caller); !allowed.ok()) return send_error(res, allowed.error());
    auto case_id = http::parse_id(req.matches[1].str());
    if (!case_id.ok()) return send_error(res, case_id.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    ListQuery query;
    query.filters = {{"to_org_id", Filter::Op::kEq, caller->principal.org_id},
                     {"case_id", Filter::Op::kEq, *case_id},
                     {"status", Filter::Op::kEq, "accepted"}};
    auto referrals = (*tx)->list(spec_of("referral"), 0, query);
    if (!referrals.ok()) return send_error(res, referrals.error());
    if (referrals->records.empty())
      return send_problem(res, 404, "no accepted referral shares case " + req.matches[1].str() + " with your organisation");
    const Record& referral = referrals->records.front();
    const std::int64_t owner = referral.org_id;
    auto the_case = (*tx)->get(spec_of("case"), *case_id, owner);
    auto consent = (*tx)->get(spec_of("consent"), referral.fields["consent_id"].get<std::int64_t>(), owner);
    if (!the_case.ok()) return send_error(res, the_case.error());
    if (!consent.ok()) return send_error(res, consent.error());
    if (consent->fields.contains("withdrawn_on"))
      return send_problem(res, 403, "the survivor has withdrawn the consent this referral rests on");
    const std::int64_t consenting = consent->fields["person_id"];
    std::vector<std::string> case_fields;
    if (granted(referral.fields, "case_details")) case_fields = {"title", "summary", "location"};
    Json body = {{"referral", referral.to_json()}, {"case", public_view(spec_of("case"), *the_case, case_fields)}, {"people", Json::array()}};
    ListQuery roles;
    roles.filters = {{"case_id", Filter::Op::kEq, *case_id}};
    roles.limit = 1000;
    auto links = (*tx)->list(spec_of("case_person"), owner, roles);
    if (!links.ok()) return send_error(res, links.error());
    for (const auto& link : links->records) {
      const std::int64_t person_id = link.fields["person_id"];
      auto person = (*tx)->get(spec_of("person"), person_id, owner);
      if (!person.ok()) return send_error(res, person.error());
      // Only the survivor who consented is shown with the granted fields; everyone else in the
      // case stays pseudonymous.
      std::vector<std::string> open;
      if (person_id == consenting)
        for (const auto& [grant, fields] : person_grants())
          if (granted(referral.fields, grant)) open.insert(open.end(), fields.begin(), fields.end());
      Json shown = public_view(spec_of("person"), *person, open);
      shown["role"] = link.fields["role"];
      if (link.fields.contains("is_minor")) shown["is_minor"] = link.fields["is_minor"];
      body["people"].push_back(std::move(shown));
    }
    if (granted(referral.fields, "timeline")) {
      ListQuery events;
      events.filters = {{"case_id", Filter::Op::kEq, *case_id}};
      events.sort = "occurred_at";
      events.limit = 1000;
      auto listed = (*tx)->list(spec_of("case_event"), owner, events);
      if (!listed.ok()) return send_error(res, listed.error());
      body["events"] = Json::array();
      for (const auto& event : listed->records) body["events"].push_back(public_view(spec_of("case_event"), event));
    }
    audit.append_read(event_for(*caller, "read", "case", *case_id, {{"via", "referral"}, {"referral_id", referral.id}, {"owner_org", owner}}));
    send_json(res, 200, body);
  });
}

}  // namespace haven
