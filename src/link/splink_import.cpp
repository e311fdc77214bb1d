// Models trained by Splink (settings JSON, v3 and v4): each comparison level's SQL condition is
// matched against the forms Haven evaluates exactly, and anything else is refused. A level
// translated approximately would weigh the wrong evidence and link the wrong people, so there is
// no "closest" translation: either the condition means the same for every pair of values, or
// the model is refused naming the level.
//
// Splink evaluates its SQL in DuckDB by default; the equivalences below are with DuckDB's
// functions (which Splink's comparison library writes for it).
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "link/link.hpp"
#include "link/linker_impl.hpp"
#include "link/splink_sql.hpp"

namespace haven::link {
namespace {

using splink_sql::Expr;
using Kind = Expr::Kind;

constexpr const char* kAccepted =
    "Haven translates these Splink conditions (columns quoted or not, keywords in any case): "
    "\"x_l\" IS NULL OR \"x_r\" IS NULL (the null level, first); \"x_l\" = \"x_r\"; "
    "jaro_winkler_similarity(\"x_l\", \"x_r\") >= t; "
    "jaro_similarity(\"x_l\", \"x_r\") >= t; levenshtein(\"x_l\", \"x_r\") <= n; "
    "abs(date_diff('day', \"x_l\", \"x_r\")) <= n (datediff too, the columns bare or in "
    "strptime/try_strptime with '%Y-%m-%d'); abs(epoch(\"x_l\") - epoch(\"x_r\")) <= seconds; "
    "abs(\"x_l\" - \"x_r\") <= n; \"x_l\" = \"y_r\" AND \"x_r\" = \"y_l\" (columns swapped both "
    "ways, y compared by another comparison); ELSE (last)";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trimmed(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

// "name_l" / "name_r" as Splink names the two records' values of column "name".
struct SideColumn {
  std::string column;
  char side = 'l';
};
std::optional<SideColumn> side_column(const Expr& e) {
  if (e.kind != Kind::kColumn || !e.qualifier.empty() || e.text.size() < 3) return std::nullopt;
  const std::string suffix = e.text.substr(e.text.size() - 2);
  if (suffix != "_l" && suffix != "_r") return std::nullopt;
  return SideColumn{e.text.substr(0, e.text.size() - 2), suffix[1]};
}

// One column's two values, in either order: the forms below are all symmetric.
std::optional<std::string> column_pair(const Expr& a, const Expr& b) {
  const auto x = side_column(a), y = side_column(b);
  if (!x || !y || x->column != y->column || x->side == y->side) return std::nullopt;
  return x->column;
}

// A date argument: the column itself, or the column parsed from ISO text.
std::optional<SideColumn> date_argument(const Expr& e) {
  if (e.kind == Kind::kColumn) return side_column(e);
  if (e.kind == Kind::kCall && (e.text == "strptime" || e.text == "try_strptime") &&
      e.args.size() == 2 && e.args[1].kind == Kind::kString && e.args[1].text == "%Y-%m-%d")
    return side_column(e.args[0]);
  return std::nullopt;
}
std::optional<std::string> date_pair(const Expr& a, const Expr& b) {
  const auto x = date_argument(a), y = date_argument(b);
  if (!x || !y || x->column != y->column || x->side == y->side) return std::nullopt;
  return x->column;
}

struct TranslatedLevel {
  Json level;                  // Haven's level: type, min / max, label
  std::string column;          // the column compared
  std::string swapped_column;  // swapped levels: the other column
  bool date = false;           // compares dates: the field is read as YYYY-MM-DD dates
};

// Why a condition cannot be translated, for the message.
struct Untranslatable {
  std::string reason;
};

// `dialect`: where the SQL ran. "duckdb" (Splink's default): similarities are computed as DuckDB
// does; "haven" (a model haven link wrote): Haven's own; another engine: its Jaro functions are
// not reproduced.
std::variant<TranslatedLevel, Untranslatable> translate_condition(const Expr& e,
                                                                  const std::string& dialect) {
  TranslatedLevel out;
  const bool duckdb = dialect == "duckdb";
  // DuckDB's Jaro pairs characters from its second argument into its first: Haven passes the
  // left record's value first, as Splink's library writes "x_l" first.
  auto left_first = [&](const Expr& call) {
    const auto first = side_column(call.args[0]);
    return !duckdb || (first && first->side == 'l');
  };
  const Untranslatable right_first{
      "the similarity's arguments are in the order x_r, x_l; DuckDB's Jaro can depend on the "
      "order and Haven reproduces it for x_l, x_r (as Splink's library writes them)"};
  auto number_is = [](const Expr& x) { return x.kind == Kind::kNumber; };
  if (e.kind == Kind::kCompare && e.text == "=" && e.args.size() == 2) {
    if (auto column = column_pair(e.args[0], e.args[1])) {
      out.column = *column, out.level = {{"type", "exact"}};
      return out;
    }
  }
  if (e.kind == Kind::kCompare && e.text == ">=" && e.args[0].kind == Kind::kCall &&
      e.args[0].args.size() == 2 && number_is(e.args[1])) {
    const Expr& call = e.args[0];
    const auto column = column_pair(call.args[0], call.args[1]);
    const double t = e.args[1].number;
    const bool jaro_winkler = call.text == "jaro_winkler_similarity" || call.text == "jaro_winkler";
    const bool jaro = call.text == "jaro_similarity" || call.text == "jaro";
    if (column && (jaro_winkler || jaro)) {
      if (!duckdb && dialect != "haven")
        return Untranslatable{"the model's SQL ran on " + dialect +
                              ", whose Jaro functions Haven does not reproduce (it reproduces "
                              "DuckDB's, Splink's default)"};
      if (!left_first(call)) return right_first;
      out.column = *column;
      out.level = {{"type", jaro_winkler ? "jaro_winkler" : "jaro"}, {"min", t}};
      if (duckdb) out.level["duckdb"] = true;
      return out;
    }
  }
  if (e.kind == Kind::kCompare && e.text == "<=" && number_is(e.args[1]) &&
      e.args[0].kind == Kind::kCall) {
    const Expr& call = e.args[0];
    const double n = e.args[1].number;
    if (call.text == "damerau_levenshtein")
      return Untranslatable{
          "Haven has no Damerau-Levenshtein distance (its levenshtein counts a transposition as "
          "two edits, so it would put fewer pairs in this level)"};
    if (call.text == "levenshtein" && call.args.size() == 2) {
      if (auto column = column_pair(call.args[0], call.args[1])) {
        out.column = *column, out.level = {{"type", "levenshtein"}, {"max", n}};
        return out;
      }
    }
    if (call.text == "abs" && call.args.size() == 1) {
      const Expr& inner = call.args[0];
      if (inner.kind == Kind::kCall && (inner.text == "date_diff" || inner.text == "datediff")) {
        std::optional<std::string> column;
        if (inner.args.size() == 3 && inner.args[0].kind == Kind::kString) {
          if (lower(inner.args[0].text) != "day" && lower(inner.args[0].text) != "days")
            return Untranslatable{
                "Haven compares dates in days; date_diff in '" + inner.args[0].text +
                "' counts calendar boundaries crossed, which no number of days matches"};
          column = date_pair(inner.args[1], inner.args[2]);
        } else if (inner.args.size() == 2) {  // Spark's datediff(end, start): days
          column = date_pair(inner.args[0], inner.args[1]);
        }
        if (column) {
          out.column = *column, out.date = true;
          out.level = {{"type", "within_days"}, {"max", n}};
          return out;
        }
      }
      if (inner.kind == Kind::kArith && inner.text == "-") {
        const Expr &a = inner.args[0], &b = inner.args[1];
        if (a.kind == Kind::kCall && b.kind == Kind::kCall && a.text == "epoch" &&
            b.text == "epoch" && a.args.size() == 1 && b.args.size() == 1) {
          // Seconds between dates: whole days apart, so |days| * 86400 <= s is |days| <= s / 86400.
          if (auto column = date_pair(a.args[0], b.args[0])) {
            out.column = *column, out.date = true;
            out.level = {{"type", "within_days"}, {"max", n / 86400}};
            return out;
          }
        }
        if (auto column = column_pair(a, b)) {
          out.column = *column, out.level = {{"type", "numeric"}, {"max", n}};
          return out;
        }
      }
    }
  }
  if (e.kind == Kind::kAnd && e.args.size() == 2) {
    // Columns swapped both ways: x_l = y_r AND x_r = y_l (each equality in either order), or as
    // Haven writes a swap with a typo: Jaro-Winkler of both crossed pairs >= t.
    struct Cross {
      std::string left, right;  // left's _l value against right's _r value
      std::optional<double> min;
    };
    auto cross = [&](const Expr& c) -> std::optional<Cross> {
      if (c.kind != Kind::kCompare) return std::nullopt;
      const Expr* a = nullptr;
      const Expr* b = nullptr;
      std::optional<double> min;
      if (c.text == "=") {
        a = &c.args[0], b = &c.args[1];
      } else if (c.text == ">=" && c.args[0].kind == Kind::kCall && number_is(c.args[1]) &&
                 (c.args[0].text == "jaro_winkler_similarity" ||
                  c.args[0].text == "jaro_winkler") &&
                 c.args[0].args.size() == 2) {
        if (!left_first(c.args[0]) || (!duckdb && dialect != "haven")) return std::nullopt;
        a = &c.args[0].args[0], b = &c.args[0].args[1], min = c.args[1].number;
      } else {
        return std::nullopt;
      }
      const auto x = side_column(*a), y = side_column(*b);
      if (!x || !y || x->side == y->side || x->column == y->column) return std::nullopt;
      return x->side == 'l' ? Cross{x->column, y->column, min} : Cross{y->column, x->column, min};
    };
    const auto one = cross(e.args[0]), two = cross(e.args[1]);
    if (one && two && one->left == two->right && one->right == two->left && one->min == two->min) {
      out.column = one->left, out.swapped_column = one->right;
      out.level = {{"type", "swapped_with"}};
      if (one->min) {
        out.level["min"] = *one->min;
        if (duckdb) out.level["duckdb"] = true;
      }
      return out;
    }
    if (one && !two && e.args[1].kind == Kind::kCompare)
      return Untranslatable{"only one direction of a swap is tested"};
  }
  if (e.kind == Kind::kCompare && e.text == "=" && e.args.size() == 2) {
    const auto x = side_column(e.args[0]), y = side_column(e.args[1]);
    if (x && y && x->column != y->column && x->side != y->side)
      return Untranslatable{
          "one direction of a swap (Splink's ColumnsReversedLevel without symmetrical=True); "
          "Haven's swapped_with needs both directions"};
  }
  return Untranslatable{"not a condition Haven can evaluate exactly"};
}

bool is_null_condition(const Expr& e, std::string& column) {
  if (e.kind != Kind::kOr || e.args.size() != 2) return false;
  const Expr &a = e.args[0], &b = e.args[1];
  if (a.kind != Kind::kIsNull || b.kind != Kind::kIsNull || !a.text.empty() || !b.text.empty())
    return false;
  const auto pair = column_pair(a.args[0], b.args[0]);
  if (pair) column = *pair;
  return pair.has_value();
}

std::string level_name(const Json& level, std::size_t index) {
  const Json& label = level.value("label_for_charts", Json());
  return "level " + std::to_string(index) +
         (label.is_string() ? " \"" + label.get<std::string>() + "\"" : "");
}

}  // namespace

Result<Model> model_from_splink_json(const Json& json) {
  if (!json.is_object()) return invalid("a Splink model is a JSON object (its settings)");
  Json spec = Json::object();
  const Json& link_type = json.value("link_type", Json());
  if (!link_type.is_string())
    return invalid("link_type is missing (link_only, dedupe_only or link_and_dedupe)",
                   "/link_type");
  spec["link_type"] = link_type;
  const Json& id_column = json.value("unique_id_column_name", Json("unique_id"));
  if (!id_column.is_string() || id_column.get<std::string>().empty())
    return invalid("unique_id_column_name must be a column name", "/unique_id_column_name");
  spec["id_column"] = id_column;

  // haven link --save-model marks its blocking rules as Haven's dialect: such a model's
  // similarities are Haven's own, a model from Splink's are DuckDB's.
  bool haven_written = false;
  const Json& all_rules = json.value("blocking_rules_to_generate_predictions", Json());
  if (all_rules.is_array())
    for (const Json& rule : all_rules)
      haven_written =
          haven_written || (rule.is_object() && rule.value("sql_dialect", Json()) == "haven");

  const Json& top_dialect = json.value("sql_dialect", Json("duckdb"));
  const std::string dialect = haven_written             ? "haven"
                              : top_dialect.is_string() ? lower(top_dialect.get<std::string>())
                                                        : "duckdb";

  Model model;
  auto prior = saved_prior(json);
  if (!prior.ok()) return prior.error();
  model.prior = *prior;

  const Json& comparisons = json.value("comparisons", Json());
  if (!comparisons.is_array() || comparisons.empty())
    return invalid("comparisons must be a non-empty array", "/comparisons");
  struct PendingSwap {
    std::size_t field, level;
    std::string other_column, where;
  };
  std::vector<PendingSwap> swaps;
  std::map<std::string, std::string> field_of;  // column -> the first field comparing it
  Json fields = Json::array();
  for (std::size_t c = 0; c < comparisons.size(); ++c) {
    const std::string where = "/comparisons/" + std::to_string(c);
    const Json& comparison = comparisons[c];
    const Json& levels =
        comparison.is_object() ? comparison.value("comparison_levels", Json()) : Json();
    if (!levels.is_array() || levels.size() < 2)
      return invalid("a comparison needs comparison_levels: a null level, levels, ELSE",
                     where + "/comparison_levels");
    const Json& output = comparison.value("output_column_name", Json());
    std::string name = output.is_string() ? output.get<std::string>() : "";
    const std::string who = "comparison " + (name.empty() ? std::to_string(c) : "\"" + name + "\"");

    std::string column;
    Json haven_levels = Json::array();
    bool date = false, term_frequency = false;
    FieldParameters parameters;
    parameters.m.push_back(1), parameters.u.push_back(1), parameters.u_random.push_back(1);
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const std::string at = where + "/comparison_levels/" + std::to_string(l);
      const Json& level = levels[l];
      if (!level.is_object() || !level.contains("sql_condition") ||
          !level.at("sql_condition").is_string())
        return invalid(who + " " + std::to_string(l) + ": a level needs a sql_condition",
                       at + "/sql_condition");
      const std::string sql = level.at("sql_condition").get<std::string>();
      const std::string what = who + " " + level_name(level, l) + " (" + sql + ")";
      auto refuse = [&](const std::string& reason) {
        return invalid(what + ": " + reason + ". " + kAccepted, at + "/sql_condition");
      };
      const Json& null_flag = level.value("is_null_level", Json(false));
      if (!null_flag.is_boolean())
        return invalid(what + ": is_null_level must be true or false", at + "/is_null_level");
      const bool is_null = null_flag.get<bool>();
      if (l == 0 || is_null) {
        std::string null_column;
        auto parsed = splink_sql::parse(sql);
        if (l != 0) return refuse("a null level must come first");
        if (!is_null)
          return refuse(
              "the first level must be the null level (is_null_level true): Haven gives a missing "
              "value weight 0, Splink without a null level would weigh it as ELSE");
        if (!parsed.ok() || !is_null_condition(*parsed, null_column))
          return refuse(
              "a null level Haven cannot evaluate (Haven's null level is a value "
              "missing on either side)");
        column = null_column;
        continue;
      }
      const bool is_else = lower(trimmed(sql)) == "else";
      if (is_else != (l + 1 == levels.size()))
        return refuse(is_else ? "ELSE must be the last level"
                              : "the last level must be ELSE (all other comparisons)");
      // The level's parameters, used as given: this model is not trained again.
      for (auto [key, target] :
           {std::pair{"m_probability", &parameters.m}, std::pair{"u_probability", &parameters.u}}) {
        const Json& v = level.value(key, Json());
        if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= 1))
          return invalid(what + ": " + key +
                             " must be a number in (0, 1] (a model Splink has not trained, or "
                             "a level it never observed, cannot be used as it is)",
                         at + "/" + key);
        target->push_back(v.get<double>());
      }
      const Json& u_random = level.value("haven_u_random", level.at("u_probability"));
      parameters.u_random.push_back(u_random.is_number() && u_random.get<double>() > 0 &&
                                            u_random.get<double>() <= 1
                                        ? u_random.get<double>()
                                        : parameters.u.back());

      const Json& tf_column = level.value("tf_adjustment_column", Json());
      if (!tf_column.is_null()) {
        const Json& weight = level.value("tf_adjustment_weight", Json(1.0));
        if (!tf_column.is_string()) return refuse("tf_adjustment_column must be a column name");
        if (!weight.is_null() && (!weight.is_number() || weight.get<double>() != 1))
          return refuse("tf_adjustment_weight is " + weight.dump() +
                        "; Haven applies the term-frequency adjustment in full (weight 1) only");
        if (!level.value("tf_minimum_u_value", Json()).is_null())
          return refuse("Haven has no tf_minimum_u_value");
        if (l != 1)
          return refuse(
              "Haven adjusts only the exact level, first after the null level, by "
              "term frequency");
        term_frequency = true;
      }
      if (is_else) continue;

      auto parsed = splink_sql::parse(sql);
      if (!parsed.ok()) return refuse("not SQL Haven reads: " + parsed.error().message);
      auto translated = translate_condition(*parsed, dialect);
      if (auto* why = std::get_if<Untranslatable>(&translated)) return refuse(why->reason);
      TranslatedLevel& t = std::get<TranslatedLevel>(translated);
      if (!t.swapped_column.empty() && t.column != column && t.swapped_column == column)
        std::swap(t.column, t.swapped_column);
      if (t.column != column)
        return refuse("it compares column \"" + t.column +
                      "\" but the comparison's null level "
                      "tests \"" +
                      column + "\"; Haven compares one column per comparison");
      if (term_frequency && l == 1) {
        if (t.level.at("type") != "exact")
          return refuse("Haven adjusts only an exact level by term frequency");
        if (tf_column.get<std::string>() != column)
          return refuse("the term-frequency column \"" + tf_column.get<std::string>() +
                        "\" is not the column compared");
      }
      if (!t.swapped_column.empty())
        swaps.push_back({c, haven_levels.size(), t.swapped_column, at + "/sql_condition"});
      date = date || t.date;
      const Json& label = level.value("label_for_charts", Json());
      if (label.is_string()) t.level["label"] = label;
      haven_levels.push_back(t.level);
    }
    if (haven_levels.empty())
      return invalid(who + " has no level between its null level and ELSE",
                     where + "/comparison_levels");
    if (name.empty()) name = column;
    field_of.emplace(column, name);
    fields.push_back({{"name", name},
                      {"column", column},
                      {"normalise", !date                ? "none"
                                    : dialect == "haven" ? "date"
                                                         : "iso_date"},
                      {"term_frequency", term_frequency},
                      {"levels", haven_levels}});
    model.fields.push_back(std::move(parameters));
  }
  for (const PendingSwap& s : swaps) {
    const auto other = field_of.find(s.other_column);
    if (other == field_of.end())
      return invalid("comparison \"" + fields[s.field]["name"].get<std::string>() +
                         "\": a level swaps it with column \"" + s.other_column +
                         "\", which no comparison compares; Haven's swapped_with needs the other "
                         "column as a field",
                     s.where);
    fields[s.field]["levels"][s.level]["field"] = other->second;
  }
  spec["fields"] = fields;

  const Json& rules = json.value("blocking_rules_to_generate_predictions", Json());
  if (!rules.is_array() || rules.empty())
    return invalid(
        "blocking_rules_to_generate_predictions must hold at least one rule: Haven compares "
        "only the pairs that blocking rules make",
        "/blocking_rules_to_generate_predictions");
  Json blocking = Json::array();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const std::string where = "/blocking_rules_to_generate_predictions/" + std::to_string(r);
    const Json& rule = rules[r];
    std::string sql, dialect;
    if (rule.is_string()) {
      sql = rule.get<std::string>();
    } else if (rule.is_object() && rule.contains("blocking_rule") &&
               rule.at("blocking_rule").is_string()) {
      sql = rule.at("blocking_rule").get<std::string>();
      dialect = rule.value("sql_dialect", Json("")).is_string()
                    ? rule.value("sql_dialect", std::string())
                    : "";
      const Json& explode = rule.value("arrays_to_explode", Json());
      if (!explode.is_null() && !(explode.is_array() && explode.empty()))
        return invalid("blocking rule \"" + sql + "\" explodes arrays; Haven has no array columns",
                       where + "/arrays_to_explode");
    } else {
      return invalid("a blocking rule is SQL text or an object with \"blocking_rule\"", where);
    }
    if (dialect == "haven") {  // written by haven link --save-model: already Haven's keys
      blocking.push_back(sql);
      continue;
    }
    auto keys = splink_sql::translate_blocking(sql, field_of, where);
    if (!keys.ok()) return keys.error();
    blocking.push_back(*keys);
  }
  spec["blocking"] = blocking;

  auto parsed = parse_spec(spec);
  if (!parsed.ok())
    return invalid("the model translates to a specification Haven refuses: " +
                       parsed.error().message + " (at " + parsed.error().field + ")",
                   "/comparisons");
  model.spec = std::move(*parsed);
  return model;
}

}  // namespace haven::link
