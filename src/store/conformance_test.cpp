// The backend conformance suite: every Store backend must pass it unchanged. A backend joins by
// adding a factory to the INSTANTIATE_TEST_SUITE_P list at the bottom.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "store/postgres_test_support.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

// One key ring for the whole test binary: data keys are loaded into it as organisations appear.
KeyRing* test_key_ring() {
  static const std::unique_ptr<KeyRing> ring = KeyRing::from_master_key(Key{1, 2, 3});
  return ring.get();
}

using Factory = std::function<std::unique_ptr<Store>(const std::filesystem::path& dir, const Clock&)>;

struct Backend {
  std::string name;
  Factory open;
  // Opens what backup_to wrote, as a store of its own.
  std::function<std::unique_ptr<Store>(const std::filesystem::path& backup, const Clock&)> open_backup;
  // Why the backend cannot run here (its cases are skipped); empty when it can.
  std::function<std::string()> unavailable = [] { return std::string(); };
};
void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

class Conformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (const std::string reason = GetParam().unavailable(); !reason.empty()) GTEST_SKIP() << reason;
    dir_ = std::filesystem::temp_directory_path() /
           ("haven-conformance-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = GetParam().open(dir_, clock_);
    ASSERT_NE(store_, nullptr);
    org_a_ = make_org("Justice Mission Manila", "PH");
    org_b_ = make_org("Shelter Accra", "GH");
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Transaction> write() {
    auto tx = store_->begin(true);
    EXPECT_TRUE(tx.ok()) << tx.error().message;
    return std::move(tx.value());
  }
  std::int64_t make_org(const std::string& name, const std::string& country) {
    auto tx = write();
    auto org = create_record(*tx, spec("organisation"), 0,
                             {{"name", name}, {"type", "ngo"}, {"country", country}}, clock_);
    EXPECT_TRUE(org.ok()) << org.error().message;
    EXPECT_TRUE(tx->commit().ok());
    return org->id;
  }
  Record make_case(std::int64_t org, const std::string& title, const std::string& form = "osec") {
    auto tx = write();
    auto record = create_record(*tx, spec("case"), org,
                                {{"title", title}, {"exploitation_form", form}, {"country", "PH"},
                                 {"opened_on", "2026-02-01"}}, clock_);
    EXPECT_TRUE(record.ok()) << record.error().message;
    EXPECT_TRUE(tx->commit().ok());
    return *record;
  }
  static const EntitySpec& spec(const char* kind) { return *find_entity(kind); }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::int64_t org_a_ = 0, org_b_ = 0;
};

TEST_P(Conformance, InsertThenGetRoundTripsEveryField) {
  const Record created = make_case(org_a_, "Livestream ring, Cebu");
  auto tx = store_->begin(false);
  ASSERT_TRUE(tx.ok());
  auto read = (*tx)->get(spec("case"), created.id, org_a_);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->fields, created.fields);
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(read->display_code, "CA-2026-00001");
  EXPECT_EQ(read->created_at, "2026-11-26T00:00:00Z");
}

TEST_P(Conformance, DisplayCodesAreSequentialPerOrganisation) {
  EXPECT_EQ(make_case(org_a_, "a").display_code, "CA-2026-00001");
  EXPECT_EQ(make_case(org_a_, "b").display_code, "CA-2026-00002");
  EXPECT_EQ(make_case(org_b_, "c").display_code, "CA-2026-00001");
}

TEST_P(Conformance, AnotherOrganisationsRecordIsNotFound) {
  const Record theirs = make_case(org_b_, "theirs");
  auto tx = store_->begin(false);
  auto read = (*tx)->get(spec("case"), theirs.id, org_a_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  auto page = (*tx)->list(spec("case"), org_a_, {});
  EXPECT_TRUE(page->records.empty());
}

TEST_P(Conformance, StaleUpdateIsRefusedNeverLost) {
  const Record created = make_case(org_a_, "first");
  {
    auto tx = write();
    auto updated = update_record(*tx, spec("case"), created.id, org_a_, 1, {{"title", "second"}}, clock_);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    ASSERT_TRUE(tx->commit().ok());
  }
  auto tx = write();
  auto stale = update_record(*tx, spec("case"), created.id, org_a_, 1, {{"title", "third"}}, clock_);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto direct = tx->update(spec("case"), created.id, org_a_, 1, created.fields);
  EXPECT_EQ(direct.error().code, ErrorCode::kConflict);
  EXPECT_EQ(tx->get(spec("case"), created.id, org_a_)->fields["title"], "second");
}

TEST_P(Conformance, UncommittedWorkIsRolledBack) {
  {
    auto tx = write();
    ASSERT_TRUE(create_record(*tx, spec("case"), org_a_,
                              {{"title", "x"}, {"exploitation_form", "osec"}, {"country", "PH"},
                               {"opened_on", "2026-02-01"}}, clock_).ok());
  }
  auto tx = store_->begin(false);
  EXPECT_EQ(*(*tx)->count(spec("case"), org_a_), 0);
}

TEST_P(Conformance, ListFiltersSortsAndPagesWithoutGapsOrRepeats) {
  for (int i = 0; i < 23; ++i)
    make_case(org_a_, "case " + std::to_string(i), i % 3 == 0 ? "sex_trafficking" : "osec");
  auto tx = store_->begin(false);
  ListQuery query;
  query.filters.push_back({"exploitation_form", Filter::Op::kEq, "osec"});
  query.sort = "exploitation_form";
  query.descending = true;
  query.limit = 4;
  std::set<std::int64_t> seen;
  std::int64_t previous = INT64_MAX;
  int pages = 0;
  do {
    auto page = (*tx)->list(spec("case"), org_a_, query);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const auto& r : page->records) {
      EXPECT_EQ(r.fields["exploitation_form"], "osec");
      EXPECT_LT(r.id, previous);
      previous = r.id;
      EXPECT_TRUE(seen.insert(r.id).second);
    }
    query.cursor = page->next_cursor;
    ++pages;
  } while (!query.cursor.empty());
  EXPECT_EQ(seen.size(), 15u);
  EXPECT_EQ(pages, 4);

  ListQuery bad;
  bad.sort = "title";  // not indexed: sorting it would be a full scan
  EXPECT_EQ((*tx)->list(spec("case"), org_a_, bad).error().code, ErrorCode::kInvalidArgument);
  ListQuery bad_cursor;
  bad_cursor.cursor = "{not a cursor";
  EXPECT_EQ((*tx)->list(spec("case"), org_a_, bad_cursor).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(Conformance, ScanReadsPublicFieldsWithoutOpeningSealedOnes) {
  const Record first = make_case(org_a_, "first", "osec");
  const Record second = make_case(org_a_, "second", "sex_trafficking");
  make_case(org_b_, "theirs");
  {
    auto tx = write();
    auto legal = create_record(*tx, spec("legal_case"), org_a_,
                               {{"case_id", second.id},
                                {"charges", {{{"statute", "RA 9208"}, {"counts", 2}}}},
                                {"stages", {{{"stage", "complaint"}, {"date", "2026-03-01"}}}}},
                               clock_);
    ASSERT_TRUE(legal.ok()) << legal.error().message;
    ASSERT_TRUE(tx->commit().ok());
  }
  auto tx = store_->begin(false);
  std::vector<std::pair<std::int64_t, std::vector<Json>>> rows;
  auto collect = [&](std::int64_t id, std::int64_t org, const std::vector<Json>& values) {
    EXPECT_EQ(org, org_a_);
    rows.emplace_back(id, values);
  };
  ASSERT_TRUE((*tx)->scan(spec("case"), org_a_, {"exploitation_form", "opened_on", "closed_on"}, collect).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].first, first.id);
  EXPECT_EQ(rows[0].second, (std::vector<Json>{"osec", "2026-02-01", Json()}));
  EXPECT_EQ(rows[1].second[0], "sex_trafficking");

  rows.clear();
  ASSERT_TRUE((*tx)->scan(spec("legal_case"), org_a_, {"case_id", "stages", "current_stage"}, collect).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second[0], second.id);
  EXPECT_EQ(rows[0].second[1][0]["stage"], "complaint");
  EXPECT_EQ(rows[0].second[2], "complaint");

  const Status sealed = (*tx)->scan(spec("case"), org_a_, {"title"}, collect);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE((*tx)->scan(spec("case"), org_a_, {"no_such_field"}, collect).ok());
}

TEST_P(Conformance, PersonWritesKeepTheirSearchEncodingsInOrder) {
  store_->set_person_encoder([](std::int64_t org, const Json& fields) {
    return "enc:" + std::to_string(org) + ":" + fields.value("given_name", std::string());
  });
  std::int64_t first = 0, second = 0;
  {
    auto tx = write();
    first = create_record(*tx, spec("person"), org_a_, {{"given_name", "Amina"}}, clock_).value().id;
    second = create_record(*tx, spec("person"), org_b_, {{"given_name", "Kofi"}}, clock_).value().id;
    ASSERT_TRUE(tx->commit().ok());
  }
  {
    auto tx = write();
    ASSERT_TRUE(update_record(*tx, spec("person"), first, org_a_, 1, {{"given_name", "Aminah"}}, clock_).ok());
    // A merged duplicate leaves the index: its encodings are withdrawn.
    auto kofi = tx->get(spec("person"), second, org_b_);
    Json merged = kofi->fields;
    merged["merged_into"] = second;
    ASSERT_TRUE(tx->update(spec("person"), second, org_b_, 1, merged).ok());
    ASSERT_TRUE(tx->commit().ok());
  }
  auto tx = store_->begin(false);
  auto rows = (*tx)->search_encodings_after(0, 100);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);  // one row per person, at its latest write
  EXPECT_EQ((*rows)[0].person_id, first);
  EXPECT_EQ((*rows)[0].encodings, "enc:" + std::to_string(org_a_) + ":Aminah");
  EXPECT_EQ((*rows)[1].person_id, second);
  EXPECT_EQ((*rows)[1].org_id, org_b_);
  EXPECT_TRUE((*rows)[1].encodings.empty());
  EXPECT_LT((*rows)[0].seq, (*rows)[1].seq);
  auto later = (*tx)->search_encodings_after((*rows)[0].seq, 100);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().person_id, second);
  EXPECT_TRUE((*tx)->search_encodings_after((*rows)[1].seq, 100)->empty());
}

TEST_P(Conformance, ReferencesMustExistInTheSameOrganisation) {
  const Record theirs = make_case(org_b_, "theirs");
  auto tx = write();
  auto event = create_record(*tx, spec("case_event"), org_a_,
                             {{"case_id", theirs.id}, {"occurred_at", "2026-03-01T10:00:00Z"}, {"type", "note"}},
                             clock_);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().field, "/case_id");
}

TEST_P(Conformance, APersonTakesARoleInACaseOnce) {
  const Record the_case = make_case(org_a_, "kiln");
  auto tx = write();
  auto person = create_record(*tx, spec("person"), org_a_, {{"given_name", "Asha"}, {"birth_date", "2010-01-01"}}, clock_);
  ASSERT_TRUE(person.ok());
  const Json link = {{"case_id", the_case.id}, {"person_id", person->id}, {"role", "victim"}};
  auto first = create_record(*tx, spec("case_person"), org_a_, link, clock_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->fields["is_minor"], true);
  auto again = create_record(*tx, spec("case_person"), org_a_, link, clock_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_P(Conformance, FormDefinitionsAreVersioned) {
  auto tx = write();
  const Json form = {{"target_kind", "person"},
                     {"fields", {{{"key", "village"}, {"label", "Village"}, {"type", "text"}}}}};
  EXPECT_EQ(create_record(*tx, spec("form_definition"), org_a_, form, clock_)->fields["form_version"], 1);
  EXPECT_EQ(create_record(*tx, spec("form_definition"), org_a_, form, clock_)->fields["form_version"], 2);
  EXPECT_EQ(create_record(*tx, spec("form_definition"), org_b_, form, clock_)->fields["form_version"], 1);
  EXPECT_EQ((*tx->latest_form(org_a_, "person"))["form_version"], 2);
  EXPECT_TRUE(tx->latest_form(org_a_, "case")->is_null());
}

TEST_P(Conformance, UsersAndSessions) {
  auto tx = write();
  User user;
  user.org_id = org_a_;
  user.username = "maria";
  user.display_name = "Maria Santos";
  user.roles = {"caseworker"};
  user.password_hash = "$argon2id$...";
  auto created = tx->insert_user(user);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(tx->insert_user(user).error().code, ErrorCode::kConflict);
  EXPECT_EQ(tx->find_user("maria")->roles, std::vector<std::string>{"caseworker"});
  ASSERT_TRUE(tx->insert_session("hash1", created->id, "2026-11-27T00:00:00Z", "csrf1").ok());
  EXPECT_EQ(tx->find_session("hash1", "2026-11-26T12:00:00Z")->user_id, created->id);
  EXPECT_EQ(tx->find_session("hash1", "2026-11-26T12:00:00Z")->csrf_token, "csrf1");
  User changed = *created;
  changed.failed_logins = 3;
  changed.locked_until = "2026-11-26T13:00:00Z";
  changed.totp_secret = std::string("\x01\x02secret", 8);
  auto updated = tx->update_user(changed);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(tx->update_user(changed).error().code, ErrorCode::kConflict);  // stale version
  auto reread = tx->get_user(created->id);
  EXPECT_EQ(reread->failed_logins, 3);
  EXPECT_EQ(reread->totp_secret, changed.totp_secret);
  ASSERT_TRUE(tx->insert_session("hash2", created->id, "2026-11-27T00:00:00Z", "").ok());
  ASSERT_TRUE(tx->delete_sessions_of(created->id).ok());
  EXPECT_FALSE(tx->find_session("hash2", "2026-11-26T12:00:00Z").ok());
  EXPECT_EQ(tx->find_session("hash1", "2026-11-28T00:00:00Z").error().code, ErrorCode::kUnauthenticated);
  ASSERT_TRUE(tx->delete_session("hash1").ok());
  EXPECT_FALSE(tx->find_session("hash1", "2026-11-26T12:00:00Z").ok());
}

TEST_P(Conformance, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) make_case(org_a_, "concurrent");
    });
  for (auto& t : threads) t.join();
  auto tx = store_->begin(false);
  EXPECT_EQ(*(*tx)->count(spec("case"), org_a_), kThreads * kEach);
  ListQuery all;
  all.limit = 1000;
  std::set<std::string> codes;
  auto page = (*tx)->list(spec("case"), org_a_, all);
  ASSERT_TRUE(page.ok());
  for (const auto& r : page->records) codes.insert(r.display_code);
  EXPECT_EQ(codes.size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST_P(Conformance, BackupIsAConsistentCopy) {
  make_case(org_a_, "backed up");
  const auto file = dir_ / "copy.db";
  ASSERT_TRUE(store_->backup_to(file).ok());
  EXPECT_FALSE(store_->backup_to(file).ok());  // never overwrites
  auto copy = GetParam().open_backup(file, clock_);
  ASSERT_NE(copy, nullptr);
  auto tx = copy->begin(false);
  EXPECT_EQ(*(*tx)->count(spec("case"), org_a_), 1);
}

TEST_P(Conformance, SealedFieldsRoundTripAndAreFoundByExactValue) {
  auto tx = write();
  const Json fields = {{"given_name", "Nimmi"}, {"family_name", "Perera Silva"}, {"phone", "+94 77 555 0199"},
                       {"birth_date", "2008-09-30"}, {"sex", "female"}};
  auto person = create_record(*tx, spec("person"), org_a_, fields, clock_);
  ASSERT_TRUE(person.ok()) << person.error().message;
  ASSERT_TRUE(create_record(*tx, spec("person"), org_a_, {{"given_name", "Other"}, {"phone", "+94 77 555 0100"}}, clock_).ok());
  EXPECT_EQ(tx->get(spec("person"), person->id, org_a_)->fields, person->fields);
  ListQuery query;
  query.exact = {{"phone", "+94775550199"}};  // written differently, same number
  auto found = tx->list(spec("person"), org_a_, query);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->records.size(), 1u);
  EXPECT_EQ(found->records[0].id, person->id);
  query.exact = {{"family_name", "PERERA  SILVA"}, {"birth_date", "2008-09-30"}};
  EXPECT_EQ(tx->list(spec("person"), org_a_, query)->records.size(), 1u);
  EXPECT_TRUE(tx->list(spec("person"), org_b_, query)->records.empty());
  query.exact = {{"sex", "female"}};
  EXPECT_FALSE(tx->list(spec("person"), org_a_, query).ok());
  auto updated = tx->update(spec("person"), person->id, org_a_, 1, Json{{"given_name", "Nimmi"}, {"phone", "+94 77 555 0111"}});
  ASSERT_TRUE(updated.ok());
  query.exact = {{"phone", "+94775550199"}};
  EXPECT_TRUE(tx->list(spec("person"), org_a_, query)->records.empty());  // the old digest is gone
}

TEST_P(Conformance, NeedToKnowFollowsCaseAssignment) {
  auto tx = write();
  User worker;
  worker.org_id = org_a_;
  worker.username = "worker";
  worker.display_name = "W";
  worker.roles = {"caseworker"};
  worker.password_hash = "x";
  const std::int64_t me = tx->insert_user(worker)->id;
  worker.username = "colleague";
  const std::int64_t colleague = tx->insert_user(worker)->id;
  auto make = [&](const char* kind, const Json& body) {
    auto r = create_record(*tx, spec(kind), org_a_, body, clock_);
    EXPECT_TRUE(r.ok()) << kind << ": " << r.error().message;
    return r.ok() ? r->id : 0;
  };
  const Json base = {{"exploitation_form", "osec"}, {"country", "PH"}, {"opened_on", "2026-02-01"}};
  Json mine = base, theirs = base, open_case = base;
  mine["title"] = "mine", mine["assigned_user_ids"] = {me};
  theirs["title"] = "theirs", theirs["assigned_user_ids"] = {colleague};
  open_case["title"] = "unassigned";
  const auto mine_id = make("case", mine), theirs_id = make("case", theirs), open_id = make("case", open_case);
  const auto p_mine = make("person", {{"given_name", "A"}}), p_theirs = make("person", {{"given_name", "B"}}),
             p_free = make("person", {{"given_name", "C"}});
  make("case_person", {{"case_id", mine_id}, {"person_id", p_mine}, {"role", "victim"}});
  make("case_person", {{"case_id", theirs_id}, {"person_id", p_theirs}, {"role", "victim"}});
  const auto e_theirs = make("case_event", {{"case_id", theirs_id}, {"occurred_at", "2026-03-01T00:00:00Z"}, {"type", "note"}});
  const auto s_theirs = make("service", {{"person_id", p_theirs}, {"type", "shelter"}, {"start_date", "2026-03-01"}});
  const auto lc = make("legal_case", {{"case_id", theirs_id}});
  const auto hearing = make("hearing", {{"legal_case_id", lc}, {"scheduled_at", "2026-05-01T00:00:00Z"}});
  EXPECT_TRUE(*tx->is_visible(spec("case"), mine_id, me));
  EXPECT_FALSE(*tx->is_visible(spec("case"), theirs_id, me));
  EXPECT_TRUE(*tx->is_visible(spec("case"), open_id, me));
  EXPECT_TRUE(*tx->is_visible(spec("person"), p_mine, me));
  EXPECT_FALSE(*tx->is_visible(spec("person"), p_theirs, me));
  EXPECT_TRUE(*tx->is_visible(spec("person"), p_free, me));
  EXPECT_FALSE(*tx->is_visible(spec("case_event"), e_theirs, me));
  EXPECT_FALSE(*tx->is_visible(spec("service"), s_theirs, me));
  EXPECT_FALSE(*tx->is_visible(spec("hearing"), hearing, me));
  EXPECT_TRUE(*tx->is_visible(spec("hearing"), hearing, colleague));
  ListQuery query;
  query.need_to_know_user = me;
  query.limit = 2;
  std::set<std::int64_t> seen;
  do {
    auto page = tx->list(spec("case"), org_a_, query);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const auto& r : page->records) seen.insert(r.id);
    query.cursor = page->next_cursor;
  } while (!query.cursor.empty());
  EXPECT_EQ(seen, (std::set<std::int64_t>{mine_id, open_id}));
  // A kind bound to no case is visible to all: listed with a need-to-know user, and filtered.
  const auto training = make("training", {{"audience_agency", "Police"}, {"held_on", "2026-02-02"}, {"participants", 12}});
  ListQuery trainings;
  trainings.need_to_know_user = me;
  trainings.filters = {{"audience_agency", Filter::Op::kEq, "Police"}};
  auto listed_trainings = tx->list(spec("training"), org_a_, trainings);
  ASSERT_TRUE(listed_trainings.ok()) << listed_trainings.error().message;
  ASSERT_EQ(listed_trainings->records.size(), 1u);
  EXPECT_EQ(listed_trainings->records[0].id, training);
  ListQuery people;
  people.need_to_know_user = me;
  people.exact = {{"given_name", "b"}};
  EXPECT_TRUE(tx->list(spec("person"), org_a_, people)->records.empty());
  // Reassigning the case changes who may see it.
  auto reassigned = update_record(*tx, spec("case"), theirs_id, org_a_, 1, {{"assigned_user_ids", {colleague, me}}}, clock_);
  ASSERT_TRUE(reassigned.ok()) << reassigned.error().message;
  EXPECT_TRUE(*tx->is_visible(spec("person"), p_theirs, me));
}

TEST_P(Conformance, AuditLogAppendsInOrderAndRefusesChanges) {
  {
    auto tx = write();
    EXPECT_EQ(tx->last_audit()->seq, 0);
    for (int i = 1; i <= 3; ++i) {
      AuditRecord entry;
      entry.seq = i;
      entry.at = "2026-11-26T10:00:0" + std::to_string(i) + "Z";
      entry.org_id = i == 3 ? org_b_ : org_a_;
      entry.user_id = 7;
      entry.actor = "maria";
      entry.action = "read";
      entry.kind = "case";
      entry.record_id = 40 + i;
      entry.detail = "{}";
      entry.prev_hash = "p" + std::to_string(i);
      entry.hash = "h" + std::to_string(i);
      ASSERT_TRUE(tx->insert_audit(entry).ok());
    }
    ASSERT_TRUE(tx->commit().ok());
  }
  auto tx = write();
  EXPECT_EQ(tx->last_audit()->hash, "h3");
  AuditQuery query;
  query.org_id = org_a_;
  auto entries = tx->list_audit(query);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[1].record_id, 42);
  query = {};
  query.record_id = 43;
  EXPECT_EQ(tx->list_audit(query)->size(), 1u);
  query = {};
  query.action = "update";
  EXPECT_TRUE(tx->list_audit(query)->empty());
  query = {};
  query.from = "2026-11-26T10:00:02Z";
  EXPECT_EQ(tx->list_audit(query)->size(), 2u);
  AuditRecord duplicate;
  duplicate.seq = 2;
  EXPECT_FALSE(tx->insert_audit(duplicate).ok());
}

std::unique_ptr<Store> open_sqlite(const std::filesystem::path& file, const Clock& clock) {
  SqliteOptions options;
  options.key_ring = test_key_ring();
  auto store = open_sqlite_store(file, clock, options);
  if (!store.ok()) ADD_FAILURE() << store.error().message;
  return store.ok() ? std::move(store.value()) : nullptr;
}

// A fresh database per test on the cluster of HAVEN_TEST_POSTGRES, dropped with the store.
std::unique_ptr<Store> open_postgres(const Clock& clock, const std::filesystem::path& restore_from = {}) {
  auto database = std::make_unique<pg_test::Database>();
  if (!database->error().empty()) {
    ADD_FAILURE() << database->error();
    return nullptr;
  }
  if (!restore_from.empty()) {
    const std::string command = "pg_restore --no-owner --exit-on-error --dbname='" + database->conninfo() + "' '" +
                                restore_from.string() + "'";
    if (std::system(command.c_str()) != 0) {
      ADD_FAILURE() << "pg_restore failed: " << command;
      return nullptr;
    }
  }
  PostgresOptions options;
  options.key_ring = test_key_ring();
  options.connect_timeout = std::chrono::milliseconds(2000);
  auto store = open_postgres_store(database->conninfo(), clock, options);
  if (!store.ok()) ADD_FAILURE() << store.error().message;
  if (!store.ok()) return nullptr;
  return std::make_unique<pg_test::OwningStore>(std::move(database), std::move(store.value()));
}

INSTANTIATE_TEST_SUITE_P(
    Backends, Conformance,
    ::testing::Values(
        Backend{"sqlite",
                [](const std::filesystem::path& dir, const Clock& clock) { return open_sqlite(dir / "haven.db", clock); },
                [](const std::filesystem::path& backup, const Clock& clock) { return open_sqlite(backup, clock); }},
        Backend{"postgres", [](const std::filesystem::path&, const Clock& clock) { return open_postgres(clock); },
                [](const std::filesystem::path& backup, const Clock& clock) { return open_postgres(clock, backup); },
                &pg_test::skip_reason}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace haven
