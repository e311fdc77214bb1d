// Private to haven_search: the name tables of data/*.tsv, compiled in by embed_data.cmake and
// parsed once per Normaliser.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/result.hpp"

namespace haven::search {

std::string_view embedded_honorifics();
std::string_view embedded_variants();
std::string_view embedded_khmer();
std::string_view embedded_place_words();

struct KhmerSign {
  enum class Kind {
    kConsonantA,
    kConsonantO,
    kVowel,
    kSign,
    kIndependent,
    kCoeng,
    kToA,
    kToO,
    kDrop
  };
  Kind kind = Kind::kDrop;
  std::string after_a, after_o;  // Latin after an a-series / o-series consonant
};

struct NameTables {
  std::unordered_set<std::string> removable;  // honorifics and particles
  std::unordered_map<std::string, std::string> variants;
  std::unordered_map<char32_t, KhmerSign> khmer;
  std::unordered_set<std::string> place_words;
};

// Fails (kInternal, naming the table and line) on a malformed table.
Result<NameTables> load_name_tables();

// Script passes before ICU (scripts.cpp). Each takes and returns UTF-32 text.
// Writes Khmer in Latin letters (ICU has no Khmer-Latin transliterator).
std::u32string khmer_to_latin(const std::u32string& text, const NameTables& tables);
// Marks the inherent vowels Hindi and Bengali speakers do not pronounce (word-final, and the
// schwa between a vowel-carrying syllable and a consonant+vowel, "रहमान" -> rah-man), with a
// virama, so that ICU writes "rahman" and not "rahamana".
std::u32string delete_schwas(const std::u32string& text);

}  // namespace haven::search
