// The fast training step (issue 14 item 5): the vectorizable exp / log / log1p of core/model_kernels.h
// against the C library (within 1 ulp, same special values), the fixed-size paths of evaluate() and
// gradient() (d = 2, 3, 10) and the run-time-d path against a plain reference of docs/theory.md §2-3
// for every model, loss and token count, the per-sequence columns evaluate() stores for gradient(),
// and the logistic loss of the vectorized chunk loop against lossValue / lossDerivative; then the second
// round: four-lane kernels, the fixed-size path (d = 10, T = 8) and values kept between calls against
// the general path bit for bit, the optimizer's kernels on every instruction set, undoing a step.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/model_kernels.h"
#include "core/optimizer.h"
#include "core/run.h"
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

// [The faster step, second round] Four-lane kernels against the scalar ones bit for bit; the fixed-size
// path (d = 10, T = 8) against the general one bit for bit, for every model, loss and query kind;
// values kept between calls (Evaluation::sceneFixed); the optimizer's kernels on every instruction set;
// undoing a step.

// The four-lane kernels are always inlined: GCC's note on passing a Vec4 outside AVX code does not apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace {

std::uint64_t fastStepBits(double x) {
  return std::bit_cast<std::uint64_t>(x);
}

// Every field a step reads or a user sees, bit for bit.
void expectSameEvaluation(const Evaluation& a, const Evaluation& b, const std::string& what) {
  ASSERT_EQ(a.seqs.size(), b.seqs.size()) << what;
  EXPECT_EQ(fastStepBits(a.loss), fastStepBits(b.loss)) << what;
  EXPECT_EQ(a.finite, b.finite) << what;
  const auto same = [&](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const std::string& field) {
    ASSERT_EQ(x.rows(), y.rows()) << what << " " << field;
    ASSERT_EQ(x.cols(), y.cols()) << what << " " << field;
    for (Eigen::Index i = 0; i < x.size(); ++i)
      ASSERT_EQ(fastStepBits(x.data()[i]), fastStepBits(y.data()[i])) << what << " " << field << " " << i;
  };
  for (std::size_t i = 0; i < a.seqs.size(); ++i) {
    const SequenceEval &p = a.seqs[i], &q = b.seqs[i];
    const std::string at = " seq " + std::to_string(i);
    same(p.logits, q.logits, "logits" + at);
    same(p.probs, q.probs, "probs" + at);
    same(p.values, q.values, "values" + at);
    same(p.dOutput, q.dOutput, "dOutput" + at);
    EXPECT_EQ(p.selected, q.selected) << what << at;
    for (const auto& [x, y, name] : {std::tuple{p.logUnselected, q.logUnselected, "logUnselected"},
                                     {p.output, q.output, "output"},
                                     {p.margin, q.margin, "margin"},
                                     {p.logSumOthers, q.logSumOthers, "logSumOthers"},
                                     {p.loss, q.loss, "loss"},
                                     {p.lossSlope, q.lossSlope, "lossSlope"},
                                     {p.logLossSlope, q.logLossSlope, "logLossSlope"},
                                     {p.dOutputLogScale, q.dOutputLogScale, "dOutputLogScale"}})
      EXPECT_EQ(fastStepBits(x), fastStepBits(y)) << what << at << " " << name;
  }
  same(a.columns.attGrad, b.columns.attGrad, "attGrad");
  same(a.columns.vGrad, b.columns.vGrad, "vGrad");
  same(a.columns.loss, b.columns.loss, "loss column");
}

void expectSameParams(const Params& a, const Params& b, const std::string& what) {
  for (const auto& [x, y] :
       {std::pair<const Eigen::MatrixXd*, const Eigen::MatrixXd*>{&a.W, &b.W}, {&a.K, &b.K}, {&a.Q, &b.Q}}) {
    ASSERT_EQ(x->size(), y->size()) << what;
    for (Eigen::Index i = 0; i < x->size(); ++i)
      ASSERT_EQ(fastStepBits(x->data()[i]), fastStepBits(y->data()[i])) << what << " entry " << i;
  }
  for (const auto& [x, y] :
       {std::pair<const Eigen::VectorXd*, const Eigen::VectorXd*>{&a.p, &b.p}, {&a.v, &b.v}}) {
    ASSERT_EQ(x->size(), y->size()) << what;
    for (Eigen::Index i = 0; i < x->size(); ++i)
      ASSERT_EQ(fastStepBits((*x)[i]), fastStepBits((*y)[i])) << what << " entry " << i;
  }
}

// gradient() of two evaluations at the same parameters, scales and tensors bit for bit.
void expectSameGradient(const Scene& s, const Params& P, const Evaluation& a, const Evaluation& b,
                        const std::string& what) {
  Params ga, gb;
  GradientScale sa, sb;
  gradient(s, P, a, ga, &sa);
  gradient(s, P, b, gb, &sb);
  EXPECT_EQ(fastStepBits(sa.attention), fastStepBits(sb.attention)) << what;
  EXPECT_EQ(fastStepBits(sa.v), fastStepBits(sb.v)) << what;
  expectSameParams(ga, gb, what + " gradient");
}

}  // namespace

TEST(FastStepKernels, FourLaneKernelsGiveTheScalarBits) {
  std::mt19937_64 rng(41);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> expArgs = {0.0, -0.0, -1e-300, -707.9, -708.0, -708.5, -745.0, -1e300, -inf, nan};
  std::vector<double> logArgs = {1.0, 2.0, 0.5, 1e-300, 1e300, 1.4142135623730951, 0.7071067811865476,
                                 inf, nan};
  for (int i = 0; i < 20000; ++i) {
    expArgs.push_back(-800.0 * U(rng));
    expArgs.push_back(-U(rng) * std::pow(10.0, -30.0 * U(rng)));
    logArgs.push_back(std::exp((U(rng) - 0.5) * 1400.0));
    logArgs.push_back(std::pow(10.0, 10.0 - 320.0 * U(rng)));
  }
  // vec(in, out) computes four lanes from four entries (no Vec4 passes through a call here).
  const auto check = [](const std::vector<double>& args, auto vec, auto scalar, const char* name) {
    for (std::size_t i = 0; i + 4 <= args.size(); i += 4) {
      double got[4];
      vec(args.data() + i, got);
      for (int l = 0; l < 4; ++l)
        ASSERT_EQ(fastStepBits(got[l]), fastStepBits(scalar(args[i + static_cast<std::size_t>(l)])))
            << name << "(" << args[i + static_cast<std::size_t>(l)] << ")";
    }
  };
  check(
      expArgs,
      [](const double* in, double* out) {
        kernels::store4(out, kernels::expNonPositive4(kernels::load4(in)));
      },
      [](double x) { return kernels::expNonPositive(x); }, "expNonPositive4");
  check(
      logArgs,
      [](const double* in, double* out) { kernels::store4(out, kernels::logNormal4(kernels::load4(in))); },
      [](double x) { return kernels::logNormal(x); }, "logNormal4");
  check(
      logArgs,
      [](const double* in, double* out) {
        kernels::store4(out, kernels::log1pNonNegative4(kernels::load4(in)));
      },
      [](double x) { return kernels::log1pNonNegative(x); }, "log1pNonNegative4");

  // pairwiseSums4: lane j is (v_j0 + v_j1) + (v_j2 + v_j3) of the j-th argument.
  for (int rep = 0; rep < 1000; ++rep) {
    double v[4][4], s[4];
    for (auto& x : v) {
      x[0] = U(rng) - 0.5;
      x[1] = (U(rng) - 0.5) * 1e10;
      x[2] = U(rng) * 1e-10;
      x[3] = -U(rng);
    }
    kernels::store4(s, kernels::pairwiseSums4(kernels::load4(v[0]), kernels::load4(v[1]),
                                              kernels::load4(v[2]), kernels::load4(v[3])));
    for (int j = 0; j < 4; ++j)
      ASSERT_EQ(fastStepBits(s[j]), fastStepBits((v[j][0] + v[j][1]) + (v[j][2] + v[j][3]))) << j;
  }

  // allFinite over the vector loop and the tail, for every position of a bad entry.
  for (int n : {1, 3, 4, 8, 13, 100}) {
    std::vector<double> x(static_cast<std::size_t>(n), 1.5);
    EXPECT_TRUE(kernels::allFinite(x.data(), n)) << n;
    for (int bad = 0; bad < n; ++bad)
      for (double b : {inf, -inf, nan}) {
        std::vector<double> y = x;
        y[static_cast<std::size_t>(bad)] = b;
        EXPECT_FALSE(kernels::allFinite(y.data(), n)) << n << " " << bad << " " << b;
      }
  }
}

// The papers' sizes (d = 10, T = 8) take the fixed-size path; with Evaluation::fixedPaths off the same
// scene goes through the general one. Both must give the same bits everywhere, gradients included,
// for every model, loss, query kind and v training, with ties (a repeated token, zero parameters),
// saturation (large parameters) and one sequence of another length (that chunk falls back).
TEST(FastStepModel, FixedSizePathGivesTheGeneralPathsBits) {
  std::mt19937_64 rng(43);
  for (ModelKind kind : {ModelKind::Query, ModelKind::Prompt, ModelKind::KQ})
    for (LossKind loss : {LossKind::Logistic, LossKind::Exponential, LossKind::Correlation})
      for (int variant = 0; variant < 6; ++variant) {
        Scene s = attnmd::testing::paperScene(rng(), 9, 8, 10, kind);
        s.model.loss = loss;
        s.model.trainV = variant == 1;
        if (variant == 2) {  // given queries
          s.model.query = QueryKind::Given;
          for (Sequence& q : s.sequences) q.z = 0.5 * q.tokens.row(3).transpose();
        }
        if (variant == 3) s.sequences[2].tokens.row(5) = s.sequences[2].tokens.row(1);  // a tie
        if (variant == 5) s.sequences[4].tokens.conservativeResize(5, 10);              // general chunk
        Params P = initialParams(s);
        if (variant == 3) {
          P.W.setZero();
          P.p.setZero();
          P.K.setZero();
          P.Q.setZero();
        }
        if (variant == 4) {  // saturation: logit gaps in the thousands
          P.W *= 3000.0;
          P.p *= 3000.0;
          P.K *= 60.0;
          P.Q *= 60.0;
        }
        const std::string what = std::string("model=") + enumName(kind) + " loss=" + enumName(loss) +
                                 " variant=" + std::to_string(variant);
        Evaluation fixed, general;
        general.fixedPaths = false;
        evaluate(s, P, fixed);
        evaluate(s, P, general);
        expectSameEvaluation(fixed, general, what);
        expectSameGradient(s, P, fixed, general, what);
      }
}

// Evaluation::sceneFixed keeps the values h = X v and the queries between calls with the same scene
// and the same v: the result is the bits of a fresh evaluation, and a new v is noticed.
TEST(FastStepModel, ValuesKeptBetweenCallsAreTheFreshOnes) {
  Scene s = attnmd::testing::paperScene(47, 7, 8, 10);
  s.model.trainV = true;
  Params P = initialParams(s);
  Evaluation kept;
  kept.sceneFixed = true;
  for (int call = 0; call < 4; ++call) {
    if (call == 2) P.v *= -0.5;  // a new v
    P.W *= 1.1;
    evaluate(s, P, kept);
    Evaluation fresh;
    evaluate(s, P, fresh);
    expectSameEvaluation(kept, fresh, "call " + std::to_string(call));
  }
}

// Evaluation::deferLogs: the gradient of a deferred evaluation is the complete one's to the bit, and
// completeEvaluation() then gives every field of the complete evaluation. Deferral must happen on the
// common path and must not where the gradient would need the logs (saturation) or the loss could
// overflow (huge margins): scales from tame to saturated, every model and loss, v trained, given
// queries, several chunks with one saturated sequence.
TEST(FastStepModel, DeferredLogsGiveTheSameGradientAndCompleteToTheSameBits) {
  std::mt19937_64 rng(53);
  for (ModelKind kind : {ModelKind::Query, ModelKind::Prompt, ModelKind::KQ})
    for (LossKind loss : {LossKind::Logistic, LossKind::Exponential})
      for (int variant = 0; variant < 9; ++variant) {
        const int n = variant == 8 ? 2500 : 7;  // 2500: three chunks
        Scene s = attnmd::testing::paperScene(rng(), n, 8, 10, kind);
        s.model.loss = loss;
        s.model.trainV = variant == 1;
        if (variant == 2) {
          s.model.query = QueryKind::Given;
          for (Sequence& q : s.sequences) q.z = 0.5 * q.tokens.row(3).transpose();
        }
        Params P = initialParams(s);
        // Logit gaps from ~1 to the thousands (beyond e^-600 the sequences are saturated).
        const double scale[] = {1, 1, 1, 40, 150, 400, 3000, 1, 1};
        const double k = kind == ModelKind::KQ ? std::sqrt(scale[variant]) : scale[variant];
        P.W *= k;
        P.p *= k;
        P.K *= k;
        P.Q *= k;
        if (variant == 7) P.v *= 1e295;                        // margins beyond 1e290
        if (variant == 8) s.sequences[1700].tokens *= 3000.0;  // one saturated sequence in chunk 1
        const std::string what = std::string("model=") + enumName(kind) + " loss=" + enumName(loss) +
                                 " variant=" + std::to_string(variant);
        Evaluation full, lazy;
        lazy.deferLogs = true;
        evaluate(s, P, full);
        evaluate(s, P, lazy);
        ASSERT_FALSE(full.logsPending) << what;
        EXPECT_EQ(lazy.finite, full.finite) << what;
        // Tame scenes with the logistic loss defer; saturation (e^-600), huge margins, other losses and a
        // saturated chunk among tame ones do not; scales 40-400 may go either way.
        if (loss == LossKind::Logistic && variant <= 2) {
          EXPECT_TRUE(lazy.logsPending) << what;
        }
        if (loss != LossKind::Logistic || variant >= 6) {
          EXPECT_FALSE(lazy.logsPending) << what;
        }
        if (lazy.logsPending) {
          EXPECT_TRUE(std::isnan(lazy.loss)) << what;
          EXPECT_TRUE(std::isnan(lazy.seqs[0].logUnselected)) << what;
        }
        expectSameGradient(s, P, full, lazy, what);
        completeEvaluation(s, lazy);
        EXPECT_FALSE(lazy.logsPending) << what;
        expectSameEvaluation(lazy, full, what);
        for (int i = 0; i < n; ++i) {
          ASSERT_EQ(fastStepBits(lazy.columns.logUnselected[i]), fastStepBits(full.columns.logUnselected[i]))
              << what << " seq " << i;
          ASSERT_EQ(fastStepBits(lazy.columns.logLossSlope[i]), fastStepBits(full.columns.logLossSlope[i]))
              << what << " seq " << i;
        }
      }
}

// A Run defers the logs of every evaluation but the last of a step(k) call and those it records: k
// steps at once end where k calls of one step end, bit for bit, with the same history; also for
// Polyak (never deferred) and for a run that stops part-way (a step whose parameters overflow).
TEST(FastStepModel, RunStepsWithDeferredLogsMatchSingleSteps) {
  struct Case {
    const char* name;
    OptimizerKind kind;
    double lr;
  };
  for (const Case& c :
       {Case{"nmd", OptimizerKind::NMD, 0.1}, Case{"gd", OptimizerKind::GD, 0.5},
        Case{"polyak", OptimizerKind::Polyak, 0.01}, Case{"nmd p=1.01 overflow", OptimizerKind::NMD, 200}})
    for (const bool history : {true, false}) {  // (with a history every early step is recorded: complete)
      Scene s = attnmd::testing::paperScene(59, 6, 8, 10);
      s.optimizer.name = c.kind;
      s.optimizer.lr = c.lr;
      s.optimizer.p = c.lr > 1 ? 1.01 : 3.0;  // theta = |u|^100 leaves the double range
      const auto shared = std::make_shared<const Scene>(s);
      RunOptions o;
      o.svmMetrics = false;
      o.history = history;
      attnmd::core::Run many(shared, o), single(shared, o);
      const long long taken = many.step(700);
      long long singles = 0;
      while (singles < 700 && single.step(1) == 1) ++singles;
      EXPECT_EQ(taken, singles) << c.name;
      EXPECT_EQ(many.stopReason(), single.stopReason()) << c.name;
      if (c.kind != OptimizerKind::Polyak) {  // (Polyak's step blows up on this scene: it stops too)
        EXPECT_EQ(taken<700, c.lr> 1) << c.name << " " << many.stopReason();
      }
      expectSameParams(many.params(), single.params(), c.name);
      EXPECT_FALSE(many.evaluation().logsPending) << c.name;
      expectSameEvaluation(many.evaluation(), single.evaluation(), c.name);
      const std::vector<MetricsPoint> a = many.history().points(), b = single.history().points();
      ASSERT_EQ(a.size(), b.size()) << c.name;
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].iter, b[i].iter) << c.name;
        EXPECT_FALSE(std::isnan(a[i].loss)) << c.name << " iter " << a[i].iter;
        EXPECT_EQ(fastStepBits(a[i].loss), fastStepBits(b[i].loss)) << c.name << " iter " << a[i].iter;
        EXPECT_EQ(fastStepBits(a[i].log10MaxUnselected), fastStepBits(b[i].log10MaxUnselected))
            << c.name << " iter " << a[i].iter;
        EXPECT_EQ(fastStepBits(a[i].entropy), fastStepBits(b[i].entropy)) << c.name << " iter " << a[i].iter;
      }
    }
}

// A step(k) call cancelled part-way (the app's Stop, a sweep's Ctrl+C) leaves its last evaluation
// complete: the bits of a fresh evaluation at the run's parameters.
TEST(FastStepModel, CancelledRunLeavesACompleteEvaluation) {
  Scene s = attnmd::testing::paperScene(61, 6, 8, 10);
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = 3.0;  // far from saturation for the first 200,000 steps: every step defers its logs
  const auto scene = std::make_shared<const Scene>(s);
  RunOptions o;
  o.svmMetrics = false;
  o.history = false;
  attnmd::core::Run run(scene, o);
  std::atomic<bool> cancel = false;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cancel = true;
  });
  const long long taken = run.step(1'000'000'000, &cancel);  // far more than 30 ms of steps
  stopper.join();
  EXPECT_GT(taken, 0);
  EXPECT_LT(taken, 1'000'000'000);
  EXPECT_FALSE(run.evaluation().logsPending);
  const Evaluation fresh = evaluate(*scene, run.params());
  expectSameEvaluation(run.evaluation(), fresh, "cancelled after " + std::to_string(taken) + " steps");
  EXPECT_EQ(fastStepBits(run.loss()), fastStepBits(fresh.loss));
}

// The optimizer's vector kernels (max |g|, the p = 3 sum and mirror step, the finiteness checks) give
// the same trajectory bit for bit on SSE2, AVX2 and AVX-512 (as far as this CPU has them), with the
// undo of a step restoring the parameters and the state exactly.
TEST(FastStepOptimizer, EveryInstructionSetGivesTheSameTrajectory) {
  for (OptimizerKind name : {OptimizerKind::NMD, OptimizerKind::MD})
    for (double p : {3.0, 1.75}) {
      Scene s = attnmd::testing::paperScene(53, 6, 8, 10);
      s.optimizer.name = name;
      s.optimizer.p = p;
      s.optimizer.lr = 0.1;
      std::vector<Params> finals;
      const int best = setOptimizerKernelLevel(-1);
      for (int level = 0; level <= best; ++level) {
        ASSERT_EQ(setOptimizerKernelLevel(level), level);
        RunOptions o;
        o.history = false;
        o.svmMetrics = false;
        attnmd::core::Run run(s, o);
        EXPECT_EQ(run.step(3000), 3000);
        finals.push_back(run.params());
      }
      setOptimizerKernelLevel(-1);
      for (std::size_t l = 1; l < finals.size(); ++l)
        expectSameParams(
            finals[l], finals[0],
            std::string(enumName(name)) + " p=" + std::to_string(p) + " level " + std::to_string(l));
    }
}

TEST(FastStepOptimizer, UndoingAStepRestoresParametersAndStateBitForBit) {
  for (ModelKind kind : {ModelKind::Query, ModelKind::Prompt, ModelKind::KQ})
    for (OptimizerKind name : {OptimizerKind::NMD, OptimizerKind::Adam, OptimizerKind::GD}) {
      Scene s = attnmd::testing::paperScene(59, 6, 8, 10, kind);
      s.model.trainV = true;
      s.optimizer.name = name;
      s.optimizer.p = 3.0;
      Params P = initialParams(s);
      OptimizerState st;
      Params g;
      for (int k = 0; k < 5; ++k) {  // a few steps, so the state is not fresh
        const Evaluation e = evaluate(s, P);
        gradient(s, P, e, g);
        ASSERT_TRUE(optimizerStep(s, s.optimizer, e.loss, g, P, st).ok);
      }
      const Params before = P;
      const OptimizerState stateBefore = st;
      const Evaluation e = evaluate(s, P);
      gradient(s, P, e, g);
      ASSERT_TRUE(optimizerStep(s, s.optimizer, e.loss, g, P, st).ok);
      optimizerUndoStep(s, P, st);
      const std::string what = std::string(enumName(kind)) + " " + enumName(name);
      expectSameParams(P, before, what);
      ASSERT_EQ(st.step, stateBefore.step) << what;
      for (std::size_t i = 0; i < st.tensors.size(); ++i)
        for (const auto& [x, y] : {std::pair{&st.tensors[i].dual, &stateBefore.tensors[i].dual},
                                   {&st.tensors[i].m1, &stateBefore.tensors[i].m1},
                                   {&st.tensors[i].m2, &stateBefore.tensors[i].m2}}) {
          ASSERT_EQ(x->size(), y->size()) << what;
          for (Eigen::Index j = 0; j < x->size(); ++j)
            ASSERT_EQ(fastStepBits(x->data()[j]), fastStepBits(y->data()[j])) << what << " state " << i;
        }
    }
}

// ||x||_q of a block of a larger matrix (not contiguous) equals that of its copy, bit for bit.
TEST(FastStepOptimizer, NormOfABlockEqualsNormOfItsCopy) {
  std::mt19937_64 rng(61);
  std::normal_distribution<double> N(0.0, 1.0);
  Eigen::MatrixXd big(13, 11);
  for (Eigen::Index i = 0; i < big.size(); ++i) big.data()[i] = N(rng);
  const Eigen::MatrixXd copy = big.block(2, 1, 10, 10);
  for (double p : {3.0, 1.5, 1.1, 2.0})
    EXPECT_EQ(fastStepBits(lpNorm(big.block(2, 1, 10, 10), p)), fastStepBits(lpNorm(copy, p))) << p;
}

#pragma GCC diagnostic pop
// GCC 12 repeats the note at the end of the translation unit (after the pop): off from here on, as in
// core/model.cpp.
#pragma GCC diagnostic ignored "-Wpsabi"
