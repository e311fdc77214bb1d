#include "crypto/crypto.hpp"

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

namespace haven {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr unsigned char kSealFormat = 1;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "havenkey";
constexpr std::uint64_t kSubkeySeal = 1, kSubkeyIndex = 2, kSubkeyAudit = 3, kSubkeyCheck = 4,
                        kSubkeySearch = 5;
constexpr std::string_view kWrapContext = "haven data key";
constexpr std::string_view kCheckPlaintext = "haven master key check";

bool sodium_ready() { return sodium_init() >= 0; }

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

bool unhex(std::string_view text, unsigned char* out, std::size_t size) {
  std::size_t written = 0;
  return sodium_hex2bin(out, size, text.data(), text.size(), nullptr, &written, nullptr) == 0 && written == size;
}

Key derive(const Key& key, std::uint64_t subkey_id) {
  Key out;
  crypto_kdf_derive_from_key(out.data(), out.size(), subkey_id, kKdfContext, key.data());
  return out;
}

// XChaCha20-Poly1305 with a random 192-bit nonce: random nonces are safe at any volume with
// this cipher, so no nonce state has to survive restarts or be shared between servers.
std::string aead_seal(const Key& key, std::string_view plaintext, std::string_view ad) {
  std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &length,
                                             reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce,
                                             key.data());
  return out;
}

std::optional<std::string> aead_open(const Key& key, std::string_view sealed, std::string_view ad) {
  constexpr std::size_t kOverhead = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < kOverhead) return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - kOverhead, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &length, nullptr, nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          sealed.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, reinterpret_cast<const unsigned char*>(ad.data()),
          ad.size(), nonce, key.data()) != 0)
    return std::nullopt;
  out.resize(length);
  return out;
}

std::string read_secret_line(const char* prompt) {
  std::fprintf(stderr, "%s", prompt);
  termios saved{};
  const bool terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios silent = saved;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::fprintf(stderr, "\n");
  return line;
}

Result<Key> read_key_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot read the key file " + path.string(), ""};
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Key key;
  // A key file holds 32 raw bytes, or 64 hexadecimal characters (optionally with a newline).
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.size() == key.size()) {
    std::memcpy(key.data(), content.data(), key.size());
    return key;
  }
  if (content.size() == 64 && unhex(content, key.data(), key.size())) return key;
  return Error{ErrorCode::kInvalidArgument,
               "the key file " + path.string() + " must hold 32 bytes (or 64 hex characters); make one with `haven keygen`", ""};
}

struct KeyParameters {
  std::string kdf;  // "argon2id" or "key-file"
  std::array<unsigned char, crypto_pwhash_SALTBYTES> salt{};
  unsigned long long opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
  std::size_t memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
  std::string check;  // hex of a known text sealed with a key derived from the master key
};

Result<Key> master_key(const KeyParameters& parameters, const KeySource& source) {
  if (parameters.kdf == "key-file") {
    if (source.key_file.empty())
      return Error{ErrorCode::kUnauthenticated, "this data directory is protected by a key file: pass --key-file", ""};
    return read_key_file(source.key_file);
  }
  if (source.passphrase.empty())
    return Error{ErrorCode::kUnauthenticated, "this data directory is protected by a passphrase: set HAVEN_PASSPHRASE or type it", ""};
  Key key;
  if (crypto_pwhash(key.data(), key.size(), source.passphrase.data(), source.passphrase.size(), parameters.salt.data(),
                    parameters.opslimit, parameters.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Error{ErrorCode::kUnavailable, "not enough memory to derive the master key (argon2id needs 256 MiB)", ""};
  return key;
}

Result<KeyParameters> read_parameters(const fs::path& dir, const char* name = "keys.json") {
  std::ifstream in(dir / name);
  if (!in) return Error{ErrorCode::kNotFound, "no " + std::string(name) + " in " + dir.string() + ": not a Haven data directory", ""};
  const Json json = Json::parse(in, nullptr, false);
  KeyParameters p;
  if (json.is_discarded() || !json.contains("kdf") || !json.contains("check"))
    return Error{ErrorCode::kInvalidArgument, (dir / "keys.json").string() + " is damaged; restore it from a backup", ""};
  p.kdf = json["kdf"];
  p.check = json["check"];
  if (p.kdf == "argon2id") {
    p.opslimit = json["opslimit"];
    p.memlimit = json["memlimit"];
    if (!unhex(json["salt"].get<std::string>(), p.salt.data(), p.salt.size()))
      return Error{ErrorCode::kInvalidArgument, (dir / "keys.json").string() + " is damaged", ""};
  }
  return p;
}

Status write_parameters(const fs::path& dir, const KeyParameters& p, const char* name = "keys.json") {
  Json json = {{"format", 1}, {"kdf", p.kdf}, {"check", p.check}};
  if (p.kdf == "argon2id") {
    json["salt"] = hex(p.salt.data(), p.salt.size());
    json["opslimit"] = p.opslimit;
    json["memlimit"] = p.memlimit;
  }
  const fs::path temporary = dir / (std::string(name) + ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << json.dump(2) << "\n";
    out.flush();
    if (!out) return Error{ErrorCode::kUnavailable, "cannot write " + temporary.string(), ""};
  }
  std::error_code error;
  fs::rename(temporary, dir / name, error);  // atomic: the old or the new file, never half
  if (error) return Error{ErrorCode::kUnavailable, std::string("cannot write ") + name + ": " + error.message(), ""};
  return Status::Ok();
}

Result<std::pair<KeyParameters, Key>> new_parameters(const KeySource& source) {
  KeyParameters p;
  p.kdf = source.key_file.empty() ? "argon2id" : "key-file";
  randombytes_buf(p.salt.data(), p.salt.size());
  auto master = master_key(p, source);
  HAVEN_TRY(master);
  const std::string check = aead_seal(derive(*master, kSubkeyCheck), kCheckPlaintext, "");
  p.check = hex(reinterpret_cast<const unsigned char*>(check.data()), check.size());
  return std::pair{p, *master};
}

}  // namespace

Result<KeySource> key_source_from(const std::string& key_file_option, bool confirm) {
  KeySource source;
  if (!key_file_option.empty()) {
    source.key_file = key_file_option;
    return source;
  }
  if (const char* env = std::getenv("HAVEN_PASSPHRASE"); env && *env) {
    source.passphrase = env;
  } else if (::isatty(STDIN_FILENO)) {
    source.passphrase = read_secret_line("Passphrase of the data directory: ");
    if (confirm && read_secret_line("The same passphrase again: ") != source.passphrase)
      return Error{ErrorCode::kInvalidArgument, "the two passphrases differ", ""};
  } else {
    return Error{ErrorCode::kUnauthenticated,
                 "the data is encrypted: set HAVEN_PASSPHRASE or pass --key-file FILE", ""};
  }
  if (confirm && source.passphrase.size() < 12)
    return Error{ErrorCode::kInvalidArgument, "the passphrase must be at least 12 characters", ""};
  return source;
}

Status write_new_key_file(const fs::path& path) {
  if (!sodium_ready()) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  if (fs::exists(path)) return Error{ErrorCode::kConflict, path.string() + " exists; it is never overwritten", ""};
  Key key;
  randombytes_buf(key.data(), key.size());
  {
    std::ofstream out(path, std::ios::binary);
    out << hex(key.data(), key.size()) << "\n";
    if (!out) return Error{ErrorCode::kUnavailable, "cannot write " + path.string(), ""};
  }
  sodium_memzero(key.data(), key.size());
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return Status::Ok();
}

KeyRing::KeyRing(const Key& master) : master_(master) {}

KeyRing::~KeyRing() {
  sodium_memzero(master_.data(), master_.size());
  for (auto& [id, key] : data_keys_) {
    sodium_memzero(key.seal_key.data(), key.seal_key.size());
    sodium_memzero(key.index_key.data(), key.index_key.size());
  }
}

std::unique_ptr<KeyRing> KeyRing::from_master_key(const Key& master) {
  (void)sodium_ready();
  return std::unique_ptr<KeyRing>(new KeyRing(master));
}

Result<std::unique_ptr<KeyRing>> KeyRing::create(const fs::path& dir, const KeySource& source) {
  if (!sodium_ready()) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  if (fs::exists(dir / "keys.json")) return Error{ErrorCode::kConflict, dir.string() + " already has keys", ""};
  auto made = new_parameters(source);
  HAVEN_TRY(made);
  HAVEN_TRY(write_parameters(dir, made->first));
  return std::unique_ptr<KeyRing>(new KeyRing(made->second));
}

Result<std::unique_ptr<KeyRing>> KeyRing::stage_new_master(const fs::path& dir, const KeySource& source) {
  if (!sodium_ready()) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  auto made = new_parameters(source);
  HAVEN_TRY(made);
  HAVEN_TRY(write_parameters(dir, made->first, "keys.json.new"));
  return std::unique_ptr<KeyRing>(new KeyRing(made->second));
}

Status KeyRing::promote_new_master(const fs::path& dir) {
  std::error_code error;
  fs::rename(dir / "keys.json.new", dir / "keys.json", error);
  if (error) return Error{ErrorCode::kUnavailable, "cannot put keys.json.new in place: " + error.message(), ""};
  return Status::Ok();
}

namespace {

Result<Key> open_master(const fs::path& dir, const KeySource& source, const char* name) {
  auto parameters = read_parameters(dir, name);
  HAVEN_TRY(parameters);
  auto master = master_key(*parameters, source);
  HAVEN_TRY(master);
  std::string check(parameters->check.size() / 2, '\0');
  if (!unhex(parameters->check, reinterpret_cast<unsigned char*>(check.data()), check.size()) ||
      aead_open(derive(*master, kSubkeyCheck), check, "") != kCheckPlaintext)
    return Error{ErrorCode::kUnauthenticated, "wrong passphrase or key file for " + dir.string(), ""};
  return master;
}

}  // namespace

Result<std::unique_ptr<KeyRing>> KeyRing::open(const fs::path& dir, const KeySource& source) {
  if (!sodium_ready()) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  auto master = open_master(dir, source, "keys.json");
  // An interrupted rekey: the new parameters are staged and the data keys may already be
  // re-wrapped under them.
  if (!master.ok() && master.error().code == ErrorCode::kUnauthenticated && fs::exists(dir / "keys.json.new")) {
    auto staged = open_master(dir, source, "keys.json.new");
    if (staged.ok()) {
      std::fprintf(stderr, "haven: opened with the new keys of an unfinished rekey; run `haven rekey` again to finish it\n");
      master = std::move(staged);
    }
  }
  HAVEN_TRY(master);
  return std::unique_ptr<KeyRing>(new KeyRing(*master));
}

Result<std::string> KeyRing::new_wrapped_data_key() {
  Key key;
  randombytes_buf(key.data(), key.size());
  std::string wrapped = aead_seal(master_, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), kWrapContext);
  sodium_memzero(key.data(), key.size());
  return wrapped;
}

Status KeyRing::load_data_key(std::int64_t org_id, std::int32_t key_version, std::string_view wrapped) {
  auto key = aead_open(master_, wrapped, kWrapContext);
  if (!key || key->size() != 32)
    return Error{ErrorCode::kUnauthenticated, "a data key does not open with this master key (wrong passphrase or key file?)", ""};
  Key raw;
  std::memcpy(raw.data(), key->data(), raw.size());
  sodium_memzero(key->data(), key->size());
  std::lock_guard lock(mutex_);
  data_keys_[{org_id, key_version}] = DataKey{derive(raw, kSubkeySeal), derive(raw, kSubkeyIndex)};
  sodium_memzero(raw.data(), raw.size());
  auto& current = current_version_[org_id];
  current = std::max(current, key_version);
  return Status::Ok();
}

std::int32_t KeyRing::current_key_version(std::int64_t org_id) const {
  std::lock_guard lock(mutex_);
  const auto it = current_version_.find(org_id);
  return it == current_version_.end() ? 0 : it->second;
}

const KeyRing::DataKey* KeyRing::data_key(std::int64_t org_id, std::int32_t version) const {
  std::lock_guard lock(mutex_);
  const auto it = data_keys_.find({org_id, version});
  return it == data_keys_.end() ? nullptr : &it->second;  // entries are never erased while in use
}

Result<std::string> KeyRing::seal(std::int64_t org_id, std::string_view plaintext, std::string_view context) const {
  const std::int32_t version = current_key_version(org_id);
  const DataKey* key = data_key(org_id, version);
  if (!key) return Error{ErrorCode::kInternal, "no data key for organisation " + std::to_string(org_id), ""};
  // Format: format byte, key version (4 bytes, little-endian), nonce, ciphertext with tag.
  std::string out(5, '\0');
  out[0] = static_cast<char>(kSealFormat);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((static_cast<std::uint32_t>(version) >> (8 * i)) & 0xff);
  out += aead_seal(key->seal_key, plaintext, context);
  return out;
}

Result<std::string> KeyRing::open_sealed(std::int64_t org_id, std::string_view sealed, std::string_view context) const {
  if (sealed.size() < 5 || static_cast<unsigned char>(sealed[0]) != kSealFormat)
    return Error{ErrorCode::kInternal, "a sealed field has an unknown format", ""};
  std::uint32_t version = 0;
  for (int i = 0; i < 4; ++i) version |= static_cast<std::uint32_t>(static_cast<unsigned char>(sealed[1 + i])) << (8 * i);
  const DataKey* key = data_key(org_id, static_cast<std::int32_t>(version));
  if (!key)
    return Error{ErrorCode::kNotFound, "no data key version " + std::to_string(version) + " for organisation " + std::to_string(org_id), ""};
  auto plaintext = aead_open(key->seal_key, sealed.substr(5), context);
  if (!plaintext) return Error{ErrorCode::kInternal, "a sealed field failed authentication (" + std::string(context) + "): the database was altered", ""};
  return *plaintext;
}

Result<std::string> KeyRing::blind_index(std::int64_t org_id, std::string_view field, std::string_view value) const {
  // Index keys come from the first data key version, so digests stay stable across rotations.
  const DataKey* key = data_key(org_id, 1);
  if (!key) return Error{ErrorCode::kInternal, "no data key for organisation " + std::to_string(org_id), ""};
  unsigned char digest[16];
  crypto_generichash_state state;
  crypto_generichash_init(&state, key->index_key.data(), key->index_key.size(), sizeof digest);
  const std::uint64_t field_size = field.size();
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&field_size), sizeof field_size);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()), field.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  crypto_generichash_final(&state, digest, sizeof digest);
  return hex(digest, sizeof digest);
}

Result<Key> KeyRing::search_key(std::int64_t org_id) const {
  const DataKey* key = data_key(org_id, 1);
  if (!key) return Error{ErrorCode::kInternal, "no data key for organisation " + std::to_string(org_id), ""};
  return derive(key->index_key, kSubkeySearch);
}

Result<std::string> KeyRing::rewrap(std::string_view wrapped, const KeyRing& new_master) const {
  auto key = aead_open(master_, wrapped, kWrapContext);
  if (!key) return Error{ErrorCode::kUnauthenticated, "a data key does not open with the current master key", ""};
  std::string out = aead_seal(new_master.master_, *key, kWrapContext);
  sodium_memzero(key->data(), key->size());
  return out;
}

Result<Key> KeyRing::audit_chain_key() const {
  const DataKey* key = data_key(kSystemKeyOwner, 1);
  if (!key) return Error{ErrorCode::kInternal, "the system data key is not loaded (open the store first)", ""};
  return derive(key->index_key, kSubkeyAudit);
}

}  // namespace haven
