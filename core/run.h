// A training run: scene + parameters + optimizer state + history + the SVM the metrics compare with.
// Deterministic for a given scene (and its seed); cheap to copy (the scene and the SVM cache are
// shared, immutable), so the app can run several side by side, snapshot them for drawing, and rewind.
#pragma once

#include <atomic>
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
};

// The geometry the run is compared with: nuclear for kq, l_p with the optimizer's p for md/nmd,
// l_2 otherwise. Metrics follow it: normP and the normalized margin use ||.||_p (the nuclear norm of
// W = K Q^T for kq); the Bregman divergence uses the l_p potential (p = 2 for nuclear).
SvmNorm svmNormFor(const Scene& scene);
double svmPFor(const Scene& scene);
// The SVM a run's attention parameter is compared with, for token selection alpha: the relaxed prompt
// SVM when a prompt model trains v jointly (math.md §5, §8.5), else the attention SVM in the geometry
// above. One definition for the Run's metrics, the app's overlay and the CLI.
AttentionSvm solveReferenceSvm(const Scene& scene, const std::vector<int>& alpha,
                               const AttentionSvm* warm = nullptr);

// The attention parameter as one matrix: W (query), K Q^T (kq), p as a d x 1 matrix (prompt).
Eigen::MatrixXd attentionMatrix(const Scene& scene, const Params& params);
// ||theta|| in the run's SVM geometry (see svmNormFor).
double geometryNorm(const Scene& scene, const Eigen::Ref<const Eigen::MatrixXd>& theta);

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
  Params prevParams_;  // the parameters before the step in flight (restored if it overflows)
  GradientScale gradScale_;
  long long svmRows_ = 0;  // constraint rows of the scene's attention SVMs, sum_i (T_i - 1)
  struct SvmCache;
  std::shared_ptr<SvmCache> svmCache_;  // shared between copies; keyed by token selection

  std::shared_ptr<const AttentionSvm> svmFor(const std::vector<int>& tokens) const;
  void recordCurrent();
};

}  // namespace attnmd::core
