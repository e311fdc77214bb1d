// The linkage specification: parsed strictly (an unknown key is a typo the user should hear
// about, not a setting silently ignored), every error naming its JSON location.
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "link/link.hpp"

namespace haven::link {
namespace {

struct LevelType {
  const char* name;
  Level::Kind kind;
  const char* bound;  // "min", "max", "field" or nullptr
};
constexpr LevelType kLevelTypes[] = {
    {"exact", Level::Kind::kExact, nullptr},
    {"jaro_winkler", Level::Kind::kJaroWinkler, "min"},
    {"jaro", Level::Kind::kJaro, "min"},
    {"levenshtein", Level::Kind::kLevenshtein, "max"},
    {"phonetic", Level::Kind::kPhonetic, nullptr},
    {"swapped_with", Level::Kind::kSwappedWith, "field"},
    {"date_swap", Level::Kind::kDateSwap, nullptr},
    {"same_year", Level::Kind::kDateYear, nullptr},
    {"within_days", Level::Kind::kDateWithin, "max"},
    {"numeric", Level::Kind::kNumericAbs, "max"},
    {"numeric_relative", Level::Kind::kNumericRel, "max"},
    {"token_overlap", Level::Kind::kTokenOverlap, nullptr},
};

constexpr std::pair<const char*, Normalise> kNormalise[] = {
    {"none", Normalise::kNone}, {"lower", Normalise::kLower},
    {"name", Normalise::kName}, {"digits", Normalise::kDigits},
    {"date", Normalise::kDate}, {"iso_date", Normalise::kIsoDate}};

constexpr std::pair<const char*, LinkType> kLinkTypes[] = {
    {"link_only", LinkType::kLinkOnly},
    {"dedupe_only", LinkType::kDedupeOnly},
    {"link_and_dedupe", LinkType::kLinkAndDedupe}};

std::string known_level_types() {
  std::string out;
  for (const auto& t : kLevelTypes) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

Status only_keys(const Json& object, std::initializer_list<const char*> keys,
                 const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) {
      std::string list;
      for (const char* k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
      return invalid("unknown key \"" + key + "\"; accepted: " + list, where + "/" + key);
    }
  }
  return Status::Ok();
}

template <class T>
Status read_number(const Json& object, const char* key, T& out, double low, double high,
                   const std::string& where) {
  if (!object.contains(key)) return Status::Ok();
  const Json& v = object.at(key);
  if (!v.is_number()) return invalid(std::string(key) + " must be a number", where + "/" + key);
  const double d = v.get<double>();
  if (!(d >= low && d <= high))
    return invalid(std::string(key) + " must be between " + std::to_string(low) + " and " +
                       std::to_string(high),
                   where + "/" + key);
  out = static_cast<T>(d);
  return Status::Ok();
}

std::string default_label(const Level& level) {
  std::ostringstream out;
  switch (level.kind) {
    case Level::Kind::kExact:
      return "exact";
    case Level::Kind::kJaroWinkler:
      out << "Jaro-Winkler >= " << level.threshold;
      break;
    case Level::Kind::kJaro:
      out << "Jaro >= " << level.threshold;
      break;
    case Level::Kind::kLevenshtein:
      out << "edit distance <= " << level.threshold;
      break;
    case Level::Kind::kPhonetic:
      return "same phonetic code";
    case Level::Kind::kSwappedWith:
      if (level.threshold < 1) {
        out << "swapped with " << level.other << ", Jaro-Winkler >= " << level.threshold;
        break;
      }
      return "swapped with " + level.other;
    case Level::Kind::kDateSwap:
      return "day and month swapped";
    case Level::Kind::kDateYear:
      return "same year";
    case Level::Kind::kDateWithin:
      out << "within " << level.threshold << " days";
      break;
    case Level::Kind::kNumericAbs:
      out << "within " << level.threshold;
      break;
    case Level::Kind::kNumericRel:
      out << "within " << level.threshold * 100 << "%";
      break;
    case Level::Kind::kTokenOverlap:
      return "a word in common";
  }
  return out.str();
}

Result<Level> parse_level(const Json& json, const std::string& where) {
  if (!json.is_object() || !json.contains("type") || !json.at("type").is_string())
    return invalid("a level is an object with a \"type\" (" + known_level_types() + ")", where);
  const std::string type = json.at("type").get<std::string>();
  const LevelType* found = nullptr;
  for (const auto& t : kLevelTypes)
    if (type == t.name) found = &t;
  if (!found)
    return invalid("unknown level type \"" + type + "\"; accepted: " + known_level_types(),
                   where + "/type");
  Level level;
  level.kind = found->kind;
  if (found->bound == nullptr) {
    HAVEN_TRY(only_keys(json, {"type", "label"}, where));
  } else if (std::string(found->bound) == "field") {
    HAVEN_TRY(only_keys(json, {"type", "field", "min", "label", "duckdb"}, where));
    if (!json.contains("field") || !json.at("field").is_string())
      return invalid("level " + type + " needs \"field\": the field it is swapped with", where);
    level.other = json.at("field").get<std::string>();
    // Without "min" the swap must be exact; with it a typo in a swapped name still counts.
    level.threshold = 1;
    if (json.contains("min")) HAVEN_TRY(read_number(json, "min", level.threshold, 0.5, 1.0, where));
  } else {
    const char* bound = found->bound;
    const bool similarity =
        level.kind == Level::Kind::kJaroWinkler || level.kind == Level::Kind::kJaro;
    if (similarity)
      HAVEN_TRY(only_keys(json, {"type", bound, "label", "duckdb"}, where));
    else
      HAVEN_TRY(only_keys(json, {"type", bound, "label"}, where));
    if (!json.contains(bound)) return invalid("level " + type + " needs \"" + bound + "\"", where);
    HAVEN_TRY(read_number(json, bound, level.threshold, similarity ? 0.0 : 0.0,
                          similarity ? 1.0 : 1e12, where));
  }
  if (json.contains("duckdb")) {  // Splink's models: similarities as DuckDB computes them
    if (!json.at("duckdb").is_boolean())
      return invalid("duckdb must be true or false", where + "/duckdb");
    level.duckdb = json.at("duckdb").get<bool>();
  }
  if (json.contains("label")) {
    if (!json.at("label").is_string()) return invalid("label must be a string", where + "/label");
    level.label = json.at("label").get<std::string>();
  } else {
    level.label = default_label(level);
  }
  return level;
}

// "phonetic(surname)", "first(postcode,2)", "year(date_of_birth)", "surname".
Result<BlockingKey> parse_key(std::string text, const std::map<std::string, std::size_t>& fields,
                              const std::string& where) {
  auto trim = [](std::string s) {
    const auto a = s.find_first_not_of(" \t");
    const auto b = s.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  text = trim(text);
  BlockingKey key;
  std::string field = text;
  std::string argument;  // first(f,N) / last(f,N): N; pair(f,g): g
  const auto open = text.find('(');
  if (open != std::string::npos) {
    if (text.back() != ')')
      return invalid("\"" + text + "\" is missing its closing parenthesis", where);
    const std::string function = trim(text.substr(0, open));
    std::string inner = text.substr(open + 1, text.size() - open - 2);
    const auto comma = inner.find(',');
    if (comma != std::string::npos)
      argument = trim(inner.substr(comma + 1)), inner = inner.substr(0, comma);
    field = trim(inner);
    if (function == "phonetic")
      key.transform = BlockingKey::Transform::kPhonetic;
    else if (function == "year")
      key.transform = BlockingKey::Transform::kYear;
    else if (function == "pair")
      key.transform = BlockingKey::Transform::kPair;
    else if (function == "first" || function == "last") {
      key.transform =
          function == "first" ? BlockingKey::Transform::kFirst : BlockingKey::Transform::kLast;
      int n = 0;
      for (char c : argument)
        n = std::isdigit(static_cast<unsigned char>(c)) && n < 1000 ? n * 10 + (c - '0') : -1;
      if (argument.empty() || n <= 0)
        return invalid(function + "(field, N) needs a length N of at least 1 in \"" + text + "\"",
                       where);
      key.length = n;
    } else {
      return invalid("unknown blocking function \"" + function +
                         "\"; accepted: phonetic(f), first(f,N), last(f,N), year(f), pair(f,g)",
                     where);
    }
    if ((key.transform == BlockingKey::Transform::kPhonetic ||
         key.transform == BlockingKey::Transform::kYear) &&
        !argument.empty())
      return invalid(function + " takes one field in \"" + text + "\"", where);
  }
  const auto it = fields.find(field);
  if (it == fields.end())
    return invalid(
        "blocking rule names \"" + field + "\", which is not a field of the specification", where);
  key.field = it->second;
  if (key.transform == BlockingKey::Transform::kPair) {
    const auto other = fields.find(argument);
    if (other == fields.end() || other->second == key.field)
      return invalid(
          "pair(f, g) needs two different fields of the specification in \"" + text + "\"", where);
    key.other = other->second;
  }
  return key;
}

}  // namespace

Result<LinkSpec> parse_spec(const Json& json) {
  if (!json.is_object()) return invalid("a linkage specification is a JSON object", "");
  HAVEN_TRY(
      only_keys(json,
                {"link_type", "training", "id_column", "fields", "blocking", "max_block_pairs",
                 "max_pairs", "threshold", "review_from", "cluster_density", "u_sample_pairs",
                 "em_convergence", "em_max_iterations", "seed"},
                ""));
  LinkSpec spec;
  if (json.contains("link_type")) {
    const Json& v = json.at("link_type");
    bool found = false;
    for (const auto& [name, type] : kLinkTypes)
      if (v.is_string() && v.get<std::string>() == name) spec.link_type = type, found = true;
    if (!found)
      return invalid("link_type must be link_only, dedupe_only or link_and_dedupe", "/link_type");
  }
  if (json.contains("training")) {
    const Json& v = json.at("training");
    if (v.is_string() && v.get<std::string>() == "candidates")
      spec.training = Training::kCandidates;
    else if (v.is_string() && v.get<std::string>() == "per_rule")
      spec.training = Training::kPerRule;
    else
      return invalid("training must be candidates or per_rule", "/training");
  }
  if (json.contains("id_column")) {
    if (!json.at("id_column").is_string())
      return invalid("id_column must be a column name", "/id_column");
    spec.id_column = json.at("id_column").get<std::string>();
  }
  HAVEN_TRY(read_number(json, "max_block_pairs", spec.max_block_pairs, 1, 1e12, ""));
  HAVEN_TRY(read_number(json, "max_pairs", spec.max_pairs, 1, 1e13, ""));
  HAVEN_TRY(read_number(json, "threshold", spec.threshold, 1e-9, 1, ""));
  HAVEN_TRY(read_number(json, "review_from", spec.review_from, 0, 1, ""));
  HAVEN_TRY(read_number(json, "cluster_density", spec.cluster_density, 0, 1, ""));
  HAVEN_TRY(read_number(json, "u_sample_pairs", spec.u_sample_pairs, 1000, 1e9, ""));
  HAVEN_TRY(read_number(json, "em_convergence", spec.em_convergence, 1e-12, 0.1, ""));
  HAVEN_TRY(read_number(json, "em_max_iterations", spec.em_max_iterations, 1, 10000, ""));
  HAVEN_TRY(read_number(json, "seed", spec.seed, 0, 9e15, ""));
  if (spec.review_from > spec.threshold)
    return invalid("review_from must not be above threshold", "/review_from");

  if (!json.contains("fields") || !json.at("fields").is_array() || json.at("fields").empty())
    return invalid("fields must be a non-empty array of fields to compare", "/fields");
  std::map<std::string, std::size_t> index;
  const Json& fields = json.at("fields");
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string where = "/fields/" + std::to_string(i);
    const Json& f = fields[i];
    if (!f.is_object()) return invalid("a field is an object", where);
    HAVEN_TRY(only_keys(f, {"name", "column", "normalise", "levels", "term_frequency"}, where));
    FieldSpec field;
    if (!f.contains("name") || !f.at("name").is_string() || f.at("name").get<std::string>().empty())
      return invalid("a field needs a \"name\"", where);
    field.name = f.at("name").get<std::string>();
    if (index.count(field.name))
      return invalid("field \"" + field.name + "\" is defined twice", where + "/name");
    field.column = field.name;
    if (f.contains("column")) {
      if (!f.at("column").is_string()) return invalid("column must be a string", where + "/column");
      field.column = f.at("column").get<std::string>();
    }
    if (f.contains("normalise")) {
      bool found = false;
      for (const auto& [name, n] : kNormalise)
        if (f.at("normalise").is_string() && f.at("normalise").get<std::string>() == name)
          field.normalise = n, found = true;
      if (!found)
        return invalid("normalise must be none, lower, name, digits or date", where + "/normalise");
    }
    if (f.contains("term_frequency")) {
      if (!f.at("term_frequency").is_boolean())
        return invalid("term_frequency must be true or false", where + "/term_frequency");
      field.term_frequency = f.at("term_frequency").get<bool>();
    }
    if (!f.contains("levels") || !f.at("levels").is_array() || f.at("levels").empty())
      return invalid("a field needs \"levels\": an array of comparison levels, strongest first",
                     where + "/levels");
    if (f.at("levels").size() > 12)
      return invalid("at most 12 levels per field", where + "/levels");
    for (std::size_t l = 0; l < f.at("levels").size(); ++l) {
      auto level = parse_level(f.at("levels")[l], where + "/levels/" + std::to_string(l));
      HAVEN_TRY(level);
      field.levels.push_back(std::move(*level));
    }
    const bool date_level =
        std::any_of(field.levels.begin(), field.levels.end(), [](const Level& l) {
          return l.kind == Level::Kind::kDateSwap || l.kind == Level::Kind::kDateYear ||
                 l.kind == Level::Kind::kDateWithin;
        });
    if (date_level && field.normalise != Normalise::kDate && field.normalise != Normalise::kIsoDate)
      return invalid("date levels need \"normalise\": \"date\" (or \"iso_date\")",
                     where + "/normalise");
    if (field.term_frequency && field.levels.front().kind != Level::Kind::kExact)
      return invalid("term_frequency adjusts the exact level, which must then be the first level",
                     where + "/term_frequency");
    index[field.name] = spec.fields.size();
    spec.fields.push_back(std::move(field));
  }
  for (std::size_t i = 0; i < spec.fields.size(); ++i)
    for (std::size_t l = 0; l < spec.fields[i].levels.size(); ++l)
      if (spec.fields[i].levels[l].kind == Level::Kind::kSwappedWith &&
          !index.count(spec.fields[i].levels[l].other))
        return invalid(
            "swapped_with names \"" + spec.fields[i].levels[l].other + "\", which is not a field",
            "/fields/" + std::to_string(i) + "/levels/" + std::to_string(l) + "/field");

  if (!json.contains("blocking") || !json.at("blocking").is_array() || json.at("blocking").empty())
    return invalid(
        "blocking must be a non-empty array of rules such as \"surname & year(date_of_birth)\"",
        "/blocking");
  if (json.at("blocking").size() > 64) return invalid("at most 64 blocking rules", "/blocking");
  for (std::size_t r = 0; r < json.at("blocking").size(); ++r) {
    const std::string where = "/blocking/" + std::to_string(r);
    const Json& rule_json = json.at("blocking")[r];
    if (!rule_json.is_string())
      return invalid("a blocking rule is a string such as \"surname & year(date_of_birth)\"",
                     where);
    BlockingRule rule;
    rule.text = rule_json.get<std::string>();
    std::size_t start = 0;
    while (true) {
      const auto amp = rule.text.find('&', start);
      auto key = parse_key(
          rule.text.substr(start, amp == std::string::npos ? std::string::npos : amp - start),
          index, where);
      HAVEN_TRY(key);
      rule.keys.push_back(*key);
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    spec.blocking.push_back(std::move(rule));
  }
  return spec;
}

Result<LinkSpec> read_spec(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open the specification " + path, path};
  Json json = Json::parse(in, nullptr, false);
  if (json.is_discarded()) return invalid("the specification " + path + " is not valid JSON", path);
  return parse_spec(json);
}

Json spec_to_json(const LinkSpec& spec) {
  Json out = Json::object();
  for (const auto& [name, type] : kLinkTypes)
    if (type == spec.link_type) out["link_type"] = name;
  out["training"] = spec.training == Training::kCandidates ? "candidates" : "per_rule";
  if (!spec.id_column.empty()) out["id_column"] = spec.id_column;
  Json fields = Json::array();
  for (const FieldSpec& f : spec.fields) {
    Json field = {{"name", f.name}, {"column", f.column}, {"term_frequency", f.term_frequency}};
    for (const auto& [name, n] : kNormalise)
      if (n == f.normalise) field["normalise"] = name;
    Json levels = Json::array();
    for (const Level& l : f.levels) {
      for (const auto& t : kLevelTypes) {
        if (t.kind != l.kind) continue;
        Json level = {{"type", t.name}, {"label", l.label}};
        if (t.bound && std::string(t.bound) == "field") {
          level["field"] = l.other;
          if (l.threshold < 1) level["min"] = l.threshold;
        } else if (t.bound)
          level[t.bound] = l.threshold;
        if (l.duckdb) level["duckdb"] = true;
        levels.push_back(level);
      }
    }
    field["levels"] = levels;
    fields.push_back(field);
  }
  out["fields"] = fields;
  Json rules = Json::array();
  for (const BlockingRule& r : spec.blocking) rules.push_back(r.text);
  out["blocking"] = rules;
  out["max_block_pairs"] = spec.max_block_pairs;
  out["max_pairs"] = spec.max_pairs;
  out["threshold"] = spec.threshold;
  out["review_from"] = spec.review_from;
  out["cluster_density"] = spec.cluster_density;
  out["u_sample_pairs"] = spec.u_sample_pairs;
  out["em_convergence"] = spec.em_convergence;
  out["em_max_iterations"] = spec.em_max_iterations;
  out["seed"] = spec.seed;
  return out;
}

}  // namespace haven::link
