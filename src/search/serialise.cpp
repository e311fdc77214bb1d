// A person's encodings as bytes, for a table beside the sealed record. Little-endian, versioned:
//   u8 version (1) | u8 names | u8 nickname bits | names x 16 x u64 | u16 keys | keys x u64 |
//   u32 date | u32 swapped | u8 years | u8 approximate | years x u32 |
//   u32 sex | u32 phone | u8 places | places x u32
#include "search/search.hpp"

namespace haven::search {
namespace {

constexpr std::uint8_t kFormat = 1;

template <class T>
void put(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out += static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xFF);
}

struct Reader {
  std::string_view bytes;
  bool failed = false;
  template <class T>
  T get() {
    if (bytes.size() < sizeof(T)) {
      failed = true;
      return T{};
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    bytes.remove_prefix(sizeof(T));
    return static_cast<T>(value);
  }
};

}  // namespace

std::string serialise(const PersonEncodings& e) {
  std::string out;
  out.reserve(8 + e.names.size() * 128 + e.blocking_keys.size() * 8 + 40);
  put<std::uint8_t>(out, kFormat);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(e.names.size()));
  put<std::uint8_t>(out, e.nicknames);
  for (const Clk& clk : e.names)
    for (std::uint64_t word : clk) put(out, word);
  put<std::uint16_t>(out, static_cast<std::uint16_t>(e.blocking_keys.size()));
  for (std::uint64_t k : e.blocking_keys) put(out, k);
  put(out, e.birth.date);
  put(out, e.birth.swapped);
  put<std::uint8_t>(out, e.birth.year_count);
  put<std::uint8_t>(out, e.birth.approximate ? 1 : 0);
  for (std::size_t i = 0; i < e.birth.year_count; ++i) put(out, e.birth.years[i]);
  put(out, e.sex);
  put(out, e.phone);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(e.places.size()));
  for (std::uint32_t p : e.places) put(out, p);
  return out;
}

Result<PersonEncodings> deserialise(std::string_view bytes) {
  Reader in{bytes};
  if (in.get<std::uint8_t>() != kFormat || in.failed)
    return invalid("search encodings: unknown format (written by another version of Haven?)");
  PersonEncodings e;
  const auto names = in.get<std::uint8_t>();
  if (names > kMaxNames) return invalid("search encodings: too many names");
  e.names.resize(names);
  e.nicknames = in.get<std::uint8_t>();
  for (Clk& clk : e.names)
    for (std::uint64_t& word : clk) word = in.get<std::uint64_t>();
  const auto keys = in.get<std::uint16_t>();
  if (in.bytes.size() < std::size_t{keys} * 8) return invalid("search encodings: truncated");
  e.blocking_keys.resize(keys);
  for (std::uint64_t& k : e.blocking_keys) k = in.get<std::uint64_t>();
  e.birth.date = in.get<std::uint32_t>();
  e.birth.swapped = in.get<std::uint32_t>();
  e.birth.year_count = in.get<std::uint8_t>();
  e.birth.approximate = in.get<std::uint8_t>() != 0;
  if (e.birth.year_count > kMaxBirthYears) return invalid("search encodings: too many birth years");
  for (std::size_t i = 0; i < e.birth.year_count; ++i) e.birth.years[i] = in.get<std::uint32_t>();
  e.sex = in.get<std::uint32_t>();
  e.phone = in.get<std::uint32_t>();
  const auto places = in.get<std::uint8_t>();
  if (places > kMaxPlaces) return invalid("search encodings: too many places");
  e.places.resize(places);
  for (std::uint32_t& p : e.places) p = in.get<std::uint32_t>();
  if (in.failed) return invalid("search encodings: truncated");
  if (!in.bytes.empty()) return invalid("search encodings: trailing bytes");
  return e;
}

}  // namespace haven::search
