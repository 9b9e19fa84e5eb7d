// Scene generators (core/generators.h): determinism per seed, the papers' random setting (unit norms,
// labels), shapes, the toys of docs/theory.md §8.4-8.5 and issue 6, and the preset files made from them.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>

#include "app/common/assets.h"
#include "core/generators.h"
#include "core/scene_io.h"

using namespace attnmd::core;

namespace {

GeneratorOptions sized(int n, int T, int d, std::uint64_t seed, bool cross = false) {
  GeneratorOptions o;
  o.n = n;
  o.T = T;
  o.d = d;
  o.seed = seed;
  o.crossAttention = cross;
  return o;
}

TEST(SeededRng, Mt19937_64IsTheStandardEngine) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64 is 9981545732273789042.
  SeededRng rng(5489u);
  std::uint64_t x = 0;
  for (int k = 0; k < 10000; ++k) x = rng.next();
  EXPECT_EQ(x, 9981545732273789042ull);
}

TEST(SeededRng, SameSeedSameStreamOtherSeedOtherStream) {
  for (std::uint64_t seed : {0u, 1u, 42u}) {
    SeededRng a(seed), b(seed), c(seed + 1);
    bool differs = false;
    for (int k = 0; k < 1000; ++k) {
      const double x = a.normal();
      ASSERT_EQ(x, b.normal()) << "seed " << seed << " draw " << k;
      differs = differs || x != c.normal();
    }
    EXPECT_TRUE(differs) << "seed " << seed;
  }
}

TEST(SeededRng, DistributionsHaveTheRightMoments) {
  // Tolerances of 6 standard errors: a correct transform fails this with probability ~1e-9.
  for (std::uint64_t seed : {3u, 4u}) {
    SeededRng rng(seed);
    const int N = 200000;
    double sum = 0, sum2 = 0, sum4 = 0, usum = 0, umin = 1, umax = 0;
    int positive = 0;
    std::vector<int> counts(7, 0);
    for (int k = 0; k < N; ++k) {
      const double z = rng.normal();
      sum += z;
      sum2 += z * z;
      sum4 += z * z * z * z;
      const double u = rng.uniform();
      ASSERT_GE(u, 0.0);
      ASSERT_LT(u, 1.0);
      usum += u;
      umin = std::min(umin, u);
      umax = std::max(umax, u);
      positive += rng.sign() > 0;
      ++counts[static_cast<std::size_t>(rng.below(7))];
    }
    const double mean = sum / N, var = sum2 / N - mean * mean;
    EXPECT_NEAR(mean, 0.0, 6 / std::sqrt(N)) << "seed " << seed;
    EXPECT_NEAR(var, 1.0, 6 * std::sqrt(2.0 / N)) << "seed " << seed;
    EXPECT_NEAR(sum4 / N, 3.0, 6 * std::sqrt(96.0 / N)) << "seed " << seed;  // Var(z^4) = 105 - 9
    EXPECT_NEAR(usum / N, 0.5, 6 * std::sqrt(1.0 / 12 / N)) << "seed " << seed;
    EXPECT_LT(umin, 1e-3);
    EXPECT_GT(umax, 1 - 1e-3);
    EXPECT_NEAR(positive / double(N), 0.5, 6 * 0.5 / std::sqrt(N)) << "seed " << seed;
    for (int c : counts)
      EXPECT_NEAR(c / double(N), 1.0 / 7, 6 * std::sqrt(1.0 / 7 * 6 / 7 / N)) << "seed " << seed;
  }
}

TEST(Generators, TableListsEveryNameAndEachBuildsAValidScene) {
  std::set<std::string> names;
  for (const GeneratorInfo& g : generators()) {
    EXPECT_TRUE(names.insert(g.name).second) << "duplicate " << g.name;
    EXPECT_EQ(findGenerator(g.name), &g);
    EXPECT_GT(std::string(g.description).size(), 10u);
    for (std::uint64_t seed : {0u, 5u}) {
      const Scene s = generateScene(g.name, sized(g.defaults.n, g.defaults.T, g.defaults.d, seed));
      EXPECT_EQ(validateScene(s), "") << g.name << " seed " << seed;
      EXPECT_EQ(s.seed, seed) << g.name;
    }
  }
  for (const char* expected : {"random", "clusters", "toy-maxmargin", "toy-maxmargin-local", "toy-joint",
                               "toy-joint-relaxed", "joint-wv-p175", "joint-wv-p2", "joint-wv-p3"})
    EXPECT_TRUE(names.count(expected)) << expected;
  EXPECT_EQ(findGenerator("nope"), nullptr);
}

TEST(Generators, DeterministicPerSeed) {
  for (const char* name : {"random", "clusters"}) {
    for (std::uint64_t seed : {0u, 1u, 99u}) {
      const GeneratorInfo* g = findGenerator(name);
      const auto o = sized(g->defaults.n, g->defaults.T, g->defaults.d, seed);
      const std::string a = sceneToJson(generateScene(name, o));
      EXPECT_EQ(a, sceneToJson(generateScene(name, o))) << name << " seed " << seed;
      auto other = o;
      other.seed = seed + 1;
      // The data differ, not only the "seed" field.
      Scene s1 = generateScene(name, o), s2 = generateScene(name, other);
      EXPECT_NE(s1.sequences[0].tokens, s2.sequences[0].tokens) << name << " seed " << seed;
    }
  }
}

TEST(Generators, RandomSettingOfThePapers) {
  for (std::uint64_t seed : {0u, 7u, 123u}) {
    for (bool cross : {false, true}) {
      const Scene s = generateScene("random", sized(40, 5, 6, seed, cross));
      SCOPED_TRACE("seed " + std::to_string(seed) + (cross ? " cross" : ""));
      EXPECT_EQ(s.dim, 6);
      EXPECT_EQ(s.model.kind, ModelKind::Query);
      EXPECT_EQ(s.model.query, cross ? QueryKind::Given : QueryKind::First);
      EXPECT_NEAR(s.model.v.norm(), 1.0, 1e-14);
      ASSERT_EQ(s.sequences.size(), 40u);
      int positives = 0;
      for (const Sequence& q : s.sequences) {
        EXPECT_TRUE(q.y == 1 || q.y == -1);
        positives += q.y == 1;
        ASSERT_EQ(q.tokens.rows(), 5);
        ASSERT_EQ(q.tokens.cols(), 6);
        for (Eigen::Index t = 0; t < q.tokens.rows(); ++t) EXPECT_NEAR(q.tokens.row(t).norm(), 1.0, 1e-14);
        if (cross) {
          ASSERT_EQ(q.z.size(), 6);
          EXPECT_NEAR(q.z.norm(), 1.0, 1e-14);
        } else {
          EXPECT_EQ(q.z.size(), 0);
        }
      }
      // Both labels occur (fails with probability 2^-39 for a correct generator).
      EXPECT_GT(positives, 0);
      EXPECT_LT(positives, 40);
      // docs/theory.md §8.7: nmd with eta = 0.1 from theta(0) ~ N(0, 1).
      EXPECT_EQ(s.optimizer.name, OptimizerKind::NMD);
      EXPECT_EQ(s.optimizer.lr, 0.1);
      EXPECT_EQ(s.optimizer.p, 2.0);
      EXPECT_EQ(s.init.kind, InitKind::Gaussian);
      EXPECT_EQ(s.init.scale, 1.0);
    }
  }
}

TEST(Generators, ClustersHaveOneSignalTokenPerSequence) {
  for (int d : {2, 3, 5}) {
    for (std::uint64_t seed : {0u, 1u}) {
      const Scene s = generateScene("clusters", sized(30, 5, d, seed));
      SCOPED_TRACE("d " + std::to_string(d) + " seed " + std::to_string(seed));
      EXPECT_EQ(s.model.kind, ModelKind::Prompt);
      EXPECT_EQ(s.model.v.size(), d);
      int positives = 0;
      for (const Sequence& q : s.sequences) {
        ASSERT_EQ(q.tokens.rows(), 5);
        ASSERT_EQ(q.tokens.cols(), d);
        positives += q.y == 1;
      }
      EXPECT_EQ(positives, 15);  // balanced classes
    }
  }
}

TEST(Generators, BadOptionsThrow) {
  EXPECT_THROW(generateScene("random", sized(0, 8, 10, 0)), std::invalid_argument);
  EXPECT_THROW(generateScene("random", sized(6, 1, 10, 0)), std::invalid_argument);
  EXPECT_THROW(generateScene("random", sized(6, 8, 0, 0)), std::invalid_argument);
  EXPECT_THROW(generateScene("clusters", sized(6, 8, 1, 0)), std::invalid_argument);
  EXPECT_THROW(generateScene("random", sized(100000, 1000, 1000, 0)), std::invalid_argument);
  EXPECT_THROW(generateScene("no-such-preset", {}), std::invalid_argument);
}

TEST(Generators, MaxMarginToysOfSection84) {
  const Scene g = generateScene("toy-maxmargin", {});
  EXPECT_EQ(g.model.kind, ModelKind::Prompt);
  EXPECT_EQ(g.dim, 3);
  EXPECT_EQ(g.model.keyMatrix, Eigen::Matrix3d(Eigen::Vector3d(1, 1, 0).asDiagonal()));
  EXPECT_EQ(g.model.v, Eigen::Vector3d(0, 0, 1));
  ASSERT_EQ(g.sequences.size(), 1u);
  EXPECT_EQ(g.sequences[0].y, 1);
  Eigen::Matrix3d x;
  x << -0.1, 1, 1, 1, 0, 0.9, 0, 0, 0.9;
  EXPECT_EQ(g.sequences[0].tokens, x);
  EXPECT_EQ(g.optimizer.name, OptimizerKind::NGD);
  EXPECT_EQ(g.optimizer.lr, 0.1);

  const Scene l = generateScene("toy-maxmargin-local", {});
  x.row(2) << 0, 0, 0;
  EXPECT_EQ(l.sequences[0].tokens, x);
  EXPECT_EQ(l.init.kind, InitKind::Given);
  EXPECT_EQ(l.init.given.p, Eigen::Vector3d(0, -1, 0));
  EXPECT_EQ(l.optimizer.name, OptimizerKind::NGD);
}

TEST(Generators, JointToysOfSection85) {
  for (bool relaxed : {false, true}) {
    const Scene s = generateScene(relaxed ? "toy-joint-relaxed" : "toy-joint", {});
    EXPECT_EQ(s.model.kind, ModelKind::Prompt);
    EXPECT_TRUE(s.model.trainV);
    ASSERT_EQ(s.sequences.size(), 3u);
    EXPECT_EQ(s.sequences[0].y, 1);
    EXPECT_EQ(s.sequences[1].y, -1);
    EXPECT_EQ(s.sequences[2].y, 1);
    EXPECT_EQ(s.sequences[1].tokens.row(1), Eigen::RowVector2d(1, -1));
    EXPECT_EQ(s.sequences[2].tokens.row(1), Eigen::RowVector2d(0.5, relaxed ? 1.5 : 1.0));
    for (const Sequence& q : s.sequences) EXPECT_EQ(q.tokens.row(0), Eigen::RowVector2d(0, 0));
  }
}

TEST(Generators, JointWvToyOfIssue6) {
  const std::pair<const char*, double> cases[] = {
      {"joint-wv-p175", 1.75}, {"joint-wv-p2", 2.0}, {"joint-wv-p3", 3.0}};
  for (const auto& [name, p] : cases) {
    const Scene s = generateScene(name, {});
    SCOPED_TRACE(name);
    EXPECT_EQ(s.model.kind, ModelKind::Query);
    EXPECT_EQ(s.model.query, QueryKind::First);
    EXPECT_TRUE(s.model.trainV);
    EXPECT_EQ(s.model.v, Eigen::Vector2d::Zero());
    EXPECT_EQ(s.init.kind, InitKind::Zeros);
    EXPECT_EQ(s.optimizer.name, OptimizerKind::NMD);
    EXPECT_EQ(s.optimizer.p, p);
    EXPECT_EQ(s.optimizer.lr, 0.1);
    Eigen::Matrix<double, 3, 2> x0, x1;
    x0 << -2.7, 1.2, 1.4, 2.1, 1.3, -0.1;
    x1 << 0.4, -2.2, -1.1, -0.4, 0.9, 0.1;
    EXPECT_EQ(s.sequences[0].tokens, x0);
    EXPECT_EQ(s.sequences[1].tokens, x1);
    EXPECT_EQ(s.sequences[0].y, 1);
    EXPECT_EQ(s.sequences[1].y, -1);
  }
}

// The preset files in assets/scenes are exactly the generators' output (regenerate them with
// `attnmd-cli generate --preset NAME ... --out assets/scenes/FILE`).
TEST(Generators, PresetFilesAreTheGeneratorsOutput) {
  struct Preset {
    const char* file;
    const char* generator;
    GeneratorOptions options;
  };
  const Preset presets[] = {
      {"random-n6-T8-d10.json", "random", sized(6, 8, 10, 0)},
      {"random-cross-n6-T8-d10.json", "random", sized(6, 8, 10, 0, true)},
      {"clusters-2d.json", "clusters", sized(8, 4, 2, 0)},
      {"clusters-3d.json", "clusters", sized(8, 4, 3, 0)},
      {"toy-maxmargin.json", "toy-maxmargin", {}},
      {"toy-maxmargin-local.json", "toy-maxmargin-local", {}},
      {"toy-joint.json", "toy-joint", {}},
      {"toy-joint-relaxed.json", "toy-joint-relaxed", {}},
      {"joint-wv-p175.json", "joint-wv-p175", {}},
      {"joint-wv-p2.json", "joint-wv-p2", {}},
      {"joint-wv-p3.json", "joint-wv-p3", {}},
  };
  for (const Preset& p : presets) {
    const auto text = attnmd::readAsset(std::string("assets/scenes/") + p.file);
    ASSERT_TRUE(text.has_value()) << p.file;
    // The presets are the generators' output, bar the version that wrote it (which changes with
    // every release).
    std::string generated = sceneToJson(generateScene(p.generator, p.options));
    const std::size_t line = generated.find("  \"written_by\"");
    ASSERT_NE(line, std::string::npos);
    generated.erase(line, generated.find('\n', line) + 1 - line);
    EXPECT_EQ(*text, generated) << p.file;
  }
}

}  // namespace
