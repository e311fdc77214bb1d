#include "demo/random.hpp"

#include <sodium.h>

#include <cstdio>

namespace haven::demo {
namespace {

// Latin letters with diacritics seen in the demo's names and places, and their plain letters.
struct Fold {
  std::string_view from;
  char to;
};
constexpr Fold kFolds[] = {
    {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"å", 'a'}, {"ă", 'a'}, {"ā", 'a'},
    {"é", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"ē", 'e'}, {"ɛ", 'e'}, {"í", 'i'}, {"ì", 'i'},
    {"î", 'i'}, {"ï", 'i'}, {"ĩ", 'i'}, {"ī", 'i'}, {"ó", 'o'}, {"ò", 'o'}, {"ô", 'o'}, {"ö", 'o'},
    {"õ", 'o'}, {"ɔ", 'o'}, {"ú", 'u'}, {"ù", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"ũ", 'u'}, {"ū", 'u'},
    {"ñ", 'n'}, {"ŋ", 'n'}, {"ç", 'c'}, {"ș", 's'}, {"ş", 's'}, {"ț", 't'}, {"ţ", 't'}, {"ɖ", 'd'},
    {"Á", 'A'}, {"É", 'E'}, {"Í", 'I'}, {"Ó", 'O'}, {"Ú", 'U'}, {"Ñ", 'N'}, {"Ș", 'S'}, {"Ş", 'S'},
    {"Ț", 'T'}, {"Ţ", 'T'}, {"Ă", 'A'}, {"Â", 'A'}, {"Î", 'I'}, {"Ɛ", 'E'}, {"Ɔ", 'O'}, {"Ũ", 'U'},
    {"Ĩ", 'I'}, {"Ü", 'U'}};

}  // namespace

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
  return {y, m, d};
}

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string date_text(std::int64_t days) {
  const Civil c = civil_from_days(days);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", c.year, c.month, c.day);
  return buffer;
}

std::string datetime_text(std::int64_t seconds) {
  const std::int64_t days = (seconds >= 0 ? seconds : seconds - 86399) / 86400;
  const std::int64_t rest = seconds - days * 86400;
  const Civil c = civil_from_days(days);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", c.year, c.month, c.day,
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buffer;
}

std::int64_t years_before(std::int64_t days, int years) {
  const Civil c = civil_from_days(days);
  const unsigned day = (c.month == 2 && c.day == 29) ? 28 : c.day;
  return days_from_civil(c.year - years, c.month, day);
}

std::string strip_diacritics(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool folded = false;
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      for (const Fold& f : kFolds) {
        if (text.substr(i, f.from.size()) == f.from) {
          out += f.to;
          i += f.from.size();
          folded = true;
          break;
        }
      }
    }
    if (!folded) out += text[i++];
  }
  return out;
}

std::string ascii_fold(std::string_view text) {
  std::string out;
  for (char c : strip_diacritics(text)) {
    if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out += c;
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace haven::demo
