// Proceedings (legal cases, hearings, exhibits with their chain of custody) and the
// justice-system strengthening work around them (trainings, case-file audits).
#include <nlohmann/json.hpp>

#include "demo/generator.hpp"

namespace haven::demo {
namespace {

enum Stage {
  kComplaint,
  kInvestigation,
  kCharges,
  kArraignment,
  kTrial,
  kVerdict,
  kSentence,
  kAppeal
};

constexpr const char* kPostponements[] = {
    "Accused not produced from custody",  "Defence counsel absent", "Presiding judge on leave",
    "Prosecution witness did not appear", "Court did not sit",      "Interpreter unavailable"};
constexpr const char* kExhibits[] = {"Mobile phone seized from suspect",
                                     "Ledger of advances and wages",
                                     "Photographs of the premises",
                                     "Bank transfer records",
                                     "Chat messages exported from recruiter's phone",
                                     "Recruitment advertisement",
                                     "Identity documents withheld by employer",
                                     "Seized laptop"};
constexpr const char* kMediaTypes[] = {"image/jpeg", "application/pdf", "video/mp4", "text/csv",
                                       "application/zip"};
constexpr const char* kCustodyActions[][2] = {
    {"collected", "Seized during the operation"},
    {"sealed and logged", "Entered in the evidence register"},
    {"transferred to forensic laboratory", "Extraction requested by the investigating officer"},
    {"examined", "Forensic report prepared"},
    {"returned to evidence room", "Examination complete"},
    {"produced in court", "Marked as exhibit at trial"}};
constexpr const char* kChecklist[] = {"Victim identified and screened",
                                      "Consent recorded before sharing",
                                      "Risk assessment on file",
                                      "Interview recorded in a victim-sensitive way",
                                      "Medical examination documented",
                                      "Age verification documented for minors",
                                      "Evidence chain of custody complete",
                                      "Charges match the facts recorded",
                                      "Survivor informed of proceedings",
                                      "Service plan in place",
                                      "Referral letters filed",
                                      "Case notes up to date",
                                      "Supervisor review within 30 days",
                                      "Restitution or compensation considered"};
constexpr const char* kTopics[] = {"Victim identification",
                                   "Trauma-informed interviewing",
                                   "Trafficking law and the elements of the offence",
                                   "Evidence collection and chain of custody",
                                   "Victim-sensitive prosecution",
                                   "Investigating online sexual exploitation of children",
                                   "Bonded labour release procedure",
                                   "Cyber-scam compound referrals",
                                   "Case management and referral pathways",
                                   "Data protection and consent"};
constexpr const char* kAudiences[] = {
    "Police officers, {region}",          "Prosecutors, {region}",    "Judges and magistrates",
    "Labour inspectors, {region}",        "Social workers, {region}", "Immigration officers",
    "Child protection officers, {region}"};

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

std::string padded(Rng& rng, int digits) {
  std::string out;
  for (int i = 0; i < digits; ++i) out += static_cast<char>('0' + rng.below(10));
  if (out.front() == '0') out.front() = '1';
  return out;
}

std::string docket(Rng& rng, std::string_view pattern, std::int64_t day) {
  const Civil c = civil_from_days(day);
  std::string out(pattern);
  out = replace_all(out, "{yyyy}", std::to_string(c.year));
  out = replace_all(out, "{yy}", std::to_string(c.year % 100 + 100).substr(1));
  out = replace_all(out, "{mm}", std::to_string(c.month + 100).substr(1));
  for (int digits = 2; digits <= 5; ++digits) {
    const std::string key = "{n" + std::to_string(digits) + "}";
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key))
      out.replace(at, key.size(), padded(rng, digits));
  }
  return out;
}

Status create_hearings(Context& context, CaseInfo& info, const LegalPlan& plan,
                       std::int64_t legal_case_id) {
  Rng& rng = context.rng;
  std::int64_t arraignment = kNone, trial = kNone, verdict = kNone;
  for (const auto& stage : plan.stages) {
    if (stage.stage == kArraignment) arraignment = stage.day;
    if (stage.stage == kTrial) trial = stage.day;
    if (stage.stage == kVerdict) verdict = stage.day;
  }
  if (arraignment == kNone) return Status::Ok();
  const std::int64_t last = verdict != kNone ? verdict : context.today + 120;
  Json fields = Json::object();
  int count = 0;
  for (std::int64_t day = arraignment; day <= last && count < 15;
       day += rng.between(21, 120), ++count) {
    const std::int64_t at = day * 86400 + 3 * 3600 + rng.between(0, 12) * 1800;
    fields = Json::object();
    fields["legal_case_id"] = legal_case_id;
    fields["scheduled_at"] = datetime_text(at);
    if (at <= context.now) {
      if (rng.chance(0.3)) {
        fields["postponed"] = true;
        fields["held"] = false;
        fields["postponement_reason"] = kPostponements[rng.below(std::size(kPostponements))];
        info.timeline.push_back({at, "hearing", "Hearing postponed"});
      } else {
        fields["held"] = true;
        fields["postponed"] = false;
        const bool testimony = trial != kNone && day >= trial && rng.chance(0.35);
        fields["survivor_testified"] = testimony;
        if (testimony) fields["victim_sensitive"] = rng.chance(0.7);
        info.timeline.push_back({at, "hearing", testimony ? "Survivor testified" : "Hearing held"});
      }
    }
    HAVEN_TRY(context.writer.create(*context.specs.hearing, info.org->id, fields));
  }
  return Status::Ok();
}

Status create_evidence(Context& context, CaseInfo& info, std::int64_t from_day,
                       const std::string& docket_number) {
  Rng& rng = context.rng;
  const std::size_t items = 1 + rng.below(3);
  for (std::size_t i = 0; i < items; ++i) {
    Json fields = Json::object();
    fields["case_id"] = info.id;
    const std::string description = kExhibits[rng.below(std::size(kExhibits))];
    fields["description"] = description;
    fields["sha256"] = sha256_hex(docket_number + "/" + std::to_string(i) + "/" + description +
                                  "/" + std::to_string(rng.next()));
    fields["media_type"] = kMediaTypes[rng.below(std::size(kMediaTypes))];
    Json custody = Json::array();
    std::int64_t at = time_on(context, from_day);
    const std::size_t steps = 2 + rng.below(5);
    for (std::size_t s = 0; s < steps && s < std::size(kCustodyActions) && at <= context.now; ++s) {
      Json entry = Json::object();
      entry["at"] = datetime_text(at);
      entry["handler"] = info.org->staff_names[rng.below(info.org->staff_names.size())];
      entry["action"] = kCustodyActions[s][0];
      entry["reason"] = kCustodyActions[s][1];
      custody.push_back(std::move(entry));
      at += rng.between(3600, 60 * 86400);
    }
    fields["custody"] = std::move(custody);
    HAVEN_TRY(context.writer.create(*context.specs.evidence, info.org->id, fields));
  }
  return Status::Ok();
}

}  // namespace

bool LegalPlan::has_verdict() const {
  for (const auto& s : stages)
    if (s.stage == kVerdict) return true;
  return false;
}

std::int64_t LegalPlan::last_day() const { return stages.empty() ? kNone : stages.back().day; }

// Stages in the order of the law with realistic gaps; only those that have happened by today.
LegalPlan plan_legal_case(Context& context, std::int64_t start_day, std::size_t form) {
  Rng& rng = context.rng;
  LegalPlan plan;
  plan.wanted = true;
  std::int64_t day = std::min(start_day, context.today);
  auto add = [&](std::size_t stage, std::int64_t gap_min, std::int64_t gap_max) {
    day += rng.between(gap_min, gap_max);
    if (day > context.today) return false;
    plan.stages.push_back({stage, day, {}, -1});
    return true;
  };
  if (!add(kComplaint, 0, 0) || !add(kInvestigation, 0, 30)) return plan;
  if (rng.chance(0.25)) return plan;  // never charged
  if (!add(kCharges, 30, 365)) return plan;
  const double u = rng.unit();
  const char* verdict = u < 0.45   ? "conviction"
                        : u < 0.62 ? "acquittal"
                        : u < 0.8  ? "dismissal"
                                   : "plea";
  const bool early =
      (verdict[0] == 'd' && rng.chance(0.5)) || (verdict[0] == 'p' && rng.chance(0.7));
  if (!(verdict[0] == 'd' && early) && !add(kArraignment, 14, 180)) return plan;
  if (!early && !add(kTrial, 30, 365)) return plan;
  if (!add(kVerdict, early ? 14 : 60, early ? 200 : 900)) return plan;
  plan.stages.back().verdict = verdict;
  const bool guilty = verdict[0] == 'c' || verdict[0] == 'p';
  if (guilty) {
    if (!add(kSentence, 0, 60)) return plan;
    const bool grave = form == 8 || form == 7;
    plan.stages.back().sentence_months = verdict[0] == 'p'
                                             ? static_cast<int>(rng.between(12, 96))
                                             : static_cast<int>(rng.between(60, grave ? 300 : 180));
  }
  if (rng.chance(verdict[0] == 'c' ? 0.2 : verdict[0] == 'a' ? 0.1 : 0)) add(kAppeal, 15, 90);
  return plan;
}

Status create_legal_case(Context& context, CaseInfo& info, const LegalPlan& plan) {
  Rng& rng = context.rng;
  const Country& country = *info.country;
  const Region& region = country.regions[info.region];
  Json fields = Json::object();
  fields["case_id"] = info.id;
  fields["court"] = replace_all(
      replace_all(std::string(country.data->court), "{region}", region.name), "{town}", info.town);
  std::int64_t charged = kNone;
  for (const auto& stage : plan.stages)
    if (stage.stage == kCharges) charged = stage.day;
  const std::string number =
      docket(rng, country.data->docket, charged != kNone ? charged : plan.stages[0].day);
  fields["docket_number"] = number;
  if (charged != kNone) {
    Json charges = Json::array();
    auto charge = [&](const std::vector<std::string_view>& laws, double chance,
                      std::size_t counts) {
      if (laws.empty() || !rng.chance(chance)) return;
      Json c = Json::object();
      c["statute"] = laws[rng.below(laws.size())];
      c["counts"] = std::max<std::size_t>(1, counts);
      charges.push_back(std::move(c));
    };
    const bool any_minor = std::find(info.victim_minor.begin(), info.victim_minor.end(), true) !=
                           info.victim_minor.end();
    charge(country.trafficking_law, 1.0, info.victims.size());
    charge(country.labour_law, info.form <= 6 ? 0.6 : 0, 1);
    charge(country.sexual_law, info.form == 7 || info.form == 8 ? 0.6 : 0,
           1 + rng.below(info.victims.size()));
    charge(country.child_law, any_minor ? 0.6 : 0, 1);
    fields["charges"] = std::move(charges);
    info.timeline.push_back(
        {time_on(context, charged), "status_change", "Status changed to prosecution"});
  }
  Json defendants = Json::array();
  for (std::size_t i = 0; i < info.suspects.size() && i < 50; ++i)
    defendants.push_back(info.suspects[i]);
  fields["defendant_person_ids"] = std::move(defendants);
  Json stages = Json::array();
  for (const auto& stage : plan.stages) {
    Json s = Json::object();
    s["stage"] = choices::kLegalStages[stage.stage];
    s["date"] = date_text(stage.day);
    if (!stage.verdict.empty()) s["verdict"] = stage.verdict;
    if (stage.sentence_months >= 0) s["sentence_months"] = stage.sentence_months;
    stages.push_back(std::move(s));
  }
  fields["stages"] = std::move(stages);
  auto record = context.writer.create(*context.specs.legal_case, info.org->id, fields);
  HAVEN_TRY(record);
  HAVEN_TRY(create_hearings(context, info, plan, record->id));
  if (rng.chance(0.2))
    HAVEN_TRY(create_evidence(context, info,
                              info.operation_day != kNone ? info.operation_day : plan.stages[0].day,
                              number));
  return Status::Ok();
}

Status create_audit(Context& context, CaseInfo& info) {
  Rng& rng = context.rng;
  Json fields = Json::object();
  fields["case_id"] = info.id;
  const std::int64_t from = info.opened + 30;
  fields["audited_on"] = date_text(from + rng.between(0, context.today - from));
  const double quality = 0.5 + 0.45 * rng.unit();
  Json checklist = Json::array();
  const std::size_t items = 8 + rng.below(5);
  const std::size_t offset = rng.below(std::size(kChecklist));
  for (std::size_t i = 0; i < items; ++i) {
    Json item = Json::object();
    item["item"] = kChecklist[(offset + i) % std::size(kChecklist)];
    item["compliant"] = rng.chance(quality);
    checklist.push_back(std::move(item));
  }
  fields["checklist"] = std::move(checklist);
  return context.writer.create(*context.specs.audit, info.org->id, fields).status();
}

Status create_trainings(Context& context, std::size_t count) {
  Rng& rng = context.rng;
  std::vector<std::size_t> trainers;
  for (std::size_t i = 0; i < context.orgs.size(); ++i)
    if (context.orgs[i].type == "ngo" || context.orgs[i].type == "prosecutor")
      trainers.push_back(i);
  if (trainers.empty()) return Status::Ok();
  for (std::size_t n = 0; n < count; ++n) {
    const Org& org = context.orgs[trainers[rng.below(trainers.size())]];
    const Country& country = context.world.countries[org.country];
    const auto region = country.regions[rng.below(country.regions.size())].name;
    Json fields = Json::object();
    fields["audience_agency"] =
        replace_all(kAudiences[rng.below(std::size(kAudiences))], "{region}", region);
    fields["held_on"] = date_text(context.today - rng.between(0, 6 * 365));
    Json topics = Json::array();
    const std::size_t first = rng.below(std::size(kTopics)), k = 2 + rng.below(4);
    for (std::size_t i = 0; i < k; ++i) topics.push_back(kTopics[(first + i) % std::size(kTopics)]);
    fields["topics"] = std::move(topics);
    fields["participants"] = rng.between(8, 60);
    const std::int64_t pre = rng.between(300, 650);
    fields["pre_test_mean"] = static_cast<double>(pre) / 10;
    fields["post_test_mean"] =
        static_cast<double>(std::min<std::int64_t>(1000, pre + rng.between(60, 300))) / 10;
    HAVEN_TRY(context.writer.create(*context.specs.training, org.id, fields));
    HAVEN_TRY(context.writer.checkpoint());
  }
  return Status::Ok();
}

}  // namespace haven::demo
