// Private to haven_store: rows as table_copy.cpp moves them between backends, and the digest both
// sides compute over them. A value is kept by the target column's type, so SQLite's and
// PostgreSQL's readings of the same row encode alike.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/core.hpp"

namespace haven::table_copy {

enum class Type { kInteger, kReal, kText, kBytes };

struct Column {
  std::string name;
  Type type = Type::kText;
  bool identity = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::size_t> key;  // primary-key columns, as indexes into `columns`
};

// A value read from either side, before it is hashed or written.
struct Value {
  bool null = true;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text or bytea
};
using Row = std::vector<Value>;

inline std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

inline std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) out += digits[bytes[i] >> 4], out += digits[bytes[i] & 15];
  return out;
}

// SHA-256 over a table's rows; every value tagged with its type and length, so no two different
// row sequences encode alike.
class RowDigest {
 public:
  RowDigest() { crypto_hash_sha256_init(&state_); }
  void add(const Table& table, const Row& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      const Value& v = row[c];
      if (v.null) {
        put("n", 1);
        continue;
      }
      switch (table.columns[c].type) {
        case Type::kInteger: {
          const std::string text = "i" + std::to_string(v.integer) + ";";
          put(text.data(), text.size());
          break;
        }
        case Type::kReal: {
          char text[40];
          const int n = std::snprintf(text, sizeof text, "r%.17g;", v.real);
          put(text, static_cast<std::size_t>(n));
          break;
        }
        case Type::kText:
        case Type::kBytes: {
          const std::string head = (table.columns[c].type == Type::kText ? "t" : "b") +
                                   std::to_string(v.bytes.size()) + ":";
          put(head.data(), head.size());
          put(v.bytes.data(), v.bytes.size());
          break;
        }
      }
    }
    ++rows_;
  }
  std::string finish() {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, out);
    return hex(out, sizeof out);
  }
  std::uint64_t rows() const { return rows_; }

 private:
  void put(const void* data, std::size_t size) {
    crypto_hash_sha256_update(&state_, static_cast<const unsigned char*>(data), size);
  }
  crypto_hash_sha256_state state_;
  std::uint64_t rows_ = 0;
};

inline std::string column_list(const Table& table) {
  std::string out;
  for (const auto& c : table.columns) out += (out.empty() ? "" : ", ") + quoted(c.name);
  return out;
}

inline std::string key_list(const Table& table) {
  std::string out;
  for (std::size_t k : table.key) out += (out.empty() ? "" : ", ") + quoted(table.columns[k].name);
  return out;
}

inline Json key_json(const Table& table, const Row& row) {
  Json key = Json::array();
  for (std::size_t k : table.key) {
    const Value& v = row[k];
    key.push_back(table.columns[k].type == Type::kInteger ? Json(v.integer) : Json(v.bytes));
  }
  return key;
}

}  // namespace haven::table_copy
