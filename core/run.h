// A training run: scene + parameters + optimizer state + history + the SVM the metrics compare with.
// Deterministic for a given scene (and its seed); cheap to copy (the scene and the SVM cache are
// shared, immutable), so the app can run several side by side, snapshot them for drawing, and rewind.
//
// Rewinding (core/timeline.h): checkpoint() captures everything the next steps depend on; forkAt()
// starts a new Run from a checkpoint and rewindTo() moves this one back to it. Stepping from a
// checkpoint reproduces the live run bit for bit: the trajectory depends only on (scene, params,
// optimizer state); history and SVM metrics only read it.
#pragma once

#include <atomic>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/history.h"
#include "core/model.h"
#include "core/optimizer.h"
#include "core/scene.h"
#include "core/svm.h"

namespace attnmd::core {

struct RunOptions {
  bool history = true;     // record metrics (off: only the parameters advance)
  bool svmMetrics = true;  // corr/bregman against the SVM (solves when the selection changes)
  HistoryOptions historyOptions;
  int svmMaxRows = 5000;  // SVMs with more constraint rows (sum_i (T_i - 1)) are not solved: NaN metrics
  int threads = 0;        // threads a step may use on large scenes (Evaluation::threads): 0 = all cores,
                          // 1 = never spawn (a sweep runs many runs side by side); results are the same
};

// The geometry the run is compared with: nuclear for kq, l_p with the optimizer's p for md/nmd,
// l_2 otherwise. Metrics follow it: normP and the normalized margin use ||.||_p (the nuclear norm of
// W = K Q^T for kq); the Bregman divergence uses the l_p potential (p = 2 for nuclear).
SvmNorm svmNormFor(const Scene& scene);
double svmPFor(const Scene& scene);
// The SVM a run's attention parameter is compared with, for token selection alpha: the relaxed prompt
// SVM when a prompt model trains v jointly (docs/theory.md §5, §8.5), else the attention SVM in the geometry
// above. One definition for the Run's metrics, the app's overlay and the CLI. `cancel` and `progress`:
// SvmOptions::cancel and SvmOptions::progress.
AttentionSvm solveReferenceSvm(const Scene& scene, const std::vector<int>& alpha,
                               const AttentionSvm* warm = nullptr, const std::atomic<bool>* cancel = nullptr,
                               SvmProgress* progress = nullptr);

// The attention parameter as one matrix: W (query), K Q^T (kq), p as a d x 1 matrix (prompt).
Eigen::MatrixXd attentionMatrix(const Scene& scene, const Params& params);
// ||theta|| in the run's SVM geometry (see svmNormFor).
double geometryNorm(const Scene& scene, const Eigen::Ref<const Eigen::MatrixXd>& theta);

// The state a Run needs to take its next step exactly as it would have live: the parameters, the
// optimizer state (dual variable, moments, velocity, step count) and the step counters. The
// optimizer's scratch tensors (TensorState::next, nextState, nextState2, work) are left empty: every
// step overwrites them before reading (optimizerStep), so they carry nothing from one step to the next
// and dropping them halves a checkpoint (the Run re-sizes them when it installs one).
struct RunCheckpoint {
  long long iteration = 0;
  Params params;
  OptimizerState optimizer;  // scratch tensors empty
  double lastStepSize = std::numeric_limits<double>::quiet_NaN();
  GradientScale gradScale;  // of the last gradient (recomputed each step; kept for completeness)

  std::size_t bytes() const;  // heap and inline bytes held (the checkpoint log's memory report)
};

class CheckpointLog;

class Run {
 public:
  explicit Run(std::shared_ptr<const Scene> scene, RunOptions options = {});
  explicit Run(const Scene& scene, RunOptions options = {});

  // Takes up to k steps; stops early on a numerical failure or when `cancel` becomes true.
  // Returns the number of steps taken. A failed step is not applied: params(), the optimizer state and
  // the history stay at the last good step, and stopReason() says why; later calls take no steps.
  // Copies of a Run may step on different threads at the same time (the shared SVM cache locks).
  long long step(long long k, const std::atomic<bool>* cancel = nullptr);

  const Scene& scene() const { return *scene_; }
  std::shared_ptr<const Scene> sharedScene() const { return scene_; }
  long long iteration() const { return iteration_; }
  const Params& params() const { return params_; }
  const Evaluation& evaluation() const { return eval_; }  // at params()
  double loss() const { return eval_.loss; }
  std::vector<int> selectedTokens() const;
  std::vector<int> optimalTokens() const;  // argmax_t gamma_it at the current v

  bool stopped() const { return !stopReason_.empty(); }
  const std::string& stopReason() const { return stopReason_; }

  const History& history() const { return history_; }
  // The SVM of the currently selected tokens (null before the first solve or when svmMetrics is off).
  std::shared_ptr<const AttentionSvm> selectedSvm() const;
  std::shared_ptr<const AttentionSvm> optimalSvm() const;
  // Computes the metrics of the current step (whether or not history wants it).
  MetricsPoint currentMetrics() const;
  const OptimizerState& optimizerState() const { return optState_; }

  // [Timeline: checkpoints, forks, rewinds]

  // The state at the current step (see RunCheckpoint).
  RunCheckpoint checkpoint() const;
  // A new Run of the same scene from a checkpoint of this run (or of any run of the same scene):
  // it shares this run's SVM cache (replays never re-solve an SVM), its evaluation is recomputed, its
  // history is empty (holding the checkpoint's point when options.history) and it has no checkpoint
  // log. Stepping it gives bit for bit the parameters this run had at the same steps, whatever the
  // options.
  Run forkAt(const RunCheckpoint& c, RunOptions options) const;
  // "Continue from here": moves this run back to a checkpoint of its own past. History points after
  // c.iteration are dropped (History::truncateAfter), so do the attached log's checkpoints, and a stop
  // reason is cleared (stepping on from an earlier step may stop again at the same place).
  void rewindTo(const RunCheckpoint& c);
  // Records checkpoints into `log` while stepping: the current step now (unless the log already holds
  // a later one), then every step the log wants. The log is shared with copies of this Run (one of
  // them should step it: a log keeps the first checkpoint it gets for a step); null detaches.
  // Without a log the step loop pays one integer comparison per step.
  void attachCheckpoints(std::shared_ptr<CheckpointLog> log);
  const std::shared_ptr<CheckpointLog>& checkpointLog() const { return checkpoints_; }

 private:
  std::shared_ptr<const Scene> scene_;
  RunOptions options_;
  Params params_;
  Params grad_;
  OptimizerState optState_;
  Evaluation eval_;
  long long iteration_ = 0;
  double lastStepSize_ = 0;
  std::string stopReason_;
  History history_;
  GradientScale gradScale_;
  long long svmRows_ = 0;  // constraint rows of the scene's attention SVMs, sum_i (T_i - 1)
  struct SvmCache;
  std::shared_ptr<SvmCache> svmCache_;          // shared between copies; keyed by token selection
  std::shared_ptr<CheckpointLog> checkpoints_;  // null: no checkpoints
  // The next step the log wants (LLONG_MAX without a log): the step loop compares with it instead of
  // asking the log (and taking its lock) every step.
  long long nextCheckpoint_ = std::numeric_limits<long long>::max();

  struct ForkTag {};
  Run(ForkTag, const Run& from, RunOptions options);  // same scene and SVM cache, no state yet
  std::shared_ptr<const AttentionSvm> svmFor(const std::vector<int>& tokens) const;
  void recordCurrent();
  void install(const RunCheckpoint& c);
  void recordCheckpoint();
};

}  // namespace attnmd::core
