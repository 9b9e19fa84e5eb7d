// Scene files (docs/scene-format.md): every bad fixture is refused with `file:path: message`,
// good ones load completely, save -> load -> save is byte-identical, saving is atomic and reports errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "app/common/assets.h"
#include "core/generators.h"
#include "core/scene_io.h"
#include "core/version.h"
#include "tests/support/sanitizer.h"

namespace fs = std::filesystem;
using namespace attnmd::core;

namespace {

const std::string kFixtures = std::string(ATTNMD_FIXTURES) + "/scenes";

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh folder under the system temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "attnmd-scene-io-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
};

bool bitEqual(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// =====================================================================================================
// Bad files: one fixture per error kind, with the field path and the gist of the message.
// =====================================================================================================

struct BadCase {
  const char* fixture;  // tests/fixtures/scenes/bad/<fixture>.json
  const char* path;     // the field the message must name ("" for the document; "L:C" for syntax)
  const char* message;  // a fragment of what the message must say
};

const BadCase kBadCases[] = {
    {"syntax-error", "4:1", "invalid JSON: syntax error"},
    {"empty-file", "1:1", "invalid JSON"},
    {"not-an-object", "", "expected a JSON object at the top level, got an array"},
    {"wrong-format", "format", "expected \"attnmd-scene\", got \"attnmd-sketch\""},
    {"missing-format", "format", "missing"},
    {"version-newer", "version",
     "this file is version 2, written by a newer attnmd; this build reads version 1"},
    {"version-zero", "version", "must be 1, got 0"},
    {"version-string", "version", "expected an integer, got a string"},
    {"missing-dim", "dim", "missing"},
    {"missing-model", "model", "missing"},
    {"missing-model-kind", "model.kind", "missing (one of prompt, query, kq)"},
    {"missing-model-v", "model.v", "missing"},
    {"missing-loss", "model.loss", "missing (one of logistic, exponential, correlation)"},
    {"missing-query", "model.query", "missing (\"first\" or \"given\""},
    {"missing-sequences", "sequences", "missing"},
    {"missing-y", "sequences[1].y", "missing"},
    {"missing-tokens", "sequences[0].tokens", "missing"},
    {"missing-optimizer-name", "optimizer.name", "missing (one of gd, ngd, md, nmd, polyak, adam, momentum)"},
    {"missing-optimizer-p", "optimizer.p", "missing (nmd needs the geometry p > 1)"},
    {"missing-lr", "optimizer.lr", "missing"},
    {"missing-init", "init", "missing"},
    {"missing-init-kind", "init.kind", "missing (one of zeros, gaussian, given)"},
    {"type-dim-string", "dim", "expected an integer, got a string"},
    {"type-model-array", "model", "expected an object, got an array"},
    {"type-tokens-string", "sequences[0].tokens", "expected an array of rows, got a string"},
    {"type-token-entry-string", "sequences[1].tokens[1][0]", "expected a number, got a string"},
    {"type-token-row-number", "sequences[0].tokens[1]", "expected an array of 2 numbers, got a number"},
    {"type-sequence-number", "sequences[1]", "expected an object, got a number"},
    {"type-train-v", "model.train_v", "expected true or false, got a string"},
    {"type-lr-null", "optimizer.lr", "expected a number, got null"},
    {"type-sequences-object", "sequences", "expected an array of sequences, got an object"},
    {"ragged-tokens", "sequences[1].tokens[1]", "expected 2 numbers (dim = 2), got 3"},
    {"dim-mismatch-tokens", "model.v", "expected 3 numbers (dim = 3), got 2"},
    {"dim-mismatch-v", "model.v", "expected 2 numbers (dim = 2), got 3"},
    {"dim-mismatch-z", "sequences[1].z", "expected 2 numbers (dim = 2), got 1"},
    {"dim-zero", "dim", "must be at least 1, got 0"},
    {"too-few-tokens", "sequences[1].tokens", "a sequence needs at least 2 tokens, got 1"},
    {"empty-dataset", "sequences", "empty dataset"},
    {"key-matrix-shape", "model.key_matrix", "expected 2 rows (d x d, dim = 2), got 1"},
    {"y-zero", "sequences[1].y", "must be 1 or -1, got 0"},
    {"y-two", "sequences[0].y", "must be 1 or -1, got 2"},
    {"y-fraction", "sequences[0].y", "expected an integer, got 0.5"},
    {"p-one", "optimizer.p", "must be in (1, 20], got 1.0"},
    {"p-below-one", "optimizer.p", "must be in (1, 20], got 0.5"},
    {"p-above-20", "optimizer.p", "must be in (1, 20], got 25.0"},
    {"lr-zero", "optimizer.lr", "must be > 0, got 0.0"},
    {"lr-negative", "optimizer.lr", "must be > 0, got -0.1"},
    {"adam-beta1-one", "optimizer.beta1", "must be in [0, 1), got 1.0"},
    {"momentum-negative", "optimizer.momentum", "must be in [0, 1), got -0.5"},
    {"gaussian-scale-zero", "init.scale", "must be > 0, got 0.0"},
    {"iterations-negative", "iterations", "must be in [0, 10000000000] (at most 1e10 steps), got -5"},
    {"iterations-fraction", "iterations", "expected an integer, got 10.5"},
    // Was "must be >= 0, got 1e+30": the range must be the one the value breaks.
    {"iterations-huge", "iterations", "must be in [0, 10000000000] (at most 1e10 steps), got 1e+30"},
    {"iterations-over-limit", "iterations",
     "must be in [0, 10000000000] (at most 1e10 steps), got 10000000001"},
    {"seed-negative", "seed", "must be a whole number from 0 to 18446744073709551615, got -1"},
    {"seed-too-large", "seed",
     "must be a whole number from 0 to 18446744073709551615, got 18446744073709551616.0"},
    {"unknown-optimizer", "optimizer.name",
     "unknown optimizer \"sgd\" (expected one of gd, ngd, md, nmd, polyak, adam, momentum)"},
    {"unknown-model", "model.kind", "unknown model kind \"mlp\" (expected one of prompt, query, kq)"},
    {"unknown-loss", "model.loss", "unknown loss \"hinge\""},
    {"unknown-init", "init.kind", "unknown init kind \"uniform\""},
    {"unknown-query", "model.query", "unknown query kind \"last\" (expected one of first, given)"},
    {"inf-token", "sequences[0].tokens[1][0]", "number 1e999 is out of range"},
    {"inf-v", "model.v[1]", "number -1e400 is out of range"},
    {"inf-lr", "optimizer.lr", "number 1e309 is out of range"},
    {"query-given-without-z", "sequences[1].z", "missing (model.query is \"given\")"},
    {"init-given-without-W", "init.W", "missing (init.kind \"given\" with the query model needs W, d x d)"},
    {"init-given-W-shape", "init.W", "expected 2 rows (d x d, dim = 2), got 3"},
    {"init-given-W-row", "init.W[1]", "expected 2 numbers (d x d, dim = 2), got 3"},
    {"init-given-kq-K-shape", "init.K[0]", "expected 1 number (d x rank = 2 x 1), got 2"},
    {"init-given-prompt-without-p", "init.p", "missing (init.kind \"given\" with the prompt model needs p"},
    {"rank-too-large", "model.rank", "must be in [1, dim] = [1, 2], got 3"},
    {"rank-zero", "model.rank", "must be in [1, dim] = [1, 2], got 0"},
    {"too-deep", "view", "nested deeper than 64 levels"},
    // The JSON lexer stops at a NUL byte: what followed one used to be dropped without a word.
    {"nul-byte", "62:1", "a NUL byte at byte offset 776"},
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.fixture;
}

class BadFixture : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadFixture, IsRefusedWithFileFieldAndMessage) {
  const BadCase& c = GetParam();
  const std::string file = kFixtures + "/bad/" + c.fixture + ".json";
  ASSERT_TRUE(fs::exists(file)) << file;
  SceneLoadResult r = loadScene(file);
  ASSERT_FALSE(r.ok()) << file << " loaded but must not";
  const std::string expectedPrefix = std::string(c.path).empty() ? file + ": " : file + ":" + c.path + ": ";
  EXPECT_EQ(r.error().substr(0, expectedPrefix.size()), expectedPrefix) << r.error();
  EXPECT_NE(r.error().find(c.message), std::string::npos)
      << "message: " << r.error() << "\nwanted: " << c.message;

  // The same text parsed from memory names the given source instead of the path.
  SceneLoadResult mem = parseScene(readText(file), "<clipboard>");
  ASSERT_FALSE(mem.ok());
  EXPECT_EQ(mem.error().substr(0, 11), "<clipboard>") << mem.error();
}

INSTANTIATE_TEST_SUITE_P(SceneIo, BadFixture, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           std::string name = info.param.fixture;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SceneIo, EveryBadFixtureHasAnExpectation) {
  std::set<std::string> listed;
  for (const BadCase& c : kBadCases) listed.insert(std::string(c.fixture) + ".json");
  for (const auto& e : fs::directory_iterator(kFixtures + "/bad"))
    EXPECT_TRUE(listed.count(e.path().filename().string())) << "no expectation for " << e.path();
}

// =====================================================================================================
// Good files load completely.
// =====================================================================================================

TEST(SceneIo, FormatExampleLoadsEveryField) {
  SceneLoadResult r = loadScene(kFixtures + "/good/format-example.json");
  ASSERT_TRUE(r.ok()) << r.error();
  const Scene& s = r.scene();
  EXPECT_EQ(s.dim, 2);
  EXPECT_EQ(s.model.kind, ModelKind::Query);
  EXPECT_EQ(s.model.query, QueryKind::First);
  EXPECT_EQ(s.model.keyMatrix, Eigen::MatrixXd::Identity(2, 2));
  EXPECT_EQ(s.model.rank, 2);
  EXPECT_EQ(s.model.v, Eigen::Vector2d(0, 1));
  EXPECT_FALSE(s.model.trainV);
  EXPECT_EQ(s.model.loss, LossKind::Logistic);
  ASSERT_EQ(s.sequences.size(), 2u);
  EXPECT_EQ(s.sequences[0].y, 1);
  EXPECT_EQ(s.sequences[1].y, -1);
  Eigen::MatrixXd x0(3, 2);
  x0 << -2.7, 1.2, 1.4, 2.1, 1.3, -0.1;
  EXPECT_EQ(s.sequences[0].tokens, x0);
  EXPECT_EQ(s.sequences[0].z.size(), 0);
  EXPECT_EQ(s.sequences[1].z, Eigen::Vector2d(0.4, -2.2));
  EXPECT_EQ(s.optimizer.name, OptimizerKind::NMD);
  EXPECT_EQ(s.optimizer.p, 2.0);
  EXPECT_EQ(s.optimizer.lr, 0.1);
  EXPECT_EQ(s.init.kind, InitKind::Zeros);
  EXPECT_EQ(s.iterations, 2000);
  EXPECT_EQ(s.seed, 0u);
  EXPECT_TRUE(s.extrasJson.empty()) << s.extrasJson;
  EXPECT_EQ(validateScene(s), "");
}

TEST(SceneIo, MinimalFileGetsTheDocumentedDefaults) {
  SceneLoadResult r = loadScene(kFixtures + "/good/minimal-prompt.json");
  ASSERT_TRUE(r.ok()) << r.error();
  const Scene& s = r.scene();
  const OptimizerSpec defaults;
  EXPECT_EQ(s.model.kind, ModelKind::Prompt);
  EXPECT_EQ(s.model.keyMatrix.size(), 0);  // identity
  EXPECT_FALSE(s.model.trainV);
  EXPECT_EQ(s.model.loss, LossKind::Exponential);
  EXPECT_EQ(s.optimizer.name, OptimizerKind::GD);
  EXPECT_EQ(s.optimizer.lr, 0.5);
  EXPECT_EQ(s.optimizer.p, defaults.p);
  EXPECT_EQ(s.optimizer.beta1, defaults.beta1);
  EXPECT_EQ(s.iterations, Scene{}.iterations);
  EXPECT_EQ(s.seed, 0u);
}

TEST(SceneIo, KqAdamGivenInitLoads) {
  SceneLoadResult r = loadScene(kFixtures + "/good/kq-adam.json");
  ASSERT_TRUE(r.ok()) << r.error();
  const Scene& s = r.scene();
  EXPECT_EQ(s.model.kind, ModelKind::KQ);
  EXPECT_EQ(s.model.rank, 1);
  EXPECT_TRUE(s.model.trainV);
  EXPECT_EQ(s.model.loss, LossKind::Correlation);
  EXPECT_EQ(s.optimizer.name, OptimizerKind::Adam);
  EXPECT_EQ(s.optimizer.beta1, 0.8);
  EXPECT_EQ(s.optimizer.beta2, 0.99);
  EXPECT_EQ(s.optimizer.eps, 1e-10);
  EXPECT_EQ(s.init.kind, InitKind::Given);
  EXPECT_EQ(s.init.given.K, Eigen::Vector3d(1, 0, 0));
  EXPECT_EQ(s.init.given.Q, Eigen::Vector3d(0, 1, 0.25));
  EXPECT_EQ(s.sequences[1].tokens(0, 0), 1e-300);
  EXPECT_EQ(s.sequences[1].tokens(0, 1), -2.5e200);
  EXPECT_EQ(s.iterations, 0);
  EXPECT_EQ(s.seed, 7u);
}

TEST(SceneIo, CrossAttentionWithVariableTokenCounts) {
  SceneLoadResult r = loadScene(kFixtures + "/good/query-given-variable-T.json");
  ASSERT_TRUE(r.ok()) << r.error();
  const Scene& s = r.scene();
  EXPECT_EQ(s.model.query, QueryKind::Given);
  EXPECT_EQ(s.sequences[0].tokens.rows(), 2);
  EXPECT_EQ(s.sequences[1].tokens.rows(), 4);
  EXPECT_EQ(s.sequences[2].tokens.rows(), 3);
  EXPECT_EQ(s.queryOf(1), Eigen::Vector2d(-0.8, 0.6));
  EXPECT_EQ(s.optimizer.name, OptimizerKind::Momentum);
  EXPECT_EQ(s.optimizer.momentum, 0.5);
  EXPECT_EQ(s.init.kind, InitKind::Gaussian);
  EXPECT_EQ(s.init.scale, 0.5);
}

TEST(SceneIo, UnknownFieldsAreKeptAtEveryLevelAndWrittenBack) {
  SceneLoadResult r = loadScene(kFixtures + "/good/prompt-extras.json");
  ASSERT_TRUE(r.ok()) << r.error();
  const Scene& s = r.scene();
  EXPECT_EQ(s.seed, 12345678901234567890ull);
  EXPECT_EQ(s.init.given.p, Eigen::Vector3d(0, -1.5, 0));
  EXPECT_EQ(s.init.given.W.size(), 0);  // the prompt model does not read W: it stays an unknown field
  const auto extras = nlohmann::ordered_json::parse(s.extrasJson);
  EXPECT_EQ(extras["view"]["zoom"], 2);
  EXPECT_EQ(extras["model"]["color"], "#E69F00");
  EXPECT_EQ(extras["sequences"][0]["label"], "the toy");
  EXPECT_EQ(extras["optimizer"]["schedule"], "constant");
  EXPECT_EQ(extras["init"]["note"], "kept");
  EXPECT_EQ(extras["init"]["W"][0][0], 9);
  EXPECT_EQ(extras["runs"][1]["lr"], 1e-3);

  const auto original = nlohmann::json::parse(readText(kFixtures + "/good/prompt-extras.json"));
  const auto written = nlohmann::json::parse(sceneToJson(s));
  // Everything in the file is in what we write (we may add explicit defaults such as "train_v").
  for (const char* key : {"view", "runs", "seed", "iterations"})
    EXPECT_EQ(written[key], original[key]) << key;
  EXPECT_EQ(written["model"]["color"], original["model"]["color"]);
  EXPECT_EQ(written["sequences"][0]["label"], "the toy");
  EXPECT_EQ(written["init"], original["init"]);
  EXPECT_EQ(written["optimizer"]["schedule"], "constant");
}

TEST(SceneIo, SavedScenesRecordTheWritingVersionWhichLoadingIgnores) {
  SceneLoadResult r = loadScene(kFixtures + "/good/prompt-extras.json");
  ASSERT_TRUE(r.ok()) << r.error();
  auto written = nlohmann::ordered_json::parse(sceneToJson(r.scene()));
  EXPECT_EQ(written["written_by"], std::string("attnmd ") + version());
  // A file written by another version loads the same and is rewritten with ours, never kept as an
  // unknown field.
  written["written_by"] = "attnmd 0.0.1-old";
  SceneLoadResult again = parseScene(written.dump(), "old.json");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(sceneToJson(again.scene()), sceneToJson(r.scene()));
  EXPECT_EQ(nlohmann::ordered_json::parse(again.scene().extrasJson).count("written_by"), 0u);
}

TEST(SceneIo, SequenceExtrasAreDroppedWhenTheSequencesChange) {
  SceneLoadResult r = loadScene(kFixtures + "/good/prompt-extras.json");
  ASSERT_TRUE(r.ok()) << r.error();
  Scene s = r.scene();
  s.sequences.push_back(s.sequences[0]);
  const auto written = nlohmann::json::parse(sceneToJson(s));
  EXPECT_FALSE(written["sequences"][0].contains("label"));
  EXPECT_TRUE(written.contains("view"));
  EXPECT_TRUE(parseScene(sceneToJson(s)).ok());
}

TEST(SceneIo, LeadsDefaultSceneLoads) {
  auto text = attnmd::readAsset("assets/scenes/default.json");
  ASSERT_TRUE(text.has_value());
  SceneLoadResult r = parseScene(*text, "default.json");
  EXPECT_TRUE(r.ok()) << r.error();
}

TEST(SceneIo, EveryPresetSceneLoads) {
  const auto presets = attnmd::listAssets("assets/scenes/");
  EXPECT_GE(presets.size(), 10u);
  for (const std::string& p : presets) {
    SceneLoadResult r = parseScene(*attnmd::readAsset(p), p);
    EXPECT_TRUE(r.ok()) << r.error();
  }
}

// =====================================================================================================
// Round trips
// =====================================================================================================

void expectByteStable(const std::string& text, const std::string& what) {
  SceneLoadResult first = parseScene(text, what);
  ASSERT_TRUE(first.ok()) << first.error();
  const std::string saved = sceneToJson(first.scene());
  SceneLoadResult second = parseScene(saved, what + " (saved)");
  ASSERT_TRUE(second.ok()) << second.error() << "\n" << saved;
  EXPECT_EQ(sceneToJson(second.scene()), saved) << what;
}

TEST(SceneIo, SaveLoadSaveIsByteIdenticalForFixturesAndPresets) {
  for (const auto& e : fs::directory_iterator(kFixtures + "/good"))
    expectByteStable(readText(e.path()), e.path());
  for (const std::string& p : attnmd::listAssets("assets/scenes/"))
    expectByteStable(*attnmd::readAsset(p), p);
}

TEST(SceneIo, DoublesRoundTripBitForBit) {
  // Random doubles over the whole exponent range, subnormals and signed zero included.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SeededRng rng(seed);
    Scene s = generateScene("random", GeneratorOptions{5, 4, 3, seed, true});
    for (Sequence& q : s.sequences)
      for (Eigen::Index k = 0; k < q.tokens.size(); ++k) {
        double x;
        do {
          std::uint64_t bits = rng.next();
          std::memcpy(&x, &bits, sizeof x);
        } while (!std::isfinite(x));
        q.tokens.data()[k] = x;
      }
    s.sequences[0].tokens(0, 0) = -0.0;
    s.sequences[0].tokens(0, 1) = 5e-324;
    s.sequences[0].tokens(0, 2) = 1.7976931348623157e308;
    s.optimizer.lr = 0.1 + 0.2;
    const std::string text = sceneToJson(s);
    SceneLoadResult r = parseScene(text);
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.error();
    for (std::size_t i = 0; i < s.sequences.size(); ++i)
      for (Eigen::Index k = 0; k < s.sequences[i].tokens.size(); ++k)
        ASSERT_TRUE(bitEqual(s.sequences[i].tokens.data()[k], r.scene().sequences[i].tokens.data()[k]))
            << "seed " << seed << " sequence " << i << " entry " << k;
    EXPECT_TRUE(bitEqual(r.scene().optimizer.lr, 0.1 + 0.2));
    EXPECT_TRUE(std::signbit(r.scene().sequences[0].tokens(0, 0)));
    EXPECT_EQ(sceneToJson(r.scene()), text) << "seed " << seed;
  }
}

TEST(SceneIo, EveryGeneratorRoundTrips) {
  for (const GeneratorInfo& g : generators()) {
    for (std::uint64_t seed : {0u, 11u}) {
      Scene s =
          generateScene(g.name, GeneratorOptions{g.defaults.n, g.defaults.T, g.defaults.d, seed, false});
      const std::string text = sceneToJson(s);
      SceneLoadResult r = parseScene(text, g.name);
      ASSERT_TRUE(r.ok()) << r.error();
      EXPECT_EQ(sceneToJson(r.scene()), text) << g.name;
    }
  }
}

TEST(SceneIo, FormatDoubleIsShortestAndStaysFloatingPoint) {
  EXPECT_EQ(formatDouble(0.1), "0.1");
  EXPECT_EQ(formatDouble(2.0), "2.0");
  EXPECT_EQ(formatDouble(-0.0), "-0.0");
  EXPECT_EQ(formatDouble(1e300), "1e+300");
  EXPECT_EQ(formatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(formatDouble(std::nan("")), "null");
  EXPECT_EQ(formatDouble(-INFINITY), "null");
}

TEST(SceneIo, PrettyJsonKeepsShortValuesOnOneLine) {
  EXPECT_EQ(prettyJson(R"({"a":[1,2.5],"b":{"c":true}})"),
            "{\n  \"a\": [1, 2.5],\n  \"b\": { \"c\": true }\n}\n");
  EXPECT_EQ(prettyJson("not json"), "not json");
}

// =====================================================================================================
// validateScene on in-memory scenes
// =====================================================================================================

TEST(SceneIo, ValidateSceneNamesTheField) {
  Scene good = generateScene("toy-joint", {});
  ASSERT_EQ(validateScene(good), "");
  {
    Scene s = good;
    s.sequences[2].tokens(1, 0) = std::nan("");
    EXPECT_EQ(validateScene(s), "sequences[2].tokens[1][0]: not a finite number");
  }
  {
    Scene s = good;
    s.optimizer.p = std::nan("");
    EXPECT_EQ(validateScene(s), "optimizer.p: not a finite number");
  }
  {
    Scene s = good;
    s.optimizer.lr = -1;
    EXPECT_EQ(validateScene(s), "optimizer.lr: must be > 0, got -1.0");
  }
  {
    Scene s = good;
    s.sequences[1].tokens = Eigen::MatrixXd::Zero(1, 2);
    EXPECT_EQ(validateScene(s), "sequences[1].tokens: a sequence needs at least 2 tokens, got 1");
  }
  {
    Scene s = good;
    s.model.v = Eigen::VectorXd::Zero(3);
    EXPECT_EQ(validateScene(s), "model.v: expected 2 numbers (dim = 2), got 3");
  }
  {
    Scene s = good;
    s.sequences.clear();
    EXPECT_EQ(validateScene(s), "sequences: empty dataset: at least one sequence is needed");
  }
  {
    Scene s = good;
    s.init.kind = InitKind::Given;
    EXPECT_EQ(validateScene(s).rfind("init.p: missing", 0), 0u) << validateScene(s);
  }
  {
    Scene s = good;
    s.extrasJson = "[1]";
    EXPECT_NE(validateScene(s).find("not a JSON object"), std::string::npos);
  }
}

TEST(SceneIo, NewerVersionIsRefusedBeforeAnythingElse) {
  // A future file may change anything; the version message must win over field errors.
  SceneLoadResult r = parseScene(R"({"format":"attnmd-scene","version":7,"dim":"three"})", "future.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind("future.json:version: this file is version 7, written by a newer attnmd", 0), 0u)
      << r.error();
}

TEST(SceneIo, FailedParseNeverHalfLoads) {
  // A scene whose first sequence is fine and whose last is bad: the result holds no Scene at all.
  std::string text = readText(kFixtures + "/bad/y-zero.json");
  SceneLoadResult r = parseScene(text);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(std::holds_alternative<Scene>(r.value));
}

TEST(SceneIo, MangledFilesNeverCrashAndAlwaysNameTheSource) {
  // Every truncation and a few thousand random byte edits of a good file: each either loads (and then
  // validates) or is refused with a "<mangled>..." message. Run under ASan/UBSan by scripts/dev.sh test.
  const std::string good = readText(kFixtures + "/good/prompt-extras.json");
  auto check = [](const std::string& text, const std::string& what) {
    SceneLoadResult r = parseScene(text, "<mangled>");
    if (r.ok())
      EXPECT_EQ(validateScene(r.scene()), "") << what;
    else
      EXPECT_EQ(r.error().rfind("<mangled>", 0), 0u) << what << ": " << r.error();
  };
  for (std::size_t n = 0; n < good.size(); ++n) check(good.substr(0, n), "truncated at " + std::to_string(n));
  const char kBytes[] = "{}[],:\"0123456789.eE+-tfn \\xyz\x00\xff";
  for (std::uint64_t seed : {1u, 2u}) {
    SeededRng rng(seed);
    for (int k = 0; k < 1500; ++k) {
      std::string text = good;
      const int edits = 1 + rng.below(3);
      for (int e = 0; e < edits; ++e)
        text[static_cast<std::size_t>(rng.below(static_cast<int>(text.size())))] =
            kBytes[rng.below(static_cast<int>(sizeof kBytes - 1))];
      check(text, "seed " + std::to_string(seed) + " case " + std::to_string(k));
    }
  }
}

// =====================================================================================================
// Files
// =====================================================================================================

TEST(SceneIo, LoadReportsUnreadablePaths) {
  TempDir dir;
  SceneLoadResult missing = loadScene((dir.path / "nope.json").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("nope.json: cannot read: no such file or folder"), std::string::npos)
      << missing.error();
  SceneLoadResult folder = loadScene(dir.path.string());
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.error().find("it is a folder"), std::string::npos) << folder.error();
}

TEST(SceneIo, LoadRefusesFifosAndDevicesWithoutBlocking) {
  // A FIFO with no writer used to block the open forever. Should that come back, this thread plays the
  // writer after two seconds, so the test fails on the message instead of hanging.
  TempDir dir;
  const fs::path fifo = dir.path / "scene.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> loaded{false};
  std::thread writer([&] {
    for (int k = 0; k < 20 && !loaded.load(); ++k)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (loaded.load()) return;
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // ENXIO when nobody reads: fine
    if (fd >= 0) ::close(fd);
  });
  SceneLoadResult r = loadScene(fifo.string());
  loaded.store(true);
  writer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            fifo.string() +
                ": cannot read: it is a FIFO (named pipe), not a regular file (use - to read a scene "
                "from standard input)");
  SceneLoadResult device = loadScene("/dev/null");
  ASSERT_FALSE(device.ok());
  EXPECT_NE(device.error().find("/dev/null: cannot read: it is a character device"), std::string::npos)
      << device.error();
}

TEST(SceneIo, NulByteAnywhereIsRefusedWithItsOffset) {
  const std::string good = readText(kFixtures + "/good/minimal-prompt.json");
  ASSERT_TRUE(parseScene(good).ok());
  // After the document (its tail used to be ignored), inside a string, and first.
  const std::size_t inString = good.find("\"prompt\"") + 3;
  for (std::size_t at : {good.size(), inString, std::size_t{0}}) {
    std::string text = good;
    text.insert(at, 1, '\0');
    SceneLoadResult r = parseScene(text, "<nul>");
    ASSERT_FALSE(r.ok()) << "NUL at " << at;
    EXPECT_EQ(r.error().rfind("<nul>:", 0), 0u) << r.error();
    EXPECT_NE(r.error().find("a NUL byte at byte offset " + std::to_string(at)), std::string::npos)
        << r.error();
  }
}

TEST(SceneIo, IterationsAndSeedsLoadUpToTheirLimits) {
  std::string good = readText(kFixtures + "/good/minimal-prompt.json");
  good.erase(good.rfind('}'));
  auto load = [&](const std::string& fields) { return parseScene(good + "," + fields + "}", "<limits>"); };
  SceneLoadResult most = load("\"iterations\": 10000000000, \"seed\": 18446744073709551615");
  ASSERT_TRUE(most.ok()) << most.error();
  EXPECT_EQ(most.scene().iterations, kMaxIterations);
  EXPECT_EQ(most.scene().seed, 18446744073709551615ull);
  // 2^63 written as a float: once converted to a long long, which is undefined behaviour.
  SceneLoadResult big = load("\"seed\": 9223372036854775808.0");
  ASSERT_TRUE(big.ok()) << big.error();
  EXPECT_EQ(big.scene().seed, 9223372036854775808ull);
  SceneLoadResult over = load("\"iterations\": 9223372036854775808.0");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().find("iterations: must be in [0, 10000000000]"), std::string::npos) << over.error();
  Scene s = most.scene();
  s.iterations = kMaxIterations + 1;
  EXPECT_EQ(validateScene(s).rfind("iterations: must be in [0, 10000000000] (at most 1e10 steps)", 0), 0u)
      << validateScene(s);
}

TEST(SceneIo, ObjectsWithManyKeysLoadAndRoundTrip) {
  // Reading used to insert each key with a search over the keys so far: 100,000 keys in a field
  // attnmd ignores took 20 s, 200,000 over a minute (ctest's limit). Now linear; the timing itself is
  // left to measurement by hand, never asserted.
  std::string text = readText(kFixtures + "/good/minimal-prompt.json");
  text.erase(text.rfind('}'));
  // The release stage reads 200,000; under the sanitizers (30x slower) 50,000 check the same code.
  const int kKeys = attnmd::testing::kSanitizedBuild ? 50000 : 200000;
  text += ", \"notes\": {";
  for (int k = 0; k < kKeys; ++k)
    text += (k ? ",\"k" : "\"k") + std::to_string(k) + "\":" + std::to_string(k);
  text += ", \"k7\": -7}";  // a repeated key keeps the last value, at the first one's place
  for (int k = 0; k < 2000; ++k) text += ", \"top" + std::to_string(k) + "\": " + std::to_string(k);
  text += "}";
  SceneLoadResult r = parseScene(text, "<many keys>");
  ASSERT_TRUE(r.ok()) << r.error();
  const auto extras = nlohmann::json::parse(r.scene().extrasJson);  // std::map: not quadratic either
  ASSERT_EQ(extras["notes"].size(), static_cast<std::size_t>(kKeys));
  EXPECT_EQ(extras["notes"]["k7"], -7);
  EXPECT_EQ(extras["notes"]["k" + std::to_string(kKeys - 1)], kKeys - 1);
  EXPECT_EQ(extras["top1999"], 1999);
  // File order survives the round trip, and saving is as fast as loading.
  const std::string saved = sceneToJson(r.scene());
  EXPECT_LT(saved.find("\"k7\": -7"), saved.find("\"k8\": 8"));
  EXPECT_LT(saved.find("\"top0\""), saved.find("\"top1999\""));
  SceneLoadResult again = parseScene(saved, "<saved>");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(sceneToJson(again.scene()), saved);
}

TEST(SceneIo, SaveWritesAtomicallyAndLoadsBack) {
  TempDir dir;
  const Scene s = generateScene("clusters", {8, 4, 2, 5, false});
  const std::string path = (dir.path / "scene.json").string();
  ASSERT_EQ(saveScene(s, path), "");
  EXPECT_EQ(readText(path), sceneToJson(s));
  SceneLoadResult r = loadScene(path);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(sceneToJson(r.scene()), sceneToJson(s));
  // Overwrite keeps the file's permissions and leaves no temporary behind.
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ASSERT_EQ(saveScene(generateScene("toy-joint", {}), path), "");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
  EXPECT_EQ(files, 1);
}

TEST(SceneIo, SaveFollowsASymlink) {
  TempDir dir;
  const fs::path real = dir.path / "real.json", link = dir.path / "link.json";
  ASSERT_EQ(saveScene(generateScene("toy-joint", {}), real.string()), "");
  fs::create_symlink(real, link);
  ASSERT_EQ(saveScene(generateScene("toy-maxmargin", {}), link.string()), "");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(readText(real), sceneToJson(generateScene("toy-maxmargin", {})));
}

TEST(SceneIo, WriteCanReplaceALinkInsteadOfItsTarget) {
  // attnmd-cli's outputs: a link where a file is written is replaced; what it pointed to is untouched.
  TempDir dir;
  const fs::path target = dir.path / "target.txt", link = dir.path / "result.json";
  const fs::path folder = dir.path / "folder", folderLink = dir.path / "plots.csv";
  std::ofstream(target) << "keep me";
  fs::create_directory(folder);
  fs::create_symlink(target, link);
  fs::create_symlink(folder, folderLink);
  ASSERT_EQ(writeFileAtomic(link.string(), "new", Symlinks::Replace), "");
  ASSERT_EQ(writeFileAtomic(folderLink.string(), "csv", Symlinks::Replace), "");
  EXPECT_FALSE(fs::is_symlink(link));
  EXPECT_FALSE(fs::is_symlink(folderLink));
  EXPECT_EQ(readText(link), "new");
  EXPECT_EQ(readText(folderLink), "csv");
  EXPECT_EQ(readText(target), "keep me");
  EXPECT_TRUE(fs::is_directory(folder));
  EXPECT_EQ(fs::status(link).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  // saveScene takes the same choice; the default (the app's) still follows the link.
  const fs::path sceneLink = dir.path / "scene.json";
  fs::create_symlink(target, sceneLink);
  ASSERT_EQ(saveScene(generateScene("toy-joint", {}), sceneLink.string(), Symlinks::Replace), "");
  EXPECT_FALSE(fs::is_symlink(sceneLink));
  EXPECT_EQ(readText(target), "keep me");
}

TEST(SceneIo, SaveReportsBadDestinations) {
  TempDir dir;
  const Scene s = generateScene("toy-joint", {});
  std::string err = saveScene(s, (dir.path / "missing-folder" / "s.json").string());
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
  err = saveScene(s, dir.path.string());
  EXPECT_NE(err.find("it is a folder"), std::string::npos) << err;
  // /proc refuses new files even for root: stands in for a read-only folder.
  err = saveScene(s, "/proc/attnmd-test.json");
  EXPECT_NE(err.find("cannot save \"/proc/attnmd-test.json\""), std::string::npos) << err;
  Scene invalid = s;
  invalid.optimizer.lr = 0;
  err = saveScene(invalid, (dir.path / "x.json").string());
  EXPECT_NE(err.find("optimizer.lr: must be > 0"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir.path / "x.json"));
}

TEST(SceneIo, SaveIntoReadOnlyFolderFailsCleanly) {
  if (geteuid() == 0) GTEST_SKIP() << "running as root: folder permissions do not apply";
  TempDir dir;
  const fs::path ro = dir.path / "ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string err = saveScene(generateScene("toy-joint", {}), (ro / "s.json").string());
  EXPECT_NE(err.find("permission denied"), std::string::npos) << err;
}

TEST(SceneIo, FailedWriteLeavesTheOldFileIntact) {
  // A file-size limit makes write() fail part-way, as a full disk does.
  TempDir dir;
  const std::string path = (dir.path / "scene.json").string();
  const Scene small = generateScene("toy-joint", {});
  ASSERT_EQ(saveScene(small, path), "");
  const std::string before = readText(path);

  const Scene big = generateScene("random", {50, 8, 10, 1, false});
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto oldHandler = signal(SIGXFSZ, SIG_IGN);
  rlimit limited = old;
  limited.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  const std::string err = saveScene(big, path);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, oldHandler);

  EXPECT_NE(err.find("while writing"), std::string::npos) << err;
  EXPECT_NE(err.find("unchanged"), std::string::npos) << err;
  EXPECT_EQ(readText(path), before);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
  EXPECT_EQ(files, 1) << "the temporary file must be removed";
}

}  // namespace
