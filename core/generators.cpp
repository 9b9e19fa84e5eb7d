// Scene generators: docs/theory.md §8 toys, the papers' random setting, Gaussian clusters.
//
// [SECTION] SeededRng
// [SECTION] Helpers
// [SECTION] Random and clusters
// [SECTION] Toys (docs/theory.md §8.4, §8.5, issue 6)
// [SECTION] Table and dispatch
#include "core/generators.h"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <numbers>
#include <stdexcept>
#include <utility>
#include <vector>

namespace attnmd::core {

// =====================================================================================================
// [SECTION] SeededRng
// =====================================================================================================

double SeededRng::uniform() {
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;  // 53 random bits -> [0, 1)
}

double SeededRng::normal() {
  if (hasSpare_) {
    hasSpare_ = false;
    return spare_;
  }
  // Box-Muller: u1 in (0, 1] keeps the log finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(angle);
  hasSpare_ = true;
  return r * std::cos(angle);
}

int SeededRng::sign() {
  return (engine_() >> 63) != 0 ? 1 : -1;
}

int SeededRng::below(int n) {
  if (n <= 1) return 0;
  const std::uint64_t range = static_cast<std::uint64_t>(n);
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;  // accept [0, limit): no modulo bias
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return static_cast<int>(x % range);
}

namespace {

// =====================================================================================================
// [SECTION] Helpers
// =====================================================================================================

constexpr double kMaxNumbers = 1e8;  // n*T*d above this is refused (800 MB of tokens)

Eigen::VectorXd unitVector(SeededRng& rng, int d) {
  Eigen::VectorXd x(d);
  for (;;) {  // a zero draw has probability 0, but never divide by it
    for (int k = 0; k < d; ++k) x(k) = rng.normal();
    const double norm = x.norm();
    if (norm > 1e-300) return x / norm;
  }
}

Eigen::MatrixXd rows(std::initializer_list<std::initializer_list<double>> values) {
  const auto r = static_cast<Eigen::Index>(values.size());
  const auto c = static_cast<Eigen::Index>(values.begin()->size());
  Eigen::MatrixXd m(r, c);
  Eigen::Index i = 0;
  for (const auto& row : values) {
    Eigen::Index j = 0;
    for (double v : row) m(i, j++) = v;
    ++i;
  }
  return m;
}

Eigen::VectorXd vec(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index k = 0;
  for (double x : values) v(k++) = x;
  return v;
}

Sequence sequence(int y, Eigen::MatrixXd tokens) {
  Sequence s;
  s.y = y;
  s.tokens = std::move(tokens);
  return s;
}

// A top-level "notes" field (kept through load/save as an unknown field) says where a scene comes from.
std::string notesJson(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "{\"notes\":\"" + escaped + "\"}";
}

void checkSize(const GeneratorOptions& o, int minD) {
  if (o.n < 1) throw std::invalid_argument("n must be at least 1, got " + std::to_string(o.n));
  if (o.T < 2) throw std::invalid_argument("T must be at least 2, got " + std::to_string(o.T));
  if (o.d < minD)
    throw std::invalid_argument("d must be at least " + std::to_string(minD) + ", got " +
                                std::to_string(o.d));
  if (static_cast<double>(o.n) * o.T * o.d > kMaxNumbers)
    throw std::invalid_argument("n * T * d must be at most 1e8 numbers");
}

// =====================================================================================================
// [SECTION] Random and clusters
// =====================================================================================================

// docs/theory.md §8.7 (the papers' random experiments): unit-norm tokens and v, random labels,
// theta(0) ~ N(0, 1), nmd with eta = 0.1 (p = 2 here; the CLI's --p picks 1.75 or 3).
Scene randomScene(const GeneratorOptions& o) {
  checkSize(o, 1);
  SeededRng rng(o.seed);
  Scene s;
  s.dim = o.d;
  s.model.kind = ModelKind::Query;
  s.model.query = o.crossAttention ? QueryKind::Given : QueryKind::First;
  s.model.loss = LossKind::Logistic;
  s.model.v = unitVector(rng, o.d);
  s.sequences.reserve(static_cast<std::size_t>(o.n));
  for (int i = 0; i < o.n; ++i) {
    Sequence q;
    q.y = rng.sign();
    q.tokens.resize(o.T, o.d);
    for (int t = 0; t < o.T; ++t) q.tokens.row(t) = unitVector(rng, o.d).transpose();
    if (o.crossAttention) q.z = unitVector(rng, o.d);
    s.sequences.push_back(std::move(q));
  }
  s.optimizer = OptimizerSpec{};
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = 2.0;
  s.optimizer.lr = 0.1;
  s.init.kind = InitKind::Gaussian;
  s.init.scale = 1.0;
  s.iterations = 5000;
  s.seed = o.seed;
  s.extrasJson = notesJson("The mirror-descent paper's random setting (n=" + std::to_string(o.n) +
                           ", T=" + std::to_string(o.T) + ", d=" + std::to_string(o.d) + ", seed " +
                           std::to_string(o.seed) + (o.crossAttention ? ", cross-attention" : "") + ")");
  return s;
}

// Teaching preset: each sequence has one "signal" token near (1.5, +-1) (the sign of its label on the
// v axis) and T-1 "noise" tokens near (-0.5, 0). With v = e_1 (the vertical axis in 2D) the signal
// token is usually the optimal one, and a prompt p along the first axis selects it.
Scene clustersScene(const GeneratorOptions& o) {
  checkSize(o, 2);
  SeededRng rng(o.seed);
  constexpr double kSignalSpread = 0.25, kNoiseSpread = 0.5;
  Scene s;
  s.dim = o.d;
  s.model.kind = ModelKind::Prompt;
  s.model.loss = LossKind::Logistic;
  s.model.v = Eigen::VectorXd::Zero(o.d);
  s.model.v(1) = 1.0;
  for (int i = 0; i < o.n; ++i) {
    Sequence q;
    q.y = (i % 2 == 0) ? 1 : -1;  // balanced classes
    q.tokens.resize(o.T, o.d);
    const int signal = rng.below(o.T);
    for (int t = 0; t < o.T; ++t) {
      const bool isSignal = t == signal;
      const double spread = isSignal ? kSignalSpread : kNoiseSpread;
      for (int k = 0; k < o.d; ++k) q.tokens(t, k) = spread * rng.normal();
      if (isSignal) {
        q.tokens(t, 0) += 1.5;
        q.tokens(t, 1) += q.y;
      } else {
        q.tokens(t, 0) -= 0.5;
      }
    }
    s.sequences.push_back(std::move(q));
  }
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = 2.0;
  s.optimizer.lr = 0.1;
  s.init.kind = InitKind::Zeros;
  s.iterations = 1000;
  s.seed = o.seed;
  s.extrasJson = notesJson(
      "Gaussian clusters: one signal token per sequence near (1.5, +-1) by label, noise "
      "tokens near (-0.5, 0); v = e_2 = (0, 1), prompt model");
  return s;
}

// =====================================================================================================
// [SECTION] Toys (docs/theory.md §8.4, §8.5, issue 6)
// =====================================================================================================

// docs/theory.md §8.4: prompt model, d = 3, M = diag(1, 1, 0), v = (0, 0, 1), one sequence, Y = +1.
Scene maxMarginToy(bool local, std::uint64_t seed) {
  Scene s;
  s.dim = 3;
  s.model.kind = ModelKind::Prompt;
  s.model.keyMatrix = Eigen::Vector3d(1, 1, 0).asDiagonal();
  s.model.v = vec({0, 0, 1});
  s.model.loss = LossKind::Logistic;
  const double third = local ? 0.0 : 0.9;  // local: the third token's score becomes 0
  s.sequences.push_back(sequence(1, rows({{-0.1, 1, 1}, {1, 0, 0.9}, {0, 0, third}})));
  s.optimizer.name = OptimizerKind::NGD;
  s.optimizer.p = 2.0;
  s.optimizer.lr = 0.1;
  if (local) {
    s.init.kind = InitKind::Given;
    s.init.given.p = vec({0, -1, 0});
  } else {
    s.init.kind = InitKind::Zeros;
  }
  s.iterations = 1000;
  s.seed = seed;
  s.extrasJson = notesJson(local ? "Max-margin token selection toy, local variant: third token (0,0,0); ngd "
                                   "from p(0) = (0,-1,0) converges to the "
                                   "locally optimal direction (1,0,0)"
                                 : "Max-margin token selection: the single-sequence toy; ngd from zero "
                                   "converges to the global direction "
                                   "(-0.1,1,0)/1.01");
  return s;
}

// docs/theory.md §8.5: prompt model, d = 2, v trained jointly, all sequences select token 1.
Scene jointToy(bool relaxed, std::uint64_t seed) {
  Scene s;
  s.dim = 2;
  s.model.kind = ModelKind::Prompt;
  s.model.v = vec({0, 0});
  s.model.trainV = true;
  s.model.loss = LossKind::Logistic;
  s.sequences.push_back(sequence(1, rows({{0, 0}, {1, 1}})));
  s.sequences.push_back(sequence(-1, rows({{0, 0}, {1, -1}})));
  s.sequences.push_back(sequence(1, relaxed ? rows({{0, 0}, {0.5, 1.5}}) : rows({{0, 0}, {0.5, 1}})));
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = 2.0;
  s.optimizer.lr = 0.1;
  s.init.kind = InitKind::Zeros;
  s.iterations = 2000;
  s.seed = seed;
  s.extrasJson =
      notesJson(relaxed ? "Joint (p, v) toy, relaxed variant: sequence 2 is not a v-SVM support vector; "
                          "the relaxed prompt SVM gives p ~ (1,0)"
                        : "Joint (p, v) toy; p^mm = (4/3, 1/3), v^mm ~ (0, 1)");
  return s;
}

// Issue 6: joint (W, v) toy where the selected token depends on p. Query = first token, W and v from
// zero, v trained, nmd with eta = 0.1.
Scene jointWvToy(double p, std::uint64_t seed) {
  Scene s;
  s.dim = 2;
  s.model.kind = ModelKind::Query;
  s.model.query = QueryKind::First;
  s.model.v = vec({0, 0});
  s.model.trainV = true;
  s.model.loss = LossKind::Logistic;
  s.sequences.push_back(sequence(1, rows({{-2.7, 1.2}, {1.4, 2.1}, {1.3, -0.1}})));
  s.sequences.push_back(sequence(-1, rows({{0.4, -2.2}, {-1.1, -0.4}, {0.9, 0.1}})));
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = p;
  s.optimizer.lr = 0.1;
  s.init.kind = InitKind::Zeros;
  s.iterations = 10000;
  s.seed = seed;
  char pText[32];
  std::snprintf(pText, sizeof pText, "%g", p);
  s.extrasJson =
      notesJson(std::string("Joint (W, v) toy, nmd with p = ") + pText + "; the selected tokens depend on p");
  return s;
}

// =====================================================================================================
// [SECTION] Table and dispatch
// =====================================================================================================

constexpr GeneratorOptions kFixed{};  // toys ignore n, T, d

const GeneratorInfo kGenerators[] = {
    {"random",
     "papers' random setting: unit-norm tokens and v, random labels, query model, nmd p=2 (the "
     "mirror-descent paper)",
     true, GeneratorOptions{6, 8, 10, 0, false}},
    {"clusters", "Gaussian clusters for 2D/3D teaching: one signal token per sequence, prompt model", true,
     GeneratorOptions{8, 4, 2, 0, false}},
    {"toy-maxmargin", "max-margin paper's single-sequence toy, converges to the global max-margin direction",
     false, kFixed},
    {"toy-maxmargin-local",
     "the single-sequence toy with token (0,0,0), from p(0)=(0,-1,0): a locally optimal selection", false,
     kFixed},
    {"toy-joint", "joint (p, v) toy: p^mm = (4/3, 1/3), v^mm ~ (0, 1)", false, kFixed},
    {"toy-joint-relaxed", "joint (p, v) toy, relaxed variant: the relaxed prompt SVM gives (1, 0)", false,
     kFixed},
    {"joint-wv-p175", "joint (W, v) toy, nmd p = 1.75", false, kFixed},
    {"joint-wv-p2", "joint (W, v) toy, nmd p = 2", false, kFixed},
    {"joint-wv-p3", "joint (W, v) toy, nmd p = 3", false, kFixed},
};

}  // namespace

std::span<const GeneratorInfo> generators() {
  return kGenerators;
}

const GeneratorInfo* findGenerator(std::string_view name) {
  for (const GeneratorInfo& g : kGenerators)
    if (name == g.name) return &g;
  return nullptr;
}

Scene generateScene(std::string_view name, const GeneratorOptions& options) {
  if (name == "random") return randomScene(options);
  if (name == "clusters") return clustersScene(options);
  if (name == "toy-maxmargin") return maxMarginToy(false, options.seed);
  if (name == "toy-maxmargin-local") return maxMarginToy(true, options.seed);
  if (name == "toy-joint") return jointToy(false, options.seed);
  if (name == "toy-joint-relaxed") return jointToy(true, options.seed);
  if (name == "joint-wv-p175") return jointWvToy(1.75, options.seed);
  if (name == "joint-wv-p2") return jointWvToy(2.0, options.seed);
  if (name == "joint-wv-p3") return jointWvToy(3.0, options.seed);
  std::string names;
  for (const GeneratorInfo& g : kGenerators) names += (names.empty() ? "" : ", ") + std::string(g.name);
  throw std::invalid_argument("unknown generator \"" + std::string(name) + "\" (expected one of " + names +
                              ")");
}

}  // namespace attnmd::core
