// Next-token prediction (docs/theory.md §10): gradients against finite differences (also deep in
// saturation, through their log scale), the data's structure (optimal tokens, realizability, partial
// orders and cycles), both SVMs against the worked example's numbers and their KKT conditions, and
// two-stage normalized GD converging in direction to both.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generators.h"
#include "core/ntp.h"
#include "core/ntp_generators.h"
#include "core/ntp_run.h"
#include "core/scene_io.h"

using namespace attnmd::core;

namespace {

NtpParams randomParams(const NtpScene& s, std::uint64_t seed, double scale) {
  SeededRng rng(seed);
  NtpParams P{Eigen::MatrixXd(s.vocabularySize(), s.dim), Eigen::MatrixXd(s.dim, s.dim)};
  for (Eigen::MatrixXd* m : {&P.Wov, &P.Wkq})
    for (Eigen::Index k = 0; k < m->size(); ++k) m->data()[k] = scale * rng.normal();
  return P;
}

double sentenceLoss(const NtpScene& s, const NtpParams& P) {
  NtpEvaluation ev;
  evaluateNtp(s, P, ev);
  return ev.loss;
}

double sentenceLogLoss(const NtpScene& s, const NtpParams& P) {
  NtpEvaluation ev;
  evaluateNtp(s, P, ev);
  return ev.logLoss;
}

// Central differences of f over every entry of P.*member.
template <class F>
Eigen::MatrixXd finiteDifference(const NtpParams& P, Eigen::MatrixXd NtpParams::*member, F f, double h) {
  const Eigen::MatrixXd& M = P.*member;
  Eigen::MatrixXd g(M.rows(), M.cols());
  for (Eigen::Index k = 0; k < M.size(); ++k) {
    NtpParams a = P, b = P;
    (a.*member).data()[k] += h;
    (b.*member).data()[k] -= h;
    g.data()[k] = (f(a) - f(b)) / (2 * h);
  }
  return g;
}

double relativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).norm() / std::max(1e-300, b.norm());
}

}  // namespace

TEST(NtpGradient, MatchesFiniteDifferencesInBothTensors) {
  for (const char* preset : {"ntp-chain", "ntp-words-2d"}) {
    const NtpScene s = generateNtpScene(preset, {});
    const NtpParams P = randomParams(s, 7, 0.8);
    NtpGradient g;
    double logLoss = 0;
    const double L = ntpSentenceGradient(s, P, g, &logLoss);
    EXPECT_NEAR(L, sentenceLoss(s, P), 1e-14 * L) << preset;
    EXPECT_NEAR(logLoss, std::log(L), 1e-12) << preset;
    auto f = [&](const NtpParams& Q) { return sentenceLoss(s, Q); };
    EXPECT_LT(relativeError(g.trueWov(), finiteDifference(P, &NtpParams::Wov, f, 1e-6)), 1e-7) << preset;
    EXPECT_LT(relativeError(g.trueWkq(), finiteDifference(P, &NtpParams::Wkq, f, 1e-6)), 1e-7) << preset;

    // The collocation loss: only W_ov.
    NtpGradient gc;
    ntpCollocationGradient(s, P, gc);
    auto fc = [&](const NtpParams& Q) { return ntpCollocationLoss(s, Q.Wov).loss; };
    EXPECT_LT(relativeError(gc.trueWov(), finiteDifference(P, &NtpParams::Wov, fc, 1e-6)), 1e-7) << preset;
    EXPECT_EQ(gc.Wkq.norm(), 0.0);
  }
}

TEST(NtpGradient, KeepsItsDirectionWhereTheLossUnderflows) {
  // Far in training the loss is below 1e-300: the gradient's direction must still be exact. Compare
  // the scaled gradient with finite differences of log L (grad log L = grad L / L), where log L is
  // exact in log form.
  const NtpScene s = generateNtpScene("ntp-chain", {});
  NtpRun run(s, {.history = false});
  run.step(7000);
  ASSERT_FALSE(run.stopped()) << run.stopReason();
  NtpParams P = run.params();
  P.Wov *= 40;  // deep saturation in both layers
  P.Wkq *= 40;
  NtpGradient g;
  double logLoss = 0;
  const double L = ntpSentenceGradient(s, P, g, &logLoss);
  EXPECT_EQ(L, 0.0) << "the scene should be past float64's range here";
  EXPECT_LT(logLoss, std::log(1e-300));
  EXPECT_TRUE(g.Wov.allFinite() && g.Wkq.allFinite());
  EXPECT_GT(g.Wkq.norm(), 0.0);
  auto f = [&](const NtpParams& Q) { return sentenceLogLoss(s, Q); };
  const Eigen::MatrixXd fdOv = finiteDifference(P, &NtpParams::Wov, f, 1e-7);
  const Eigen::MatrixXd fdKq = finiteDifference(P, &NtpParams::Wkq, f, 1e-7);
  // grad log L = exp(logScale - log L) * scaled grad.
  EXPECT_LT(relativeError(std::exp(g.logScaleOv - logLoss) * g.Wov, fdOv), 1e-5);
  EXPECT_LT(relativeError(std::exp(g.logScaleKq - logLoss) * g.Wkq, fdKq), 1e-5);
}

TEST(NtpAnalysis, FindsOptimalTokensAndTheQueryOrders) {
  const NtpScene s = generateNtpScene("ntp-chain", {});
  const NtpAnalysis a = analyzeNtp(s);
  EXPECT_TRUE(a.realizable);
  EXPECT_TRUE(a.warnings.empty());
  const int expected[] = {1, 2, 2, 3, 0, 3};  // n(o_i) = y_i
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(a.sentences[static_cast<std::size_t>(i)].optimalToken, expected[i]) << "sentence " << i;
    EXPECT_TRUE(a.sentences[static_cast<std::size_t>(i)].realizable);
  }
  // Query 5: 1 > 0, 1 > 5, 2 > 1, 2 > 5, 2 > 0; its Hasse diagram keeps 2 > 1, 1 > 0, 1 > 5.
  const auto q5 = std::find_if(a.orders.begin(), a.orders.end(), [](const auto& o) { return o.query == 5; });
  ASSERT_NE(q5, a.orders.end());
  EXPECT_EQ(q5->sentences, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(q5->preferences.size(), 5u);
  EXPECT_TRUE(q5->cycle.empty());
  std::vector<std::pair<int, int>> hasse;
  for (const NtpPreference& p : q5->hasse) hasse.emplace_back(p.winner, p.loser);
  std::sort(hasse.begin(), hasse.end());
  EXPECT_EQ(hasse, (std::vector<std::pair<int, int>>{{1, 0}, {1, 5}, {2, 1}}));
}

TEST(NtpAnalysis, NamesSentencesThatAreNotRealizableAndCycles) {
  NtpScene s = generateNtpScene("ntp-chain", {});
  s.sentences.push_back({{4, 0, 5}, 3});  // no token of it is followed by 3 (that is token 2)
  NtpAnalysis a = analyzeNtp(s);
  EXPECT_FALSE(a.realizable);
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_NE(a.warnings[0].find("sentence 6"), std::string::npos) << a.warnings[0];
  EXPECT_FALSE(a.sentences[6].realizable);

  // Query 5 already wants 2 > 1 (sentence 1); a sentence wanting 1 > 2 closes a cycle.
  s = generateNtpScene("ntp-chain", {});
  s.sentences.push_back({{1, 2, 5}, 2});  // n(1) = 2: optimal token 1, so 1 > 2
  a = analyzeNtp(s);
  EXPECT_FALSE(a.realizable);
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_NE(a.warnings[0].find("query 5"), std::string::npos) << a.warnings[0];
  EXPECT_NE(a.warnings[0].find("cycle"), std::string::npos) << a.warnings[0];
  const NtpKqSvm svm = solveNtpKqSvm(s, a, 2.0);
  EXPECT_EQ(svm.solution.status, SvmStatus::Infeasible);
  EXPECT_EQ(svm.solution.reason, a.warnings[0]);
}

TEST(NtpSvm, TheWorkedExamplesColumnsAndClosedForm) {
  const NtpScene s = generateNtpScene("ntp-chain", {});
  const NtpAnalysis a = analyzeNtp(s);
  const NtpKqSvm kq = solveNtpKqSvm(s, a, 2.0);
  ASSERT_EQ(kq.solution.status, SvmStatus::Optimal) << kq.solution.reason;
  Eigen::VectorXd col5(6), col2(6);
  col5 << -0.75, 0.25, 1.25, 0, 0, -0.75;
  col2 << 0, -1.0 / 3, -1.0 / 3, 2.0 / 3, 0, 0;
  EXPECT_LT((kq.W.col(5) - col5).cwiseAbs().maxCoeff(), 1e-9) << kq.W;
  EXPECT_LT((kq.W.col(2) - col2).cwiseAbs().maxCoeff(), 1e-9) << kq.W;
  // KKT: every row holds, the certified gap is at rounding level.
  for (std::size_t k = 0; k < kq.rows.size(); ++k) {
    const NtpPreference& r = kq.rows[k];
    const double margin =
        (s.embedding(r.winner) - s.embedding(r.loser)).dot(kq.W * s.embedding(kq.queries[k]));
    EXPECT_GE(margin, 1 - 1e-12);
  }
  EXPECT_LT(std::abs(kq.solution.gap), 1e-9);

  // W_ov^mm, one-hot and p = 2: column a is u_{n(a)} - (1/K) 1.
  const NtpOvSvm ov = solveNtpOvSvm(s, 2.0);
  ASSERT_EQ(ov.solution.status, SvmStatus::Optimal) << ov.solution.reason;
  for (int a2 = 0; a2 < 6; ++a2) {
    Eigen::VectorXd col = Eigen::VectorXd::Constant(6, -1.0 / 6);
    col((a2 + 1) % 6) += 1;
    EXPECT_LT((ov.W.col(a2) - col).cwiseAbs().maxCoeff(), 1e-9) << "column " << a2;
  }
}

TEST(NtpSvm, OtherPGivesItsOwnFeasibleDirection) {
  const NtpScene s = generateNtpScene("ntp-words-2d", {});
  const NtpAnalysis a = analyzeNtp(s);
  for (double p : {1.5, 2.0, 3.0}) {
    const NtpKqSvm kq = solveNtpKqSvm(s, a, p);
    ASSERT_EQ(kq.solution.status, SvmStatus::Optimal) << "p " << p << ": " << kq.solution.reason;
    EXPECT_LT(std::abs(kq.solution.gap), 1e-8);
    const NtpOvSvm ov = solveNtpOvSvm(s, p);
    ASSERT_EQ(ov.solution.status, SvmStatus::Optimal) << "p " << p << ": " << ov.solution.reason;
    EXPECT_LT(std::abs(ov.solution.gap), 1e-8);
  }
}

TEST(NtpRun, TwoStageNormalizedGdConvergesToBothSvms) {
  // The worked example: eta = 0.1, 2,000 + 5,000 steps from zeros.
  const NtpScene s = generateNtpScene("ntp-chain", {});
  NtpRun run(s);
  run.step(7000);
  run.recordNow();
  ASSERT_FALSE(run.stopped()) << run.stopReason();
  const NtpPoint& m = run.history().back();
  EXPECT_EQ(m.iter, 7000);
  EXPECT_EQ(m.stage, 2);
  EXPECT_GT(m.corrOv, 1 - 1e-12);
  EXPECT_GT(m.corrKq, 0.99999);
  EXPECT_GT(m.minOptimalAttention, 1 - 1e-6);
  EXPECT_EQ(m.accuracy, 1.0);
  // W_ov is frozen in stage 2: its direction at step 2,000 is its final one.
  const auto at2000 = std::find_if(run.history().begin(), run.history().end(),
                                   [](const NtpPoint& p) { return p.iter == 2000; });
  ASSERT_NE(at2000, run.history().end());
  EXPECT_EQ(at2000->corrOv, m.corrOv);
  EXPECT_EQ(at2000->stage, 1);
  // Stage 1: the collocation loss falls linearly on a log axis (its slope steady to 10 %).
  // Stage 2: W_ov is frozen, so the sentence loss can only fall to the floor that W_ov sets once the
  // attention is all on the optimal tokens, mean_i CE(W_ov e_{o_i}, y_i); what falls linearly there is
  // 1 - s (the attention left on other tokens).
  auto steadySlope = [&](double NtpPoint::*value, long long from, long long to) {
    std::vector<NtpPoint> span;
    for (const NtpPoint& p : run.history())
      if (p.iter >= from && p.iter <= to) span.push_back(p);
    EXPECT_GE(span.size(), 3u);
    if (span.size() < 3) return;
    const NtpPoint &a = span.front(), &b = span[span.size() / 2], &c = span.back();
    const double slope1 = (b.*value - a.*value) / static_cast<double>(b.iter - a.iter);
    const double slope2 = (c.*value - b.*value) / static_cast<double>(c.iter - b.iter);
    EXPECT_LT(slope1, 0) << from << ".." << to;
    EXPECT_NEAR(slope2 / slope1, 1.0, 0.1) << from << ".." << to;
  };
  steadySlope(&NtpPoint::log10Loss, 500, 2000);
  steadySlope(&NtpPoint::log10MaxNonOptimal, 2500, 4000);
  const NtpAnalysis& an = run.analysis();
  double floor = 0;
  for (int i = 0; i < s.sentenceCount(); ++i) {
    const int o = an.sentences[static_cast<std::size_t>(i)].optimalToken;
    const Eigen::VectorXd logits = run.params().Wov * s.embedding(o);
    const int y = s.sentences[static_cast<std::size_t>(i)].next;
    Eigen::VectorXd others(logits.size() - 1);  // CE = -log(1 - (1 - pi_y)), exact when tiny
    for (Eigen::Index c = 0, k = 0; c < logits.size(); ++c)
      if (c != y) others(k++) = logits(c);
    floor += -std::log1p(-std::exp(logSumExp(others) - logSumExp(logits)));
  }
  floor /= s.sentenceCount();
  EXPECT_GT(m.sentenceLoss, 0.0);
  EXPECT_NEAR(m.sentenceLoss, floor, 1e-9 * floor);
}

TEST(NtpRun, JointScheduleAndOtherOptimizersRun) {
  NtpScene s = generateNtpScene("ntp-words-2d", {});
  s.schedule = NtpSchedule::Joint;
  for (OptimizerKind k :
       {OptimizerKind::GD, OptimizerKind::NMD, OptimizerKind::Adam, OptimizerKind::Polyak}) {
    s.optimizer.name = k;
    s.optimizer.p = 3;
    s.optimizer.lr = k == OptimizerKind::Adam ? 0.01 : k == OptimizerKind::Polyak ? 0.5 : 0.1;
    NtpRun run(s);
    run.step(2000);
    ASSERT_FALSE(run.stopped()) << enumName(k) << ": " << run.stopReason();
    const NtpPoint m = run.metrics();
    EXPECT_EQ(m.stage, 0);
    EXPECT_LT(m.sentenceLoss, run.history().front().sentenceLoss) << enumName(k);
    EXPECT_EQ(m.accuracy, 1.0) << enumName(k);
  }
}

TEST(NtpGenerators, RandomDataIsAlwaysRealizable) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    NtpGeneratorOptions o;
    o.K = 2 + static_cast<int>(seed % 9);
    o.n = 1 + static_cast<int>(seed * 7 % 40);
    o.T = 2 + static_cast<int>(seed % 6);
    o.seed = seed;
    const NtpScene s = generateNtpScene("ntp-random", o);
    const NtpAnalysis a = analyzeNtp(s);
    ASSERT_TRUE(a.realizable) << "seed " << seed << ": " << (a.warnings.empty() ? "" : a.warnings[0]);
    EXPECT_EQ(s.sentenceCount(), o.n);
    for (const NtpSentence& sen : s.sentences) EXPECT_EQ(static_cast<int>(sen.tokens.size()), o.T);
    // One-hot embeddings: the SVM of a realizable scene is feasible.
    if (s.dim * s.dim <= 900) {
      const NtpKqSvm kq = solveNtpKqSvm(s, a, 2.0);
      EXPECT_NE(kq.solution.status, SvmStatus::Infeasible) << "seed " << seed << ": " << kq.solution.reason;
    }
  }
  EXPECT_THROW(generateNtpScene("ntp-random", {.K = 1}), std::invalid_argument);
  EXPECT_THROW(generateNtpScene("ntp-random", {.T = 1}), std::invalid_argument);
}

TEST(NtpSceneFile, RoundTripsAndKeepsUnknownFields) {
  NtpScene s = generateNtpScene("ntp-words-2d", {});
  s.extrasJson = R"({"notes":"a lesson","model":{"colour":"red"}})";
  const std::string text = ntpSceneToJson(s);
  AnySceneLoadResult r = parseAnyScene(text, "words.json");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_TRUE(r.isNtp());
  const NtpScene& t = r.ntpScene();
  EXPECT_EQ(t.vocabularySize(), 6);
  EXPECT_EQ(t.wordName(2), "sat");
  EXPECT_EQ(t.collocation, s.collocation);
  ASSERT_EQ(t.sentenceCount(), s.sentenceCount());
  EXPECT_EQ(t.sentences[4].tokens, s.sentences[4].tokens);
  EXPECT_EQ(t.stage1Iterations, s.stage1Iterations);
  EXPECT_EQ(ntpSceneToJson(t), text) << "save -> load -> save is byte-identical";
  EXPECT_NE(text.find("\"notes\": \"a lesson\""), std::string::npos);
  EXPECT_NE(text.find("\"colour\": \"red\""), std::string::npos);
  // The attention-scene loader says what the file is instead of "unknown model kind".
  const SceneLoadResult plain = parseScene(text, "words.json");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().find("words.json:model.kind: a next-token prediction scene"), std::string::npos)
      << plain.error();
}

TEST(NtpSceneFile, BadInputNamesTheField) {
  const std::string good = ntpSceneToJson(generateNtpScene("ntp-chain", {}));
  auto errorOf = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at == std::string::npos) return std::string();
    text.replace(at, from.size(), to);
    const AnySceneLoadResult r = parseAnyScene(text, "s.json");
    return r.ok() ? std::string("(loaded)") : r.error();
  };
  auto expectError = [](const std::string& error, const std::string& want) {
    EXPECT_NE(error.find(want), std::string::npos) << "got: " << error << "\nwant: " << want;
  };
  expectError(errorOf("[3, 1, 2]", "[3, 1, 9]"), "s.json:sentences[5].tokens[2]: not a vocabulary index");
  expectError(errorOf("[3, 1, 2]", "[3]"), "s.json:sentences[5].tokens: a sentence needs at least 2 tokens");
  expectError(errorOf("[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]", "[1.0, 0.0]"),
              "s.json:vocabulary[0].embedding: expected 6 numbers");
  expectError(errorOf("[1, 2]", "[0, 2]"), "s.json:collocation[1][0]: token 0 has two successors");
  expectError(errorOf("\"stage1_iterations\": 2000", "\"stage1_iterations\": 9000"),
              "s.json:model.stage1_iterations: stage 1 cannot be longer than the whole run");
  expectError(errorOf("\"next\": 2", "\"next\": -1"), "s.json:sentences[0].next: not a vocabulary index");
  expectError(errorOf("\"schedule\": \"two_stage\"", "\"schedule\": \"three\""),
              "s.json:model.schedule: unknown");
  expectError(errorOf("\"lr\": 0.1", "\"lr\": 1e999"), "s.json:optimizer.lr");
  // K < 2.
  NtpScene tiny = generateNtpScene("ntp-chain", {});
  tiny.vocabulary.resize(1);
  EXPECT_NE(validateNtpScene(tiny).find("vocabulary: at least 2 tokens"), std::string::npos);
}
