// Recursive descent over a token list. Errors are thrown inside (a parse is a deep recursion
// with one way out) and returned as a value at the border, parse().
#include "link/splink_sql.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace haven::link::splink_sql {
namespace {

struct Token {
  enum class Kind { kWord, kQuoted, kNumber, kString, kSymbol, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  std::size_t offset = 0;
};

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<Token> tokenize(std::string_view sql) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto fail = [&](const std::string& what) {
    throw ParseError(what + " at character " + std::to_string(i + 1));
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (c == '"' || c == '`' || c == '\'') {
      // A doubled quote inside is the quote itself, as in standard SQL.
      t.kind = c == '\'' ? Token::Kind::kString : Token::Kind::kQuoted;
      std::size_t j = i + 1;
      for (;; ++j) {
        if (j >= sql.size()) fail("unterminated quote");
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            t.text += c, ++j;
            continue;
          }
          break;
        }
        t.text += sql[j];
      }
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < sql.size() &&
                std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      std::size_t j = i;
      while (j < sql.size() && (std::isdigit(static_cast<unsigned char>(sql[j])) || sql[j] == '.'))
        ++j;
      if (j < sql.size() && (sql[j] == 'e' || sql[j] == 'E')) {
        ++j;
        if (j < sql.size() && (sql[j] == '+' || sql[j] == '-')) ++j;
        while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      }
      t.kind = Token::Kind::kNumber, t.text = std::string(sql.substr(i, j - i));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_'))
        ++j;
      t.kind = Token::Kind::kWord, t.text = std::string(sql.substr(i, j - i));
      i = j;
    } else {
      static const char* const kSymbols[] = {"<=", ">=", "<>", "!=", "==", "=", "<", ">",
                                             "(",  ")",  ",",  ".",  "-",  "+", "*", "/"};
      bool found = false;
      for (const char* s : kSymbols)
        if (sql.substr(i, std::string_view(s).size()) == s) {
          t.kind = Token::Kind::kSymbol, t.text = s, i += t.text.size(), found = true;
          break;
        }
      if (!found) fail(std::string("unexpected character '") + c + "'");
      if (t.text == "!=") t.text = "<>";
      if (t.text == "==") t.text = "=";
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = sql.size();
  out.push_back(end);
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Expr whole() {
    Expr e = disjunction();
    if (peek().kind != Token::Kind::kEnd) fail("unexpected \"" + peek().text + "\"");
    return e;
  }

 private:
  const Token& peek() const { return tokens_[at_]; }
  bool keyword(const char* word) const {
    return peek().kind == Token::Kind::kWord && lower(peek().text) == word;
  }
  bool symbol(const char* s) const {
    return peek().kind == Token::Kind::kSymbol && peek().text == s;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(what + " at character " + std::to_string(peek().offset + 1));
  }
  void expect(const char* s) {
    if (!symbol(s)) fail(std::string("expected \"") + s + "\"");
    ++at_;
  }

  Expr nary(Expr::Kind kind, Expr first, Expr (Parser::*next)(), const char* word) {
    if (!keyword(word)) return first;
    Expr e;
    e.kind = kind;
    e.args.push_back(std::move(first));
    while (keyword(word)) ++at_, e.args.push_back((this->*next)());
    return e;
  }
  Expr disjunction() {
    // Nesting is bounded: a condition is short, and a crafted one must not exhaust the stack.
    if (++depth_ > 100) fail("the condition nests too deeply");
    Expr e = nary(Expr::Kind::kOr, conjunction(), &Parser::conjunction, "or");
    --depth_;
    return e;
  }
  Expr conjunction() { return nary(Expr::Kind::kAnd, negation(), &Parser::negation, "and"); }
  Expr negation() {
    if (!keyword("not")) return comparison();
    ++at_;
    Expr e;
    e.kind = Expr::Kind::kNot;
    if (++depth_ > 100) fail("the condition nests too deeply");
    e.args.push_back(negation());
    --depth_;
    return e;
  }
  Expr comparison() {
    Expr left = sum();
    if (keyword("is")) {
      ++at_;
      Expr e;
      e.kind = Expr::Kind::kIsNull;
      if (keyword("not")) ++at_, e.text = "not";
      if (!keyword("null")) fail("expected NULL after IS");
      ++at_;
      e.args.push_back(std::move(left));
      return e;
    }
    for (const char* op : {"=", "<=", ">=", "<", ">", "<>"})
      if (symbol(op)) {
        ++at_;
        Expr e;
        e.kind = Expr::Kind::kCompare, e.text = op;
        e.args.push_back(std::move(left));
        e.args.push_back(sum());
        return e;
      }
    return left;
  }
  Expr sum() {
    Expr left = product();
    while (symbol("-") || symbol("+")) {
      Expr e;
      e.kind = Expr::Kind::kArith, e.text = peek().text;
      ++at_;
      e.args.push_back(std::move(left));
      e.args.push_back(product());
      left = std::move(e);
    }
    return left;
  }
  Expr product() {
    Expr left = primary();
    while (symbol("*") || symbol("/")) {
      Expr e;
      e.kind = Expr::Kind::kArith, e.text = peek().text;
      ++at_;
      e.args.push_back(std::move(left));
      e.args.push_back(primary());
      left = std::move(e);
    }
    return left;
  }
  Expr primary() {
    const Token t = peek();
    Expr e;
    switch (t.kind) {
      case Token::Kind::kNumber: {
        ++at_;
        char* end = nullptr;
        e.kind = Expr::Kind::kNumber, e.number = std::strtod(t.text.c_str(), &end);
        if (end == nullptr || *end != '\0') fail("malformed number \"" + t.text + "\"");
        return e;
      }
      case Token::Kind::kString:
        ++at_;
        e.kind = Expr::Kind::kString, e.text = t.text;
        return e;
      case Token::Kind::kSymbol:
        if (t.text == "-") {  // a negative number
          ++at_;
          if (++depth_ > 100) fail("the condition nests too deeply");
          Expr inner = primary();
          --depth_;
          if (inner.kind != Expr::Kind::kNumber) fail("unary minus before a non-number");
          inner.number = -inner.number;
          return inner;
        }
        if (t.text != "(") fail("unexpected \"" + t.text + "\"");
        ++at_;
        e = disjunction();
        expect(")");
        return e;
      case Token::Kind::kWord:
      case Token::Kind::kQuoted: {
        if (t.kind == Token::Kind::kWord) {
          for (const char* reserved : {"and", "or", "not", "is", "null", "case", "when", "then",
                                       "else", "end", "select", "from", "where", "in", "like"})
            if (lower(t.text) == reserved) fail("unexpected keyword " + t.text);
        }
        ++at_;
        if (t.kind == Token::Kind::kWord && symbol("(")) {
          ++at_;
          e.kind = Expr::Kind::kCall, e.text = lower(t.text);
          if (!symbol(")")) {
            e.args.push_back(disjunction());
            while (symbol(",")) ++at_, e.args.push_back(disjunction());
          }
          expect(")");
          return e;
        }
        e.kind = Expr::Kind::kColumn, e.text = t.text;
        if (symbol(".")) {
          ++at_;
          if (peek().kind != Token::Kind::kWord && peek().kind != Token::Kind::kQuoted)
            fail("expected a column name after \".\"");
          e.qualifier = t.text, e.text = peek().text;
          ++at_;
        }
        return e;
      }
      case Token::Kind::kEnd:
        fail("the condition ends too early");
    }
    fail("unexpected token");
  }

  std::vector<Token> tokens_;
  std::size_t at_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Expr> parse(std::string_view sql) {
  try {
    return Parser(tokenize(sql)).whole();
  } catch (const ParseError& e) {
    return invalid(e.what());
  }
}

}  // namespace haven::link::splink_sql
