// Names in any script to comparable ASCII tokens. ICU does the transliteration; Haven's own
// passes (scripts.cpp) and tables (data/*.tsv) do what ICU does not.
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <mutex>

#include "core/core.hpp"
#include "search/search.hpp"
#include "search/tables.hpp"

namespace haven::search {

struct Normaliser::Impl {
  NameTables tables;
  std::unique_ptr<icu::Transliterator> prototype;
  // ICU transliterators keep state while they work, so each call borrows its own.
  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<icu::Transliterator>> pool;

  std::unique_ptr<icu::Transliterator> borrow() const {
    // The prototype is only cloned under the lock: no ICU object is touched by two threads.
    std::lock_guard lock(pool_mutex);
    if (pool.empty()) return std::unique_ptr<icu::Transliterator>(prototype->clone());
    auto t = std::move(pool.back());
    pool.pop_back();
    return t;
  }
  void give_back(std::unique_ptr<icu::Transliterator> t) const {
    std::lock_guard lock(pool_mutex);
    if (pool.size() < 16) pool.push_back(std::move(t));
  }

  // Lower-case ASCII spelling of any text; letters ICU cannot write in Latin stay non-ASCII.
  std::string to_ascii(std::string_view text) const {
    bool ascii = true;
    for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
      std::string out(text);
      for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      return out;
    }
    const icu::UnicodeString input = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    std::u32string wide(static_cast<std::size_t>(input.countChar32()), U'\0');
    UErrorCode status = U_ZERO_ERROR;
    input.toUTF32(reinterpret_cast<UChar32*>(wide.data()), static_cast<int32_t>(wide.size()),
                  status);
    bool khmer = false, indic = false;
    for (char32_t c : wide) {
      khmer = khmer || (c >= 0x1780 && c <= 0x17FF);
      indic = indic || (c >= 0x0900 && c <= 0x09FF);
    }
    if (khmer) wide = khmer_to_latin(wide, tables);
    if (indic) wide = delete_schwas(wide);
    icu::UnicodeString working = icu::UnicodeString::fromUTF32(
        reinterpret_cast<const UChar32*>(wide.data()), static_cast<int32_t>(wide.size()));
    if (auto transliterator = borrow()) {  // null only when ICU is out of memory
      transliterator->transliterate(working);
      give_back(std::move(transliterator));
    }
    std::string out;
    working.toUTF8String(out);
    return out;
  }
};

namespace {

// Splits lower-case text into runs of letters (and, if `digits`, runs of digits); apostrophes
// inside a word are dropped ("moham'mad" is one word), everything else separates.
std::vector<std::string> words_of(std::string_view text, bool digits) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char c : text) {
    const bool letter = c >= 'a' && c <= 'z';
    const bool digit = c >= '0' && c <= '9';
    if (c == '\'' || c == '`') continue;
    if (letter || (digits && digit)) {
      const bool was_digit = !word.empty() && word.back() >= '0' && word.back() <= '9';
      if (!word.empty() && was_digit != digit) flush();
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return words;
}

}  // namespace

Normaliser::Normaliser(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Normaliser::~Normaliser() = default;

Result<std::unique_ptr<Normaliser>> Normaliser::create() {
  auto impl = std::make_unique<Impl>();
  auto tables = load_name_tables();
  HAVEN_TRY(tables);
  impl->tables = std::move(*tables);
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  // Any-Latin writes Indic sibilants as ISO 15919 does (ś, ṣ), which Latin-ASCII would make
  // "s"; registers write "sh" (Rajesh, Santosh).
  const icu::UnicodeString rules = icu::UnicodeString::fromUTF8(
      ":: NFKC; :: Any-Latin; ś > sh; Ś > Sh; ṣ > sh; Ṣ > Sh; :: Latin-ASCII; :: Lower;");
  impl->prototype.reset(icu::Transliterator::createFromRules("haven-names", rules, UTRANS_FORWARD,
                                                             parse_error, status));
  if (U_FAILURE(status) || !impl->prototype)
    return Error{ErrorCode::kInternal,
                 std::string("ICU transliterator unavailable: ") + u_errorName(status), ""};
  return std::unique_ptr<Normaliser>(new Normaliser(std::move(impl)));
}

Result<std::vector<std::string>> Normaliser::name_tokens(std::string_view name) const {
  if (name.size() > kMaxNameBytes)
    return invalid("a name is at most " + std::to_string(kMaxNameBytes) + " bytes long");
  if (!is_valid_utf8(name)) return invalid("a name must be valid UTF-8 text");
  std::vector<std::string> words = words_of(impl_->to_ascii(name), false);
  if (words.empty())
    return invalid("a name needs at least one letter (digits, symbols and emoji are not names)");
  std::vector<std::string> kept;
  for (auto& word : words)
    if (!impl_->tables.removable.contains(word)) kept.push_back(word);
  if (kept.empty()) kept = words;  // "Sri" alone is a name
  std::vector<std::string> tokens;
  for (auto& word : kept)
    if (word.size() > 1) tokens.push_back(word);
  if (tokens.empty()) tokens = std::move(kept);  // only initials: keep them
  if (tokens.size() > kMaxTokens) tokens.resize(kMaxTokens);
  for (auto& token : tokens) {
    if (auto variant = impl_->tables.variants.find(token); variant != impl_->tables.variants.end())
      token = variant->second;
    if (token.size() > kMaxTokenLetters) token.resize(kMaxTokenLetters);
  }
  return tokens;
}

std::vector<std::string> Normaliser::place_tokens(std::string_view text) const {
  if (text.size() > kMaxNameBytes || !is_valid_utf8(text)) return {};
  std::vector<std::string> tokens;
  for (auto& word : words_of(impl_->to_ascii(text), true)) {
    const bool number = word[0] >= '0' && word[0] <= '9';
    if ((number && word.size() < 4) || (!number && word.size() < 2)) continue;
    if (impl_->tables.place_words.contains(word)) continue;
    if (word.size() > kMaxTokenLetters) word.resize(kMaxTokenLetters);
    tokens.push_back(std::move(word));
    if (tokens.size() == kMaxTokens) break;
  }
  return tokens;
}

}  // namespace haven::search
