#include "auth/auth.hpp"

#include <gtest/gtest.h>

namespace haven {
namespace {

TEST(Passwords, HashAndVerify) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(*hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(check_password_policy("short").ok());
}

TEST(Policy, AnalystsReadPseudonymisedRecordsOnly) {
  const Principal analyst{1, 1, "ana", {"analyst"}};
  const Principal caseworker{2, 1, "cw", {"caseworker"}};
  const EntitySpec& person = *find_entity("person");
  EXPECT_TRUE(authorize(analyst, Action::kList, person).ok());
  EXPECT_EQ(authorize(analyst, Action::kCreate, person).error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(authorize(caseworker, Action::kCreate, person).ok());
  EXPECT_FALSE(authorize(caseworker, Action::kCreate, *find_entity("organisation")).ok());
  EXPECT_FALSE(authorize(caseworker, Action::kCreate, *find_entity("form_definition")).ok());
  Record record;
  record.kind = "person";
  record.display_code = "PE-2026-00001";
  record.fields = {{"given_name", "Asha"}, {"birth_date", "2010-01-01"}, {"sex", "female"}};
  const Json seen = present(analyst, person, record);
  EXPECT_FALSE(seen.contains("given_name"));
  EXPECT_FALSE(seen.contains("birth_date"));
  EXPECT_EQ(seen["sex"], "female");
  EXPECT_EQ(seen["display_code"], "PE-2026-00001");
  EXPECT_EQ(age_band(record.fields, "2026-11-26"), "12-17");
  EXPECT_EQ(age_band(Json{{"age_estimate", 30}, {"age_estimated_on", "2020-01-01"}}, "2026-11-26"), "35-49");
  EXPECT_EQ(age_band(Json::object(), "2026-11-26"), "unknown");
  EXPECT_EQ(present(caseworker, person, record)["given_name"], "Asha");
}

TEST(Sessions, LoginAuthenticateLogout) {
  const auto file = std::filesystem::temp_directory_path() / ("haven-auth-" + std::to_string(::getpid()) + ".db");
  FixedClock clock{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  {
    const auto ring = KeyRing::from_master_key(Key{4});
    SqliteOptions options;
    options.key_ring = ring.get();
    auto store = open_sqlite_store(file, clock, options);
    ASSERT_TRUE(store.ok());
    Authenticator auth(**store, clock);
    {
      auto tx = (*store)->begin(true);
      auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", "NGO"}, {"type", "ngo"}, {"country", "GH"}}, clock);
      ASSERT_TRUE(auth.create_user(**tx, org->id, "kofi", "Kofi", {"caseworker"}, "a long enough secret").ok());
      EXPECT_EQ(auth.create_user(**tx, org->id, "bad name", "x", {"caseworker"}, "a long enough secret").error().field, "/username");
      ASSERT_TRUE((*tx)->commit().ok());
    }
    const LoginRequest good{"kofi", "a long enough secret", "", "127.0.0.1"};
    const LoginRequest bad{"kofi", "wrong password!!", "", "127.0.0.1"};
    EXPECT_EQ(auth.login(bad).error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(auth.login({"nobody", "a long enough secret", "", ""}).error().message, auth.login(bad).error().message);
    auto session = auth.login(good);
    ASSERT_TRUE(session.ok()) << session.error().message;
    auto principal = auth.authenticate(session->token);
    ASSERT_TRUE(principal.ok());
    EXPECT_EQ(principal->principal.username, "kofi");
    EXPECT_EQ(principal->csrf_token, session->csrf_token);
    clock.advance(std::chrono::hours(13));
    EXPECT_FALSE(auth.authenticate(session->token).ok());  // expired
    clock.advance(-std::chrono::hours(13));
    ASSERT_TRUE(auth.logout(session->token).ok());
    EXPECT_FALSE(auth.authenticate(session->token).ok());
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
}

class Accounts : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() / ("haven-accounts-" + std::to_string(::getpid()) + ".db");
    SqliteOptions options;
    options.key_ring = ring_.get();
    store_ = std::move(open_sqlite_store(file_, clock_, options).value());
    authenticator_ = std::make_unique<Authenticator>(*store_, clock_);
    auto tx = store_->begin(true);
    auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", "NGO"}, {"type", "ngo"}, {"country", "GH"}}, clock_);
    user_id_ = authenticator_->create_user(**tx, org->id, "ama", "Ama", {"caseworker"}, "the first password")->id;
    admin_ = Principal{authenticator_->create_user(**tx, org->id, "boss", "Boss", {"org_admin"}, "the admin password")->id, org->id, "boss", {"org_admin"}};
    ASSERT_TRUE((*tx)->commit().ok());
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file_.string() + suffix);
  }
  Result<Session> login(const std::string& password, const std::string& code = "") {
    return authenticator_->login({"ama", password, code, "10.0.0.1"});
  }
  std::filesystem::path file_;
  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<KeyRing> ring_ = KeyRing::from_master_key(Key{6});
  std::unique_ptr<Store> store_;
  std::unique_ptr<Authenticator> authenticator_;
  std::int64_t user_id_ = 0;
  Principal admin_;
};

TEST_F(Accounts, FiveFailuresLockTheAccountForFifteenMinutes) {
  for (int i = 0; i < Authenticator::kMaxFailedLogins; ++i) EXPECT_FALSE(login("not the password").ok());
  EXPECT_FALSE(login("the first password").ok());  // locked, even with the right password
  clock_.advance(std::chrono::minutes(16));
  EXPECT_TRUE(login("the first password").ok());
}

TEST_F(Accounts, PasswordChangeEndsEverySession) {
  auto session = login("the first password");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(authenticator_->change_password(session->principal, "wrong", "the second password").error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(authenticator_->change_password(session->principal, "the first password", "the second password").ok());
  EXPECT_FALSE(authenticator_->authenticate(session->token).ok());
  EXPECT_FALSE(login("the first password").ok());
  EXPECT_TRUE(login("the second password").ok());
  const Principal caseworker = session->principal;
  EXPECT_FALSE(authenticator_->reset_password(caseworker, user_id_, "a password by a peer").ok());
  ASSERT_TRUE(authenticator_->reset_password(admin_, user_id_, "reset by the admin").ok());
  EXPECT_TRUE(login("reset by the admin").ok());
}

TEST_F(Accounts, TotpSecondFactor) {
  // RFC 6238 appendix B, SHA-1, truncated to 6 digits.
  EXPECT_EQ(totp_code("12345678901234567890", 59), "287082");
  EXPECT_EQ(totp_code("12345678901234567890", 1111111109), "081804");
  EXPECT_EQ(*base32_decode(base32_encode("any bytes\x01\xff")), "any bytes\x01\xff");
  auto session = login("the first password");
  const std::string secret = new_totp_secret();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  EXPECT_FALSE(authenticator_->enable_totp(session->principal, secret, "000000").ok() && totp_code(secret, now) != "000000");
  ASSERT_TRUE(authenticator_->enable_totp(session->principal, secret, totp_code(secret, now)).ok());
  EXPECT_EQ(login("the first password").error().code, ErrorCode::kPreconditionRequired);
  EXPECT_EQ(login("the first password", "123").error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(login("the first password", totp_code(secret, now + 30)).ok());  // one step of drift
  EXPECT_FALSE(login("the first password", totp_code(secret, now + 120)).ok());
}

TEST(Throttle, LimitsAttemptsPerClient) {
  LoginThrottle throttle(3, std::chrono::seconds(60));
  const auto t = std::chrono::system_clock::time_point{};
  EXPECT_TRUE(throttle.allow("a", t));
  EXPECT_TRUE(throttle.allow("a", t));
  EXPECT_TRUE(throttle.allow("a", t));
  EXPECT_FALSE(throttle.allow("a", t));
  EXPECT_TRUE(throttle.allow("b", t));
  EXPECT_TRUE(throttle.allow("a", t + std::chrono::seconds(61)));
}

}  // namespace
}  // namespace haven
