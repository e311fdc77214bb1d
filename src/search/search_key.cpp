// Keyed encodings. Every value leaves through keyed BLAKE2b (libsodium's generichash), with a
// sub-key per purpose, so nothing in the index can be matched against a dictionary of names,
// dates or phone numbers without the organisation's key.
#include <sodium.h>

#include <cstring>

#include "search/search.hpp"

namespace haven::search {
namespace {

// Bit positions each bigram sets in a CLK. 20 positions for ~15 bigrams per name fill about a
// quarter of the 1024 bits, where Dice separates typos from other names best (Schnell et al.).
constexpr std::size_t kHashesPerBigram = 20;

Key subkey(const Key& key, std::string_view purpose) {
  Key out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(purpose.data()),
                     purpose.size(), key.data(), key.size());
  return out;
}

void hash_into(unsigned char* out, std::size_t out_size, const Key& key, std::string_view kind,
               std::string_view value) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), out_size);
  const std::uint64_t kind_size = kind.size();
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&kind_size),
                            sizeof kind_size);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kind.data()),
                            kind.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  crypto_generichash_final(&state, out, out_size);
}

}  // namespace

static_assert(sizeof(crypto_generichash_state) <= 512);

SearchKey::SearchKey(const Key& key)
    : clk_key_(subkey(key, "haven search clk")),
      block_key_(subkey(key, "haven search blocking")),
      field_key_(subkey(key, "haven search fields")) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, clk_key_.data(), clk_key_.size(), kHashesPerBigram * 2);
  const std::string_view kind = "bigram";
  const std::uint64_t kind_size = kind.size();
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&kind_size),
                            sizeof kind_size);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kind.data()),
                            kind.size());
  std::memcpy(bigram_state_.data(), &state, sizeof state);
  sodium_memzero(&state, sizeof state);
}

SearchKey::~SearchKey() {
  sodium_memzero(clk_key_.data(), clk_key_.size());
  sodium_memzero(block_key_.data(), block_key_.size());
  sodium_memzero(field_key_.data(), field_key_.size());
  sodium_memzero(bigram_state_.data(), bigram_state_.size());
}

Clk SearchKey::clk(const std::vector<std::string>& tokens) const {
  Clk clk{};
  unsigned char digest[kHashesPerBigram * 2];
  std::vector<std::string> padded_tokens;
  for (const std::string& token : tokens) {
    padded_tokens.push_back("_" + token + "_");
    padded_tokens.push_back("<" + phonetic_code(token) + ">");  // upper case: apart from letters
  }
  for (const std::string& padded : padded_tokens) {
    for (std::size_t i = 0; i + 1 < padded.size(); ++i) {
      // Same bytes as hash_into(digest, sizeof digest, clk_key_, "bigram", bigram).
      crypto_generichash_state state;
      std::memcpy(&state, bigram_state_.data(), sizeof state);
      crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(padded.data() + i),
                                2);
      crypto_generichash_final(&state, digest, sizeof digest);
      for (std::size_t h = 0; h < kHashesPerBigram; ++h) {
        const unsigned bit =
            (static_cast<unsigned>(digest[2 * h]) << 8 | digest[2 * h + 1]) % kClkBits;
        clk[bit / 64] |= std::uint64_t{1} << (bit % 64);
      }
    }
  }
  return clk;
}

std::uint64_t SearchKey::blocking_key(std::string_view kind, std::string_view value) const {
  unsigned char digest[8];
  hash_into(digest, sizeof digest, block_key_, kind, value);
  std::uint64_t out;
  std::memcpy(&out, digest, sizeof out);
  return out;
}

std::uint32_t SearchKey::digest(std::string_view field, std::string_view value) const {
  unsigned char digest[4];
  hash_into(digest, sizeof digest, field_key_, field, value);
  std::uint32_t out;
  std::memcpy(&out, digest, sizeof out);
  return out == 0 ? 1 : out;
}

}  // namespace haven::search
