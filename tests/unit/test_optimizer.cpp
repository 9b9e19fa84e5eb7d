// The optimizer family (docs/theory.md §4) and what training with it must show (docs/theory.md
// §8.1, 8.3, 8.4, 8.6): mirror-map identities, md(p=2) == gd and nmd(p=2) == ngd bit for bit, the nmd
// norm-growth bound, per-tensor normalization, Polyak/Adam/momentum against their formulas, refusal of
// non-finite steps, extreme p, the single-sequence max-margin toy, ngd vs gd speed, and directional
// convergence after attention saturates below 1e-300.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "core/model.h"
#include "core/optimizer.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;

namespace {

// The papers' random setting (docs/theory.md §8.7), with the model, loss and joint v the tests here vary.
Scene randomScene(std::uint64_t seed, ModelKind kind = ModelKind::Query, int n = 6, int T = 8, int d = 10,
                  bool trainV = false, LossKind loss = LossKind::Logistic) {
  Scene s = attnmd::testing::paperScene(seed, n, T, d, kind);
  s.model.loss = loss;
  s.model.trainV = trainV;
  return s;
}

// A minimal training loop on the public API (the Run class adds history and metrics on top).
struct Trainer {
  const Scene& scene;
  OptimizerSpec spec;
  Params P, g;
  Evaluation e;
  OptimizerState st;
  GradientScale sc;
  Trainer(const Scene& s, OptimizerSpec sp) : scene(s), spec(sp), P(initialParams(s)) { evaluate(s, P, e); }
  StepResult step() {
    const double L = gradient(scene, P, e, g, &sc);
    StepResult r = optimizerStep(scene, spec, L, g, P, st, sc);
    if (r.ok) evaluate(scene, P, e);
    return r;
  }
};

OptimizerSpec spec(OptimizerKind k, double lr, double p = 2.0) {
  OptimizerSpec s;
  s.name = k;
  s.lr = lr;
  s.p = p;
  return s;
}

bool bitEqual(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||  // empty: data() may be null, which memcmp must not see
          std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0);
}

Eigen::MatrixXd randomMagnitudes(std::mt19937_64& rng, int r, int c) {
  std::normal_distribution<double> N(0.0, 1.0);
  std::uniform_real_distribution<double> E(-3.0, 3.0);
  return Eigen::MatrixXd::NullaryExpr(r, c, [&] { return N(rng) * std::pow(10.0, E(rng)); });
}

const double kPs[] = {1.01, 1.1, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 10.0, 20.0};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// docs/theory.md §8.1 and §8.3: mirror map, norms, Bregman divergence
// ---------------------------------------------------------------------------------------------------

TEST(MirrorMap, InverseUndoesTheMapAndDualNormIsNormToPMinusOne) {
  std::mt19937_64 rng(1);
  for (double p : kPs) {
    for (int rep = 0; rep < 20; ++rep) {
      const Eigen::MatrixXd x = randomMagnitudes(rng, 4, 3);
      const Eigen::MatrixXd u = mirrorMap(x, p);
      const Eigen::MatrixXd back = inverseMirrorMap(u, p);
      // 1/(p-1) amplifies the rounding of u: 100x at p = 1.01.
      const double tol = 1e-14 * std::max(4.0, 1.0 / (p - 1.0));
      for (Eigen::Index j = 0; j < x.size(); ++j)
        EXPECT_NEAR(back(j), x(j), tol * std::abs(x(j))) << "p=" << p << " seed=1 rep=" << rep;
      EXPECT_EQ(((u.array() > 0) == (x.array() > 0)).count(), x.size()) << "signs, p=" << p;
      const double q = p / (p - 1.0);
      const double lhs = lpNorm(u, q), rhs = std::pow(lpNorm(x, p), p - 1.0);
      EXPECT_NEAR(lhs / rhs, 1.0, 1e-12 * std::max(1.0, 1.0 / (p - 1.0))) << "p=" << p << " rep=" << rep;
    }
  }
  // p = 2: the identity, exactly.
  const Eigen::MatrixXd x = randomMagnitudes(rng, 3, 3);
  EXPECT_TRUE(bitEqual(mirrorMap(x, 2.0), x));
  EXPECT_TRUE(bitEqual(inverseMirrorMap(x, 2.0), x));
}

TEST(MirrorMap, NormsNeitherOverflowNorUnderflow) {
  std::mt19937_64 rng(2);
  for (double p : kPs) {
    const Eigen::MatrixXd x = randomMagnitudes(rng, 3, 4);
    Eigen::ArrayXXd a = x.array().abs();
    const double ref = std::pow(a.pow(p).sum(), 1.0 / p);
    const double tol = 1e-14 * std::max(10.0, 1.0 / (p - 1.0));
    EXPECT_NEAR(lpNorm(x, p) / ref, 1.0, tol) << "p=" << p;
    for (double c : {1e-250, 1e-200, 1e200, 1e250})
      EXPECT_NEAR(lpNorm(c * x, p) / (c * ref), 1.0, tol) << "p=" << p << " c=" << c;
  }
  EXPECT_EQ(lpNorm(Eigen::MatrixXd::Zero(2, 2), 3.0), 0.0);
  // Powers that leave the double range come out as inf and 0, not as clamped finite numbers.
  Eigen::MatrixXd big(1, 2);
  big << 1e5, 1e-5;
  const Eigen::MatrixXd t = inverseMirrorMap(big, 1.01);  // (1e5)^100, (1e-5)^100
  EXPECT_TRUE(std::isinf(t(0)));
  EXPECT_EQ(t(1), 0.0);
}

TEST(Bregman, ZeroOnTheDiagonalBoundedForUnitArgumentsAndOneMinusCorrAtP2) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> N(0.0, 1.0);
  for (double p : kPs) {
    for (int rep = 0; rep < 20; ++rep) {
      Eigen::MatrixXd A = Eigen::MatrixXd::NullaryExpr(3, 3, [&] { return N(rng); });
      Eigen::MatrixXd B = Eigen::MatrixXd::NullaryExpr(3, 3, [&] { return N(rng); });
      A /= lpNorm(A, p);
      B /= lpNorm(B, p);
      EXPECT_NEAR(bregmanDivergence(A, A, p), 0.0, 1e-13) << p;
      const double D = bregmanDivergence(A, B, p);
      EXPECT_GE(D, -1e-13) << p;
      EXPECT_LE(D, 2.0 + 1e-13) << p;
      EXPECT_NEAR(directionalBregman(5.0 * A, 0.25 * B, p), D, 1e-12) << p;
    }
  }
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(3, 3), B = Eigen::MatrixXd::Random(3, 3);
  const double corr = (A.array() * B.array()).sum() / (A.norm() * B.norm());
  EXPECT_NEAR(directionalBregman(A, B, 2.0), 1.0 - corr, 1e-14);
  EXPECT_TRUE(std::isnan(directionalBregman(Eigen::MatrixXd::Zero(3, 3), B, 2.0)));
}

// ---------------------------------------------------------------------------------------------------
// docs/theory.md §4 and §8.1: md(p = 2) == gd and nmd(p = 2) == ngd bit for bit
// ---------------------------------------------------------------------------------------------------

TEST(Optimizer, MirrorDescentAtP2IsGradientDescentBitForBit) {
  for (const Scene& s : {randomScene(5), randomScene(6, ModelKind::KQ, 4, 5, 4, true),
                         randomScene(7, ModelKind::Prompt, 5, 6, 3, true, LossKind::Exponential)}) {
    Trainer gd(s, spec(OptimizerKind::GD, 0.5)), md(s, spec(OptimizerKind::MD, 0.5, 2.0));
    Trainer ngd(s, spec(OptimizerKind::NGD, 0.1)), nmd(s, spec(OptimizerKind::NMD, 0.1, 2.0));
    for (int k = 0; k < 3000; ++k) {
      ASSERT_TRUE(gd.step().ok && md.step().ok && ngd.step().ok && nmd.step().ok);
      auto a = trainedTensors(s, gd.P), b = trainedTensors(s, md.P);
      auto c = trainedTensors(s, ngd.P), d = trainedTensors(s, nmd.P);
      for (std::size_t j = 0; j < a.size(); ++j) {
        ASSERT_TRUE(bitEqual(a[j], b[j])) << "md(2) != gd at step " << k + 1 << " seed " << s.seed;
        ASSERT_TRUE(bitEqual(c[j], d[j])) << "nmd(2) != ngd at step " << k + 1 << " seed " << s.seed;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// docs/theory.md §4: nmd norm growth, per-tensor normalization
// ---------------------------------------------------------------------------------------------------

TEST(Optimizer, NmdNormGrowthBound) {
  for (double p : {1.1, 1.5, 1.75, 2.0, 3.0, 5.0, 20.0}) {
    const Scene s = randomScene(8);
    const double eta = 0.1;
    Trainer t(s, spec(OptimizerKind::NMD, eta, p));
    const double n0 = std::pow(lpNorm(t.P.W, p), p - 1.0);
    for (int k = 1; k <= 500; ++k) {
      ASSERT_TRUE(t.step().ok) << "p=" << p << " k=" << k;
      const double nk = std::pow(lpNorm(t.P.W, p), p - 1.0);
      ASSERT_LE(nk, (n0 + eta * k) * (1 + 1e-12)) << "p=" << p << " k=" << k;
    }
  }
}

TEST(Optimizer, NormalizedMethodsNormalizeEachTensorOnItsOwn) {
  const Scene s = randomScene(9, ModelKind::KQ, 5, 6, 4, true);
  for (double p : {2.0, 3.0, 1.5}) {
    const double eta = 0.05, q = p / (p - 1.0);
    Trainer t(s, spec(p == 2.0 ? OptimizerKind::NGD : OptimizerKind::NMD, eta, p));
    ASSERT_TRUE(t.step().ok);  // initializes the dual state
    for (int k = 0; k < 5; ++k) {
      Params before = t.P;
      std::vector<Eigen::MatrixXd> dualBefore;
      for (auto& ts : t.st.tensors) dualBefore.push_back(ts.dual);
      ASSERT_TRUE(t.step().ok);
      auto now = trainedTensors(s, t.P), was = trainedTensors(s, before);
      for (std::size_t j = 0; j < now.size(); ++j) {
        if (p == 2.0)
          EXPECT_NEAR((now[j] - was[j]).norm(), eta, 1e-14) << "tensor " << j;
        else  // the dual moves by exactly eta in the dual norm ||.||_q, tensor by tensor
          EXPECT_NEAR(lpNorm(t.st.tensors[j].dual - dualBefore[j], q), eta, 1e-13)
              << "p=" << p << " tensor " << j;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Polyak, Adam, momentum against their formulas (synthetic gradients: the optimizer is model-agnostic)
// ---------------------------------------------------------------------------------------------------

TEST(Optimizer, PolyakAdamMomentumFollowTheirFormulas) {
  Scene s = randomScene(10, ModelKind::Query, 3, 3, 3, true);
  std::mt19937_64 rng(10);
  Params P0 = initialParams(s);
  auto randomGrad = [&] {
    Params g;
    g.W = randomMagnitudes(rng, 3, 3) * 1e-2;
    g.v = randomMagnitudes(rng, 3, 1) * 1e-2;
    return g;
  };
  {  // Polyak: eta_k = c L / ||g||_F^2 over all trained tensors
    const Params g = randomGrad();
    Params P = P0;
    OptimizerState st;
    const double L = 0.7, c = 0.5;
    const StepResult r = optimizerStep(s, spec(OptimizerKind::Polyak, c), L, g, P, st);
    ASSERT_TRUE(r.ok);
    const double etaK = c * L / (g.W.squaredNorm() + g.v.squaredNorm());
    EXPECT_NEAR(r.stepSize / etaK, 1.0, 1e-13);
    EXPECT_LT((P.W - (P0.W - etaK * g.W)).norm(), 1e-13 * P0.W.norm());
    EXPECT_LT((P.v - (P0.v - etaK * g.v)).norm(), 1e-13 * P0.v.norm());
    // L < 0 (correlation loss) has no Polyak step: refused, nothing applied.
    Params P2 = P0;
    const StepResult bad = optimizerStep(s, spec(OptimizerKind::Polyak, c), -0.3, g, P2, st);
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.reason.find("loss"), std::string::npos);
    EXPECT_TRUE(bitEqual(P2.W, P0.W));
    // L underflowed to 0 (L e^-800, with the gradient e^-800 g in scaled form as gradient() gives it
    // there): with log L the step is the same formula in log form, the same move as above; without
    // log L, a reason instead of a silent zero step.
    Params P3 = P0;
    const StepResult deep = optimizerStep(s, spec(OptimizerKind::Polyak, c), 0.0, g, P3, st,
                                          GradientScale{-800, -800}, std::log(L) - 800);
    ASSERT_TRUE(deep.ok) << deep.reason;
    EXPECT_LT((P3.W - (P0.W - etaK * g.W)).norm(), 1e-11 * P0.W.norm());
    EXPECT_LT((P3.v - (P0.v - etaK * g.v)).norm(), 1e-11 * P0.v.norm());
    Params P4 = P0;
    const StepResult blind = optimizerStep(s, spec(OptimizerKind::Polyak, c), 0.0, g, P4, st);
    EXPECT_FALSE(blind.ok);
    EXPECT_NE(blind.reason.find("underflowed"), std::string::npos) << blind.reason;
  }
  {  // Adam, two steps, bias-corrected
    OptimizerSpec a = spec(OptimizerKind::Adam, 0.01);
    Params P = P0;
    OptimizerState st;
    const Params g1 = randomGrad(), g2 = randomGrad();
    ASSERT_TRUE(optimizerStep(s, a, 1.0, g1, P, st).ok);
    Eigen::ArrayXXd m = (1 - a.beta1) * g1.W.array(), v = (1 - a.beta2) * g1.W.array().square();
    Eigen::ArrayXXd expect = P0.W.array() - a.lr * (m / (1 - a.beta1)) / ((v / (1 - a.beta2)).sqrt() + a.eps);
    EXPECT_LT((P.W.array() - expect).abs().maxCoeff(), 1e-15);
    ASSERT_TRUE(optimizerStep(s, a, 1.0, g2, P, st).ok);
    m = a.beta1 * m + (1 - a.beta1) * g2.W.array();
    v = a.beta2 * v + (1 - a.beta2) * g2.W.array().square();
    expect -= a.lr * (m / (1 - a.beta1 * a.beta1)) / ((v / (1 - a.beta2 * a.beta2)).sqrt() + a.eps);
    EXPECT_LT((P.W.array() - expect).abs().maxCoeff(), 1e-14);
  }
  {  // heavy ball: theta_2 = theta_1 - eta g_1 + mu (theta_1 - theta_0)
    OptimizerSpec m = spec(OptimizerKind::Momentum, 0.1);
    Params P = P0;
    OptimizerState st;
    const Params g0 = randomGrad(), g1 = randomGrad();
    ASSERT_TRUE(optimizerStep(s, m, 1.0, g0, P, st).ok);
    const Eigen::MatrixXd th1 = P.W;
    EXPECT_LT((th1 - (P0.W - m.lr * g0.W)).norm(), 1e-15);
    ASSERT_TRUE(optimizerStep(s, m, 1.0, g1, P, st).ok);
    EXPECT_LT((P.W - (th1 - m.lr * g1.W + m.momentum * (th1 - P0.W))).norm(), 1e-14);
  }
}

// ---------------------------------------------------------------------------------------------------
// docs/theory.md §4: never let a step produce NaN/inf silently
// ---------------------------------------------------------------------------------------------------

TEST(Optimizer, NonFiniteStepsAreRefusedWithAReasonAndNothingChanges) {
  const Scene s = randomScene(11);
  const Params P0 = initialParams(s);
  Params g;
  g.W = Eigen::MatrixXd::Constant(10, 10, 1e300);
  for (OptimizerKind k : {OptimizerKind::GD, OptimizerKind::MD, OptimizerKind::Momentum}) {
    Params P = P0;
    OptimizerState st;
    const StepResult r = optimizerStep(s, spec(k, 1e10, 1.5), 1.0, g, P, st);
    EXPECT_FALSE(r.ok) << enumName(k);
    EXPECT_NE(r.reason.find("step 1 produced"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("in W"), std::string::npos) << r.reason;
    EXPECT_TRUE(bitEqual(P.W, P0.W)) << enumName(k);
    // The state did not advance either: a good step afterwards is step 1 again.
    Params small;
    small.W = Eigen::MatrixXd::Constant(10, 10, 1e-3);
    EXPECT_TRUE(optimizerStep(s, spec(k, 0.1, 1.5), 1.0, small, P, st).ok);
    EXPECT_EQ(st.step, 1);
  }
  Params nan = g;
  nan.W(3, 4) = std::nan("");
  Params P = P0;
  OptimizerState st;
  const StepResult r = optimizerStep(s, spec(OptimizerKind::NMD, 0.1, 3.0), 1.0, nan, P, st);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.reason.find("not finite"), std::string::npos) << r.reason;
  EXPECT_TRUE(bitEqual(P.W, P0.W));
  // Shapes that do not match are refused too.
  Params wrong;
  wrong.W = Eigen::MatrixXd::Zero(3, 3);
  EXPECT_FALSE(optimizerStep(s, spec(OptimizerKind::GD, 0.1), 1.0, wrong, P, st).ok);
}

TEST(Optimizer, ExtremePKeepIteratesFiniteOrStopCleanly) {
  const Scene s = randomScene(12);
  for (double p : {1.01, 1.05, 20.0}) {
    Trainer t(s, spec(OptimizerKind::NMD, 0.1, p));
    bool stopped = false;
    for (int k = 1; k <= 20000 && !stopped; ++k) {
      const Params before = t.P;
      const StepResult r = t.step();
      if (!r.ok) {
        stopped = true;
        // Only p near 1 may run out of range (theta = |u|^{1/(p-1)}); it says so, and nothing moved.
        EXPECT_LT(p, 2.0);
        EXPECT_NE(r.reason.find("p near 1"), std::string::npos) << r.reason;
        EXPECT_TRUE(bitEqual(t.P.W, before.W));
      }
      ASSERT_TRUE(t.P.W.allFinite()) << "p=" << p << " step " << k;
      ASSERT_TRUE(t.e.finite) << "p=" << p << " step " << k;
      if (k <= 300) {
        ASSERT_TRUE(r.ok) << "p=" << p << " step " << k << ": " << r.reason;
      }
    }
    // The dual stays the source of truth: theta == (grad psi)^-1(u).
    EXPECT_LT((inverseMirrorMap(t.st.tensors[0].dual, p) - t.P.W).norm(), 1e-12 * t.P.W.norm());
  }
}

TEST(Optimizer, PNear1RunsOutOfRangeOnlyWithAClearStop) {
  // At p = 1.01, theta = |u|^100 leaves the double range once |u| > ~1200: with a large step that
  // happens within a few thousand steps. The step is refused, with a reason, and the run is intact.
  const Scene s = randomScene(13);
  Trainer t(s, spec(OptimizerKind::NMD, 5.0, 1.01));
  int k = 0;
  StepResult r;
  Params before;
  while (k < 20000) {
    before = t.P;
    r = t.step();
    ++k;
    ASSERT_TRUE(t.P.W.allFinite()) << k;
    if (!r.ok) break;
  }
  ASSERT_FALSE(r.ok) << "expected the p = 1.01 run to leave the double range within 20000 steps";
  // "step 1,806 produced inf in W; ..." names the step (with thousands separators) and the tensor.
  char kStr[32];
  if (k >= 1000)
    std::snprintf(kStr, sizeof kStr, "%d,%03d", k / 1000, k % 1000);
  else
    std::snprintf(kStr, sizeof kStr, "%d", k);
  EXPECT_EQ(r.reason.rfind(std::string("step ") + kStr + " produced inf in W", 0), 0u) << r.reason;
  EXPECT_NE(r.reason.find("p near 1"), std::string::npos) << r.reason;
  EXPECT_TRUE(bitEqual(t.P.W, before.W));
}

// ---------------------------------------------------------------------------------------------------
// docs/theory.md §8.4: the single-sequence max-margin toy (prompt model, d = 3, M = diag(1,1,0), v = e3)
// ---------------------------------------------------------------------------------------------------

namespace {

Scene maxMarginToyGivenInit(bool local) {
  Scene s = attnmd::testing::maxMarginToy(local);
  s.init.kind = InitKind::Given;
  return s;
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.dot(b) / (a.norm() * b.norm());
}

}  // namespace

TEST(Training, MaxMarginToyEndsOnTheSideItsInitializationPicks) {
  const Eigen::Vector3d global = Eigen::Vector3d(-0.1, 1, 0) / 1.01, local(1, 0, 0);
  struct Case {
    Eigen::Vector3d p0;
    bool toLocal;
  };
  const Case cases[] = {{{0, -1, 0}, true},   {{0, -1.5, 0}, true}, {{0, 1, 0}, false},
                        {{0, 0.5, 0}, false}, {{0, 0, 0}, false},   {{0, -0.5, 0}, false}};
  for (const Case& c : cases) {
    Scene s = maxMarginToyGivenInit(true);
    s.init.given.p = c.p0;
    Trainer t(s, spec(OptimizerKind::NGD, 0.1));
    for (int k = 0; k < 3000; ++k) ASSERT_TRUE(t.step().ok);
    const Eigen::Vector3d target = c.toLocal ? local : global;
    EXPECT_GT(cosine(t.P.p, target), 0.999) << "p(0) = " << c.p0.transpose() << " p = " << t.P.p.transpose();
    EXPECT_EQ(t.e.seqs[0].selected, c.toLocal ? 1 : 0);
  }
  // With the third token at score 0.9 (not 0) only the global direction remains.
  for (double y0 : {-1.0, 1.0}) {
    Scene s = maxMarginToyGivenInit(false);
    s.init.given.p = Eigen::Vector3d(0, y0, 0);
    Trainer t(s, spec(OptimizerKind::NGD, 0.1));
    for (int k = 0; k < 3000; ++k) ASSERT_TRUE(t.step().ok);
    EXPECT_GT(cosine(t.P.p, global), 0.999) << "p(0) = (0, " << y0 << ", 0)";
  }
}

// docs/theory.md §8.6: ngd grows ||theta|| like eta k and saturates within tens of steps; gd grows it like
// log k.
TEST(Training, NormalizedGdIsFastGdIsLogarithmic) {
  Scene s = maxMarginToyGivenInit(false);
  s.init.given.p = Eigen::Vector3d::Zero();
  const double eta = 0.1;
  Trainer ngd(s, spec(OptimizerKind::NGD, eta)), gd(s, spec(OptimizerKind::GD, eta));
  std::vector<double> nn(4001), ng(4001);
  int saturatedAt = -1;
  for (int k = 1; k <= 4000; ++k) {
    ASSERT_TRUE(ngd.step().ok && gd.step().ok);
    nn[static_cast<std::size_t>(k)] = ngd.P.p.norm();
    ng[static_cast<std::size_t>(k)] = gd.P.p.norm();
    if (saturatedAt < 0 && ngd.e.seqs[0].probs[0] > 0.99) saturatedAt = k;
  }
  EXPECT_GT(saturatedAt, 0);
  EXPECT_LE(saturatedAt, 60) << "the optimal token's softmax should pass 0.99 within tens of ngd steps";
  EXPECT_GT(nn[1000], 0.9 * eta * 1000);  // ||theta_k|| ~ eta k (it is <= eta k by construction)
  // Increments per doubling of k: constant for log growth, doubling for linear growth.
  const double gdInc1 = ng[2000] - ng[1000], gdInc2 = ng[4000] - ng[2000];
  const double ngdInc1 = nn[2000] - nn[1000], ngdInc2 = nn[4000] - nn[2000];
  EXPECT_LT(gdInc2, 1.3 * gdInc1);
  EXPECT_GT(ngdInc2, 1.9 * ngdInc1);
  EXPECT_LT(ng[4000], 0.1 * nn[4000]);
  EXPECT_GT(gd.e.seqs[0].probs[0], 0.5);  // gd does learn, only slowly
}

// Saturation: a long ngd run keeps converging in direction after 1 - s drops below 1e-300
// (where the textbook gradient is exactly zero and the iterate would freeze or turn NaN).
TEST(Training, DirectionKeepsConvergingAfterAttentionSaturatesBelow1em300) {
  Scene s = maxMarginToyGivenInit(false);
  s.init.given.p = Eigen::Vector3d(0.3, 0.2, 0);
  const Eigen::Vector3d global = Eigen::Vector3d(-0.1, 1, 0) / 1.01;
  Trainer t(s, spec(OptimizerKind::NGD, 1.0));
  double errAtSaturation = -1;
  int saturatedAt = -1;
  for (int k = 1; k <= 40000; ++k) {
    ASSERT_TRUE(t.step().ok) << k;
    if (saturatedAt < 0 && t.e.seqs[0].logUnselected < std::log(1e-300)) {
      saturatedAt = k;
      errAtSaturation = 1 - cosine(t.P.p, global);
    }
  }
  ASSERT_GT(saturatedAt, 0);
  const double errEnd = 1 - cosine(t.P.p, global);
  EXPECT_LT(t.e.seqs[0].logUnselected, -10000.0);  // 1 - s ~ 1e-4343 and below, kept in log form
  EXPECT_LT(errEnd, 0.01 * errAtSaturation) << "saturated at step " << saturatedAt;
  EXPECT_LT(errEnd, 1e-6);
}

// docs/theory.md §4: the nmd step's normalization ||g||_q (lpNorm(g, q) is the very function the step
// calls) is unbiased along a real run. Before the power-of-two scaling, the power q (the integer 11 at
// p = 1.1) and the root 1/q were not exact inverses, so every step's norm came out as about |g|^(1 + d):
// a mean relative error of -9.6e-16 at p = 1.1 (worst 4.5e-14, growing as the gradient shrank) and
// +2.7e-15 at p = 1.75. Reference: the same norm in long double, with q = p/(p-1) from the same double p.
TEST(Optimizer, NmdNormalizationIsUnbiasedAlongARun) {
  for (const double p : {1.01, 1.1, 1.5, 1.75, 3.0}) {
    Scene s = randomScene(7, ModelKind::Prompt);
    Trainer t(s, spec(OptimizerKind::NMD, 0.1, p));
    const long double ql = static_cast<long double>(p) / (static_cast<long double>(p) - 1.0L);
    const double q = p / (p - 1.0);
    long double sumErr = 0, maxErr = 0;
    int count = 0;
    for (int k = 0; k < 3000; ++k) {
      gradient(s, t.P, t.e, t.g, &t.sc);
      for (const auto& g : trainedTensors(s, t.g)) {
        long double m = 0, acc = 0;
        for (Eigen::Index j = 0; j < g.size(); ++j)
          m = std::max(m, std::fabs(static_cast<long double>(g(j))));
        ASSERT_GT(m, 0);
        for (Eigen::Index j = 0; j < g.size(); ++j)
          acc += std::pow(std::fabs(static_cast<long double>(g(j))) / m, ql);
        const long double err =
            static_cast<long double>(lpNorm(g, q)) / (m * std::pow(acc, 1.0L / ql)) - 1.0L;
        sumErr += err;
        maxErr = std::max(maxErr, std::fabs(err));
        ++count;
      }
      ASSERT_TRUE(t.step().ok);
    }
    EXPECT_LT(std::fabs(sumErr / count), 1e-16L) << "p = " << p << ": mean relative error of ||g||_q";
    EXPECT_LT(maxErr, 1e-15L) << "p = " << p;
  }
  // A subnormal largest entry (2^-e would not be a double) still gives the norm to a few digits.
  const Eigen::VectorXd v = (Eigen::VectorXd(3) << 3.0, -1.0, 2.0).finished();
  for (const double q : {11.0, 7.0 / 3.0, 1.5})
    EXPECT_NEAR(lpNorm(v * 1e-315, q) / (lpNorm(v, q) * 1e-315), 1.0, 1e-6) << q;
}
