#include <algorithm>

#include "dedupe/dedupe.hpp"

namespace haven::dedupe {
namespace {

// What a stored person's encodings ask of the index when it looks for that person's duplicates.
search::QueryEncodings as_query(const search::PersonEncodings& person) {
  search::QueryEncodings query;
  query.names = person.names;
  query.nicknames = person.nicknames;
  query.blocking_keys = person.blocking_keys;
  query.birth = person.birth;
  query.sex = person.sex;
  query.phone = person.phone;
  query.places = person.places;
  return query;
}

std::string field_name(const std::string& pointer) { return pointer.rfind('/', 0) == 0 ? pointer.substr(1) : pointer; }

}  // namespace

PersonFinder::PersonFinder(const KeyRing& keys, std::unique_ptr<search::Normaliser> normaliser)
    : keys_(keys), normaliser_(std::move(normaliser)) {}

Result<std::unique_ptr<PersonFinder>> PersonFinder::create(const KeyRing& keys) {
  auto normaliser = search::Normaliser::create();
  HAVEN_TRY(normaliser);
  return std::unique_ptr<PersonFinder>(new PersonFinder(keys, std::move(normaliser.value())));
}

Result<const search::SearchKey*> PersonFinder::key_of(std::int64_t org_id) const {
  std::lock_guard lock(keys_mutex_);
  auto found = search_keys_.find(org_id);
  if (found != search_keys_.end()) return found->second.get();
  auto key = keys_.search_key(org_id);
  HAVEN_TRY(key);
  auto [it, inserted] = search_keys_.emplace(org_id, std::make_unique<search::SearchKey>(*key));
  return it->second.get();
}

std::string PersonFinder::encode(std::int64_t org_id, const Json& fields) const {
  auto key = key_of(org_id);
  if (!key.ok()) return {};
  Json remaining = fields;
  // A field the encoder cannot use (a name of emoji only, say) is dropped and the rest encoded:
  // a person is never refused for what search cannot read. Each retry drops one more field.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto encoded = search::encode_person(remaining, **key, *normaliser_);
    if (encoded.ok()) return search::serialise(*encoded);
    const std::string field = field_name(encoded.error().field);
    if (field.empty() || !remaining.contains(field)) return {};
    remaining.erase(field);
  }
  return {};
}

Status PersonFinder::refresh(Store& store, const Progress& progress) {
  std::lock_guard lock(refresh_mutex_);
  constexpr std::size_t kBatch = 10000;
  std::uint64_t done = 0;
  for (;;) {
    auto tx = store.begin(false);
    HAVEN_TRY(tx);
    auto rows = (*tx)->search_encodings_after(last_seq_, kBatch);
    HAVEN_TRY(rows);
    for (const auto& row : *rows) {
      last_seq_ = row.seq;
      if (row.encodings.empty()) {
        index_.remove(row.person_id);
        continue;
      }
      auto encodings = search::deserialise(row.encodings);
      // Encodings this binary cannot read are left out of the index, never fatal: reindex fixes them.
      if (!encodings.ok() || !index_.upsert(row.org_id, row.person_id, *encodings).ok()) index_.remove(row.person_id);
    }
    done += rows->size();
    if (progress) progress(done, 0);
    if (rows->size() < kBatch) return Status::Ok();
  }
}

Result<std::vector<search::Match>> PersonFinder::find(std::int64_t org_id, const Json& query,
                                                      const search::QueryOptions& options, std::int64_t today) const {
  auto key = key_of(org_id);
  HAVEN_TRY(key);
  auto encoded = search::encode_query(query, **key, *normaliser_, today);
  HAVEN_TRY(encoded);
  return index_.query(org_id, *encoded, options);
}

Result<std::vector<search::Match>> PersonFinder::matches_of(std::int64_t org_id, std::int64_t person_id, std::string_view encodings,
                                                            search::QueryOptions options) const {
  auto person = search::deserialise(encodings);
  HAVEN_TRY(person);
  options.exclude_person = person_id;
  return index_.query(org_id, as_query(*person), options);
}

Result<std::uint64_t> PersonFinder::reindex(Store& store, std::int64_t org_id, const Progress& progress) {
  const EntitySpec& persons = *find_entity("person");
  std::uint64_t total = 0, written = 0;
  {
    auto tx = store.begin(false);
    HAVEN_TRY(tx);
    auto count = (*tx)->count(persons, org_id);
    HAVEN_TRY(count);
    total = static_cast<std::uint64_t>(*count);
  }
  ListQuery query;
  query.limit = 1000;
  do {
    auto tx = store.begin(true);
    HAVEN_TRY(tx);
    auto page = (*tx)->list(persons, org_id, query);
    HAVEN_TRY(page);
    for (const auto& person : page->records) {
      const std::string bytes = person.fields.contains("merged_into") ? std::string() : encode(person.org_id, person.fields);
      HAVEN_TRY((*tx)->put_search_encodings(person.id, person.org_id, bytes));
    }
    HAVEN_TRY((*tx)->commit());
    written += page->records.size();
    if (progress) progress(written, total);
    query.cursor = page->next_cursor;
  } while (!query.cursor.empty());
  return written;
}

}  // namespace haven::dedupe
