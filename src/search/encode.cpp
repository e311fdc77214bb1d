// Person fields and queries to keyed encodings.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/core.hpp"
#include "search/search.hpp"

namespace haven::search {
namespace {

struct Civil {
  int year, month, day;
};

Civil civil_from_days(std::int64_t z) {  // H. Hinnant's algorithm
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// What encoding needs while it works: plaintext years for the blocking keys.
struct Draft {
  std::vector<std::vector<std::string>> names;
  std::uint8_t nicknames = 0;
  std::vector<int> years;
  std::string date, swapped, phone;
};

Result<std::string> string_field(const Json& fields, const char* name) {
  const auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return invalid(std::string(name) + " must be text", std::string("/") + name);
  return it->get<std::string>();
}

Result<std::vector<std::string>> tokens_of(const Normaliser& normaliser, const std::string& text,
                                           const std::string& pointer) {
  auto tokens = normaliser.name_tokens(text);
  if (!tokens.ok()) return invalid(tokens.error().message, pointer);
  return tokens;
}

// Names: given + family as one name, `name` (free text) as another, aliases after them.
Status read_names(const Json& fields, const Normaliser& normaliser, bool query, Draft& draft) {
  std::vector<std::string> full;
  for (const char* part : {"given_name", "family_name"}) {
    auto text = string_field(fields, part);
    HAVEN_TRY(text);
    if (text->empty()) continue;
    auto tokens = tokens_of(normaliser, *text, std::string("/") + part);
    HAVEN_TRY(tokens);
    full.insert(full.end(), tokens->begin(), tokens->end());
  }
  if (!full.empty()) draft.names.push_back(std::move(full));
  if (query) {
    auto text = string_field(fields, "name");
    HAVEN_TRY(text);
    if (!text->empty()) {
      auto tokens = tokens_of(normaliser, *text, "/name");
      HAVEN_TRY(tokens);
      draft.names.push_back(std::move(*tokens));
    }
  }
  const auto aliases = fields.find("aliases");
  if (aliases != fields.end() && !aliases->is_null()) {
    if (!aliases->is_array()) return invalid("aliases must be a list of names", "/aliases");
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      const Json& alias = (*aliases)[i];
      const std::string pointer = "/aliases/" + std::to_string(i);
      if (!alias.is_string()) return invalid("an alias must be text", pointer);
      auto tokens = normaliser.name_tokens(alias.get<std::string>());
      if (!tokens.ok()) {
        if (!is_valid_utf8(alias.get<std::string>()))
          return invalid(tokens.error().message, pointer);
        continue;  // an alias without letters says nothing: left out
      }
      if (draft.names.size() == kMaxNames) continue;
      if (tokens->size() == 1)
        draft.nicknames |= static_cast<std::uint8_t>(1u << draft.names.size());
      draft.names.push_back(std::move(*tokens));
    }
  }
  return Status::Ok();
}

Status read_birth(const Json& fields, const SearchKey& key, BirthEncoding& birth, Draft& draft) {
  auto date = string_field(fields, "birth_date");
  HAVEN_TRY(date);
  if (!date->empty()) {
    const auto days = parse_date(*date);
    if (!days) return invalid("birth_date must be a real date, YYYY-MM-DD", "/birth_date");
    const Civil c = civil_from_days(*days);
    draft.date = std::to_string(c.year) + "-" + two(c.month) + "-" + two(c.day);
    birth.date = key.digest("birth_date", draft.date);
    if (c.day <= 12 && c.day != c.month) {
      draft.swapped = std::to_string(c.year) + "-" + two(c.day) + "-" + two(c.month);
      birth.swapped = key.digest("birth_date", draft.swapped);
    }
    draft.years = {c.year};
  } else if (fields.contains("age_estimate") && !fields["age_estimate"].is_null()) {
    const Json& age = fields["age_estimate"];
    if (!age.is_number_integer() || age.get<std::int64_t>() < 0 || age.get<std::int64_t>() > 150)
      return invalid("age_estimate must be whole years, 0 to 150", "/age_estimate");
    auto on = string_field(fields, "age_estimated_on");
    HAVEN_TRY(on);
    if (on->empty()) return Status::Ok();  // an age without its date places no birth year
    const auto days = parse_date(*on);
    if (!days)
      return invalid("age_estimated_on must be a real date, YYYY-MM-DD", "/age_estimated_on");
    // Born in y0 or y0-1 if the estimate is right; one year either side for estimates off by one.
    const int y0 = civil_from_days(*days).year - static_cast<int>(age.get<std::int64_t>());
    draft.years = {y0 - 2, y0 - 1, y0, y0 + 1};
    birth.approximate = true;
  }
  for (int year : draft.years)
    birth.years[birth.year_count++] = key.digest("birth_year", std::to_string(year));
  return Status::Ok();
}

Status read_contact(const Json& fields, const SearchKey& key, const Normaliser& normaliser,
                    bool query, std::uint32_t& sex, std::uint32_t& phone,
                    std::vector<std::uint32_t>& places, Draft& draft) {
  auto sex_text = string_field(fields, "sex");
  HAVEN_TRY(sex_text);
  if (*sex_text == "female" || *sex_text == "male") sex = key.digest("sex", *sex_text);
  auto phone_text = string_field(fields, "phone");
  HAVEN_TRY(phone_text);
  std::string digits;
  for (char c : *phone_text)
    if (c >= '0' && c <= '9') digits += c;
  // Numbers are written with and without country code and trunk prefix: the last 9 digits are
  // the subscriber's number in every numbering plan Haven's countries use.
  if (digits.size() >= 6) {
    draft.phone = digits.substr(digits.size() > 9 ? digits.size() - 9 : 0);
    phone = key.digest("phone", draft.phone);
  }
  std::vector<std::string> tokens;
  for (const char* name : {"address", "location"}) {
    if (!query && std::string_view(name) == "location") continue;
    auto text = string_field(fields, name);
    HAVEN_TRY(text);
    for (auto& token : normaliser.place_tokens(*text))
      if (std::find(tokens.begin(), tokens.end(), token) == tokens.end()) tokens.push_back(token);
  }
  if (tokens.size() > kMaxPlaces) tokens.resize(kMaxPlaces);
  for (const auto& token : tokens) places.push_back(key.digest("place", token));
  return Status::Ok();
}

std::vector<std::uint64_t> blocking_keys(const Draft& draft, const SearchKey& key) {
  std::vector<std::uint64_t> keys;
  std::vector<std::string> codes;
  for (const auto& name : draft.names)
    for (const auto& token : name) {
      std::string code = phonetic_code(token);
      if (!code.empty() && std::find(codes.begin(), codes.end(), code) == codes.end())
        codes.push_back(std::move(code));
    }
  for (const auto& code : codes) {
    keys.push_back(key.blocking_key("phonetic", code));
    for (int year : draft.years)
      keys.push_back(key.blocking_key("phonetic+year", code + "/" + std::to_string(year)));
  }
  if (!draft.date.empty()) keys.push_back(key.blocking_key("birth_date", draft.date));
  if (!draft.phone.empty()) keys.push_back(key.blocking_key("phone", draft.phone));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

Result<PersonEncodings> encode_person(const Json& fields, const SearchKey& key,
                                      const Normaliser& normaliser) {
  if (!fields.is_object()) return invalid("a person is a JSON object of fields");
  Draft draft;
  PersonEncodings out;
  HAVEN_TRY(read_names(fields, normaliser, false, draft));
  HAVEN_TRY(read_birth(fields, key, out.birth, draft));
  HAVEN_TRY(read_contact(fields, key, normaliser, false, out.sex, out.phone, out.places, draft));
  for (const auto& name : draft.names) out.names.push_back(key.clk(name));
  out.nicknames = draft.nicknames;
  out.blocking_keys = blocking_keys(draft, key);
  return out;
}

Result<QueryEncodings> encode_query(const Json& query, const SearchKey& key,
                                    const Normaliser& normaliser, std::int64_t today) {
  if (!query.is_object()) return invalid("a query is a JSON object of fields");
  Draft draft;
  QueryEncodings out;
  HAVEN_TRY(read_names(query, normaliser, true, draft));
  HAVEN_TRY(read_birth(query, key, out.birth, draft));
  HAVEN_TRY(read_contact(query, key, normaliser, true, out.sex, out.phone, out.places, draft));
  if (out.birth.year_count == 0 && query.contains("birth_year") && !query["birth_year"].is_null()) {
    const Json& year = query["birth_year"];
    if (!year.is_number_integer() || year.get<std::int64_t>() < 1850 ||
        year.get<std::int64_t>() > 2200)
      return invalid("birth_year must be a year, 1850 to 2200", "/birth_year");
    draft.years = {static_cast<int>(year.get<std::int64_t>())};
    out.birth.years[0] = key.digest("birth_year", std::to_string(draft.years[0]));
    out.birth.year_count = 1;
    out.year_only = true;
  }
  const bool has_min = query.contains("age_min") && !query["age_min"].is_null();
  const bool has_max = query.contains("age_max") && !query["age_max"].is_null();
  if (out.birth.year_count == 0 && (has_min || has_max)) {
    auto age = [&](const char* name) -> Result<int> {
      const Json& value = query[name];
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
          value.get<std::int64_t>() > 150)
        return invalid(std::string(name) + " must be whole years, 0 to 150",
                       std::string("/") + name);
      return static_cast<int>(value.get<std::int64_t>());
    };
    auto low = age(has_min ? "age_min" : "age_max");
    HAVEN_TRY(low);
    auto high = age(has_max ? "age_max" : "age_min");
    HAVEN_TRY(high);
    if (*low > *high) return invalid("age_min must not be above age_max", "/age_min");
    if (*high - *low > kMaxAgeRangeYears)
      return invalid("an age range spans at most " + std::to_string(kMaxAgeRangeYears) + " years",
                     "/age_max");
    const int this_year = civil_from_days(today).year;
    draft.years.clear();
    for (int year = this_year - *high - 1; year <= this_year - *low; ++year) {
      draft.years.push_back(year);
      out.range_years.push_back(key.digest("birth_year", std::to_string(year)));
    }
  }
  for (const auto& name : draft.names) out.names.push_back(key.clk(name));
  out.nicknames = draft.nicknames;
  out.blocking_keys = blocking_keys(draft, key);
  if (!draft.swapped.empty())
    out.blocking_keys.push_back(key.blocking_key("birth_date", draft.swapped));
  if (out.names.empty() && out.birth.year_count == 0 && out.range_years.empty() && out.sex == 0 &&
      out.phone == 0 && out.places.empty())
    return invalid(
        "say what to look for: a name, birth date or year, age range, sex, phone or place");
  return out;
}

}  // namespace haven::search
