// Models, losses and exact gradients (docs/theory.md §2-3, §8.2): finite differences at random points, a
// long double reference at saturated points (1 - s < 1e-300), stability of the losses, the log form
// of 1 - s, determinism of the threaded path and a hot loop that allocates nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "core/model.h"
#include "core/optimizer.h"

using namespace attnmd::core;

// ---------------------------------------------------------------------------------------------------
// Allocation counter: the test executable's malloc wraps glibc's, counting while enabled. Not under
// AddressSanitizer, which owns malloc itself.
// ---------------------------------------------------------------------------------------------------
#if defined(__SANITIZE_ADDRESS__)
#define ATTNMD_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATTNMD_COUNT_ALLOCS 0
#endif
#endif
#ifndef ATTNMD_COUNT_ALLOCS
#if defined(__GLIBC__)
#define ATTNMD_COUNT_ALLOCS 1
#else
#define ATTNMD_COUNT_ALLOCS 0
#endif
#endif

namespace {
std::atomic<bool> gCountAllocs{false};
std::atomic<long> gAllocs{0};
}  // namespace

#if ATTNMD_COUNT_ALLOCS
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* malloc(std::size_t n) {
  if (gCountAllocs.load(std::memory_order_relaxed)) gAllocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
#endif

namespace {

struct SceneOptions {
  ModelKind kind = ModelKind::Query;
  LossKind loss = LossKind::Logistic;
  bool trainV = false;
  bool givenQuery = false;
  bool keyMatrix = false;  // prompt: a random M instead of identity
  int rank = 0;            // kq
  int n = 4, d = 3, Tmin = 2, Tmax = 5;
};

Scene randomScene(std::mt19937_64& rng, const SceneOptions& o) {
  std::normal_distribution<double> N(0.0, 1.0);
  std::uniform_int_distribution<int> Tdist(o.Tmin, o.Tmax);
  Scene s;
  s.dim = o.d;
  s.model.kind = o.kind;
  s.model.loss = o.loss;
  s.model.trainV = o.trainV;
  s.model.rank = o.rank;
  s.model.query = o.givenQuery ? QueryKind::Given : QueryKind::First;
  s.model.v = Eigen::VectorXd::NullaryExpr(o.d, [&] { return N(rng); });
  if (o.keyMatrix) s.model.keyMatrix = Eigen::MatrixXd::NullaryExpr(o.d, o.d, [&] { return N(rng); });
  for (int i = 0; i < o.n; ++i) {
    Sequence q;
    q.y = (rng() & 1u) ? 1 : -1;
    q.tokens = Eigen::MatrixXd::NullaryExpr(Tdist(rng), o.d, [&] { return N(rng); });
    if (o.givenQuery) q.z = Eigen::VectorXd::NullaryExpr(o.d, [&] { return N(rng); });
    s.sequences.push_back(q);
  }
  s.init.kind = InitKind::Gaussian;
  s.seed = rng();
  return s;
}

std::string describe(const SceneOptions& o, std::uint64_t seed) {
  return std::string("model=") + enumName(o.kind) + " loss=" + enumName(o.loss) +
         " trainV=" + (o.trainV ? "1" : "0") + " given=" + (o.givenQuery ? "1" : "0") +
         " M=" + (o.keyMatrix ? "1" : "0") + " rank=" + std::to_string(o.rank) +
         " seed=" + std::to_string(seed);
}

std::vector<SceneOptions> allModelVariants() {
  std::vector<SceneOptions> out;
  for (LossKind loss : {LossKind::Logistic, LossKind::Exponential, LossKind::Correlation})
    for (bool trainV : {false, true}) {
      SceneOptions o;
      o.loss = loss;
      o.trainV = trainV;
      o.kind = ModelKind::Prompt;
      out.push_back(o);
      o.keyMatrix = true;
      out.push_back(o);
      o.keyMatrix = false;
      o.kind = ModelKind::Query;
      out.push_back(o);
      o.givenQuery = true;
      o.d = 4;
      out.push_back(o);
      o.givenQuery = false;
      o.kind = ModelKind::KQ;
      o.rank = 2;
      out.push_back(o);
      o.rank = 0;
      o.d = 3;
      out.push_back(o);
    }
  return out;
}

Params saturate(const Scene& s, const Params& P, double gap);

// Central differences of L (fourth order), entry by entry; relative error per tensor in the Frobenius norm.
void expectGradientMatchesFiniteDifferences(const Scene& s, const Params& P, const std::string& what) {
  Params g;
  const Evaluation e = evaluate(s, P);
  gradient(s, P, e, g);
  Params Pc = P, gc = g;
  auto th = trainedTensors(s, Pc);
  auto gt = trainedTensors(s, gc);
  const auto names = trainedTensorNames(s);
  for (std::size_t k = 0; k < th.size(); ++k) {
    Eigen::MatrixXd fd(th[k].rows(), th[k].cols());
    for (Eigen::Index j = 0; j < th[k].size(); ++j) {
      const double x = th[k](j);
      const double h = 1e-4;  // absolute: logits move by ~1e-4 whatever the size of theta
      auto at = [&](double dx) {
        th[k](j) = x + dx;
        return evaluate(s, Pc).loss;
      };
      // Fourth-order central stencil: truncation O(h^4), rounding O(eps / h).
      fd(j) = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
      th[k](j) = x;
    }
    const double denom = std::max(gt[k].norm(), 1e-8);
    EXPECT_LT((fd - gt[k]).norm() / denom, 1e-6) << what << " tensor " << names[k] << "\nanalytic\n"
                                                 << gt[k] << "\nfd\n"
                                                 << fd;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Losses (docs/theory.md §2)
// ---------------------------------------------------------------------------------------------------

TEST(Loss, LogisticMatchesNaiveWhereNaiveIsExactAndStaysFiniteBeyond) {
  for (double u = -30; u <= 30; u += 0.37) {
    EXPECT_NEAR(lossValue(LossKind::Logistic, u), std::log(1 + std::exp(-u)), 1e-14 * (1 + std::abs(u))) << u;
    EXPECT_NEAR(lossDerivative(LossKind::Logistic, u), -1 / (1 + std::exp(u)), 1e-15) << u;
    EXPECT_NEAR(lossLogDerivativeMagnitude(LossKind::Logistic, u), std::log(1 / (1 + std::exp(u))),
                1e-13 * (1 + std::abs(u)))
        << u;
  }
  // Huge |u|: log(1 + e^-u) = -u + log1p(e^u) for u -> -inf, = e^-u for u -> +inf.
  EXPECT_DOUBLE_EQ(lossValue(LossKind::Logistic, -1e6), 1e6);
  EXPECT_DOUBLE_EQ(lossDerivative(LossKind::Logistic, -1e6), -1.0);
  EXPECT_EQ(lossValue(LossKind::Logistic, 1e6), 0.0);
  EXPECT_EQ(lossDerivative(LossKind::Logistic, 1e6), -0.0);
  EXPECT_DOUBLE_EQ(lossLogDerivativeMagnitude(LossKind::Logistic, 1e6), -1e6);  // exact where l' underflows
  EXPECT_NEAR(lossValue(LossKind::Logistic, 700), std::exp(-700.0), 1e-15 * std::exp(-700.0));
}

TEST(Loss, ExponentialAndCorrelation) {
  for (double u : {-700.0, -3.0, 0.0, 2.5, 800.0}) {
    EXPECT_DOUBLE_EQ(lossValue(LossKind::Exponential, u), std::exp(-u));
    EXPECT_DOUBLE_EQ(lossDerivative(LossKind::Exponential, u), -std::exp(-u));
    EXPECT_DOUBLE_EQ(lossLogDerivativeMagnitude(LossKind::Exponential, u), -u);
    EXPECT_DOUBLE_EQ(lossValue(LossKind::Correlation, u), -u);
    EXPECT_DOUBLE_EQ(lossDerivative(LossKind::Correlation, u), -1.0);
  }
  // Below u ~ -709 the exponential loss overflows: the forward pass reports it as not finite.
  EXPECT_TRUE(std::isinf(lossValue(LossKind::Exponential, -800)));
}

// ---------------------------------------------------------------------------------------------------
// Forward pass
// ---------------------------------------------------------------------------------------------------

TEST(Evaluate, SoftmaxOutputAndLossAgreeWithTheDefinitions) {
  const std::uint64_t seed = 11;
  std::mt19937_64 rng(seed);
  for (const SceneOptions& o : allModelVariants()) {
    const Scene s = randomScene(rng, o);
    const Params P = initialParams(s);
    const Evaluation e = evaluate(s, P);
    const Eigen::MatrixXd W = effectiveW(s, P);
    double L = 0;
    for (int i = 0; i < s.sequenceCount(); ++i) {
      const Sequence& q = s.sequences[static_cast<std::size_t>(i)];
      const SequenceEval& se = e.seqs[static_cast<std::size_t>(i)];
      Eigen::VectorXd a;
      if (o.kind == ModelKind::Prompt)
        a = q.tokens * (s.keyMatrixOrIdentity().transpose() * P.p);
      else
        a = q.tokens * (W * s.queryOf(i));
      EXPECT_LT((a - se.logits).norm(), 1e-12 * (1 + a.norm())) << describe(o, seed);
      const Eigen::VectorXd sm = (a.array() - a.maxCoeff()).exp() / (a.array() - a.maxCoeff()).exp().sum();
      EXPECT_LT((sm - se.probs).norm(), 1e-14) << describe(o, seed);
      const double f = sm.dot(q.tokens * P.v);
      EXPECT_NEAR(se.output, f, 1e-13 * (1 + std::abs(f))) << describe(o, seed);
      EXPECT_NEAR(std::exp(se.logUnselected), 1 - sm.maxCoeff(), 1e-14) << describe(o, seed);
      L += lossValue(o.loss, q.y * f);
    }
    EXPECT_NEAR(e.loss, L / s.sequenceCount(), 1e-13 * (1 + std::abs(L))) << describe(o, seed);
    EXPECT_TRUE(e.finite);
  }
}

TEST(Evaluate, LogUnselectedIsExactFarBelowTheDoubleRange) {
  // One sequence, gaps 1000 and 1200 between the selected logit and the others: 1 - s = e^-1000 + ...
  Scene s;
  s.dim = 1;
  s.model.kind = ModelKind::Prompt;
  s.model.v = Eigen::VectorXd::Ones(1);
  Sequence q;
  q.tokens.resize(3, 1);
  q.tokens << 1.0, 0.0, -0.2;
  s.sequences.push_back(q);
  Params P = initialParams(s);
  P.p << 1000.0;
  const Evaluation e = evaluate(s, P);
  const double expected = -1000.0 + std::log1p(std::exp(-200.0));  // log(e^-1000 + e^-1200), 1+S = 1
  EXPECT_NEAR(e.seqs[0].logUnselected, expected, 1e-12 * 1000);
  EXPECT_EQ(e.seqs[0].selected, 0);
  EXPECT_EQ(e.seqs[0].probs[0], 1.0);
}

// ---------------------------------------------------------------------------------------------------
// Gradients: central finite differences (docs/theory.md §8.2)
// ---------------------------------------------------------------------------------------------------

TEST(Gradient, MatchesFiniteDifferencesForEveryModelLossAndJointV) {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937_64 rng(seed);
    for (const SceneOptions& o : allModelVariants()) {
      const Scene s = randomScene(rng, o);
      const Params P = initialParams(s);
      expectGradientMatchesFiniteDifferences(s, P, describe(o, seed));
      // Sharper attention (every 1 - s below e^-6): the centered derivative is exercised while
      // finite differences still resolve the gradient.
      expectGradientMatchesFiniteDifferences(s, saturate(s, P, 6.0), describe(o, seed) + " gap 6");
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Gradients at saturated points: 1 - s < 1e-300, where finite differences of L (which moves by
// 1e-300) mean nothing. Reference: the naive formula in long double (range down to 1e-4951) with the
// exact identity df/da_t = s_t sum_tau s_tau (h_t - h_tau), which has no cancellation, so it needs no
// centering trick: an independent check of the scaled, centered double implementation.
// ---------------------------------------------------------------------------------------------------

namespace {

using MatL = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;

struct RefGradient {
  MatL att;   // W (query), p as d x 1 (prompt), or G = grad_W (kq)
  MatL K, Q;  // kq
  MatL v;     // d x 1
  long double maxLogUnselectedErr = 0;
};

long double refLossSlope(LossKind k, long double u) {
  switch (k) {
    case LossKind::Logistic:
      return -1.0L / (1.0L + std::exp(u));
    case LossKind::Exponential:
      return -std::exp(-u);
    case LossKind::Correlation:
      return -1.0L;
  }
  return 0;
}

RefGradient referenceGradient(const Scene& s, const Params& P, const Evaluation& e) {
  const int d = s.dim;
  const MatL W = effectiveW(s, P).cast<long double>();
  const MatL M = s.keyMatrixOrIdentity().cast<long double>();
  const MatL v = P.v.cast<long double>();
  RefGradient r;
  r.att = MatL::Zero(d, s.model.kind == ModelKind::Prompt ? 1 : d);
  r.v = MatL::Zero(d, 1);
  const long double n = s.sequenceCount();
  for (int i = 0; i < s.sequenceCount(); ++i) {
    const Sequence& q = s.sequences[static_cast<std::size_t>(i)];
    const MatL X = q.tokens.cast<long double>();
    const MatL z = s.queryOf(i).cast<long double>();
    MatL a = s.model.kind == ModelKind::Prompt ? MatL(X * (M.transpose() * P.p.cast<long double>()))
                                               : MatL(X * (W * z));
    const MatL h = X * v;
    const long double amax = a.maxCoeff();
    MatL sm = (a.array() - amax).exp().matrix();
    sm /= sm.sum();
    const long double f = (sm.transpose() * h)(0, 0);
    const Eigen::Index T = X.rows();
    MatL c(T, 1);
    long double others = 0;
    for (Eigen::Index t = 0; t < T; ++t) {
      long double acc = 0;
      for (Eigen::Index tau = 0; tau < T; ++tau) acc += sm(tau, 0) * (h(t, 0) - h(tau, 0));
      c(t, 0) = sm(t, 0) * acc;
      if (t != e.seqs[static_cast<std::size_t>(i)].selected) others += sm(t, 0);
    }
    const long double w = refLossSlope(s.model.loss, q.y * f) * q.y / n;
    const MatL xc = X.transpose() * c;
    if (s.model.kind == ModelKind::Prompt)
      r.att += w * (M * xc);  // da/dp = M x
    else
      r.att += w * xc * z.transpose();
    r.v += w * (X.transpose() * sm);
    const long double lu = std::log(others);
    if (lu > -11000.0L)  // below ~e^-11355 long double itself turns denormal
      r.maxLogUnselectedErr =
          std::max(r.maxLogUnselectedErr, std::abs(lu - e.seqs[static_cast<std::size_t>(i)].logUnselected) /
                                              std::max(1.0L, std::abs(lu)));
  }
  if (s.model.kind == ModelKind::KQ) {
    r.K = r.att * P.Q.cast<long double>();
    r.Q = r.att.transpose() * P.K.cast<long double>();
  }
  return r;
}

long double relErr(const MatL& ref, const Eigen::MatrixXd& got, double logScale) {
  const MatL g = got.cast<long double>() * std::exp(static_cast<long double>(logScale));
  return (g - ref).norm() / ref.norm();
}

// Scales the attention parameter so the smallest gap a_alpha - a_second over all sequences is `gap`.
Params saturate(const Scene& s, const Params& P, double gap) {
  const Evaluation e = evaluate(s, P);
  double minGap = INFINITY;
  for (const SequenceEval& se : e.seqs) {
    double second = -INFINITY;
    for (Eigen::Index t = 0; t < se.logits.size(); ++t)
      if (t != se.selected) second = std::max(second, se.logits[t]);
    minGap = std::min(minGap, se.logits[se.selected] - second);
  }
  const double f = gap / minGap;
  Params Q = P;
  for (auto& t : trainedTensors(s, Q)) t *= (s.model.kind == ModelKind::KQ ? std::sqrt(f) : f);
  if (s.model.trainV) Q.v = P.v;
  return Q;
}

}  // namespace

TEST(Gradient, StaysExactWhenAttentionSaturatesBelow1em300) {
  if (LDBL_MAX_EXP < 16384) GTEST_SKIP() << "long double has no extended exponent range here";
  for (std::uint64_t seed : {4u, 5u}) {
    std::mt19937_64 rng(seed);
    for (const SceneOptions& o : allModelVariants()) {
      if (o.loss == LossKind::Exponential && o.trainV) continue;  // same code path as logistic
      const Scene s = randomScene(rng, o);
      const Params P0 = initialParams(s);
      for (double gap : {700.0, 1500.0, 5000.0}) {
        const Params P = saturate(s, P0, gap);
        const Evaluation e = evaluate(s, P);
        double maxLogU = -INFINITY;
        for (const SequenceEval& se : e.seqs) maxLogU = std::max(maxLogU, se.logUnselected);
        ASSERT_LT(maxLogU, std::log(1e-300)) << describe(o, seed);  // truly saturated
        Params g;
        GradientScale sc;
        gradient(s, P, e, g, &sc);
        const RefGradient ref = referenceGradient(s, P, e);
        const std::string what = describe(o, seed) + " gap=" + std::to_string(gap);
        EXPECT_LT(ref.maxLogUnselectedErr, 1e-12L) << what;
        switch (o.kind) {
          case ModelKind::Query:
            EXPECT_LT(relErr(ref.att, g.W, sc.attention), 1e-9L) << what;
            break;
          case ModelKind::Prompt:
            EXPECT_LT(relErr(ref.att, g.p, sc.attention), 1e-9L) << what;
            break;
          case ModelKind::KQ:
            EXPECT_LT(relErr(ref.K, g.K, sc.attention), 1e-9L) << what;
            EXPECT_LT(relErr(ref.Q, g.Q, sc.attention), 1e-9L) << what;
            break;
        }
        if (o.trainV) {
          EXPECT_LT(relErr(ref.v, g.v, sc.v), 1e-12L) << what;
        }

        // The point is a real test: the textbook double formula s_t (h_t - f) is wrong here.
        if (o.kind == ModelKind::Query && !o.trainV) {
          Eigen::MatrixXd naive = Eigen::MatrixXd::Zero(s.dim, s.dim);
          for (int i = 0; i < s.sequenceCount(); ++i) {
            const SequenceEval& se = e.seqs[static_cast<std::size_t>(i)];
            const Sequence& q = s.sequences[static_cast<std::size_t>(i)];
            const Eigen::VectorXd c = se.probs.array() * (se.values.array() - se.probs.dot(se.values));
            naive += lossDerivative(o.loss, se.margin) * q.y / s.sequenceCount() *
                     (q.tokens.transpose() * c) * s.queryOf(i).transpose();
          }
          EXPECT_GT(relErr(ref.att, naive, 0.0), 1e-3L) << what;
        }
      }
    }
  }
}

TEST(Gradient, NaturalUnitsAgreeWithTheScaledFormWhereRepresentable) {
  std::mt19937_64 rng(9);
  SceneOptions o;
  const Scene s = randomScene(rng, o);
  const Params P = saturate(s, initialParams(s), 300.0);  // ~1e-130: representable
  const Evaluation e = evaluate(s, P);
  Params g1, g2;
  GradientScale sc;
  gradient(s, P, e, g1);
  gradient(s, P, e, g2, &sc);
  EXPECT_LT((g1.W - g2.W * std::exp(sc.attention)).norm(), 1e-12 * g1.W.norm());
  EXPECT_GT(g1.W.norm(), 0.0);
}

// ---------------------------------------------------------------------------------------------------
// Initialization, determinism, threads, allocations
// ---------------------------------------------------------------------------------------------------

TEST(Init, GaussianIsDeterministicPerSeedAndShapedPerModel) {
  std::mt19937_64 rng(3);
  SceneOptions o;
  o.kind = ModelKind::KQ;
  o.rank = 2;
  Scene s = randomScene(rng, o);
  s.seed = 42;
  const Params a = initialParams(s), b = initialParams(s);
  EXPECT_EQ(a.K, b.K);
  EXPECT_EQ(a.Q, b.Q);
  EXPECT_EQ(a.K.rows(), 3);
  EXPECT_EQ(a.K.cols(), 2);
  EXPECT_EQ(a.W.size(), 0);
  s.seed = 43;
  EXPECT_NE(initialParams(s).K, a.K);
  // Sample moments of many draws: mean ~ 0, variance ~ scale^2.
  Scene big = s;
  big.dim = 60;
  big.model.rank = 60;
  big.init.scale = 2.0;
  const Params c = initialParams(big);
  const double mean = c.K.mean(), var = (c.K.array() - mean).square().mean();
  EXPECT_NEAR(mean, 0.0, 0.1);
  EXPECT_NEAR(var, 4.0, 0.3);
  s.init.kind = InitKind::Zeros;
  EXPECT_EQ(initialParams(s).K.norm(), 0.0);
}

TEST(Evaluate, LargeScenesUseThreadsWithIdenticalResultsEveryCall) {
  std::mt19937_64 rng(17);
  SceneOptions o;
  o.n = 5000;
  o.d = 10;
  o.Tmin = o.Tmax = 8;
  o.trainV = true;
  const Scene s = randomScene(rng, o);  // n T d = 400,000: above the threading threshold
  const Params P = initialParams(s);
  Evaluation e1, e2;
  evaluate(s, P, e1);
  evaluate(s, P, e2);
  Params g1, g2;
  gradient(s, P, e1, g1);
  gradient(s, P, e2, g2);
  EXPECT_EQ(e1.loss, e2.loss);
  EXPECT_EQ(g1.W, g2.W);
  EXPECT_EQ(g1.v, g2.v);
  // And equal (to rounding) to a plain serial sum of the per-sequence terms.
  Eigen::MatrixXd G = Eigen::MatrixXd::Zero(10, 10);
  for (int i = 0; i < s.sequenceCount(); ++i) {
    const SequenceEval& se = e1.seqs[static_cast<std::size_t>(i)];
    G += se.lossSlope * s.sequences[static_cast<std::size_t>(i)].y / s.sequenceCount() *
         (s.sequences[static_cast<std::size_t>(i)].tokens.transpose() * se.dOutput) *
         s.queryOf(i).transpose();
  }
  EXPECT_LT((G - g1.W).norm(), 1e-12 * G.norm());
}

TEST(HotLoop, EvaluateGradientAndStepAllocateNothing) {
  if (!ATTNMD_COUNT_ALLOCS) GTEST_SKIP() << "allocation counting needs glibc and no AddressSanitizer";
  std::mt19937_64 rng(23);
  for (const SceneOptions& base : allModelVariants()) {
    SceneOptions o = base;
    o.n = 6;
    o.Tmin = o.Tmax = 8;
    const Scene s = randomScene(rng, o);
    for (OptimizerKind k :
         {OptimizerKind::NMD, OptimizerKind::GD, OptimizerKind::Adam, OptimizerKind::Polyak}) {
      if (k == OptimizerKind::Polyak && o.loss == LossKind::Correlation) continue;  // refused: L < 0
      OptimizerSpec spec;
      spec.name = k;
      spec.p = 3;
      spec.lr = 0.01;
      Params P = initialParams(s), g;
      Evaluation e;
      OptimizerState st;
      GradientScale sc;
      auto step = [&] {
        evaluate(s, P, e);
        const double L = gradient(s, P, e, g, &sc);
        optimizerStep(s, spec, L, g, P, st, sc);
      };
      step();  // warm-up sizes every buffer
      gAllocs = 0;
      gCountAllocs = true;
      for (int i = 0; i < 20; ++i) step();
      gCountAllocs = false;
      EXPECT_EQ(gAllocs.load(), 0) << describe(o, 23) << " optimizer " << enumName(k);
    }
  }
}
