// Run history: the metrics of docs/theory.md §7 at a bounded set of steps.
//
// Two samplings are kept, so 10^7 steps fit in a few MB and plots stay exact on either axis:
//  - log-spaced: every step up to `denseSteps`, then steps on a geometric grid (`pointsPerDecade`),
//    so a log-x plot has the same density everywhere;
//  - uniform ("recent"): every `stride` steps, at most `uniformCapacity` points; when full, every other
//    point is dropped and the stride doubles, so a linear-x plot of the whole run stays evenly sampled.
// Each point is recorded once even if both samplings want it; `points()` merges them in ascending iter.
// The log grid is the set of integers round(10^(j / pointsPerDecade)), j = 0, 1, ... above denseSteps.
// Memory: 10^7 steps with the defaults keep ~1,150 log-spaced + <= 2,048 uniform points (~0.5 MB),
// plus one entry per distinct token selection.
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

namespace attnmd::core {

// One stored step. NaN marks a value that does not exist at that step (e.g. corr when the SVM of
// the selected tokens is infeasible).
struct MetricsPoint {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  long long iter = 0;
  double loss = kNaN;
  double normP = kNaN;        // ||theta||_p of the attention parameter (p of the SVM geometry)
  double corr = kNaN;         // corr(theta, theta^mm) for the SVM of the selected tokens
  double bregman = kNaN;      // directional Bregman divergence to that SVM
  double corrOptimal = kNaN;  // the same two against the SVM of the optimal tokens
  double bregmanOptimal = kNaN;
  double meanSelectedProb = kNaN;          // mean_i s_{i alpha_i}
  double minSelectedProb = kNaN;           // min_i s_{i alpha_i}
  double log10MaxUnselected = kNaN;        // log10 max_i (1 - s_{i alpha_i}), exact far below 1e-16
  double predictedLog10Unselected = kNaN;  // docs/theory.md §8.8 prediction of the same quantity
  double entropy = kNaN;                   // mean attention entropy (nats)
  double margin = kNaN;                    // min normalized margin min_rows (A theta)/||theta||_p
  double accuracy = kNaN;                  // fraction of sequences with Y_i f_i > 0
  double stepSize = kNaN;                  // eta used at this step (polyak: eta_k)
  double vNorm = kNaN;                     // ||v||_p when v is trained
  static constexpr std::uint32_t kNoSelection = 0xffffffffu;
  std::uint32_t selection = 0;     // index into History::selections(); kNoSelection once the table's
                                   // memory budget is spent (huge n with ever-changing selections)
  bool selectedIsOptimal = false;  // alpha == opt
};

struct HistoryOptions {
  long long denseSteps = 200;           // every step up to here is kept
  int pointsPerDecade = 200;            // log-spaced grid density after that
  int uniformCapacity = 2048;           // uniform sampling: at most this many points
  long long selectionBudget = 1 << 22;  // distinct selections stored: at most this many indices in total
                                        // (16 MB); later new ones are recorded as kNoSelection
};

class History {
 public:
  explicit History(HistoryOptions options = {});

  // True when step `iter` must be recorded (callers compute the metrics only then).
  bool wants(long long iter) const {
    return iter <= options_.denseSteps || iter >= nextLogIter_ || iter % uniformStride_ == 0;
  }
  // Records a point (iter must be > the last recorded iter; older points are ignored). A point no
  // sampling wants (e.g. the last step of a run) is kept among the uniform points until the next
  // thinning of those.
  void record(const MetricsPoint& point, const std::vector<int>& selection);

  // All stored points, ascending in iter, each once.
  std::vector<MetricsPoint> points() const;
  // The stored points with iter in [first, last], ascending.
  std::vector<MetricsPoint> points(long long first, long long last) const;
  const MetricsPoint* last() const;  // newest point, or null
  const std::vector<std::vector<int>>& selections() const { return selections_; }
  long long uniformStride() const { return uniformStride_; }
  const HistoryOptions& options() const { return options_; }
  std::size_t size() const;   // number of distinct stored points
  std::size_t bytes() const;  // memory held, for the benchmark's report
  void clear();
  // Drops the points after step `iter` (a run rewound to it) and resumes both samplings from there:
  // the log grid continues after the newest kept log-spaced point; the uniform stride stays (the kept
  // points are on it), so recording steps iter+1 .. N afterwards stores exactly what an uninterrupted
  // history of N steps stores, for any N at or beyond the step the history had reached (before that,
  // the uniform sampling is coarser than a fresh one's). The selections table keeps every entry, so
  // indices stay valid.
  void truncateAfter(long long iter);

 private:
  HistoryOptions options_;
  std::vector<MetricsPoint> logSpaced_;
  std::vector<MetricsPoint> uniform_;
  long long uniformStride_ = 1;
  long long nextLogIter_ = 0;
  long long logGridIndex_ = 0;  // j of nextLogIter_ on the grid
  long long lastIter_ = -1;
  std::vector<std::vector<int>> selections_;
  std::uint32_t lastSelection_ = 0;
  long long selectionInts_ = 0;  // sum of the stored selections' sizes
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> selectionIndex_;  // hash -> indices

  std::uint32_t internSelection(const std::vector<int>& selection);
  void advanceLogGrid(long long past);
};

}  // namespace attnmd::core
