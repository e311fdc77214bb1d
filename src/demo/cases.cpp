// A case group: one case with its intake report, its people and their roles, a rescue operation,
// proceedings, aftercare, an audit and the case's timeline, all in one organisation.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "demo/generator.hpp"

namespace haven::demo {
namespace {

// Per exploitation form, in the order of choices::kExploitationForms.
constexpr double kVictimMean[kForms] = {3.5, 3, 2, 2, 1.1, 2, 2, 1.5, 1.8, 3, 1.3};
constexpr double kMinorShare[kForms] = {0.35, 0.2, 0.3, 0.25, 0.4, 0.3, 0.15, 0.4, 0.9, 0.1, 0.2};
constexpr double kFemaleShare[kForms] = {0.5, 0.5, 0.8, 0.1, 0.9, 0.4, 0.25, 0.93, 0.7, 0.35, 0.5};
constexpr double kOperationShare[kForms] = {0.75, 0.6, 0.4,  0.6, 0.15, 0.35,
                                            0.4,  0.5, 0.55, 0.6, 0.2};
constexpr const char* kTitles[kForms] = {"Bonded labour at a brick kiln",
                                         "Bonded labour at a rice mill",
                                         "Forced labour in a garment unit",
                                         "Forced labour in fishing",
                                         "Domestic servitude",
                                         "Forced labour on a farm",
                                         "Forced labour",
                                         "Sex trafficking",
                                         "Online sexual exploitation of children",
                                         "Forced criminality in a scam compound",
                                         "Trafficking in persons"};
constexpr const char* kChannels[] = {"hotline",       "community",    "police", "online_platform",
                                     "self_referral", "ngo_referral", "other"};
constexpr double kChannelWeights[] = {25, 20, 18, 10, 8, 15, 4};

struct Filler {
  const char* type;
  double weight;
  const char* summaries[4];
};
constexpr Filler kFillers[] = {
    {"note",
     35,
     {"Case conference notes filed", "Update from partner agency", "Risk assessment reviewed",
      "Supervisor reviewed the file"}},
    {"contact",
     25,
     {"Phone follow-up with survivor", "Home visit", "Family contacted",
      "Check-in at the shelter"}},
    {"interview",
     10,
     {"Survivor interview", "Witness statement taken",
      "Forensic interview with child-friendly procedure", "Follow-up interview"}},
    {"referral",
     8,
     {"Referred for medical care", "Referred for legal aid", "Referred for psychosocial support",
      "Referred to labour office"}},
    {"document",
     12,
     {"Identity documents obtained", "Release certificate issued", "Medical report received",
      "Police report copy filed"}},
};

std::size_t local_culture(Context& context, const Country& country, std::size_t region) {
  const std::size_t forced = country.regions[region].culture;
  if (forced != SIZE_MAX && context.rng.chance(0.85)) return forced;
  return country.cultures.items[context.rng.weighted(country.cultures.weights)];
}

int victim_age(Rng& rng, std::size_t form, bool minor) {
  if (!minor) return static_cast<int>(rng.between(18, form == 7 ? 32 : 45));
  switch (form) {
    case 8:
      return static_cast<int>(rng.between(4, 16));  // OSEC
    case 3:
      return static_cast<int>(rng.between(7, 16));  // fishing
    case 0:
      return static_cast<int>(rng.between(3, 17));  // families at kilns
    default:
      return static_cast<int>(rng.between(12, 17));
  }
}

const char* choose_status(Context& context, std::int64_t age_days, const LegalPlan& legal) {
  Rng& rng = context.rng;
  if (!legal.stages.empty()) {
    if (!legal.has_verdict()) return "prosecution";
    return context.today - legal.last_day() > 90 && rng.chance(0.5) ? "closed" : "aftercare";
  }
  const double u = rng.unit();
  if (age_days < 30) return u < 0.6 ? "open" : "investigation";
  if (age_days < 180) return u < 0.2 ? "open" : u < 0.65 ? "investigation" : "aftercare";
  return u < 0.15 ? "investigation" : u < 0.45 ? "aftercare" : "closed";
}

Status link(Context& context, CaseInfo& info, std::int64_t person, const char* role, bool victim) {
  Json fields = Json::object();
  fields["case_id"] = info.id;
  fields["person_id"] = person;
  fields["role"] = role;
  if (context.rng.chance(0.1)) fields["notes"] = "Identified during intake interview";
  auto record = context.writer.create(*context.specs.case_person, info.org->id, fields);
  HAVEN_TRY(record);
  const bool minor = record->fields.value("is_minor", false);
  if (minor) ++context.summary.minors;
  if (victim) {
    info.victims.push_back(person);
    info.victim_minor.push_back(minor);
  }
  return Status::Ok();
}

Status create_operation(Context& context, CaseInfo& info, std::size_t suspects) {
  Rng& rng = context.rng;
  const Country& country = *info.country;
  Json fields = Json::object();
  fields["case_id"] = info.id;
  const std::size_t form = info.form;
  const bool labour = form <= 6;
  const double u = rng.unit();
  fields["type"] = u < 0.7                   ? "rescue"
                   : u < 0.8 && suspects > 0 ? "arrest"
                   : labour && u < 0.92      ? "inspection"
                                             : "intervention";
  fields["date"] = date_text(info.operation_day);
  fields["place"] = info.town + ", " + std::string(country.regions[info.region].name);
  Json partners = Json::array();
  for (std::string_view p : country.partners)
    if (rng.chance(0.35)) partners.push_back(p);
  if (!partners.empty()) fields["partner_agencies"] = std::move(partners);
  fields["victims_identified"] = info.victims.size() + rng.below(3);
  fields["suspects_arrested"] = suspects == 0 ? 0 : rng.below(suspects + 1);
  if (rng.chance(0.3)) fields["notes"] = "Operation coordinated with local authorities";
  auto record = context.writer.create(*context.specs.operation, info.org->id, fields);
  HAVEN_TRY(record);
  info.timeline.push_back({time_on(context, info.operation_day), "operation",
                           "Operation carried out with partner agencies"});
  return Status::Ok();
}

Status create_report(Context& context, const CaseInfo* info, Org& org, std::size_t form,
                     std::size_t region, std::int64_t day) {
  Rng& rng = context.rng;
  const Country& country = context.world.countries[org.country];
  Json fields = Json::object();
  fields["channel"] = kChannels[rng.weighted(kChannelWeights)];
  fields["received_at"] = datetime_text(time_on(context, day));
  const double u = rng.unit();
  fields["priority"] = u < 0.15 ? "urgent" : u < 0.5 ? "high" : u < 0.85 ? "medium" : "low";
  fields["exploitation_form"] = choices::kExploitationForms[form];
  fields["country"] = country.data->code;
  fields["region"] = country.regions[region].name;
  if (rng.chance(0.6)) {
    std::string what = kTitles[form];
    what[0] = static_cast<char>(what[0] - 'A' + 'a');
    fields["narrative"] =
        "Tip about suspected " + what + " reported by the caller; details recorded at intake.";
  }
  if (rng.chance(0.25)) {
    std::string phone;
    for (char c : country.data->phone)
      phone += c == '#' ? static_cast<char>('0' + rng.below(10)) : c;
    fields["reporter_contact"] = phone;
  }
  if (info) fields["case_id"] = info->id;
  return context.writer.create(*context.specs.report, org.id, fields).status();
}

Status create_timeline(Context& context, CaseInfo& info) {
  if (context.events_per_case == 0) return Status::Ok();
  Rng& rng = context.rng;
  const std::uint64_t total = rng.around(static_cast<double>(context.events_per_case));
  double weights[std::size(kFillers)];
  for (std::size_t i = 0; i < std::size(kFillers); ++i) weights[i] = kFillers[i].weight;
  for (std::uint64_t n = info.timeline.size(); n < total; ++n) {
    const Filler& filler = kFillers[rng.weighted(weights)];
    const std::int64_t day = info.opened + rng.between(0, info.end - info.opened);
    info.timeline.push_back({time_on(context, day), filler.type,
                             rng.chance(0.85) ? filler.summaries[rng.below(4)] : ""});
  }
  std::stable_sort(info.timeline.begin(), info.timeline.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });
  Json fields = Json::object();
  for (const TimelineEntry& entry : info.timeline) {
    fields = Json::object();
    fields["case_id"] = info.id;
    fields["occurred_at"] = datetime_text(entry.at);
    fields["type"] = entry.type;
    if (!entry.summary.empty()) fields["summary"] = entry.summary;
    HAVEN_TRY(context.writer.create(*context.specs.case_event, info.org->id, fields));
  }
  return Status::Ok();
}

}  // namespace

std::int64_t time_on(Context& context, std::int64_t day) {
  const std::int64_t at = day * 86400 + 6 * 3600 + context.rng.between(0, 12 * 3600);
  return std::min(at, context.now);
}

Status create_case_group(Context& context) {
  Rng& rng = context.rng;
  const World& world = context.world;
  const std::size_t c = rng.weighted(world.country_weights);
  Org& org = context.orgs[context.case_orgs[c][rng.weighted(context.case_org_weights[c])]];
  const Country& country = world.countries[c];
  CaseInfo info;
  info.org = &org;
  info.country = &country;
  info.form = rng.weighted(country.data->form_weights);
  const auto& hotspots = country.hotspots[info.form];
  info.region = !hotspots.empty() && rng.chance(0.7) ? hotspots[rng.below(hotspots.size())]
                : rng.chance(0.5)                    ? org.region
                                                     : rng.below(country.regions.size());
  const Region& region = country.regions[info.region];
  info.town = region.towns[rng.below(region.towns.size())];

  // Dates: more cases in recent years, the exploitation some months before the case opened.
  const std::int64_t span = 8 * 365;
  const auto age = static_cast<std::int64_t>(std::min(rng.below(span), rng.below(span)));
  info.opened = context.today - age;
  if (rng.chance(0.85))
    info.incident =
        info.opened - static_cast<std::int64_t>(std::min(rng.below(730), rng.below(730)));

  // The people, within what is left of the persons wanted.
  std::size_t victims = 1 + rng.around(kVictimMean[info.form] - 1);
  std::size_t suspects = rng.around(0.9), witnesses = rng.around(0.35);
  std::vector<bool> minor(victims);
  double minor_share = kMinorShare[info.form];
  if (info.form == 3 && std::string_view(country.data->code) == "GH") minor_share = 0.85;
  bool any_minor = false;
  for (std::size_t i = 0; i < victims; ++i) any_minor |= (minor[i] = rng.chance(minor_share));
  std::size_t guardians = any_minor && rng.chance(0.4) ? 1 : 0;
  std::size_t reporters = rng.chance(0.06) ? 1 : 0;
  std::uint64_t left = context.persons_target - context.persons_done;
  for (std::size_t* n : {&reporters, &guardians, &witnesses, &suspects}) {
    while (victims + suspects + witnesses + guardians + reporters > left && *n > 0) --*n;
  }
  victims = std::min<std::size_t>(victims, left);

  const LegalPlan legal =
      suspects > 0 && age > 14 && rng.chance(country.data->prosecution_share)
          ? plan_legal_case(context, info.opened + rng.between(0, std::min<std::int64_t>(age, 30)),
                            info.form)
          : LegalPlan{};
  info.status = choose_status(context, age, legal);
  if (info.status == "closed") {
    const std::int64_t from =
        std::max(info.opened, legal.stages.empty() ? info.opened : legal.last_day());
    info.closed = from + rng.between(0, context.today - from);
  }
  info.end = info.closed != kNone ? info.closed : context.today;

  Json fields = Json::object();
  fields["title"] = std::string(kTitles[info.form]) + ", " + info.town;
  fields["exploitation_form"] = choices::kExploitationForms[info.form];
  fields["status"] = info.status;
  fields["country"] = country.data->code;
  fields["region"] = region.name;
  fields["location"] = info.town + ", " + std::string(region.name);
  const bool delicate = any_minor || info.form == 8;
  const double s = rng.unit();
  fields["sensitivity"] = delicate ? (s < 0.1   ? "restricted"
                                      : s < 0.7 ? "high"
                                                : "normal")
                                   : (s < 0.2 ? "high" : "normal");
  Json assigned = Json::array();
  assigned.push_back(org.case_staff[rng.below(org.case_staff.size())]);
  const auto second = org.case_staff[rng.below(org.case_staff.size())];
  if (rng.chance(0.4) && second != assigned[0]) assigned.push_back(second);
  fields["assigned_user_ids"] = std::move(assigned);
  fields["opened_on"] = date_text(info.opened);
  if (info.incident != kNone) fields["incident_date"] = date_text(info.incident);
  if (info.closed != kNone) fields["closed_on"] = date_text(info.closed);
  fields["summary"] = std::to_string(victims) + (victims == 1 ? " survivor" : " survivors") +
                      " identified near " + info.town + "; " + std::to_string(suspects) +
                      (suspects == 1 ? " suspect" : " suspects") + " known at opening.";
  auto the_case = context.writer.create(*context.specs.the_case, org.id, fields);
  HAVEN_TRY(the_case);
  info.id = the_case->id;

  HAVEN_TRY(create_report(
      context, &info, org, info.form, info.region,
      info.opened - static_cast<std::int64_t>(rng.below(std::min<std::uint64_t>(10, 1 + age)))));
  if (rng.chance(0.2))  // a tip that did not become a case (yet)
    HAVEN_TRY(create_report(context, nullptr, org, rng.weighted(country.data->form_weights),
                            rng.below(country.regions.size()),
                            context.today - static_cast<std::int64_t>(rng.below(730))));

  // People. Victims from the cultures this form of exploitation draws on; the others local.
  const std::int64_t reference = info.incident != kNone ? info.incident : info.opened;
  std::vector<Identity> new_victims, new_others;
  const Weighted& victim_cultures = country.form_cultures[info.form].empty()
                                        ? country.cultures
                                        : country.form_cultures[info.form];
  std::size_t first_minor_culture = SIZE_MAX;
  for (std::size_t i = 0; i < victims; ++i) {
    PersonRequest request;
    request.role = Role::kVictim;
    request.culture = country.form_cultures[info.form].empty()
                          ? local_culture(context, country, info.region)
                          : victim_cultures.items[rng.weighted(victim_cultures.weights)];
    request.female = rng.chance(kFemaleShare[info.form]);
    request.age = victim_age(rng, info.form, minor[i]);
    request.reference_day = reference;
    request.estimate_day = info.opened;
    request.region = info.region;
    if (minor[i] && first_minor_culture == SIZE_MAX) first_minor_culture = request.culture;
    auto person = create_person(context, org, request, new_victims);
    HAVEN_TRY(person);
    HAVEN_TRY(link(context, info, *person, "victim", true));
    info.victim_foreign.push_back(context.world.cultures[request.culture].data->nationality !=
                                  country.data->code);
  }
  struct Other {
    Role role;
    const char* name;
    std::size_t count;
    double female;
    int min_age, max_age;
  };
  const Other others[] = {{Role::kSuspect, "suspect", suspects, 0.25, 22, 65},
                          {Role::kWitness, "witness", witnesses, 0.5, 16, 65},
                          {Role::kGuardian, "guardian", guardians, 0.65, 28, 60},
                          {Role::kReporter, "reporter", reporters, 0.5, 20, 60}};
  for (const Other& other : others) {
    for (std::size_t i = 0; i < other.count; ++i) {
      PersonRequest request;
      request.role = other.role;
      request.culture = other.role == Role::kGuardian && first_minor_culture != SIZE_MAX
                            ? first_minor_culture
                            : local_culture(context, country, info.region);
      request.female = rng.chance(other.female);
      request.age = static_cast<int>(rng.between(other.min_age, other.max_age));
      request.reference_day = reference;
      request.estimate_day = info.opened;
      request.region = info.region;
      auto person = create_person(context, org, request, new_others);
      HAVEN_TRY(person);
      if (other.role == Role::kSuspect) info.suspects.push_back(*person);
      HAVEN_TRY(link(context, info, *person, other.name, false));
    }
  }
  remember_identities(context, org, new_victims, new_others);

  if (info.status != "open")
    info.timeline.push_back({time_on(context, std::min(info.opened + 2, info.end)), "status_change",
                             "Status changed to investigation"});
  if (info.status == "aftercare" || (info.status == "closed" && rng.chance(0.6)))
    info.timeline.push_back({time_on(context, info.opened + (info.end - info.opened) / 2),
                             "status_change", "Status changed to aftercare"});
  if (info.closed != kNone)
    info.timeline.push_back({time_on(context, info.closed), "status_change", "Case closed"});
  if (rng.chance(kOperationShare[info.form])) {
    info.operation_day =
        std::min(info.opened + static_cast<std::int64_t>(rng.below(15)), context.today);
    HAVEN_TRY(create_operation(context, info, suspects));
  }
  if (!legal.stages.empty()) HAVEN_TRY(create_legal_case(context, info, legal));
  HAVEN_TRY(create_aftercare(context, info, !legal.stages.empty()));
  if (age > 60 && rng.chance(0.08)) HAVEN_TRY(create_audit(context, info));
  HAVEN_TRY(create_timeline(context, info));
  return context.writer.checkpoint();
}

}  // namespace haven::demo
