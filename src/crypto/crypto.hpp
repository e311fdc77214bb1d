// Field encryption at rest. The key hierarchy:
//   master key  <- argon2id(passphrase, salt) or a 32-byte key file; never stored
//     wraps one data key per organisation (and per key version, for rotation), stored wrapped in
//     the database; a data key seals that organisation's identifying and sensitive fields with
//     XChaCha20-Poly1305 and derives its blind-index key;
//     derives the audit chain key.
// A stolen database file or backup without the passphrase or key file reveals no sealed field.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace haven {

using Key = std::array<unsigned char, 32>;

// Where the master key comes from: exactly one of a passphrase or a key file.
struct KeySource {
  std::string passphrase;
  std::filesystem::path key_file;
};

// Reads the key source for a command: --key-file if given, else HAVEN_PASSPHRASE, else a prompt on
// the terminal (twice when `confirm`), else an error saying how to provide one.
Result<KeySource> key_source_from(const std::string& key_file_option, bool confirm);

// Writes 32 random bytes to `path` (mode 0600), for deployments that keep the key in a file.
Status write_new_key_file(const std::filesystem::path& path);

class KeyRing {
 public:
  // Sets up a new data directory's key parameters in `dir`/keys.json (salt, cost, check value;
  // nothing secret). Fails if the file exists.
  static Result<std::unique_ptr<KeyRing>> create(const std::filesystem::path& dir, const KeySource& source);
  // Opens with an existing keys.json; kUnauthenticated for a wrong passphrase or key file.
  static Result<std::unique_ptr<KeyRing>> open(const std::filesystem::path& dir, const KeySource& source);
  // For tests and tools that already hold a master key.
  static std::unique_ptr<KeyRing> from_master_key(const Key& master);

  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  // A fresh random data key, wrapped by the master key, for storing beside the data.
  Result<std::string> new_wrapped_data_key();
  // Makes a stored data key usable. Fails (kUnauthenticated) if it was not wrapped by this master.
  Status load_data_key(std::int64_t org_id, std::int32_t key_version, std::string_view wrapped);
  // The newest loaded key version of an organisation (0: none loaded).
  std::int32_t current_key_version(std::int64_t org_id) const;

  // Seals with the organisation's newest data key; `context` (kind and record id) is bound into
  // the ciphertext, so a sealed value cannot be moved to another record unnoticed.
  Result<std::string> seal(std::int64_t org_id, std::string_view plaintext, std::string_view context) const;
  // kNotFound when the value was sealed under a key version not loaded here (another process
  // rotated the keys: load the new versions and try again).
  Result<std::string> open_sealed(std::int64_t org_id, std::string_view sealed, std::string_view context) const;

  // A keyed digest for equality look-ups without plaintext: the same (field, value) in the same
  // organisation always gives the same digest; nothing about the value can be read from it.
  Result<std::string> blind_index(std::int64_t org_id, std::string_view field, std::string_view value) const;

  // The key of an organisation's fuzzy-search encodings (src/search): derived from its first data
  // key version, like blind indexes, so stored encodings stay valid across key rotations. Fails
  // (kInternal) when the organisation's data key is not loaded.
  Result<Key> search_key(std::int64_t org_id) const;

  // Re-wraps a data key under another master key (haven rekey).
  Result<std::string> rewrap(std::string_view wrapped, const KeyRing& new_master) const;
  // A new master key in two steps, so that a crash never leaves data keys wrapped by a master key
  // nobody can derive: stage writes `dir`/keys.json.new and returns the new key ring; once the data
  // keys are re-wrapped and committed, promote renames it over keys.json. open() tries
  // keys.json.new when keys.json does not fit, so an interrupted rekey still opens.
  static Result<std::unique_ptr<KeyRing>> stage_new_master(const std::filesystem::path& dir, const KeySource& source);
  static Status promote_new_master(const std::filesystem::path& dir);

  // The audit log's chain key. It comes from the system data key (organisation 0, which the
  // store creates), not from the master key, so that the chain still verifies after a rekey.
  Result<Key> audit_chain_key() const;
  static constexpr std::int64_t kSystemKeyOwner = 0;

 private:
  explicit KeyRing(const Key& master);
  struct DataKey {
    Key seal_key;
    Key index_key;
  };
  const DataKey* data_key(std::int64_t org_id, std::int32_t version) const;

  Key master_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::int64_t, std::int32_t>, DataKey> data_keys_;
  std::map<std::int64_t, std::int32_t> current_version_;
};

}  // namespace haven
