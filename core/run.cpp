// A training run: the loop, the metrics of docs/theory.md §7 and the SVM cache they compare with.
//
// [SECTION] geometry helpers
// [SECTION] the shared SVM cache
// [SECTION] Run: construction and stepping
// [SECTION] Run: tokens and metrics
// [SECTION] Run: checkpoints, forks and rewinds
#include "core/run.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <mutex>

#include "core/timeline.h"

namespace attnmd::core {

namespace {
constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();  // a metric with no value (yet)
constexpr double kLn10 = 2.302585092994045684;
}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] geometry helpers
// ---------------------------------------------------------------------------------------------------

SvmNorm svmNormFor(const Scene& scene) {
  return scene.model.kind == ModelKind::KQ ? SvmNorm::Nuclear : SvmNorm::Lp;
}

double svmPFor(const Scene& scene) {
  if (scene.model.kind == ModelKind::KQ) return 2.0;
  const OptimizerKind k = scene.optimizer.name;
  return (k == OptimizerKind::MD || k == OptimizerKind::NMD) ? scene.optimizer.p : 2.0;
}

AttentionSvm solveReferenceSvm(const Scene& scene, const std::vector<int>& alpha, const AttentionSvm* warm,
                               const std::atomic<bool>* cancel, SvmProgress* progress) {
  if (scene.model.kind == ModelKind::Prompt && scene.model.trainV)  // d unknowns: never long
    return solveRelaxedPromptSvm(scene, alpha, svmPFor(scene));
  return solveAttentionSvm(scene, alpha, svmNormFor(scene), svmPFor(scene), warm, cancel, progress);
}

Eigen::MatrixXd attentionMatrix(const Scene& scene, const Params& params) {
  if (scene.model.kind == ModelKind::Prompt) return params.p;
  return effectiveW(scene, params);
}

double geometryNorm(const Scene& scene, const Eigen::Ref<const Eigen::MatrixXd>& theta) {
  if (theta.size() == 0) return kUndefined;
  if (svmNormFor(scene) == SvmNorm::Nuclear) {
    const Eigen::MatrixXd t = theta;
    // BDCSVD: the same as JacobiSVD below 16 x 16 (it delegates), and O(d^3) with a small constant
    // above (JacobiSVD took seconds per stored step at d = 500).
    return Eigen::BDCSVD<Eigen::MatrixXd>(t).singularValues().sum();
  }
  return lpNorm(theta, svmPFor(scene));
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] the shared SVM cache
// ---------------------------------------------------------------------------------------------------

// One per scene, shared by every copy of a Run: the SVM of a token selection depends only on the
// (immutable) scene and the selection, so a solve done by any copy serves all of them. Solves run
// outside the lock; when two copies solve the same selection at once the first result is kept, so
// every copy sees one and the same object. No warm starts: a cached result must not depend on which
// copy solved first.
struct Run::SvmCache {
  static constexpr std::size_t kMaxEntries = 256;
  std::mutex mutex;
  std::map<std::vector<int>, std::shared_ptr<const AttentionSvm>> entries;
  std::deque<std::vector<int>> order;  // insertion order, for eviction
};

std::shared_ptr<const AttentionSvm> Run::svmFor(const std::vector<int>& tokens) const {
  if (!options_.svmMetrics || !svmCache_ || svmRows_ > options_.svmMaxRows) return nullptr;
  {
    std::lock_guard<std::mutex> lock(svmCache_->mutex);
    auto it = svmCache_->entries.find(tokens);
    if (it != svmCache_->entries.end()) return it->second;
  }
  auto solved = std::make_shared<const AttentionSvm>(solveReferenceSvm(*scene_, tokens));
  std::lock_guard<std::mutex> lock(svmCache_->mutex);
  auto [it, inserted] = svmCache_->entries.emplace(tokens, solved);
  if (inserted) {
    svmCache_->order.push_back(tokens);
    if (svmCache_->order.size() > SvmCache::kMaxEntries) {
      svmCache_->entries.erase(svmCache_->order.front());
      svmCache_->order.pop_front();
    }
  }
  return it->second;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Run: construction and stepping
// ---------------------------------------------------------------------------------------------------

Run::Run(const Scene& scene, RunOptions options) : Run(std::make_shared<const Scene>(scene), options) {}

Run::Run(std::shared_ptr<const Scene> scene, RunOptions options)
    : scene_(std::move(scene)),
      options_(options),
      history_(options.historyOptions),
      svmCache_(std::make_shared<SvmCache>()) {
  for (const Sequence& s : scene_->sequences) svmRows_ += s.tokens.rows() - 1;
  params_ = initialParams(*scene_);
  eval_.threads = options_.threads;
  eval_.sceneFixed = true;  // the scene is shared and immutable
  evaluate(*scene_, params_, eval_);
  lastStepSize_ = kUndefined;
  if (!eval_.finite)
    stopReason_ = "the initial parameters give non-finite logits or loss; use a smaller initialization scale";
  if (options_.history) recordCurrent();
}

long long Run::step(long long k, const std::atomic<bool>* cancel) {
  const Scene& scene = *scene_;
  const OptimizerSpec& spec = scene.optimizer;
  long long taken = 0;
  // The loss and the log forms of the sparsity feed only the metrics and Polyak's step: evaluations
  // that nothing reads before the next step defer them (Evaluation::deferLogs); the last one of this
  // call, and any recorded, is complete.
  const bool deferLogs = spec.name != OptimizerKind::Polyak;
  while (taken < k && stopReason_.empty()) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    // docs/theory.md §3-4: gradient (scaled in deep saturation), then one optimizer step per trained tensor.
    const double loss = gradient(scene, params_, eval_, grad_, &gradScale_);
    // Polyak needs L itself; once it underflows to 0, log L from the margins (cheap, and only then).
    double logLoss = std::numeric_limits<double>::quiet_NaN();
    if (spec.name == OptimizerKind::Polyak && loss == 0 && !eval_.seqs.empty()) {
      double top = -std::numeric_limits<double>::infinity(), sum = 0;
      for (const SequenceEval& q : eval_.seqs) top = std::max(top, lossLogValue(scene.model.loss, q.margin));
      for (const SequenceEval& q : eval_.seqs)
        sum += std::exp(lossLogValue(scene.model.loss, q.margin) - top);
      logLoss = top + std::log(sum) - std::log(static_cast<double>(eval_.seqs.size()));
    }
    const StepResult r = optimizerStep(scene, spec, loss, grad_, params_, optState_, gradScale_, logLoss);
    if (!r.ok) {
      stopReason_ = r.reason;
      break;
    }
    eval_.deferLogs = deferLogs && taken + 1 < k;
    evaluate(scene, params_, eval_);
    if (!eval_.finite) {
      // The step itself was finite but the model overflowed at it (logits ~ 1e308, or the exponential
      // loss at u < -709): undo it, so the run stays at its last good step.
      optimizerUndoStep(scene, params_, optState_);  // the parameters and the state, bit for bit
      eval_.deferLogs = false;
      evaluate(scene, params_, eval_);
      stopReason_ = "step " + std::to_string(iteration_ + 1) +
                    " made the logits or the loss overflow (not finite); the parameters grew too large: "
                    "try a smaller step, fewer iterations or the logistic loss";
      break;
    }
    ++iteration_;
    ++taken;
    lastStepSize_ = r.stepSize;
    if (options_.history && history_.wants(iteration_)) recordCurrent();
    if (iteration_ >= nextCheckpoint_) recordCheckpoint();
  }
  eval_.deferLogs = false;
  completeEvaluation(scene, eval_);  // (a cancel or a failed step leaves the last step's deferred)
  return taken;
}

void Run::recordCurrent() {
  completeEvaluation(*scene_, eval_);
  history_.record(currentMetrics(), selectedTokens());
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Run: tokens and metrics (docs/theory.md §6-8)
// ---------------------------------------------------------------------------------------------------

std::vector<int> Run::selectedTokens() const {
  std::vector<int> a(eval_.seqs.size());
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = eval_.seqs[i].selected;
  return a;
}

// docs/theory.md §6: opt_i = argmax_t gamma_it, gamma_it = Y_i v^T x_it (first index on ties).
std::vector<int> Run::optimalTokens() const {
  std::vector<int> opt(eval_.seqs.size());
  for (std::size_t i = 0; i < opt.size(); ++i) {
    Eigen::Index best = 0;
    (static_cast<double>(scene_->sequences[i].y) * eval_.seqs[i].values).maxCoeff(&best);
    opt[i] = static_cast<int>(best);
  }
  return opt;
}

std::shared_ptr<const AttentionSvm> Run::selectedSvm() const {
  return svmFor(selectedTokens());
}
std::shared_ptr<const AttentionSvm> Run::optimalSvm() const {
  return svmFor(optimalTokens());
}

namespace {

// log(1 + e^x) without overflow.
double softplus(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

// The SVM solution as a matrix of the attention parameter's shape (W, or p as d x 1).
Eigen::MatrixXd svmDirection(const Scene& scene, const AttentionSvm& svm) {
  if (scene.model.kind == ModelKind::Prompt) return svm.direction.p;
  return svm.direction.W;
}

// Row value of constraint (i, t) at direction D: (x_{i alpha} - x_it)^T D z_i, or (M(x_{i alpha} - x_it))^T
// p.
double rowValue(const Scene& scene, const std::vector<int>& alpha, const TokenPair& row,
                const Eigen::MatrixXd& D) {
  const Sequence& s = scene.sequences[static_cast<std::size_t>(row.seq)];
  const Eigen::VectorXd diff =
      (s.tokens.row(alpha[static_cast<std::size_t>(row.seq)]) - s.tokens.row(row.token)).transpose();
  if (scene.model.kind == ModelKind::Prompt) return (scene.keyMatrixOrIdentity() * diff).dot(D.col(0));
  return diff.dot(D * scene.queryOf(row.seq));
}

// corr, directional Bregman and (optionally) the §8.8 prediction against one SVM.
struct SvmComparison {
  double corr = kUndefined, bregman = kUndefined, predictedLog10 = kUndefined;
};

SvmComparison compare(const Scene& scene, const Eigen::MatrixXd& theta, double thetaNorm,
                      const AttentionSvm* svm, bool predict) {
  SvmComparison c;
  if (!svm || svm->solution.status != SvmStatus::Optimal) return c;
  const Eigen::MatrixXd D = svmDirection(scene, *svm);
  if (D.rows() != theta.rows() || D.cols() != theta.cols()) return c;
  const double nt = theta.norm(), nd = D.norm();
  if (nt > 0 && nd > 0) c.corr = (theta.array() * D.array()).sum() / (nt * nd);  // docs/theory.md §7 corr
  // docs/theory.md §7: D_psi(theta^mm/||theta^mm||_p, theta/||theta||_p), psi the l_p potential (p = 2 for
  // nuclear).
  c.bregman = directionalBregman(D, theta, svm->norm == SvmNorm::Nuclear ? 2.0 : svm->p);
  if (predict && svm->solution.value > 0 && std::isfinite(thetaNorm)) {
    // docs/theory.md §8.8: 1 - s_{i alpha} ~ sum_{support t of i} exp(-row(t) ||theta|| / ||theta^mm||), with
    // row(t) the SVM's value on that constraint (1 on support rows); log10 of the max over i.
    const double ratio = thetaNorm / svm->solution.value;
    std::vector<double> perSeq(scene.sequences.size(), -std::numeric_limits<double>::infinity());
    for (const TokenPair& row : svm->support) {
      double& acc = perSeq[static_cast<std::size_t>(row.seq)];
      const double x = -rowValue(scene, svm->tokens, row, D) * ratio;
      acc = std::max(acc, x) + std::log1p(std::exp(-std::abs(acc - x)));  // log(e^acc + e^x)
    }
    const double best = *std::max_element(perSeq.begin(), perSeq.end());
    if (std::isfinite(best)) c.predictedLog10 = best / kLn10;
  }
  return c;
}

}  // namespace

MetricsPoint Run::currentMetrics() const {
  const Scene& scene = *scene_;
  MetricsPoint m;
  m.iter = iteration_;
  m.loss = eval_.loss;
  m.stepSize = iteration_ > 0 ? lastStepSize_ : kUndefined;
  const int n = scene.sequenceCount();
  if (n == 0) return m;

  const Eigen::MatrixXd theta = attentionMatrix(scene, params_);
  m.normP = geometryNorm(scene, theta);
  if (scene.model.trainV) m.vNorm = lpNorm(params_.v, svmPFor(scene));

  double sumSel = 0, minSel = 1, maxLogU = -std::numeric_limits<double>::infinity(), entropy = 0;
  double minGap = std::numeric_limits<double>::infinity();
  int correct = 0;
  for (const SequenceEval& se : eval_.seqs) {
    const double sA = se.probs[se.selected];
    sumSel += sA;
    minSel = std::min(minSel, sA);
    maxLogU = std::max(maxLogU, se.logUnselected);
    // Entropy -sum_t s_t log s_t with log s_t = (a_t - a_alpha) - log(1 + S) (docs/theory.md §3 log form).
    const double l1pS = softplus(se.logSumOthers);
    const double aA = se.logits[se.selected];
    double h = 0;
    for (Eigen::Index t = 0; t < se.logits.size(); ++t) {
      if (se.probs[t] > 0) h -= se.probs[t] * ((se.logits[t] - aA) - l1pS);
      if (t != se.selected) minGap = std::min(minGap, aA - se.logits[t]);  // row value (A theta)_row
    }
    entropy += h;
    if (se.margin > 0) ++correct;
  }
  m.meanSelectedProb = sumSel / n;
  m.minSelectedProb = minSel;
  m.log10MaxUnselected = maxLogU / kLn10;
  m.entropy = entropy / n;
  m.accuracy = static_cast<double>(correct) / n;
  // docs/theory.md §7: min over constraint rows of (A theta) / ||theta||, rows of the selected tokens; the
  // row values are exactly the logit gaps a_alpha - a_t.
  if (m.normP > 0 && std::isfinite(minGap)) m.margin = minGap / m.normP;

  const std::vector<int> sel = selectedTokens(), opt = optimalTokens();
  m.selectedIsOptimal = sel == opt;
  if (options_.svmMetrics) {
    const auto svmSel = svmFor(sel);
    const SvmComparison cs = compare(scene, theta, m.normP, svmSel.get(), true);
    m.corr = cs.corr;
    m.bregman = cs.bregman;
    m.predictedLog10Unselected = cs.predictedLog10;
    const SvmComparison co = sel == opt ? cs : compare(scene, theta, m.normP, svmFor(opt).get(), false);
    m.corrOptimal = co.corr;
    m.bregmanOptimal = co.bregman;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Run: checkpoints, forks and rewinds (core/timeline.h)
// ---------------------------------------------------------------------------------------------------

namespace {

std::size_t matrixBytes(const Eigen::MatrixXd& m) {
  return sizeof(m) + static_cast<std::size_t>(m.size()) * sizeof(double);
}
std::size_t vectorBytes(const Eigen::VectorXd& v) {
  return sizeof(v) + static_cast<std::size_t>(v.size()) * sizeof(double);
}

}  // namespace

std::size_t RunCheckpoint::bytes() const {
  std::size_t b = sizeof(*this) - sizeof(params) - sizeof(optimizer);
  b += matrixBytes(params.W) + vectorBytes(params.p) + matrixBytes(params.K) + matrixBytes(params.Q) +
       vectorBytes(params.v);
  b += sizeof(optimizer) + optimizer.tensors.capacity() * sizeof(TensorState);
  for (const TensorState& t : optimizer.tensors)
    for (const Eigen::MatrixXd* m :
         {&t.dual, &t.m1, &t.m2, &t.velocity, &t.next, &t.nextState, &t.nextState2, &t.work})
      b += static_cast<std::size_t>(m->size()) * sizeof(double);  // sizeof counted with TensorState
  return b;
}

RunCheckpoint Run::checkpoint() const {
  RunCheckpoint c;
  c.iteration = iteration_;
  c.params = params_;
  c.optimizer.step = optState_.step;
  c.optimizer.initialized = optState_.initialized;
  c.optimizer.kind = optState_.kind;
  c.optimizer.p = optState_.p;
  // The state tensors only: optimizerStep overwrites next/nextState/nextState2/work before it reads
  // them (and optimizerUndoState reads them only right after the step that wrote them).
  c.optimizer.tensors.resize(optState_.tensors.size());
  for (std::size_t i = 0; i < optState_.tensors.size(); ++i) {
    const TensorState& from = optState_.tensors[i];
    TensorState& to = c.optimizer.tensors[i];
    to.dual = from.dual;
    to.m1 = from.m1;
    to.m2 = from.m2;
    to.velocity = from.velocity;
  }
  c.lastStepSize = lastStepSize_;
  c.gradScale = gradScale_;
  return c;
}

// Sets the stepping state from `c` (the caller handles history and stop reason).
void Run::install(const RunCheckpoint& c) {
  iteration_ = c.iteration;
  params_ = c.params;
  optState_ = c.optimizer;
  // optimizerStep rebuilds its state from the parameters when the scratch tensor `next` does not have
  // the trained tensor's shape (a different optimizer or model): re-size the scratch so the
  // checkpoint's dual variable / moments are used, not re-derived (md's theta -> u -> theta is not exact).
  if (optState_.initialized) {
    const auto shapes = trainedTensors(*scene_, params_);
    if (shapes.size() == optState_.tensors.size()) {
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        TensorState& ts = optState_.tensors[i];
        const Eigen::Index r = shapes[i].rows(), cols = shapes[i].cols();
        ts.next.resize(r, cols);
        ts.nextState.resize(r, cols);
        ts.nextState2.resize(r, cols);
        ts.work.resize(r, cols);
      }
    }
  }
  lastStepSize_ = c.lastStepSize;
  gradScale_ = c.gradScale;
  evaluate(*scene_, params_, eval_);
}

Run::Run(ForkTag, const Run& from, RunOptions options)
    : scene_(from.scene_),
      options_(options),
      history_(options.historyOptions),
      svmRows_(from.svmRows_),
      svmCache_(from.svmCache_) {
  eval_.threads = options_.threads;
  eval_.sceneFixed = true;
}

Run Run::forkAt(const RunCheckpoint& c, RunOptions options) const {
  Run fork(ForkTag{}, *this, options);
  fork.install(c);
  if (!fork.eval_.finite) fork.stopReason_ = "the checkpoint's parameters give non-finite logits or loss";
  if (fork.options_.history) fork.recordCurrent();
  return fork;
}

void Run::rewindTo(const RunCheckpoint& c) {
  install(c);
  stopReason_.clear();
  history_.truncateAfter(iteration_);
  if (checkpoints_) {
    checkpoints_->truncateAfter(iteration_);
    nextCheckpoint_ = checkpoints_->nextWanted(iteration_);
  }
}

void Run::attachCheckpoints(std::shared_ptr<CheckpointLog> log) {
  checkpoints_ = std::move(log);
  nextCheckpoint_ = std::numeric_limits<long long>::max();
  if (checkpoints_) recordCheckpoint();
}

void Run::recordCheckpoint() {
  if (checkpoints_->lastIteration() < iteration_) checkpoints_->record(checkpoint());
  nextCheckpoint_ = checkpoints_->nextWanted(iteration_);
}

}  // namespace attnmd::core
