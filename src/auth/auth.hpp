// Who is asking, and may they? Passwords, sessions, and the access policy: the one place where
// access is decided. Every endpoint, export and engine asks authorize() and shows records through
// present().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.hpp"
#include "store/store.hpp"

namespace haven {

struct Principal {
  std::int64_t user_id = 0;
  std::int64_t org_id = 0;
  std::string username;
  std::vector<std::string> roles;

  bool has_role(std::string_view role) const;
};

enum class Action { kRead, kList, kCreate, kUpdate, kExport };

// Allowed, or kPermissionDenied with the reason. Organisation isolation is enforced by the store
// queries being scoped to principal.org_id; this decides by role and entity.
Status authorize(const Principal& principal, Action action, const EntitySpec& spec);

// The record as this principal may see it. Analysts and auditors get pseudonymised records:
// identifying fields are removed and only display codes remain.
Json present(const Principal& principal, const EntitySpec& spec, const Record& record);

// argon2id via libsodium, at its "interactive" cost (about 0.1 s and 64 MiB).
Result<std::string> hash_password(std::string_view password);
bool verify_password(std::string_view hash, std::string_view password);
// Refuses passwords a person should not use: shorter than 12 characters or longer than 1024.
Status check_password_policy(std::string_view password);

struct Session {
  std::string token;  // shown once to the client; the store keeps only its hash
  Principal principal;
  std::string expires_at;
};

class Authenticator {
 public:
  Authenticator(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // kUnauthenticated with one message for an unknown user and a wrong password alike.
  Result<Session> login(std::string_view username, std::string_view password);
  Result<Principal> authenticate(std::string_view token);
  Status logout(std::string_view token);

  // Creates an organisation's administrator (haven init) or any user (administrators).
  Result<User> create_user(Transaction& tx, std::int64_t org_id, std::string_view username,
                           std::string_view display_name, std::vector<std::string> roles,
                           std::string_view password);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace haven
