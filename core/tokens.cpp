// Token analysis of docs/theory.md §6.
#include "core/tokens.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace attnmd::core {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

int argmax(const VectorXd& x) {
  if (x.size() == 0 || !x.allFinite()) return -1;
  Eigen::Index best = 0;
  for (Eigen::Index t = 1; t < x.size(); ++t)
    if (x[t] > x[best]) best = t;  // strict: the lowest index wins ties
  return static_cast<int>(best);
}

bool shapeIs(const MatrixXd& M, Eigen::Index r, Eigen::Index c) {
  return M.rows() == r && M.cols() == c;
}

}  // namespace

std::vector<VectorXd> tokenScores(const Scene& scene, const Eigen::Ref<const VectorXd>& v) {
  std::vector<VectorXd> out;
  out.reserve(scene.sequences.size());
  for (const Sequence& s : scene.sequences) {
    if (v.size() != s.tokens.cols()) {
      out.emplace_back();
      continue;
    }
    out.push_back(double(s.y) * (s.tokens * v));  // docs/theory.md §6: gamma_it = Y_i v^T x_it
  }
  return out;
}

std::vector<int> optimalTokens(const Scene& scene, const Eigen::Ref<const VectorXd>& v) {
  std::vector<int> out;
  for (const VectorXd& g : tokenScores(scene, v)) out.push_back(argmax(g));
  return out;
}

std::vector<int> optimalTokens(const Scene& scene) {
  return optimalTokens(scene, scene.model.v);
}

std::vector<VectorXd> attentionLogits(const Scene& scene, const Params& params) {
  const int d = scene.dim;
  std::vector<VectorXd> out(scene.sequences.size());
  MatrixXd W;    // query / kq
  VectorXd key;  // prompt: M^T p, so a_it = x_it^T (M^T p)
  switch (scene.model.kind) {
    case ModelKind::Prompt:
      if (params.p.size() != d) return out;
      key = scene.keyMatrixOrIdentity().transpose() * params.p;
      break;
    case ModelKind::Query:
      if (!shapeIs(params.W, d, d)) return out;
      W = params.W;
      break;
    case ModelKind::KQ:
      if (params.K.rows() != d || params.Q.rows() != d || params.K.cols() != params.Q.cols()) return out;
      W = params.K * params.Q.transpose();
      break;
  }
  for (int i = 0; i < scene.sequenceCount(); ++i) {
    const Sequence& s = scene.sequences[static_cast<std::size_t>(i)];
    if (s.tokens.cols() != d) continue;
    // docs/theory.md §2: prompt a_it = (M x_it)^T p; query/kq a_it = x_it^T W z_i.
    out[static_cast<std::size_t>(i)] = scene.model.kind == ModelKind::Prompt
                                           ? VectorXd(s.tokens * key)
                                           : VectorXd(s.tokens * (W * scene.queryOf(i)));
  }
  return out;
}

std::vector<int> selectedTokens(const Scene& scene, const Params& params) {
  std::vector<int> out;
  for (const VectorXd& a : attentionLogits(scene, params)) out.push_back(argmax(a));
  return out;
}

std::vector<std::vector<int>> supportBySequence(const Scene& scene, const AttentionSvm& svm) {
  std::vector<std::vector<int>> out(scene.sequences.size());
  for (const TokenPair& tp : svm.support)
    if (tp.seq >= 0 && tp.seq < scene.sequenceCount())
      out[static_cast<std::size_t>(tp.seq)].push_back(tp.token);
  return out;
}

SelectionAnalysis analyzeSelection(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                                   const Eigen::Ref<const VectorXd>& v, const AttentionSvm* warm) {
  SelectionAnalysis a;
  a.tokens = alpha;
  a.optimal = optimalTokens(scene, v);
  a.svm = solveAttentionSvm(scene, alpha, norm, p, warm);
  a.support = supportBySequence(scene, a.svm);
  a.feasible = a.svm.solution.status == SvmStatus::Optimal;
  const std::vector<VectorXd> gamma = tokenScores(scene, v);
  const int n = scene.sequenceCount();
  bool sizesOk = static_cast<int>(alpha.size()) == n;
  for (int i = 0; sizesOk && i < n; ++i) {
    const VectorXd& g = gamma[static_cast<std::size_t>(i)];
    sizesOk = g.size() > 0 && alpha[static_cast<std::size_t>(i)] >= 0 &&
              alpha[static_cast<std::size_t>(i)] < g.size();
  }
  if (!sizesOk) {
    a.explanation = "the selection does not fit the scene: " + a.svm.solution.reason;
    return a;
  }
  // Ties in gamma are judged with a tolerance relative to the score scale, so a token dragged onto
  // another's score counts as a tie rather than flickering with rounding.
  a.globallyOptimal = true;
  for (int i = 0; i < n; ++i) {
    const VectorXd& g = gamma[static_cast<std::size_t>(i)];
    const double tol = 1e-12 * std::max(1.0, g.cwiseAbs().maxCoeff());
    const double chosen = g[alpha[static_cast<std::size_t>(i)]];
    if (chosen < g.maxCoeff() - tol) a.globallyOptimal = false;
    if (!a.feasible) continue;
    for (int t : a.support[static_cast<std::size_t>(i)]) {
      if (!(chosen > g[t] + tol)) {  // docs/theory.md §6: gamma_{i alpha_i} > gamma_it for support tokens
        a.blockingSequences.push_back(i);
        break;
      }
    }
  }
  a.locallyOptimal = a.feasible && a.blockingSequences.empty();
  std::ostringstream os;
  if (!a.feasible) {
    os << "no SVM for this selection: " << a.svm.solution.reason;
  } else if (a.globallyOptimal) {
    os << "globally optimal: every sequence selects a highest-scoring token";
  } else if (a.locallyOptimal) {
    os << "locally optimal: each selected token outscores its support tokens, but some sequence has a "
          "higher-scoring token elsewhere";
  } else {
    os << "not locally optimal: in sequence " << a.blockingSequences.front()
       << " a support token scores at least as high as the selected one";
  }
  a.explanation = os.str();
  return a;
}

SelectionAnalysis analyzeSelection(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                                   const AttentionSvm* warm) {
  return analyzeSelection(scene, alpha, norm, p, scene.model.v, warm);
}

}  // namespace attnmd::core
