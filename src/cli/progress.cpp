#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace haven {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), terminal_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  done_ = done, total_ = total;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (!terminal_) {
    const int decile = total ? static_cast<int>(10 * done / total) : -1;
    if (total && decile != last_decile_) {
      last_decile_ = decile;
      std::fprintf(stderr, "%s: %llu/%llu (%d%%) %.1fs\n", label_.c_str(), static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total), decile * 10, elapsed);
    }
    return;
  }
  if (now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;  // keep the terminal calm
  last_draw_ = now;
  const double rate = elapsed > 0 ? done / elapsed : 0;
  if (total == 0) {
    std::fprintf(stderr, "\r%s: %llu (%.0f/s)   ", label_.c_str(), static_cast<unsigned long long>(done), rate);
  } else {
    constexpr int kWidth = 30;
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    const double remaining = rate > 0 ? (total - done) / rate : 0;
    std::fprintf(stderr, "\r%s [%s] %3.0f%% %llu/%llu eta %.0fs   ", label_.c_str(), bar.c_str(), fraction * 100,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), remaining);
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_ && (done_ || total_)) std::fprintf(stderr, "\n");
}

}  // namespace haven
