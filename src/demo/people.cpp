// Persons: names in the scripts and spellings of their culture, birth dates or age estimates,
// and the injected duplicates, which re-register an earlier person of the same organisation with
// the errors intake forms really contain.
#include <nlohmann/json.hpp>

#include "demo/generator.hpp"

namespace haven::demo {
namespace {

enum Corruption { kTransliteration, kTypo, kSwappedNames, kDayMonthSwap, kMissingBirthDate };
constexpr const char* kCorruptionNames[] = {"transliteration", "typo", "swapped_names",
                                            "day_month_swap", "missing_birth_date"};
constexpr double kCorruptionWeights[] = {25, 35, 15, 10, 15};
constexpr std::size_t kPoolSize = 256;

const std::vector<NameEntry>& list_of(const Culture& culture, NameList list) {
  switch (list) {
    case NameList::kFemale:
      return culture.female;
    case NameList::kMale:
      return culture.male;
    case NameList::kFamily:
      return culture.family;
    case NameList::kFemaleFamily:
      return culture.female_family;
  }
  return culture.family;
}

const NameEntry& entry_of(const Culture& culture, const NameRef& ref) {
  return list_of(culture, ref.list)[ref.index];
}

std::string family_text(const Culture& culture, const Identity& id, bool latin_only) {
  if (!id.family1.used) return {};
  auto form = [&](const NameRef& ref) {
    const NameEntry& entry = entry_of(culture, ref);
    return latin_only && ref.form >= entry.latin.size() ? entry.latin[0] : entry.form(ref.form);
  };
  std::string out;
  const auto prefix = id.female ? culture.data->patronymic_female : culture.data->patronymic_male;
  if (!prefix.empty()) out.append(prefix).append(" ");
  out += form(id.family1);
  if (id.family2.used) out.append(" ").append(form(id.family2));
  return out;
}

void render(const Culture& culture, Identity& id) {
  id.given_name = entry_of(culture, id.given).form(id.given.form);
  id.family_name = family_text(culture, id, false);
}

std::vector<std::size_t> code_points(const std::string& text) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  return starts;
}

char keyboard_neighbour(Rng& rng, char c) {
  static constexpr std::string_view kRows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
  const bool upper = c >= 'A' && c <= 'Z';
  const char lower = upper ? static_cast<char>(c - 'A' + 'a') : c;
  for (std::string_view row : kRows) {
    const auto at = row.find(lower);
    if (at == std::string_view::npos) continue;
    std::size_t to = at == 0                ? 1
                     : at + 1 == row.size() ? at - 1
                                            : (rng.chance(0.5) ? at - 1 : at + 1);
    return upper ? static_cast<char>(row[to] - 'a' + 'A') : row[to];
  }
  return c;
}

// One keying error: a letter dropped, doubled, swapped with its neighbour or mistyped.
bool typo(Rng& rng, std::string& text) {
  const auto starts = code_points(text);
  const std::size_t n = starts.size();
  if (n < 3) return false;
  auto piece = [&](std::size_t i) {
    const std::size_t end = i + 1 < n ? starts[i + 1] : text.size();
    return text.substr(starts[i], end - starts[i]);
  };
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::size_t i = rng.below(n);
    std::string out = text;
    switch (rng.below(4)) {
      case 0:
        if (n < 4) continue;
        out.erase(starts[i], piece(i).size());
        break;
      case 1:
        out.insert(starts[i], piece(i));
        break;
      case 2: {
        if (i + 1 >= n) continue;
        out = text.substr(0, starts[i]) + piece(i + 1) + piece(i) +
              text.substr(starts[i] + piece(i).size() + piece(i + 1).size());
        break;
      }
      default: {
        const std::string current = piece(i);
        std::string replacement = current.size() == 1
                                      ? std::string(1, keyboard_neighbour(rng, current[0]))
                                      : piece(rng.below(n));
        out.replace(starts[i], current.size(), replacement);
      }
    }
    if (out != text && !out.empty() && out.front() != ' ' && out.back() != ' ') {
      text = std::move(out);
      return true;
    }
  }
  return false;
}

std::vector<NameRef*> variable_parts(const Culture& culture, Identity& id) {
  std::vector<NameRef*> parts;
  for (NameRef* ref : {&id.given, &id.family1, &id.family2})
    if (ref->used && entry_of(culture, *ref).forms() > 1) parts.push_back(ref);
  return parts;
}

std::int64_t swapped_day_month(std::int64_t day) {
  const Civil c = civil_from_days(day);
  return days_from_civil(c.year, c.day, c.month);
}

std::vector<std::string> corrupt(Context& context, Identity& id) {
  Rng& rng = context.rng;
  const Culture& culture = context.world.cultures[id.culture];
  bool applicable[5] = {};
  applicable[kTransliteration] =
      !variable_parts(culture, id).empty() ||
      strip_diacritics(id.given_name + id.family_name) != id.given_name + id.family_name;
  applicable[kTypo] =
      code_points(id.given_name).size() >= 3 || code_points(id.family_name).size() >= 3;
  applicable[kSwappedNames] =
      !id.given_name.empty() && !id.family_name.empty() && id.given_name != id.family_name;
  if (id.birth != kNone) {
    const Civil c = civil_from_days(id.birth);
    applicable[kDayMonthSwap] =
        c.day <= 12 && c.day != c.month && swapped_day_month(id.birth) <= context.today;
    applicable[kMissingBirthDate] = true;
  }
  const double u = rng.unit();
  const int wanted = u < 0.6 ? 1 : u < 0.9 ? 2 : 3;
  bool chosen[5] = {};
  for (int k = 0; k < wanted; ++k) {
    double weights[5];
    for (int i = 0; i < 5; ++i) {
      const bool conflict = (i == kDayMonthSwap && chosen[kMissingBirthDate]) ||
                            (i == kMissingBirthDate && chosen[kDayMonthSwap]);
      weights[i] = applicable[i] && !chosen[i] && !conflict ? kCorruptionWeights[i] : 0;
    }
    if (weights[0] + weights[1] + weights[2] + weights[3] + weights[4] == 0) break;
    chosen[rng.weighted(weights)] = true;
  }
  std::vector<std::string> applied;
  if (chosen[kTransliteration]) {
    auto parts = variable_parts(culture, id);
    if (!parts.empty()) {
      NameRef& ref = *parts[rng.below(parts.size())];
      const auto forms = entry_of(culture, ref).forms();
      auto form = static_cast<std::uint8_t>(rng.below(forms - 1));
      ref.form = form >= ref.form ? static_cast<std::uint8_t>(form + 1) : form;
      render(culture, id);
    } else {
      id.given_name = strip_diacritics(id.given_name);
      id.family_name = strip_diacritics(id.family_name);
    }
    applied.push_back(kCorruptionNames[kTransliteration]);
  }
  if (chosen[kTypo]) {
    const bool given_ok = code_points(id.given_name).size() >= 3;
    const bool family_ok = code_points(id.family_name).size() >= 3;
    const bool on_given = given_ok && (!family_ok || rng.chance(0.5));
    if (typo(rng, on_given ? id.given_name : id.family_name))
      applied.push_back(kCorruptionNames[kTypo]);
  }
  if (chosen[kSwappedNames] && !id.given_name.empty() && !id.family_name.empty()) {
    std::swap(id.given_name, id.family_name);
    applied.push_back(kCorruptionNames[kSwappedNames]);
  }
  if (chosen[kDayMonthSwap]) {
    id.birth = swapped_day_month(id.birth);
    applied.push_back(kCorruptionNames[kDayMonthSwap]);
  }
  if (chosen[kMissingBirthDate]) {
    id.birth = kNone;
    if (rng.chance(0.5)) {
      const Civil born = civil_from_days(id.true_birth), now = civil_from_days(context.today);
      id.age_estimate =
          now.year - born.year - (now.month * 100 + now.day < born.month * 100 + born.day);
      id.estimated_on = context.today;
    }
    applied.push_back(kCorruptionNames[kMissingBirthDate]);
  }
  return applied;
}

std::uint8_t choose_form(Rng& rng, const NameEntry& entry, bool native) {
  if (native && !entry.native.empty()) return static_cast<std::uint8_t>(entry.latin.size());
  if (entry.latin.size() > 1 && rng.chance(0.2))
    return static_cast<std::uint8_t>(1 + rng.below(entry.latin.size() - 1));
  return 0;
}

Identity make_identity(Context& context, const PersonRequest& request, const Country& country) {
  Rng& rng = context.rng;
  const Culture& culture = context.world.cultures[request.culture];
  const CultureData& data = *culture.data;
  Identity id;
  id.culture = request.culture;
  id.female = request.female;
  const bool native = rng.chance(data.native_share);
  auto pick = [&](NameList list) {
    NameRef ref;
    ref.list = list;
    ref.index = static_cast<std::uint16_t>(rng.below(list_of(culture, list).size()));
    ref.form = choose_form(rng, list_of(culture, list)[ref.index], native);
    ref.used = true;
    return ref;
  };
  id.given = pick(request.female ? NameList::kFemale : NameList::kMale);
  if (!rng.chance(data.single_name_share)) {
    if (data.patronymic)
      id.family1 = pick(culture.family.empty() ? NameList::kMale : NameList::kFamily);
    else if (request.female && !culture.female_family.empty() && rng.chance(0.5))
      id.family1 = pick(NameList::kFemaleFamily);
    else
      id.family1 = pick(NameList::kFamily);
    if (!data.patronymic && rng.chance(data.double_surname_share)) {
      id.family2 = pick(NameList::kFamily);
      if (id.family2.index == id.family1.index && id.family1.list == NameList::kFamily)
        id.family2.used = false;
    }
  }
  render(culture, id);

  id.true_birth =
      years_before(request.reference_day, request.age) - static_cast<std::int64_t>(rng.below(365));
  double known = country.data->birth_date_known;
  if (request.role == Role::kSuspect) known *= 0.6;
  if (rng.chance(known)) {
    id.birth = id.true_birth;
  } else if (rng.chance(0.65)) {
    const Civil born = civil_from_days(id.true_birth), on = civil_from_days(request.estimate_day);
    int age = on.year - born.year - (on.month * 100 + on.day < born.month * 100 + born.day);
    if (rng.chance(0.3)) age += rng.chance(0.5) ? 1 : -1;
    id.age_estimate = std::max(age, 0);
    id.estimated_on = request.estimate_day;
  }
  if (rng.chance(request.role == Role::kVictim ? 0.3 : 0.5)) {
    for (char c : country.data->phone)
      id.phone += c == '#' ? static_cast<char>('0' + rng.below(10)) : c;
  }
  return id;
}

void add_alias(Json& aliases, const std::string& alias) {
  if (alias.empty()) return;
  for (const auto& a : aliases)
    if (a == alias) return;
  aliases.push_back(alias);
}

Json person_json(Context& context, const Identity& id, const PersonRequest& request,
                 const Country& country, bool duplicate) {
  Rng& rng = context.rng;
  const Culture& culture = context.world.cultures[id.culture];
  const Region& region = country.regions[request.region];
  Json person = Json::object();
  if (!id.given_name.empty()) person["given_name"] = id.given_name;
  if (!id.family_name.empty()) person["family_name"] = id.family_name;
  Json aliases = Json::array();
  const bool other_script = id.given.form >= entry_of(culture, id.given).latin.size();
  if (!duplicate && rng.chance(0.4) &&
      (other_script || !entry_of(culture, id.given).native.empty())) {
    // The name in the other script, as another agency recorded it.
    Identity other = id;
    for (NameRef* ref : {&other.given, &other.family1, &other.family2}) {
      if (!ref->used) continue;
      const NameEntry& entry = entry_of(culture, *ref);
      ref->form =
          other_script || entry.native.empty() ? 0 : static_cast<std::uint8_t>(entry.latin.size());
    }
    render(culture, other);
    add_alias(aliases, render_full_name(culture, other, false));
  }
  const double nickname = request.role == Role::kSuspect ? 0.45 : 0.15;
  const auto& nicknames = id.female ? culture.female_nicknames : culture.male_nicknames;
  if (!nicknames.empty() && rng.chance(nickname))
    add_alias(aliases, std::string(nicknames[rng.below(nicknames.size())]));
  if (!aliases.empty()) person["aliases"] = std::move(aliases);
  person["sex"] = id.female ? "female" : "male";
  if (id.birth != kNone) {
    person["birth_date"] = date_text(id.birth);
  } else if (id.age_estimate >= 0) {
    person["age_estimate"] = id.age_estimate;
    person["age_estimated_on"] = date_text(id.estimated_on);
  }
  if (!id.phone.empty() && (!duplicate || rng.chance(0.6))) person["phone"] = id.phone;
  if (rng.chance(request.role == Role::kVictim ? 0.5 : 0.3)) {
    const auto town = region.towns[rng.below(region.towns.size())];
    person["address"] = "House " + std::to_string(1 + rng.below(240)) + ", " + std::string(town) +
                        ", " + std::string(region.name);
  }
  person["nationality"] = culture.data->nationality;
  person["country"] = country.data->code;
  person["region"] = region.name;
  return person;
}

}  // namespace

std::string render_full_name(const Culture& culture, const Identity& id, bool latin_only) {
  const NameEntry& given = entry_of(culture, id.given);
  const std::string first(latin_only && id.given.form >= given.latin.size()
                              ? given.latin[0]
                              : given.form(id.given.form));
  const std::string family = family_text(culture, id, latin_only);
  if (family.empty()) return first;
  const bool joined =
      culture.data->native_joined && id.given.form >= given.latin.size() && !latin_only;
  const std::string space = joined ? "" : " ";
  return culture.data->family_first ? family + space + first : first + space + family;
}

Result<std::int64_t> create_person(Context& context, Org& org, const PersonRequest& request,
                                   std::vector<Identity>& new_identities) {
  const Country& country = context.world.countries[org.country];
  auto& pool = request.role == Role::kVictim ? org.victim_pool : org.other_pool;
  const std::uint64_t remaining = context.persons_target - context.persons_done;
  const std::uint64_t made = context.summary.duplicates.size();
  const std::uint64_t dups_left =
      context.duplicates_target > made ? context.duplicates_target - made : 0;
  const bool duplicate =
      !pool.empty() && dups_left > 0 &&
      (dups_left >= remaining ||
       context.rng.unit() * static_cast<double>(remaining) < static_cast<double>(dups_left));
  Identity id;
  std::vector<std::string> corruptions;
  if (duplicate) {
    id = pool[context.rng.below(pool.size())];
    corruptions = corrupt(context, id);
  } else {
    id = make_identity(context, request, country);
  }
  const Json fields = person_json(context, id, request, country, duplicate);
  auto record = context.writer.create(*context.specs.person, org.id, fields);
  HAVEN_TRY(record);
  ++context.persons_done;
  if (duplicate) {
    context.summary.duplicates.push_back({id.person_id, record->id, std::move(corruptions)});
  } else {
    id.person_id = record->id;
    new_identities.push_back(std::move(id));
  }
  return record->id;
}

// Called by the case group once its people are in: they become candidates for re-registration.
void remember_identities(Context& context, Org& org, std::vector<Identity>& victims,
                         std::vector<Identity>& others) {
  for (auto* group : {&victims, &others}) {
    auto& pool = group == &victims ? org.victim_pool : org.other_pool;
    for (Identity& id : *group) {
      if (id.given_name.empty()) continue;
      if (pool.size() < kPoolSize)
        pool.push_back(std::move(id));
      else
        pool[context.rng.below(kPoolSize)] = std::move(id);
    }
    group->clear();
  }
}

}  // namespace haven::demo
