// Private to haven_demo: the state one generation run shares between its parts.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "demo/demo.hpp"
#include "demo/random.hpp"
#include "demo/world.hpp"

namespace haven::demo {

inline constexpr std::int64_t kNone = INT64_MIN;
inline constexpr std::size_t kBatchRecords = 5000;

// Every record goes through create_record; transactions are committed every ~kBatchRecords
// records, at the end of a case group so each group lands whole.
class Writer {
 public:
  Writer(Store& store, const Clock& clock, DemoSummary& summary, std::function<void()> on_commit);
  Status begin();
  Result<Record> create(const EntitySpec& spec, std::int64_t org_id, const Json& fields);
  Result<User> create_user(User user);
  Status checkpoint();  // commits and begins anew once the batch is full
  Status finish();      // commits what is left

 private:
  Status commit();

  Store& store_;
  const Clock& clock_;
  DemoSummary& summary_;
  std::function<void()> on_commit_;
  std::unique_ptr<Transaction> tx_;
  std::size_t pending_ = 0;
};

struct Specs {
  const EntitySpec *organisation, *the_case, *report, *person, *case_person, *case_event,
      *operation, *legal_case, *hearing, *service_plan, *service, *assessment, *training, *audit,
      *evidence, *consent, *referral;
};

enum class NameList : std::uint8_t { kFemale, kMale, kFamily, kFemaleFamily };

struct NameRef {
  NameList list = NameList::kFamily;
  std::uint16_t index = 0;
  std::uint8_t form = 0;
  bool used = false;
};

// Who a person is, kept for organisations' earlier persons so a later intake can re-register
// them (the injected duplicates).
struct Identity {
  std::int64_t person_id = 0;
  std::size_t culture = 0;
  bool female = false;
  NameRef given, family1, family2;
  std::string given_name, family_name;  // as recorded
  std::int64_t birth = kNone;           // days since epoch, as recorded
  std::int64_t true_birth = 0;
  int age_estimate = -1;
  std::int64_t estimated_on = kNone;
  std::string phone;
};

struct Org {
  std::int64_t id = 0;
  std::size_t country = 0, region = 0;
  std::string type, name;
  std::vector<std::int64_t> case_staff;  // users who take cases
  std::vector<std::string> staff_names;
  std::vector<Identity> victim_pool, other_pool;  // earlier persons, for duplicates
};

struct Context {
  const World& world;
  const Specs& specs;
  Rng& rng;
  Writer& writer;
  DemoSummary& summary;
  std::int64_t today = 0;  // days since epoch, from the clock
  std::int64_t now = 0;    // seconds since epoch, from the clock
  std::uint64_t persons_target = 0, persons_done = 0, duplicates_target = 0;
  std::uint64_t events_per_case = 0;
  std::vector<Org> orgs{};
  std::vector<std::vector<std::size_t>> case_orgs{};  // per country: orgs that run cases
  std::vector<std::vector<double>> case_org_weights{};
};

// ---- organisations.cpp ----
Status create_organisations(Context& context, std::size_t count, const std::string& password_hash);
std::string staff_name(Context& context, const Country& country);

// ---- people.cpp ----
enum class Role { kVictim, kSuspect, kWitness, kGuardian, kReporter };
struct PersonRequest {
  Role role = Role::kVictim;
  std::size_t culture = 0;
  bool female = false;
  int age = 30;                    // at reference_day
  std::int64_t reference_day = 0;  // incident or opening date
  std::int64_t estimate_day = 0;   // when an age estimate would have been made
  std::size_t region = 0;
};
// Creates a person (or, by the duplicate quota, a corrupted re-registration of an earlier one of
// the same organisation and role) and returns its id.
Result<std::int64_t> create_person(Context& context, Org& org, const PersonRequest& request,
                                   std::vector<Identity>& new_identities);
// Makes the identities created for a case group candidates for later re-registration.
void remember_identities(Context& context, Org& org, std::vector<Identity>& victims,
                         std::vector<Identity>& others);
std::string render_full_name(const Culture& culture, const Identity& identity, bool latin_only);

// ---- cases.cpp ----
Status create_case_group(Context& context);

// ---- justice.cpp / aftercare.cpp: the parts of a case group after its people ----
struct TimelineEntry {
  std::int64_t at;  // seconds
  const char* type;
  std::string summary;
};
struct CaseInfo {
  std::int64_t id = 0;
  Org* org = nullptr;
  const Country* country = nullptr;
  std::size_t region = 0, form = 0;
  std::string town;
  std::int64_t incident = kNone, opened = 0, closed = kNone, end = 0;  // days
  std::string status;
  std::vector<std::int64_t> victims, suspects;
  std::vector<bool> victim_minor, victim_foreign;
  std::int64_t operation_day = kNone;
  std::vector<TimelineEntry> timeline;
};
struct LegalPlan {
  struct Stage {
    std::size_t stage;  // index into choices::kLegalStages
    std::int64_t day;
    std::string verdict;
    int sentence_months = -1;
  };
  std::vector<Stage> stages;  // only those on or before today
  bool wanted = false;
  bool has_verdict() const;
  std::int64_t last_day() const;
};
LegalPlan plan_legal_case(Context& context, std::int64_t start_day, std::size_t form);
Status create_legal_case(Context& context, CaseInfo& info, const LegalPlan& plan);
Status create_audit(Context& context, CaseInfo& info);
Status create_trainings(Context& context, std::size_t count);
Status create_aftercare(Context& context, CaseInfo& info, bool legal);

// ---- link_reviews.cpp ----
// Links two noisy synthetic lists of the first organisation's people (police and shelter) and
// stores the pairs in the uncertain band as that organisation's review queue, in a transaction of
// its own (after the writer has finished). Adds a supervisor to the organisation when none of its
// staff may review (supervisors and investigators).
Status create_link_reviews(Context& context, Store& store, const Clock& clock, const std::string& password_hash);

// Seconds at a random time of `day`, never after now.
std::int64_t time_on(Context& context, std::int64_t day);

}  // namespace haven::demo
