// Internal helpers shared by the SVM solvers (svm_lp.cpp, svm_nuclear.cpp, svm.cpp, tokens.cpp).
// Not part of the core API: include only from core/svm*.cpp and core/tokens.cpp.
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace attnmd::core::detail {

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
// dual map of math.md §5: w = grad f*(A^T lambda) is the primal point of the multipliers lambda.
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

}  // namespace attnmd::core::detail
