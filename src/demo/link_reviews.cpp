// The demo's record linkage review queue: two agencies' lists of the same synthetic people (a
// police unit's and a shelter's), each with its own typing errors, spelling variants and gaps,
// linked through src/link like any lists would be; the pairs in the uncertain band are stored
// for review in the first organisation, so the review screen has something to show.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "demo/generator.hpp"
#include "link_review/link_review.hpp"

namespace haven::demo {
namespace {

constexpr std::size_t kPeople = 240;    // people behind the two lists
constexpr double kOnEachList = 0.6;     // chance a person is on a list: ~145 each, ~85 on both
constexpr const char* kRunName = "Demo: police × shelter";

// The linkage specification, as a user would write it (docs/linkage.md).
constexpr const char* kSpec = R"json({
  "link_type": "link_only",
  "id_column": "id",
  "fields": [
    {"name": "given_name", "normalise": "lower", "term_frequency": true,
     "levels": [{"type": "exact"}, {"type": "jaro_winkler", "min": 0.92}, {"type": "jaro_winkler", "min": 0.8}]},
    {"name": "family_name", "normalise": "lower", "term_frequency": true,
     "levels": [{"type": "exact"}, {"type": "jaro_winkler", "min": 0.92}, {"type": "jaro_winkler", "min": 0.8}]},
    {"name": "birth_date", "normalise": "date",
     "levels": [{"type": "exact"}, {"type": "date_swap"}, {"type": "same_year"}]},
    {"name": "phone", "normalise": "digits", "levels": [{"type": "exact"}, {"type": "levenshtein", "max": 1}]},
    {"name": "town", "normalise": "lower", "levels": [{"type": "exact"}]}
  ],
  "blocking": ["given_name", "family_name", "birth_date", "phone"],
  "threshold": 0.9,
  "review_from": 0.5
})json";

struct Person {
  std::string given, given_variant, family, family_variant, birth_date, phone, town;
};

// One typing error: a letter replaced, dropped, doubled or swapped with the next.
std::string with_typo(Rng& rng, std::string text) {
  if (text.size() < 3) return text;
  const std::size_t at = 1 + rng.below(text.size() - 2);
  switch (rng.below(4)) {
    case 0: text[at] = static_cast<char>('a' + rng.below(26)); break;
    case 1: text.erase(at, 1); break;
    case 2: text.insert(at, 1, text[at]); break;
    default: std::swap(text[at], text[at + 1]); break;
  }
  return text;
}

// The canonical Latin spelling of a name entry, and another spelling when it has one.
std::pair<std::string, std::string> spellings(Rng& rng, const std::vector<NameEntry>& names) {
  const NameEntry& entry = names[rng.below(names.size())];
  const std::string canonical = ascii_fold(entry.latin.front());
  const std::string variant = entry.latin.size() > 1 ? ascii_fold(entry.latin[1 + rng.below(entry.latin.size() - 1)]) : canonical;
  return {canonical, variant};
}

Person make_person(Context& context, const Country& country, const Org& org) {
  Rng& rng = context.rng;
  const Culture& culture = context.world.cultures[country.cultures.items[rng.weighted(country.cultures.weights)]];
  const bool female = rng.chance(0.7);
  const auto& given_names = female && !culture.female.empty() ? culture.female : culture.male;
  // Cultures whose family name is the father's given name have no list of their own.
  const auto& family_names = !culture.family.empty() ? culture.family : culture.male;
  Person person;
  std::tie(person.given, person.given_variant) = spellings(rng, given_names);
  std::tie(person.family, person.family_variant) = spellings(rng, family_names);
  const int age = 14 + static_cast<int>(rng.below(30));
  const auto days_past_birthday = static_cast<std::int64_t>(rng.below(365));
  person.birth_date = date_text(years_before(context.today, age) - days_past_birthday);
  for (char c : country.data->phone) person.phone += c == '#' ? static_cast<char>('0' + rng.below(10)) : c;
  const Region& region = country.regions[org.region < country.regions.size() ? org.region : 0];
  person.town = region.towns.empty() ? std::string(region.name) : std::string(region.towns[rng.below(region.towns.size())]);
  return person;
}

// How one agency wrote the person down: its own errors, a spelling heard differently, gaps.
std::vector<std::string> as_recorded(Rng& rng, const Person& person, const std::string& id) {
  std::string given = rng.chance(0.15) ? person.given_variant : person.given;
  if (rng.chance(0.12)) given = with_typo(rng, given);
  std::string family = rng.chance(0.12) ? person.family_variant : person.family;
  if (rng.chance(0.12)) family = with_typo(rng, family);
  std::string birth = person.birth_date;
  if (rng.chance(0.3)) {
    birth.clear();
  } else if (rng.chance(0.08)) {  // day and month swapped, where both can be either
    if (std::stoi(birth.substr(8, 2)) <= 12) birth = birth.substr(0, 5) + birth.substr(8, 2) + "-" + birth.substr(5, 2);
  } else if (rng.chance(0.08)) {  // a year out
    birth = std::to_string(std::stoi(birth.substr(0, 4)) + (rng.chance(0.5) ? 1 : -1)) + birth.substr(4);
    if (birth.substr(5) == "02-29") birth = birth.substr(0, 5) + "02-28";
  }
  std::string phone = rng.chance(0.45) ? std::string() : person.phone;
  if (!phone.empty() && rng.chance(0.1)) {
    const std::size_t digit = phone.find_last_of("0123456789");
    phone[digit] = static_cast<char>('0' + (phone[digit] - '0' + 1) % 10);
  }
  std::string town = rng.chance(0.25) ? std::string() : person.town;
  return {id, given, family, birth, phone, town};
}

// The queue is for supervisors and investigators; an organisation whose few staff drew neither
// role gets a supervisor, so that someone can log in and decide (every demo password is the same).
Result<bool> ensure_reviewer(Context& context, Transaction& tx, const Org& org, const Country& country,
                             const std::string& password_hash) {
  auto staff = tx.list_users(org.id);
  HAVEN_TRY(staff);
  for (const User& user : *staff)
    for (const std::string& role : user.roles)
      if (role == "supervisor" || role == "investigator") return false;
  User reviewer;
  reviewer.org_id = org.id;
  reviewer.display_name = staff_name(context, country);
  reviewer.roles = {"supervisor"};
  reviewer.password_hash = password_hash;
  std::string base;
  for (std::string_view part : split(reviewer.display_name, ' '))
    if (const std::string folded = ascii_fold(part); !folded.empty()) base += (base.empty() ? "" : ".") + folded;
  base = (base.empty() ? std::string("supervisor") : base) + "." + std::to_string(org.id);
  reviewer.username = base;
  for (int n = 2;; ++n) {
    auto created = tx.insert_user(reviewer);
    if (created.ok()) return true;
    if (created.error().code != ErrorCode::kConflict || n > 100) return created.error();
    reviewer.username = base + "." + std::to_string(n);
  }
}

}  // namespace

Status create_link_reviews(Context& context, Store& store, const Clock& clock, const std::string& password_hash) {
  if (context.orgs.empty()) return Status::Ok();
  const Org& org = context.orgs.front();
  const Country& country = context.world.countries[org.country];
  auto spec = link::parse_spec(Json::parse(kSpec));
  if (!spec.ok()) return Error{ErrorCode::kInternal, "the demo's linkage specification is refused: " + spec.error().message, ""};

  link::RecordList police{"police", {}, {}}, shelter{"shelter", {}, {}};
  for (std::size_t i = 0; i < kPeople; ++i) {
    const Person person = make_person(context, country, org);
    for (link::RecordList* list : {&police, &shelter}) {
      if (!context.rng.chance(kOnEachList)) continue;
      const std::string id = (list == &police ? "P-" : "S-") + std::to_string(1000 + list->ids.size());
      std::vector<std::string> row = as_recorded(context.rng, person, id);
      list->ids.push_back(row.front());
      list->values.emplace_back(row.begin() + 1, row.end());
    }
  }
  // Both lists hold someone at any seed (each draws ~145 of 240), but a linkage of an empty list
  // is refused: then there is no queue to show rather than a failed demo.
  if (police.ids.empty() || shelter.ids.empty()) return Status::Ok();
  auto linker = link::Linker::create(*spec, {std::move(police), std::move(shelter)}, nullptr, 1);
  if (!linker.ok()) return Error{ErrorCode::kInternal, "the demo lists could not be linked: " + linker.error().message, ""};
  HAVEN_TRY((*linker)->compare());
  auto model = (*linker)->train();
  HAVEN_TRY(model);
  auto pairs = (*linker)->score(*model, spec->review_from);
  HAVEN_TRY(pairs);
  std::sort(pairs->begin(), pairs->end(), [](const auto& a, const auto& b) { return a.probability > b.probability; });
  const std::vector<Json> reviews = link_review::review_band(**linker, *model, *pairs, kRunName);

  auto tx = store.begin(true);
  HAVEN_TRY(tx);
  auto stored = link_review::store_run(**tx, org.id, reviews, clock);
  HAVEN_TRY(stored);
  auto added = ensure_reviewer(context, **tx, org, country, password_hash);
  HAVEN_TRY(added);
  HAVEN_TRY((*tx)->commit());
  context.summary.counts["link_review"] += *stored;
  if (*added) ++context.summary.counts["user"];
  return Status::Ok();
}

}  // namespace haven::demo
