// SVM solve times (issue 4 item 6): the app re-solves while a user drags a token.
//  - d = 3 query model with 500 constraint rows (target < 5 ms);
//  - the papers' random scene: n = 6, T = 8, d = 10, W in R^{10x10}, 42 rows (target < 20 ms);
//  - warm starts after one token moved.
// Selections come from a random W0 (alpha_i = argmax_t x_it^T W0 z_i), so they are feasible, as the
// selections of a training run are. Counters report the certified relative gap.
#include <benchmark/benchmark.h>

#include <random>

#include "core/svm.h"

using namespace attnmd::core;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

struct Problem {
  Scene scene;
  std::vector<int> alpha;
};

Problem makeProblem(int n, int T, int d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N(0, 1);
  Problem pr;
  Scene& s = pr.scene;
  s.dim = d;
  s.model.kind = ModelKind::Query;
  s.model.v = VectorXd::Unit(d, 0);
  const MatrixXd W0 = MatrixXd::NullaryExpr(d, d, [&] { return N(rng); });
  for (int i = 0; i < n; ++i) {
    Sequence q;
    q.y = (rng() & 1u) ? 1 : -1;
    q.tokens = MatrixXd::NullaryExpr(T, d, [&] { return N(rng); });
    q.tokens.rowwise().normalize();
    const VectorXd a = q.tokens * (W0 * q.tokens.row(0).transpose());
    Eigen::Index best = 0;
    a.maxCoeff(&best);
    pr.alpha.push_back(static_cast<int>(best));
    s.sequences.push_back(q);
  }
  return pr;
}

void solveLoop(benchmark::State& state, const Problem& pr, SvmNorm norm, double p) {
  double gap = 0;
  for (auto _ : state) {
    const AttentionSvm svm = solveAttentionSvm(pr.scene, pr.alpha, norm, p);
    if (svm.solution.status != SvmStatus::Optimal) state.SkipWithError(svm.solution.reason.c_str());
    gap = std::max(gap, std::abs(svm.solution.gap));
    benchmark::DoNotOptimize(svm.solution.value);
  }
  state.counters["gap"] = gap;
}

// Moves one non-selected token of sequence 0 back and forth by 1e-3 and re-solves from the previous
// solution each time (same rows, so the warm start applies).
void warmLoop(benchmark::State& state, Problem pr, SvmNorm norm, double p) {
  AttentionSvm prev = solveAttentionSvm(pr.scene, pr.alpha, norm, p);
  const int t = pr.alpha[0] == 1 ? 2 : 1;
  double gap = 0, sign = 1;
  long long hot = 0, solves = 0;
  for (auto _ : state) {
    pr.scene.sequences[0].tokens(t, 0) += sign * 1e-3;
    sign = -sign;
    AttentionSvm svm = solveAttentionSvm(pr.scene, pr.alpha, norm, p, &prev);
    if (svm.solution.status != SvmStatus::Optimal) state.SkipWithError(svm.solution.reason.c_str());
    gap = std::max(gap, std::abs(svm.solution.gap));
    hot += svm.solution.iterations == 0;
    ++solves;
    prev = std::move(svm);
  }
  state.counters["gap"] = gap;
  state.counters["warm_hits"] = solves ? double(hot) / double(solves) : 0.0;
}

const Problem& gui3d() {
  static const Problem p = makeProblem(100, 6, 3, 1);  // 100 x 5 = 500 rows, W in R^{3x3}
  return p;
}
const Problem& paperScene() {
  static const Problem p = makeProblem(6, 8, 10, 2);  // 6 x 7 = 42 rows, W in R^{10x10}
  return p;
}

void BM_Gui3d_500rows(benchmark::State& state) {
  const double p = double(state.range(0)) / 10;
  solveLoop(state, gui3d(), SvmNorm::Lp, p);
}
BENCHMARK(BM_Gui3d_500rows)->Arg(11)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond);

void BM_Gui3d_500rows_Nuclear(benchmark::State& state) {
  solveLoop(state, gui3d(), SvmNorm::Nuclear, 2);
}
BENCHMARK(BM_Gui3d_500rows_Nuclear)->Unit(benchmark::kMillisecond);

void BM_PaperScene(benchmark::State& state) {
  const double p = double(state.range(0)) / 10;
  solveLoop(state, paperScene(), SvmNorm::Lp, p);
}
BENCHMARK(BM_PaperScene)->Arg(11)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond);

void BM_PaperScene_Nuclear(benchmark::State& state) {
  solveLoop(state, paperScene(), SvmNorm::Nuclear, 2);
}
BENCHMARK(BM_PaperScene_Nuclear)->Unit(benchmark::kMillisecond);

void BM_Gui3d_500rows_WarmOneTokenMoved(benchmark::State& state) {
  warmLoop(state, gui3d(), SvmNorm::Lp, double(state.range(0)) / 10);
}
BENCHMARK(BM_Gui3d_500rows_WarmOneTokenMoved)->Arg(11)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond);

void BM_PaperScene_WarmOneTokenMoved(benchmark::State& state) {
  warmLoop(state, paperScene(), SvmNorm::Lp, double(state.range(0)) / 10);
}
BENCHMARK(BM_PaperScene_WarmOneTokenMoved)->Arg(11)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond);

void BM_PaperScene_Nuclear_WarmOneTokenMoved(benchmark::State& state) {
  warmLoop(state, paperScene(), SvmNorm::Nuclear, 2);
}
BENCHMARK(BM_PaperScene_Nuclear_WarmOneTokenMoved)->Unit(benchmark::kMillisecond);

}  // namespace
