// Attention-level SVMs (docs/theory.md §5): constraint rows from scenes, the toys of docs/theory.md §8.4-8.5, the
// rank of the Frobenius solution, the v-SVM and the relaxed prompt SVM, warm starts after a token moves,
// and every kind of infeasibility reported in words.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/svm.h"
#include "core/svm_detail.h"  // nonnegativeLeastSquares, to check Farkas certificates
#include "tests/support/scenes.h"

using namespace attnmd::core;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

using attnmd::testing::maxMarginToy;  // docs/theory.md §8.4
using attnmd::testing::seq;

// docs/theory.md §8.5: prompt model, d = 2, v trained, all sequences select token 1.
Scene jointToy(bool relaxed) {
  Scene s;
  s.dim = 2;
  s.model.kind = ModelKind::Prompt;
  s.model.trainV = true;
  s.model.v = Eigen::Vector2d(0, 1);
  s.sequences.push_back(seq(1, {{0, 0}, {1, 1}}));
  s.sequences.push_back(seq(-1, {{0, 0}, {1, -1}}));
  s.sequences.push_back(seq(1, {{0, 0}, {0.5, relaxed ? 1.5 : 1.0}}));
  return s;
}

// The papers' random setting (docs/theory.md §8.7): unit tokens, query model, z_i = first token.
Scene randomScene(std::mt19937_64& rng, int n, int T, int d, ModelKind kind = ModelKind::Query) {
  std::normal_distribution<double> N(0, 1);
  auto unit = [&] {
    VectorXd x = VectorXd::NullaryExpr(d, [&] { return N(rng); });
    return VectorXd(x / x.norm());
  };
  Scene s;
  s.dim = d;
  s.model.kind = kind;
  s.model.v = unit();
  for (int i = 0; i < n; ++i) {
    Sequence q;
    q.y = (rng() & 1u) ? 1 : -1;
    q.tokens.resize(T, d);
    for (int t = 0; t < T; ++t) q.tokens.row(t) = unit().transpose();
    s.sequences.push_back(q);
  }
  return s;
}

std::vector<int> randomSelection(std::mt19937_64& rng, const Scene& s) {
  std::vector<int> a;
  for (const Sequence& q : s.sequences)
    a.push_back(static_cast<int>(rng() % static_cast<unsigned>(q.tokens.rows())));
  return a;
}

}  // namespace

// Row k of A is vec((x_alpha - x_t) z_i^T), so a_k^T vec(W) = (x_alpha - x_t)^T W z_i (docs/theory.md §5).
TEST(AttentionSvm, RowsMatchTheLogitDifferences) {
  std::mt19937_64 rng(21);
  std::normal_distribution<double> N(0, 1);
  const Scene s = randomScene(rng, 4, 5, 3);
  const std::vector<int> alpha = randomSelection(rng, s);
  const AttentionRows ar = attentionRows(s, alpha);
  ASSERT_EQ(ar.A.rows(), 16);
  const MatrixXd W = MatrixXd::NullaryExpr(3, 3, [&] { return N(rng); });
  const VectorXd aw = ar.A * Eigen::Map<const VectorXd>(W.data(), 9);
  for (std::size_t k = 0; k < ar.rows.size(); ++k) {
    const TokenPair tp = ar.rows[k];
    const Sequence& q = s.sequences[static_cast<std::size_t>(tp.seq)];
    EXPECT_NE(tp.token, alpha[static_cast<std::size_t>(tp.seq)]);
    const VectorXd z = q.tokens.row(0).transpose();
    const double expect =
        (q.tokens.row(alpha[static_cast<std::size_t>(tp.seq)]) - q.tokens.row(tp.token)) * W * z;
    EXPECT_NEAR(aw[static_cast<Eigen::Index>(k)], expect, 1e-14);
    EXPECT_NEAR(
        (ar.U.row(static_cast<Eigen::Index>(k)) * W * ar.Z.row(static_cast<Eigen::Index>(k)).transpose())(0),
        expect, 1e-14);
  }
  EXPECT_THROW(attentionRows(s, {0, 0}), std::invalid_argument);
  EXPECT_THROW(attentionRows(s, {0, 0, 0, 9}), std::invalid_argument);
}

// docs/theory.md §8.4: the global l_2 SVM p^mm = (-0.1, 1, 0)/1.01 for the optimal token 0; with the third
// token at the origin, token 1 has p^mm = (1, 0, 0) and token 2 is its only support token.
TEST(AttentionSvm, MaxMarginToy) {
  const AttentionSvm global = solveAttentionSvm(maxMarginToy(false), {0}, SvmNorm::Lp, 2.0);
  ASSERT_EQ(global.solution.status, SvmStatus::Optimal) << global.solution.reason;
  EXPECT_LE((global.direction.p - Eigen::Vector3d(-0.1, 1, 0) / 1.01).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_EQ(global.support, (std::vector<TokenPair>{{0, 2}}));
  EXPECT_LE(std::abs(global.solution.gap), 1e-12);

  const AttentionSvm local = solveAttentionSvm(maxMarginToy(true), {1}, SvmNorm::Lp, 2.0);
  ASSERT_EQ(local.solution.status, SvmStatus::Optimal) << local.solution.reason;
  EXPECT_LE((local.direction.p - Eigen::Vector3d(1, 0, 0)).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_EQ(local.support, (std::vector<TokenPair>{{0, 2}}));
  EXPECT_TRUE(local.direction.W.size() == 0);
}

// docs/theory.md §8.5: p^mm = (4/3, 1/3), v^mm proportional to (0, 1); with x_21 = (0.5, 1.5) sequence 2 is no
// longer a v-SVM support vector and the relaxed prompt SVM gives (1, 0).
TEST(AttentionSvm, JointToyAndRelaxedPromptSvm) {
  const Scene toy = jointToy(false);
  const std::vector<int> alpha{1, 1, 1};
  const AttentionSvm p = solveAttentionSvm(toy, alpha, SvmNorm::Lp, 2.0);
  ASSERT_EQ(p.solution.status, SvmStatus::Optimal);
  EXPECT_LE((p.direction.p - Eigen::Vector2d(4.0 / 3, 1.0 / 3)).cwiseAbs().maxCoeff(), 1e-13);
  const SvmSolution v = solveVSvm(toy, alpha, 2.0);
  ASSERT_EQ(v.status, SvmStatus::Optimal);
  EXPECT_LE((v.w / v.w.norm() - Eigen::Vector2d(0, 1)).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_EQ(v.active, (std::vector<int>{0, 1, 2}));
  // All three are v-SVM support vectors, so the relaxed SVM is the plain one here.
  const AttentionSvm same = solveRelaxedPromptSvm(toy, alpha, 2.0);
  ASSERT_EQ(same.solution.status, SvmStatus::Optimal);
  EXPECT_LE((same.direction.p - p.direction.p).cwiseAbs().maxCoeff(), 1e-12);

  const Scene relaxedToy = jointToy(true);
  const SvmSolution v2 = solveVSvm(relaxedToy, alpha, 2.0);
  ASSERT_EQ(v2.status, SvmStatus::Optimal);
  EXPECT_EQ(v2.active, (std::vector<int>{0, 1}));
  const AttentionSvm relaxed = solveRelaxedPromptSvm(relaxedToy, alpha, 2.0);
  ASSERT_EQ(relaxed.solution.status, SvmStatus::Optimal) << relaxed.solution.reason;
  EXPECT_LE((relaxed.direction.p - Eigen::Vector2d(1, 0)).cwiseAbs().maxCoeff(), 1e-13);
  // The relaxed problem is a different one: its plain SVM is not (1, 0).
  const AttentionSvm plain = solveAttentionSvm(relaxedToy, alpha, SvmNorm::Lp, 2.0);
  EXPECT_GT((plain.direction.p - Eigen::Vector2d(1, 0)).norm(), 0.1);
  std::mt19937_64 rng(1);
  const Scene query = randomScene(rng, 2, 3, 2);
  EXPECT_EQ(solveRelaxedPromptSvm(query, {0, 0}, 2.0).solution.status, SvmStatus::Failed);  // prompt only
}

// docs/theory.md §5: for p = 2 the query-model solution W = sum_i (sum_t lambda_it (x_alpha - x_t)) z_i^T has
// rank <= n. The papers' random scene: n sequences in d = 10.
TEST(AttentionSvm, FrobeniusSolutionHasRankAtMostN) {
  std::mt19937_64 rng(22);
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 1 + trial % 6;
    const Scene s = randomScene(rng, n, 8, 10);
    const AttentionSvm svm = solveAttentionSvm(s, randomSelection(rng, s), SvmNorm::Lp, 2.0);
    ASSERT_EQ(svm.solution.status, SvmStatus::Optimal) << svm.solution.reason;
    const VectorXd sv = Eigen::JacobiSVD<MatrixXd>(svm.direction.W).singularValues();
    for (Eigen::Index i = n; i < sv.size(); ++i)
      EXPECT_LE(sv[i], 1e-10 * sv[0]) << "n " << n << " trial " << trial;
  }
}

// The nuclear solution (the kq limit) has the smallest nuclear norm: at most that of the Frobenius
// solution, at least the nuclear dual bound that the Frobenius multipliers give (lambda / ||B(lambda)||_op).
TEST(AttentionSvm, NuclearBelowFrobenius) {
  std::mt19937_64 rng(23);
  for (int trial = 0; trial < 12; ++trial) {
    const Scene s = randomScene(rng, 2 + trial % 5, 4 + trial % 5, 3 + trial % 8, ModelKind::KQ);
    const std::vector<int> alpha = randomSelection(rng, s);
    const AttentionSvm fro = solveAttentionSvm(s, alpha, SvmNorm::Lp, 2.0);
    const AttentionSvm nuc = solveAttentionSvm(s, alpha, SvmNorm::Nuclear, 2.0);
    ASSERT_EQ(fro.solution.status, SvmStatus::Optimal);
    ASSERT_EQ(nuc.solution.status, SvmStatus::Optimal) << nuc.solution.reason;
    const double froNuclear = Eigen::JacobiSVD<MatrixXd>(fro.direction.W).singularValues().sum();
    const double nucNorm = Eigen::JacobiSVD<MatrixXd>(nuc.direction.W).singularValues().sum();
    EXPECT_NEAR(nucNorm, nuc.solution.value, 1e-12 * nucNorm);
    EXPECT_LE(nucNorm, froNuclear * (1 + 1e-12));
    const AttentionRows ar = attentionRows(s, alpha);
    const MatrixXd B = ar.U.transpose() * fro.solution.lambda.asDiagonal() * ar.Z;
    const double bound = fro.solution.lambda.sum() / Eigen::JacobiSVD<MatrixXd>(B).singularValues()(0);
    EXPECT_GE(nucNorm, bound * (1 - 1e-12));
    EXPECT_LE(std::abs(nuc.solution.gap), 1e-8);
  }
}

// A dragged token: the warm start from the previous solution gives the cold answer, without the
// interior-point iterations when the support is unchanged.
TEST(AttentionSvm, WarmStartWhenOneTokenMoves) {
  std::mt19937_64 rng(24);
  std::normal_distribution<double> N(0, 1);
  for (double p : {1.1, 2.0, 3.0}) {
    Scene s = randomScene(rng, 6, 8, 10);
    const std::vector<int> alpha = randomSelection(rng, s);
    const AttentionSvm first = solveAttentionSvm(s, alpha, SvmNorm::Lp, p);
    ASSERT_EQ(first.solution.status, SvmStatus::Optimal);
    s.sequences[2].tokens.row(3) += 1e-3 * VectorXd::NullaryExpr(10, [&] { return N(rng); }).transpose();
    const AttentionSvm warm = solveAttentionSvm(s, alpha, SvmNorm::Lp, p, &first);
    const AttentionSvm cold = solveAttentionSvm(s, alpha, SvmNorm::Lp, p);
    ASSERT_EQ(warm.solution.status, SvmStatus::Optimal);
    EXPECT_NEAR(warm.solution.value, cold.solution.value, 1e-10 * cold.solution.value);
    EXPECT_LE((warm.direction.W - cold.direction.W).cwiseAbs().maxCoeff(), 1e-8 * cold.direction.W.norm());
    EXPECT_EQ(warm.solution.iterations, 0) << "p " << p;
    // A different selection has different rows: the warm start is ignored, the answer still right.
    std::vector<int> other = alpha;
    other[0] = (other[0] + 1) % 8;
    const AttentionSvm ignored = solveAttentionSvm(s, other, SvmNorm::Lp, p, &first);
    EXPECT_EQ(ignored.solution.status, SvmStatus::Optimal);
  }
}

// docs/theory.md §5 "infeasible": a token equal to the selected one, z_i = 0, too few dimensions. Each is
// reported in words that name the sequence and token, never solved into a direction.
TEST(AttentionSvm, InfeasibleSelectionsAreExplained) {
  // A non-selected token equal to the selected one.
  Scene eq;
  eq.dim = 2;
  eq.model.kind = ModelKind::Query;
  eq.model.v = Eigen::Vector2d(1, 0);
  eq.sequences.push_back(seq(1, {{1, 0.5}, {0.3, 2}, {0.3, 2}}));
  AttentionSvm a = solveAttentionSvm(eq, {1}, SvmNorm::Lp, 2.0);
  EXPECT_EQ(a.solution.status, SvmStatus::Infeasible);
  EXPECT_NE(a.solution.reason.find("equals the selected token"), std::string::npos) << a.solution.reason;
  EXPECT_TRUE(a.direction.W.size() == 0);
  EXPECT_EQ(solveAttentionSvm(eq, {1}, SvmNorm::Nuclear, 2.0).solution.status, SvmStatus::Infeasible);

  // z_i = 0 (cross-attention with a zero query).
  Scene zq = eq;
  zq.model.query = QueryKind::Given;
  zq.sequences[0] = seq(1, {{1, 0.5}, {0.3, 2}, {-1, 1}});
  zq.sequences[0].z = VectorXd::Zero(2);
  a = solveAttentionSvm(zq, {0}, SvmNorm::Lp, 3.0);
  EXPECT_EQ(a.solution.status, SvmStatus::Infeasible);
  EXPECT_NE(a.solution.reason.find("query z is zero"), std::string::npos) << a.solution.reason;

  // Too few dimensions: the selected token is the midpoint of two others, so its two rows cancel.
  for (ModelKind kind : {ModelKind::Prompt, ModelKind::Query}) {
    Scene mid = eq;
    mid.model.kind = kind;
    mid.sequences[0] = seq(1, {{1, 1}, {0, 0}, {0.5, 0.5}});
    for (double p : {1.1, 2.0, 10.0}) {
      a = solveAttentionSvm(mid, {2}, SvmNorm::Lp, p);
      EXPECT_EQ(a.solution.status, SvmStatus::Infeasible);
      EXPECT_NE(a.solution.reason.find("cancel out"), std::string::npos) << a.solution.reason;
      EXPECT_NE(a.solution.reason.find("sequence 0, token 0"), std::string::npos) << a.solution.reason;
    }
  }

  // Prompt model: a token that differs only in directions the key matrix removes.
  Scene keyed = maxMarginToy(false);
  keyed.sequences[0] = seq(1, {{0, 1, 0}, {0, 1, 5}, {1, 0, 0}});
  a = solveAttentionSvm(keyed, {0}, SvmNorm::Lp, 2.0);
  EXPECT_EQ(a.solution.status, SvmStatus::Infeasible);
  EXPECT_NE(a.solution.reason.find("key matrix"), std::string::npos) << a.solution.reason;

  // Bad selections and norms are failures with a reason, not exceptions.
  EXPECT_EQ(solveAttentionSvm(eq, {5}, SvmNorm::Lp, 2.0).solution.status, SvmStatus::Failed);
  EXPECT_EQ(solveAttentionSvm(keyed, {0}, SvmNorm::Nuclear, 2.0).solution.status, SvmStatus::Failed);
  EXPECT_EQ(solveVSvm(eq, {0, 1}, 2.0).status, SvmStatus::Failed);
}

// The v-SVM: a zero selected token, or labelled tokens that cancel, is infeasible.
TEST(AttentionSvm, VSvmInfeasible) {
  Scene s = jointToy(false);
  s.sequences[1] = seq(-1, {{0, 0}, {1, 1}});  // Y = -1 on the same token as sequence 0 (Y = +1)
  const SvmSolution v = solveVSvm(s, {1, 1, 1}, 2.0);
  EXPECT_EQ(v.status, SvmStatus::Infeasible);
  EXPECT_FALSE(v.reason.empty());
  const SvmSolution z = solveVSvm(jointToy(false), {0, 1, 1}, 2.0);
  EXPECT_EQ(z.status, SvmStatus::Infeasible);
  EXPECT_NE(z.reason.find("sequence 0"), std::string::npos) << z.reason;
}

// Certificates through the attention wrappers on the papers' random scene, every p of issue 4.
TEST(AttentionSvm, RandomScenesAreCertified) {
  std::mt19937_64 rng(25);
  double worst = 0;
  for (double p : {1.1, 1.5, 2.0, 3.0, 10.0, 20.0}) {
    for (int trial = 0; trial < 8; ++trial) {
      const Scene s =
          randomScene(rng, 6, 8, trial % 2 ? 10 : 3, trial % 3 ? ModelKind::Query : ModelKind::Prompt);
      const AttentionSvm svm = solveAttentionSvm(s, randomSelection(rng, s), SvmNorm::Lp, p);
      // One p for all sequences (prompt), or d = 3, may lack room for a random selection; the query model
      // in d = 10 always has it (each W z_i is free and 8 unit tokens are all vertices of their hull).
      const bool mustBeFeasible = s.dim == 10 && s.model.kind == ModelKind::Query;
      if (!mustBeFeasible && svm.solution.status == SvmStatus::Infeasible) continue;
      ASSERT_EQ(svm.solution.status, SvmStatus::Optimal) << svm.solution.reason;
      EXPECT_LE(std::abs(svm.solution.gap), 1e-8);
      EXPECT_LE(svm.solution.violation, 1e-9);
      worst = std::max(worst, std::abs(svm.solution.gap));
      EXPECT_EQ(svm.support.size(), svm.solution.active.size());
    }
  }
  std::printf("worst relative gap %.2e\n", worst);
}

// Hand-made scenes as the app produces them: tokens on a coarse grid in 2D/3D (duplicates, collinear
// and symmetric layouts, zero queries), random selections, every model, norm and p. The solver never
// fails: each selection is Optimal with a certified gap, or Infeasible with rows that provably cannot
// hold together (a nonnegative combination with A^T y = 0 and sum y = 1, found here by NNLS).
TEST(AttentionSvm, HandMadeScenesNeverFail) {
  std::mt19937_64 rng(26);
  const double ps[] = {1.1, 1.5, 2.0, 3.0, 10.0, 20.0};
  int optimal = 0, infeasible = 0, degenerate = 0;
  double worst = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int d = 2 + static_cast<int>(rng() % 2), n = 1 + static_cast<int>(rng() % 5);
    Scene s;
    s.dim = d;
    s.model.kind = static_cast<ModelKind>(rng() % 3);
    s.model.v = VectorXd::Unit(d, 0);
    if (rng() % 4 == 0) s.model.query = QueryKind::Given;
    std::vector<int> alpha;
    for (int i = 0; i < n; ++i) {
      const int T = 2 + static_cast<int>(rng() % 5);
      Sequence q;
      q.tokens.resize(T, d);
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < d; ++j) q.tokens(t, j) = 0.5 * (static_cast<int>(rng() % 5) - 2);
      if (s.model.query == QueryKind::Given) {
        q.z.resize(d);
        for (int j = 0; j < d; ++j) q.z[j] = static_cast<int>(rng() % 3) - 1.0;
      }
      s.sequences.push_back(q);
      alpha.push_back(static_cast<int>(rng() % static_cast<unsigned>(T)));
    }
    const double p = ps[rng() % 6];
    const SvmNorm norm = s.model.kind != ModelKind::Prompt && rng() % 3 == 0 ? SvmNorm::Nuclear : SvmNorm::Lp;
    const AttentionSvm a = solveAttentionSvm(s, alpha, norm, p);
    SCOPED_TRACE("trial " + std::to_string(trial) + " p " + std::to_string(p) + " " + enumName(norm));
    ASSERT_NE(a.solution.status, SvmStatus::Failed) << a.solution.reason;
    if (a.solution.status == SvmStatus::Optimal) {
      ++optimal;
      worst = std::max(worst, std::abs(a.solution.gap));
      // Degenerate vertices (rows active with multipliers ~0) may cost digits; the gap says how many.
      EXPECT_LE(std::abs(a.solution.gap), 1e-6);
      if (std::abs(a.solution.gap) > 1e-8) ++degenerate;
      EXPECT_LE(a.solution.violation, 1e-9);
      continue;
    }
    ++infeasible;
    EXPECT_FALSE(a.solution.reason.empty());
    const AttentionRows ar = attentionRows(s, alpha);
    const std::vector<int>& C = a.solution.certificateRows;
    ASSERT_FALSE(C.empty());
    const Eigen::Index N = ar.A.cols();
    MatrixXd M(N + 1, static_cast<Eigen::Index>(C.size()));
    VectorXd rhs = VectorXd::Zero(N + 1);
    rhs[N] = 1;
    for (std::size_t j = 0; j < C.size(); ++j) {
      M.col(static_cast<Eigen::Index>(j)).head(N) = ar.A.row(C[j]).transpose();
      M(N, static_cast<Eigen::Index>(j)) = 1;
    }
    const VectorXd y = attnmd::core::detail::nonnegativeLeastSquares(M, rhs);
    EXPECT_LE((M * y - rhs).norm(), 1e-8)
        << "no Farkas certificate on the reported rows: " << a.solution.reason;
  }
  std::printf("%d optimal (worst gap %.1e, %d degenerate above 1e-8), %d infeasible\n", optimal, worst,
              degenerate, infeasible);
  EXPECT_LE(degenerate, 10);
}
