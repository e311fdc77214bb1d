// Resumable linkage: each finished step's result in a directory, with a manifest of the run's
// inputs. The binary files start with a header (magic, format version, kind, a byte-order mark)
// and hold the counts they need to be checked against the linker before anything is allocated.
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "link/checkpoint_io.hpp"
#include "link/linker_impl.hpp"

namespace haven::link {
namespace {

namespace fs = std::filesystem;

constexpr int kFormat = 1;
constexpr char kMagic[8] = {'H', 'A', 'V', 'E', 'N', 'L', 'N', 'K'};
constexpr std::uint32_t kByteOrder = 0x01020304;
constexpr const char* kManifest = "manifest.json";

struct StepNames {
  CheckpointStep step;
  const char* name;  // in the manifest and in messages
  const char* file;
};
constexpr StepNames kSteps[] = {{CheckpointStep::kCompared, "compared", "compared.bin"},
                                {CheckpointStep::kTrained, "trained", "model.json"},
                                {CheckpointStep::kScored, "scored", "scored.bin"},
                                {CheckpointStep::kClustered, "clustered", "clusters.bin"}};
const StepNames& names_of(CheckpointStep step) {
  for (const StepNames& names : kSteps)
    if (names.step == step) return names;
  return kSteps[0];  // every enumerator is in the table
}
const char* file_of(CheckpointStep step) { return names_of(step).file; }

// The files a checkpoint may hold: the only ones --restart removes, and the only ones a
// directory without a manifest may already hold (a first run interrupted while writing it).
bool ours(const std::string& name) {
  std::string base = name;
  if (base.size() > 4 && base.ends_with(".tmp")) base.resize(base.size() - 4);
  if (base == kManifest) return true;
  for (const StepNames& names : kSteps)
    if (base == names.file) return true;
  return false;
}

void put_header(AtomicFile& out, std::uint32_t kind) {
  out.write(kMagic, sizeof kMagic);
  out.put(static_cast<std::uint32_t>(kFormat));
  out.put(kind);
  out.put(kByteOrder);
}

Status get_header(DigestReader& in, std::uint32_t kind) {
  char magic[sizeof kMagic];
  std::uint32_t format = 0, got_kind = 0, order = 0;
  if (!in.read(magic, sizeof magic) || !in.get(format) || !in.get(got_kind) || !in.get(order))
    return in.damaged("shorter than its header");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0 || got_kind != kind)
    return in.damaged("not the file this step writes");
  if (order != kByteOrder) return in.damaged("written on a machine of another byte order");
  if (format != kFormat)
    return in.damaged("format " + std::to_string(format) + ", this haven reads " +
                      std::to_string(kFormat));
  return Status::Ok();
}

constexpr std::uint64_t kHeaderBytes = sizeof kMagic + 3 * sizeof(std::uint32_t);

}  // namespace

const char* checkpoint_step_name(CheckpointStep step) { return names_of(step).name; }

std::string sha256_hex(std::string_view bytes) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  return hex_digest(state);
}

std::string list_fingerprint(const RecordList& list) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  // Every string with its length first: ("ab", "c") and ("a", "bc") hash differently.
  auto add = [&](std::string_view text) {
    const std::uint64_t size = text.size();
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(&size), sizeof size);
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
  };
  add(list.name);
  for (std::size_t r = 0; r < list.ids.size(); ++r) {
    add(list.ids[r]);
    const std::uint64_t cells = r < list.values.size() ? list.values[r].size() : 0;
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(&cells), sizeof cells);
    if (r < list.values.size())
      for (const std::string& cell : list.values[r]) add(cell);
  }
  return list.name + ": " + std::to_string(list.ids.size()) + " records, sha256 " +
         hex_digest(state);
}

std::string encoded_fingerprint(const EncodedList& list) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  auto add = [&](const void* data, std::size_t size) {
    const std::uint64_t n = size;
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(&n), sizeof n);
    crypto_hash_sha256_update(&state, static_cast<const unsigned char*>(data), size);
  };
  add(list.name.data(), list.name.size());
  for (const std::string& id : list.ids) add(id.data(), id.size());
  add(list.clks.data(), list.clks.size() * sizeof(std::uint64_t));
  for (const auto& rule : list.blocks) add(rule.data(), rule.size() * sizeof(std::uint64_t));
  add(list.fingerprint.data(), list.fingerprint.size());
  add(list.secret_check.data(), list.secret_check.size());
  return list.name + ": " + std::to_string(list.ids.size()) + " encoded records, sha256 " +
         hex_digest(state);
}

Result<Checkpoint> Checkpoint::open(const std::string& dir, const CheckpointInputs& inputs,
                                    bool restart) {
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (fs::exists(status) && !fs::is_directory(status))
    return invalid("the checkpoint " + dir + " is not a directory");
  if (!fs::exists(status)) {
    fs::create_directories(dir, error);
    if (error)
      return Error{ErrorCode::kUnavailable,
                   "cannot create the checkpoint directory " + dir + ": " + error.message(),
                   {}};
  }
  // Identifying data: readable by its owner only, also when the directory was made by hand.
  if (::chmod(dir.c_str(), 0700) != 0)
    return Error{ErrorCode::kUnavailable,
                 "cannot make the checkpoint directory " + dir + " private (mode 0700)",
                 {}};

  Checkpoint checkpoint;
  checkpoint.dir_ = dir;
  checkpoint.inputs_ = inputs;
  const std::string manifest_path = dir + "/" + kManifest;
  if (restart) {
    for (const auto& entry : fs::directory_iterator(dir, error))
      if (ours(entry.path().filename().string())) fs::remove(entry.path(), error);
    HAVEN_TRY(checkpoint.write_manifest());
    return checkpoint;
  }
  if (!fs::exists(manifest_path, error)) {
    for (const auto& entry : fs::directory_iterator(dir, error))
      if (!ours(entry.path().filename().string()))
        return invalid("the checkpoint directory " + dir + " holds other files (" +
                       entry.path().filename().string() +
                       ") and no haven link manifest: give a new or empty directory");
    HAVEN_TRY(checkpoint.write_manifest());
    return checkpoint;
  }

  std::ifstream in(manifest_path, std::ios::binary);
  const Json manifest = Json::parse(in, nullptr, false);
  auto damaged = [&](const std::string& what) {
    return invalid("the checkpoint manifest " + manifest_path + " is damaged (" + what +
                   "); give --restart to discard the checkpoint and start afresh");
  };
  if (manifest.is_discarded() || !manifest.is_object()) return damaged("not a JSON object");
  const Json& format = manifest.value("haven_link_checkpoint", Json());
  if (!format.is_number_integer() || format.get<int>() != kFormat)
    return damaged("not a haven link checkpoint of format " + std::to_string(kFormat));
  const Json& saved_inputs = manifest.value("inputs", Json());
  const Json& steps = manifest.value("steps", Json());
  if (!saved_inputs.is_array() || !steps.is_object()) return damaged("no inputs or steps");

  // Every changed, added or missing input, named, so a person sees why the run is refused.
  std::vector<std::pair<std::string, std::string>> saved;
  for (const Json& part : saved_inputs) {
    if (!part.is_array() || part.size() != 2 || !part[0].is_string() || !part[1].is_string())
      return damaged("an input is not a [name, value] pair");
    saved.emplace_back(part[0].get<std::string>(), part[1].get<std::string>());
  }
  std::string changes;
  auto value_of = [](const auto& parts, const std::string& name) -> const std::string* {
    for (const auto& [n, v] : parts)
      if (n == name) return &v;
    return nullptr;
  };
  for (const auto& [name, value] : inputs.parts) {
    const std::string* before = value_of(saved, name);
    if (before == nullptr)
      changes += "; " + name + " is new (" + value + ")";
    else if (*before != value)
      changes += "; " + name + " was \"" + *before + "\", now \"" + value + "\"";
  }
  for (const auto& [name, value] : saved)
    if (value_of(inputs.parts, name) == nullptr)
      changes += "; " + name + " (\"" + value + "\") is no longer given";
  if (!changes.empty())
    return Error{ErrorCode::kFailedPrecondition,
                 "the checkpoint in " + dir + " was made with other inputs: " + changes.substr(2) +
                     ". Its results do not fit this run: give --restart to discard them and start "
                     "afresh, or another --checkpoint directory",
                 {}};

  for (const auto& [step, name, file_name] : kSteps) {
    const Json& entry = steps.value(name, Json());
    if (entry.is_null()) continue;
    if (!entry.is_object() || !entry.value("file", Json()).is_string() ||
        !entry.value("bytes", Json()).is_number_unsigned() ||
        !entry.value("sha256", Json()).is_string())
      return damaged(std::string("step ") + name + " has no file, bytes or sha256");
    StepFile file{entry["file"].get<std::string>(), entry["sha256"].get<std::string>(),
                  entry["bytes"].get<std::uint64_t>()};
    if (file.file != file_name) return damaged(std::string("step ") + name + " names another file");
    checkpoint.steps_.emplace_back(step, std::move(file));
  }
  return checkpoint;
}

bool Checkpoint::has(CheckpointStep step) const {
  return std::any_of(steps_.begin(), steps_.end(), [&](const auto& s) { return s.first == step; });
}

Result<Checkpoint::StepFile> Checkpoint::step_file(CheckpointStep step) const {
  for (const auto& [s, file] : steps_)
    if (s == step) return file;
  return Error{ErrorCode::kFailedPrecondition,
               std::string("the checkpoint has no step ") + checkpoint_step_name(step),
               {}};
}

Status Checkpoint::write_manifest() const {
  Json inputs = Json::array();
  for (const auto& [name, value] : inputs_.parts) inputs.push_back({name, value});
  Json steps = Json::object();
  for (const auto& [step, file] : steps_)
    steps[checkpoint_step_name(step)] = {
        {"file", file.file}, {"bytes", file.bytes}, {"sha256", file.sha256}};
  const std::string text = Json{{"haven_link_checkpoint", kFormat},
                                {"note", "identifying data: keep and delete like the lists"},
                                {"inputs", inputs},
                                {"steps", steps}}
                               .dump(2) +
                           "\n";
  AtomicFile out(dir_, kManifest);
  HAVEN_TRY(out.open());
  out.write(text.data(), text.size());
  auto written = out.finish();
  return written.ok() ? Status::Ok() : Status(written.error());
}

Status Checkpoint::record(CheckpointStep step, StepFile file) {
  steps_.erase(
      std::remove_if(steps_.begin(), steps_.end(), [&](const auto& s) { return s.first == step; }),
      steps_.end());
  steps_.emplace_back(step, std::move(file));
  return write_manifest();
}

// ---- The steps ----

namespace {

template <class Write>
Result<AtomicFile::Written> write_step(const std::string& dir, CheckpointStep step,
                                       const Write& body) {
  AtomicFile out(dir, file_of(step));
  HAVEN_TRY(out.open());
  body(out);
  return out.finish();
}

}  // namespace

Status Checkpoint::save_comparisons(const Linker& linker) {
  const Linker::Impl& d = *linker.impl_;
  if (!d.compared) return Error{ErrorCode::kFailedPrecondition, "save before compare()", {}};
  auto written = write_step(dir_, CheckpointStep::kCompared, [&](AtomicFile& out) {
    put_header(out, 1);
    out.put(static_cast<std::uint64_t>(d.ids.size()));
    out.put(static_cast<std::uint64_t>(d.fields.size()));
    out.put(static_cast<std::uint64_t>(d.spec.blocking.size()));
    out.put(static_cast<std::uint64_t>(d.pairs.size()));
    std::vector<std::uint32_t> chunk;
    for (std::size_t i = 0; i < d.pairs.size(); i += 65536) {
      chunk.clear();
      for (std::size_t j = i; j < std::min(d.pairs.size(), i + 65536); ++j)
        chunk.push_back(d.pairs[j].first), chunk.push_back(d.pairs[j].second);
      out.write(chunk.data(), chunk.size() * sizeof chunk[0]);
    }
    out.write(d.pair_rule.data(), d.pair_rule.size());
    out.write(d.levels.data(), d.levels.size());
  });
  if (!written.ok()) return written.error();
  return record(CheckpointStep::kCompared,
                {file_of(CheckpointStep::kCompared), written->sha256, written->bytes});
}

Status Checkpoint::load_comparisons(Linker& linker) const {
  Linker::Impl& d = *linker.impl_;
  auto file = step_file(CheckpointStep::kCompared);
  if (!file.ok()) return file.error();
  DigestReader in(dir_ + "/" + file->file);
  HAVEN_TRY(in.open(file->bytes));
  HAVEN_TRY(get_header(in, 1));
  std::uint64_t records = 0, fields = 0, rules = 0, count = 0;
  if (!in.get(records) || !in.get(fields) || !in.get(rules) || !in.get(count))
    return in.damaged("shorter than its counts");
  if (records != d.ids.size() || fields != d.fields.size() || rules != d.spec.blocking.size())
    return in.damaged("made for other lists or another specification");
  // The size the counts imply, before allocating for them.
  const std::uint64_t per_pair = 2 * sizeof(std::uint32_t) + 1 + fields;
  if (count > (file->bytes - kHeaderBytes - 32) / per_pair ||
      kHeaderBytes + 32 + count * per_pair != file->bytes)
    return in.damaged("its pair count does not fit its size");
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs(count);
  std::vector<std::uint8_t> pair_rule(count), levels(count * fields);
  for (auto& [left, right] : pairs)
    if (!in.get(left) || !in.get(right)) return in.damaged("truncated");
  if (!in.read(pair_rule.data(), pair_rule.size()) || !in.read(levels.data(), levels.size()))
    return in.damaged("truncated");
  HAVEN_TRY(in.finish(file->sha256));
  for (std::size_t i = 0; i < count; ++i) {
    if (pairs[i].first >= records || pairs[i].second >= records || pair_rule[i] >= rules)
      return in.damaged("pair " + std::to_string(i) + " names no record or rule of this run");
    for (std::size_t f = 0; f < fields; ++f)
      if (levels[i * fields + f] > d.spec.fields[f].levels.size() + 1)
        return in.damaged("pair " + std::to_string(i) + " has a level its field does not have");
  }
  d.pairs = std::move(pairs), d.pair_rule = std::move(pair_rule), d.levels = std::move(levels);
  d.compared = true;
  return Status::Ok();
}

Status Checkpoint::save_model(const Model& model) {
  const std::string text = model_to_json(model).dump() + "\n";
  auto written = write_step(dir_, CheckpointStep::kTrained,
                            [&](AtomicFile& out) { out.write(text.data(), text.size()); });
  if (!written.ok()) return written.error();
  return record(CheckpointStep::kTrained,
                {file_of(CheckpointStep::kTrained), written->sha256, written->bytes});
}

Result<Model> Checkpoint::load_model() const {
  auto file = step_file(CheckpointStep::kTrained);
  if (!file.ok()) return file.error();
  DigestReader in(dir_ + "/" + file->file);
  HAVEN_TRY(in.open(file->bytes));
  std::string text(file->bytes, '\0');
  if (!in.read(text.data(), text.size())) return in.damaged("truncated");
  HAVEN_TRY(in.finish(file->sha256));
  const Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) return in.damaged("not JSON");
  auto model = model_from_json(json);
  if (!model.ok()) return in.damaged(model.error().message);
  return model;
}

Status Checkpoint::save_scored(const std::vector<ScoredPair>& pairs, std::size_t fields) {
  for (const ScoredPair& p : pairs)
    if (p.levels.size() != fields)
      return Error{ErrorCode::kInternal, "a scored pair with another number of fields", {}};
  auto written = write_step(dir_, CheckpointStep::kScored, [&](AtomicFile& out) {
    put_header(out, 3);
    out.put(static_cast<std::uint64_t>(fields));
    out.put(static_cast<std::uint64_t>(pairs.size()));
    for (const ScoredPair& p : pairs) {
      out.put(p.left), out.put(p.right), out.put(p.weight), out.put(p.probability);
      out.write(p.levels.data(), p.levels.size());
    }
  });
  if (!written.ok()) return written.error();
  return record(CheckpointStep::kScored,
                {file_of(CheckpointStep::kScored), written->sha256, written->bytes});
}

Result<std::vector<ScoredPair>> Checkpoint::load_scored(const Linker& linker) const {
  const Linker::Impl& d = *linker.impl_;
  auto file = step_file(CheckpointStep::kScored);
  if (!file.ok()) return file.error();
  DigestReader in(dir_ + "/" + file->file);
  HAVEN_TRY(in.open(file->bytes));
  HAVEN_TRY(get_header(in, 3));
  std::uint64_t fields = 0, count = 0;
  if (!in.get(fields) || !in.get(count)) return in.damaged("shorter than its counts");
  if (fields != d.fields.size()) return in.damaged("made for another specification");
  const std::uint64_t per_pair = 2 * sizeof(std::uint32_t) + 2 * sizeof(double) + fields;
  if (count > (file->bytes - kHeaderBytes - 16) / per_pair ||
      kHeaderBytes + 16 + count * per_pair != file->bytes)
    return in.damaged("its pair count does not fit its size");
  std::vector<ScoredPair> pairs(count);
  for (ScoredPair& p : pairs) {
    p.levels.resize(fields);
    if (!in.get(p.left) || !in.get(p.right) || !in.get(p.weight) || !in.get(p.probability) ||
        !in.read(p.levels.data(), fields))
      return in.damaged("truncated");
  }
  HAVEN_TRY(in.finish(file->sha256));
  for (const ScoredPair& p : pairs) {
    bool fits =
        p.left < d.ids.size() && p.right < d.ids.size() && p.probability >= 0 && p.probability <= 1;
    for (std::size_t f = 0; f < fields && fits; ++f)
      fits = p.levels[f] <= d.spec.fields[f].levels.size() + 1;
    if (!fits) return in.damaged("a pair names no record, level or probability of this run");
  }
  return pairs;
}

Status Checkpoint::save_clusters(const std::vector<Cluster>& clusters) {
  auto written = write_step(dir_, CheckpointStep::kClustered, [&](AtomicFile& out) {
    put_header(out, 4);
    std::uint64_t records = 0;
    for (const Cluster& c : clusters) records += c.records.size();
    out.put(static_cast<std::uint64_t>(clusters.size()));
    out.put(records);
    for (const Cluster& c : clusters) {
      out.put(static_cast<std::uint32_t>(c.records.size()));
      out.write(c.records.data(), c.records.size() * sizeof(std::uint32_t));
    }
  });
  if (!written.ok()) return written.error();
  return record(CheckpointStep::kClustered,
                {file_of(CheckpointStep::kClustered), written->sha256, written->bytes});
}

Result<std::vector<Cluster>> Checkpoint::load_clusters(std::size_t records) const {
  auto file = step_file(CheckpointStep::kClustered);
  if (!file.ok()) return file.error();
  DigestReader in(dir_ + "/" + file->file);
  HAVEN_TRY(in.open(file->bytes));
  HAVEN_TRY(get_header(in, 4));
  std::uint64_t count = 0, total = 0;
  if (!in.get(count) || !in.get(total)) return in.damaged("shorter than its counts");
  if (total != records || count > records || kHeaderBytes + 16 + 4 * (count + total) != file->bytes)
    return in.damaged("its counts do not fit its size or these lists");
  std::vector<Cluster> clusters(count);
  for (Cluster& c : clusters) {
    std::uint32_t size = 0;
    if (!in.get(size)) return in.damaged("truncated");
    if (size == 0 || size > records)
      return in.damaged("a cluster of " + std::to_string(size) + " records");
    c.records.resize(size);
    if (!in.read(c.records.data(), size * sizeof(std::uint32_t))) return in.damaged("truncated");
  }
  HAVEN_TRY(in.finish(file->sha256));
  // Every record in exactly one cluster, as cluster() makes them.
  std::vector<bool> seen(records, false);
  for (const Cluster& c : clusters)
    for (std::uint32_t r : c.records) {
      if (r >= records || seen[r]) return in.damaged("a record in no or two clusters");
      seen[r] = true;
    }
  return clusters;
}

Status Checkpoint::save_encoded_pairs(const std::vector<EncodedPair>& pairs) {
  auto written = write_step(dir_, CheckpointStep::kCompared, [&](AtomicFile& out) {
    put_header(out, 5);
    out.put(static_cast<std::uint64_t>(pairs.size()));
    for (const EncodedPair& p : pairs) out.put(p.left), out.put(p.right), out.put(p.dice);
  });
  if (!written.ok()) return written.error();
  return record(CheckpointStep::kCompared,
                {file_of(CheckpointStep::kCompared), written->sha256, written->bytes});
}

Result<std::vector<EncodedPair>> Checkpoint::load_encoded_pairs(std::size_t records) const {
  auto file = step_file(CheckpointStep::kCompared);
  if (!file.ok()) return file.error();
  DigestReader in(dir_ + "/" + file->file);
  HAVEN_TRY(in.open(file->bytes));
  HAVEN_TRY(get_header(in, 5));
  std::uint64_t count = 0;
  if (!in.get(count)) return in.damaged("shorter than its counts");
  const std::uint64_t per_pair = 2 * sizeof(std::uint32_t) + sizeof(double);
  if (count > file->bytes / per_pair || kHeaderBytes + 8 + count * per_pair != file->bytes)
    return in.damaged("its pair count does not fit its size");
  std::vector<EncodedPair> pairs(count);
  for (EncodedPair& p : pairs)
    if (!in.get(p.left) || !in.get(p.right) || !in.get(p.dice)) return in.damaged("truncated");
  HAVEN_TRY(in.finish(file->sha256));
  for (const EncodedPair& p : pairs)
    if (p.left >= records || p.right >= records || !(p.dice >= 0 && p.dice <= 1))
      return in.damaged("a pair names no record or Dice of this run");
  return pairs;
}

}  // namespace haven::link
