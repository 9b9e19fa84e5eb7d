// A one-line progress bar for long `train` runs, drawn on stderr only when it is a terminal and only
// once the run has taken more than a second (short runs print nothing).
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace attnmd::cli {

// The bar's text for `done` of `total` steps after `seconds` (pure, for tests), e.g.
// "[#########...........]  45%  450,000/1,000,000 steps  310k steps/s  ETA 2s".
std::string progressLine(long long done, long long total, double seconds, int barWidth = 24);

// "1,234,567".
std::string groupThousands(long long value);

class ProgressBar {
 public:
  // `enabled` false: every call is a no-op.
  ProgressBar(std::ostream& err, long long total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(long long done);  // redraws at most every 100 ms, and not before one second has passed
  void finish();                // erases the bar (if drawn) so the summary starts on a clean line

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  long long total_;
  bool enabled_;
  bool drawn_ = false;
  std::size_t lastWidth_ = 0;
  Clock::time_point start_;
  Clock::time_point lastDraw_;
};

}  // namespace attnmd::cli
