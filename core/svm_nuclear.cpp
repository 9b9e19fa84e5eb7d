// The nuclear-norm max-margin problem  min ||W||_*  s.t.  <G_k, W> = u_k^T W z_k >= b_k  (docs/theory.md §5,
// the limit direction of kq training).
//
// [SECTION] Operator B(y) = sum_k y_k u_k z_k^T
// [SECTION] Primal-dual interior point on the SDP
// [SECTION] Polish: Newton on the Burer-Monteiro KKT system W = K Q^T
// [SECTION] Certificate
// [SECTION] solveNuclearSvm (with constraint generation for many rows)
//
// Dual: max b^T y s.t. y >= 0, ||B(y)||_op <= 1, i.e. the LMI [[I, B], [B^T, I]] >= 0. A primal-dual
// interior-point method on the SDP pair (HKM direction) gives W and y to a relative gap of ~1e-10; when
// that is not already at rounding level, the rank r and the active rows it reveals seed a Newton polish
// of  min (||K||^2 + ||Q||^2)/2 s.t. <G_k, K Q^T> = b_k (k active), K, Q in R^{d x r}, whose optimum is
// ||W||_* (Burer-Monteiro), with active-set repair. The certificate is computed from scratch: W scaled
// to be exactly feasible, ||W||_* from an SVD, y / ||B(y)||_op for the dual; the better pair wins.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/svm.h"
#include "core/svm_detail.h"

namespace attnmd::core {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// The active-set repair may swap rows one at a time for up to 3m + 16 rounds, each a Newton solve of
// (2 d r + |S|)^3: with a few hundred rows that ran for minutes. Past this many multiply-adds (about
// 5 s on one core) it stops, and the best certified pair so far (the interior point's, gap ~1e-10)
// stands.
constexpr double kNuclearPolishWorkBudget = 1e10;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Operator B(y)
// ---------------------------------------------------------------------------------------------------
MatrixXd operatorB(const MatrixXd& U, const MatrixXd& Z, const VectorXd& y) {
  return U.transpose() * y.asDiagonal() * Z;  // sum_k y_k u_k z_k^T
}

VectorXd applyConstraints(const MatrixXd& U, const MatrixXd& Z, const MatrixXd& W) {
  return (U * W).cwiseProduct(Z).rowwise().sum();  // <G_k, W> = u_k^T W z_k
}

double opNorm(const MatrixXd& M) {
  if (M.size() == 0) return 0;
  Eigen::JacobiSVD<MatrixXd> svd(M);
  return svd.singularValues()(0);
}

double nuclearNorm(const MatrixXd& M) {
  if (M.size() == 0) return 0;
  Eigen::JacobiSVD<MatrixXd> svd(M);
  return svd.singularValues().sum();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Primal-dual interior point on the SDP (HKM direction, Mehrotra predictor-corrector)
//   primal: min <C, X>  s.t.  <A_k, X> - s_k = b_k,  X >= 0 (PSD, n = d1 + d2),  s >= 0
//   dual:   max b^T y   s.t.  S = C - sum_k y_k A_k >= 0,  y >= 0
// with C = I/2 and A_k = (u~_k z~_k^T + z~_k u~_k^T)/2, u~ = (u, 0), z~ = (0, z), so <A_k, X> = u_k^T W z_k
// for X = [[P, W], [W^T, Q]] and S >= 0 <=> ||B(y)||_op <= 1. ||W||_* <= <C, X> for every feasible X, with
// equality at the optimum, and <C, X> - b^T y = <X, S> + s^T y: the primal matrix is carried as its own
// variable, so W stays accurate when S becomes singular (a dual-only method loses it there).
// ---------------------------------------------------------------------------------------------------
struct PdResult {
  bool converged = false;
  MatrixXd W;
  VectorXd y;
  int iterations = 0;
};

// Largest alpha in (0, 1] with M + alpha dM >= 0 (M > 0), via the eigenvalues of L^{-1} dM L^{-T}.
double psdStep(const MatrixXd& M, const MatrixXd& dM) {
  Eigen::LLT<MatrixXd> llt(M);
  if (llt.info() != Eigen::Success) return 0;
  const MatrixXd Li = llt.matrixL().solve(MatrixXd::Identity(M.rows(), M.cols()));
  const MatrixXd T = Li * dM * Li.transpose();
  const double lmin =
      Eigen::SelfAdjointEigenSolver<MatrixXd>(0.5 * (T + T.transpose()), Eigen::EigenvaluesOnly)
          .eigenvalues()
          .minCoeff();
  return lmin >= 0 ? 1.0 : std::min(1.0, -1.0 / lmin);
}

double vecStep(const VectorXd& x, const VectorXd& dx) {
  double a = 1.0;
  for (Eigen::Index k = 0; k < x.size(); ++k)
    if (dx[k] < 0) a = std::min(a, -x[k] / dx[k]);
  return a;
}

PdResult primalDual(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, const MatrixXd& W0,
                    const VectorXd& y0, int maxIterations, double tol, const detail::SolveControl& control) {
  const Eigen::Index m = U.rows(), d1 = U.cols(), d2 = Z.cols(), n = d1 + d2;
  PdResult out;
  auto Aop = [&](const MatrixXd& X) {  // <A_k, X> = u_k^T X12 z_k (X symmetric)
    return applyConstraints(U, Z, X.topRightCorner(d1, d2));
  };
  auto AadjOp = [&](const VectorXd& v) {  // sum_k v_k A_k
    MatrixXd M = MatrixXd::Zero(n, n);
    const MatrixXd Bv = operatorB(U, Z, v);
    M.topRightCorner(d1, d2) = 0.5 * Bv;
    M.bottomLeftCorner(d2, d1) = 0.5 * Bv.transpose();
    return M;
  };
  const MatrixXd C = 0.5 * MatrixXd::Identity(n, n);

  // Start from the given W (the Frobenius solution): X = [[|W^T| + delta, W], [W^T, |W| + delta]] is
  // positive definite; y from the given multipliers, shrunk inside the LMI; slacks positive.
  const double wop = std::max(opNorm(W0), 1e-12);
  Eigen::JacobiSVD<MatrixXd> svd(W0, Eigen::ComputeThinU | Eigen::ComputeThinV);
  MatrixXd X = MatrixXd::Zero(n, n);
  X.topLeftCorner(d1, d1) = svd.matrixU() * svd.singularValues().asDiagonal() * svd.matrixU().transpose();
  X.bottomRightCorner(d2, d2) = svd.matrixV() * svd.singularValues().asDiagonal() * svd.matrixV().transpose();
  X.topRightCorner(d1, d2) = W0;
  X.bottomLeftCorner(d2, d1) = W0.transpose();
  X.diagonal().array() += 0.5 * wop;
  VectorXd y = y0.cwiseMax(0.0) + VectorXd::Constant(m, 1e-2 * std::max(y0.maxCoeff(), 1e-3));
  const double opB = opNorm(operatorB(U, Z, y));
  if (opB > 0) y *= 0.5 / opB;
  MatrixXd S = C - AadjOp(y);
  VectorXd s = (Aop(X) - b).cwiseMax(0.0) + VectorXd::Constant(m, 0.1);

  const double bnorm = 1 + b.cwiseAbs().maxCoeff();
  MatrixXd dX, dS, dXc, dSc;
  VectorXd dy, ds, dyc, dsc;
  for (int it = 0; it < maxIterations; ++it) {
    out.iterations = it + 1;
    if (control.stop()) return out;  // not converged (SvmOptions::cancel)
    const VectorXd rp = b + s - Aop(X);
    const MatrixXd Rd = C - S - AadjOp(y);
    const double pobj = 0.5 * X.trace(), dobj = b.dot(y);
    const double comp = (X.cwiseProduct(S)).sum() + s.dot(y);
    const double mu = comp / double(n + m);
    const double scale = 1 + std::abs(pobj) + std::abs(dobj);
    control.residual(std::max({rp.cwiseAbs().maxCoeff() / bnorm, Rd.cwiseAbs().maxCoeff(),
                               std::abs(pobj - dobj) / scale, comp / scale}));
    if (rp.cwiseAbs().maxCoeff() <= tol * bnorm && Rd.cwiseAbs().maxCoeff() <= tol &&
        std::abs(pobj - dobj) <= tol * scale && comp <= tol * scale) {
      out.converged = true;
      break;
    }
    Eigen::LLT<MatrixXd> sllt(S);
    if (sllt.info() != Eigen::Success) break;
    const MatrixXd Si = sllt.solve(MatrixXd::Identity(n, n));
    // Schur complement M_kl = <A_k, X A_l S^{-1}> (rank-2 A_k: four products of bilinear forms).
    const MatrixXd Xuu = U * X.topLeftCorner(d1, d1) * U.transpose();
    const MatrixXd Xzz = Z * X.bottomRightCorner(d2, d2) * Z.transpose();
    const MatrixXd Xuz = U * X.topRightCorner(d1, d2) * Z.transpose();
    const MatrixXd Suu = U * Si.topLeftCorner(d1, d1) * U.transpose();
    const MatrixXd Szz = Z * Si.bottomRightCorner(d2, d2) * Z.transpose();
    const MatrixXd Suz = U * Si.topRightCorner(d1, d2) * Z.transpose();
    MatrixXd M = 0.25 * (Xuz.transpose().cwiseProduct(Suz) + Xzz.cwiseProduct(Suu) + Xuu.cwiseProduct(Szz) +
                         Xuz.cwiseProduct(Suz.transpose()));
    M.diagonal() += (s.array() / y.array()).matrix();
    Eigen::LLT<MatrixXd> mllt(M);
    if (mllt.info() != Eigen::Success) {
      M.diagonal().array() += 1e-14 * M.diagonal().cwiseAbs().maxCoeff();
      mllt.compute(M);
      if (mllt.info() != Eigen::Success) break;
    }
    // One Newton solve for a given right-hand side (R = target for X S, h = target for s o y).
    auto solve = [&](const MatrixXd& Rx, const VectorXd& rc, MatrixXd& DX, MatrixXd& DS, VectorXd& Dy,
                     VectorXd& Ds) {
      // DX = G + sym(X A*(Dy) S^{-1}),  G = (Rx - X Rd) S^{-1} symmetrized;  Ds = h - (s/y) o Dy.
      MatrixXd G = (Rx - X * Rd) * Si;
      G = (0.5 * (G + G.transpose())).eval();  // eval: X = f(X^T) aliases in Eigen
      const VectorXd h = (rc.array() / y.array()).matrix();
      Dy = mllt.solve(VectorXd(rp - Aop(G) + h));
      DS = Rd - AadjOp(Dy);
      MatrixXd T = X * AadjOp(Dy) * Si;
      DX = G + 0.5 * (T + T.transpose());
      Ds = h - (s.array() / y.array() * Dy.array()).matrix();
    };
    // Predictor (affine scaling), then the corrector with centering sigma = (mu_aff / mu)^3.
    const MatrixXd XS = X * S;
    solve(-XS, -s.cwiseProduct(y), dX, dS, dy, ds);
    const double aP = std::min(psdStep(X, dX), vecStep(s, ds));
    const double aD = std::min(psdStep(S, dS), vecStep(y, dy));
    const double muAff =
        ((X + aP * dX).cwiseProduct(S + aD * dS).sum() + (s + aP * ds).dot(y + aD * dy)) / double(n + m);
    const double sigma = std::clamp(std::pow(muAff / mu, 3), 0.0, 1.0);
    const MatrixXd Rx = sigma * mu * MatrixXd::Identity(n, n) - XS - dX * dS;
    const VectorXd rc = VectorXd::Constant(m, sigma * mu) - s.cwiseProduct(y) - ds.cwiseProduct(dy);
    solve(Rx, rc, dXc, dSc, dyc, dsc);
    const double gamma = 0.98;
    const double sP = std::min(1.0, gamma * std::min(psdStep(X, dXc), vecStep(s, dsc)));
    const double sD = std::min(1.0, gamma * std::min(psdStep(S, dSc), vecStep(y, dyc)));
    if (!(sP > 0) || !(sD > 0) || !dXc.allFinite() || !dyc.allFinite()) break;
    X += sP * dXc;
    X = (0.5 * (X + X.transpose())).eval();
    s += sP * dsc;
    S += sD * dSc;
    S = (0.5 * (S + S.transpose())).eval();
    y += sD * dyc;
  }
  out.W = X.topRightCorner(d1, d2);
  out.y = y;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Polish: F(K, Q, lambda) = 0 with
//   K - B(lambda) Q = 0,  Q - B(lambda)^T K = 0,  u_k^T K Q^T z_k = b_k  (k in S),
// the KKT system of min (||K||^2 + ||Q||^2)/2 s.t. the active rows. Solutions come in orbits K R, Q R
// (R orthogonal), so the Jacobian is singular along the orbit; minimum-norm Gauss-Newton steps
// (complete orthogonal decomposition) still converge quadratically.
// ---------------------------------------------------------------------------------------------------
struct FactorPolish {
  bool converged = false;
  MatrixXd W;
  VectorXd lambdaS;
  double work = 0;  // multiply-adds spent, roughly (kNuclearPolishWorkBudget)
};

FactorPolish polishBurerMonteiro(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b,
                                 const std::vector<int>& S, const MatrixXd& W0, const VectorXd& y0, int r) {
  FactorPolish out;
  const Eigen::Index d1 = U.cols(), d2 = Z.cols();
  const Eigen::Index k = static_cast<Eigen::Index>(S.size());
  MatrixXd US(k, d1), ZS(k, d2);
  VectorXd bS(k), lam(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const int row = S[static_cast<std::size_t>(i)];
    US.row(i) = U.row(row);
    ZS.row(i) = Z.row(row);
    bS[i] = b[row];
    lam[i] = y0[row];
  }
  Eigen::JacobiSVD<MatrixXd> svd(W0, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const VectorXd sq = svd.singularValues().head(r).cwiseSqrt();
  MatrixXd K = svd.matrixU().leftCols(r) * sq.asDiagonal();
  MatrixXd Q = svd.matrixV().leftCols(r) * sq.asDiagonal();
  const Eigen::Index nK = d1 * r, nQ = d2 * r, n = nK + nQ + k;

  auto residual = [&](const MatrixXd& Kv, const MatrixXd& Qv, const VectorXd& lv) {
    VectorXd F(n);
    const MatrixXd B = US.transpose() * lv.asDiagonal() * ZS;
    const MatrixXd F1 = Kv - B * Qv;
    const MatrixXd F2 = Qv - B.transpose() * Kv;
    F.head(nK) = Eigen::Map<const VectorXd>(F1.data(), nK);
    F.segment(nK, nQ) = Eigen::Map<const VectorXd>(F2.data(), nQ);
    F.tail(k) = applyConstraints(US, ZS, Kv * Qv.transpose()) - bS;
    return F;
  };
  const double scale = std::max(1.0, bS.cwiseAbs().maxCoeff());
  VectorXd F = residual(K, Q, lam);
  for (int it = 0; it < 30; ++it) {
    if (F.cwiseAbs().maxCoeff() <= 1e-14 * scale) break;
    const MatrixXd B = US.transpose() * lam.asDiagonal() * ZS;
    MatrixXd J = MatrixXd::Zero(n, n);
    // d/dK: F1 = dK (identity), F2 = -B^T dK, F3_k = (u_k^T dK)(Q^T z_k).
    // d/dQ: F1 = -B dQ, F2 = dQ, F3_k = (u_k^T K)(dQ^T z_k).
    // d/dlambda_k: F1 = -u_k z_k^T Q, F2 = -z_k u_k^T K, F3 = 0.
    const MatrixXd QtZ = ZS * Q;  // row k: (Q^T z_k)^T
    const MatrixXd UK = US * K;   // row k: (K^T u_k)^T
    for (Eigen::Index c = 0; c < r; ++c) {
      for (Eigen::Index a = 0; a < d1; ++a) {  // column of dK entry (a, c)
        const Eigen::Index col = a + c * d1;
        J(col, col) += 1;
        for (Eigen::Index j = 0; j < d2; ++j) J(nK + j + c * d2, col) -= B(a, j);  // -(B^T e_a)_j
        for (Eigen::Index i = 0; i < k; ++i) J(nK + nQ + i, col) = US(i, a) * QtZ(i, c);
      }
      for (Eigen::Index j = 0; j < d2; ++j) {  // column of dQ entry (j, c)
        const Eigen::Index col = nK + j + c * d2;
        J(col, col) += 1;
        for (Eigen::Index a = 0; a < d1; ++a) J(a + c * d1, col) -= B(a, j);
        for (Eigen::Index i = 0; i < k; ++i) J(nK + nQ + i, col) = UK(i, c) * ZS(i, j);
      }
    }
    for (Eigen::Index i = 0; i < k; ++i) {
      const Eigen::Index col = nK + nQ + i;
      const MatrixXd g1 = -US.row(i).transpose() * QtZ.row(i);  // -u z^T Q (d1 x r)
      const MatrixXd g2 = -ZS.row(i).transpose() * UK.row(i);   // -z u^T K (d2 x r)
      J.col(col).head(nK) = Eigen::Map<const VectorXd>(g1.data(), nK);
      J.col(col).segment(nK, nQ) = Eigen::Map<const VectorXd>(g2.data(), nQ);
    }
    Eigen::CompleteOrthogonalDecomposition<MatrixXd> cod(n, n);
    cod.setThreshold(1e-12);  // before compute: COD uses it while factoring
    cod.compute(J);
    out.work += double(n) * double(n) * double(n);
    const VectorXd dx = -cod.solve(F);
    if (!dx.allFinite()) break;
    double alpha = 1;
    bool accepted = false;
    const double f0 = F.norm();
    for (int bt = 0; bt < 30; ++bt) {
      const MatrixXd Kn = K + alpha * Eigen::Map<const MatrixXd>(dx.data(), d1, r);
      const MatrixXd Qn = Q + alpha * Eigen::Map<const MatrixXd>(dx.data() + nK, d2, r);
      const VectorXd ln = lam + alpha * dx.tail(k);
      const VectorXd Fn = residual(Kn, Qn, ln);
      if (Fn.norm() < (1 - 1e-4 * alpha) * f0) {
        K = Kn;
        Q = Qn;
        lam = ln;
        F = Fn;
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) break;
  }
  out.W = K * Q.transpose();
  out.lambdaS = lam;
  out.converged = out.W.allFinite() && F.cwiseAbs().maxCoeff() <= 1e-11 * scale;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Certificate (docs/theory.md §5): W scaled to be exactly feasible, y / ||B(y)||_op for the dual.
// ---------------------------------------------------------------------------------------------------
void certify(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, MatrixXd W, VectorXd y,
             SvmSolution& sol) {
  VectorXd aw = applyConstraints(U, Z, W);
  if (const double scale = detail::exactFeasibilityScale(b, aw); scale > 0) {
    W *= scale;
    // Evaluated again, not scaled: the violation reported is the one of the W returned. Rounding can
    // leave a tight row a hair short: scale up by the shortfall (and a few ulps), and check again.
    aw = applyConstraints(U, Z, W);
    for (int i = 0; i < 4 && b.size() && (b - aw).maxCoeff() > 0; ++i) {
      double bump = 0;
      for (Eigen::Index k = 0; k < b.size(); ++k)
        if (b[k] > 0) bump = std::max(bump, std::max(0.0, b[k] - aw[k]) / b[k]);
      W *= 1 + bump + 16 * std::numeric_limits<double>::epsilon();
      aw = applyConstraints(U, Z, W);
    }
  }
  sol.w = Eigen::Map<const VectorXd>(W.data(), W.size());
  sol.value = nuclearNorm(W);
  y = y.cwiseMax(0.0);
  detail::fillCertificate(sol, b, aw, y, opNorm(operatorB(U, Z, y)));
}

// One solve on a subset of rows (all rows when small): barrier from y0, then the polish.
// Returns W and y (full length of the subset).
// A better primal point than (2/tau) C from an accurate dual y: at the optimum W = U_r M V_r^T with
// U_r, V_r the top-r singular vectors of B(y) (where sigma = 1) and M symmetric, and the active rows
// hold with equality, which is linear in M (least squares, r(r+1)/2 unknowns).
MatrixXd subspacePrimal(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, const std::vector<int>& S,
                        const VectorXd& y, int r) {
  Eigen::JacobiSVD<MatrixXd> svd(operatorB(U, Z, y), Eigen::ComputeThinU | Eigen::ComputeThinV);
  const MatrixXd Ur = svd.matrixU().leftCols(r), Vr = svd.matrixV().leftCols(r);
  const Eigen::Index nvar = r * (r + 1) / 2;
  MatrixXd L(static_cast<Eigen::Index>(S.size()), nvar);
  VectorXd rhs(static_cast<Eigen::Index>(S.size()));
  for (std::size_t s = 0; s < S.size(); ++s) {
    const Eigen::Index row = static_cast<Eigen::Index>(s);
    const VectorXd a = Ur.transpose() * U.row(S[s]).transpose();
    const VectorXd c = Vr.transpose() * Z.row(S[s]).transpose();
    Eigen::Index v = 0;
    for (int i = 0; i < r; ++i)
      for (int j = i; j < r; ++j) L(row, v++) = i == j ? a[i] * c[i] : a[i] * c[j] + a[j] * c[i];
    rhs[row] = b[S[s]];
  }
  const VectorXd x = Eigen::CompleteOrthogonalDecomposition<MatrixXd>(L).solve(rhs);
  MatrixXd M(r, r);
  Eigen::Index v = 0;
  for (int i = 0; i < r; ++i)
    for (int j = i; j < r; ++j) M(i, j) = M(j, i) = x[v++];
  return Ur * M * Vr.transpose();
}

// One solve on a subset of rows (all rows when small): the primal-dual method from (W0, y0), then,
// unless its certificate is already at rounding level, the polish. Returns W and y (subset length).
// `polishWork` accumulates over the calls of one solve (kNuclearPolishWorkBudget).
bool solveSubset(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, const MatrixXd& W0,
                 const VectorXd& y0, int maxIterations, double tol, MatrixXd& W, VectorXd& y, int& iterations,
                 double& polishWork, const detail::SolveControl& control) {
  const Eigen::Index m = U.rows();
  const PdResult br = primalDual(U, Z, b, W0, y0, maxIterations, tol, control);
  iterations += br.iterations;
  if (br.W.size() == 0 || !br.W.allFinite() || !br.y.allFinite()) return false;
  // Identification: rank from the singular values of the primal estimate, active rows by complementarity.
  Eigen::JacobiSVD<MatrixXd> svd(br.W);
  const VectorXd sv = svd.singularValues();
  int r = 0;
  for (Eigen::Index i = 0; i < sv.size(); ++i)
    if (sv[i] > 1e-6 * sv[0]) ++r;
  const VectorXd slack = applyConstraints(U, Z, br.W) - b;
  std::vector<int> S;
  for (Eigen::Index k = 0; k < m; ++k)
    if (br.y[k] > slack[k]) S.push_back(static_cast<int>(k));
  // The best certified pair so far: the barrier's, or the subspace recovery from its dual.
  SvmSolution best;
  certify(U, Z, b, br.W, br.y, best);
  W = br.W;
  y = br.y;
  auto consider = [&](const MatrixXd& Wc, const VectorXd& yc) {
    SvmSolution c;
    certify(U, Z, b, Wc, yc, c);
    if (c.w.allFinite() && std::abs(c.gap) < std::abs(best.gap)) {
      best = c;
      W = Wc;
      y = yc;
    }
  };
  if (r == 0 || S.empty() || std::abs(best.gap) <= 1e-13) return true;
  const MatrixXd Wsub = subspacePrimal(U, Z, b, S, br.y, r);
  consider(Wsub, br.y);

  // Polish with active-set repair (a KKT point of the restricted problem that meets every row is optimal
  // for all of them):
  //  - converged: the most negative multiplier leaves, the most violated row joins (one change per
  //    round; several at once can cycle);
  //  - Newton stalls (S inconsistent: one row too many): some row other than the one that joined last
  //    leaves, trying the least confidently active first (smallest barrier y_k / slack_k).
  // Active sets already tried are skipped, so the repair cannot cycle.
  const double tolViol = 1e-10 * std::max(1.0, b.cwiseAbs().maxCoeff());
  std::vector<std::vector<int>> visited;
  auto seen = [&](std::vector<int> set) {
    std::sort(set.begin(), set.end());
    return std::find(visited.begin(), visited.end(), set) != visited.end();
  };
  MatrixXd Wstart = Wsub;
  VectorXd ystart = br.y;
  int joined = -1;
  const int maxPolish = 3 * static_cast<int>(m) + 16;
  // Drops one row of `base` (not `keep`), least confidently active first, giving the first unseen set.
  auto dropOne = [&](const std::vector<int>& base, int keep) {
    std::vector<int> order;
    for (int k : base)
      if (k != keep) order.push_back(k);
    std::sort(order.begin(), order.end(), [&](int a, int c) {
      return br.y[a] / std::max(slack[a], 1e-300) < br.y[c] / std::max(slack[c], 1e-300);
    });
    for (int drop : order) {
      std::vector<int> cand;
      for (int k : base)
        if (k != drop) cand.push_back(k);
      if (!seen(cand)) return cand;
    }
    return std::vector<int>();
  };
  for (int attempt = 0; attempt < maxPolish && !S.empty() && polishWork <= kNuclearPolishWorkBudget;
       ++attempt) {
    std::sort(S.begin(), S.end());
    visited.push_back(S);
    const FactorPolish pr = polishBurerMonteiro(U, Z, b, S, Wstart, ystart, r);
    polishWork += pr.work;
    std::vector<int> next;
    if (!pr.converged) {
      next = dropOne(S, joined);
    } else {
      const VectorXd slackP = applyConstraints(U, Z, pr.W) - b;
      const double lamScale = std::max(pr.lambdaS.cwiseAbs().maxCoeff(), 1e-300);
      VectorXd yp = VectorXd::Zero(m);
      std::ptrdiff_t worstNeg = -1;
      double mostNeg = -1e-10 * lamScale;
      for (std::size_t i = 0; i < S.size(); ++i) {
        const double l = pr.lambdaS[static_cast<Eigen::Index>(i)];
        yp[S[i]] = std::max(0.0, l);
        if (l < mostNeg) mostNeg = l, worstNeg = static_cast<std::ptrdiff_t>(i);
      }
      Eigen::Index worstViol = -1;
      double mostViol = -tolViol;
      for (Eigen::Index k = 0; k < m; ++k)
        if (slackP[k] < mostViol && std::find(S.begin(), S.end(), static_cast<int>(k)) == S.end())
          mostViol = slackP[k], worstViol = k;
      if (worstNeg < 0 && worstViol < 0) {
        consider(pr.W, yp);
        break;
      }
      next = S;
      if (worstNeg >= 0) next.erase(next.begin() + worstNeg);
      joined = -1;
      if (worstViol >= 0) {
        next.push_back(static_cast<int>(worstViol));
        joined = static_cast<int>(worstViol);
      }
      // The violated row joined a set tried before: it must displace some other row instead.
      if (seen(next) && joined >= 0) {
        std::vector<int> grown = S;
        grown.push_back(joined);
        next = dropOne(grown, joined);
      } else if (seen(next)) {
        next.clear();
      }
      Wstart = pr.W;
      ystart = yp;
    }
    if (next.empty()) break;
    S = std::move(next);
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] solveNuclearSvm (docs/theory.md §5)
// ---------------------------------------------------------------------------------------------------
SvmSolution solveNuclearSvm(const Eigen::Ref<const MatrixXd>& U, const Eigen::Ref<const MatrixXd>& Z,
                            const Eigen::Ref<const VectorXd>& b, const SvmOptions& options) {
  SvmSolution sol;
  const Eigen::Index m = U.rows(), d1 = U.cols(), d2 = Z.cols();
  if (std::string tooLarge = svmSizeProblem({d1 * d2, m}); !tooLarge.empty()) {
    sol.status = SvmStatus::Skipped;
    sol.reason = std::move(tooLarge);
    return sol;  // before building the m x d^2 rows of the l_2 problem it starts from
  }
  sol.w = VectorXd::Zero(d1 * d2);
  sol.lambda = VectorXd::Zero(m);
  if (Z.rows() != m || b.size() != m) {
    sol.reason = "U, Z and b must have one row per constraint";
    return sol;
  }
  if (!U.allFinite() || !Z.allFinite() || !b.allFinite()) {
    sol.reason = "the constraints contain NaN or inf";
    return sol;
  }
  // Feasibility, zero rows and a starting dual point all come from the Frobenius problem (p = 2) on the
  // flattened rows vec(u_k z_k^T): it has the same feasible set.
  MatrixXd A(m, d1 * d2);
  for (Eigen::Index k = 0; k < m; ++k) {
    const MatrixXd G = U.row(k).transpose() * Z.row(k);
    A.row(k) = Eigen::Map<const VectorXd>(G.data(), G.size()).transpose();
  }
  SvmOptions frobOptions;
  frobOptions.cancel = options.cancel;
  frobOptions.progress = options.progress;
  const SvmSolution frob = solveLpSvm(A, b, 2.0, frobOptions);
  sol.iterations = frob.iterations;
  if (frob.status == SvmStatus::Infeasible) {
    sol.status = SvmStatus::Infeasible;
    sol.reason = frob.reason;
    sol.certificateRows = frob.certificateRows;
    return sol;
  }
  if (frob.status != SvmStatus::Optimal) {
    sol.reason = frob.reason == "cancelled" ? frob.reason
                                            : "the Frobenius problem used to start failed: " + frob.reason;
    return sol;
  }
  if (frob.value == 0) {  // w = 0 feasible (no row needs a positive margin)
    sol.status = SvmStatus::Optimal;
    sol.active = frob.active;
    return sol;
  }
  // Rows that cannot matter: zero rows (b_k <= 0 there, else infeasible above).
  std::vector<int> usable;
  for (Eigen::Index k = 0; k < m; ++k)
    if (A.row(k).squaredNorm() > 0) usable.push_back(static_cast<int>(k));

  // Starting dual point: warm lambda if given, else the Frobenius multipliers (||B||_F = 1 >= ||B||_op),
  // shrunk inside the LMI and made positive.
  VectorXd ystart = frob.lambda;
  if (options.warmStartLambda && options.warmStartLambda->size() == m && options.warmStartLambda->allFinite())
    ystart = options.warmStartLambda->cwiseMax(0.0);

  // Constraint generation: work on a subset (the rows the Frobenius / warm solution finds nearly active,
  // at least 2 d1 d2 of the tightest) and add violated rows until none is left. Small problems use all.
  const Eigen::Index small = 2 * d1 * d2 + 8;
  std::vector<int> work;
  if (static_cast<Eigen::Index>(usable.size()) <= small) {
    work = usable;
  } else {
    const VectorXd slack = A * frob.w - b;
    std::vector<int> order = usable;
    std::sort(order.begin(), order.end(), [&](int a, int c) { return slack[a] < slack[c]; });
    const std::size_t take = static_cast<std::size_t>(std::min<Eigen::Index>(2 * d1 * d2 + 8, m));
    work.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(take, order.size())));
    for (int k : usable)
      if (ystart[k] > 0 && std::find(work.begin(), work.end(), k) == work.end()) work.push_back(k);
    std::sort(work.begin(), work.end());
  }

  const MatrixXd frobW = Eigen::Map<const MatrixXd>(frob.w.data(), d1, d2);
  MatrixXd W;
  VectorXd yFull = VectorXd::Zero(m);
  int iterations = 0;
  double polishWork = 0;  // shared by every polish of this solve (kNuclearPolishWorkBudget)
  for (int round = 0; round < 20; ++round) {
    const Eigen::Index mw = static_cast<Eigen::Index>(work.size());
    MatrixXd Uw(mw, d1), Zw(mw, d2);
    VectorXd bw(mw), y0(mw);
    for (Eigen::Index i = 0; i < mw; ++i) {
      const int k = work[static_cast<std::size_t>(i)];
      Uw.row(i) = U.row(k);
      Zw.row(i) = Z.row(k);
      bw[i] = b[k];
      y0[i] = std::max(ystart[k], 0.0);
    }
    VectorXd yw;
    const MatrixXd Wfrom = W.size() ? W : frobW;
    if (!solveSubset(Uw, Zw, bw, Wfrom, y0, std::max(options.maxIterations, 1), options.gapTolerance, W, yw,
                     iterations, polishWork, detail::solveControl(options)))
      break;
    yFull.setZero();
    for (Eigen::Index i = 0; i < mw; ++i) yFull[work[static_cast<std::size_t>(i)]] = yw[i];
    // Rows outside the working set that W violates join it.
    const VectorXd slack = applyConstraints(U, Z, W) - b;
    const double tolViol = 1e-10 * std::max(1.0, b.cwiseAbs().maxCoeff());
    bool added = false;
    for (int k : usable) {
      if (slack[k] < -tolViol && std::find(work.begin(), work.end(), k) == work.end()) {
        work.push_back(k);
        added = true;
      }
    }
    if (!added) break;
    std::sort(work.begin(), work.end());
    ystart = yFull;
  }
  sol.iterations += iterations;
  if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
    sol.status = SvmStatus::Failed;
    sol.reason = "cancelled";
    return sol;
  }
  if (W.size() == 0) {
    sol.reason = "the barrier method broke down";
    return sol;
  }
  certify(U, Z, b, W, yFull, sol);
  const double rowScale = std::max(1.0, A.rowwise().norm().maxCoeff() * sol.w.norm());
  const bool accurate = sol.w.allFinite() && std::abs(sol.gap) <= options.acceptableGap &&
                        sol.violation <= options.feasibilityTolerance * rowScale;
  if (accurate) {
    sol.status = SvmStatus::Optimal;
  } else {
    sol.status = SvmStatus::Failed;
    sol.reason = "the solver stopped short of the requested accuracy (gap " + detail::shortNumber(sol.gap) +
                 ", violation " + detail::shortNumber(sol.violation) + ")";
  }
  return sol;
}

}  // namespace attnmd::core
