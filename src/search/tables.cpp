#include "search/tables.hpp"

#include <string>
#include <vector>

namespace haven::search {
namespace {

// Lines of a table without comments and blank lines, each split at tabs.
Result<std::vector<std::vector<std::string>>> rows_of(std::string_view name, std::string_view text,
                                                      std::size_t columns) {
  std::vector<std::vector<std::string>> rows;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> cells;
    std::size_t start = 0;
    while (true) {
      const auto tab = line.find('\t', start);
      cells.emplace_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (cells.size() != columns || cells[0].empty())
      return Error{ErrorCode::kInternal,
                   "search table " + std::string(name) + ", line " + std::to_string(line_number) +
                       ": expected " + std::to_string(columns) + " tab-separated columns",
                   ""};
    rows.push_back(std::move(cells));
  }
  return rows;
}

Result<KhmerSign::Kind> khmer_kind(const std::string& text) {
  using K = KhmerSign::Kind;
  static constexpr std::pair<std::string_view, K> kKinds[] = {{"consonant_a", K::kConsonantA},
                                                              {"consonant_o", K::kConsonantO},
                                                              {"vowel", K::kVowel},
                                                              {"sign", K::kSign},
                                                              {"independent", K::kIndependent},
                                                              {"coeng", K::kCoeng},
                                                              {"to_a", K::kToA},
                                                              {"to_o", K::kToO},
                                                              {"drop", K::kDrop}};
  for (const auto& [name, kind] : kKinds)
    if (name == text) return kind;
  return Error{ErrorCode::kInternal, "search table khmer: unknown kind " + text, ""};
}

}  // namespace

Result<NameTables> load_name_tables() {
  NameTables tables;
  auto honorifics = rows_of("honorifics", embedded_honorifics(), 2);
  HAVEN_TRY(honorifics);
  for (auto& row : *honorifics) tables.removable.insert(row[0]);
  auto variants = rows_of("variants", embedded_variants(), 2);
  HAVEN_TRY(variants);
  for (auto& row : *variants) tables.variants[row[0]] = row[1];
  auto places = rows_of("place_words", embedded_place_words(), 1);
  HAVEN_TRY(places);
  for (auto& row : *places) tables.place_words.insert(row[0]);
  auto khmer = rows_of("khmer", embedded_khmer(), 4);
  HAVEN_TRY(khmer);
  for (auto& row : *khmer) {
    auto kind = khmer_kind(row[1]);
    HAVEN_TRY(kind);
    char32_t code = 0;
    try {
      code = static_cast<char32_t>(std::stoul(row[0], nullptr, 16));
    } catch (...) {
      return Error{ErrorCode::kInternal, "search table khmer: bad code point " + row[0], ""};
    }
    tables.khmer[code] = KhmerSign{*kind, row[2], row[3]};
  }
  return tables;
}

}  // namespace haven::search
