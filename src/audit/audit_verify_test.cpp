// Verification: a sound log passes, and each way of tampering with the file is found and named.
#include <fstream>

#include "audit/audit_test_support.hpp"
#include "audit/chain.hpp"

namespace haven::audit_test {
namespace {

class AuditVerifyTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    append_committed(10);
  }
  void expect_tampered(const VerifyReport& report, std::int64_t seq, const std::string& words) {
    EXPECT_FALSE(report.intact);
    EXPECT_EQ(report.first_bad_seq, seq);
    EXPECT_NE(report.problem.find(words), std::string::npos) << report.problem;
  }
};

TEST_F(AuditVerifyTest, EmptyLogIsIntact) {
  tamper("DELETE FROM audit_log;");
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.entries, 0u);
}

TEST_F(AuditVerifyTest, SoundLogIsIntactAndProgressIsReported) {
  std::uint64_t last_done = 0, last_total = 0;
  int calls = 0;
  auto report = log_->verify([&](std::uint64_t done, std::uint64_t total) {
    last_done = done;
    last_total = total;
    ++calls;
  });
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->entries, 10u);
  EXPECT_EQ(report->first_bad_seq, 0);
  EXPECT_TRUE(report->problem.empty());
  EXPECT_GE(calls, 2);
  EXPECT_EQ(last_done, 10u);
  EXPECT_EQ(last_total, 10u);
}

TEST_F(AuditVerifyTest, FindsAnEditedEntry) {
  tamper("UPDATE audit_log SET actor = 'someone else' WHERE seq = 5;");
  const VerifyReport report = verify();
  expect_tampered(report, 5, "entry 5 was altered: its hash does not match its content");
  EXPECT_EQ(report.entries, 4u);
}

TEST_F(AuditVerifyTest, FindsAnEditedDetail) {
  tamper(R"(UPDATE audit_log SET detail = '{"fields":[]}' WHERE seq = 8;)");
  expect_tampered(verify(), 8, "entry 8 was altered");
}

TEST_F(AuditVerifyTest, FindsAnEditRechainedWithAnotherKey) {
  // Someone who knows the algorithm but not the key edits entry 5 and recomputes every hash after
  // it with a key of their own.
  auto entries = all_entries();
  const Key attacker = key_from(99);
  std::string sql;
  entries[4].actor = "mallory";
  for (std::size_t i = 4; i < entries.size(); ++i) {
    entries[i].prev_hash = entries[i - 1].hash;
    entries[i].hash = audit::entry_hash(attacker, entries[i]);
    sql += "UPDATE audit_log SET actor = '" + entries[i].actor + "', prev_hash = '" +
           entries[i].prev_hash + "', hash = '" + entries[i].hash +
           "' WHERE seq = " + std::to_string(entries[i].seq) + ";";
  }
  tamper(sql);
  expect_tampered(verify(), 5, "entry 5 was altered");
}

TEST_F(AuditVerifyTest, FindsARemovedEntry) {
  tamper("DELETE FROM audit_log WHERE seq = 5;");
  expect_tampered(verify(), 5, "entry 5 is missing: seq jumps from 4 to 6");
}

TEST_F(AuditVerifyTest, FindsSeveralRemovedEntries) {
  tamper("DELETE FROM audit_log WHERE seq BETWEEN 5 AND 7;");
  expect_tampered(verify(), 5, "entries 5 to 7 are missing: seq jumps from 4 to 8");
}

TEST_F(AuditVerifyTest, FindsARemovedFirstEntry) {
  tamper("DELETE FROM audit_log WHERE seq = 1;");
  expect_tampered(verify(), 1, "entry 1 is missing: the log starts at entry 2");
}

TEST_F(AuditVerifyTest, FindsTwoSwappedEntries) {
  tamper(
      "UPDATE audit_log SET seq = -5 WHERE seq = 5;"
      "UPDATE audit_log SET seq = 5 WHERE seq = 6;"
      "UPDATE audit_log SET seq = 6 WHERE seq = -5;");
  expect_tampered(verify(), 5, "entry 5 is out of order: it holds the entry written as entry 6");
}

TEST_F(AuditVerifyTest, FindsARemovalHiddenByRenumbering) {
  tamper(
      "DELETE FROM audit_log WHERE seq = 5;"
      "UPDATE audit_log SET seq = -(seq - 1) WHERE seq > 5;"
      "UPDATE audit_log SET seq = -seq WHERE seq < 0;");
  expect_tampered(verify(), 5, "written as entry 6");
}

TEST_F(AuditVerifyTest, FindsAnEntryCopiedOverAnother) {
  // Entry 6's row made identical to entry 5's except its seq: the content no longer matches.
  tamper(
      "DELETE FROM audit_log WHERE seq = 6;"
      "INSERT INTO audit_log SELECT 6, at, org_id, user_id, actor, action, kind, record_id,"
      " detail, prev_hash, hash FROM audit_log WHERE seq = 5;");
  expect_tampered(verify(), 6, "entry 6 is out of order: it holds the entry written as entry 5");
}

TEST_F(AuditVerifyTest, WrongChainKeyFailsFromTheFirstEntry) {
  open(key_from(2));
  expect_tampered(verify(), 1, "the chain key is not the one this log was written with");
}

TEST_F(AuditVerifyTest, RemovedTailNeedsTheAnchor) {
  ASSERT_TRUE(log_->write_anchor(anchor_file()).ok());
  tamper("DELETE FROM audit_log WHERE seq > 8;");
  // The documented limitation: what is left is still a sound chain.
  EXPECT_TRUE(verify().intact);

  auto anchor = AuditLog::read_anchor(anchor_file());
  ASSERT_TRUE(anchor.ok()) << anchor.error().message;
  EXPECT_EQ(anchor->last_seq, 10);
  const VerifyReport report = verify(*anchor);
  expect_tampered(report, 9, "entries 9 to 10 were removed from the end of the log");
  EXPECT_EQ(report.entries, 8u);
}

TEST_F(AuditVerifyTest, AnchorOfAnEarlierMomentStillVerifies) {
  ASSERT_TRUE(log_->write_anchor(anchor_file()).ok());
  append_committed(3);  // the log grew after the anchor was written
  auto anchor = AuditLog::read_anchor(anchor_file());
  ASSERT_TRUE(anchor.ok());
  const VerifyReport report = verify(*anchor);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries, 13u);
}

TEST_F(AuditVerifyTest, AnchorOfAnEmptyLogVerifies) {
  tamper("DELETE FROM audit_log;");
  ASSERT_TRUE(log_->write_anchor(anchor_file()).ok());
  auto anchor = AuditLog::read_anchor(anchor_file());
  ASSERT_TRUE(anchor.ok());
  EXPECT_EQ(anchor->last_seq, 0);
  EXPECT_TRUE(verify(*anchor).intact);
}

TEST_F(AuditVerifyTest, EditedAnchorIsFound) {
  auto anchor = log_->current_anchor();
  ASSERT_TRUE(anchor.ok());
  tamper("DELETE FROM audit_log WHERE seq > 8;");
  // Pointing the anchor at the new end needs the key to seal it.
  auto entries = all_entries();
  anchor->last_seq = 8;
  anchor->last_hash = entries.back().hash;
  expect_tampered(verify(*anchor), 0, "the anchor's seal does not match");
}

TEST_F(AuditVerifyTest, AnchorOfAnotherDatabaseIsFound) {
  auto anchor = log_->current_anchor();
  ASSERT_TRUE(anchor.ok());
  TearDown();
  clock_.advance(std::chrono::hours(1));
  SetUp();  // another database with ten entries of its own, written with the same key
  expect_tampered(verify(*anchor), 10, "entry 10 does not have the hash the anchor recorded");
}

TEST_F(AuditVerifyTest, AnchorFileRoundTripsAndGarbageIsRefused) {
  ASSERT_TRUE(log_->write_anchor(anchor_file()).ok());
  auto read = AuditLog::read_anchor(anchor_file());
  ASSERT_TRUE(read.ok()) << read.error().message;
  auto current = log_->current_anchor();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(read->last_seq, current->last_seq);
  EXPECT_EQ(read->last_hash, current->last_hash);
  EXPECT_EQ(read->seal, current->seal);
  EXPECT_FALSE(std::filesystem::exists(anchor_file().string() + ".tmp"));

  auto missing = AuditLog::read_anchor(dir_ / "nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  for (
      const char* text :
      {"not json", R"({"format":1})", R"({"format":"haven-audit-anchor/1"})",
       R"({"format":"haven-audit-anchor/1","last_seq":-1,"last_hash":"","written_at":"","seal":""})",
       R"({"format":"haven-audit-anchor/1","last_seq":3,"last_hash":"xyz","written_at":"","seal":"00"})"}) {
    SCOPED_TRACE(text);
    std::ofstream(anchor_file()) << text;
    auto garbage = AuditLog::read_anchor(anchor_file());
    ASSERT_FALSE(garbage.ok());
    EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace haven::audit_test
