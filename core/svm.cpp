// Attention-level SVM problems (docs/theory.md §5): constraint rows from a scene and a token selection, the
// l_p / nuclear AttSVM, the v-SVM and the relaxed prompt SVM. The generic solvers live in svm_lp.cpp and
// svm_nuclear.cpp.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "core/svm.h"

namespace attnmd::core {

using Eigen::MatrixXd;
using Eigen::VectorXd;

const char* svmStatusName(SvmStatus s) {
  switch (s) {
    case SvmStatus::Optimal:
      return "optimal";
    case SvmStatus::Infeasible:
      return "infeasible";
    case SvmStatus::Failed:
      return "failed";
    case SvmStatus::Skipped:
      return "skipped";
  }
  return "failed";
}

namespace {

// The size-limit message. `what` names the problem ("the W-SVM"); dim > 0 adds what N is in terms of d
// (`matrix`: N = d^2) so the message says which d would be solved.
std::string sizeProblemText(SvmSize size, const std::string& what, long long dim, bool matrix) {
  auto variables = [&] {
    std::string t = std::to_string(size.variables) + " variables";
    if (dim > 0) t += " (d = " + std::to_string(dim) + (matrix ? ", W is d x d)" : ")");
    return t;
  };
  if (size.rows > kSvmMaxRows)
    return what + " has " + std::to_string(size.rows) +
           " constraint rows (one per token that is not selected); attnmd solves up to " +
           std::to_string(kSvmMaxRows);
  if (size.variables > kSvmMaxVariables) {
    std::string t =
        what + " has " + variables() + "; attnmd solves up to " + std::to_string(kSvmMaxVariables);
    if (dim > 0) {
      const auto maxD =
          matrix ? static_cast<long long>(std::sqrt(double(kSvmMaxVariables))) : kSvmMaxVariables;
      t += " (d <= " + std::to_string(maxD) + ")";
    }
    return t;
  }
  if (size.variables * size.rows > kSvmMaxVariablesTimesRows)
    return what + " has " + variables() + " and " + std::to_string(size.rows) + " constraint rows, " +
           std::to_string(size.variables * size.rows) + " variables x rows; attnmd solves up to " +
           std::to_string(kSvmMaxVariablesTimesRows) + (dim > 0 ? " (use fewer tokens or a smaller d)" : "");
  return {};
}

}  // namespace

std::string svmSizeProblem(SvmSize size) {
  return sizeProblemText(size, "the SVM", 0, false);
}

SvmSize attentionSvmSize(const Scene& scene) {
  SvmSize size;
  const long long d = scene.dim;
  size.variables = scene.model.kind == ModelKind::Prompt ? d : d * d;
  for (const Sequence& q : scene.sequences) size.rows += q.tokens.rows() - 1;
  return size;
}

std::string attentionSvmSizeProblem(const Scene& scene, SvmNorm norm) {
  const bool matrix = scene.model.kind != ModelKind::Prompt;
  const std::string what = norm == SvmNorm::Nuclear ? "the nuclear-norm W-SVM"
                           : matrix                 ? "the W-SVM"
                                                    : "the p-SVM";
  return sizeProblemText(attentionSvmSize(scene), what, scene.dim, matrix);
}

AttentionRows attentionRows(const Scene& scene, const std::vector<int>& alpha) {
  const int n = scene.sequenceCount();
  const int d = scene.dim;
  if (static_cast<int>(alpha.size()) != n)
    throw std::invalid_argument("the selection has " + std::to_string(alpha.size()) + " entries for " +
                                std::to_string(n) + " sequences");
  int m = 0;
  for (int i = 0; i < n; ++i) {
    const auto T = scene.sequences[static_cast<std::size_t>(i)].tokens.rows();
    const int a = alpha[static_cast<std::size_t>(i)];
    if (a < 0 || a >= T)
      throw std::invalid_argument("sequence " + std::to_string(i) + ": selected token " + std::to_string(a) +
                                  " is out of range (it has " + std::to_string(T) + " tokens)");
    m += static_cast<int>(T) - 1;
  }
  AttentionRows out;
  const bool prompt = scene.model.kind == ModelKind::Prompt;
  out.A.resize(m, prompt ? d : d * d);
  out.U.resize(m, d);
  if (!prompt) out.Z.resize(m, d);
  out.rows.reserve(static_cast<std::size_t>(m));
  const MatrixXd M = prompt ? scene.keyMatrixOrIdentity() : MatrixXd();
  int k = 0;
  for (int i = 0; i < n; ++i) {
    const MatrixXd& X = scene.sequences[static_cast<std::size_t>(i)].tokens;
    const int a = alpha[static_cast<std::size_t>(i)];
    const VectorXd z = prompt ? VectorXd() : scene.queryOf(i);
    for (int t = 0; t < X.rows(); ++t) {
      if (t == a) continue;
      const VectorXd diff = (X.row(a) - X.row(t)).transpose();
      if (prompt) {
        out.U.row(k) = (M * diff).transpose();  // docs/theory.md §5: (M(x_alpha - x_t))^T p >= 1
        out.A.row(k) = out.U.row(k);
      } else {
        out.U.row(k) = diff.transpose();  // docs/theory.md §5: (x_alpha - x_t)^T W z_i >= 1
        out.Z.row(k) = z.transpose();
        const MatrixXd outer = diff * z.transpose();
        out.A.row(k) = Eigen::Map<const VectorXd>(outer.data(), d * d).transpose();  // column-major vec
      }
      out.rows.push_back({i, t});
      ++k;
    }
  }
  return out;
}

namespace {

std::string pairList(const std::vector<int>& rowIdx, const std::vector<TokenPair>& rows) {
  std::ostringstream os;
  const std::size_t shown = std::min<std::size_t>(rowIdx.size(), 6);
  for (std::size_t j = 0; j < shown; ++j) {
    const TokenPair& tp = rows[static_cast<std::size_t>(rowIdx[j])];
    os << (j ? ", " : "") << "(sequence " << tp.seq << ", token " << tp.token << ")";
  }
  if (rowIdx.size() > shown) os << ", ...";
  return os.str();
}

// The reason a user can act on for an infeasible attention SVM (docs/theory.md §5 "infeasible").
std::string attentionInfeasibleReason(const Scene& scene, const std::vector<int>& alpha,
                                      const AttentionRows& ar, const SvmSolution& sol) {
  if (sol.certificateRows.size() == 1) {
    const TokenPair tp = ar.rows[static_cast<std::size_t>(sol.certificateRows[0])];
    const Sequence& s = scene.sequences[static_cast<std::size_t>(tp.seq)];
    const int a = alpha[static_cast<std::size_t>(tp.seq)];
    const std::string seq = "sequence " + std::to_string(tp.seq) + ": ";
    if (scene.model.kind != ModelKind::Prompt && scene.queryOf(tp.seq).isZero(0))
      return seq + "its query z is zero, so no W can prefer one token over another";
    if ((s.tokens.row(a) - s.tokens.row(tp.token)).isZero(0))
      return seq + "token " + std::to_string(tp.token) + " equals the selected token " + std::to_string(a) +
             ", so no parameter can separate them";
    if (scene.model.kind == ModelKind::Prompt)
      return seq + "token " + std::to_string(tp.token) + " differs from the selected token " +
             std::to_string(a) + " only in directions the key matrix M removes";
    return seq + "token " + std::to_string(tp.token) + " is numerically equal to the selected token " +
           std::to_string(a);
  }
  return "no parameter meets all margins at once: the constraints of " +
         pairList(sol.certificateRows, ar.rows) + " cancel out (too few dimensions for this selection)";
}

AttentionSvm finishAttention(const Scene& scene, const std::vector<int>& alpha, const AttentionRows& ar,
                             SvmSolution sol, SvmNorm norm, double p) {
  AttentionSvm out;
  out.norm = norm;
  out.p = p;
  out.tokens = alpha;
  out.rows = ar.rows;
  if (sol.status == SvmStatus::Infeasible) sol.reason = attentionInfeasibleReason(scene, alpha, ar, sol);
  const int d = scene.dim;
  if (sol.status != SvmStatus::Infeasible && sol.w.size() > 0) {
    if (scene.model.kind == ModelKind::Prompt)
      out.direction.p = sol.w;
    else
      out.direction.W = Eigen::Map<const MatrixXd>(sol.w.data(), d, d);
  }
  for (int k : sol.active) out.support.push_back(ar.rows[static_cast<std::size_t>(k)]);
  out.solution = std::move(sol);
  return out;
}

AttentionSvm failedAttention(const std::vector<int>& alpha, SvmNorm norm, double p, std::string reason,
                             SvmStatus status = SvmStatus::Failed) {
  AttentionSvm out;
  out.norm = norm;
  out.p = p;
  out.tokens = alpha;
  out.solution.status = status;
  out.solution.reason = std::move(reason);
  return out;
}

}  // namespace

std::string svmProgressText(double seconds, long long iterations, double residual) {
  char text[128];
  if (std::isfinite(residual))
    std::snprintf(text, sizeof text, "solving for %.0f s: %lld iterations, residual %.1e", seconds,
                  iterations, residual);
  else
    std::snprintf(text, sizeof text, "solving for %.0f s: %lld iterations", seconds, iterations);
  return text;
}

AttentionSvm solveAttentionSvm(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                               const AttentionSvm* warm, const std::atomic<bool>* cancel,
                               SvmProgress* progress) {
  // Before attentionRows: its matrix alone has rows x d^2 entries.
  if (std::string tooLarge = attentionSvmSizeProblem(scene, norm); !tooLarge.empty())
    return failedAttention(alpha, norm, p, std::move(tooLarge), SvmStatus::Skipped);
  AttentionRows ar;
  try {
    ar = attentionRows(scene, alpha);
  } catch (const std::invalid_argument& e) {
    return failedAttention(alpha, norm, p, e.what());
  }
  SvmOptions options;
  options.cancel = cancel;
  options.progress = progress;
  if (warm && warm->rows == ar.rows && warm->norm == norm && warm->solution.lambda.size() == ar.A.rows() &&
      (norm == SvmNorm::Nuclear || warm->p == p) && warm->solution.status == SvmStatus::Optimal)
    options.warmStartLambda = &warm->solution.lambda;
  const VectorXd b = VectorXd::Ones(ar.A.rows());
  if (norm == SvmNorm::Nuclear) {
    if (scene.model.kind == ModelKind::Prompt)
      return failedAttention(alpha, norm, p, "the nuclear-norm SVM is defined for W (query and kq models)");
    return finishAttention(scene, alpha, ar, solveNuclearSvm(ar.U, ar.Z, b, options), norm, p);
  }
  return finishAttention(scene, alpha, ar, solveLpSvm(ar.A, b, p, options), norm, p);
}

SvmSolution solveVSvm(const Scene& scene, const std::vector<int>& alpha, double p) {
  const int n = scene.sequenceCount();
  SvmSolution bad;
  if (std::string tooLarge = sizeProblemText({scene.dim, n}, "the v-SVM", scene.dim, false);
      !tooLarge.empty()) {
    bad.status = SvmStatus::Skipped;
    bad.reason = std::move(tooLarge);
    return bad;
  }
  if (static_cast<int>(alpha.size()) != n) {
    bad.reason = "the selection has " + std::to_string(alpha.size()) + " entries for " + std::to_string(n) +
                 " sequences";
    return bad;
  }
  MatrixXd A(n, scene.dim);
  for (int i = 0; i < n; ++i) {
    const Sequence& s = scene.sequences[static_cast<std::size_t>(i)];
    const int a = alpha[static_cast<std::size_t>(i)];
    if (a < 0 || a >= s.tokens.rows()) {
      bad.reason =
          "sequence " + std::to_string(i) + ": selected token " + std::to_string(a) + " is out of range";
      return bad;
    }
    A.row(i) = s.y * s.tokens.row(a);  // docs/theory.md §5 v-SVM: Y_i v^T x_{i alpha_i} >= 1
  }
  SvmSolution sol = solveLpSvm(A, VectorXd::Ones(n), p);
  if (sol.status == SvmStatus::Infeasible) {
    if (sol.certificateRows.size() == 1)
      sol.reason = "sequence " + std::to_string(sol.certificateRows[0]) +
                   ": its selected token is zero, so no v gives it a positive output";
    else
      sol.reason = "no v classifies all selected tokens with a margin (their labelled tokens cancel out)";
  }
  return sol;
}

AttentionSvm solveRelaxedPromptSvm(const Scene& scene, const std::vector<int>& alpha, double p) {
  if (scene.model.kind != ModelKind::Prompt)
    return failedAttention(alpha, SvmNorm::Lp, p, "the relaxed prompt SVM is defined for the prompt model");
  if (std::string tooLarge = attentionSvmSizeProblem(scene, SvmNorm::Lp); !tooLarge.empty())
    return failedAttention(alpha, SvmNorm::Lp, p, std::move(tooLarge), SvmStatus::Skipped);
  AttentionRows ar;
  try {
    ar = attentionRows(scene, alpha);
  } catch (const std::invalid_argument& e) {
    return failedAttention(alpha, SvmNorm::Lp, p, e.what());
  }
  const SvmSolution vsvm = solveVSvm(scene, alpha, p);
  if (vsvm.status == SvmStatus::Skipped)
    return failedAttention(alpha, SvmNorm::Lp, p, "the v-SVM is not solved: " + vsvm.reason,
                           SvmStatus::Skipped);
  if (vsvm.status != SvmStatus::Optimal)
    return failedAttention(alpha, SvmNorm::Lp, p, "the v-SVM has no solution: " + vsvm.reason);
  std::vector<bool> supportSeq(static_cast<std::size_t>(scene.sequenceCount()), false);
  for (int i : vsvm.active) supportSeq[static_cast<std::size_t>(i)] = true;
  // docs/theory.md §5: >= 1 for support vectors of the v-SVM, >= 0 for the others.
  VectorXd b(ar.A.rows());
  for (Eigen::Index k = 0; k < b.size(); ++k)
    b[k] = supportSeq[static_cast<std::size_t>(ar.rows[static_cast<std::size_t>(k)].seq)] ? 1.0 : 0.0;
  return finishAttention(scene, alpha, ar, solveLpSvm(ar.A, b, p), SvmNorm::Lp, p);
}

}  // namespace attnmd::core
