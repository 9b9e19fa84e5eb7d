// Token analysis (docs/theory.md §6): optimal and selected tokens, support tokens, local and global optimality
// on the toys of docs/theory.md §8.4 and on random scenes.
#include <gtest/gtest.h>

#include <random>

#include "core/model.h"
#include "core/tokens.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

using attnmd::testing::maxMarginToy;  // docs/theory.md §8.4
using attnmd::testing::seq;

Scene randomScene(std::mt19937_64& rng, ModelKind kind, int n, int T, int d, bool given = false) {
  std::normal_distribution<double> N(0, 1);
  auto unit = [&] {
    VectorXd x = VectorXd::NullaryExpr(d, [&] { return N(rng); });
    return VectorXd(x / x.norm());
  };
  Scene s;
  s.dim = d;
  s.model.kind = kind;
  s.model.query = given ? QueryKind::Given : QueryKind::First;
  s.model.v = unit();
  if (kind == ModelKind::Prompt) s.model.keyMatrix = MatrixXd::NullaryExpr(d, d, [&] { return N(rng); });
  for (int i = 0; i < n; ++i) {
    Sequence q;
    q.y = (rng() & 1u) ? 1 : -1;
    q.tokens.resize(T, d);
    for (int t = 0; t < T; ++t) q.tokens.row(t) = unit().transpose();
    if (given) q.z = unit();
    s.sequences.push_back(q);
  }
  return s;
}

Params randomParams(std::mt19937_64& rng, const Scene& s, int m = 2) {
  std::normal_distribution<double> N(0, 1);
  const int d = s.dim;
  Params p;
  p.v = s.model.v;
  if (s.model.kind == ModelKind::Prompt) p.p = VectorXd::NullaryExpr(d, [&] { return N(rng); });
  if (s.model.kind == ModelKind::Query) p.W = MatrixXd::NullaryExpr(d, d, [&] { return N(rng); });
  if (s.model.kind == ModelKind::KQ) {
    p.K = MatrixXd::NullaryExpr(d, m, [&] { return N(rng); });
    p.Q = MatrixXd::NullaryExpr(d, m, [&] { return N(rng); });
  }
  return p;
}

}  // namespace

TEST(Tokens, ScoresAndOptimalTokens) {
  Scene s = maxMarginToy(false);
  s.sequences.push_back(seq(-1, {{0, 0, 1}, {0, 0, -2}, {0, 0, -2}}));
  const auto gamma = tokenScores(s, s.model.v);
  ASSERT_EQ(gamma.size(), 2u);
  EXPECT_TRUE(gamma[0].isApprox(Eigen::Vector3d(1, 0.9, 0.9)));
  EXPECT_TRUE(gamma[1].isApprox(Eigen::Vector3d(-1, 2, 2)));  // gamma = Y v^T x with Y = -1
  EXPECT_EQ(optimalTokens(s), (std::vector<int>{0, 1}));      // ties: the lowest index
  EXPECT_EQ(optimalTokens(s, Eigen::Vector3d(0, 1, 0)), (std::vector<int>{0, 0}));
}

// selectedTokens agrees with the model's forward pass (docs/theory.md §2) for every model kind.
TEST(Tokens, SelectedTokensMatchTheForwardPass) {
  std::mt19937_64 rng(41);
  for (ModelKind kind : {ModelKind::Prompt, ModelKind::Query, ModelKind::KQ}) {
    for (int trial = 0; trial < 10; ++trial) {
      const Scene s = randomScene(rng, kind, 5, 2 + trial % 6, 2 + trial % 4, trial % 2 == 1);
      const Params p = randomParams(rng, s);
      const Evaluation e = evaluate(s, p);
      const std::vector<int> sel = selectedTokens(s, p);
      const auto logits = attentionLogits(s, p);
      ASSERT_EQ(sel.size(), e.seqs.size());
      for (std::size_t i = 0; i < sel.size(); ++i) {
        EXPECT_EQ(sel[i], e.seqs[i].selected) << enumName(kind) << " trial " << trial;
        EXPECT_LE((logits[i] - e.seqs[i].logits).cwiseAbs().maxCoeff(), 1e-12);
      }
    }
  }
  // Missing parameters give empty logits and -1, not a crash.
  Scene s = maxMarginToy(false);
  EXPECT_EQ(selectedTokens(s, Params{}), std::vector<int>{-1});
}

// docs/theory.md §8.4: token 0 is globally optimal; with the third token at the origin, token 1 is locally
// optimal (its only support token scores 0 < 0.9); in the original toy token 1 ties with its support
// token (0.9 = 0.9), so it is not locally optimal.
TEST(Tokens, LocalAndGlobalOptimalityOnTheToy) {
  const SelectionAnalysis global = analyzeSelection(maxMarginToy(false), {0}, SvmNorm::Lp, 2.0);
  EXPECT_TRUE(global.feasible);
  EXPECT_TRUE(global.globallyOptimal);
  EXPECT_TRUE(global.locallyOptimal);
  EXPECT_EQ(global.support, (std::vector<std::vector<int>>{{2}}));

  const SelectionAnalysis local = analyzeSelection(maxMarginToy(true), {1}, SvmNorm::Lp, 2.0);
  EXPECT_TRUE(local.feasible);
  EXPECT_FALSE(local.globallyOptimal);
  EXPECT_TRUE(local.locallyOptimal);
  EXPECT_EQ(local.support, (std::vector<std::vector<int>>{{2}}));
  EXPECT_NE(local.explanation.find("locally optimal"), std::string::npos);

  const SelectionAnalysis tie = analyzeSelection(maxMarginToy(false), {1}, SvmNorm::Lp, 2.0);
  EXPECT_TRUE(tie.feasible);
  EXPECT_FALSE(tie.locallyOptimal);
  EXPECT_EQ(tie.blockingSequences, std::vector<int>{0});

  // Token 2 of the local toy (the origin, score 0) needs both rows: support {0, 1} outscore it.
  const SelectionAnalysis low = analyzeSelection(maxMarginToy(true), {2}, SvmNorm::Lp, 2.0);
  ASSERT_TRUE(low.feasible);
  EXPECT_EQ(low.support, (std::vector<std::vector<int>>{{0, 1}}));
  EXPECT_FALSE(low.locallyOptimal);
  EXPECT_LE((low.svm.direction.p - Eigen::Vector3d(-1, -1.1, 0)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Tokens, InfeasibleSelectionIsNotOptimal) {
  Scene s = maxMarginToy(true);
  s.sequences[0].tokens.row(2) = s.sequences[0].tokens.row(1);  // token 2 equals token 1
  const SelectionAnalysis a = analyzeSelection(s, {1}, SvmNorm::Lp, 2.0);
  EXPECT_FALSE(a.feasible);
  EXPECT_FALSE(a.locallyOptimal);
  EXPECT_NE(a.explanation.find("equals the selected token"), std::string::npos) << a.explanation;
  const SelectionAnalysis bad = analyzeSelection(s, {7}, SvmNorm::Lp, 2.0);
  EXPECT_FALSE(bad.feasible);
  EXPECT_FALSE(bad.globallyOptimal);
}

// On random scenes the optimal selection, when its SVM exists, is locally optimal (scores are distinct
// with probability one), and support tokens are exactly the active rows of the SVM.
TEST(Tokens, OptimalSelectionIsLocallyOptimal) {
  std::mt19937_64 rng(42);
  int checked = 0;
  for (int trial = 0; trial < 30; ++trial) {
    const Scene s = randomScene(rng, trial % 2 ? ModelKind::Query : ModelKind::KQ, 6, 8, 10);
    const SvmNorm norm = s.model.kind == ModelKind::KQ ? SvmNorm::Nuclear : SvmNorm::Lp;
    const double p = trial % 3 == 0 ? 1.5 : 2.0;
    const SelectionAnalysis a = analyzeSelection(s, optimalTokens(s), norm, p);
    ASSERT_TRUE(a.feasible) << a.explanation;
    EXPECT_TRUE(a.globallyOptimal);
    EXPECT_TRUE(a.locallyOptimal) << a.explanation;
    std::size_t total = 0;
    for (const auto& sup : a.support) total += sup.size();
    EXPECT_EQ(total, a.svm.solution.active.size());
    ++checked;
  }
  EXPECT_EQ(checked, 30);
}
