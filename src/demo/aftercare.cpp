// Aftercare for the survivors of a case: consent, a service plan, services and outcome
// assessments whose scores improve over time (with the odd setback).
#include <nlohmann/json.hpp>

#include "demo/generator.hpp"

namespace haven::demo {
namespace {

constexpr const char* kServices[] = {"shelter",   "medical",    "psychosocial",   "legal_aid",
                                     "education", "livelihood", "family_tracing", "repatriation"};
constexpr const char* kGoals[] = {"Safe accommodation, medical follow-up and return to school",
                                  "Psychosocial counselling and preparation for testimony",
                                  "Livelihood training and safe reintegration with family",
                                  "Family tracing and safe repatriation",
                                  "Legal aid through trial and compensation claim"};

Status create_consent(Context& context, CaseInfo& info, std::int64_t person, bool legal) {
  Rng& rng = context.rng;
  Json fields = Json::object();
  fields["person_id"] = person;
  const std::int64_t given =
      info.opened + rng.between(0, std::min<std::int64_t>(14, context.today - info.opened));
  fields["given_on"] = date_text(given);
  Json purposes = Json::array({"case_management"});
  if (rng.chance(0.7)) purposes.push_back("referral");
  if (rng.chance(legal ? 0.8 : 0.2)) purposes.push_back("prosecution");
  if (rng.chance(0.15)) purposes.push_back("research");
  if (rng.chance(0.4)) purposes.push_back("reporting");
  fields["purposes"] = std::move(purposes);
  const auto& peers = context.case_orgs[info.org->country];
  if (rng.chance(0.4) && peers.size() > 1) {
    Json share = Json::array();
    for (int i = 0; i < 2; ++i) {
      const Org& peer = context.orgs[peers[rng.below(peers.size())]];
      if (peer.id == info.org->id) continue;
      if (std::find(share.begin(), share.end(), Json(peer.id)) == share.end())
        share.push_back(peer.id);
    }
    if (!share.empty()) fields["share_with_org_ids"] = std::move(share);
  }
  if (rng.chance(0.6))
    fields["witness"] = info.org->staff_names[rng.below(info.org->staff_names.size())];
  if (rng.chance(0.03) && context.today > given)
    fields["withdrawn_on"] = date_text(given + rng.between(1, context.today - given));
  const bool can_refer = fields.contains("share_with_org_ids") && !fields.contains("withdrawn_on") &&
                         std::find(fields["purposes"].begin(), fields["purposes"].end(), "referral") != fields["purposes"].end();
  auto consent = context.writer.create(*context.specs.consent, info.org->id, fields);
  HAVEN_TRY(consent);
  if (!can_refer || !rng.chance(0.5)) return Status::Ok();
  // The organisation refers the case to a partner the survivor agreed to share with.
  const bool prosecution =
      std::find(fields["purposes"].begin(), fields["purposes"].end(), "prosecution") != fields["purposes"].end();
  Json shared = Json::array({"person_names"});
  if (rng.chance(0.5)) shared.push_back("person_contact");
  if (rng.chance(0.5)) shared.push_back("case_details");
  if (rng.chance(0.3)) shared.push_back("timeline");
  Json referral = {{"case_id", info.id},
                   {"consent_id", consent->id},
                   {"to_org_id", fields["share_with_org_ids"][0]},
                   {"shared", std::move(shared)},
                   {"purpose", prosecution ? "prosecution" : "referral"}};
  return context.writer.create(*context.specs.referral, info.org->id, referral).status();
}

Status create_services(Context& context, CaseInfo& info, std::size_t victim, std::int64_t plan_id,
                       std::int64_t start) {
  Rng& rng = context.rng;
  const std::int64_t person = info.victims[victim];
  const bool minor = info.victim_minor[victim], foreign = info.victim_foreign[victim];
  const bool shelter = info.org->type == "shelter";
  double weights[] = {shelter ? 40.0 : 15, 18, 20, 12, minor ? 15.0 : 4, minor ? 3.0 : 12, 6,
                      foreign ? 15.0 : 4};
  const std::size_t count = 1 + rng.below(4);
  for (std::size_t i = 0; i < count; ++i) {
    Json fields = Json::object();
    fields["person_id"] = person;
    fields["service_plan_id"] = plan_id;
    const std::size_t type = rng.weighted(weights);
    fields["type"] = kServices[type];
    const std::int64_t from =
        start + rng.between(0, std::min<std::int64_t>(90, context.today - start));
    fields["start_date"] = date_text(from);
    const std::int64_t until = from + rng.between(7, 365);
    if (until <= context.today && rng.chance(0.8)) fields["end_date"] = date_text(until);
    fields["provider"] =
        rng.chance(0.7)
            ? info.org->name
            : std::string(info.country->partners[rng.below(info.country->partners.size())]);
    HAVEN_TRY(context.writer.create(*context.specs.service, info.org->id, fields));
    info.timeline.push_back(
        {time_on(context, from), "service", std::string("Service started: ") + kServices[type]});
  }
  return Status::Ok();
}

Status create_assessments(Context& context, CaseInfo& info, std::int64_t person,
                          std::int64_t start) {
  Rng& rng = context.rng;
  int scores[6];
  for (int& s : scores) s = 1 + static_cast<int>(rng.below(2));
  std::int64_t day = start + rng.between(0, 21);
  for (int n = 0; n < 6 && day <= context.today; ++n) {
    Json fields = Json::object();
    fields["person_id"] = person;
    fields["assessed_on"] = date_text(day);
    Json object = Json::object();
    for (std::size_t d = 0; d < 6; ++d) object[choices::kAssessmentDomains[d]] = scores[d];
    fields["scores"] = std::move(object);
    if (rng.chance(0.2)) fields["notes"] = n == 0 ? "Baseline assessment" : "Follow-up assessment";
    HAVEN_TRY(context.writer.create(*context.specs.assessment, info.org->id, fields));
    info.timeline.push_back({time_on(context, day), "assessment", "Outcome assessment recorded"});
    for (int& s : scores) {
      if (rng.chance(0.45))
        s = std::min(4, s + 1);
      else if (rng.chance(0.05))
        s = std::max(1, s - 1);
    }
    day += rng.between(90, 240);
  }
  return Status::Ok();
}

}  // namespace

Status create_aftercare(Context& context, CaseInfo& info, bool legal) {
  Rng& rng = context.rng;
  const double plan_share = info.status == "aftercare" || info.status == "closed" ? 0.75
                            : info.status == "prosecution"                        ? 0.6
                            : info.status == "investigation"                      ? 0.35
                                                                                  : 0.15;
  for (std::size_t i = 0; i < info.victims.size(); ++i) {
    const std::int64_t person = info.victims[i];
    if (rng.chance(0.7)) HAVEN_TRY(create_consent(context, info, person, legal));
    if (!rng.chance(plan_share)) continue;
    const std::int64_t start = std::min(info.opened + rng.between(3, 60), info.end);
    Json fields = Json::object();
    fields["person_id"] = person;
    fields["case_id"] = info.id;
    fields["start_date"] = date_text(start);
    fields["review_date"] = date_text(start + rng.between(90, 180));
    fields["goals"] = kGoals[rng.below(std::size(kGoals))];
    auto plan = context.writer.create(*context.specs.service_plan, info.org->id, fields);
    HAVEN_TRY(plan);
    HAVEN_TRY(create_services(context, info, i, plan->id, start));
    HAVEN_TRY(create_assessments(context, info, person, start));
  }
  return Status::Ok();
}

}  // namespace haven::demo
