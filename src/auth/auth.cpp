#include "auth/auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>

namespace haven {
namespace {

constexpr auto kSessionLifetime = std::chrono::hours(12);

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// Sessions are looked up by a hash of the token, so a copy of the database holds no usable token.
std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return to_hex(digest, sizeof digest);
}

Principal principal_of(const User& user) {
  return Principal{user.id, user.org_id, user.username, user.roles};
}

bool is_pseudonymous_reader(const Principal& principal) {
  const bool works_cases = std::any_of(principal.roles.begin(), principal.roles.end(), [](const std::string& r) {
    return r != "analyst" && r != "auditor";
  });
  return !works_cases;
}

}  // namespace

bool Principal::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Status authorize(const Principal& principal, Action action, const EntitySpec& spec) {
  auto deny = [&](const std::string& why) -> Status {
    return Error{ErrorCode::kPermissionDenied, why, ""};
  };
  const bool reading = action == Action::kRead || action == Action::kList || action == Action::kExport;
  if (spec.kind == "organisation") {
    if (reading) return Status::Ok();
    if (principal.has_role("system_admin")) return Status::Ok();
    return deny("only a system administrator can create or change organisations");
  }
  if (spec.kind == "form_definition" && !reading && !principal.has_role("org_admin") &&
      !principal.has_role("system_admin"))
    return deny("only an organisation administrator can define custom form fields");
  if (!reading && is_pseudonymous_reader(principal))
    return deny("analysts and auditors have read-only access");
  if (principal.roles.empty()) return deny("your account has no role; ask an administrator");
  return Status::Ok();
}

Json present(const Principal& principal, const EntitySpec& spec, const Record& record) {
  Json out = record.to_json();
  if (is_pseudonymous_reader(principal))
    for (const auto& field : spec.fields)
      if (field.sensitivity != Sensitivity::kPublic) out.erase(field.name);
  return out;
}

Status check_password_policy(std::string_view password) {
  if (password.size() < 12)
    return invalid("must be at least 12 characters; a phrase of several words is easy to remember",
                   "/password");
  if (password.size() > 1024) return invalid("must be at most 1024 characters", "/password");
  return Status::Ok();
}

Result<std::string> hash_password(std::string_view password) {
  if (sodium_init() < 0) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Error{ErrorCode::kUnavailable, "not enough memory to hash the password", ""};
  return std::string(hash);
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (sodium_init() < 0) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

Result<Session> Authenticator::login(std::string_view username, std::string_view password) {
  const Error refused{ErrorCode::kUnauthenticated, "unknown user name or wrong password", ""};
  User user;
  {
    auto tx = store_.begin(false);
    HAVEN_TRY(tx);
    auto found = (*tx)->find_user(username);
    if (!found.ok()) {
      if (found.error().code != ErrorCode::kNotFound) return found.error();
      // Spend the same time as a real check, so timing does not reveal which user names exist.
      verify_password("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                      "ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g",
                      password);
      return refused;
    }
    user = std::move(found.value());
  }
  if (!verify_password(user.password_hash, password) || user.disabled) return refused;
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  Session session{to_hex(random, sizeof random), principal_of(user),
                  format_datetime(clock_.now() + kSessionLifetime)};
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  HAVEN_TRY((*tx)->insert_session(token_hash(session.token), user.id, session.expires_at));
  HAVEN_TRY((*tx)->commit());
  return session;
}

Result<Principal> Authenticator::authenticate(std::string_view token) {
  if (token.size() != 64)
    return Error{ErrorCode::kUnauthenticated, "log in first: send Authorization: Bearer <token>", ""};
  auto tx = store_.begin(false);
  HAVEN_TRY(tx);
  auto user_id = (*tx)->find_session(token_hash(token), format_datetime(clock_.now()));
  HAVEN_TRY(user_id);
  auto user = (*tx)->get_user(*user_id);
  HAVEN_TRY(user);
  if (user->disabled) return Error{ErrorCode::kUnauthenticated, "this account is disabled", ""};
  return principal_of(*user);
}

Status Authenticator::logout(std::string_view token) {
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  HAVEN_TRY((*tx)->delete_session(token_hash(token)));
  return (*tx)->commit();
}

Result<User> Authenticator::create_user(Transaction& tx, std::int64_t org_id,
                                        std::string_view username, std::string_view display_name,
                                        std::vector<std::string> roles, std::string_view password) {
  if (username.empty() || username.size() > 64 ||
      !std::all_of(username.begin(), username.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      }))
    return invalid("must be 1-64 characters: letters, digits, '.', '_' or '-'", "/username");
  for (const auto& role : roles)
    if (std::find(choices::kRoles.begin(), choices::kRoles.end(), role) == choices::kRoles.end())
      return invalid("unknown role " + role, "/roles");
  HAVEN_TRY(check_password_policy(password));
  auto hash = hash_password(password);
  HAVEN_TRY(hash);
  User user;
  user.org_id = org_id;
  user.username = std::string(username);
  user.display_name = std::string(display_name);
  user.roles = std::move(roles);
  user.password_hash = std::move(hash.value());
  auto created = tx.insert_user(std::move(user));
  if (!created.ok() && created.error().code == ErrorCode::kConflict)
    return Error{ErrorCode::kConflict, "the user name is taken", "/username"};
  return created;
}

}  // namespace haven
