// A stolen database, WAL or backup must reveal no survivor's name, phone number or birth date.
// Writes synthetic demo data through the real key ring and store, then searches every file of
// the data directory and the backup, byte for byte, for every identifying value.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "audit/audit.hpp"
#include "demo/demo.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(AtRest, NoIdentifyingValueInAnyFile) {
  const fs::path dir = fs::temp_directory_path() / ("haven-leak-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SystemClock clock;
  auto keys = KeyRing::create(dir, KeySource{"a passphrase for the leak test", {}});
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  SqliteOptions options;
  options.key_ring = keys->get();
  auto store = open_sqlite_store(dir / "haven.db", clock, options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  DemoOptions demo;
  demo.persons = 400;
  demo.seed = 11;
  auto summary = generate_demo(**store, demo, clock, {});
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  // An evidence file whose words must not appear anywhere either.
  const std::string evidence_text = "statement: the recruiter Ravi Kumar of Lakeview Agency";
  {
    auto tx = (*store)->begin(true);
    auto items = (*tx)->list(*find_entity("evidence_item"), 0, {});
    ASSERT_TRUE(items.ok() && !items->records.empty());
    const Record& item = items->records.front();
    ASSERT_TRUE((*tx)->insert_evidence_file(item.id, item.org_id, evidence_text).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  {
    AuditLog audit(**store, clock, (*keys)->audit_chain_key().value());
    auto tx = (*store)->begin(false);
    ASSERT_TRUE(audit.flush().ok());
  }

  // Every identifying value, as Haven itself returns it after opening the seals. Staff names and
  // organisation names are public and drawn from the same name tables, so a survivor's name that
  // is also part of one is left out; birth dates are searched as Haven would write them in a
  // record ("birth_date":"2008-09-30"), since the same dates occur as public dates of procedure.
  std::set<std::string> secrets;
  {
    auto tx = (*store)->begin(false);
    std::string public_names;  // every public text: region names such as "La Altagracia" too
    for (const auto& spec : entity_specs()) {
      ListQuery all;
      all.limit = 1000;
      do {
        auto page = (*tx)->list(spec, 0, all);
        ASSERT_TRUE(page.ok());
        for (const auto& record : page->records)
          for (const auto& field : spec.fields)
            if (field.sensitivity == Sensitivity::kPublic && record.fields.contains(field.name) &&
                record.fields[field.name].is_string())
              public_names += record.fields[field.name].get<std::string>() + "\n";
        all.cursor = page->next_cursor;
      } while (!all.cursor.empty());
    }
    for (std::int64_t org = 1; org < 100; ++org) {
      auto users = (*tx)->list_users(org);
      ASSERT_TRUE(users.ok());
      for (const auto& user : *users) public_names += user.display_name + "\n" + user.username + "\n";
    }
    ListQuery query;
    query.limit = 1000;
    do {
      auto page = (*tx)->list(*find_entity("person"), 0, query);
      ASSERT_TRUE(page.ok());
      for (const auto& person : page->records) {
        for (const char* field : {"given_name", "family_name", "phone", "address"}) {
          if (!person.fields.contains(field)) continue;
          const std::string value = person.fields[field];
          if (value.size() >= 6 && public_names.find(value) == std::string::npos) secrets.insert(value);
        }
        if (person.fields.contains("birth_date"))
          secrets.insert("\"birth_date\":\"" + person.fields["birth_date"].get<std::string>() + "\"");
      }
      query.cursor = page->next_cursor;
    } while (!query.cursor.empty());
  }
  ASSERT_GT(secrets.size(), 300u);
  secrets.insert("Lakeview Agency");  // the test can only fail if there is something to find

  const fs::path backup = dir / "backup.db";
  ASSERT_TRUE((*store)->backup_to(backup).ok());
  // Read the files while the store is open, so that the write-ahead log is there too.
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.emplace_back(entry.path().filename().string(), read_all(entry.path()));
  bool saw_wal = false;
  for (const auto& [name, bytes] : files) saw_wal |= name == "haven.db-wal" && !bytes.empty();
  EXPECT_TRUE(saw_wal);
  std::size_t bytes_scanned = 0;
  for (const auto& [name, bytes] : files) {
    bytes_scanned += bytes.size();
    for (const auto& secret : secrets) EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " found in " << name;
  }
  EXPECT_GT(bytes_scanned, 100000u);
  store->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace haven
