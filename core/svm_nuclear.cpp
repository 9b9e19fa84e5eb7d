// The nuclear-norm max-margin problem  min ||W||_*  s.t.  <G_k, W> = u_k^T W z_k >= b_k  (math.md §5,
// the limit direction of kq training).
//
// [SECTION] Operator B(y) = sum_k y_k u_k z_k^T and the dual barrier
// [SECTION] Polish: Newton on the Burer-Monteiro KKT system W = K Q^T
// [SECTION] Certificate
// [SECTION] solveNuclearSvm (with constraint generation for many rows)
//
// Dual: max b^T y s.t. y >= 0, ||B(y)||_op <= 1, i.e. the LMI F(y) = [[I, B],[B^T, I]] >= 0. The dual
// barrier method minimizes  -tau b^T y - log det(I - B^T B) - sum log y_k  for growing tau; on its
// central path W = (2/tau) B (I - B^T B)^{-1} is strictly feasible with <G_k, W> - b_k = 1/(tau y_k), and
// the gap is at most (m + d1 + d2)/tau. That primal estimate loses digits as ||B|| -> 1 (1 - sigma^2 is
// computed with absolute error 1e-16), so the barrier only identifies the rank r and the active rows;
// a Newton polish on  min (||K||^2 + ||Q||^2)/2 s.t. <G_k, K Q^T> = b_k (k active), K, Q in R^{d x r},
// whose optimum is ||W||_* (Burer-Monteiro), finishes to machine precision. The certificate is computed
// from scratch: W scaled to be exactly feasible, ||W||_* from an SVD, y / ||B(y)||_op for the dual.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/svm.h"
#include "core/svm_detail.h"

namespace attnmd::core {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Operator B(y) and the dual barrier
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

struct BarrierPoint {
  bool inside = false;  // ||B(y)|| < 1 and y > 0
  double phi = std::numeric_limits<double>::infinity();
  MatrixXd B, C, E2;  // C = B (I - B^T B)^{-1}
};

BarrierPoint barrierAt(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, const VectorXd& y,
                       double tau) {
  BarrierPoint bp;
  if ((y.array() <= 0).any()) return bp;
  bp.B = operatorB(U, Z, y);
  const Eigen::Index d2 = Z.cols();
  const MatrixXd M2 = MatrixXd::Identity(d2, d2) - bp.B.transpose() * bp.B;
  Eigen::LLT<MatrixXd> llt(M2);
  if (llt.info() != Eigen::Success) return bp;
  const MatrixXd L = llt.matrixL();
  const double logdet = 2 * L.diagonal().array().log().sum();
  if (!std::isfinite(logdet)) return bp;
  bp.inside = true;
  bp.E2 = llt.solve(MatrixXd::Identity(d2, d2));
  bp.C = bp.B * bp.E2;
  bp.phi = -tau * b.dot(y) - logdet - y.array().log().sum();
  return bp;
}

struct BarrierResult {
  enum class Kind { Converged, NotConverged, Breakdown } kind = Kind::NotConverged;
  VectorXd y;
  MatrixXd W;  // primal estimate (2/tau) C
  double tau = 0;
  int iterations = 0;
};

BarrierResult dualBarrier(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, VectorXd y,
                          int maxIterations, double relGap) {
  const Eigen::Index m = U.rows(), d1 = U.cols(), d2 = Z.cols();
  BarrierResult r;
  const double nu = double(m + d1 + d2);  // barrier parameter: the gap on the central path is nu / tau
  double tau = nu / std::max(b.dot(y), 1e-12);
  double lastDec2 = std::numeric_limits<double>::infinity();
  for (int it = 0; it < maxIterations; ++it) {
    r.iterations = it + 1;
    BarrierPoint bp = barrierAt(U, Z, b, y, tau);
    if (!bp.inside) {
      r.kind = BarrierResult::Kind::Breakdown;
      break;
    }
    const MatrixXd E1 = MatrixXd::Identity(d1, d1) + bp.C * bp.B.transpose();  // (I - B B^T)^{-1}
    const MatrixXd UC = U * bp.C;
    const VectorXd grad = -tau * b + 2 * UC.cwiseProduct(Z).rowwise().sum() - y.cwiseInverse();
    // Hessian of -log det F: 2 (UZ o UZ^T + UU o ZZ), F^{-1} = [[E1, -C], [-C^T, E2]].
    const MatrixXd UU = U * E1 * U.transpose();
    const MatrixXd ZZ = Z * bp.E2 * Z.transpose();
    const MatrixXd UZ = UC * Z.transpose();  // sign irrelevant in UZ o UZ^T
    MatrixXd H = 2 * (UZ.cwiseProduct(UZ.transpose()) + UU.cwiseProduct(ZZ));
    H.diagonal() += y.cwiseInverse().cwiseAbs2();
    Eigen::LLT<MatrixXd> llt(H);
    if (llt.info() != Eigen::Success) {
      r.kind = BarrierResult::Kind::Breakdown;
      break;
    }
    const VectorXd dy = -llt.solve(grad);
    const double dec2 = -grad.dot(dy);  // squared Newton decrement
    // Centered (or no further progress possible at rounding level) for this tau.
    if (dec2 <= 1e-9 || (it > 0 && dec2 >= 0.5 * lastDec2 && dec2 <= 1e-6)) {
      // Centered for this tau: stop when the central-path gap nu/tau is small, else raise tau.
      if (nu / tau <= relGap * std::max(b.dot(y), 1e-300)) {
        r.kind = BarrierResult::Kind::Converged;
        r.tau = tau;
        r.W = (2 / tau) * bp.C;
        break;
      }
      tau *= 10;
      lastDec2 = std::numeric_limits<double>::infinity();
      continue;
    }
    lastDec2 = dec2;
    // Long steps: the largest step keeping y > 0 (times 0.95), then backtracking (Armijo) on the barrier
    // function, which also keeps ||B|| < 1. Much faster in practice than the damped 1/(1 + decrement).
    double alpha = 1.0;
    for (Eigen::Index k = 0; k < m; ++k)
      if (dy[k] < 0) alpha = std::min(alpha, -0.95 * y[k] / dy[k]);
    bool accepted = false;
    for (int bt = 0; bt < 40; ++bt) {
      const BarrierPoint bn = barrierAt(U, Z, b, y + alpha * dy, tau);
      if (bn.inside && bn.phi <= bp.phi - 1e-4 * alpha * dec2) {
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {  // rounding-level progress only
      if (nu / tau <= 1e3 * relGap * std::max(b.dot(y), 1e-300)) {
        r.kind = BarrierResult::Kind::Converged;
        r.tau = tau;
        r.W = (2 / tau) * bp.C;
      } else {
        r.kind = BarrierResult::Kind::Breakdown;
      }
      break;
    }
    y += alpha * dy;
  }
  if (r.W.size() == 0) {
    BarrierPoint bp = barrierAt(U, Z, b, y, tau);
    r.tau = tau;
    if (bp.inside) r.W = (2 / tau) * bp.C;
  }
  r.y = std::move(y);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Polish: F(K, Q, lambda) = 0 with
//   K - B(lambda) Q = 0,  Q - B(lambda)^T K = 0,  u_k^T K Q^T z_k = b_k  (k in S),
// the KKT system of min (||K||^2 + ||Q||^2)/2 s.t. the active rows. Solutions come in orbits K R, Q R
// (R orthogonal), so the Jacobian is singular along the orbit; minimum-norm Gauss-Newton steps
// (complete orthogonal decomposition) still converge quadratically.
// ---------------------------------------------------------------------------------------------------
struct PolishResult {
  bool converged = false;
  MatrixXd W;
  VectorXd lambdaS;
};

PolishResult polishBurerMonteiro(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b,
                                 const std::vector<int>& S, const MatrixXd& W0, const VectorXd& y0, int r) {
  PolishResult out;
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
// [SECTION] Certificate (math.md §5): W scaled to be exactly feasible, y / ||B(y)||_op for the dual.
// ---------------------------------------------------------------------------------------------------
void certify(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, MatrixXd W, VectorXd y,
             SvmSolution& sol) {
  VectorXd aw = applyConstraints(U, Z, W);
  double scale = 0;
  bool positive = true;
  for (Eigen::Index k = 0; k < b.size(); ++k) {
    if (b[k] > 0) {
      if (!(aw[k] > 0))
        positive = false;
      else
        scale = std::max(scale, b[k] / aw[k]);
    }
  }
  if (positive && scale > 0) {
    W *= scale;
    aw *= scale;
  }
  sol.w = Eigen::Map<const VectorXd>(W.data(), W.size());
  sol.value = nuclearNorm(W);
  sol.violation = b.size() ? std::max(0.0, (b - aw).maxCoeff()) : 0.0;
  y = y.cwiseMax(0.0);
  const double op = opNorm(operatorB(U, Z, y));
  sol.lambda = op > 0 ? VectorXd(y / op) : VectorXd(VectorXd::Zero(b.size()));
  sol.dualValue = b.dot(sol.lambda);
  sol.gap = sol.value > 0 ? (sol.value - sol.dualValue) / sol.value : 0.0;
  sol.active.clear();
  for (Eigen::Index k = 0; k < b.size(); ++k)
    if (aw[k] - b[k] <= 1e-7 * std::max(1.0, std::abs(b[k]))) sol.active.push_back(static_cast<int>(k));
}

std::string fmt(double x) {
  std::ostringstream os;
  os.precision(3);
  os << x;
  return os.str();
}

// One solve on a subset of rows (all rows when small): barrier from y0, then the polish.
// Returns W and y (full length of the subset).
bool solveSubset(const MatrixXd& U, const MatrixXd& Z, const VectorXd& b, const VectorXd& y0,
                 int maxIterations, MatrixXd& W, VectorXd& y, int& iterations) {
  const Eigen::Index m = U.rows();
  const BarrierResult br = dualBarrier(U, Z, b, y0, maxIterations, 1e-9);
  iterations += br.iterations;
  if (br.W.size() == 0) return false;
  W = br.W;
  y = br.y;
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
  if (r == 0 || S.empty()) return true;
  // Polish with active-set repair: a row the barrier judged inactive but the polished W violates joins
  // S; a row with a negative multiplier leaves it. (A KKT point of the restricted problem that meets
  // every row is optimal for all of them.)
  MatrixXd Wstart = br.W;
  VectorXd ystart = br.y;
  const double tolViol = 1e-10 * std::max(1.0, b.cwiseAbs().maxCoeff());
  for (int round = 0; round < 6 && !S.empty(); ++round) {
    const PolishResult pr = polishBurerMonteiro(U, Z, b, S, Wstart, ystart, r);
    if (!pr.converged) break;
    const VectorXd slack = applyConstraints(U, Z, pr.W) - b;
    const double lamScale = std::max(pr.lambdaS.cwiseAbs().maxCoeff(), 1e-300);
    std::vector<int> next;
    VectorXd yp = VectorXd::Zero(m);
    bool changed = false;
    for (std::size_t i = 0; i < S.size(); ++i) {
      const double l = pr.lambdaS[static_cast<Eigen::Index>(i)];
      if (l < -1e-10 * lamScale) {
        changed = true;
      } else {
        next.push_back(S[i]);
        yp[S[i]] = std::max(0.0, l);
      }
    }
    for (Eigen::Index k = 0; k < m; ++k) {
      if (slack[k] < -tolViol && std::find(next.begin(), next.end(), static_cast<int>(k)) == next.end()) {
        next.push_back(static_cast<int>(k));
        changed = true;
      }
    }
    if (!changed) {
      // Keep the polished pair only if it certifies better than the barrier's own.
      SvmSolution a, c;
      certify(U, Z, b, pr.W, yp, a);
      certify(U, Z, b, br.W, br.y, c);
      if (std::abs(a.gap) <= std::abs(c.gap)) {
        W = pr.W;
        y = yp;
      }
      break;
    }
    std::sort(next.begin(), next.end());
    S = std::move(next);
    Wstart = pr.W;
    ystart = yp;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] solveNuclearSvm (math.md §5)
// ---------------------------------------------------------------------------------------------------
SvmSolution solveNuclearSvm(const Eigen::Ref<const MatrixXd>& U, const Eigen::Ref<const MatrixXd>& Z,
                            const Eigen::Ref<const VectorXd>& b, const SvmOptions& options) {
  SvmSolution sol;
  const Eigen::Index m = U.rows(), d1 = U.cols(), d2 = Z.cols();
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
  const SvmSolution frob = solveLpSvm(A, b, 2.0);
  sol.iterations = frob.iterations;
  if (frob.status == SvmStatus::Infeasible) {
    sol.status = SvmStatus::Infeasible;
    sol.reason = frob.reason;
    sol.certificateRows = frob.certificateRows;
    return sol;
  }
  if (frob.status != SvmStatus::Optimal) {
    sol.reason = "the Frobenius problem used to start failed: " + frob.reason;
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

  MatrixXd W;
  VectorXd yFull = VectorXd::Zero(m);
  int iterations = 0;
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
    // Inside the LMI and strictly positive: mix with a small uniform part, then shrink.
    y0 += VectorXd::Constant(mw, 1e-3 * std::max(y0.maxCoeff(), 1e-3));
    const double op = opNorm(operatorB(Uw, Zw, y0));
    if (op > 0) y0 *= 0.5 / op;
    VectorXd yw;
    if (!solveSubset(Uw, Zw, bw, y0, std::max(options.maxIterations, 1), W, yw, iterations)) break;
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
  if (W.size() == 0) {
    sol.reason = "the barrier method broke down";
    return sol;
  }
  certify(U, Z, b, W, yFull, sol);
  const bool accurate = sol.w.allFinite() && std::abs(sol.gap) <= options.acceptableGap &&
                        sol.violation <= 1e-9 * std::max(1.0, b.cwiseAbs().maxCoeff());
  if (accurate) {
    sol.status = SvmStatus::Optimal;
  } else {
    sol.status = SvmStatus::Failed;
    sol.reason = "the solver stopped short of the requested accuracy (gap " + fmt(sol.gap) + ", violation " +
                 fmt(sol.violation) + ")";
  }
  return sol;
}

}  // namespace attnmd::core
