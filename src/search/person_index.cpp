// The in-memory index: compact person slots, CLKs and blocking keys in chunked arenas (no
// doubling of a vector's capacity: the waste is one chunk), and a hash table of blocks
// (blocking key -> slots). A query gathers the blocks of its keys, rarest first, up to
// a bounded number of candidates, and scores each candidate in full.
#include <algorithm>
#include <memory>
#include <mutex>
#include <queue>
#include <shared_mutex>
#include <span>
#include <unordered_map>

#include "search/score.hpp"

namespace haven::search {
namespace {

struct Slot {
  std::int64_t org_id = 0, person_id = 0;
  BirthEncoding birth;
  std::uint32_t sex = 0, phone = 0;
  std::array<std::uint32_t, kMaxPlaces> places{};
  std::uint8_t place_count = 0, clk_count = 0, nicknames = 0;
  std::uint16_t key_count = 0;
  std::uint32_t first_clk = 0, first_key = 0;
  bool live = false;
};

// An array that grows by chunks of kChunk elements and never moves them.
template <class T, std::size_t kChunk>
class Chunked {
 public:
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  // Appends n <= kChunk elements side by side in one chunk; returns the index of the first.
  std::size_t append(const T* items, std::size_t n) {
    if (size_ % kChunk + n > kChunk) size_ = (size_ / kChunk + 1) * kChunk;
    while (size_ + n > chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    const std::size_t first = size_;
    for (std::size_t i = 0; i < n; ++i) (*this)[first + i] = items[i];
    size_ += n;
    return first;
  }
  std::size_t memory_bytes() const {
    return chunks_.size() * kChunk * sizeof(T) + chunks_.capacity() * sizeof(void*);
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

struct Ranked {
  double weight;
  double name_sim;
  std::uint32_t slot;
  std::int64_t person_id;
  // Better first: higher weight, then lower person id.
  bool operator<(const Ranked& o) const {
    return weight != o.weight ? weight > o.weight : person_id < o.person_id;
  }
};

}  // namespace

struct PersonIndex::Impl {
  mutable std::shared_mutex mutex;
  using Clks = Chunked<Clk, 4096>;               // a slot's names side by side in one chunk
  using ClkBits = Chunked<std::uint16_t, 4096>;  // popcount of each CLK, same indices
  using Keys = Chunked<std::uint32_t, 65536>;    // low 32 bits of the blocking keys: enough to find
                                                 // a key's block in up to 2^32 blocks
  Chunked<Slot, 4096> slots;
  std::vector<std::uint32_t> free_slots;
  std::unordered_map<std::int64_t, std::uint32_t> by_person;
  Clks clks;
  ClkBits clk_bits;
  Keys keys;
  std::vector<std::vector<std::uint32_t>> blocks = std::vector<std::vector<std::uint32_t>>(1 << 12);
  std::size_t live = 0, live_clks = 0, live_keys = 0;

  std::vector<std::uint32_t>& block_of(std::uint64_t key) {
    return blocks[key & (blocks.size() - 1)];
  }
  const std::vector<std::uint32_t>& block_of(std::uint64_t key) const {
    return blocks[key & (blocks.size() - 1)];
  }

  StoredView view(const Slot& s) const {
    return {&clks[s.first_clk],
            &clk_bits[s.first_clk],
            s.clk_count,
            s.nicknames,
            &s.birth,
            s.sex,
            s.phone,
            s.places.data(),
            s.place_count};
  }

  // Appends a slot's names and keys to the arenas.
  void store_arrays(Slot& s, const Clk* names, const std::uint16_t* bits,
                    const std::uint32_t* slot_keys, Clks& to_clks, ClkBits& to_bits,
                    Keys& to_keys) {
    s.first_clk = static_cast<std::uint32_t>(to_clks.append(names, s.clk_count));
    to_bits.append(bits, s.clk_count);
    s.first_key = static_cast<std::uint32_t>(s.key_count ? to_keys.append(slot_keys, s.key_count)
                                                         : to_keys.size());
  }

  void erase(std::uint32_t id) {
    Slot& s = slots[id];
    for (std::size_t k = 0; k < s.key_count; ++k) std::erase(block_of(keys[s.first_key + k]), id);
    live_clks -= s.clk_count;
    live_keys -= s.key_count;
    --live;
    by_person.erase(s.person_id);
    s = Slot{};
    free_slots.push_back(id);
  }

  // Rewrites the arenas without the ranges of removed entries once those are most of them.
  void compact_if_wasteful() {
    if (clks.size() < 4096 || clks.size() < 2 * live_clks) return;
    Clks new_clks;
    ClkBits new_bits;
    Keys new_keys;
    std::vector<std::uint32_t> slot_keys;
    for (std::size_t id = 0; id < slots.size(); ++id) {
      Slot& s = slots[id];
      if (!s.live) continue;
      slot_keys.clear();
      for (std::size_t k = 0; k < s.key_count; ++k) slot_keys.push_back(keys[s.first_key + k]);
      store_arrays(s, &clks[s.first_clk], &clk_bits[s.first_clk], slot_keys.data(), new_clks,
                   new_bits, new_keys);
    }
    clks = std::move(new_clks);
    clk_bits = std::move(new_bits);
    keys = std::move(new_keys);
  }

  // Keeps 8 to 16 keys per block: a rare key's block is still a few dozen slots, and a block
  // (24 bytes of vector) costs less than the postings it holds.
  void grow_blocks_if_full() {
    if (live_keys <= 16 * blocks.size()) return;
    std::vector<std::vector<std::uint32_t>> grown(blocks.size() * 2);
    blocks.swap(grown);
    for (std::uint32_t id = 0; id < static_cast<std::uint32_t>(slots.size()); ++id) {
      const Slot& s = slots[id];
      if (!s.live) continue;
      for (std::size_t k = 0; k < s.key_count; ++k) block_of(keys[s.first_key + k]).push_back(id);
    }
  }

  template <class Visit>
  Result<std::vector<Match>> rank(std::int64_t org_id, const QueryEncodings& query,
                                  const QueryOptions& options, Visit&& visit_candidates) const {
    if (options.top_k == 0 || options.top_k > 1000)
      return invalid("top_k must be 1 to 1000", "/top_k");
    const PreparedQuery prepared(query);
    std::priority_queue<Ranked> worst_first;  // the top_k so far, worst on top
    visit_candidates([&](std::uint32_t id) {
      const Slot& s = slots[id];
      if (!s.live || s.org_id != org_id || s.person_id == options.exclude_person) return;
      const StoredView v = view(s);
      const double name_sim = name_similarity(prepared, v);
      const double weight = weigh(prepared, v, name_sim);
      if (options.min_score > 0 && score_of(weight) < options.min_score) return;
      const Ranked r{weight, name_sim, id, s.person_id};
      if (worst_first.size() < options.top_k) {
        worst_first.push(r);
      } else if (r < worst_first.top()) {
        worst_first.pop();
        worst_first.push(r);
      }
    });
    std::vector<Match> out(worst_first.size());
    for (std::size_t i = out.size(); i-- > 0; worst_first.pop()) {
      const Ranked& r = worst_first.top();
      const Slot& s = slots[r.slot];
      Match& m = out[i];
      m.org_id = s.org_id;
      m.person_id = s.person_id;
      m.weight = r.weight;
      m.score = score_of(r.weight);
      m.name_similarity = std::max(r.name_sim, 0.0);
      explain(prepared, view(s), r.name_sim, m);
    }
    return out;
  }
};

PersonIndex::PersonIndex() : impl_(std::make_unique<Impl>()) {}
PersonIndex::~PersonIndex() = default;

Status PersonIndex::upsert(std::int64_t org_id, std::int64_t person_id, const PersonEncodings& e) {
  if (person_id <= 0) return invalid("person_id must be positive");
  if (e.names.size() > kMaxNames)
    return invalid("at most " + std::to_string(kMaxNames) + " names per person");
  if (e.places.size() > kMaxPlaces || e.birth.year_count > kMaxBirthYears ||
      e.blocking_keys.size() > 4096)
    return invalid("encodings out of range (not made by encode_person?)");
  std::unique_lock lock(impl_->mutex);
  Impl& x = *impl_;
  if (auto it = x.by_person.find(person_id); it != x.by_person.end()) x.erase(it->second);
  x.compact_if_wasteful();
  std::uint32_t id;
  if (!x.free_slots.empty()) {
    id = x.free_slots.back();
    x.free_slots.pop_back();
  } else {
    const Slot fresh;
    id = static_cast<std::uint32_t>(x.slots.append(&fresh, 1));
  }
  Slot& s = x.slots[id];
  s.org_id = org_id;
  s.person_id = person_id;
  s.birth = e.birth;
  s.sex = e.sex;
  s.phone = e.phone;
  std::copy(e.places.begin(), e.places.end(), s.places.begin());
  s.place_count = static_cast<std::uint8_t>(e.places.size());
  s.clk_count = static_cast<std::uint8_t>(e.names.size());
  s.nicknames = e.nicknames;
  s.key_count = static_cast<std::uint16_t>(e.blocking_keys.size());
  std::uint16_t bits[kMaxNames];
  for (std::size_t i = 0; i < e.names.size(); ++i) bits[i] = bit_count(e.names[i]);
  std::vector<std::uint32_t> low_keys(e.blocking_keys.begin(), e.blocking_keys.end());
  x.store_arrays(s, e.names.data(), bits, low_keys.data(), x.clks, x.clk_bits, x.keys);
  s.live = true;
  x.by_person[person_id] = id;
  ++x.live;
  x.live_clks += s.clk_count;
  x.live_keys += s.key_count;
  for (std::uint64_t key : e.blocking_keys) x.block_of(key).push_back(id);
  x.grow_blocks_if_full();
  return Status::Ok();
}

bool PersonIndex::remove(std::int64_t person_id) {
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->by_person.find(person_id);
  if (it == impl_->by_person.end()) return false;
  impl_->erase(it->second);
  return true;
}

Result<std::vector<Match>> PersonIndex::query(std::int64_t org_id, const QueryEncodings& query,
                                              const QueryOptions& options) const {
  std::shared_lock lock(impl_->mutex);
  const Impl& x = *impl_;
  return x.rank(org_id, query, options, [&](auto&& score) {
    std::vector<const std::vector<std::uint32_t>*> blocks;
    for (std::uint64_t key : query.blocking_keys) blocks.push_back(&x.block_of(key));
    std::sort(blocks.begin(), blocks.end(), [](auto* a, auto* b) {
      return a->size() != b->size() ? a->size() < b->size() : a < b;
    });
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    std::vector<std::uint64_t> seen((x.slots.size() + 63) / 64);
    std::size_t taken = 0;
    for (const auto* block : blocks) {
      std::size_t take = block->size();
      if (options.max_candidates != 0 && taken + take > options.max_candidates) {
        if (taken > 0) break;
        take = options.max_candidates;  // only huge blocks: the first of the rarest one
      }
      taken += take;
      for (std::uint32_t id : std::span(block->data(), take)) {
        std::uint64_t& word = seen[id / 64];
        const std::uint64_t bit = std::uint64_t{1} << (id % 64);
        if (word & bit) continue;
        word |= bit;
        score(id);
      }
    }
  });
}

Result<std::vector<Match>> PersonIndex::scan(std::int64_t org_id, const QueryEncodings& query,
                                             const QueryOptions& options) const {
  std::shared_lock lock(impl_->mutex);
  const Impl& x = *impl_;
  return x.rank(org_id, query, options, [&](auto&& score) {
    for (std::uint32_t id = 0; id < x.slots.size(); ++id) score(id);
  });
}

std::size_t PersonIndex::size() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->live;
}

std::size_t PersonIndex::memory_bytes() const {
  std::shared_lock lock(impl_->mutex);
  const Impl& x = *impl_;
  std::size_t bytes = x.slots.memory_bytes() + x.free_slots.capacity() * 4 + x.clks.memory_bytes() +
                      x.clk_bits.memory_bytes() + x.keys.memory_bytes() +
                      x.blocks.capacity() * sizeof(std::vector<std::uint32_t>);
  for (const auto& block : x.blocks) bytes += block.capacity() * 4;
  // unordered_map: a node (next pointer, key, value) per entry and a bucket pointer.
  bytes += x.by_person.size() * (sizeof(void*) + 16) + x.by_person.bucket_count() * sizeof(void*);
  return bytes;
}

}  // namespace haven::search
