// A full disk in the middle of a server's work, over real HTTP, on both backends: every change
// fails cleanly with 507 and says why, reads go on, nothing of a refused change is kept, nothing
// committed before is lost, and once there is space again the server takes changes without a
// restart. SQLite's disk fills through a VFS that refuses writes as ENOSPC does
// (store/sqlite_full_disk.hpp); PostgreSQL's through triggers that fail every write with the error
// PostgreSQL raises when it cannot extend a file (SQLSTATE 53100 disk_full) — a real full disk on
// the database server gives that error, and PostgreSQL rolls the transaction back by itself.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "api/api.hpp"
#include "audit/audit.hpp"
#include "store/sqlite_full_disk.hpp"
#include "store/test_backends.hpp"

namespace haven {
namespace {

// The tables a change to a case or an event writes, and the audit log.
constexpr const char* kWrittenTables[] = {"\"case\"", "case_event", "code_sequence", "audit_log"};

class FullDiskTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (const std::string reason = skip_reason(GetParam()); !reason.empty()) GTEST_SKIP() << reason;
    if (GetParam() == Backend::kSqlite)
      disk_ = std::make_unique<sqlite_test::FullDisk>();  // before the store opens
    auto store = open_test_store(GetParam(), *ring_, clock_, database_, file_, "full-disk");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    Authenticator auth(*store_, clock_);
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok());
    auto org = create_record(**tx, *find_entity("organisation"), 0,
                             {{"name", "Shelter"}, {"type", "ngo"}, {"country", "PH"}}, clock_);
    ASSERT_TRUE(org.ok());
    ASSERT_TRUE(auth.create_user(**tx, org->id, "maria", "Maria", {"caseworker", "org_admin"},
                                 "maria's long password")
                    .ok());
    ASSERT_TRUE((*tx)->commit().ok());
    AuditLogOptions audit_options;
    audit_options.batch_delay = std::chrono::milliseconds(5);
    audit_ = std::make_unique<AuditLog>(*store_, clock_, ring_->audit_chain_key().value(),
                                        audit_options);
    ApiOptions options;
    options.log_requests = false;
    server_ = std::make_unique<ApiServer>(*store_, clock_, *audit_, options);
    ASSERT_TRUE(server_->bind("127.0.0.1", 0).ok());
    thread_ = std::thread([this] { (void)server_->listen_bound(); });
  }
  void TearDown() override {
    if (disk_) disk_->empty();
    if (GetParam() == Backend::kPostgres && database_) set_full(false);
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    audit_.reset();
    store_.reset();
    database_.reset();
    disk_.reset();  // after every connection through it is closed
    remove_test_file(file_);
  }

  void set_full(bool full) {
    if (GetParam() == Backend::kSqlite) return full ? disk_->fill() : disk_->empty();
    std::string sql =
        "CREATE OR REPLACE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION "
        "'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;";
    for (const char* table : kWrittenTables) {
      const std::string trigger = std::string("disk_full_") + (table[0] == '"' ? "case" : table);
      sql += "DROP TRIGGER IF EXISTS " + trigger + " ON " + table + ";";
      if (full)
        sql += "CREATE TRIGGER " + trigger + " BEFORE INSERT OR UPDATE ON " + table +
               " FOR EACH ROW EXECUTE FUNCTION disk_is_full();";
    }
    ASSERT_EQ(pg_test::admin(sql, database_->name()), "");
  }

  httplib::Result send(const std::string& method, const std::string& path,
                       const Json& body = Json()) {
    httplib::Client client("127.0.0.1", server_->port());
    const httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
    if (method == "GET") return client.Get(path, headers);
    if (method == "PATCH") return client.Patch(path, headers, body.dump(), "application/json");
    return client.Post(path, headers, body.dump(), "application/json");
  }
  void login() {
    httplib::Client client("127.0.0.1", server_->port());
    auto res =
        client.Post("/api/v1/sessions",
                    Json{{"username", "maria"}, {"password", "maria's long password"}}.dump(),
                    "application/json");
    ASSERT_TRUE(res && res->status == 201);
    token_ = Json::parse(res->body)["token"];
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<KeyRing> ring_ = KeyRing::from_master_key(Key{9});
  std::unique_ptr<sqlite_test::FullDisk> disk_;
  std::unique_ptr<pg_test::Database> database_;
  std::filesystem::path file_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  std::string token_;
};

const Json kCase = {{"title", "Garment workshop"},
                    {"exploitation_form", "labour_garment"},
                    {"country", "PH"},
                    {"opened_on", "2026-03-01"}};

TEST_P(FullDiskTest, ChangesFailWith507KeepNothingLoseNothingAndResumeWhenSpaceReturns) {
  ASSERT_NO_FATAL_FAILURE(login());
  auto created = send("POST", "/api/v1/cases", kCase);
  ASSERT_TRUE(created && created->status == 201);
  const Json kept = Json::parse(created->body);
  const std::string path = "/api/v1/cases/" + std::to_string(kept["id"].get<std::int64_t>());
  ASSERT_TRUE(audit_->flush().ok());

  ASSERT_NO_FATAL_FAILURE(set_full(true));
  const Json event = {
      {"case_id", kept["id"]}, {"occurred_at", "2026-03-05T09:00:00Z"}, {"type", "interview"}};
  const Json change = {{"version", 1}, {"status", "investigation"}};
  for (const auto& [method, target, body] :
       {std::tuple{"POST", std::string("/api/v1/cases"), kCase},
        std::tuple{"POST", std::string("/api/v1/case-events"), event},
        std::tuple{"PATCH", path, change}}) {
    auto refused = send(method, target, body);
    ASSERT_TRUE(refused) << method << " " << target;
    EXPECT_EQ(refused->status, 507) << method << " " << target << " -> " << refused->body;
    EXPECT_EQ(refused->get_header_value("Content-Type"), "application/problem+json");
    const Json problem = Json::parse(refused->body, nullptr, false);
    EXPECT_NE(problem.value("detail", "").find("disk is full"), std::string::npos) << refused->body;
    EXPECT_NE(problem.value("detail", "").find("nothing of this change was saved"),
              std::string::npos)
        << refused->body;
  }
  // Reads go on while the disk is full (their audit entries wait in the queue).
  auto read = send("GET", path);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  if (disk_) {
    EXPECT_GT(disk_->refused_writes(), 0u) << "the fault never reached SQLite";
  }

  ASSERT_NO_FATAL_FAILURE(set_full(false));
  // Space again: the same server takes changes, and the refused ones left nothing behind.
  auto changed = send("PATCH", path, change);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200) << changed->body;
  EXPECT_EQ(Json::parse(changed->body)["version"], 2) << "the refused change did not count";
  auto again = send("POST", "/api/v1/cases", kCase);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201) << again->body;
  auto events = send("GET", "/api/v1/case-events");
  ASSERT_TRUE(events && events->status == 200);
  EXPECT_TRUE(Json::parse(events->body)["items"].empty()) << events->body;
  auto cases = send("GET", "/api/v1/cases");
  ASSERT_TRUE(cases && cases->status == 200);
  const Json items = Json::parse(cases->body)["items"];
  ASSERT_EQ(items.size(), 2u) << cases->body;
  EXPECT_EQ(items[0]["title"], kCase["title"]);
  EXPECT_EQ(items[1]["display_code"].get<std::string>().substr(0, 8),
            kept["display_code"].get<std::string>().substr(0, 8));
  EXPECT_NE(items[1]["display_code"], kept["display_code"])
      << "display codes stay unique after the failed creates";
  auto metrics = send("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("status=\"507\""), std::string::npos);

  // Every audited read queued meanwhile is written now, and the chain is whole.
  ASSERT_TRUE(audit_->flush().ok());
  auto verified = audit_->verify({});
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->problem;
  AuditQuery query;
  query.kind = "case";
  query.record_id = kept["id"].get<std::int64_t>();
  query.action = "read";
  auto reads = audit_->show(query);
  ASSERT_TRUE(reads.ok());
  EXPECT_FALSE(reads->empty())
      << "the read made while the disk was full was audited once space returned";
}

INSTANTIATE_TEST_SUITE_P(Backends, FullDiskTest, kBothBackends, backend_name);

}  // namespace
}  // namespace haven
