// RFC 6238 TOTP over RFC 4226 HOTP. HMAC-SHA1 comes from OpenSSL: libsodium has no SHA-1, and
// authenticator apps expect SHA-1 by default. Base32 (RFC 4648) is written here: it is a few
// lines and no Debian library offers it on its own.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cctype>
#include <cstdio>
#include <cstring>

#include "auth/auth.hpp"

namespace haven {
namespace {
constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string new_totp_secret() {
  std::string secret(20, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

Result<std::string> base32_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == ' ') continue;
    const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const char* at = std::strchr(kBase32, upper);
    if (!at || upper == '\0') return invalid("is not base32 (A-Z, 2-7)", "/secret");
    buffer = (buffer << 5) | static_cast<unsigned>(at - kBase32);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string totp_code(std::string_view secret, std::int64_t unix_seconds) {
  const std::uint64_t step = static_cast<std::uint64_t>(unix_seconds) / 30;
  unsigned char counter[8];
  for (int i = 7; i >= 0; --i) counter[7 - i] = static_cast<unsigned char>((step >> (8 * i)) & 0xff);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter, sizeof counter, digest, &length);
  const int offset = digest[length - 1] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(digest[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(digest[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(digest[offset + 2]) << 8) | digest[offset + 3];
  char code[8];
  std::snprintf(code, sizeof code, "%06u", binary % 1000000);
  return code;
}

bool verify_totp(std::string_view secret, std::string_view code, std::int64_t unix_seconds) {
  if (code.size() != 6) return false;
  bool match = false;
  for (int drift = -1; drift <= 1; ++drift) {
    const std::string expected = totp_code(secret, unix_seconds + drift * 30);
    match |= sodium_memcmp(expected.data(), code.data(), 6) == 0;  // constant time
  }
  return match;
}

}  // namespace haven
