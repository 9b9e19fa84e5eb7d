// Scenes the core tests and benchmarks build by hand. They are written here, independently of
// core/generators, so a test never checks the generators against themselves.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <initializer_list>
#include <random>

#include "core/scene.h"

namespace attnmd::testing {

// The 2D teaching scene of the UI tests: four sequences of three tokens, v = (0, 1), nmd.
inline core::Scene teachingScene() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(0, 1);
  const double data[4][6] = {{2.0, 1.5, 0.5, 0.3, -0.5, 1.0},
                             {1.6, 0.8, 0.3, -0.6, -1.2, 0.2},
                             {1.8, -1.2, 0.0, 0.5, -0.8, -0.4},
                             {1.2, -0.4, -0.4, 0.9, 0.6, 1.4}};
  const int labels[4] = {1, 1, -1, -1};
  for (int i = 0; i < 4; ++i) {
    core::Sequence q;
    q.y = labels[i];
    q.tokens.resize(3, 2);
    for (int t = 0; t < 3; ++t) q.tokens.row(t) << data[i][2 * t], data[i][2 * t + 1];
    s.sequences.push_back(q);
  }
  s.optimizer.name = core::OptimizerKind::NMD;
  s.optimizer.lr = 0.1;
  return s;
}

// A sequence from a literal list of token rows.
inline core::Sequence seq(int y, std::initializer_list<std::initializer_list<double>> tokens) {
  core::Sequence s;
  s.y = y;
  s.tokens.resize(static_cast<Eigen::Index>(tokens.size()),
                  static_cast<Eigen::Index>(tokens.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& row : tokens) {
    Eigen::Index j = 0;
    for (double v : row) s.tokens(i, j++) = v;
    ++i;
  }
  return s;
}

// docs/theory.md §8.4: prompt model, d = 3, M = diag(1, 1, 0), v = (0, 0, 1), one sequence; `local` replaces
// the third token by (0, 0, 0), which makes token 1 a locally optimal selection.
inline core::Scene maxMarginToy(bool local) {
  core::Scene s;
  s.dim = 3;
  s.model.kind = core::ModelKind::Prompt;
  s.model.keyMatrix = Eigen::Vector3d(1, 1, 0).asDiagonal();
  s.model.v = Eigen::Vector3d(0, 0, 1);
  s.sequences.push_back(seq(1, {{-0.1, 1, 1}, {1, 0, 0.9}, {0, 0, local ? 0.0 : 0.9}}));
  return s;
}

// The papers' random setting (docs/theory.md §8.7): unit-norm tokens, unit v, random labels, z_i = first
// token, W(0) ~ N(0, 1) with the same seed. The draws come in a fixed order (v, then per sequence its
// label and tokens), so a seed names the same scene in every test.
inline core::Scene paperScene(std::uint64_t seed, int n = 6, int T = 8, int d = 10,
                              core::ModelKind kind = core::ModelKind::Query) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N(0.0, 1.0);
  auto unit = [&](int k) {
    Eigen::VectorXd x = Eigen::VectorXd::NullaryExpr(k, [&] { return N(rng); });
    return Eigen::VectorXd(x / x.norm());
  };
  core::Scene s;
  s.dim = d;
  s.model.kind = kind;
  s.model.v = unit(d);
  s.sequences.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    core::Sequence q;
    q.y = (rng() & 1u) ? 1 : -1;
    q.tokens.resize(T, d);
    for (int t = 0; t < T; ++t) q.tokens.row(t) = unit(d).transpose();
    s.sequences.push_back(std::move(q));
  }
  s.init.kind = core::InitKind::Gaussian;
  s.seed = seed;
  return s;
}

}  // namespace attnmd::testing
