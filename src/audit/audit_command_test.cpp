// The audit sub-commands (exit codes and what they print) and AuditLog::show's validation.
#include "audit/audit_command.hpp"

#include <sstream>

#include "audit/audit_test_support.hpp"

namespace haven::audit_test {
namespace {

class AuditCommandTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    append_committed(3);
  }
  int verify_command(const std::string& anchor_path) {
    out_.str("");
    err_.str("");
    return run_audit_verify(*store_, *log_, anchor_path, AuditCommandIo{out_, err_, {}});
  }
  int show_command(const AuditQuery& query, bool json) {
    out_.str("");
    err_.str("");
    return run_audit_show(*log_, query, json, AuditCommandIo{out_, err_, {}});
  }
  std::ostringstream out_, err_;
};

TEST_F(AuditCommandTest, VerifySaysIntactAndExitsZero) {
  ASSERT_TRUE(log_->write_anchor(anchor_file()).ok());
  EXPECT_EQ(verify_command(anchor_file().string()), 0);
  EXPECT_NE(out_.str().find("audit log intact: 3 entries"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("reaches entry 3"), std::string::npos) << out_.str();

  EXPECT_EQ(verify_command(""), 0);
  EXPECT_NE(out_.str().find("no anchor given"), std::string::npos) << out_.str();
}

TEST_F(AuditCommandTest, VerifyExitsFourAndSaysWhatWasFound) {
  tamper("UPDATE audit_log SET record_id = 99 WHERE seq = 2;");
  EXPECT_EQ(verify_command(""), kAuditExitTampered);
  EXPECT_NE(out_.str().find("AUDIT LOG TAMPERED: entry 2 was altered"), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("first bad entry: 2"), std::string::npos) << out_.str();
}

TEST_F(AuditCommandTest, VerifyExitsOneWhenTheAnchorCannotBeRead) {
  EXPECT_EQ(verify_command((dir_ / "missing-anchor").string()), kAuditExitError);
  EXPECT_NE(err_.str().find("haven: no audit anchor at"), std::string::npos) << err_.str();
  EXPECT_TRUE(out_.str().empty());
}

TEST_F(AuditCommandTest, ShowPrintsATable) {
  AuditQuery query;
  query.record_id = 2;
  EXPECT_EQ(show_command(query, false), 0);
  std::istringstream lines(out_.str());
  std::string header, row, extra;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_EQ(header.rfind("seq  at", 0), 0u) << header;
  EXPECT_NE(header.find("kind:id"), std::string::npos);
  EXPECT_EQ(row.rfind("2    2026-03-14T00:00:01Z  worker7  update  person:2  {\"fields\"", 0), 0u)
      << row;
}

TEST_F(AuditCommandTest, ShowPrintsJsonLines) {
  EXPECT_EQ(show_command(AuditQuery{}, true), 0);
  std::istringstream lines(out_.str());
  std::string line;
  std::int64_t expected_seq = 1;
  while (std::getline(lines, line)) {
    const Json entry = Json::parse(line);
    EXPECT_EQ(entry["seq"], expected_seq++);
    EXPECT_EQ(entry["detail"]["fields"][0], "birth_date");
    EXPECT_EQ(entry["hash"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(expected_seq, 4);
}

TEST_F(AuditCommandTest, ShowRefusesABadQueryWithExitTwo) {
  AuditQuery query;
  query.from = "last tuesday";
  EXPECT_EQ(show_command(query, false), kAuditExitBadQuery);
  EXPECT_NE(err_.str().find("haven: from: from must be a date"), std::string::npos) << err_.str();
}

TEST_F(AuditCommandTest, ShowValidatesEveryPartOfTheQuery) {
  struct Case {
    const char* name;
    void (*edit)(AuditQuery&);
    const char* field;
  };
  const Case cases[] = {
      {"limit 0", [](AuditQuery& q) { q.limit = 0; }, "limit"},
      {"limit too big", [](AuditQuery& q) { q.limit = 1001; }, "limit"},
      {"negative org", [](AuditQuery& q) { q.org_id = -1; }, "org_id"},
      {"negative user", [](AuditQuery& q) { q.user_id = -1; }, "user_id"},
      {"negative record", [](AuditQuery& q) { q.record_id = -1; }, "record_id"},
      {"negative seq", [](AuditQuery& q) { q.after_seq = -1; }, "after_seq"},
      {"kind with quotes", [](AuditQuery& q) { q.kind = "person'"; }, "kind"},
      {"bad to", [](AuditQuery& q) { q.to = "2026-13-01"; }, "to"},
      {"from after to",
       [](AuditQuery& q) {
         q.from = "2026-03-15";
         q.to = "2026-03-14";
       },
       "from"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    AuditQuery query;
    c.edit(query);
    auto result = log_->show(query);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().field, c.field);
  }
}

TEST_F(AuditCommandTest, ShowFilters) {
  auto tx = store_->begin(true);
  ASSERT_TRUE(tx.ok());
  AuditEvent login;
  login.org_id = 2;
  login.user_id = 9;
  login.actor = "admin";
  login.action = "login";
  ASSERT_TRUE(log_->append(**tx, login).ok());
  ASSERT_TRUE((*tx)->commit().ok());

  auto count = [&](AuditQuery query) {
    auto result = log_->show(query);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? result->size() : 0u;
  };
  AuditQuery q;
  EXPECT_EQ(count(q), 4u);
  q.user_id = 9;
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.org_id = 1;
  q.kind = "person";
  EXPECT_EQ(count(q), 3u);
  q = {};
  q.from = "2026-03-14T00:00:01Z";
  q.to = "2026-03-14T00:00:02+00:00";
  EXPECT_EQ(count(q), 2u);
  q = {};
  q.to = "2026-03-14";  // a date covers the whole day
  EXPECT_EQ(count(q), 4u);
  q = {};
  q.after_seq = 3;
  EXPECT_EQ(count(q), 1u);
}

}  // namespace
}  // namespace haven::audit_test
