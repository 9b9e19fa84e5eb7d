// The fast training step (issue 14 item 5): the vectorizable exp / log / log1p of core/model_kernels.h
// against the C library (within 1 ulp, same special values), the fixed-size paths of evaluate() and
// gradient() (d = 2, 3, 10) and the run-time-d path against a plain reference of docs/theory.md §2-3
// for every model, loss and token count, the per-sequence columns evaluate() stores for gradient(),
// and the logistic loss of the vectorized chunk loop against lossValue / lossDerivative.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "core/model.h"
#include "core/model_kernels.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;

namespace {

// |a - b| in units in the last place of b.
double fastStepUlps(double a, double b) {
  if (a == b) return 0;
  const double ulp = std::nextafter(std::abs(b), std::numeric_limits<double>::infinity()) - std::abs(b);
  return std::abs(a - b) / ulp;
}

// The papers' random scene (tests/support/scenes.h) with the model, loss and trainV asked for, and
// each sequence cut to a random length in [2, 11] (below, at and above the blocks of four tokens).
Scene fastStepScene(std::mt19937_64& rng, int d, ModelKind kind, LossKind loss, bool trainV) {
  Scene s = attnmd::testing::paperScene(rng(), 9, 11, d, kind);
  s.model.loss = loss;
  s.model.trainV = trainV;
  std::uniform_int_distribution<int> Tdist(2, 11);
  for (Sequence& q : s.sequences) q.tokens.conservativeResize(Tdist(rng), d);
  return s;
}

// docs/theory.md §2-3 written out plainly (no saturation handling: the scenes here are far from it).
struct FastStepReference {
  double loss = 0;
  Eigen::MatrixXd attGrad;  // W (query), K Q^T's G (kq), p as d x 1 (prompt)
  Eigen::VectorXd vGrad;
  std::vector<Eigen::VectorXd> probs;
};

FastStepReference fastStepReference(const Scene& s, const Params& P) {
  const int n = s.sequenceCount(), d = s.dim;
  FastStepReference r;
  r.attGrad = Eigen::MatrixXd::Zero(d, s.model.kind == ModelKind::Prompt ? 1 : d);
  r.vGrad = Eigen::VectorXd::Zero(d);
  const Eigen::MatrixXd W = s.model.kind == ModelKind::KQ ? Eigen::MatrixXd(P.K * P.Q.transpose()) : P.W;
  for (int i = 0; i < n; ++i) {
    const Sequence& q = s.sequences[static_cast<std::size_t>(i)];
    const Eigen::VectorXd z = s.queryOf(i);
    const Eigen::VectorXd key =
        s.model.kind == ModelKind::Prompt ? Eigen::VectorXd(P.p) : Eigen::VectorXd(W * z);
    const Eigen::VectorXd a = q.tokens * key;
    const Eigen::VectorXd h = q.tokens * P.v;
    Eigen::VectorXd e = (a.array() - a.maxCoeff()).exp();
    const Eigen::VectorXd sm = e / e.sum();
    const double f = sm.dot(h);
    const double u = q.y * f;
    r.loss += lossValue(s.model.loss, u) / n;
    const double c = lossDerivative(s.model.loss, u) * q.y / n;
    const Eigen::VectorXd dA = sm.array() * (h.array() - f);
    const Eigen::VectorXd rr = q.tokens.transpose() * dA;
    if (s.model.kind == ModelKind::Prompt)
      r.attGrad.col(0) += c * rr;
    else
      r.attGrad += c * rr * z.transpose();
    r.vGrad += c * q.tokens.transpose() * sm;
    r.probs.push_back(sm);
  }
  return r;
}

void expectFastStepClose(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want, const std::string& what) {
  ASSERT_EQ(got.rows(), want.rows()) << what;
  ASSERT_EQ(got.cols(), want.cols()) << what;
  EXPECT_LE((got - want).norm(), 1e-12 * (1.0 + want.norm())) << what;
}

}  // namespace

TEST(FastStepKernels, ExpIsWithinOneUlpOfTheCLibraryAndFlushesBelowMinus708) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  double worst = 0;
  for (int i = 0; i < 200000; ++i) {
    const double x = (i % 2) ? -708.0 * U(rng) : -U(rng) * std::pow(10.0, -30.0 * U(rng));
    worst = std::max(worst, fastStepUlps(kernels::expNonPositive(x), std::exp(x)));
  }
  EXPECT_LE(worst, 1.0);
  EXPECT_EQ(kernels::expNonPositive(0.0), 1.0);
  EXPECT_EQ(kernels::expNonPositive(-0.0), 1.0);
  EXPECT_EQ(kernels::expNonPositive(-708.5), 0.0);
  EXPECT_EQ(kernels::expNonPositive(-1e300), 0.0);
  EXPECT_EQ(kernels::expNonPositive(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isnan(kernels::expNonPositive(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_GT(kernels::expNonPositive(-707.9), 0.0);
}

TEST(FastStepKernels, LogAndLog1pAreWithinOneUlpOfTheCLibrary) {
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  double worstLog = 0, worstLog1p = 0;
  for (int i = 0; i < 200000; ++i) {
    const double x = std::exp((U(rng) - 0.5) * 1400.0);
    worstLog = std::max(worstLog, fastStepUlps(kernels::logNormal(x), std::log(x)));
    const double y = std::pow(10.0, 10.0 - 320.0 * U(rng));
    worstLog1p = std::max(worstLog1p, fastStepUlps(kernels::log1pNonNegative(y), std::log1p(y)));
  }
  EXPECT_LE(worstLog, 1.0);
  EXPECT_LE(worstLog1p, 1.0);
  EXPECT_EQ(kernels::logNormal(1.0), 0.0);
  EXPECT_EQ(kernels::log1pNonNegative(0.0), 0.0);
  EXPECT_EQ(kernels::log1pNonNegative(1e-300), 1e-300);
  EXPECT_TRUE(std::isnan(kernels::logNormal(std::numeric_limits<double>::quiet_NaN())));
}

TEST(FastStepKernels, DotAxpyAndAllFinite) {
  const double x[7] = {1, 2, 3, 4, 5, 6, 7}, y[7] = {7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(kernels::dot(x, y, 7), 84.0);
  EXPECT_EQ(kernels::dot(x, y, 3), 34.0);
  EXPECT_EQ(kernels::dot(x, y, 0), 0.0);
  double z[7] = {0, 0, 0, 0, 0, 0, 0};
  kernels::axpy(z, x, 2.0, 7);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(z[i], 2.0 * x[i]);
  EXPECT_TRUE(kernels::allFinite(z, 7));
  for (int bad = 0; bad < 7; ++bad) {
    double w[7] = {1, 2, 3, 4, 5, 6, 7};
    w[bad] = std::numeric_limits<double>::infinity();
    EXPECT_FALSE(kernels::allFinite(w, 7)) << bad;
    w[bad] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_FALSE(kernels::allFinite(w, 7)) << bad;
  }
}

// Every model and loss, d with a fixed-size path (2, 3, 10) and without (5), token counts from 2 to 11
// (below, at and above the blocks of four), against the plain reference; and the columns gradient()
// reads equal to the per-sequence fields.
TEST(FastStepModel, FixedAndRunTimeSizesMatchThePlainFormulas) {
  std::mt19937_64 rng(31);
  for (int d : {2, 3, 5, 10})
    for (ModelKind kind : {ModelKind::Query, ModelKind::Prompt, ModelKind::KQ})
      for (LossKind loss : {LossKind::Logistic, LossKind::Exponential, LossKind::Correlation})
        for (bool trainV : {false, true}) {
          const Scene s = fastStepScene(rng, d, kind, loss, trainV);
          Params P = initialParams(s);
          const std::string what = "d=" + std::to_string(d) + " model=" + enumName(kind) +
                                   " loss=" + enumName(loss) + " trainV=" + (trainV ? "1" : "0");
          Evaluation e;
          evaluate(s, P, e);
          Params g;
          const double L = gradient(s, P, e, g);
          const FastStepReference ref = fastStepReference(s, P);
          EXPECT_NEAR(L, ref.loss, 1e-12 * (1.0 + std::abs(ref.loss))) << what;
          EXPECT_TRUE(e.finite) << what;
          switch (kind) {
            case ModelKind::Query:
              expectFastStepClose(g.W, ref.attGrad, what + " W");
              break;
            case ModelKind::Prompt:
              expectFastStepClose(g.p, ref.attGrad, what + " p");
              break;
            case ModelKind::KQ:
              expectFastStepClose(g.K, ref.attGrad * P.Q, what + " K");
              expectFastStepClose(g.Q, ref.attGrad.transpose() * P.K, what + " Q");
              break;
          }
          if (trainV) expectFastStepClose(g.v, ref.vGrad, what + " v");
          for (int i = 0; i < s.sequenceCount(); ++i) {
            const SequenceEval& se = e.seqs[static_cast<std::size_t>(i)];
            expectFastStepClose(se.probs, ref.probs[static_cast<std::size_t>(i)], what + " probs");
            EXPECT_EQ(e.columns.loss[i], se.loss) << what;
            EXPECT_EQ(e.columns.lossSlope[i], se.lossSlope) << what;
            EXPECT_EQ(e.columns.logUnselected[i], se.logUnselected) << what;
            const Eigen::MatrixXd& X = s.sequences[static_cast<std::size_t>(i)].tokens;
            expectFastStepClose(e.columns.attGrad.col(i), X.transpose() * se.dOutput, what + " r_i");
          }
        }
}

// The logistic loss of the chunk loop (margins in one vectorized pass, the sign handled by masks)
// against lossValue / lossDerivative / lossLogDerivativeMagnitude, around 0, the 708 boundary of the
// flush and beyond.
TEST(FastStepModel, VectorizedLogisticLossMatchesTheScalarOne) {
  Scene s;
  s.dim = 2;
  s.model.kind = ModelKind::Prompt;
  s.model.loss = LossKind::Logistic;
  s.model.v = Eigen::Vector2d(1.0, 0.0);
  const double margins[] = {0.0,   -0.0,   1e-300, -1e-300, 0.5,   -0.5,   3.0,   -3.0,   36.5,  -36.5,
                            707.9, -707.9, 708.0,  -708.0,  708.5, -708.5, 744.0, -744.0, 800.0, -800.0};
  for (double u : margins) {
    // One sequence of two tokens; v^T x = (h0, h1) with the attention at zero (p = 0): f = (h0 + h1) / 2.
    s.sequences.clear();
    Sequence q;
    q.y = 1;
    q.tokens = Eigen::MatrixXd(2, 2);
    q.tokens << u, 0.0, u, 1.0;
    s.sequences.push_back(q);
    Params P;
    P.p = Eigen::Vector2d::Zero();
    P.v = s.model.v;
    const Evaluation e = evaluate(s, P);
    const SequenceEval& se = e.seqs[0];
    ASSERT_EQ(se.margin, u) << u;
    EXPECT_LE(fastStepUlps(se.loss, lossValue(LossKind::Logistic, u)), 1.0) << u;
    EXPECT_LE(fastStepUlps(se.lossSlope, lossDerivative(LossKind::Logistic, u)), 1.0) << u;
    EXPECT_LE(fastStepUlps(se.logLossSlope, lossLogDerivativeMagnitude(LossKind::Logistic, u)), 1.0) << u;
  }
}
