// Organisations of each country (NGOs, police units, prosecutors, courts, shelters, labour
// inspectorates, social welfare offices) and their staff accounts.
#include <nlohmann/json.hpp>
#include <set>

#include "demo/generator.hpp"

namespace haven::demo {
namespace {

constexpr const char* kTypes[] = {
    "ngo", "police", "prosecutor", "court", "shelter", "labour_inspectorate", "social_welfare"};
constexpr double kTypeWeights[] = {30, 15, 12, 10, 12, 8, 13};
// How much casework each type of organisation carries.
constexpr double kCaseWeights[] = {45, 25, 10, 0, 8, 6, 6};

// Staff roles by organisation type, after the first user (always an org_admin).
std::vector<const char*> staff_roles(std::string_view type) {
  if (type == "ngo")
    return {"caseworker", "social_worker", "lawyer", "caseworker", "supervisor", "analyst"};
  if (type == "police") return {"investigator", "supervisor", "investigator", "analyst"};
  if (type == "prosecutor") return {"lawyer", "supervisor", "lawyer"};
  if (type == "court") return {"auditor", "analyst"};
  if (type == "shelter") return {"social_worker", "caseworker", "supervisor", "social_worker"};
  if (type == "labour_inspectorate") return {"investigator", "caseworker", "supervisor"};
  return {"social_worker", "caseworker", "supervisor"};
}

bool takes_cases(std::string_view role) {
  return role == "caseworker" || role == "social_worker" || role == "investigator" ||
         role == "lawyer" || role == "supervisor";
}

std::string fill(std::string_view pattern, std::string_view region, std::string_view town) {
  std::string out(pattern);
  for (auto [key, value] : {std::pair{std::string_view("{region}"), region}, {"{town}", town}}) {
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key))
      out.replace(at, key.size(), value);
  }
  return out;
}

std::string org_name(Context& context, const Country& country, std::size_t type,
                     const Region& region, std::string_view town) {
  const CountryData& data = *country.data;
  std::string_view pattern;
  switch (type) {
    case 0:
      pattern = country.ngos[context.rng.below(country.ngos.size())];
      break;
    case 1:
      pattern = data.police;
      break;
    case 2:
      pattern = data.prosecutor;
      break;
    case 3:
      pattern = data.court;
      break;
    case 4:
      pattern = data.shelter;
      break;
    case 5:
      pattern = data.labour;
      break;
    default:
      pattern = data.welfare;
      break;
  }
  return fill(pattern, region.name, town);
}

Status create_staff(Context& context, Org& org, const Country& country,
                    const std::string& password_hash, std::set<std::string>& usernames,
                    bool system_admin) {
  const auto roles = staff_roles(org.type);
  const std::size_t count = 3 + context.rng.below(4) + (system_admin ? 1 : 0);
  for (std::size_t i = 0; i < count; ++i) {
    User user;
    user.org_id = org.id;
    user.display_name = staff_name(context, country);
    if (system_admin && i == count - 1)
      user.roles = {"system_admin"};
    else if (i == 0)
      user.roles = {"org_admin"};
    else
      user.roles = {roles[(i - 1) % roles.size()]};
    user.password_hash = password_hash;
    std::string base;
    for (std::string_view part : split(user.display_name, ' ')) {
      const std::string folded = ascii_fold(part);
      if (folded.empty()) continue;
      base += (base.empty() ? "" : ".") + folded;
    }
    if (base.empty()) base = "user";
    if (user.roles[0] == "system_admin") base = "admin";
    base += "." + std::to_string(org.id);
    user.username = base;
    for (int n = 2; !usernames.insert(user.username).second; ++n)
      user.username = base + "." + std::to_string(n);
    auto created = context.writer.create_user(user);
    HAVEN_TRY(created);
    if (user.roles[0] == "system_admin") context.summary.admin_username = user.username;
    if (takes_cases(user.roles[0])) {
      org.case_staff.push_back(created->id);
      org.staff_names.push_back(user.display_name);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string staff_name(Context& context, const Country& country) {
  const std::size_t ci = country.cultures.items[context.rng.weighted(country.cultures.weights)];
  const Culture& culture = context.world.cultures[ci];
  const bool female = context.rng.chance(0.55);
  const auto& given_list = female ? culture.female : culture.male;
  std::string given(given_list[context.rng.below(given_list.size())].latin[0]);
  std::string family;
  if (culture.data->patronymic) {
    const auto& fathers = culture.family.empty() ? culture.male : culture.family;
    const auto& father = fathers[context.rng.below(fathers.size())].latin[0];
    const auto prefix = female ? culture.data->patronymic_female : culture.data->patronymic_male;
    family = prefix.empty() ? std::string(father) : std::string(prefix) + " " + std::string(father);
  } else {
    family = culture.family[context.rng.below(culture.family.size())].latin[0];
  }
  return culture.data->family_first ? family + " " + given : given + " " + family;
}

Status create_organisations(Context& context, std::size_t count, const std::string& password_hash) {
  const World& world = context.world;
  const std::size_t countries = world.countries.size();
  double share_total = 0;
  for (double w : world.country_weights) share_total += w;
  // At least an NGO and a police unit per country; the rest by each country's share of cases.
  std::vector<std::size_t> per_country(countries, 2);
  std::size_t assigned = 2 * countries;
  for (std::size_t c = 0; c < countries && count > assigned; ++c) {
    const auto extra = static_cast<std::size_t>(static_cast<double>(count - 2 * countries) *
                                                world.country_weights[c] / share_total);
    per_country[c] += extra;
    assigned += extra;
  }
  for (std::size_t c = 0; assigned < count; c = (c + 1) % countries, ++assigned) ++per_country[c];

  context.case_orgs.assign(countries, {});
  context.case_org_weights.assign(countries, {});
  std::set<std::string> names, usernames;
  Json fields = Json::object();
  for (std::size_t c = 0; c < countries; ++c) {
    const Country& country = world.countries[c];
    for (std::size_t k = 0; k < per_country[c]; ++k) {
      const std::size_t type = k < 2 ? k : context.rng.weighted(kTypeWeights);
      Org org;
      org.country = c;
      org.region = context.rng.below(country.regions.size());
      org.type = kTypes[type];
      const Region& region = country.regions[org.region];
      const auto town = region.towns[context.rng.below(region.towns.size())];
      org.name = org_name(context, country, type, region, town);
      for (int n = 2; names.count(org.name) > 0; ++n)
        org.name = org_name(context, country, type, region, town) + " " + std::to_string(n);
      names.insert(org.name);

      fields = Json::object();
      fields["name"] = org.name;
      fields["type"] = org.type;
      fields["country"] = country.data->code;
      fields["region"] = region.name;
      const double r = context.rng.unit();
      if (r < 0.25)
        fields["restored_threshold"] = 3;
      else if (r < 0.3)
        fields["restored_threshold"] = 4;
      auto record = context.writer.create(*context.specs.organisation, 0, fields);
      HAVEN_TRY(record);
      org.id = record->id;
      HAVEN_TRY(
          create_staff(context, org, country, password_hash, usernames, context.orgs.empty()));
      if (kCaseWeights[type] > 0 && !org.case_staff.empty()) {
        context.case_orgs[c].push_back(context.orgs.size());
        context.case_org_weights[c].push_back(kCaseWeights[type]);
      }
      context.orgs.push_back(std::move(org));
    }
  }
  return context.writer.checkpoint();
}

}  // namespace haven::demo
