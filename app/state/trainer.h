// Training on a worker thread (style.md: "training is decoupled from frame rate").
//
// The worker owns the core::Run and steps it in chunks; after each chunk it builds a TrainSnapshot and
// swaps it in under a mutex. The UI copies the shared_ptr under that mutex once per frame, so it never
// waits for a step. restart() builds the new run's first snapshot on the calling (UI) thread without
// its SVM metrics (an evaluation at the initial parameters: cheap), so an edit shows its effect in the
// same frame; the run itself, whose step-0 metrics solve an SVM, is built by the worker (pump() in
// synchronous mode), which publishes step 0 again with those metrics. No SVM is solved on the UI thread.
//
// The timeline: the run records checkpoints while it steps (core/timeline.h); requestView(k) has the
// worker replay the run to step k from the nearest checkpoint and publish that as viewSnapshot()
// (bit-identical to what training produced at k), requestRewind(k) moves the run itself back to k
// ("continue from here").
//
// Synchronous mode (tests): no thread; pump() does the queued work on the calling thread, so a test
// steps, scrubs and rewinds deterministically with no waiting loops.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/state/commands.h"
#include "core/run.h"
#include "core/timeline.h"

namespace attnmd::gui {

// An immutable picture of a run at one step: everything the panels draw.
struct TrainSnapshot {
  std::uint64_t generation = 0;              // restart() count this snapshot belongs to
  std::shared_ptr<const core::Scene> scene;  // the scene the run trains (equals the document's)
  long long iteration = 0;
  core::Params params;
  core::Evaluation evaluation;                                     // at params
  std::vector<int> selected;                                       // alpha_i = argmax_t s_it
  std::vector<int> optimal;                                        // argmax_t gamma_it
  core::MetricsPoint metrics;                                      // docs/theory.md §7 at this step
  std::shared_ptr<const std::vector<core::MetricsPoint>> history;  // History::points()
  // History::selections(): the token selections the history's points index (MetricsPoint::selection),
  // for the exported metrics.csv. Append-only, so snapshots share one copy until it grows.
  std::shared_ptr<const std::vector<std::vector<int>>> selections;
  std::shared_ptr<const core::AttentionSvm>
      selectedSvm;          // the run's SVM of its selected tokens (may be null)
  std::string failure;      // the run stopped on a numerical problem (Run::stopReason), in words
  std::string pauseReason;  // a stop condition paused it ("max 1 − s < 1e-12 at step 1,204")
  // The run's furthest step when this is a replayed view of an earlier step (else == iteration).
  long long trainedSteps = 0;
  bool replayed = false;  // a timeline view at `iteration`, not the live run
};

enum class TrainerMode { Threaded, Synchronous };

class Trainer {
 public:
  explicit Trainer(TrainerMode mode = TrainerMode::Threaded);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Replaces the run by a fresh core::Run of `scene` (pending single steps are dropped, play state is
  // kept). Publishes the new run's step 0 before returning (without SVM metrics: see above). Throws
  // what core::Run's constructor throws for a scene it cannot train.
  void restart(std::shared_ptr<const core::Scene> scene);

  void setPlaying(bool playing);
  bool playing() const;
  // Queues k single steps (S, "step 10/100/1000"); they run even while paused.
  void requestSteps(long long k);
  long long pendingSteps() const;
  // Target speed while playing in steps per second; <= 0 means as fast as possible.
  void setSpeed(double stepsPerSecond);
  void setStopCondition(const StopCondition& stop);

  // The latest published snapshot (never null after the first restart()).
  std::shared_ptr<const TrainSnapshot> snapshot() const;
  // Steps per second over the last second of stepping (0 when idle).
  double stepsPerSecond() const;
  // CPU time the worker thread has used so far (seconds), so --bench-frames can report the frame's own
  // CPU cost without the training's.
  double workerCpuSeconds() const;
  // True while the worker has work: playing (and not stopped) or single steps pending.
  bool busy() const;
  // Blocks until pending steps are done or the run stopped; false on timeout (--steps/--exit only).
  // In synchronous mode: pumps until idle (playing runs are paused first) and returns true.
  bool waitIdle(double timeoutSeconds);

  // ---- timeline
  // Shows step k (clamped to [0, trained steps]) as viewSnapshot(); nullopt: follow the live run.
  void requestView(std::optional<long long> k);
  // The replayed view of the requested step (null when following the live run, or until the worker
  // has replayed it; then the previous view stays until replaced).
  std::shared_ptr<const TrainSnapshot> viewSnapshot() const;
  // "Continue from here": the run drops its steps after k (history and checkpoints too) and pauses.
  void requestRewind(long long k);
  // Bytes held by the run's checkpoints (the benchmark's and the status bar's report).
  std::size_t checkpointBytes() const;
  // The run's checkpoints (null until the worker has built the run): the geometry view reads the
  // parameters at the recorded steps to draw the run's direction over time.
  std::shared_ptr<const core::CheckpointLog> checkpointLog() const;

  // Synchronous mode: does the queued work now (a view, a rewind, pending steps; while playing, up to
  // kPumpSteps steps). Returns the steps taken. Does nothing in threaded mode.
  long long pump();
  static constexpr long long kPumpSteps = 64;
  TrainerMode mode() const { return mode_; }

 private:
  void work();
  bool hasWorkLocked() const;
  // The view and rewind requests, done on the thread that owns `run` (lock held on entry and exit).
  void serveRequests(core::Run& run, std::uint64_t gen, std::unique_lock<std::mutex>& lk);
  // Steps `run` (lock held on entry and exit, released while stepping); returns the steps taken.
  // `reason`: why a stop condition paused it ("" when none did).
  long long stepChunk(core::Run& run, std::uint64_t gen, long long k, bool single,
                      std::unique_lock<std::mutex>& lk, std::string& reason);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::thread thread_;
  bool quit_ = false;
  std::shared_ptr<const core::Scene> incoming_;  // a restarted run's scene the worker has not built yet
  // Builds the run of incoming_ (lock held on entry and exit, released while building) and publishes
  // its step 0; false when a newer restart came meanwhile (`run` is then left empty).
  bool takeIncoming(std::optional<core::Run>& run, std::uint64_t& gen, std::unique_lock<std::mutex>& lk);
  std::uint64_t generation_ = 0;
  bool playing_ = false;
  bool runStopped_ = false;  // the current run cannot step any more
  bool workerStepping_ = false;
  bool stopUnpublished_ = false;  // the run stopped in this chunk; its snapshot is not out yet
  long long pending_ = 0;
  double speed_ = 0;  // steps/s while playing; <= 0: unlimited
  StopCondition stop_;
  std::shared_ptr<const TrainSnapshot> snapshot_;
  double stepsPerSecond_ = 0;
  double workerCpuSeconds_ = 0;
  std::atomic<bool> cancel_{false};  // aborts the chunk in flight when the run is replaced
  TrainerMode mode_ = TrainerMode::Threaded;
  std::optional<core::Run> syncRun_;  // synchronous mode: the run (the worker's local otherwise)
  std::uint64_t syncGen_ = 0;
  std::optional<std::optional<long long>> viewRequest_;  // set: a new view to serve (inner nullopt: live)
  std::optional<long long> rewindRequest_;
  std::shared_ptr<const TrainSnapshot> view_;
  std::shared_ptr<core::CheckpointLog> checkpoints_;
};

// A snapshot of `replayed` (a run replayed to an earlier step) that keeps the live run's history, so
// plots show the whole run with a cursor at the replayed step.
std::shared_ptr<TrainSnapshot> makeViewSnapshot(const core::Run& replayed, const TrainSnapshot& live);

// Builds a snapshot of `run` (any thread; reads `run` only).
// `previous`: the last snapshot of the same run, whose selections table is reused when it has not grown.
std::shared_ptr<TrainSnapshot> makeSnapshot(const core::Run& run, std::uint64_t generation,
                                            const TrainSnapshot* previous = nullptr);

// Checks a stop condition at a step; returns the reason to pause ("" = keep going).
std::string stopConditionMet(const StopCondition& stop, long long iteration, const core::Evaluation& eval);

}  // namespace attnmd::gui
