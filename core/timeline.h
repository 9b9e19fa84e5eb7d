// A run's timeline: checkpoints to scrub a run back to any step, bit for bit what live training gave
// there, and the events worth marking on it.
//
// Scrubbing to step k = fork at the newest checkpoint <= k and replay the remaining steps (replayTo).
// A CheckpointLog keeps two samplings, like History:
//  - log-spaced: every step up to `denseSteps`, then a geometric grid (`pointsPerDecade`), so the
//    early steps, where selections change, stay cheap to reach however long the run gets;
//  - periodic: every `stride` steps, at most `capacity` checkpoints (and at most `maxBytes` in all);
//    when full, every other one is dropped and the stride doubles.
// A replay thus takes at most `stride` steps. With the defaults on the papers' scene (query model,
// n = 6, T = 8, d = 10, nmd: 2,056 bytes a checkpoint), measured by tests/bench/bench_timeline.cpp:
// 10^6 steps keep ~4,000 checkpoints at stride 256 (8.1 MB; a scrub takes 0.4 ms on average, <1 ms
// at most), 10^7 steps stride 4,096 (8.5 MB at the peak; <= 4,096 steps, ~10 ms, per scrub).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/history.h"
#include "core/run.h"

namespace attnmd::core {

// [SECTION] the checkpoint log

struct CheckpointOptions {
  long long denseSteps = 16;           // every step up to here gets a checkpoint
  int pointsPerDecade = 20;            // log-spaced grid after that (10^(j/20): 12% apart)
  long long initialStride = 16;        // periodic checkpoints every `stride` steps, starting here
  std::size_t capacity = 4096;         // periodic checkpoints kept at most (then thinned, stride x 2)
  std::size_t maxBytes = 64ull << 20;  // and at most this many bytes in all (large d: thinned sooner)
};

// Checkpoints of one run, appended by the thread that steps it and read by others (the UI scrubbing
// the timeline). Every public method takes an internal mutex, so any thread may call any of them;
// the checkpoints themselves are immutable once recorded and handed out as shared pointers, so a
// reader keeps its checkpoint alive while the writer thins the log.
class CheckpointLog {
 public:
  explicit CheckpointLog(CheckpointOptions options = {});

  bool wants(long long iter) const;
  // The smallest step > `after` that wants() (the Run steps up to it without asking again).
  long long nextWanted(long long after) const;
  // Keeps `c` unless the log already holds a checkpoint at or after c.iteration (the first one for a
  // step wins, so a snapshot copy of a Run stepping over old ground changes nothing). A checkpoint no
  // sampling wants (attaching at an arbitrary step) is kept until the next thinning.
  void record(RunCheckpoint c);
  // The newest checkpoint with iteration <= k, or null when there is none.
  std::shared_ptr<const RunCheckpoint> atOrBefore(long long k) const;
  // Drops the checkpoints after step k (a run rewound to k); the samplings continue from there.
  void truncateAfter(long long k);
  long long lastIteration() const;                               // -1 when empty
  long long stride() const;                                      // the periodic sampling's current stride
  std::size_t bytes() const;                                     // memory held
  std::size_t size() const;                                      // checkpoints held
  const CheckpointOptions& options() const { return options_; }  // fixed at construction

 private:
  using Entry = std::shared_ptr<const RunCheckpoint>;
  const CheckpointOptions options_;
  mutable std::mutex mutex_;
  std::vector<Entry> logSpaced_;  // ascending iteration
  std::vector<Entry> periodic_;   // ascending iteration
  long long stride_ = 1;
  long long nextLogIter_ = 0;
  long long logGridIndex_ = 0;
  long long lastIter_ = -1;
  std::size_t checkpointBytes_ = 0;  // sum of the held checkpoints' bytes()

  bool wantsLocked(long long iter) const;
  void resetLogGrid(long long past);
  void thinPeriodic();
};

// [SECTION] replay

// Options for a replay: no history (the live run has it), SVM metrics on (cached, shared).
inline RunOptions replayOptions() {
  RunOptions o;
  o.history = false;
  return o;
}

// The state of `live` at step k (clamped to [0, live.iteration()]): forked at the newest checkpoint
// <= k of `log` (or at the scene's start when the log has none) and stepped to k. Bit for bit the
// parameters, optimizer state and evaluation `live` had at step k, when `log` holds checkpoints of
// `live` (or of any run of the same scene and options' trajectory).
Run replayTo(const Run& live, const CheckpointLog& log, long long k, RunOptions options = replayOptions());

// [SECTION] events

// log10 max_i (1 - s_{i alpha_i}) below which the attention counts as saturated (1 - s < 1e-6).
inline constexpr double kSaturationLog10 = -6.0;

enum class TimelineEventKind { SelectionChange, Saturation };

struct TimelineEvent {
  long long iter = 0;  // the first recorded step that shows it (exact while the history is dense)
  TimelineEventKind kind = TimelineEventKind::SelectionChange;
  std::string text;  // "selection changes: sequence 3 now token 2", "attention saturates: ..."
};

// The events of a run's history, ascending in iter: every recorded step whose selected tokens differ
// from the previous recorded step's, and the first step where log10MaxUnselected < kSaturationLog10.
std::vector<TimelineEvent> timelineEvents(const History& history);
// The same from a copy of the history (History::points() and selections(), as app snapshots hold).
std::vector<TimelineEvent> timelineEvents(const std::vector<MetricsPoint>& points,
                                          const std::vector<std::vector<int>>& selections);

}  // namespace attnmd::core
