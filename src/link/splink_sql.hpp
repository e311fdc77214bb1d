// A small parser for the SQL conditions found in Splink settings: comparison levels
// ("jaro_winkler_similarity("name_l", "name_r") >= 0.9") and blocking rules
// ("l.surname = r.surname AND substr(l.postcode, 1, 3) = substr(r.postcode, 1, 3)").
// It parses expressions only (no SELECT, no CASE); the importer then matches the trees against
// the forms Haven can evaluate exactly. Private to src/link.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace haven::link::splink_sql {

struct Expr {
  enum class Kind {
    kOr,       // args: operands
    kAnd,      // args: operands
    kNot,      // args[0]
    kCompare,  // text: "=", "<=", ">=", "<", ">", "<>"; args: left, right
    kIsNull,   // args[0]; text "not" for IS NOT NULL
    kArith,    // text: "-", "+", "*", "/"; args: left, right
    kCall,     // text: the function's name in lower case; args: its arguments
    kColumn,   // text: the name; qualifier: "l." / "r." prefix or empty
    kNumber,   // number
    kString,   // text: the literal's value
  };
  Kind kind = Kind::kNumber;
  std::string text;
  std::string qualifier;
  double number = 0;
  std::vector<Expr> args;
};

// Parses one boolean or scalar expression. Keywords in any case; identifiers bare, in double
// quotes or in back quotes; white space anywhere. Errors (kInvalidArgument) say what was
// unexpected and where (character offset).
Result<Expr> parse(std::string_view sql);

// A Splink blocking rule as Haven's keys ("surname & first(postcode,3)"): "l.x = r.x" is x,
// "substr(l.x, 1, n) = substr(r.x, 1, n)" is first(x,n), AND-ed. `field_of` maps a column to the
// field comparing it. Errors (kInvalidArgument at `where`) name the rule and what is accepted: any
// other part, a column no comparison compares.
Result<std::string> translate_blocking(const std::string& sql,
                                       const std::map<std::string, std::string>& field_of,
                                       const std::string& where);

}  // namespace haven::link::splink_sql
