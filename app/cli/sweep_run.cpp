// One run of a sweep: trained single-threaded, then summarized as a row of runs.csv and its samples at
// the band plots' iterations (app/cli/sweep.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "app/cli/sweep.h"
#include "core/optimizer.h"
#include "core/run.h"
#include "core/svm.h"

namespace attnmd::cli {
namespace {

constexpr double kRunNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kCorrReached = 0.99;       // "steps until corr >= 0.99"
constexpr double kLog10SparseReached = -6;  // "steps until 1 - s <= 1e-6"

// corr and directional Bregman of theta against the l_p SVM of `tokens` (docs/theory.md §7, the same
// formulas as the run's own metrics, with the l_p potential of that SVM's p).
void crossCompare(const core::Scene& scene, const Eigen::MatrixXd& theta, const std::vector<int>& tokens,
                  double p, double& corr, double& bregman) {
  corr = bregman = kRunNaN;
  const core::AttentionSvm svm = core::solveAttentionSvm(scene, tokens, core::SvmNorm::Lp, p);
  if (svm.solution.status != core::SvmStatus::Optimal) return;
  const Eigen::MatrixXd D = scene.model.kind == core::ModelKind::Prompt ? Eigen::MatrixXd(svm.direction.p)
                                                                        : Eigen::MatrixXd(svm.direction.W);
  if (D.rows() != theta.rows() || D.cols() != theta.cols()) return;
  const double nt = theta.norm(), nd = D.norm();
  if (nt > 0 && nd > 0) corr = (theta.array() * D.array()).sum() / (nt * nd);
  bregman = core::directionalBregman(D, theta, p);
}

}  // namespace

RunRecord runOne(const SweepPlan& plan, int id, const std::atomic<bool>* cancel, bool& interrupted) {
  RunRecord rec;
  rec.id = id;
  interrupted = false;
  const auto scene = std::make_shared<const core::Scene>(runScene(plan, id));
  core::RunOptions options;
  options.threads = 1;  // the sweep runs many runs side by side
  core::Run run(scene, options);
  const long long total = plan.iterations;
  run.step(total, cancel);
  if (run.iteration() < total && !run.stopped()) {
    interrupted = true;
    return rec;
  }

  core::MetricsPoint last = run.currentMetrics();
  last.iter = run.iteration();
  rec.status = run.stopped() ? "stopped: " + run.stopReason() : "ok";
  rec.iterations = run.iteration();
  rec.loss = last.loss;
  rec.norm = last.normP;
  rec.corr = last.corr;
  rec.bregman = last.bregman;
  rec.corrOptimal = last.corrOptimal;
  rec.bregmanOptimal = last.bregmanOptimal;
  rec.minSelectedProb = last.minSelectedProb;
  rec.log10MaxUnselected = last.log10MaxUnselected;
  rec.margin = last.margin;
  rec.accuracy = last.accuracy;
  rec.selected = run.selectedTokens();
  rec.optimal = run.optimalTokens();
  rec.selectedIsOptimal = rec.selected == rec.optimal;

  std::vector<core::MetricsPoint> points = run.history().points();
  if (points.empty() || points.back().iter < last.iter) points.push_back(last);

  // First recorded steps (every step up to 200, then 200 per decade) where the thresholds hold.
  rec.stepsCorr = rec.stepsSparse = kRunNaN;
  for (const core::MetricsPoint& m : points) {
    if (std::isnan(rec.stepsCorr) && m.corr >= kCorrReached) rec.stepsCorr = static_cast<double>(m.iter);
    if (std::isnan(rec.stepsSparse) && m.log10MaxUnselected <= kLog10SparseReached)
      rec.stepsSparse = static_cast<double>(m.iter);
  }

  // The selected tokens' SVM in each geometry of the grid (its own from the run's metrics).
  const bool lp = core::svmNormFor(*scene) == core::SvmNorm::Lp;
  const double ownP = core::svmPFor(*scene);
  const Eigen::MatrixXd theta = core::attentionMatrix(*scene, run.params());
  for (double p : plan.pValues) {
    double c = kRunNaN, b = kRunNaN;
    if (lp && p == ownP) {
      c = rec.corr;
      b = rec.bregman;
    } else if (lp) {
      crossCompare(*scene, theta, rec.selected, p, c, b);
    }
    rec.crossCorr.push_back(c);
    rec.crossBregman.push_back(b);
  }

  // Band samples: the last recorded point at or before each band iteration.
  std::size_t k = 0;
  for (long long it : plan.bandIters) {
    while (k + 1 < points.size() && points[k + 1].iter <= it) ++k;
    const bool have = it <= last.iter && !points.empty() && points[k].iter <= it;
    rec.bandBregman.push_back(have ? points[k].bregman : kRunNaN);
    rec.bandCorr.push_back(have ? points[k].corr : kRunNaN);
    rec.bandLog10Sparsity.push_back(have ? points[k].log10MaxUnselected : kRunNaN);
  }
  return rec;
}

}  // namespace attnmd::cli
