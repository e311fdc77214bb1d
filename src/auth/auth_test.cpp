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
    EXPECT_EQ(auth.login("kofi", "wrong password!!").error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(auth.login("nobody", "a long enough secret").error().message,
              auth.login("kofi", "wrong password!!").error().message);
    auto session = auth.login("kofi", "a long enough secret");
    ASSERT_TRUE(session.ok()) << session.error().message;
    auto principal = auth.authenticate(session->token);
    ASSERT_TRUE(principal.ok());
    EXPECT_EQ(principal->username, "kofi");
    clock.advance(std::chrono::hours(13));
    EXPECT_FALSE(auth.authenticate(session->token).ok());  // expired
    clock.advance(-std::chrono::hours(13));
    ASSERT_TRUE(auth.logout(session->token).ok());
    EXPECT_FALSE(auth.authenticate(session->token).ok());
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
}

}  // namespace
}  // namespace haven
