// A progress bar on stderr for long work, drawn only when stderr is a terminal; otherwise (logs,
// CI) it prints one line per 10% so a log still shows the work moving.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace haven {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `total` 0 means unknown: a counter is shown instead of a bar.
  void update(std::uint64_t done, std::uint64_t total);
  void finish();

 private:
  std::string label_;
  bool terminal_;
  bool finished_ = false;
  int last_decile_ = -1;
  std::uint64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace haven
