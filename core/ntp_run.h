// Training the next-token model (docs/theory.md §10.4-5): the two SVMs its tensors are compared with,
// the metrics of each stored step, and the run itself (two_stage or joint, any optimizer).
#pragma once

#include <atomic>
#include <limits>
#include <string>
#include <vector>

#include "core/ntp.h"
#include "core/optimizer.h"
#include "core/svm.h"

namespace attnmd::core {

// ---------------------------------------------------------------------------------------------------
// The max-margin directions (docs/theory.md §10.5)
// ---------------------------------------------------------------------------------------------------

// W_kq^mm = argmin ||W||_p s.t. (e_{o_i} - e_b)^T W e_{q_i} >= 1 for each sentence i and token id
// b != o_i of it (one row per distinct (query, o, b)). Infeasible, unsolved, when a sentence is not
// realizable or a query's order has a cycle (the reason names it).
struct NtpKqSvm {
  SvmSolution solution;
  double p = 2;
  std::vector<NtpPreference> rows;  // row k <-> (query of rows[k].sentence, winner, loser)
  std::vector<int> queries;         // the query token of each row
  Eigen::MatrixXd A;                // the rows as a matrix over vec(W) (column-major), when solved
  Eigen::MatrixXd W;                // d x d, empty unless optimal
};
// W_ov^mm = argmin ||W||_p s.t. (u_{n(a)} - u_c)^T W e_a >= 1 for each (a, n(a)) in C and c != n(a).
struct NtpOvSvm {
  SvmSolution solution;
  double p = 2;
  std::vector<std::pair<int, int>> rows;  // row k <-> (collocation index, competing class c)
  Eigen::MatrixXd A;                      // the rows as a matrix over vec(W) (column-major), when solved
  Eigen::MatrixXd W;                      // K x d, empty unless optimal
};
NtpKqSvm solveNtpKqSvm(const NtpScene& scene, const NtpAnalysis& analysis, double p);
NtpOvSvm solveNtpOvSvm(const NtpScene& scene, double p);
// The l_p of both problems: the optimizer's p for md/nmd, 2 otherwise (the papers' Frobenius form).
double ntpSvmP(const NtpScene& scene);

// ---------------------------------------------------------------------------------------------------
// Metrics of one stored step
// ---------------------------------------------------------------------------------------------------

struct NtpPoint {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  long long iter = 0;
  int stage = 0;               // 1 or 2 (two_stage), 0 (joint): the stage of the step that led here
  double loss = kNaN;          // the loss being trained: L_C in stage 1, L otherwise
  double log10Loss = kNaN;     // its log10, exact far below 1e-300
  double sentenceLoss = kNaN;  // L
  double log10SentenceLoss = kNaN;
  double collocationLoss = kNaN;  // L_C
  double log10CollocationLoss = kNaN;
  double normKq = kNaN, normOv = kNaN;        // ||W_kq||_p, ||W_ov||_p
  double corrKq = kNaN, corrOv = kNaN;        // corr with W_kq^mm, W_ov^mm (NaN when not optimal)
  double bregmanKq = kNaN, bregmanOv = kNaN;  // directional Bregman divergences to them
  double marginKq = kNaN, marginOv = kNaN;    // min over the SVM rows of (A theta) / ||theta||_p
  double minOptimalAttention = kNaN;          // min_i of the attention on sentence i's optimal token (all its
                                              // positions); realizable sentences only
  double log10MaxNonOptimal = kNaN;           // log10 max_i (1 - that), exact far below 1e-16
  double accuracy = kNaN;                     // fraction of sentences whose largest logit is the label
  double stepSize = kNaN;
};

// ---------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------

struct NtpRunOptions {
  bool history = true;
  long long denseSteps = 200;  // every step up to here is recorded
  int pointsPerDecade = 200;   // then a log-spaced grid
  long long plannedSteps = 0;  // > 0: also every plannedSteps / 1000 steps (linear-x plots)
  bool solveSvms = true;
};

class NtpRun {
 public:
  explicit NtpRun(NtpScene scene, NtpRunOptions options = {});

  // Takes up to k steps; returns how many were taken (fewer when a step fails or `cancel` is set).
  long long step(long long k, const std::atomic<bool>* cancel = nullptr);
  // Records the current step if it is not the last stored point (call at the end of a run).
  void recordNow();

  const NtpScene& scene() const { return scene_; }
  const NtpAnalysis& analysis() const { return analysis_; }
  const NtpKqSvm& kqSvm() const { return kqSvm_; }
  const NtpOvSvm& ovSvm() const { return ovSvm_; }
  const NtpParams& params() const { return params_; }
  long long iteration() const { return iter_; }
  bool stopped() const { return !stopReason_.empty(); }
  const std::string& stopReason() const { return stopReason_; }
  const std::vector<NtpPoint>& history() const { return history_; }
  // The stage the next step belongs to: 1 or 2 (two_stage), 0 (joint).
  int stageOf(long long stepIndex) const;
  NtpPoint metrics() const;  // of the current parameters

 private:
  bool wants(long long iter) const;
  void record();

  NtpScene scene_;
  NtpRunOptions options_;
  NtpAnalysis analysis_;
  NtpKqSvm kqSvm_;
  NtpOvSvm ovSvm_;
  NtpParams params_;
  NtpGradient grad_;
  OptimizerState stateOv_, stateKq_, stateJoint_;  // one per tensor list: never shared across stages
  long long iter_ = 0;
  long long nextLog_ = 0;
  int logIndex_ = 0;
  double lastStepSize_ = std::numeric_limits<double>::quiet_NaN();
  std::string stopReason_;
  std::vector<NtpPoint> history_;
};

}  // namespace attnmd::core
