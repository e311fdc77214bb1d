#include "demo/world.hpp"

#include <algorithm>
#include <charconv>

#include "core/schema.hpp"

namespace haven::demo {
namespace {

std::vector<NameEntry> parse_names(std::string_view text) {
  std::vector<NameEntry> out;
  for (std::string_view item : split(text, ',')) {
    item = trim_view(item);
    if (item.empty()) continue;
    NameEntry entry;
    const auto eq = item.find('=');
    if (eq != std::string_view::npos) entry.native = trim_view(item.substr(eq + 1));
    for (std::string_view spelling : split(item.substr(0, eq), '/'))
      if (!trim_view(spelling).empty()) entry.latin.push_back(trim_view(spelling));
    out.push_back(std::move(entry));
  }
  return out;
}

bool parse_weighted(const World& world, std::string_view text, Weighted& out, std::string& error) {
  for (std::string_view item : split(text, ',')) {
    item = trim_view(item);
    if (item.empty()) continue;
    const auto colon = item.find(':');
    const std::size_t culture = world.culture_index(trim_view(item.substr(0, colon)));
    double weight = 1;
    if (colon != std::string_view::npos) {
      const std::string_view number = trim_view(item.substr(colon + 1));
      int value = 0;
      if (std::from_chars(number.data(), number.data() + number.size(), value).ec != std::errc())
        value = 0;
      weight = value;
    }
    if (culture == SIZE_MAX || weight <= 0) {
      error = "bad culture weight '" + std::string(item) + "'";
      return false;
    }
    out.items.push_back(culture);
    out.weights.push_back(weight);
  }
  return true;
}

std::size_t form_index(std::string_view form) {
  const auto& forms = choices::kExploitationForms;
  return static_cast<std::size_t>(std::find(forms.begin(), forms.end(), form) - forms.begin());
}

std::vector<std::string_view> list(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (std::string_view item : split(text, separator))
    if (!trim_view(item).empty()) out.push_back(trim_view(item));
  return out;
}

bool parse_country(const World& world, const CountryData& data, Country& country,
                   std::string& error) {
  country.data = &data;
  for (std::string_view item : list(data.regions, ';')) {
    const auto colon = item.find(':');
    Region region;
    region.name = trim_view(item.substr(0, colon));
    if (colon != std::string_view::npos) region.towns = list(item.substr(colon + 1), '/');
    if (region.towns.empty()) region.towns.push_back(region.name);
    country.regions.push_back(std::move(region));
  }
  auto region_index = [&](std::string_view name) {
    for (std::size_t i = 0; i < country.regions.size(); ++i)
      if (country.regions[i].name == name) return i;
    error = std::string(data.code) + ": unknown region '" + std::string(name) + "'";
    return SIZE_MAX;
  };
  for (std::string_view item : list(data.region_cultures, ';')) {
    const auto eq = item.find('=');
    const std::size_t region = region_index(trim_view(item.substr(0, eq)));
    if (region == SIZE_MAX) return false;
    country.regions[region].culture = world.culture_index(trim_view(item.substr(eq + 1)));
    if (country.regions[region].culture == SIZE_MAX) {
      error = std::string(data.code) + ": unknown culture in '" + std::string(item) + "'";
      return false;
    }
  }
  if (!parse_weighted(world, data.cultures, country.cultures, error)) return false;
  for (std::string_view item : list(data.form_cultures, ';')) {
    const auto eq = item.find('=');
    const std::size_t form = form_index(trim_view(item.substr(0, eq)));
    if (form >= kForms || eq == std::string_view::npos) {
      error = std::string(data.code) + ": bad form culture '" + std::string(item) + "'";
      return false;
    }
    if (!parse_weighted(world, item.substr(eq + 1), country.form_cultures[form], error))
      return false;
  }
  for (std::string_view item : list(data.hotspots, ';')) {
    const auto eq = item.find('=');
    const std::size_t form = form_index(trim_view(item.substr(0, eq)));
    if (form >= kForms || eq == std::string_view::npos) {
      error = std::string(data.code) + ": bad hotspot '" + std::string(item) + "'";
      return false;
    }
    for (std::string_view name : list(item.substr(eq + 1), '|')) {
      const std::size_t region = region_index(name);
      if (region == SIZE_MAX) return false;
      country.hotspots[form].push_back(region);
    }
  }
  country.ngos = list(data.ngos, ';');
  country.trafficking_law = list(data.trafficking_law, ';');
  country.labour_law = list(data.labour_law, ';');
  country.sexual_law = list(data.sexual_law, ';');
  country.child_law = list(data.child_law, ';');
  country.partners = list(data.partners, ';');
  if (country.regions.empty() || country.cultures.empty() || country.ngos.empty() ||
      country.trafficking_law.empty()) {
    error = std::string(data.code) + ": regions, cultures, NGOs and laws are required";
    return false;
  }
  return true;
}

}  // namespace

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string_view trim_view(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  return text;
}

std::size_t World::culture_index(std::string_view id) const {
  for (std::size_t i = 0; i < cultures.size(); ++i)
    if (cultures[i].data->id == id) return i;
  return SIZE_MAX;
}

World build_world(std::string& error) {
  World world;
  for (auto table : {asian_cultures(), other_cultures()})
    for (const CultureData& data : table)
      world.cultures.push_back(Culture{&data, {}, {}, {}, {}, {}, {}});
  for (Culture& culture : world.cultures) {
    const CultureData* names = culture.data;
    if (!names->names_of.empty()) {
      const std::size_t source = world.culture_index(names->names_of);
      if (source == SIZE_MAX) {
        error = "culture " + std::string(names->id) + " borrows unknown names";
        return world;
      }
      names = world.cultures[source].data;
    }
    culture.female = parse_names(names->female);
    culture.male = parse_names(names->male);
    culture.family = parse_names(names->family);
    culture.female_family = parse_names(names->female_family);
    for (std::string_view nickname : list(names->nicknames, ',')) {
      const bool female = nickname.starts_with("f:"), male = nickname.starts_with("m:");
      if (female || male) nickname.remove_prefix(2);
      if (!male) culture.female_nicknames.push_back(nickname);
      if (!female) culture.male_nicknames.push_back(nickname);
    }
    if (culture.female.empty() || culture.male.empty() ||
        (culture.family.empty() && !culture.data->patronymic)) {
      error = "culture " + std::string(culture.data->id) + " lacks names";
      return world;
    }
  }
  for (const CountryData& data : country_data()) {
    Country country;
    if (!parse_country(world, data, country, error)) return world;
    world.countries.push_back(std::move(country));
    world.country_weights.push_back(data.case_share);
  }
  return world;
}

}  // namespace haven::demo
