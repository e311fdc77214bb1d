// The record-linkage review queue over real HTTP, on both backends: who may list, read and decide
// pairs, what each sees, the decisions' conflicts, isolation between organisations, the audit
// trail, and the compared values sealed at rest.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "api/api.hpp"
#include "audit/audit.hpp"
#include "link_review/link_review.hpp"
#include "store/test_backends.hpp"

namespace haven {
namespace {

// Values no other record holds, so finding them in the raw database means they leaked.
constexpr const char* kLeftName = "wilhelmina quetzalcoatl";
constexpr const char* kRightName = "wilhelmina quetzalcoatle";
constexpr const char* kRun = "Police x shelter, March";

Json review(const std::string& run, const std::string& left_id, double probability) {
  return {{"run", run}, {"list_l", "police"}, {"record_l", left_id}, {"list_r", "shelter"}, {"record_r", "S-" + left_id},
          {"match_probability", probability}, {"match_weight", 1.5}, {"status", link_review::kPending},
          {"comparisons", {{{"field", "name"}, {"level", "Jaro-Winkler >= 0.92"}, {"weight", 6.25},
                            {"left", kLeftName}, {"right", kRightName}},
                           {{"field", "birth_date"}, {"level", "null"}, {"weight", 0.0}, {"left", "2001-02-03"}}}}};
}

class LinkReviews : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (const std::string reason = skip_reason(GetParam()); !reason.empty()) GTEST_SKIP() << reason;
    ring_ = KeyRing::from_master_key(Key{7});
    auto store = open_test_store(GetParam(), *ring_, clock_, database_, file_, "link-reviews");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    Authenticator auth(*store_, clock_);
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok());
    auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", "Mission PH"}, {"type", "ngo"}, {"country", "PH"}}, clock_);
    auto other = create_record(**tx, *find_entity("organisation"), 0, {{"name", "Police GH"}, {"type", "police"}, {"country", "GH"}}, clock_);
    ASSERT_TRUE(org.ok() && other.ok());
    org_ = org->id;
    const std::pair<const char*, std::vector<std::string>> staff[] = {
        {"sam", {"supervisor"}}, {"ivy", {"investigator"}}, {"jose", {"caseworker"}}, {"maria", {"caseworker", "org_admin"}},
        {"ana", {"analyst"}}, {"aud", {"auditor"}}};
    for (const auto& [name, roles] : staff) {
      auto user = auth.create_user(**tx, org->id, name, name, roles, "a long password for tests");
      ASSERT_TRUE(user.ok()) << user.error().message;
      ids_[name] = user->id;
    }
    ASSERT_TRUE(auth.create_user(**tx, other->id, "kwame", "Kwame", {"investigator"}, "a long password for tests").ok());
    std::vector<Json> ours;
    for (int i = 0; i < 3; ++i) ours.push_back(review(kRun, "P-" + std::to_string(i), 0.5 + 0.1 * i));
    ASSERT_TRUE(link_review::store_run(**tx, org->id, ours, clock_).ok());
    ASSERT_TRUE(link_review::store_run(**tx, org->id, {review("Another run", "P-9", 0.7)}, clock_).ok());
    auto theirs = link_review::store_run(**tx, other->id, {review(kRun, "P-0", 0.6)}, clock_);
    ASSERT_TRUE(theirs.ok());
    ASSERT_TRUE((*tx)->commit().ok());
    audit_ = std::make_unique<AuditLog>(*store_, clock_, ring_->audit_chain_key().value());
    ApiOptions options;
    options.log_requests = false;
    server_ = std::make_unique<ApiServer>(*store_, clock_, *audit_, options);
    ASSERT_TRUE(server_->bind("127.0.0.1", 0).ok());
    thread_ = std::thread([this] { (void)server_->listen_bound(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    audit_.reset();
    store_.reset();
    database_.reset();
    remove_test_file(file_);
  }

  std::string login(const std::string& user) {
    httplib::Client client("127.0.0.1", server_->port());
    auto res = client.Post("/api/v1/sessions", Json{{"username", user}, {"password", "a long password for tests"}}.dump(),
                           "application/json");
    EXPECT_TRUE(res && res->status == 201) << user;
    return res ? Json::parse(res->body).value("token", "") : "";
  }
  // Sends a request (POST with `body` as JSON, or none when empty) and checks the status.
  Json call(const std::string& method, const std::string& path, const std::string& user, int expected,
            const std::string& body = "") {
    httplib::Client client("127.0.0.1", server_->port());
    const httplib::Headers headers = {{"Authorization", "Bearer " + tokens_[user]}};
    auto res = method == "GET" ? client.Get(path, headers) : client.Post(path, headers, body, body.empty() ? "" : "application/json");
    EXPECT_TRUE(res) << method << " " << path;
    if (!res) return Json();
    EXPECT_EQ(res->status, expected) << user << ": " << method << " " << path << " -> " << res->body;
    return Json::parse(res->body, nullptr, false);
  }
  void log_in_everyone() {
    for (const char* user : {"sam", "ivy", "jose", "maria", "ana", "aud", "kwame"}) tokens_[user] = login(user);
  }
  std::vector<std::int64_t> pair_ids(const std::string& user, const std::string& query) {
    std::vector<std::int64_t> ids;
    const Json page = call("GET", "/api/v1/link-reviews" + query, user, 200);
    for (const auto& item : page.value("items", Json::array())) ids.push_back(item["id"]);
    return ids;
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<KeyRing> ring_;
  std::unique_ptr<pg_test::Database> database_;
  std::filesystem::path file_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  std::int64_t org_ = 0;
  std::map<std::string, std::int64_t> ids_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(LinkReviews, ReviewersListReadAndDecideWithTheExplanation) {
  log_in_everyone();
  const std::string run_filter = "?run=Police%20x%20shelter%2C%20March&status=pending&sort=match_probability&order=desc";
  const Json listed = call("GET", "/api/v1/link-reviews" + run_filter, "sam", 200);
  ASSERT_EQ(listed["items"].size(), 3u) << listed.dump();
  EXPECT_GT(listed["items"][0]["match_probability"], listed["items"][2]["match_probability"]);
  const Json& first = listed["items"][0];
  EXPECT_EQ(first["comparisons"][0]["left"], kLeftName);
  EXPECT_EQ(first["comparisons"][0]["weight"], 6.25);
  EXPECT_EQ(first["status"], "pending");
  EXPECT_EQ(first["display_code"].get<std::string>().substr(0, 3), "LR-");
  const std::string pair = "/api/v1/link-reviews/" + std::to_string(first["id"].get<std::int64_t>());

  EXPECT_EQ(call("GET", pair, "ivy", 200)["comparisons"][0]["right"], kRightName);
  const Json matched = call("POST", pair + "/match", "ivy", 200, R"({"note": "same phone in both files"})");
  EXPECT_EQ(matched["status"], "match");
  EXPECT_EQ(matched["note"], "same phone in both files");
  EXPECT_EQ(matched["decided_by"], ids_["ivy"]);
  EXPECT_EQ(matched["decided_at"], "2026-11-26T00:00:00Z");
  call("POST", pair + "/match", "sam", 409);
  call("POST", pair + "/non-match", "sam", 409);
  EXPECT_EQ(call("GET", "/api/v1/link-reviews" + run_filter, "sam", 200)["items"].size(), 2u);

  const Json reopened = call("POST", pair + "/reopen", "sam", 200);
  EXPECT_EQ(reopened["status"], "pending");
  EXPECT_FALSE(reopened.contains("note") || reopened.contains("decided_by") || reopened.contains("decided_at")) << reopened.dump();
  call("POST", pair + "/reopen", "sam", 409);
  EXPECT_EQ(call("POST", pair + "/non-match", "sam", 200)["status"], "non_match");

  // Bad bodies are refused with what is accepted, and change nothing.
  const std::string other_pair = "/api/v1/link-reviews/" + std::to_string(listed["items"][1]["id"].get<std::int64_t>());
  call("POST", other_pair + "/match", "sam", 400, R"({"note": 7})");
  call("POST", other_pair + "/match", "sam", 400, R"({"reason": "x"})");
  call("POST", other_pair + "/match", "sam", 400, "{\"note\": \"" + std::string(2001, 'a') + "\"}");
  call("POST", other_pair + "/match", "sam", 400, "not json");
  call("POST", "/api/v1/link-reviews/999999/match", "sam", 404);
  EXPECT_EQ(call("GET", other_pair, "sam", 200)["status"], "pending");

  const Json runs = call("GET", "/api/v1/link-reviews/runs", "sam", 200);
  ASSERT_EQ(runs["items"].size(), 2u) << runs.dump();
  EXPECT_EQ(runs["items"][0], (Json{{"run", "Another run"}, {"pending", 1}, {"match", 0}, {"non_match", 0}, {"total", 1}}));
  EXPECT_EQ(runs["items"][1], (Json{{"run", kRun}, {"pending", 2}, {"match", 0}, {"non_match", 1}, {"total", 3}}));

  // Generic writes are refused: pairs come from haven link only.
  Json by_hand = review("Made by hand", "P-1", 0.6);
  by_hand.erase("status");
  call("POST", "/api/v1/link-reviews", "sam", 409, by_hand.dump());
  EXPECT_TRUE(pair_ids("sam", "?run=Made%20by%20hand").empty());
}

TEST_P(LinkReviews, AnalystsAndAuditorsReadPseudonymisedAndNeverDecide) {
  log_in_everyone();
  for (const char* user : {"ana", "aud"}) {
    const Json listed = call("GET", "/api/v1/link-reviews?run=Another%20run", user, 200);
    ASSERT_EQ(listed["items"].size(), 1u) << user;
    const Json& item = listed["items"][0];
    EXPECT_FALSE(item.contains("comparisons")) << user << " sees the compared values: " << item.dump();
    EXPECT_EQ(item["record_l"], "P-9");
    const std::string pair = "/api/v1/link-reviews/" + std::to_string(item["id"].get<std::int64_t>());
    EXPECT_FALSE(call("GET", pair, user, 200).contains("comparisons"));
    EXPECT_EQ(call("GET", pair, user, 200)["record_r"], "S-P-9");
    call("POST", pair + "/match", user, 403);
    call("POST", pair + "/reopen", user, 403);
    EXPECT_EQ(call("GET", "/api/v1/link-reviews/runs", user, 200)["items"].size(), 2u);
  }
  // Caseworkers work their assigned cases; these lists belong to none.
  for (const char* user : {"jose", "maria"}) {
    call("GET", "/api/v1/link-reviews", user, 403);
    call("GET", "/api/v1/link-reviews/runs", user, 403);
  }
  const std::int64_t id = pair_ids("sam", "?run=Another%20run").front();
  call("GET", "/api/v1/link-reviews/" + std::to_string(id), "jose", 403);
  call("POST", "/api/v1/link-reviews/" + std::to_string(id) + "/match", "jose", 403);
}

TEST_P(LinkReviews, AnotherOrganisationsPairsDoNotExist) {
  log_in_everyone();
  const std::vector<std::int64_t> ours = pair_ids("sam", "");
  const std::vector<std::int64_t> theirs = pair_ids("kwame", "");
  ASSERT_EQ(ours.size(), 4u);
  ASSERT_EQ(theirs.size(), 1u);
  for (std::int64_t id : ours) {
    EXPECT_EQ(std::count(theirs.begin(), theirs.end(), id), 0);
    call("GET", "/api/v1/link-reviews/" + std::to_string(id), "kwame", 404);
    call("POST", "/api/v1/link-reviews/" + std::to_string(id) + "/match", "kwame", 404);
  }
  call("GET", "/api/v1/link-reviews/" + std::to_string(theirs.front()), "sam", 404);
  const Json runs = call("GET", "/api/v1/link-reviews/runs", "kwame", 200);
  EXPECT_EQ(runs["items"], (Json::array({{{"run", kRun}, {"pending", 1}, {"match", 0}, {"non_match", 0}, {"total", 1}}})));
  // Their decision leaves ours pending.
  EXPECT_EQ(call("POST", "/api/v1/link-reviews/" + std::to_string(theirs.front()) + "/match", "kwame", 200)["status"], "match");
  EXPECT_EQ(call("GET", "/api/v1/link-reviews/runs", "sam", 200)["items"][1]["pending"], 3);
}

TEST_P(LinkReviews, EveryReadAndDecisionIsAudited) {
  log_in_everyone();
  const std::vector<std::int64_t> listed = pair_ids("ivy", "?run=Another%20run");
  ASSERT_EQ(listed.size(), 1u);
  const std::int64_t id = listed.front();
  call("GET", "/api/v1/link-reviews/" + std::to_string(id), "sam", 200);
  call("POST", "/api/v1/link-reviews/" + std::to_string(id) + "/non-match", "sam", 200, R"({"note": "different mothers' names"})");
  call("POST", "/api/v1/link-reviews/" + std::to_string(id) + "/reopen", "sam", 200);
  call("GET", "/api/v1/link-reviews/runs", "ana", 200);
  ASSERT_TRUE(audit_->flush().ok());
  auto tx = store_->begin(false);
  ASSERT_TRUE(tx.ok());
  AuditQuery query;
  query.kind = "link_review";
  query.limit = 1000;
  auto entries = (*tx)->list_audit(query);
  ASSERT_TRUE(entries.ok());
  auto count = [&](std::int64_t user, const std::string& action, std::int64_t record) {
    return std::count_if(entries->begin(), entries->end(), [&](const AuditRecord& e) {
      return e.user_id == user && e.action == action && e.record_id == record && e.org_id == org_;
    });
  };
  EXPECT_EQ(count(ids_["ivy"], "read", id), 1) << "a pair read through a list";
  EXPECT_EQ(count(ids_["sam"], "read", id), 1);
  EXPECT_EQ(count(ids_["sam"], "link_review_decide", id), 1);
  EXPECT_EQ(count(ids_["sam"], "link_review_reopen", id), 1);
  EXPECT_EQ(count(ids_["ana"], "list", 0), 1);
  for (const auto& e : *entries) {
    EXPECT_EQ(e.detail.find("wilhelmina"), std::string::npos) << "a compared value in the audit log: " << e.detail;
    EXPECT_EQ(e.detail.find("mothers"), std::string::npos) << "the note's words in the audit log: " << e.detail;
  }
}

// The compared values are sealed: the raw database holds the run's name (public) but not the names.
TEST_P(LinkReviews, ComparedValuesAreSealedAtRest) {
  log_in_everyone();  // the server is serving, so that stop() below ends it
  EXPECT_EQ(call("GET", "/api/v1/link-reviews?run=Another%20run", "sam", 200)["items"][0]["comparisons"][0]["left"], kLeftName);
  if (GetParam() == Backend::kSqlite) {
    // Closes the database, checkpointing the write-ahead log into the file.
    server_->stop();
    thread_.join();
    server_.reset();
    audit_.reset();
    store_.reset();
    std::string raw;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(file_.string() + suffix, std::ios::binary);
      raw.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    EXPECT_NE(raw.find(kRun), std::string::npos) << "the raw file was not read";
    EXPECT_EQ(raw.find("quetzalcoatl"), std::string::npos) << "a compared value is stored in the clear";
    return;
  }
  // PostgreSQL: a statement that fails when the table is empty or any row holds the value in the clear.
  const std::string check =
      "DO $$ BEGIN "
      "IF (SELECT count(*) FROM link_review WHERE data LIKE '%Police x shelter%') < 4 THEN RAISE EXCEPTION 'no pairs stored'; END IF; "
      "IF EXISTS (SELECT 1 FROM link_review WHERE data LIKE '%quetzalcoatl%' OR position(convert_to('quetzalcoatl', 'UTF8') in sealed) > 0) "
      "THEN RAISE EXCEPTION 'a compared value is stored in the clear'; END IF; END $$;";
  EXPECT_EQ(pg_test::admin(check, database_->name()), "");
}

INSTANTIATE_TEST_SUITE_P(Backends, LinkReviews, kBothBackends, backend_name);

}  // namespace
}  // namespace haven
