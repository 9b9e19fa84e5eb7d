// Internal helpers shared by the SVM solvers (svm_lp.cpp, svm_nuclear.cpp, svm.cpp, tokens.cpp).
// Not part of the core API: include only from core/svm*.cpp, core/tokens.cpp and the SVM tests.
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/svm.h"

namespace attnmd::core::detail {

// SvmOptions::cancel and SvmOptions::progress as every iterative loop of the solvers sees them: each
// iteration starts with `stop()`, which counts it and says whether to give up.
struct SolveControl {
  const std::atomic<bool>* cancel = nullptr;
  SvmProgress* progress = nullptr;

  bool stop() const {
    if (progress) progress->iterations.fetch_add(1, std::memory_order_relaxed);
    return cancel && cancel->load(std::memory_order_relaxed);
  }
  void residual(double r) const {
    if (progress) progress->residual.store(r, std::memory_order_relaxed);
  }
};
inline SolveControl solveControl(const SvmOptions& options) {
  return {options.cancel, options.progress};
}

// ||x||_p computed with the largest entry factored out, so p = 20 neither overflows nor underflows.
inline double stableNorm(const Eigen::Ref<const Eigen::VectorXd>& x, double p) {
  const double big = x.size() ? x.cwiseAbs().maxCoeff() : 0.0;
  if (!(big > 0)) return big;  // 0 (or NaN passes through)
  if (p == 2) return x.norm();
  double sum = 0;
  for (Eigen::Index j = 0; j < x.size(); ++j) sum += std::pow(std::abs(x[j]) / big, p);
  return big * std::pow(sum, 1.0 / p);
}

// Gradient of f(x) = (1/2)||x||_p^2: ||x||_p * sign(u)|u|^{p-1}, u = x/||x||_p. With p -> q this is the
// dual map of docs/theory.md §5: w = grad f*(A^T lambda) is the primal point of the multipliers lambda.
inline Eigen::VectorXd halfSquaredNormGradient(const Eigen::Ref<const Eigen::VectorXd>& x, double p) {
  const double n = stableNorm(x, p);
  Eigen::VectorXd g(x.size());
  if (!(n > 0)) return g.setZero();
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const double u = x[j] / n;
    g[j] = n * std::copysign(std::pow(std::abs(u), p - 1), u);
  }
  return g;
}

inline double conjugateExponent(double p) {
  return p / (p - 1);
}

// Nonnegative least squares min ||C x - d|| s.t. x >= 0 (Lawson-Hanson active set). For the multipliers
// of dependent active rows, where plain least squares may return small negative entries although a
// nonnegative solution exists. Sizes here are tens, so a dense solve per step is fine.
inline Eigen::VectorXd nonnegativeLeastSquares(const Eigen::Ref<const Eigen::MatrixXd>& C,
                                               const Eigen::Ref<const Eigen::VectorXd>& d) {
  const Eigen::Index n = C.cols();
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  std::vector<bool> passive(static_cast<std::size_t>(n), false);
  const double tol = 1e-13 * std::max(1.0, C.cwiseAbs().maxCoeff() * d.cwiseAbs().maxCoeff());
  for (int outer = 0; outer < 3 * static_cast<int>(n) + 10; ++outer) {
    const Eigen::VectorXd grad = C.transpose() * (d - C * x);
    Eigen::Index j = -1;
    for (Eigen::Index i = 0; i < n; ++i)
      if (!passive[static_cast<std::size_t>(i)] && grad[i] > tol && (j < 0 || grad[i] > grad[j])) j = i;
    if (j < 0) break;
    passive[static_cast<std::size_t>(j)] = true;
    for (int inner = 0; inner < 3 * static_cast<int>(n) + 10; ++inner) {
      std::vector<Eigen::Index> P;
      for (Eigen::Index i = 0; i < n; ++i)
        if (passive[static_cast<std::size_t>(i)]) P.push_back(i);
      Eigen::MatrixXd CP(C.rows(), static_cast<Eigen::Index>(P.size()));
      for (std::size_t k = 0; k < P.size(); ++k) CP.col(static_cast<Eigen::Index>(k)) = C.col(P[k]);
      const Eigen::VectorXd zP = Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(CP).solve(d);
      Eigen::VectorXd z = Eigen::VectorXd::Zero(n);
      for (std::size_t k = 0; k < P.size(); ++k) z[P[k]] = zP[static_cast<Eigen::Index>(k)];
      bool allPositive = true;
      double alpha = 1;
      for (Eigen::Index i : P) {
        if (z[i] <= 0) {
          allPositive = false;
          const double denom = x[i] - z[i];
          if (denom > 0) alpha = std::min(alpha, x[i] / denom);
        }
      }
      if (allPositive) {
        x = z;
        break;
      }
      x += alpha * (z - x);
      for (Eigen::Index i : P)
        if (x[i] <= 0) passive[static_cast<std::size_t>(i)] = false, x[i] = 0;
    }
  }
  return x;
}

// A number in messages: three significant digits.
inline std::string shortNumber(double x) {
  std::ostringstream os;
  os.precision(3);
  os << x;
  return os.str();
}

// Certificate, first step (docs/theory.md §5): the factor that makes a primal point exactly feasible, the
// largest b_k / a_k^T w over rows with b_k > 0. Returns 0 when some such row has a_k^T w <= 0: no scaling
// helps then, and the violation reports it.
inline double exactFeasibilityScale(const Eigen::VectorXd& b, const Eigen::VectorXd& aw) {
  double scale = 0;
  for (Eigen::Index k = 0; k < b.size(); ++k) {
    if (!(b[k] > 0)) continue;
    if (!(aw[k] > 0)) return 0;
    scale = std::max(scale, b[k] / aw[k]);
  }
  return scale;
}

// Certificate, the rest (docs/theory.md §5), once sol.w and sol.value are final: violation, the dual point
// lambda = y / dualNorm (y >= 0, dualNorm the dual norm of the combination of rows y weighs, so lambda is
// dual feasible), its value b^T lambda, the relative gap, and the active rows.
inline void fillCertificate(SvmSolution& sol, const Eigen::VectorXd& b, const Eigen::VectorXd& aw,
                            const Eigen::VectorXd& y, double dualNorm) {
  sol.violation = b.size() ? std::max(0.0, (b - aw).maxCoeff()) : 0.0;
  sol.lambda =
      dualNorm > 0 ? Eigen::VectorXd(y / dualNorm) : Eigen::VectorXd(Eigen::VectorXd::Zero(b.size()));
  sol.dualValue = b.dot(sol.lambda);
  sol.gap = sol.value > 0 ? (sol.value - sol.dualValue) / sol.value : 0.0;
  sol.active.clear();
  for (Eigen::Index k = 0; k < b.size(); ++k)
    if (aw[k] - b[k] <= 1e-7 * std::max(1.0, std::abs(b[k]))) sol.active.push_back(static_cast<int>(k));
}

}  // namespace attnmd::core::detail
