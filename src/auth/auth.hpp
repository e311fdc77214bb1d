// Who is asking, and may they? Passwords, sessions, and the access policy: the one place where
// access is decided. Every endpoint, export and engine asks authorize() and shows records through
// present().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
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
// queries being scoped to principal.org_id; this decides by role and entity. Linkage review pairs
// (link_review) are for supervisors and investigators only, read-only and pseudonymised for
// analysts and auditors.
Status authorize(const Principal& principal, Action action, const EntitySpec& spec);

// Caseworkers, social workers, investigators and lawyers see the cases assigned to them (and
// what hangs off those cases); supervisors and administrators see their whole organisation;
// analysts and auditors see the whole organisation pseudonymised.
bool limited_to_need_to_know(const Principal& principal);
// Analysts and auditors: records without identifying or sensitive fields, no look-ups by them.
bool sees_pseudonymised(const Principal& principal);

// Break-glass: reading a record one does not need to know, for a reason from this list. Every use
// is written to the audit log, flagged for review.
const std::vector<std::string>& break_glass_reasons();

// "0-11", "12-17", "18-24", "25-34", "35-49", "50+" or "unknown": a person's age on `on`
// (YYYY-MM-DD) from the birth date, else from the age estimate.
std::string age_band(const Json& person, const std::string& on);

// The record as this principal may see it. Analysts and auditors get pseudonymised records:
// identifying and sensitive fields are removed (display codes remain), and persons carry an
// age band instead of a birth date.
Json present(const Principal& principal, const EntitySpec& spec, const Record& record);

// argon2id via libsodium, at its "interactive" cost (about 0.1 s and 64 MiB).
Result<std::string> hash_password(std::string_view password);
bool verify_password(std::string_view hash, std::string_view password);
// Refuses passwords a person should not use: shorter than 12 characters or longer than 1024.
Status check_password_policy(std::string_view password);

struct Session {
  std::string token;  // shown once to the client; the store keeps only its hash
  std::string csrf_token;  // browsers send it back in X-CSRF-Token on every change
  Principal principal;
  std::string expires_at;
};

struct LoginRequest {
  std::string username;
  std::string password;
  std::string totp_code;  // required when the account has TOTP enabled
  std::string client;     // the client's address, for throttling
};

// RFC 6238 time-based one-time passwords (HMAC-SHA1, 6 digits, 30 s), as authenticator apps use.
std::string new_totp_secret();                         // 20 random bytes
std::string base32_encode(std::string_view bytes);     // RFC 4648, no padding
Result<std::string> base32_decode(std::string_view text);
std::string totp_code(std::string_view secret, std::int64_t unix_seconds);
// True if `code` matches the current 30 s step or the one before or after (clock drift).
bool verify_totp(std::string_view secret, std::string_view code, std::int64_t unix_seconds);

// Limits login attempts per client address in this process: at most `max_attempts` in `window`.
class LoginThrottle {
 public:
  LoginThrottle(int max_attempts, std::chrono::seconds window) : max_attempts_(max_attempts), window_(window) {}
  bool allow(const std::string& client, std::chrono::system_clock::time_point now);

 private:
  int max_attempts_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::chrono::system_clock::time_point>> attempts_;
};

class Authenticator {
 public:
  static constexpr int kMaxFailedLogins = 5;                        // then the account locks
  static constexpr std::chrono::minutes kLockout{15};

  Authenticator(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // kUnauthenticated with one message for an unknown user, a wrong password and a locked account
  // alike, so that the answer does not reveal which accounts exist. Five failures in a row lock
  // the account for 15 minutes. With TOTP on, a missing code gives kPreconditionRequired.
  Result<Session> login(const LoginRequest& request);
  struct Authenticated {
    Principal principal;
    std::string csrf_token;
  };
  Result<Authenticated> authenticate(std::string_view token);
  Status logout(std::string_view token);

  // Checks the current password, sets the new one and ends every session of the user.
  Status change_password(const Principal& principal, std::string_view current, std::string_view replacement);
  // An administrator sets a new password for a user of their organisation; ends the user's sessions.
  Status reset_password(const Principal& administrator, std::int64_t user_id, std::string_view replacement);
  // Turns TOTP on once the user proves their app has `secret` by giving its current code.
  Status enable_totp(const Principal& principal, std::string_view secret, std::string_view code);

  // Creates an organisation's administrator (haven init) or any user (administrators).
  Result<User> create_user(Transaction& tx, std::int64_t org_id, std::string_view username,
                           std::string_view display_name, std::vector<std::string> roles,
                           std::string_view password);

  // Sessions are remembered for a few seconds so that a request does not read them from the
  // database each time. Call this after a change that ends sessions (roles, disabled accounts)
  // made outside this class; logout and password changes call it themselves. Other server
  // processes notice within kSessionCacheTime.
  void forget_cached_sessions();
  static constexpr std::chrono::seconds kSessionCacheTime{5};

 private:
  struct CachedSession {
    Authenticated session;
    std::chrono::system_clock::time_point valid_until;
  };
  Store& store_;
  const Clock& clock_;
  std::mutex cache_mutex_;
  std::map<std::string, CachedSession> cache_;  // by token hash
};

}  // namespace haven
