// Script passes that run before ICU's transliterator, for what ICU does not do the way names are
// written in Latin letters: Khmer (no ICU transliterator) and the unpronounced inherent vowels
// of Hindi and Bengali.
#include <vector>

#include "search/tables.hpp"

namespace haven::search {
namespace {

using Kind = KhmerSign::Kind;

void append_ascii(std::u32string& out, const std::string& latin) {
  for (char c : latin) out += static_cast<char32_t>(static_cast<unsigned char>(c));
}

const KhmerSign* khmer_sign(const NameTables& tables, const std::u32string& text, std::size_t i) {
  if (i >= text.size()) return nullptr;
  const auto it = tables.khmer.find(text[i]);
  return it == tables.khmer.end() ? nullptr : &it->second;
}

bool is_consonant(const KhmerSign* sign) {
  return sign && (sign->kind == Kind::kConsonantA || sign->kind == Kind::kConsonantO);
}

// Hindi (Devanagari) and Bengali share the layout of their Unicode blocks.
struct IndicBlock {
  char32_t base;
  bool contains(char32_t c) const { return c >= base && c < base + 0x80; }
  bool consonant(char32_t c) const {
    const char32_t o = c - base;
    return contains(c) && ((o >= 0x15 && o <= 0x39) || (o >= 0x58 && o <= 0x5F));
  }
  bool nukta(char32_t c) const { return contains(c) && c - base == 0x3C; }
  bool virama(char32_t c) const { return contains(c) && c - base == 0x4D; }
  bool vowel_sign(char32_t c) const {
    const char32_t o = c - base;
    return contains(c) &&
           ((o >= 0x3E && o <= 0x4C) || o == 0x4E || o == 0x62 || o == 0x63 || o == 0x57);
  }
  bool modifier(char32_t c) const {
    const char32_t o = c - base;
    return contains(c) && o >= 0x01 && o <= 0x03;
  }
};

struct Syllable {
  std::size_t consonant_end = 0;  // where a virama would go (after consonant and nukta)
  bool consonant = false;
  bool schwa = false;   // a consonant with its inherent vowel only
  bool virama = false;  // a consonant without vowel (half of a cluster)
  bool deleted = false;
};

// Marks the schwas of one word text[begin, end) for deletion; returns insertion points.
void schwas_of_word(const std::u32string& text, std::size_t begin, std::size_t end,
                    const IndicBlock& block, std::vector<std::size_t>& insert_at) {
  std::vector<Syllable> units;
  std::size_t i = begin;
  while (i < end) {
    Syllable unit;
    if (block.consonant(text[i])) {
      unit.consonant = true;
      ++i;
      while (i < end && block.nukta(text[i])) ++i;
      unit.consonant_end = i;
      if (i < end && block.virama(text[i])) {
        unit.virama = true;
        ++i;
      } else if (i < end && block.vowel_sign(text[i])) {
        while (i < end && block.vowel_sign(text[i])) ++i;
      } else {
        unit.schwa = !(i < end && block.modifier(text[i]));
      }
    } else {
      ++i;  // an independent vowel or a sign
    }
    while (i < end && block.modifier(text[i])) ++i;
    units.push_back(unit);
  }
  const std::size_t n = units.size();
  if (n < 2) return;
  auto voiced = [&](std::size_t k) { return !units[k].virama && !units[k].deleted; };
  // Word-final: "rajesh", but "jitendra" keeps the vowel after a cluster.
  if (units[n - 1].schwa && !units[n - 2].virama) units[n - 1].deleted = true;
  // V C(a) C V: "rahaman" -> "rahman", right to left.
  for (std::size_t k = n - 1; k-- > 1;) {
    if (!units[k].schwa || units[k].deleted) continue;
    if (voiced(k - 1) && units[k + 1].consonant && voiced(k + 1)) units[k].deleted = true;
  }
  for (const Syllable& unit : units)
    if (unit.deleted) insert_at.push_back(unit.consonant_end);
}

}  // namespace

std::u32string khmer_to_latin(const std::u32string& text, const NameTables& tables) {
  std::u32string out;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const KhmerSign* sign = khmer_sign(tables, text, i);
    if (!sign) {
      out += text[i++];
      continue;
    }
    if (!is_consonant(sign)) {
      if (sign->kind == Kind::kVowel || sign->kind == Kind::kSign ||
          sign->kind == Kind::kIndependent)
        append_ascii(out, sign->after_a);
      ++i;
      continue;
    }
    bool o_series = sign->kind == Kind::kConsonantO;
    append_ascii(out, sign->after_a);
    ++i;
    while (const KhmerSign* next = khmer_sign(tables, text, i)) {
      if (next->kind == Kind::kCoeng && is_consonant(khmer_sign(tables, text, i + 1))) {
        append_ascii(out, khmer_sign(tables, text, i + 1)->after_a);
        i += 2;
      } else if (next->kind == Kind::kToA || next->kind == Kind::kToO) {
        o_series = next->kind == Kind::kToO;
        ++i;
      } else if (next->kind == Kind::kDrop || next->kind == Kind::kCoeng) {
        ++i;
      } else {
        break;
      }
    }
    const KhmerSign* next = khmer_sign(tables, text, i);
    if (next && next->kind == Kind::kVowel) {
      append_ascii(out, o_series ? next->after_o : next->after_a);
      ++i;
    } else if (next && (is_consonant(next) || next->kind == Kind::kSign)) {
      out += U'a';  // the inherent vowel between two consonants
    }
  }
  return out;
}

std::u32string delete_schwas(const std::u32string& text) {
  static constexpr IndicBlock kBlocks[] = {{0x0900}, {0x0980}};
  std::vector<std::size_t> insert_at;
  std::size_t i = 0;
  while (i < text.size()) {
    const IndicBlock* block = nullptr;
    for (const IndicBlock& b : kBlocks)
      if (b.contains(text[i])) block = &b;
    if (!block) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && block->contains(text[end])) ++end;
    schwas_of_word(text, i, end, *block, insert_at);
    i = end;
  }
  if (insert_at.empty()) return text;
  std::u32string out;
  std::size_t next = 0;
  for (std::size_t k = 0; k < text.size(); ++k) {
    while (next < insert_at.size() && insert_at[next] == k) {
      const bool bengali = k > 0 && text[k - 1] >= 0x0980;
      out += bengali ? char32_t{0x09CD} : char32_t{0x094D};
      ++next;
    }
    out += text[k];
  }
  while (next++ < insert_at.size())
    out += text.back() >= 0x0980 ? char32_t{0x09CD} : char32_t{0x094D};
  return out;
}

}  // namespace haven::search
