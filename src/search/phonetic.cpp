// A phonetic code for names transliterated from many scripts. Written here because no Debian
// library offers one: Soundex, NYSIIS and Double Metaphone (none packaged for C++) are tuned to
// English spellings, while Haven's names come from Hindi, Tamil, Bengali, Arabic, Khmer, Chinese,
// Akan, Spanish and Romanian through ICU's transliteration and through clerks' ears.
//
// Rules, in order:
//  - digraphs that one script writes with one letter: sh/sch -> s, ph -> f, th/dh/kh/gh/bh/jh ->
//    the plain consonant (Indic aspirates and Arabic spellings), ck/q -> k, x -> ks, zh -> j;
//    c -> s before e, i, y (Tamil "celvi" = Selvi), else k; ch stays one sound;
//  - consonant classes: b p | f v w | k g | t d | s z | j ch | l | r | m | n;
//  - vowels, h and y are left out after the first letter, a vowel first letter is written 'A';
//  - repeated classes collapse, also across left-out letters: muhammad, mohd and Arabic mhmd
//    all give "MT";
//  - at most 6 classes.
#include <string>

#include "search/search.hpp"

namespace haven::search {
namespace {

bool vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// The class of a consonant sound, or 0 for a letter left out.
char sound_class(char c) {
  switch (c) {
    case 'b':
    case 'p':
      return 'B';
    case 'f':
    case 'v':
    case 'w':
      return 'F';
    case 'k':
    case 'g':
    case 'q':
      return 'K';
    case 't':
    case 'd':
      return 'T';
    case 's':
    case 'z':
      return 'S';
    case 'j':
    case 'C':  // "ch"
      return 'J';
    case 'l':
      return 'L';
    case 'r':
      return 'R';
    case 'm':
      return 'M';
    case 'n':
      return 'N';
    default:
      return 0;
  }
}

// Sounds of the token: digraphs folded into one letter ('C' for ch).
std::string sounds_of(std::string_view token) {
  std::string out;
  const std::size_t n = token.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = token[i];
    const char next = i + 1 < n ? token[i + 1] : '\0';
    if (c == 's' && next == 'c' && i + 2 < n && token[i + 2] == 'h') {
      out += 's';
      i += 2;
    } else if (c == 's' && next == 'h') {
      out += 's';
      ++i;
    } else if (c == 'c' && next == 'h') {
      out += 'C';
      ++i;
    } else if (c == 'p' && next == 'h') {
      out += 'f';
      ++i;
    } else if (c == 'z' && next == 'h') {
      out += 'j';
      ++i;
    } else if (next == 'h' &&
               (c == 't' || c == 'd' || c == 'k' || c == 'g' || c == 'b' || c == 'j')) {
      out += c;
      ++i;
    } else if (c == 'c' && next == 'k') {
      out += 'k';
      ++i;
    } else if (c == 'c') {
      out += next == 'e' || next == 'i' || next == 'y' ? 's' : 'k';
    } else if (c == 'x') {
      out += "ks";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string phonetic_code(std::string_view token) {
  const std::string sounds = sounds_of(token);
  std::string code;
  char last = 0;
  for (std::size_t i = 0; i < sounds.size() && code.size() < 6; ++i) {
    const char c = sounds[i];
    if (i == 0 && (vowel(c) || c == 'y' || c == 'h')) {
      code += 'A';
      continue;
    }
    const char cls = sound_class(c);
    if (cls == 0 || cls == last) continue;
    code += cls;
    last = cls;
  }
  return code;
}

}  // namespace haven::search
