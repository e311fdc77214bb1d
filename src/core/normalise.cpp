#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "core/core.hpp"

namespace haven {

std::string normalise_for_equality(std::string_view field, std::string_view text) {
  if (field == "phone") {
    std::string digits;
    for (char c : text) {
      if (c >= '0' && c <= '9') digits += c;
      if (c == '+' && digits.empty()) digits += c;
    }
    return digits;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* folding = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString folded = U_SUCCESS(status) ? folding->normalize(input, status) : input;
  if (U_FAILURE(status)) folded = input;
  std::string utf8;
  folded.toUTF8String(utf8);
  std::string collapsed;
  bool blank = false;
  for (char c : utf8) {
    const bool is_blank = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (is_blank) {
      blank = !collapsed.empty();
      continue;
    }
    if (blank) collapsed += ' ';
    blank = false;
    collapsed += c;
  }
  return collapsed;
}

}  // namespace haven
