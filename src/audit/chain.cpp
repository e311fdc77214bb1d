#include "audit/chain.hpp"

#include <sodium.h>

#include <string_view>

namespace haven::audit {
namespace {

constexpr std::size_t kMaxActorBytes = 128;
constexpr std::size_t kMaxActionBytes = 32;
constexpr std::size_t kMaxKindBytes = 64;
constexpr std::size_t kMaxDetailBytes = 4096;

// Incremental keyed BLAKE2b-256 over a self-delimiting encoding: integers as 8 bytes little
// endian, strings as their 8-byte length then their bytes. No two different entries encode to the
// same bytes, so no field can borrow bytes from its neighbour.
class Hasher {
 public:
  Hasher(const ChainKey& key, std::string_view domain) {
    crypto_generichash_init(&state_, key.data(), key.size(), crypto_generichash_BYTES);
    text(domain);
  }
  Hasher& integer(std::int64_t value) {
    auto bits = static_cast<std::uint64_t>(value);
    unsigned char bytes[8];
    for (unsigned char& byte : bytes) {
      byte = static_cast<unsigned char>(bits & 0xff);
      bits >>= 8;
    }
    crypto_generichash_update(&state_, bytes, sizeof bytes);
    return *this;
  }
  Hasher& text(std::string_view value) {
    integer(static_cast<std::int64_t>(value.size()));
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(value.data()),
                              value.size());
    return *this;
  }
  std::string hex() {
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash_final(&state_, digest, sizeof digest);
    char out[crypto_generichash_BYTES * 2 + 1];
    sodium_bin2hex(out, sizeof out, digest, sizeof digest);
    return std::string(out, crypto_generichash_BYTES * 2);
  }

 private:
  crypto_generichash_state state_;
};

bool is_word(std::string_view text) {
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string entry_hash(const ChainKey& key, const AuditRecord& entry) {
  return Hasher(key, "haven.audit.entry.v1")
      .integer(entry.seq)
      .text(entry.at)
      .integer(entry.org_id)
      .integer(entry.user_id)
      .text(entry.actor)
      .text(entry.action)
      .text(entry.kind)
      .integer(entry.record_id)
      .text(entry.detail)
      .text(entry.prev_hash)
      .hex();
}

std::string anchor_seal(const ChainKey& key, const AuditLog::Anchor& anchor) {
  return Hasher(key, "haven.audit.anchor.v1")
      .integer(anchor.last_seq)
      .text(anchor.last_hash)
      .text(anchor.written_at)
      .hex();
}

Result<AuditRecord> prepare_entry(const AuditEvent& event, const std::string& at) {
  if (event.org_id < 0) return invalid("org_id must be 0 or a positive id", "org_id");
  if (event.user_id < 0) return invalid("user_id must be 0 or a positive id", "user_id");
  if (event.record_id < 0) return invalid("record_id must be 0 or a positive id", "record_id");
  if (event.actor.empty() || event.actor.size() > kMaxActorBytes || !is_valid_utf8(event.actor))
    return invalid("actor must be 1 to 128 bytes of UTF-8 (a user name or cli:<command>)", "actor");
  if (event.action.empty() || event.action.size() > kMaxActionBytes || !is_word(event.action))
    return invalid(
        "action must be 1 to 32 lower-case letters or underscores, e.g. read, login_failed",
        "action");
  if (event.kind.size() > kMaxKindBytes || !is_word(event.kind))
    return invalid("kind must be empty or up to 64 lower-case letters or underscores", "kind");
  if (!event.detail.is_object()) return invalid("detail must be a JSON object", "detail");

  AuditRecord entry;
  try {
    entry.detail = event.detail.dump();
  } catch (const Json::exception&) {
    return invalid("detail holds text that is not valid UTF-8", "detail");
  }
  if (entry.detail.size() > kMaxDetailBytes)
    return invalid("detail must be at most 4096 bytes as JSON", "detail");
  entry.at = at;
  entry.org_id = event.org_id;
  entry.user_id = event.user_id;
  entry.actor = event.actor;
  entry.action = event.action;
  entry.kind = event.kind;
  entry.record_id = event.record_id;
  return entry;
}

Status append_entries(Transaction& tx, const ChainKey& key, std::span<const AuditRecord> entries) {
  Result<AuditRecord> last = tx.last_audit();
  HAVEN_TRY(last);
  std::int64_t seq = last->seq;
  std::string prev_hash = seq == 0 ? kGenesisHash : last->hash;
  for (const AuditRecord& prepared : entries) {
    AuditRecord entry = prepared;
    entry.seq = ++seq;
    entry.prev_hash = std::move(prev_hash);
    entry.hash = entry_hash(key, entry);
    HAVEN_TRY(tx.insert_audit(entry));
    prev_hash = std::move(entry.hash);
  }
  return Status::Ok();
}

}  // namespace haven::audit
