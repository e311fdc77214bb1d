#include <unicode/utf8.h>

#include <climits>
#include <cstdio>

#include "core/core.hpp"

namespace haven {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

std::chrono::system_clock::time_point SystemClock::now() const {
  return std::chrono::system_clock::now();
}

std::string format_date(std::chrono::system_clock::time_point t) {
  const year_month_day ymd{std::chrono::floor<days>(t)};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

std::string format_datetime(std::chrono::system_clock::time_point t) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - day)};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02dZ", format_date(t).c_str(),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buffer;
}

namespace {

bool digits(std::string_view text, std::size_t from, std::size_t count, int& out) {
  if (from + count > text.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

std::optional<sys_days> parse_day(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || !digits(text, 0, 4, y) || text[4] != '-' || !digits(text, 5, 2, m) ||
      text[7] != '-' || !digits(text, 8, 2, d))
    return std::nullopt;
  const year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                           std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1900 || y > 2100) return std::nullopt;
  return sys_days{ymd};
}

}  // namespace

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  const auto day = parse_day(text);
  if (!day) return std::nullopt;
  return day->time_since_epoch().count();
}

std::optional<std::string> normalise_datetime(std::string_view text) {
  const auto day = parse_day(text);
  int hour = 0, minute = 0, second = 0;
  if (!day || text.size() < 20 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::size_t pos = 19;
  if (text[pos] == '.') {  // fractions of a second are accepted and dropped
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    offset_minutes = 0;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(text, pos + 1, 2, oh) || text[pos + 3] != ':' || !digits(text, pos + 4, 2, om) ||
        oh > 23 || om > 59)
      return std::nullopt;
    offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const auto utc = std::chrono::system_clock::time_point{*day} + std::chrono::hours{hour} +
                   std::chrono::minutes{minute - offset_minutes} +
                   std::chrono::seconds{second == 60 ? 59 : second};
  return format_datetime(utc);
}

std::optional<int> years_between(std::string_view born, std::string_view on) {
  if (!parse_date(born) || !parse_date(on)) return std::nullopt;
  int by = 0, bm = 0, bd = 0, oy = 0, om = 0, od = 0;
  digits(born, 0, 4, by), digits(born, 5, 2, bm), digits(born, 8, 2, bd);
  digits(on, 0, 4, oy), digits(on, 5, 2, om), digits(on, 8, 2, od);
  int years = oy - by;
  if (om < bm || (om == bm && od < bd)) --years;
  return years;
}

bool is_valid_utf8(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) return false;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  while (i < length) {
    UChar32 code_point = 0;
    U8_NEXT(bytes, i, length, code_point);  // ICU: rejects overlongs, surrogates, truncation
    if (code_point < 0) return false;
  }
  return true;
}

}  // namespace haven
