#include "app/state/theory.h"

#include <chrono>
#include <limits>

#include "core/model.h"
#include "core/run.h"

namespace attnmd::gui {

bool relaxedFor(const core::Scene& scene) {
  return scene.model.kind == core::ModelKind::Prompt && scene.model.trainV;
}

std::vector<int> svmTokenChoice(const Experiment& e, const std::vector<int>& selected,
                                const std::vector<int>& optimal) {
  switch (e.svmTokens) {
    case SvmTokens::Optimal:
      return optimal;
    case SvmTokens::Picked: {
      std::vector<int> a = selected;
      for (std::size_t i = 0; i < a.size() && i < e.pickedTokens.size(); ++i)
        if (e.pickedTokens[i] >= 0) a[i] = e.pickedTokens[i];
      return a;
    }
    case SvmTokens::Selected:
      break;
  }
  return selected;
}

bool attentionTied(const Eigen::VectorXd& probs) {
  // All tokens, not two: two equal tokens always tie with each other, and that is a real infeasibility.
  if (probs.size() < 2 || !probs.allFinite()) return false;
  return probs.maxCoeff() - probs.minCoeff() <= 1e-12 * probs.maxCoeff();
}

LiveTheory::LiveTheory(TrainerMode mode) : mode_(mode) {
  if (mode_ == TrainerMode::Threaded) thread_ = std::thread([this] { work(); });
}

LiveTheory::~LiveTheory() {
  {
    std::lock_guard lk(mutex_);
    quit_ = true;
  }
  cancelSolve_ = true;  // a long solve does not hold up closing the app
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

LiveTheory::Solved LiveTheory::solve(const Request& r, const std::atomic<bool>* cancel,
                                     core::SvmProgress* progress) {
  const core::Scene& scene = *r.scene;
  const int n = scene.sequenceCount();
  Solved out;
  out.sceneRevision = r.sceneRevision;
  out.alpha = r.alpha;
  const auto t0 = std::chrono::steady_clock::now();
  long long rows = 0;
  for (const core::Sequence& q : scene.sequences) rows += q.tokens.rows() - 1;
  auto svm = std::make_shared<core::AttentionSvm>();
  // Too large for the solvers (rows, or d^2 variables of W): said ahead, never attempted (a d = 500
  // query scene once ran the solver out of memory).
  std::string tooLarge = core::attentionSvmSizeProblem(scene, core::svmNormFor(scene));
  if (tooLarge.empty() && rows > kMaxSvmRows)
    tooLarge = std::to_string(rows) + " constraint rows (the limit is " + std::to_string(kMaxSvmRows) + ")";
  if (!tooLarge.empty()) {
    svm->solution.status = core::SvmStatus::Skipped;
    svm->solution.reason = "SVM not solved: " + tooLarge;
  } else {
    // core::solveReferenceSvm picks the SVM the run heads for (docs/theory.md §5: the relaxed prompt SVM
    // for joint (p, v) training); the overlay only needs to know which sequences keep hard rows.
    const core::AttentionSvm* warm = r.warm && r.warm->rows.size() > 0 ? r.warm.get() : nullptr;
    *svm = core::solveReferenceSvm(scene, r.alpha, warm, cancel, progress);
  }
  out.hardRows.assign(static_cast<std::size_t>(n), 1);
  if (relaxedFor(scene) && tooLarge.empty()) {
    const core::SvmSolution vsvm = core::solveVSvm(scene, r.alpha, core::svmPFor(scene));
    out.hardRows.assign(static_cast<std::size_t>(n), 0);
    for (int i : vsvm.active)
      if (i >= 0 && i < n) out.hardRows[static_cast<std::size_t>(i)] = 1;
  }
  out.svm = std::move(svm);
  out.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

void LiveTheory::work() {
  std::unique_lock lk(mutex_);
  for (;;) {
    wake_.wait(lk, [&] { return quit_ || request_.has_value(); });
    if (quit_) return;
    Request r = std::move(*request_);
    request_.reset();
    solving_ = true;
    cancelSolve_ = false;
    progress_.iterations = 0;
    progress_.residual = std::numeric_limits<double>::infinity();
    solveStart_ = std::chrono::steady_clock::now();
    lk.unlock();
    Solved solved = solve(r, &cancelSolve_, &progress_);
    lk.lock();
    solving_ = false;
    // Cancelled for a newer request: this result is of no use. Cancelled by the user: it is shown
    // (failed, "cancelled").
    if (!cancelSolve_ || !request_) result_ = std::move(solved);
    idle_.notify_all();
  }
}

double LiveTheory::solvingSeconds() const {
  std::lock_guard lk(mutex_);
  return solving_ ? std::chrono::duration<double>(std::chrono::steady_clock::now() - solveStart_).count()
                  : 0.0;
}

void LiveTheory::cancel() {
  std::lock_guard lk(mutex_);
  if (solving_) cancelSolve_ = true;
}

bool LiveTheory::poll() {
  std::lock_guard lk(mutex_);
  return result_.has_value();
}

bool LiveTheory::pending() const {
  std::lock_guard lk(mutex_);
  return solving_ || request_.has_value() || result_.has_value();
}

bool LiveTheory::waitIdle(double timeoutSeconds) {
  std::unique_lock lk(mutex_);
  return idle_.wait_for(lk, std::chrono::duration<double>(timeoutSeconds),
                        [&] { return !solving_ && !request_.has_value(); });
}

const CanvasOverlay& LiveTheory::update(const Document& doc, const TrainSnapshot& snap, std::string hint) {
  return update(doc.scene(), doc.sceneRevision(), doc.experiment(), snap, std::move(hint));
}

const CanvasOverlay& LiveTheory::update(const core::Scene& scene, std::uint64_t sceneRevision,
                                        const Experiment& experiment, const TrainSnapshot& snap,
                                        std::string hint) {
  const int n = scene.sequenceCount();
  CanvasOverlay& ov = overlay_;
  ov = CanvasOverlay{};
  ov.hint = std::move(hint);
  ov.model = scene.model.kind;
  ov.iteration = snap.iteration;

  // Per-token values from the run's evaluation, when it has the scene's shape.
  const core::Evaluation& ev = snap.evaluation;
  bool shaped = static_cast<int>(ev.seqs.size()) == n && static_cast<int>(snap.selected.size()) == n;
  for (int i = 0; shaped && i < n; ++i)
    shaped = ev.seqs[static_cast<std::size_t>(i)].probs.size() ==
             scene.sequences[static_cast<std::size_t>(i)].tokens.rows();
  if (!shaped) return ov;

  ov.tokens.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& q = ev.seqs[static_cast<std::size_t>(i)];
    const int y = scene.sequences[static_cast<std::size_t>(i)].y;
    auto& row = ov.tokens[static_cast<std::size_t>(i)];
    row.resize(static_cast<std::size_t>(q.probs.size()));
    for (Eigen::Index t = 0; t < q.probs.size(); ++t)
      row[static_cast<std::size_t>(t)] = {q.probs(t), y * q.values(t),
                                          q.logits(t)};  // gamma = Y h (docs/theory.md §1)
  }
  ov.selected = snap.selected;
  ov.optimal = snap.optimal;
  if (scene.model.trainV) ov.trainedV = snap.params.v;

  // Directions of the trained parameter in token space.
  const Eigen::MatrixXd M = scene.keyMatrixOrIdentity();
  Eigen::MatrixXd W;
  if (scene.model.kind == core::ModelKind::Prompt) {
    if (snap.params.p.size() == scene.dim) ov.paramRay = M.transpose() * snap.params.p;  // a = x^T (M^T p)
  } else {
    W = core::effectiveW(scene, snap.params);
    if (W.rows() == scene.dim && W.cols() == scene.dim)
      for (int i = 0; i < n; ++i) ov.paramQueries.push_back(W * scene.queryOf(i));  // a_it = x_it^T (W z_i)
  }

  // The SVM for the chosen tokens: a finished solve is taken; a new one is asked for when the scene or
  // the selection moved (once per change: not again while it runs).
  std::vector<int> alpha = svmTokenChoice(experiment, snap.selected, snap.optimal);
  // At a tie (zero init ties every token at step 0) the attention has selected nothing yet: the SVM of
  // the optimal token stands in for that sequence until the attention picks one.
  // Such a sequence shows no selected token (-1: no ring, no "selected" cell).
  for (int i = 0; i < n; ++i)
    if (attentionTied(ev.seqs[static_cast<std::size_t>(i)].probs)) {
      ov.selected[static_cast<std::size_t>(i)] = -1;
      ++ov.tiedSequences;
      if (experiment.svmTokens == SvmTokens::Selected && static_cast<int>(snap.optimal.size()) == n)
        alpha[static_cast<std::size_t>(i)] = snap.optimal[static_cast<std::size_t>(i)];
    }
  {
    std::unique_lock lk(mutex_);
    if (result_) {
      shown_ = std::move(*result_);
      result_.reset();
      lastSolveMs_ = shown_.milliseconds;
      ++solves_;
    }
    const bool current = shown_.svm && shown_.sceneRevision == sceneRevision && shown_.alpha == alpha;
    const bool asked = requested_ && requestedRevision_ == sceneRevision && requestedAlpha_ == alpha;
    if (!current && !asked) {
      Request r{std::make_shared<const core::Scene>(scene), sceneRevision, alpha, shown_.svm};
      requested_ = true;
      requestedRevision_ = sceneRevision;
      requestedAlpha_ = alpha;
      if (mode_ == TrainerMode::Synchronous) {
        lk.unlock();
        shown_ = solve(r);
        lk.lock();
        lastSolveMs_ = shown_.milliseconds;
        ++solves_;
      } else {
        request_ = std::move(r);
        if (solving_) cancelSolve_ = true;  // the running solve is for data that is gone
        wake_.notify_all();
      }
    }
  }
  if (!shown_.svm) return ov;
  // An SVM of other data or tokens (the new one is being solved) is still drawn, for a frame or two,
  // when it fits the scene's shape.
  std::vector<double> hardRows = shown_.hardRows;
  if (static_cast<int>(shown_.alpha.size()) != n || static_cast<int>(hardRows.size()) != n) return ov;
  alpha = shown_.alpha;
  for (int i = 0; i < n; ++i)
    if (alpha[static_cast<std::size_t>(i)] >= scene.sequences[static_cast<std::size_t>(i)].tokens.rows())
      return ov;
  const core::AttentionSvm& svm = *shown_.svm;
  ov.svmTokens = alpha;
  ov.relaxedSvm = relaxedFor(scene);
  ov.svmOk = svm.solution.status == core::SvmStatus::Optimal;
  // Tied and the optimal tokens have no SVM either: nothing is wrong yet, the attention has not picked.
  if (!ov.svmOk && ov.tiedSequences > 0) return ov;
  if (!ov.svmOk)
    ov.svmMessage =
        svm.solution.reason.empty() ? core::svmStatusName(svm.solution.status) : svm.solution.reason;
  if (!ov.svmOk) return ov;

  ov.support.assign(static_cast<std::size_t>(n), {});
  for (int i = 0; i < n; ++i)
    ov.support[static_cast<std::size_t>(i)].assign(
        static_cast<std::size_t>(scene.sequences[static_cast<std::size_t>(i)].tokens.rows()), 0);
  for (const core::TokenPair& sp : svm.support)
    if (sp.seq >= 0 && sp.seq < n && sp.token >= 0 &&
        sp.token < static_cast<int>(ov.support[static_cast<std::size_t>(sp.seq)].size()))
      ov.support[static_cast<std::size_t>(sp.seq)][static_cast<std::size_t>(sp.token)] = 1;

  // q_i: the SVM's query per sequence; the margin line is {x : x^T q_i = x_{i alpha_i}^T q_i - 1}
  // (docs/theory.md §5).
  std::vector<Eigen::VectorXd> q(static_cast<std::size_t>(n));
  if (scene.model.kind == core::ModelKind::Prompt) {
    if (svm.direction.p.size() == scene.dim) {
      ov.svmRay = M.transpose() * svm.direction.p;
      for (auto& qi : q) qi = ov.svmRay;
    }
  } else if (svm.direction.W.rows() == scene.dim && svm.direction.W.cols() == scene.dim) {
    for (int i = 0; i < n; ++i) q[static_cast<std::size_t>(i)] = svm.direction.W * scene.queryOf(i);
    ov.svmQueries = q;
  }
  for (int i = 0; i < n; ++i) {
    const auto& qi = q[static_cast<std::size_t>(i)];
    const int a = alpha[static_cast<std::size_t>(i)];
    const auto& X = scene.sequences[static_cast<std::size_t>(i)].tokens;
    if (qi.size() != scene.dim || a < 0 || a >= X.rows()) {
      ov.marginNormal.emplace_back();
      ov.marginOffset.push_back(0);
      continue;
    }
    // The constraint's right-hand side: 1, or 0 for a relaxed row (the line then passes through x_alpha).
    const double b =
        static_cast<std::size_t>(i) < hardRows.size() ? hardRows[static_cast<std::size_t>(i)] : 1.0;
    ov.marginNormal.push_back(qi);
    ov.marginOffset.push_back(X.row(a).dot(qi) - b);
  }
  return ov;
}

}  // namespace attnmd::gui
