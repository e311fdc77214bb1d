#include "auth/auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <optional>

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

}  // namespace

bool sees_pseudonymised(const Principal& principal) {
  const bool works_cases = std::any_of(principal.roles.begin(), principal.roles.end(), [](const std::string& r) {
    return r != "analyst" && r != "auditor";
  });
  return !works_cases;
}

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
  if (spec.kind == "link_review") {
    // Linkage lists are not bound to a case, so need to know cannot follow case assignment: the
    // pairs (with both records' values) are for the staff who link lists and decide on them,
    // supervisors and investigators; analysts and auditors may read them pseudonymised.
    if (principal.has_role("supervisor") || principal.has_role("investigator")) return Status::Ok();
    if (reading && sees_pseudonymised(principal) && !principal.roles.empty()) return Status::Ok();
    return deny(sees_pseudonymised(principal)
                    ? "analysts and auditors may read the linkage review queue but not decide on it"
                    : "the linkage review queue is for supervisors and investigators");
  }
  if (!reading && sees_pseudonymised(principal))
    return deny("analysts and auditors have read-only access");
  if (principal.roles.empty()) return deny("your account has no role; ask an administrator");
  return Status::Ok();
}

bool limited_to_need_to_know(const Principal& principal) {
  for (const char* wide : {"supervisor", "org_admin", "system_admin", "analyst", "auditor"})
    if (principal.has_role(wide)) return false;
  return true;
}

const std::vector<std::string>& break_glass_reasons() {
  static const std::vector<std::string> reasons = {"imminent_danger", "medical_emergency", "court_deadline",
                                                   "assigned_worker_unavailable"};
  return reasons;
}

std::string age_band(const Json& person, const std::string& on) {
  std::optional<int> age;
  if (person.contains("birth_date")) {
    age = years_between(person["birth_date"].get<std::string>(), on);
  } else if (person.contains("age_estimate") && person.contains("age_estimated_on")) {
    const auto since = years_between(person["age_estimated_on"].get<std::string>(), on);
    if (since) age = person["age_estimate"].get<int>() + *since;
  }
  if (!age || *age < 0) return "unknown";
  static const std::pair<int, const char*> kBands[] = {{12, "0-11"},  {18, "12-17"}, {25, "18-24"},
                                                       {35, "25-34"}, {50, "35-49"}};
  for (const auto& [below, band] : kBands)
    if (*age < below) return band;
  return "50+";
}

Json present(const Principal& principal, const EntitySpec& spec, const Record& record) {
  Json out = record.to_json();
  if (!sees_pseudonymised(principal)) return out;
  // An age band, at registration, instead of the birth date it is computed from.
  if (spec.kind == "person") out["age_band"] = age_band(record.fields, record.created_at.substr(0, 10));
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

Result<Session> Authenticator::login(const LoginRequest& request) {
  const Error refused{ErrorCode::kUnauthenticated,
                      "unknown user name or wrong password (after 5 failures in a row an account is locked for 15 minutes)", ""};
  const auto now = clock_.now();
  const std::string now_text = format_datetime(now);
  User user;
  {
    auto tx = store_.begin(false);
    HAVEN_TRY(tx);
    auto found = (*tx)->find_user(request.username);
    if (!found.ok()) {
      if (found.error().code != ErrorCode::kNotFound) return found.error();
      // Spend the same time as a real check, so timing does not reveal which user names exist.
      verify_password("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                      "ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g",
                      request.password);
      return refused;
    }
    user = std::move(found.value());
  }
  const bool locked = !user.locked_until.empty() && user.locked_until > now_text;
  const bool password_ok = verify_password(user.password_hash, request.password);
  if (locked || user.disabled) return refused;
  if (!password_ok) {
    auto tx = store_.begin(true);
    HAVEN_TRY(tx);
    auto current = (*tx)->get_user(user.id);  // re-read under the write lock: concurrent failures all count
    HAVEN_TRY(current);
    current->failed_logins += 1;
    if (current->failed_logins >= kMaxFailedLogins) {
      current->locked_until = format_datetime(now + kLockout);
      current->failed_logins = 0;
    }
    HAVEN_TRY((*tx)->update_user(*current));
    HAVEN_TRY((*tx)->commit());
    return refused;
  }
  if (!user.totp_secret.empty()) {
    if (request.totp_code.empty())
      return Error{ErrorCode::kPreconditionRequired, "this account uses a second factor: send the 6-digit code as totp", "/totp"};
    if (!verify_totp(user.totp_secret, request.totp_code, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()))
      return Error{ErrorCode::kUnauthenticated, "the one-time code is wrong or expired", "/totp"};
  }
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  Session session;
  session.token = to_hex(random, sizeof random);
  randombytes_buf(random, sizeof random);
  session.csrf_token = to_hex(random, sizeof random);
  session.principal = principal_of(user);
  session.expires_at = format_datetime(now + kSessionLifetime);
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  if (user.failed_logins != 0 || !user.locked_until.empty()) {
    auto current = (*tx)->get_user(user.id);
    HAVEN_TRY(current);
    current->failed_logins = 0;
    current->locked_until.clear();
    HAVEN_TRY((*tx)->update_user(*current));
  }
  HAVEN_TRY((*tx)->insert_session(token_hash(session.token), user.id, session.expires_at, session.csrf_token));
  HAVEN_TRY((*tx)->commit());
  return session;
}

Result<Authenticator::Authenticated> Authenticator::authenticate(std::string_view token) {
  if (token.size() != 64)
    return Error{ErrorCode::kUnauthenticated, "log in first: send Authorization: Bearer <token>", ""};
  const std::string hash = token_hash(token);
  const auto now = clock_.now();
  {
    std::lock_guard lock(cache_mutex_);
    const auto cached = cache_.find(hash);
    if (cached != cache_.end() && cached->second.valid_until > now) return cached->second.session;
  }
  auto tx = store_.begin(false);
  HAVEN_TRY(tx);
  auto session = (*tx)->find_session(hash, format_datetime(now));
  HAVEN_TRY(session);
  auto user = (*tx)->get_user(session->user_id);
  HAVEN_TRY(user);
  if (user->disabled) return Error{ErrorCode::kUnauthenticated, "this account is disabled", ""};
  Authenticated authenticated{principal_of(*user), session->csrf_token};
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() > 100000) cache_.clear();  // bounded: a flood of sessions only costs reads
  // A session may so outlive its 12-hour expiry by at most kSessionCacheTime.
  cache_[hash] = CachedSession{authenticated, now + kSessionCacheTime};
  return authenticated;
}

void Authenticator::forget_cached_sessions() {
  std::lock_guard lock(cache_mutex_);
  cache_.clear();
}

Status Authenticator::logout(std::string_view token) {
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  HAVEN_TRY((*tx)->delete_session(token_hash(token)));
  forget_cached_sessions();
  return (*tx)->commit();
}

namespace {

Status set_password(Transaction& tx, User user, std::string_view replacement) {
  HAVEN_TRY(check_password_policy(replacement));
  auto hash = hash_password(replacement);
  HAVEN_TRY(hash);
  user.password_hash = std::move(hash.value());
  user.failed_logins = 0;
  user.locked_until.clear();
  HAVEN_TRY(tx.update_user(user));
  return tx.delete_sessions_of(user.id);  // a stolen session ends with the password change
}

}  // namespace

Status Authenticator::change_password(const Principal& principal, std::string_view current, std::string_view replacement) {
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  auto user = (*tx)->get_user(principal.user_id);
  HAVEN_TRY(user);
  if (!verify_password(user->password_hash, current))
    return Error{ErrorCode::kPermissionDenied, "the current password is wrong", "/current_password"};
  HAVEN_TRY(set_password(**tx, *user, replacement));
  HAVEN_TRY((*tx)->commit());
  forget_cached_sessions();
  return Status::Ok();
}

Status Authenticator::reset_password(const Principal& administrator, std::int64_t user_id, std::string_view replacement) {
  if (!administrator.has_role("org_admin") && !administrator.has_role("system_admin"))
    return Error{ErrorCode::kPermissionDenied, "only an administrator can reset another user's password", ""};
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  auto user = (*tx)->get_user(user_id);
  if (!user.ok() || user->org_id != administrator.org_id)
    return Error{ErrorCode::kNotFound, "user " + std::to_string(user_id) + " does not exist in your organisation", ""};
  HAVEN_TRY(set_password(**tx, *user, replacement));
  HAVEN_TRY((*tx)->commit());
  forget_cached_sessions();
  return Status::Ok();
}

Status Authenticator::enable_totp(const Principal& principal, std::string_view secret, std::string_view code) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  if (secret.size() < 16) return invalid("the TOTP secret must be at least 16 bytes", "/secret");
  if (!verify_totp(secret, code, now))
    return invalid("the code does not match: check the authenticator app's clock and try the next code", "/code");
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  auto user = (*tx)->get_user(principal.user_id);
  HAVEN_TRY(user);
  user->totp_secret = std::string(secret);
  HAVEN_TRY((*tx)->update_user(*user));
  return (*tx)->commit();
}

bool LoginThrottle::allow(const std::string& client, std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& times = attempts_[client];
  std::erase_if(times, [&](auto t) { return now - t > window_; });
  if (static_cast<int>(times.size()) >= max_attempts_) return false;
  times.push_back(now);
  if (attempts_.size() > 100000) attempts_.clear();  // bounded memory under a spray of addresses
  return true;
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
