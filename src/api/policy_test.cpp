// Property test of the access policy: random organisations, users with random roles, cases with
// random assignments, people in random cases, referrals in random states; then every user tries
// every record through the real HTTP API, and each answer is checked against an oracle written
// independently of src/auth (the rules as docs/security.md states them).
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "api/api.hpp"
#include "audit/audit.hpp"
#include "link_review/link_review.hpp"
#include "store/test_backends.hpp"

namespace haven {
namespace {

struct World {
  struct UserInfo {
    std::int64_t id = 0, org = 0;
    std::string name, token;
    std::vector<std::string> roles;
  };
  struct CaseInfo {
    std::int64_t id = 0, org = 0;
    std::set<std::int64_t> assigned;
  };
  struct PersonInfo {
    std::int64_t id = 0, org = 0;
    std::set<std::int64_t> cases;
  };
  std::vector<UserInfo> users;
  std::vector<CaseInfo> cases;
  std::vector<PersonInfo> persons;
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> referral_status;  // (case, to org)
  std::vector<std::pair<std::int64_t, std::int64_t>> link_reviews;  // (id, org)

  static bool has(const UserInfo& u, const char* role) {
    return std::find(u.roles.begin(), u.roles.end(), role) != u.roles.end();
  }
  static bool wide(const UserInfo& u) {
    for (const char* r : {"supervisor", "org_admin", "system_admin", "analyst", "auditor"})
      if (has(u, r)) return true;
    return false;
  }
  static bool pseudonymised(const UserInfo& u) {
    return std::all_of(u.roles.begin(), u.roles.end(), [](const std::string& r) { return r == "analyst" || r == "auditor"; });
  }
  const CaseInfo& case_of(std::int64_t id) const {
    return *std::find_if(cases.begin(), cases.end(), [&](const CaseInfo& c) { return c.id == id; });
  }
  bool sees_case(const UserInfo& u, const CaseInfo& c) const {
    if (u.org != c.org) return false;
    return wide(u) || c.assigned.empty() || c.assigned.count(u.id) > 0;
  }
  // Linkage review pairs belong to no case: supervisors and investigators read and decide them,
  // analysts and auditors read them pseudonymised, nobody else touches them.
  static bool reviews_links(const UserInfo& u) { return has(u, "supervisor") || has(u, "investigator"); }
  static bool reads_links(const UserInfo& u) { return reviews_links(u) || pseudonymised(u); }
  bool sees_person(const UserInfo& u, const PersonInfo& p) const {
    if (u.org != p.org) return false;
    if (wide(u) || p.cases.empty()) return true;
    return std::any_of(p.cases.begin(), p.cases.end(), [&](std::int64_t c) { return sees_case(u, case_of(c)); });
  }
};

// Each seed on each backend (store/test_backends.hpp), on a new database.
class Policy : public ::testing::TestWithParam<std::tuple<Backend, std::uint64_t>> {
 protected:
  void SetUp() override {
    if (const std::string reason = skip_reason(backend()); !reason.empty()) GTEST_SKIP() << reason;
    auto store = open_test_store(backend(), *ring_, clock_, database_, file_, "policy-" + std::to_string(seed()));
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    audit_ = std::make_unique<AuditLog>(*store_, clock_, ring_->audit_chain_key().value());
    ApiOptions api_options;
    api_options.log_requests = false;
    server_ = std::make_unique<ApiServer>(*store_, clock_, *audit_, api_options);
    ASSERT_TRUE(server_->bind("127.0.0.1", 0).ok());
    thread_ = std::thread([this] { (void)server_->listen_bound(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    audit_.reset();
    store_.reset();
    database_.reset();  // after the store: its connections must be closed first
    remove_test_file(file_);
  }
  Backend backend() const { return std::get<0>(GetParam()); }
  std::uint64_t seed() const { return std::get<1>(GetParam()); }

  Record make(Transaction& tx, const char* kind, std::int64_t org, const Json& body) {
    auto r = create_record(tx, *find_entity(kind), org, body, clock_);
    EXPECT_TRUE(r.ok()) << kind << ": " << r.error().message;
    return r.ok() ? *r : Record{};
  }

  // Builds a random world straight through the store (fast), then logs every user in over HTTP.
  void build(std::mt19937_64& rng, World& world) {
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    Authenticator auth(*store_, clock_);
    auto tx = std::move(store_->begin(true).value());
    std::vector<std::int64_t> orgs;
    for (int o = 0; o < 3; ++o)
      orgs.push_back(make(*tx, "organisation", 0, {{"name", "Org " + std::to_string(o)}, {"type", "ngo"}, {"country", "PH"}}).id);
    const std::vector<std::string> roles = {"caseworker", "social_worker", "investigator", "lawyer", "supervisor",
                                            "analyst", "org_admin", "auditor"};
    for (std::int64_t org : orgs)
      for (int u = 0; u < 5; ++u) {
        World::UserInfo info;
        info.org = org;
        info.name = "u" + std::to_string(org) + "_" + std::to_string(u);
        info.roles = {roles[pick(roles.size())]};
        if (pick(4) == 0) info.roles.push_back(roles[pick(4)]);  // sometimes a second, working role
        info.id = auth.create_user(*tx, org, info.name, info.name, info.roles, "a property test password").value().id;
        world.users.push_back(info);
      }
    for (std::int64_t org : orgs) {
      std::vector<std::int64_t> staff;
      for (const auto& u : world.users)
        if (u.org == org) staff.push_back(u.id);
      for (int c = 0; c < 6; ++c) {
        World::CaseInfo info;
        info.org = org;
        for (std::int64_t s : staff)
          if (pick(3) == 0) info.assigned.insert(s);
        Json body = {{"title", "case"}, {"exploitation_form", "osec"}, {"country", "PH"}, {"opened_on", "2026-01-01"},
                     {"assigned_user_ids", Json(std::vector<std::int64_t>(info.assigned.begin(), info.assigned.end()))}};
        info.id = make(*tx, "case", org, body).id;
        world.cases.push_back(info);
      }
      for (int p = 0; p < 8; ++p) {
        World::PersonInfo info;
        info.org = org;
        info.id = make(*tx, "person", org, {{"given_name", "Person" + std::to_string(p)}, {"sex", "female"}}).id;
        for (const auto& c : world.cases)
          if (c.org == org && pick(5) == 0) {
            info.cases.insert(c.id);
            make(*tx, "case_person", org, {{"case_id", c.id}, {"person_id", info.id}, {"role", "victim"}});
          }
        world.persons.push_back(info);
      }
    }
    // Referrals: a few cases sent to another organisation, some accepted.
    for (const auto& c : world.cases) {
      if (pick(3) != 0) continue;
      std::int64_t person = 0;
      for (const auto& p : world.persons)
        if (p.cases.count(c.id)) person = p.id;
      if (person == 0) continue;
      const std::int64_t to = orgs[(std::find(orgs.begin(), orgs.end(), c.org) - orgs.begin() + 1) % orgs.size()];
      const Record consent = make(*tx, "consent", c.org, {{"person_id", person}, {"given_on", "2026-01-02"},
                                                          {"purposes", {"referral"}}, {"share_with_org_ids", {to}}});
      Record referral = make(*tx, "referral", c.org, {{"case_id", c.id}, {"consent_id", consent.id}, {"to_org_id", to},
                                                      {"shared", {"person_names"}}, {"purpose", "referral"}});
      std::string status = "pending";
      if (pick(2) == 0) {
        status = "accepted";
        referral.fields["status"] = status;
        EXPECT_TRUE(tx->update(*find_entity("referral"), referral.id, 0, 1, referral.fields).ok());
      }
      world.referral_status[{c.id, to}] = status;
    }
    for (std::int64_t org : orgs) {
      const Json pair = {{"run", "Run"}, {"list_l", "police"}, {"record_l", "P1"}, {"list_r", "shelter"}, {"record_r", "S1"},
                         {"match_probability", 0.7}, {"status", "pending"},
                         {"comparisons", {{{"field", "name"}, {"level", "exact"}, {"weight", 2.0}, {"left", "a"}, {"right", "a"}}}}};
      EXPECT_TRUE(link_review::store_run(*tx, org, {pair}, clock_).ok());
      world.link_reviews.emplace_back(tx->list(*find_entity("link_review"), org, {}).value().records.front().id, org);
    }
    EXPECT_TRUE(tx->commit().ok());
    httplib::Client client("127.0.0.1", server_->port());
    for (auto& u : world.users) {
      auto res = client.Post("/api/v1/sessions", Json{{"username", u.name}, {"password", "a property test password"}}.dump(), "application/json");
      ASSERT_TRUE(res) << httplib::to_string(res.error());
      ASSERT_EQ(res->status, 201) << u.name << ": " << res->body;
      u.token = Json::parse(res->body)["token"];
    }
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<KeyRing> ring_ = KeyRing::from_master_key(Key{42});
  std::unique_ptr<pg_test::Database> database_;  // PostgreSQL: dropped after the store closes
  std::filesystem::path file_;                   // SQLite
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
};

TEST_P(Policy, NobodyReadsOrChangesWhatThePolicyDenies) {
  std::mt19937_64 rng(seed());
  World world;
  ASSERT_NO_FATAL_FAILURE(build(rng, world));
  httplib::Client client("127.0.0.1", server_->port());
  std::size_t checks = 0;
  for (const auto& u : world.users) {
    const httplib::Headers auth = {{"Authorization", "Bearer " + u.token}};
    // Reading each case and each person.
    for (const auto& c : world.cases) {
      auto res = client.Get("/api/v1/cases/" + std::to_string(c.id), auth);
      ASSERT_TRUE(res);
      const int expected = world.sees_case(u, c) ? 200 : u.org != c.org ? 404 : 403;
      EXPECT_EQ(res->status, expected) << u.name << " reads case " << c.id;
      if (res->status == 200) {
        EXPECT_EQ(Json::parse(res->body).contains("title"), !World::pseudonymised(u)) << u.name;
      }
      ++checks;
      // Writing into it: an event.
      const Json event = {{"case_id", c.id}, {"occurred_at", "2026-02-01T00:00:00Z"}, {"type", "note"}};
      auto write = client.Post("/api/v1/case-events", auth, event.dump(), "application/json");
      const bool may_write = world.sees_case(u, c) && !World::pseudonymised(u);
      if (may_write) {
        EXPECT_EQ(write->status, 201) << u.name << " writes into case " << c.id;
      } else {
        // Another organisation's case is not even named as existing (400: no such case here).
        const int refused = World::pseudonymised(u) ? 403 : u.org != c.org ? 400 : 403;
        EXPECT_EQ(write->status, refused) << u.name << " writes into case " << c.id;
      }
      // Shared view through referrals.
      auto shared = client.Get("/api/v1/shared/cases/" + std::to_string(c.id), auth);
      const auto referral = world.referral_status.find({c.id, u.org});
      const bool may_share = referral != world.referral_status.end() && referral->second == "accepted";
      const int shared_expected = World::pseudonymised(u) ? 403 : may_share ? 200 : 404;
      EXPECT_EQ(shared->status, shared_expected) << u.name << " reads shared case " << c.id;
      checks += 2;
    }
    for (const auto& p : world.persons) {
      auto res = client.Get("/api/v1/persons/" + std::to_string(p.id), auth);
      ASSERT_TRUE(res);
      const int expected = world.sees_person(u, p) ? 200 : u.org != p.org ? 404 : 403;
      EXPECT_EQ(res->status, expected) << u.name << " reads person " << p.id;
      if (res->status == 200) {
        EXPECT_EQ(Json::parse(res->body).contains("given_name"), !World::pseudonymised(u)) << u.name;
      }
      ++checks;
    }
    // Linkage review pairs: read, and decided then reopened (so the next user finds it pending).
    for (const auto& [id, org] : world.link_reviews) {
      const std::string path = "/api/v1/link-reviews/" + std::to_string(id);
      auto res = client.Get(path, auth);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, !World::reads_links(u) ? 403 : u.org != org ? 404 : 200) << u.name << " reads link review " << id;
      if (res->status == 200) {
        EXPECT_EQ(Json::parse(res->body).contains("comparisons"), !World::pseudonymised(u)) << u.name;
      }
      auto decided = client.Post(path + "/match", auth, "", "");
      ASSERT_TRUE(decided);
      EXPECT_EQ(decided->status, !World::reviews_links(u) ? 403 : u.org != org ? 404 : 200) << u.name << " decides link review " << id;
      if (decided->status == 200) {
        EXPECT_EQ(client.Post(path + "/reopen", auth, "", "")->status, 200);
      }
      checks += 2;
    }
    // Lists hold exactly what the user may see.
    for (const char* collection : {"cases", "persons"}) {
      auto res = client.Get(std::string("/api/v1/") + collection + "?limit=1000", auth);
      ASSERT_EQ(res->status, 200);
      std::set<std::int64_t> listed, expected;
      const Json page = Json::parse(res->body);
      for (const auto& item : page["items"]) listed.insert(item["id"].get<std::int64_t>());
      if (std::string(collection) == "cases") {
        for (const auto& c : world.cases)
          if (world.sees_case(u, c)) expected.insert(c.id);
      } else {
        for (const auto& p : world.persons)
          if (world.sees_person(u, p)) expected.insert(p.id);
      }
      EXPECT_EQ(listed, expected) << u.name << " lists " << collection;
      ++checks;
    }
  }
  EXPECT_GT(checks, 1000u);
  ASSERT_TRUE(audit_->flush().ok());
  auto verified = audit_->verify({});
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->problem;
}

INSTANTIATE_TEST_SUITE_P(Seeds, Policy, ::testing::Combine(kBothBackends, ::testing::Values(1, 2, 3)),
                         [](const ::testing::TestParamInfo<std::tuple<Backend, std::uint64_t>>& info) {
                           return backend_name({std::get<0>(info.param), info.index}) + "_" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace haven
