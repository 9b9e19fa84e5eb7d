// Training the next-token model: SVMs, metrics, the two-stage run (docs/theory.md §10.4-5).
#include "core/ntp_run.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace attnmd::core {

namespace {

constexpr double kNtpRunNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNtpRunInf = std::numeric_limits<double>::infinity();

// The row of vec(W) (column-major) for the constraint u^T W z: kron(z, u).
Eigen::RowVectorXd constraintRow(const Eigen::VectorXd& u, const Eigen::VectorXd& z) {
  Eigen::RowVectorXd row(u.size() * z.size());
  for (Eigen::Index c = 0; c < z.size(); ++c) row.segment(c * u.size(), u.size()) = z(c) * u.transpose();
  return row;
}

SvmSolution notSolved(SvmStatus status, std::string reason) {
  SvmSolution s;
  s.status = status;
  s.reason = std::move(reason);
  return s;
}

double corrOf(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.size() == 0 || a.rows() != b.rows() || a.cols() != b.cols()) return kNtpRunNaN;
  const double na = a.norm(), nb = b.norm();
  if (!(na > 0) || !(nb > 0) || !std::isfinite(na)) return kNtpRunNaN;
  return (a.array() * b.array()).sum() / (na * nb);
}

// min_k (A vec(W))_k / ||W||_p over an SVM's rows.
double normalizedMargin(const Eigen::MatrixXd& A, const Eigen::MatrixXd& W, double p) {
  if (A.rows() == 0 || A.cols() != W.size()) return kNtpRunNaN;
  const double nrm = lpNorm(W, p);
  if (!(nrm > 0) || !std::isfinite(nrm)) return kNtpRunNaN;
  const Eigen::Map<const Eigen::VectorXd> w(W.data(), W.size());
  return (A * w).minCoeff() / nrm;
}

}  // namespace

double ntpSvmP(const NtpScene& scene) {
  const OptimizerKind k = scene.optimizer.name;
  return k == OptimizerKind::MD || k == OptimizerKind::NMD ? scene.optimizer.p : 2.0;
}

namespace {

Eigen::MatrixXd kqRowsMatrix(const NtpScene& scene, const NtpKqSvm& svm) {
  Eigen::MatrixXd A(static_cast<Eigen::Index>(svm.rows.size()), scene.dim * scene.dim);
  for (std::size_t k = 0; k < svm.rows.size(); ++k) {
    const NtpPreference& r = svm.rows[k];
    A.row(static_cast<Eigen::Index>(k)) =
        constraintRow(scene.embedding(r.winner) - scene.embedding(r.loser), scene.embedding(svm.queries[k]));
  }
  return A;
}

Eigen::MatrixXd ovRowsMatrix(const NtpScene& scene, const NtpOvSvm& svm) {
  const int K = scene.vocabularySize();
  Eigen::MatrixXd A(static_cast<Eigen::Index>(svm.rows.size()), K * scene.dim);
  for (std::size_t k = 0; k < svm.rows.size(); ++k) {
    const auto& [pair, c] = svm.rows[k];
    const auto& [a, b] = scene.collocation[static_cast<std::size_t>(pair)];
    Eigen::VectorXd u = Eigen::VectorXd::Zero(K);
    u(b) += 1;
    u(c) -= 1;
    A.row(static_cast<Eigen::Index>(k)) = constraintRow(u, scene.embedding(a));
  }
  return A;
}

void unflatten(const SvmSolution& s, Eigen::Index rows, Eigen::Index cols, Eigen::MatrixXd& W) {
  if (s.status == SvmStatus::Optimal && s.w.size() == rows * cols)
    W = Eigen::Map<const Eigen::MatrixXd>(s.w.data(), rows, cols);
}

}  // namespace

NtpKqSvm solveNtpKqSvm(const NtpScene& scene, const NtpAnalysis& analysis, double p) {
  NtpKqSvm svm;
  svm.p = p;
  for (const NtpQueryOrder& order : analysis.orders)
    for (const NtpPreference& pref : order.preferences) {
      svm.rows.push_back(pref);
      svm.queries.push_back(order.query);
    }
  if (!analysis.realizable) {
    svm.solution = notSolved(SvmStatus::Infeasible, analysis.warnings.front());
    return svm;
  }
  if (svm.rows.empty()) {
    svm.solution = notSolved(SvmStatus::Skipped,
                             "no sentence has two different tokens, so attention has nothing to choose");
    return svm;
  }
  const SvmSize size{static_cast<long long>(scene.dim) * scene.dim, static_cast<long long>(svm.rows.size())};
  if (std::string why = svmSizeProblem(size); !why.empty()) {
    svm.solution = notSolved(SvmStatus::Skipped, "the W_kq SVM: " + why);
    return svm;
  }
  svm.A = kqRowsMatrix(scene, svm);
  svm.solution = solveLpSvm(svm.A, Eigen::VectorXd::Ones(svm.A.rows()), p);
  unflatten(svm.solution, scene.dim, scene.dim, svm.W);
  return svm;
}

NtpOvSvm solveNtpOvSvm(const NtpScene& scene, double p) {
  NtpOvSvm svm;
  svm.p = p;
  const int K = scene.vocabularySize();
  for (std::size_t k = 0; k < scene.collocation.size(); ++k)
    for (int c = 0; c < K; ++c)
      if (c != scene.collocation[k].second) svm.rows.emplace_back(static_cast<int>(k), c);
  if (svm.rows.empty()) {
    svm.solution = notSolved(SvmStatus::Skipped, "the collocation is empty: W_ov has nothing to learn");
    return svm;
  }
  const SvmSize size{static_cast<long long>(K) * scene.dim, static_cast<long long>(svm.rows.size())};
  if (std::string why = svmSizeProblem(size); !why.empty()) {
    svm.solution = notSolved(SvmStatus::Skipped, "the W_ov SVM: " + why);
    return svm;
  }
  svm.A = ovRowsMatrix(scene, svm);
  svm.solution = solveLpSvm(svm.A, Eigen::VectorXd::Ones(svm.A.rows()), p);
  if (svm.solution.status == SvmStatus::Infeasible && svm.solution.reason.empty())
    svm.solution.reason =
        "two collocation tokens with different successors have linearly dependent "
        "embeddings, so no W_ov separates them";
  unflatten(svm.solution, K, scene.dim, svm.W);
  return svm;
}

// =====================================================================================================
// The run
// =====================================================================================================

NtpRun::NtpRun(NtpScene scene, NtpRunOptions options) : scene_(std::move(scene)), options_(options) {
  analysis_ = analyzeNtp(scene_);
  if (options_.solveSvms) {
    const double p = ntpSvmP(scene_);
    kqSvm_ = solveNtpKqSvm(scene_, analysis_, p);
    ovSvm_ = solveNtpOvSvm(scene_, p);
  }
  params_ = ntpInitialParams(scene_);
  // The first log-spaced step after the dense range: round(10^(j / perDecade)) > denseSteps.
  logIndex_ = static_cast<int>(
      std::floor(std::log10(static_cast<double>(std::max<long long>(options_.denseSteps, 1))) *
                 options_.pointsPerDecade));
  nextLog_ = 0;
  while (nextLog_ <= options_.denseSteps)
    nextLog_ = std::llround(std::pow(10.0, static_cast<double>(++logIndex_) / options_.pointsPerDecade));
  if (options_.history) record();
}

int NtpRun::stageOf(long long stepIndex) const {
  if (scene_.schedule == NtpSchedule::Joint) return 0;
  return stepIndex < scene_.stage1Iterations ? 1 : 2;
}

bool NtpRun::wants(long long iter) const {
  if (iter <= options_.denseSteps || iter >= nextLog_) return true;
  if (scene_.schedule == NtpSchedule::TwoStage && iter == scene_.stage1Iterations) return true;
  if (options_.plannedSteps > 0) {
    const long long stride = std::max<long long>(1, options_.plannedSteps / 1000);
    if (iter % stride == 0) return true;
  }
  return false;
}

long long NtpRun::step(long long k, const std::atomic<bool>* cancel) {
  long long done = 0;
  const OptimizerSpec& spec = scene_.optimizer;
  for (; done < k && stopReason_.empty(); ++done) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    const int stage = stageOf(iter_);
    double logLoss = kNtpRunNaN, loss = 0;
    StepResult r;
    if (stage == 1) {
      loss = ntpCollocationGradient(scene_, params_, grad_, &logLoss);
      r = optimizerStepTensors(spec, loss, {{&params_.Wov, &grad_.Wov, grad_.logScaleOv, "W_ov"}}, stateOv_,
                               logLoss);
    } else {
      loss = ntpSentenceGradient(scene_, params_, grad_, &logLoss);
      if (stage == 2)
        r = optimizerStepTensors(spec, loss, {{&params_.Wkq, &grad_.Wkq, grad_.logScaleKq, "W_kq"}}, stateKq_,
                                 logLoss);
      else
        r = optimizerStepTensors(spec, loss,
                                 {{&params_.Wov, &grad_.Wov, grad_.logScaleOv, "W_ov"},
                                  {&params_.Wkq, &grad_.Wkq, grad_.logScaleKq, "W_kq"}},
                                 stateJoint_, logLoss);
    }
    if (!r.ok) {
      stopReason_ = r.reason;
      break;
    }
    lastStepSize_ = r.stepSize;
    ++iter_;
    if (options_.history && wants(iter_)) record();
  }
  return done;
}

void NtpRun::recordNow() {
  if (!options_.history) return;
  if (history_.empty() || history_.back().iter != iter_) history_.push_back(metrics());
}

void NtpRun::record() {
  history_.push_back(metrics());
  while (nextLog_ <= iter_)
    nextLog_ = std::llround(std::pow(10.0, static_cast<double>(++logIndex_) / options_.pointsPerDecade));
}

NtpPoint NtpRun::metrics() const {
  NtpPoint m;
  m.iter = iter_;
  m.stage = iter_ == 0 ? stageOf(0) : stageOf(iter_ - 1);
  m.stepSize = lastStepSize_;
  NtpEvaluation ev;
  evaluateNtp(scene_, params_, ev);
  const NtpCollocationLoss lc = ntpCollocationLoss(scene_, params_.Wov);
  constexpr double kLog10e = 0.43429448190325182765;
  m.sentenceLoss = ev.loss;
  m.log10SentenceLoss = ev.logLoss * kLog10e;
  m.collocationLoss = scene_.collocation.empty() ? kNtpRunNaN : lc.loss;
  m.log10CollocationLoss = scene_.collocation.empty() ? kNtpRunNaN : lc.logLoss * kLog10e;
  const bool trainsCollocation = m.stage == 1;
  m.loss = trainsCollocation ? m.collocationLoss : m.sentenceLoss;
  m.log10Loss = trainsCollocation ? m.log10CollocationLoss : m.log10SentenceLoss;
  m.accuracy = scene_.sentences.empty() ? kNtpRunNaN : ev.accuracy;

  const double p = ntpSvmP(scene_);
  m.normKq = lpNorm(params_.Wkq, p);
  m.normOv = lpNorm(params_.Wov, p);
  if (kqSvm_.W.size() > 0) {
    m.corrKq = corrOf(params_.Wkq, kqSvm_.W);
    m.bregmanKq = directionalBregman(kqSvm_.W, params_.Wkq, p);
    m.marginKq = normalizedMargin(kqSvm_.A, params_.Wkq, p);
  }
  if (ovSvm_.W.size() > 0) {
    m.corrOv = corrOf(params_.Wov, ovSvm_.W);
    m.bregmanOv = directionalBregman(ovSvm_.W, params_.Wov, p);
    m.marginOv = normalizedMargin(ovSvm_.A, params_.Wov, p);
  }

  // Attention on each realizable sentence's optimal token, and 1 minus it in log form:
  // log sum_{t: w_t != o} e^{a_t} - log sum_t e^{a_t}.
  double minAttention = kNtpRunInf, maxLogRest = -kNtpRunInf;
  bool any = false;
  for (int i = 0; i < scene_.sentenceCount(); ++i) {
    const NtpSentenceInfo& info = analysis_.sentences[static_cast<std::size_t>(i)];
    if (!info.realizable) continue;
    const NtpSentence& sen = scene_.sentences[static_cast<std::size_t>(i)];
    const Eigen::VectorXd key = params_.Wkq * scene_.embedding(sen.query());
    const auto T = static_cast<Eigen::Index>(sen.tokens.size());
    Eigen::VectorXd a(T), rest(T);
    Eigen::Index nRest = 0;
    double onOptimal = 0;
    for (Eigen::Index t = 0; t < T; ++t) {
      const int w = sen.tokens[static_cast<std::size_t>(t)];
      a(t) = scene_.embedding(w).dot(key);
      if (w == info.optimalToken)
        onOptimal += ev.seqs[static_cast<std::size_t>(i)].attention(t);
      else
        rest(nRest++) = a(t);
    }
    any = true;
    minAttention = std::min(minAttention, onOptimal);
    const double logRest = nRest > 0 ? logSumExp(rest.head(nRest)) - logSumExp(a) : -kNtpRunInf;
    maxLogRest = std::max(maxLogRest, logRest);
  }
  if (any) {
    m.minOptimalAttention = minAttention;
    m.log10MaxNonOptimal = maxLogRest * kLog10e;
  }
  return m;
}

}  // namespace attnmd::core
