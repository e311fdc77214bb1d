// Checkpoints: a run stopped after any step and resumed gives what an uninterrupted run gives;
// changed inputs and damaged files are refused with a message, never read as results.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "link/link.hpp"

namespace haven::link {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("haven_checkpoint_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto spec = read_spec(std::string(HAVEN_SPECS_DIR) + "/febrl.json");
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    spec_ = *spec;
    spec_.u_sample_pairs = 20000;
    for (const char* name : {"dataset4a", "dataset4b"}) {
      auto list =
          read_list(std::string(HAVEN_LINKAGE_DATA_DIR) + "/febrl/" + name + ".csv", name, spec_);
      ASSERT_TRUE(list.ok()) << list.error().message;
      list->ids.resize(1500), list->values.resize(1500);  // enough pairs to train, quick to run
      lists_.push_back(std::move(*list));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  CheckpointInputs inputs() const {
    CheckpointInputs in;
    in.add("spec", sha256_hex(spec_to_json(spec_).dump()));
    for (std::size_t l = 0; l < lists_.size(); ++l)
      in.add("list " + std::to_string(l + 1), list_fingerprint(lists_[l]));
    return in;
  }
  std::unique_ptr<Linker> linker() const {
    auto created = Linker::create(spec_, lists_, nullptr, 2);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return std::move(*created);
  }

  // The run's results as text: model, scored pairs, clusters. With a checkpoint, each step is
  // taken from it when there and saved to it when made; `stop_after` ends the run there.
  std::string run(Checkpoint* checkpoint, std::optional<CheckpointStep> stop_after = {},
                  std::vector<std::string>* reused = nullptr) {
    auto l = linker();
    auto has = [&](CheckpointStep s) {
      const bool there = checkpoint && checkpoint->has(s);
      if (there && reused) reused->push_back(checkpoint_step_name(s));
      return there;
    };
    auto stop = [&](CheckpointStep s) { return stop_after && *stop_after == s; };
    std::optional<Model> model;
    std::vector<ScoredPair> pairs;
    std::vector<Cluster> clusters;
    const bool scored = checkpoint && checkpoint->has(CheckpointStep::kScored);
    if (!scored || !checkpoint->has(CheckpointStep::kTrained)) {
      if (has(CheckpointStep::kCompared)) {
        EXPECT_TRUE(checkpoint->load_comparisons(*l).ok());
      } else {
        EXPECT_TRUE(l->compare().ok());
        if (checkpoint) {
          EXPECT_TRUE(checkpoint->save_comparisons(*l).ok());
        }
      }
      if (stop(CheckpointStep::kCompared)) return {};
    }
    if (has(CheckpointStep::kTrained)) {
      auto loaded = checkpoint->load_model();
      EXPECT_TRUE(loaded.ok()) << loaded.error().message;
      model = *loaded;
    } else {
      auto trained = l->train();
      EXPECT_TRUE(trained.ok());
      model = *trained;
      if (checkpoint) {
        EXPECT_TRUE(checkpoint->save_model(*model).ok());
      }
    }
    if (stop(CheckpointStep::kTrained)) return {};
    if (has(CheckpointStep::kScored)) {
      auto loaded = checkpoint->load_scored(*l);
      EXPECT_TRUE(loaded.ok()) << loaded.error().message;
      pairs = *loaded;
    } else {
      auto s = l->score(*model, 0.5);
      EXPECT_TRUE(s.ok());
      pairs = *s;
      if (checkpoint) {
        EXPECT_TRUE(checkpoint->save_scored(pairs, spec_.fields.size()).ok());
      }
    }
    if (stop(CheckpointStep::kScored)) return {};
    if (has(CheckpointStep::kClustered)) {
      auto loaded = checkpoint->load_clusters(l->record_count());
      EXPECT_TRUE(loaded.ok()) << loaded.error().message;
      clusters = *loaded;
    } else {
      clusters = cluster(*l, pairs, 0.9, 0.5);
      if (checkpoint) {
        EXPECT_TRUE(checkpoint->save_clusters(clusters).ok());
      }
    }
    std::ostringstream out;
    out.precision(17);
    out << model_to_json(*model).dump() << "\n";
    for (const ScoredPair& p : pairs) {
      out << p.left << " " << p.right << " " << p.weight << " " << p.probability;
      for (auto level : p.levels) out << " " << int(level);
      out << "\n";
    }
    for (const Cluster& c : clusters) {
      for (auto r : c.records) out << r << " ";
      out << "\n";
    }
    out << capture_history_csv(*l, clusters);
    return out.str();
  }

  fs::path dir_;
  LinkSpec spec_;
  std::vector<RecordList> lists_;
};

TEST_F(CheckpointTest, ResumedAfterEveryStepGivesTheUninterruptedResults) {
  const std::string uninterrupted = run(nullptr);
  ASSERT_FALSE(uninterrupted.empty());
  for (CheckpointStep stop : {CheckpointStep::kCompared, CheckpointStep::kTrained,
                              CheckpointStep::kScored, CheckpointStep::kClustered}) {
    SCOPED_TRACE(checkpoint_step_name(stop));
    fs::remove_all(dir_);
    {
      auto first = Checkpoint::open(dir_.string(), inputs(), false);
      ASSERT_TRUE(first.ok()) << first.error().message;
      run(&*first, stop);
      EXPECT_TRUE(first->has(stop));
    }
    auto again = Checkpoint::open(dir_.string(), inputs(), false);
    ASSERT_TRUE(again.ok()) << again.error().message;
    std::vector<std::string> reused;
    EXPECT_EQ(run(&*again, {}, &reused), uninterrupted);
    EXPECT_EQ(reused.back(), checkpoint_step_name(stop));
  }
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(CheckpointTest, ChangedInputsAreRefusedUnlessRestarted) {
  {
    auto first = Checkpoint::open(dir_.string(), inputs(), false);
    ASSERT_TRUE(first.ok());
    run(&*first, CheckpointStep::kTrained);
  }
  lists_[1].values[7][0] = "somebody else";
  auto changed = Checkpoint::open(dir_.string(), inputs(), false);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(changed.error().message.find("list 2 was \"dataset4b: 1500 records"), std::string::npos)
      << changed.error().message;
  EXPECT_NE(changed.error().message.find("--restart"), std::string::npos);

  auto restarted = Checkpoint::open(dir_.string(), inputs(), true);
  ASSERT_TRUE(restarted.ok());
  EXPECT_FALSE(restarted->has(CheckpointStep::kCompared));
  EXPECT_FALSE(restarted->has(CheckpointStep::kTrained));
  EXPECT_FALSE(fs::exists(dir_ / "model.json"));
}

TEST_F(CheckpointTest, DamagedFilesAreRefused) {
  {
    auto first = Checkpoint::open(dir_.string(), inputs(), false);
    ASSERT_TRUE(first.ok());
    run(&*first);
  }
  auto reopen = [&] {
    auto c = Checkpoint::open(dir_.string(), inputs(), false);
    EXPECT_TRUE(c.ok());
    return std::move(*c);
  };
  auto flip_byte = [&](const char* name, std::uintmax_t at) {
    std::fstream f(dir_ / name, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(at));
    f.put(static_cast<char>(c ^ 0x10));
  };
  const fs::path backup = dir_.string() + "_backup";
  fs::remove_all(backup);
  fs::copy(dir_, backup);
  auto restore = [&] {
    fs::remove_all(dir_);
    fs::copy(backup, dir_);
  };
  auto expect_damaged = [](const Error& error, const std::string& what) {
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    EXPECT_NE(error.message.find("is damaged (" + what), std::string::npos) << error.message;
  };

  // A byte changed in the middle of each file: the digest says so.
  flip_byte("compared.bin", fs::file_size(dir_ / "compared.bin") / 2);
  flip_byte("scored.bin", fs::file_size(dir_ / "scored.bin") / 2);
  flip_byte("clusters.bin", fs::file_size(dir_ / "clusters.bin") / 2);
  flip_byte("model.json", fs::file_size(dir_ / "model.json") / 2);
  {
    Checkpoint c = reopen();
    auto l = linker();
    expect_damaged(c.load_comparisons(*l).error(), "its SHA-256");
    ASSERT_FALSE(c.load_model().ok());
    expect_damaged(c.load_model().error(), "its SHA-256");
    expect_damaged(c.load_scored(*l).error(), "its SHA-256");
    expect_damaged(c.load_clusters(l->record_count()).error(), "its SHA-256");
    // Nothing of the damaged comparisons was kept: the linker is still uncompared.
    EXPECT_FALSE(l->train().ok());
  }
  // Truncated files: the size is not the manifest's.
  restore();
  for (const char* name : {"compared.bin", "scored.bin", "clusters.bin", "model.json"})
    fs::resize_file(dir_ / name, fs::file_size(dir_ / name) - 3);
  {
    Checkpoint c = reopen();
    auto l = linker();
    expect_damaged(c.load_comparisons(*l).error(), "");
    EXPECT_NE(c.load_comparisons(*l).error().message.find("where the manifest says"),
              std::string::npos);
    expect_damaged(c.load_model().error(), "");
    expect_damaged(c.load_scored(*l).error(), "");
    expect_damaged(c.load_clusters(l->record_count()).error(), "");
  }
  // A manifest that is not one, and a directory that is not a checkpoint.
  restore();
  std::ofstream(dir_ / "manifest.json") << "{\"haven_link_checkpoint\": 1, \"inputs\": [";
  auto broken = Checkpoint::open(dir_.string(), inputs(), false);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("manifest"), std::string::npos);
  for (const char* text : {R"({"haven_link_checkpoint": "1", "inputs": [], "steps": {}})",
                           R"({"haven_link_checkpoint": 1, "inputs": [["spec"]], "steps": {}})",
                           R"({"haven_link_checkpoint": 1, "inputs": {}, "steps": []})", "[]"}) {
    std::ofstream(dir_ / "manifest.json") << text;
    auto wrong = Checkpoint::open(dir_.string(), inputs(), false);
    ASSERT_FALSE(wrong.ok()) << text;
    EXPECT_NE(wrong.error().message.find("manifest.json is damaged"), std::string::npos)
        << wrong.error().message;
  }
  {  // a step whose entry lies about its file
    restore();
    std::ifstream in(dir_ / "manifest.json");
    Json manifest = Json::parse(in);
    manifest["steps"]["scored"]["bytes"] = "many";
    std::ofstream(dir_ / "manifest.json") << manifest.dump();
    auto wrong = Checkpoint::open(dir_.string(), inputs(), false);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("step scored has no file, bytes or sha256"),
              std::string::npos)
        << wrong.error().message;
  }
  EXPECT_TRUE(Checkpoint::open(dir_.string(), inputs(), true).ok());  // --restart recovers

  fs::remove_all(dir_);
  fs::create_directories(dir_);
  std::ofstream(dir_ / "thesis.tex") << "not ours";
  auto foreign = Checkpoint::open(dir_.string(), inputs(), false);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("holds other files (thesis.tex)"), std::string::npos);
  fs::remove_all(backup);
}

}  // namespace
}  // namespace haven::link
