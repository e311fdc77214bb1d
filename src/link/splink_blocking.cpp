// Splink's blocking rules as Haven's blocking keys. Only equalities whose meaning Haven's keys
// have are translated; anything else is refused (a wrong rule would silently drop candidates).
#include <cctype>
#include <cmath>
#include <optional>

#include "link/splink_sql.hpp"

namespace haven::link::splink_sql {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One side's column in a blocking rule: l.x or r."x".
struct SideColumn {
  std::string column;
  char side = 'l';
};
using Kind = Expr::Kind;

}  // namespace

// Each part must be an equality of one column on both sides, or of its first n characters.
Result<std::string> translate_blocking(const std::string& sql,
                                       const std::map<std::string, std::string>& field_of,
                                       const std::string& where) {
  const std::string accepted =
      "; Haven translates blocking rules made of l.x = r.x and substr(l.x, 1, n) = "
      "substr(r.x, 1, n), AND-ed, on columns that a comparison compares";
  auto parsed = parse(sql);
  if (!parsed.ok())
    return invalid("blocking rule \"" + sql + "\": " + parsed.error().message + accepted, where);
  std::vector<const Expr*> parts;
  if (parsed->kind == Kind::kAnd)
    for (const Expr& p : parsed->args) parts.push_back(&p);
  else
    parts.push_back(&*parsed);
  auto side = [](const Expr& e) -> std::optional<SideColumn> {
    if (e.kind != Kind::kColumn) return std::nullopt;
    const std::string q = lower(e.qualifier);
    if (q != "l" && q != "r") return std::nullopt;
    return SideColumn{e.text, q[0]};
  };
  std::string keys;
  for (const Expr* part : parts) {
    std::optional<std::string> column;
    int first = 0;  // substr(x, 1, first): the value's first characters
    if (part->kind == Kind::kCompare && part->text == "=") {
      const Expr &a = part->args[0], &b = part->args[1];
      const auto x = side(a), y = side(b);
      if (x && y && x->column == y->column && x->side != y->side) {
        column = x->column;
      } else if (a.kind == Kind::kCall && b.kind == Kind::kCall && a.text == b.text &&
                 (a.text == "substr" || a.text == "substring") && a.args.size() == 3 &&
                 b.args.size() == 3) {
        const auto sx = side(a.args[0]), sy = side(b.args[0]);
        const bool from_start = a.args[1].kind == Kind::kNumber && a.args[1].number == 1 &&
                                b.args[1].kind == Kind::kNumber && b.args[1].number == 1;
        const bool same_length =
            a.args[2].kind == Kind::kNumber && b.args[2].kind == Kind::kNumber &&
            a.args[2].number == b.args[2].number && a.args[2].number >= 1 &&
            a.args[2].number <= 64 && std::floor(a.args[2].number) == a.args[2].number;
        if (sx && sy && sx->column == sy->column && sx->side != sy->side && from_start &&
            same_length) {
          column = sx->column;
          first = static_cast<int>(a.args[2].number);
        }
      }
    }
    if (!column)
      return invalid("blocking rule \"" + sql + "\" has a part Haven cannot translate" + accepted,
                     where);
    const auto field = field_of.find(*column);
    if (field == field_of.end())
      return invalid("blocking rule \"" + sql + "\" blocks on column \"" + *column +
                         "\", which no comparison compares" + accepted,
                     where);
    if (!keys.empty()) keys += " & ";
    keys +=
        first == 0 ? field->second : "first(" + field->second + "," + std::to_string(first) + ")";
  }
  return keys;
}

}  // namespace haven::link::splink_sql
