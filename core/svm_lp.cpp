// The l_p max-margin problem  min ||w||_p  s.t.  A w >= b  (docs/theory.md §5), p in (1, 20].
//
// [SECTION] Local model of f(w) = (1/2)||w||_p^2
// [SECTION] Newton systems (primal space N x N, or dual space m x m when m < N)
// [SECTION] Interior-point method (Mehrotra predictor-corrector, infeasible start, Farkas certificates)
// [SECTION] Dual barrier method (last resort)
// [SECTION] Polish: Newton on the active set (null-space form; dual form for p < 2), active-set repair
// [SECTION] Certificate
// [SECTION] solveLpSvm: scaling, warm start, the chain of strategies
//
// Why f = (1/2)||w||_p^2 and not (1/p)||w||_p^p: both have the same minimizer, but the squared norm is
// homogeneous of degree 2 whatever p is, so a problem whose solution has norm 10 does not turn into
// numbers like 10^20 at p = 20; its Hessian (p-1) diag(|u|^{p-2}) + (2-p) v v^T (u = w/||w||_p,
// v = sign(u)|u|^{p-1}) depends only on the direction of w.
//
// The Hessian is singular where a w_j is 0 (infinite for p < 2, zero for p > 2). The interior-point
// method clamps |u_j|^{p-2} to [1e-14, 1e14]: an inexact Newton matrix only slows it where a w_j
// crosses 0. The final Newton polish on the active set restores full precision; the certificate
// (docs/theory.md §5 duality) is computed from scratch at the end and decides the status.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/svm.h"
#include "core/svm_detail.h"

namespace attnmd::core {
namespace {

using detail::stableNorm;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kHMin = 1e-14;
constexpr double kHMax = 1e14;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Local model of f(w) = (1/2)||w||_p^2
// ---------------------------------------------------------------------------------------------------
struct LocalModel {
  double norm = 0;  // ||w||_p
  VectorXd grad;    // ||w||_p * v
  VectorXd h;       // (p - 1) * clamp(|u|^{p-2})
  VectorXd v;       // sign(u)|u|^{p-1}
  double c = 0;     // 2 - p: Hessian = diag(h) + c v v^T
  double value() const { return 0.5 * norm * norm; }
};

LocalModel localModel(const VectorXd& w, double p) {
  LocalModel lm;
  const Eigen::Index n = w.size();
  lm.norm = stableNorm(w, p);
  lm.grad.resize(n);
  lm.h.resize(n);
  lm.v.resize(n);
  lm.c = 2 - p;
  if (!(lm.norm > 0)) {  // f is smooth at 0 only for p = 2; use the p = 2 model there
    lm.grad.setZero();
    lm.v.setZero();
    lm.h.setConstant(1.0);
    lm.c = 0;
    return lm;
  }
  for (Eigen::Index j = 0; j < n; ++j) {
    const double u = w[j] / lm.norm;
    const double au = std::abs(u);
    lm.v[j] = std::copysign(std::pow(au, p - 1), u);
    const double hu = au > 0 ? std::pow(au, p - 2) : (p < 2 ? kHMax : kHMin);
    lm.h[j] = (p - 1) * std::clamp(hu, kHMin, kHMax);
  }
  lm.grad = lm.norm * lm.v;
  return lm;
}

// H^{-1} x by Sherman-Morrison on diag(h) + c v v^T. The denominator is 1 + c v^T D^{-1} v = 1/(p-1) for
// the exact Hessian and stays positive with the clamped one (clamping moves h the safe way for each sign
// of c).
struct InverseHessian {
  VectorXd dinv;  // 1/h
  VectorXd dv;    // D^{-1} v
  double gamma = 0;
  explicit InverseHessian(const LocalModel& lm) {
    dinv = lm.h.cwiseInverse();
    dv = dinv.cwiseProduct(lm.v);
    const double den = 1 + lm.c * lm.v.dot(dv);
    gamma = den > 0 ? lm.c / den : 0;
  }
  VectorXd apply(const VectorXd& x) const { return dinv.cwiseProduct(x) - gamma * dv.dot(x) * dv; }
};

// ---------------------------------------------------------------------------------------------------
// [SECTION] Newton systems
//   H dw - A^T dmu = -rd,   A dw - ds = -rp,   mu ds + s dmu = rc
// Primal space: (H + A^T diag(mu/s) A) dw = -rd + A^T(rc/s - (mu/s) rp).
// Dual space (m < N): (A H^{-1} A^T + diag(s/mu)) dmu = rc/mu + A H^{-1} rd - rp.
// ---------------------------------------------------------------------------------------------------
class NewtonSystem {
 public:
  NewtonSystem(const MatrixXd& A, const LocalModel& lm, const VectorXd& s, const VectorXd& mu, bool dualSpace)
      : A_(A), s_(s), mu_(mu), dual_(dualSpace), hinv_(lm) {
    const Eigen::Index m = A.rows(), n = A.cols();
    if (!dual_) {
      const VectorXd sq = (mu.array() / s.array()).sqrt().matrix();
      const MatrixXd B = sq.asDiagonal() * A;
      MatrixXd M = MatrixXd::Zero(n, n);
      M.selfadjointView<Eigen::Lower>().rankUpdate(B.transpose());
      M.diagonal() += lm.h;
      if (lm.c != 0) M.selfadjointView<Eigen::Lower>().rankUpdate(lm.v, lm.c);
      factor(M);
    } else {
      const MatrixXd B = A * hinv_.dinv.cwiseSqrt().asDiagonal();
      MatrixXd K = MatrixXd::Zero(m, m);
      K.selfadjointView<Eigen::Lower>().rankUpdate(B);
      if (hinv_.gamma != 0) {
        const VectorXd adv = A * hinv_.dv;
        K.selfadjointView<Eigen::Lower>().rankUpdate(adv, -hinv_.gamma);
      }
      K.diagonal() += (s.array() / mu.array()).matrix();
      factor(K);
    }
  }

  bool ok() const { return ok_; }

  void solve(const VectorXd& rd, const VectorXd& rp, const VectorXd& rc, VectorXd& dw, VectorXd& ds,
             VectorXd& dmu) const {
    if (!dual_) {
      const VectorXd t = (rc.array() / s_.array() - mu_.array() / s_.array() * rp.array()).matrix();
      dw = backSolve(-rd + A_.transpose() * t);
      ds = A_ * dw + rp;
      dmu = ((rc.array() - mu_.array() * ds.array()) / s_.array()).matrix();
    } else {
      const VectorXd rhs = (rc.array() / mu_.array()).matrix() + A_ * hinv_.apply(rd) - rp;
      dmu = backSolve(rhs);
      dw = hinv_.apply(A_.transpose() * dmu - rd);
      ds = A_ * dw + rp;
    }
  }

 private:
  void factor(MatrixXd& M) {
    // A tiny relative shift keeps Cholesky alive on (near) rank-deficient systems (duplicate rows,
    // coordinates no constraint touches at p > 2); the outer iteration corrects the inexact step.
    const double shift = 1e-13 * std::max(M.diagonal().cwiseAbs().maxCoeff(), 1e-300);
    for (int attempt = 0; attempt < 6; ++attempt) {
      llt_.compute(M);
      if (llt_.info() == Eigen::Success) {
        ok_ = true;
        return;
      }
      M.diagonal().array() += shift * std::pow(100.0, attempt);
    }
    ok_ = false;
  }
  VectorXd backSolve(const VectorXd& r) const { return llt_.solve(r); }

  const MatrixXd& A_;
  const VectorXd& s_;
  const VectorXd& mu_;
  bool dual_;
  InverseHessian hinv_;
  Eigen::LLT<MatrixXd> llt_;
  bool ok_ = false;
};

double maxStep(const VectorXd& x, const VectorXd& dx) {
  double a = 1.0;
  for (Eigen::Index k = 0; k < x.size(); ++k)
    if (dx[k] < 0) a = std::min(a, -x[k] / dx[k]);
  return a;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Interior-point method on min f(w) s.t. A w - s = b, s >= 0 (rows of A have unit 2-norm and
// the problem is scaled so its optimal norm is >= 1; see solveLpSvm).
// ---------------------------------------------------------------------------------------------------
// Exact Farkas certificate from a diverging multiplier vector (docs/theory.md §5 "infeasible"): on the rows S
// where mu is large, project mu_S onto the null space of A_S^T; if the projection y is (up to rounding)
// nonnegative with b^T y > 0, then y^T A = 0 while y^T b > 0, so no w meets all rows. Returns the rows
// with y_k > 0, or nothing when mu does not point at a certificate.
std::vector<int> farkasRows(const MatrixXd& A, const VectorXd& b, const VectorXd& mu) {
  const double muMax = mu.maxCoeff();
  if (!(muMax > 0)) return {};
  std::vector<int> S;
  for (Eigen::Index k = 0; k < mu.size(); ++k)
    if (mu[k] > 1e-8 * muMax) S.push_back(static_cast<int>(k));
  const Eigen::Index k = static_cast<Eigen::Index>(S.size());
  MatrixXd AS(k, A.cols());
  VectorXd yS(k), bS(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    AS.row(i) = A.row(S[static_cast<std::size_t>(i)]);
    yS[i] = mu[S[static_cast<std::size_t>(i)]];
    bS[i] = b[S[static_cast<std::size_t>(i)]];
  }
  // y = mu_S - A_S A_S^+ mu_S  (A_S^T y = 0).
  Eigen::CompleteOrthogonalDecomposition<MatrixXd> cod(AS);
  VectorXd y = yS - AS * cod.solve(yS);
  const double ymax = y.cwiseAbs().maxCoeff();
  if (!(ymax > 0) || y.minCoeff() < -1e-9 * ymax) return {};
  y = y.cwiseMax(0.0);
  if (!(bS.dot(y) > 1e-9 * ymax) || (AS.transpose() * y).norm() > 1e-10 * bS.dot(y)) return {};
  std::vector<int> rows;
  for (Eigen::Index i = 0; i < k; ++i)
    if (y[i] > 1e-9 * ymax) rows.push_back(S[static_cast<std::size_t>(i)]);
  return rows;
}

struct IpmResult {
  enum class Kind { Converged, Infeasible, NotConverged, Breakdown, Cancelled } kind = Kind::NotConverged;
  VectorXd w, s, mu;
  std::vector<int> farkas;  // Infeasible: the rows of the certificate
  int iterations = 0;
};

using detail::SolveControl;

IpmResult interiorPoint(const MatrixXd& A, const VectorXd& b, double p, int maxIterations, double tol,
                        const SolveControl& control) {
  const Eigen::Index m = A.rows(), n = A.cols();
  const double q = detail::conjugateExponent(p);
  // The dual-space system needs H^{-1}, which has huge entries where |u_j|^{p-2} is tiny (p > 2): there the
  // m x m matrix loses the small directions to rounding, so p > 2 always uses the primal space.
  const bool dualSpace = m < n && p <= 2;
  IpmResult r;

  // Start on the dual side: mu = c 1, w = grad f*(A^T mu) (so rd = 0), scaled to ||w||_p = 1 (the optimal
  // norm is >= 1 after scaling). If the rows cancel, fall back to the mean right-hand-side direction.
  VectorXd g = A.transpose() * VectorXd::Ones(m);
  if (!(g.norm() > 1e-8 * std::sqrt(double(m)))) g = A.transpose() * b + VectorXd::Constant(n, 1e-3);
  VectorXd w = detail::halfSquaredNormGradient(g, q);
  double c = 1.0 / std::max(stableNorm(w, p), 1e-300);
  w *= c;
  VectorXd mu = VectorXd::Constant(m, c);
  VectorXd s = (A * w - b).cwiseMax(1.0);
  const double bnorm = std::max(1.0, b.cwiseAbs().maxCoeff());

  // p < 2: the gradient map sign(u)|u|^{p-1} is nearly a step function (p = 1.1: exponent 0.1) and
  // Newton on grad f(w) = A^T mu oscillates around w_j = 0. Its inverse, the dual map w = grad f*(A^T mu)
  // (exponent q - 1 = 10), is tame, so for p < 2 the first equation is linearized in that form:
  //   dw - H*(g) A^T dmu = -(w - wt),  wt = grad f*(A^T mu),  H* = grad^2 f*(g) = (grad^2 f(wt))^{-1},
  // i.e. the same Newton system with H evaluated at wt and rd = H (w - wt).
  const bool dualLinearization = p < 2;
  auto residual = [&](const VectorXd& wv, const VectorXd& muv, LocalModel& lm, VectorXd& rd) {
    if (dualLinearization) {
      const VectorXd wt = detail::halfSquaredNormGradient(A.transpose() * muv, q);
      lm = localModel(wt, p);
      const VectorXd e = wv - wt;
      rd = lm.h.cwiseProduct(e) + lm.c * lm.v.dot(e) * lm.v;
      return e.cwiseAbs().maxCoeff() / (1 + wv.cwiseAbs().maxCoeff());
    }
    lm = localModel(wv, p);
    rd = lm.grad - A.transpose() * muv;
    return rd.cwiseAbs().maxCoeff() / (1 + lm.grad.cwiseAbs().maxCoeff());
  };

  VectorXd dw, ds, dmu, dwc, dsc, dmuc, rd, rdn;
  LocalModel lm, lmn;
  double best = std::numeric_limits<double>::infinity();
  int bestIt = 0;
  for (int it = 0; it < maxIterations; ++it) {
    r.iterations = it;
    if (control.stop()) {
      r.kind = IpmResult::Kind::Cancelled;
      return r;
    }
    const double rdRel = residual(w, mu, lm, rd);
    const VectorXd rp = A * w - s - b;
    const double comp = s.dot(mu);
    const double fscale = std::max(1.0, lm.norm * lm.norm);
    // The dual residual stalls near 1e-9 at p near 1 (|u|^{q-1} amplifies rounding by q - 1), and
    // the polish that follows restores full precision, so it gets a looser tolerance.
    const double rpAbs = rp.cwiseAbs().maxCoeff();
    if (rdRel <= 1e3 * tol && rpAbs <= tol * bnorm && comp <= tol * fscale) {
      r.kind = IpmResult::Kind::Converged;
      break;
    }
    const double progress = std::max({rdRel, rpAbs / bnorm, comp / fscale});
    control.residual(progress);
    if (progress < best) {
      best = progress;
      bestIt = it;
    } else if (it - bestIt >= 8 && best <= 1e-6) {  // stagnation at an accuracy the polish can finish
      r.kind = IpmResult::Kind::Converged;
      break;
    }
    // Farkas test (docs/theory.md §5 "infeasible"): for any mu >= 0, a feasible w has ||w||_2 >= b^T mu /
    // ||A^T mu||_2. When that bound passes 1e10 (the optimal norm is O(1) after scaling) the rows cannot
    // all be met in any reasonable sense: a nonnegative combination of them (nearly) vanishes.
    const double bmu = b.dot(mu);
    const double atmu = (A.transpose() * mu).norm();
    if (bmu > 0 && atmu <= 1e-10 * bmu) {
      r.kind = IpmResult::Kind::Infeasible;
      break;
    }
    // Growing multipliers that nearly cancel: try to make the certificate exact.
    if (bmu > 0 && atmu <= 1e-6 * bmu) {
      r.farkas = farkasRows(A, b, mu);
      if (!r.farkas.empty()) {
        r.kind = IpmResult::Kind::Infeasible;
        break;
      }
    }
    // Diverging (the optimal norm is O(1) after scaling, 1e12 only for rows nearly cancelling): give up
    // here and let the next strategy (or the p = 2 infeasibility test) decide.
    if (!(lm.norm < 1e12) || !(mu.maxCoeff() < 1e20)) break;

    NewtonSystem sys(A, lm, s, mu, dualSpace);
    if (!sys.ok()) {
      r.kind = IpmResult::Kind::Breakdown;
      break;
    }
    const double tau = comp / double(m);
    // Predictor (affine scaling).
    VectorXd rc = -s.cwiseProduct(mu);
    sys.solve(rd, rp, rc, dw, ds, dmu);
    const double aAff = std::min(maxStep(s, ds), maxStep(mu, dmu));
    const double tauAff = (s + aAff * ds).dot(mu + aAff * dmu) / double(m);
    const double sigma = std::clamp(std::pow(tauAff / tau, 3), 0.0, 1.0);
    // Corrector with centering.
    rc.array() += sigma * tau - ds.array() * dmu.array();
    sys.solve(rd, rp, rc, dwc, dsc, dmuc);
    double alpha = std::min(1.0, 0.995 * std::min(maxStep(s, dsc), maxStep(mu, dmuc)));

    // f is not quadratic: reject steps whose residuals grow a lot (a poor linearization).
    const double resOld = rdRel + rp.cwiseAbs().maxCoeff();
    for (int bt = 0; bt < 20; ++bt) {
      const VectorXd wn = w + alpha * dwc;
      const double resNew =
          residual(wn, mu + alpha * dmuc, lmn, rdn) + (A * wn - (s + alpha * dsc) - b).cwiseAbs().maxCoeff();
      if (resNew <= std::max(2.0 * resOld, 10 * tol) || alpha < 1e-8) break;
      alpha *= 0.5;
    }
    w += alpha * dwc;
    s += alpha * dsc;
    mu += alpha * dmuc;
    r.iterations = it + 1;
  }
  r.w = std::move(w);
  r.s = std::move(s);
  r.mu = std::move(mu);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Dual barrier method, used when m < N:
//   min_mu  Phi_t(mu) = f*(A^T mu) - b^T mu - t sum log mu,   f*(g) = (1/2)||g||_q^2,
// with damped Newton and an Armijo line search on Phi_t, t decreasing by 10 near the central path.
// The primal point is always w = grad f*(A^T mu), so the N - m directions the constraints do not see
// never need a Newton step of their own (for p > 2 the primal-dual method crawls there: grad f has
// exponent p - 1 = 19 at p = 20). On the central path A w - b = t / mu > 0 and the gap is m t.
// ---------------------------------------------------------------------------------------------------
IpmResult dualBarrier(const MatrixXd& A, const VectorXd& b, double p, int maxIterations, double tol,
                      const SolveControl& control) {
  const Eigen::Index m = A.rows();
  const double q = detail::conjugateExponent(p);
  IpmResult r;
  VectorXd g = A.transpose() * VectorXd::Ones(m);
  VectorXd mu = VectorXd::Ones(m);
  if (!(g.norm() > 1e-8 * std::sqrt(double(m)))) {
    mu = b.cwiseMax(0.0) + VectorXd::Constant(m, 1e-3);
    g = A.transpose() * mu;
  }
  // Scale mu so the primal point has norm 1 (the optimal norm is >= 1 after scaling).
  const double c0 = 1.0 / std::max(stableNorm(detail::halfSquaredNormGradient(g, q), p), 1e-300);
  mu *= c0;
  auto phi = [&](const VectorXd& x, double t) {
    if ((x.array() <= 0).any()) return std::numeric_limits<double>::infinity();
    const double nq = stableNorm(A.transpose() * x, q);
    return 0.5 * nq * nq - b.dot(x) - t * x.array().log().sum();
  };
  double t = 1.0;
  for (int it = 0; it < maxIterations; ++it) {
    r.iterations = it + 1;
    if (control.stop()) {
      r.kind = IpmResult::Kind::Cancelled;
      return r;
    }
    g = A.transpose() * mu;
    const LocalModel lq = localModel(g, q);  // f* at g: grad = w, Hessian diag(h) + c v v^T
    const VectorXd slack = A * lq.grad - b;
    const double bmu = b.dot(mu);
    if (bmu > 0 && g.norm() <= 1e-10 * bmu) {  // Farkas, as in interiorPoint
      r.kind = IpmResult::Kind::Infeasible;
      break;
    }
    const VectorXd grad = slack - t * mu.cwiseInverse();
    const MatrixXd B = A * lq.h.cwiseSqrt().asDiagonal();
    MatrixXd K = MatrixXd::Zero(m, m);
    K.selfadjointView<Eigen::Lower>().rankUpdate(B);
    if (lq.c != 0) K.selfadjointView<Eigen::Lower>().rankUpdate(VectorXd(A * lq.v), lq.c);
    K.diagonal() += t * mu.cwiseInverse().cwiseAbs2();
    Eigen::LDLT<MatrixXd> ldlt(K.selfadjointView<Eigen::Lower>());
    const VectorXd dmu = -ldlt.solve(grad);
    if (ldlt.info() != Eigen::Success || !dmu.allFinite()) {
      r.kind = IpmResult::Kind::Breakdown;
      break;
    }
    const double decrement = -grad.dot(dmu);
    const double fscale = std::max(1.0, lq.norm * lq.norm);
    control.residual(double(m) * t / fscale);  // the duality gap near the central path, relative
    if (decrement <= 0.1 * t) {
      // Near the central path of this t: the primal point is feasible and the gap is about m t.
      if (double(m) * t <= tol * fscale && slack.minCoeff() >= -tol) {
        r.kind = IpmResult::Kind::Converged;
        break;
      }
      t *= 0.1;
      continue;
    }
    double alpha = std::min(1.0, 0.99 * maxStep(mu, dmu));
    const double phi0 = phi(mu, t);
    bool accepted = false;
    for (int bt = 0; bt < 50; ++bt) {
      const double phin = phi(mu + alpha * dmu, t);
      if (phin <= phi0 - 1e-4 * alpha * decrement) {
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {  // no progress at rounding level: good enough if the gap is small
      if (double(m) * t <= 1e3 * tol * fscale) {
        r.kind = IpmResult::Kind::Converged;
        break;
      }
      t *= 0.1;
      continue;
    }
    mu += alpha * dmu;
  }
  g = A.transpose() * mu;
  r.w = detail::halfSquaredNormGradient(g, q);
  r.s = (A * r.w - b).cwiseMax(0.0);
  r.mu = std::move(mu);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Polish: min f(w) s.t. A_S w = b_S by Newton in the null space of A_S, multipliers by least
// squares (docs/theory.md §5: at the optimum A_S^T mu_S = grad f(w), mu_S >= 0, all other rows satisfied).
// ---------------------------------------------------------------------------------------------------
struct PolishResult {
  bool converged = false;
  VectorXd w;
  VectorXd muS;
  double stationarity = 0;  // ||A_S^T mu_S - grad f||_inf / ||grad f||_inf
};

PolishResult polishOnActiveSet(const MatrixXd& A, const VectorXd& b, double p, const std::vector<int>& S,
                               const VectorXd& wStart, const SolveControl& control) {
  PolishResult out;
  const Eigen::Index n = A.cols();
  const Eigen::Index k = static_cast<Eigen::Index>(S.size());
  MatrixXd AS(k, n);
  VectorXd bS(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    AS.row(i) = A.row(S[static_cast<std::size_t>(i)]);
    bS[i] = b[S[static_cast<std::size_t>(i)]];
  }
  VectorXd w = wStart;
  Eigen::ColPivHouseholderQR<MatrixXd> qr(AS.transpose());  // A_S^T P = Q R
  qr.setThreshold(1e-12);
  const Eigen::Index rank = qr.rank();
  const MatrixXd Q = qr.householderQ();
  const MatrixXd Z = Q.rightCols(n - rank);
  const MatrixXd Y = Q.leftCols(rank);

  // Projection onto {A_S w = b_S}: w += Y (A_S Y)^+ (b_S - A_S w). A_S Y has full column rank.
  const MatrixXd ASY = AS * Y;
  Eigen::ColPivHouseholderQR<MatrixXd> qrY(ASY);
  auto project = [&](VectorXd& x) {
    if (rank > 0) x += Y * qrY.solve(VectorXd(bS - AS * x));
  };
  project(w);
  if (k > 0 && (AS * w - bS).cwiseAbs().maxCoeff() > 1e-9 * std::max(1.0, bS.cwiseAbs().maxCoeff()))
    return out;  // inconsistent active set

  LocalModel lm = localModel(w, p);
  for (int it = 0; it < 60 && n - rank > 0; ++it) {
    if (control.stop()) return out;  // not converged
    const VectorXd gz = Z.transpose() * lm.grad;
    const VectorXd zv = Z.transpose() * lm.v;
    MatrixXd Hz = Z.transpose() * lm.h.asDiagonal() * Z;
    if (lm.c != 0) Hz.selfadjointView<Eigen::Lower>().rankUpdate(zv, lm.c);
    Eigen::LDLT<MatrixXd> ldlt(Hz.selfadjointView<Eigen::Lower>());
    VectorXd dy = -ldlt.solve(gz);
    if (!dy.allFinite()) break;
    const double decrement = -gz.dot(dy);
    VectorXd dw = Z * dy;
    double t = 1;
    const double f0 = lm.value();
    LocalModel lmn;
    VectorXd wn;
    bool accepted = false;
    for (int bt = 0; bt < 40; ++bt) {
      wn = w + t * dw;
      lmn = localModel(wn, p);
      // Armijo, or (at rounding level, where f cannot resolve progress) a smaller projected gradient.
      if (lmn.value() <= f0 - 1e-4 * t * decrement ||
          ((Z.transpose() * lmn.grad).norm() < gz.norm() && lmn.value() <= f0 * (1 + 1e-14))) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    const bool tiny = (t * dw).cwiseAbs().maxCoeff() <= 1e-15 * w.cwiseAbs().maxCoeff();
    w = wn;
    if (it % 8 == 7) project(w);
    lm = localModel(w, p);
    if (tiny || decrement <= 1e-30 * f0) break;
  }
  project(w);
  lm = localModel(w, p);
  out.w = w;
  out.muS = k > 0 ? VectorXd(qr.solve(lm.grad)) : VectorXd();
  const double gscale = std::max(lm.grad.cwiseAbs().maxCoeff(), 1e-300);
  out.stationarity =
      ((k > 0 ? VectorXd(AS.transpose() * out.muS) : VectorXd::Zero(n)) - lm.grad).cwiseAbs().maxCoeff() /
      gscale;
  out.converged = out.w.allFinite() && out.muS.allFinite() && out.stationarity <= 1e-11;
  return out;
}

// p < 2: the same polish on the dual side. Minimize F(mu_S) = f*(A_S^T mu_S) - b_S^T mu_S (mu_S free):
// grad F = A_S w - b_S with w = grad f*(A_S^T mu_S), so stationarity holds exactly and Newton drives the
// active rows to equality. The primal form would need |u_j|^{p-2}, infinite where w_j -> 0.
PolishResult polishOnActiveSetDual(const MatrixXd& A, const VectorXd& b, double p, const std::vector<int>& S,
                                   const VectorXd& muStart, const SolveControl& control) {
  PolishResult out;
  const double q = detail::conjugateExponent(p);
  const Eigen::Index n = A.cols();
  const Eigen::Index k = static_cast<Eigen::Index>(S.size());
  MatrixXd AS(k, n);
  VectorXd bS(k), mu(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const int r = S[static_cast<std::size_t>(i)];
    AS.row(i) = A.row(r);
    bS[i] = b[r];
    mu[i] = muStart[r];
  }
  auto F = [&](const VectorXd& x) {
    const double nq = stableNorm(AS.transpose() * x, q);
    return 0.5 * nq * nq - bS.dot(x);
  };
  const double bscale = std::max(1.0, bS.cwiseAbs().maxCoeff());
  LocalModel lq = localModel(AS.transpose() * mu, q);
  for (int it = 0; it < 60; ++it) {
    if (control.stop()) return out;  // not converged
    const VectorXd grad = AS * lq.grad - bS;
    if (grad.cwiseAbs().maxCoeff() <= 1e-15 * bscale) break;
    MatrixXd K = MatrixXd::Zero(k, k);
    K.selfadjointView<Eigen::Lower>().rankUpdate(MatrixXd(AS * lq.h.cwiseSqrt().asDiagonal()));
    if (lq.c != 0) K.selfadjointView<Eigen::Lower>().rankUpdate(VectorXd(AS * lq.v), lq.c);
    Eigen::LDLT<MatrixXd> ldlt(K.selfadjointView<Eigen::Lower>());
    const VectorXd dmu = -ldlt.solve(grad);
    if (!dmu.allFinite()) break;
    const double decrement = -grad.dot(dmu);
    const double f0 = F(mu);
    double t = 1;
    bool accepted = false;
    VectorXd mun;
    LocalModel lqn;
    for (int bt = 0; bt < 40; ++bt) {
      mun = mu + t * dmu;
      lqn = localModel(AS.transpose() * mun, q);
      const double fn = F(mun);
      // Armijo, or (at rounding level, where F cannot resolve progress) a much smaller residual.
      if (fn <= f0 - 1e-4 * t * decrement || (AS * lqn.grad - bS).norm() < 0.5 * grad.norm()) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    mu = mun;
    lq = lqn;
    if (decrement <= 1e-30 * std::max(1.0, std::abs(f0))) break;
  }
  out.w = lq.grad;
  out.muS = mu;
  out.stationarity = (AS * out.w - bS).cwiseAbs().maxCoeff() / bscale;  // here: primal residual
  out.converged = out.w.allFinite() && mu.allFinite() && out.stationarity <= 1e-11;
  return out;
}

// Polish, then repair the active set (a negative multiplier leaves, a violated row joins) until the KKT
// conditions hold on all rows: first all changes at once, then one at a time; sets already tried are
// skipped, so it cannot cycle. Returns true with w and the full multiplier vector on success.
bool polishKkt(const MatrixXd& A, const VectorXd& b, double p, std::vector<int> S, const VectorXd& wStart,
               const VectorXd& muStart, VectorXd& w, VectorXd& mu, const SolveControl& control) {
  const Eigen::Index m = A.rows();
  const double tolViol = 1e-10 * std::max(1.0, b.cwiseAbs().maxCoeff());
  VectorXd start = wStart;
  VectorXd muFull = muStart.cwiseMax(0.0);
  std::vector<std::vector<int>> visited;
  auto seen = [&](std::vector<int> set) {
    std::sort(set.begin(), set.end());
    return std::find(visited.begin(), visited.end(), set) != visited.end();
  };
  // The last set whose polish converged, and the row that joined it (if any): when a grown set turns
  // out inconsistent, some other row must leave, smallest multiplier first.
  std::vector<int> lastGood;
  int joined = -1;
  bool batch = true;  // first try all changes at once (large moves, e.g. continuation in p), then singly
  const int maxAttempts = 4 * static_cast<int>(m) + 12;
  VectorXd fallbackW, fallbackMu;
  auto giveUp = [&] {
    if (fallbackW.size() == 0) return false;
    w = fallbackW;
    mu = fallbackMu;
    return true;
  };
  for (int attempt = 0; attempt < maxAttempts && !S.empty(); ++attempt) {
    if (control.stop()) return false;  // each attempt is a Newton solve on up to all the rows
    std::sort(S.begin(), S.end());
    visited.push_back(S);
    const bool dualForm = p < 2 && static_cast<Eigen::Index>(S.size()) < A.cols();
    const PolishResult pr = dualForm ? polishOnActiveSetDual(A, b, p, S, muFull, control)
                                     : polishOnActiveSet(A, b, p, S, start, control);
    std::vector<int> next;
    if (!pr.converged) {
      if (batch &&
          !lastGood.empty()) {  // the batch overshot: back to the last good set, one change at a time
        batch = false;
        S = lastGood;
        visited.pop_back();
        visited.erase(std::remove(visited.begin(), visited.end(), lastGood), visited.end());
        continue;
      }
      std::vector<int> order;
      for (int k : S)
        if (k != joined) order.push_back(k);
      std::sort(order.begin(), order.end(), [&](int a, int c) { return muFull[a] < muFull[c]; });
      for (int drop : order) {
        std::vector<int> cand;
        for (int k : S)
          if (k != drop) cand.push_back(k);
        if (!seen(cand)) {
          next = std::move(cand);
          break;
        }
      }
      if (next.empty()) return giveUp();
      S = std::move(next);
      continue;
    }
    lastGood = S;
    PolishResult& prm = const_cast<PolishResult&>(pr);
    if (pr.muS.size() > 0 && pr.muS.minCoeff() < 0) {
      // Dependent active rows (degenerate vertices are common in hand-made scenes) have many multiplier
      // vectors; least squares may pick one with small negative entries when a nonnegative one exists.
      MatrixXd AS(static_cast<Eigen::Index>(S.size()), A.cols());
      for (std::size_t i = 0; i < S.size(); ++i) AS.row(static_cast<Eigen::Index>(i)) = A.row(S[i]);
      const VectorXd g = AS.transpose() * pr.muS;  // = grad f(w) up to the polish's stationarity
      const VectorXd nn = detail::nonnegativeLeastSquares(AS.transpose(), g);
      if ((AS.transpose() * nn - g).cwiseAbs().maxCoeff() <=
          1e-11 * std::max(g.cwiseAbs().maxCoeff(), 1e-300))
        prm.muS = nn;
    }
    const double muScale = std::max(pr.muS.cwiseAbs().maxCoeff(), 1e-300);
    const VectorXd slack = A * pr.w - b;
    std::vector<int> negative, violated;
    std::ptrdiff_t worstNeg = -1;
    Eigen::Index worstViol = -1;
    for (std::size_t i = 0; i < S.size(); ++i) {
      const double l = pr.muS[static_cast<Eigen::Index>(i)];
      muFull[S[i]] = std::max(0.0, l);
      if (l < -1e-10 * muScale) {
        negative.push_back(S[i]);
        if (worstNeg < 0 || l < pr.muS[worstNeg]) worstNeg = static_cast<std::ptrdiff_t>(i);
      }
    }
    for (Eigen::Index r = 0; r < m; ++r) {
      if (slack[r] < -tolViol && std::find(S.begin(), S.end(), static_cast<int>(r)) == S.end()) {
        violated.push_back(static_cast<int>(r));
        if (worstViol < 0 || slack[r] < slack[worstViol]) worstViol = r;
      }
    }
    // Degenerate vertices (several rows active with multipliers ~0, common at large p and in hand-made
    // scenes) can leave multipliers like -1e-7 that are noise from nearly dependent rows rather than a
    // wrong active set. With every row met, such a point is kept as the fallback should the repair not
    // find exact KKT (multipliers clipped to 0; the certificate then reports its gap honestly).
    if (violated.empty() && !negative.empty() && pr.muS.minCoeff() >= -1e-6 * muScale &&
        fallbackW.size() == 0) {
      fallbackW = pr.w;
      fallbackMu = VectorXd::Zero(m);
      for (std::size_t i = 0; i < S.size(); ++i)
        fallbackMu[S[i]] = std::max(0.0, pr.muS[static_cast<Eigen::Index>(i)]);
    }
    if (negative.empty() && violated.empty()) {  // KKT holds on every row
      w = pr.w;
      mu = VectorXd::Zero(m);
      for (std::size_t i = 0; i < S.size(); ++i)
        mu[S[i]] = std::max(0.0, pr.muS[static_cast<Eigen::Index>(i)]);
      return true;
    }
    start = pr.w;
    joined = -1;
    if (batch) {
      for (int k : S)
        if (std::find(negative.begin(), negative.end(), k) == negative.end()) next.push_back(k);
      next.insert(next.end(), violated.begin(), violated.end());
      if (seen(next)) batch = false;
    }
    if (!batch) {
      next = S;
      if (worstNeg >= 0) next.erase(next.begin() + worstNeg);
      if (worstViol >= 0) {
        next.push_back(static_cast<int>(worstViol));
        joined = static_cast<int>(worstViol);
      }
      if (seen(next)) return giveUp();
    }
    S = std::move(next);
  }
  return giveUp();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Certificate (docs/theory.md §5): w scaled to be exactly feasible, lambda = mu / ||A^T mu||_q.
// ---------------------------------------------------------------------------------------------------
// b - A w row by row in extended precision (64-bit mantissa: each product of two doubles is exact to
// 2^-64 relative, far below a double's rounding), so a shortfall of 1e-16 that double arithmetic rounds
// away is seen. What the certificate reports is then what exact arithmetic on w gives.
VectorXd accurateResidual(const Eigen::Ref<const MatrixXd>& A, const Eigen::Ref<const VectorXd>& b,
                          const VectorXd& w) {
  VectorXd r(A.rows());
  for (Eigen::Index k = 0; k < A.rows(); ++k) {
    long double s = b[k];
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      s -= static_cast<long double>(A(k, j)) * static_cast<long double>(w[j]);
    r[k] = static_cast<double>(s);
  }
  return r;
}

void certify(const Eigen::Ref<const MatrixXd>& A, const Eigen::Ref<const VectorXd>& b, double p, VectorXd w,
             VectorXd mu, SvmSolution& sol) {
  const double q = detail::conjugateExponent(p);
  VectorXd residual = accurateResidual(A, b, w);
  if (const double scale = detail::exactFeasibilityScale(b, b - residual); scale > 0) {
    w *= scale;
    residual = accurateResidual(A, b, w);
    // Rounding (of the scale, and of each w_j once scaled) can leave a tight row a hair short: by up
    // to eps times sum_j |a_kj w_j|, which cancellation makes much larger than eps * b_k. Scale up by
    // the shortfall plus that much, and check again.
    constexpr double eps = std::numeric_limits<double>::epsilon();
    for (int i = 0; i < 4 && residual.size() && residual.maxCoeff() > 0; ++i) {
      double bump = 0;
      for (Eigen::Index k = 0; k < b.size(); ++k)
        if (b[k] > 0)
          bump = std::max(
              bump, (std::max(0.0, residual[k]) + 4 * eps * A.row(k).cwiseAbs().dot(w.cwiseAbs())) / b[k]);
      w *= 1 + bump;
      residual = accurateResidual(A, b, w);
    }
  }
  sol.w = w;
  sol.value = stableNorm(w, p);
  mu = mu.cwiseMax(0.0);
  detail::fillCertificate(sol, b, b - residual, mu, stableNorm(A.transpose() * mu, q));
  sol.violation = residual.size() ? std::max(0.0, residual.maxCoeff()) : 0.0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] solveLpSvm (docs/theory.md §5)
// ---------------------------------------------------------------------------------------------------
SvmSolution solveLpSvm(const Eigen::Ref<const MatrixXd>& A, const Eigen::Ref<const VectorXd>& b, double p,
                       const SvmOptions& options) {
  SvmSolution sol;
  const Eigen::Index m = A.rows(), n = A.cols();
  const SolveControl control = detail::solveControl(options);
  if (std::string tooLarge = svmSizeProblem({n, m}); !tooLarge.empty()) {
    sol.status = SvmStatus::Skipped;
    sol.reason = std::move(tooLarge);
    return sol;  // before any allocation: the Newton matrices alone would be N x N
  }
  sol.w = VectorXd::Zero(n);
  sol.lambda = VectorXd::Zero(m);
  if (!(p > 1 && p <= 20)) {
    sol.reason = "p must be in (1, 20], got " + detail::shortNumber(p);
    return sol;
  }
  if (b.size() != m) {
    sol.reason = "A has " + std::to_string(m) + " rows but b has " + std::to_string(b.size()) + " entries";
    return sol;
  }
  if (!A.allFinite() || !b.allFinite()) {
    sol.reason = "the constraints contain NaN or inf";
    return sol;
  }

  // Zero rows: 0 >= b_k is impossible for b_k > 0 (a non-selected token equal to the selected one, or
  // z_i = 0) and void otherwise. "Zero" is relative to the largest row, so rounding noise counts.
  VectorXd rowNorm = A.rowwise().norm();
  const double rowMax = m ? rowNorm.maxCoeff() : 0.0;
  std::vector<int> rows;
  for (Eigen::Index k = 0; k < m; ++k) {
    if (rowNorm[k] <= 1e-12 * rowMax || rowNorm[k] == 0) {
      if (b[k] > 0) {
        sol.status = SvmStatus::Infeasible;
        sol.reason = "constraint " + std::to_string(k) + " reads 0 >= " + detail::shortNumber(b[k]) +
                     " (its row is zero)";
        sol.certificateRows = {static_cast<int>(k)};
        return sol;
      }
      continue;
    }
    rows.push_back(static_cast<int>(k));
  }
  bool anyPositive = false;
  for (int k : rows) anyPositive = anyPositive || b[k] > 0;
  if (!anyPositive) {  // w = 0 is feasible, hence optimal
    sol.status = SvmStatus::Optimal;
    for (int k : rows)
      if (b[k] >= 0) sol.active.push_back(k);
    return sol;
  }
  // Columns no kept row touches: w_j = 0 at the optimum.
  std::vector<int> cols;
  for (Eigen::Index j = 0; j < n; ++j) {
    bool used = false;
    for (int k : rows) used = used || A(k, j) != 0;
    if (used) cols.push_back(static_cast<int>(j));
  }
  const Eigen::Index mk = static_cast<Eigen::Index>(rows.size());
  const Eigen::Index nk = static_cast<Eigen::Index>(cols.size());
  const double q = detail::conjugateExponent(p);

  // Scaled problem: unit rows, and b divided by the one-row lower bound max_k b_k / ||a_k||_q on the
  // optimal norm, so the solution has norm >= 1 and O(1) in typical instances.
  MatrixXd As(mk, nk);
  VectorXd bs(mk);
  for (Eigen::Index i = 0; i < mk; ++i) {
    const int k = rows[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < nk; ++j) As(i, j) = A(k, cols[static_cast<std::size_t>(j)]) / rowNorm[k];
    bs[i] = b[k] / rowNorm[k];
  }
  double lower = 0;
  for (Eigen::Index i = 0; i < mk; ++i) lower = std::max(lower, bs[i] / stableNorm(As.row(i).transpose(), q));
  bs /= lower;

  VectorXd ws, mus;
  bool solved = false;
  // Warm start (e.g. one token moved): Newton on the previous active set, accepted only if the KKT
  // conditions hold for every row.
  if (options.warmStartLambda && options.warmStartLambda->size() == m) {
    const VectorXd& lw = *options.warmStartLambda;
    const double lmax = lw.cwiseAbs().maxCoeff();
    std::vector<int> S;
    VectorXd muw(mk);
    for (Eigen::Index i = 0; i < mk; ++i) {
      const int k = rows[static_cast<std::size_t>(i)];
      muw[i] = std::max(0.0, lw[k]) * rowNorm[k];
      if (lw[k] > 1e-9 * lmax) S.push_back(static_cast<int>(i));
    }
    if (!S.empty() && lmax > 0) {
      const VectorXd w0 = detail::halfSquaredNormGradient(As.transpose() * muw, q);
      solved = polishKkt(As, bs, p, S, w0, muw, ws, mus, control);
      if (solved) sol.iterations = 0;
    }
  }
  // Cold start: a chain of strategies, each ending in the active-set polish; the first whose KKT check
  // passes wins.
  //  - primal-dual interior point at p (the workhorse);
  //  - p > 2 with fewer rows than unknowns: the directions no row sees make the primal-dual Newton crawl
  //    (grad f has exponent p - 1 there), so first solve at p = 2 and polish at p from its active set
  //    (continuation in p; the polish repairs the active set);
  //  - the dual barrier method as the last resort.
  // The p = 2 run (a QP) is also the reliable infeasibility test: for p < 2 the primal-dual iterates of
  // an infeasible problem can drift off without the Farkas test firing.
  const int maxIt = std::max(options.maxIterations, 1);
  IpmResult last;
  auto activeOf = [&](const IpmResult& r) {
    std::vector<int> S;
    for (Eigen::Index i = 0; i < mk; ++i)
      if (r.mu[i] > r.s[i]) S.push_back(static_cast<int>(i));
    return S;
  };
  enum class Strategy { PrimalDual, Continuation, DualBarrier };
  std::vector<Strategy> chain;
  if (p > 2 && mk < nk)
    chain = {Strategy::Continuation, Strategy::PrimalDual, Strategy::DualBarrier};
  else if (p != 2)
    chain = {Strategy::PrimalDual, Strategy::Continuation, Strategy::DualBarrier};
  else
    chain = {Strategy::PrimalDual, Strategy::DualBarrier};
  for (Strategy st : chain) {
    if (solved) break;
    const double tol = options.gapTolerance;
    IpmResult r = st == Strategy::PrimalDual     ? interiorPoint(As, bs, p, maxIt, tol, control)
                  : st == Strategy::Continuation ? interiorPoint(As, bs, 2.0, maxIt, tol, control)
                                                 : dualBarrier(As, bs, p, maxIt, tol, control);
    sol.iterations += r.iterations;
    if (r.kind == IpmResult::Kind::Cancelled) {
      sol.status = SvmStatus::Failed;
      sol.reason = "cancelled";
      return sol;
    }
    if (r.kind == IpmResult::Kind::Infeasible) {
      sol.status = SvmStatus::Infeasible;
      const double muMax = r.mu.maxCoeff();
      if (!r.farkas.empty()) {
        for (int i : r.farkas) sol.certificateRows.push_back(rows[static_cast<std::size_t>(i)]);
      } else {
        for (Eigen::Index i = 0; i < mk; ++i)
          if (r.mu[i] > 1e-6 * muMax) sol.certificateRows.push_back(rows[static_cast<std::size_t>(i)]);
      }
      sol.reason = "the constraints cannot all be met: a nonnegative combination of " +
                   std::to_string(sol.certificateRows.size()) +
                   " rows vanishes (too few dimensions for these constraints)";
      return sol;
    }
    if (r.kind == IpmResult::Kind::Converged || r.kind == IpmResult::Kind::NotConverged)
      solved = polishKkt(As, bs, p, activeOf(r), r.w, r.mu, ws, mus, control);
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
      sol.status = SvmStatus::Failed;
      sol.reason = "cancelled";
      return sol;
    }
    if (st != Strategy::Continuation || last.w.size() == 0) last = std::move(r);
  }
  if (!solved) {  // certify the best interior point we have; the status will say how good it is
    ws = last.w;
    mus = last.mu;
    if (last.kind != IpmResult::Kind::Converged)
      sol.reason = last.kind == IpmResult::Kind::Breakdown
                       ? "the Newton system broke down"
                       : "no convergence in " + std::to_string(sol.iterations) + " iterations";
  }

  // Back to the caller's coordinates: w = lower * ws on the kept columns, mu_k = mus_k / ||a_k||_2.
  VectorXd w = VectorXd::Zero(n), mu = VectorXd::Zero(m);
  for (Eigen::Index j = 0; j < nk; ++j) w[cols[static_cast<std::size_t>(j)]] = lower * ws[j];
  for (Eigen::Index i = 0; i < mk; ++i) {
    const int k = rows[static_cast<std::size_t>(i)];
    mu[k] = mus[i] / rowNorm[k];
  }
  certify(A, b, p, w, mu, sol);
  const double rowScale = std::max(1.0, A.rowwise().norm().maxCoeff() * sol.w.norm());
  const bool accurate = sol.w.allFinite() && std::abs(sol.gap) <= options.acceptableGap &&
                        sol.violation <= options.feasibilityTolerance * rowScale;
  if (accurate) {
    sol.status = SvmStatus::Optimal;
    sol.reason.clear();
  } else {
    sol.status = SvmStatus::Failed;
    if (sol.reason.empty())
      sol.reason = "the solver stopped short of the requested accuracy (gap " + detail::shortNumber(sol.gap) +
                   ", violation " + detail::shortNumber(sol.violation) + ")";
  }
  return sol;
}

}  // namespace attnmd::core
