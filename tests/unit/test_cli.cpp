// attnmd-cli through its library (app/cli/cli.h): argument handling, exit codes, messages, and the
// files `train` writes (docs/scene-format.md "What attnmd-cli writes").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/cli/cli.h"
#include "app/cli/outputs.h"
#include "app/cli/progress.h"
#include "core/generators.h"
#include "core/scene_io.h"
#include "core/version.h"

namespace fs = std::filesystem;
using namespace attnmd;

namespace {

const std::string kScenes = std::string(ATTNMD_FIXTURES) + "/scenes";
const std::string kAssets = std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "attnmd-cli-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct Result {
  int code;
  std::string out, err;
};

Result cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = cli::runCli(args, out, err);
  return {code, out.str(), err.str()};
}

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> splitCells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// =====================================================================================================
// Small parsers and the progress bar
// =====================================================================================================

TEST(Cli, ParseCount) {
  EXPECT_EQ(cli::parseCount("5000"), 5000);
  EXPECT_EQ(cli::parseCount("0"), 0);
  EXPECT_EQ(cli::parseCount("1e6"), 1000000);
  EXPECT_EQ(cli::parseCount("2_000_000"), 2000000);
  EXPECT_EQ(cli::parseCount("9007199254740993"), 9007199254740993LL);  // exact beyond 2^53
  for (const char* bad : {"", "-1", "1.5", "abc", "1e6x", "nan", "inf", "1e300"})
    EXPECT_FALSE(cli::parseCount(bad).has_value()) << bad;
}

TEST(Cli, ParseCountTakesOnlyDecimalCounts) {
  // strtoll stopped at the "x" of "0x10" without a word, so --iters 0x10 ran 0 steps.
  for (const char* bad : {"0x10", "0X10", "0x1p4", " 5", "5 ", "+5", "1e", "1.", ".5", "1e-3", "1e+", "5k",
                          "_", "99999999999999999999", "9223372036854775808", "1e19"})
    EXPECT_FALSE(cli::parseCount(bad).has_value()) << bad;
  EXPECT_EQ(cli::parseCount("1.5e3"), 1500);
  EXPECT_EQ(cli::parseCount("1E6"), 1000000);
  EXPECT_EQ(cli::parseCount("1e+6"), 1000000);
  EXPECT_EQ(cli::parseCount("2.0"), 2);
  EXPECT_EQ(cli::parseCount("007"), 7);
  EXPECT_EQ(cli::parseCount("9223372036854775807"), 9223372036854775807LL);
}

TEST(Cli, ParseSeedNeverWrapsANegativeNumber) {
  EXPECT_EQ(cli::parseSeed("0"), 0u);
  EXPECT_EQ(cli::parseSeed("18446744073709551615"), 18446744073709551615ull);
  for (const char* bad : {"-1", "-0", "+1", " 1", "1 ", "", "18446744073709551616", "1e3", "0x10", "1.0"})
    EXPECT_FALSE(cli::parseSeed(bad).has_value()) << bad;
}

TEST(Cli, ParseTokenList) {
  EXPECT_EQ(cli::parseTokenList("1,0,2"), (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(cli::parseTokenList("3"), (std::vector<int>{3}));
  EXPECT_EQ(cli::parseTokenList(" 1 , 2"), (std::vector<int>{1, 2}));
  for (const char* bad : {"", "1,,2", "-1", "a", "1,", "1.5", "99999999999"})
    EXPECT_FALSE(cli::parseTokenList(bad).has_value()) << bad;
}

TEST(Cli, ProgressLine) {
  EXPECT_EQ(cli::groupThousands(1234567), "1,234,567");
  EXPECT_EQ(cli::groupThousands(999), "999");
  EXPECT_EQ(cli::groupThousands(-1000), "-1,000");
  const std::string half = cli::progressLine(500000, 1000000, 2.0, 10);
  EXPECT_EQ(half.substr(0, 12), "[#####.....]") << half;
  EXPECT_TRUE(contains(half, " 50%")) << half;
  EXPECT_TRUE(contains(half, "500,000/1,000,000 steps")) << half;
  EXPECT_TRUE(contains(half, "250k steps/s")) << half;
  EXPECT_TRUE(contains(half, "ETA 2s")) << half;
  const std::string done = cli::progressLine(10, 10, 1.0, 4);
  EXPECT_TRUE(contains(done, "100%")) << done;
  EXPECT_FALSE(contains(done, "ETA")) << done;
}

TEST(Cli, ProgressBarIsSilentWhenDisabledOrShort) {
  std::ostringstream err;
  {
    cli::ProgressBar off(err, 100, false);
    off.update(50);
    cli::ProgressBar quick(err, 100, true);  // less than a second old: draws nothing
    quick.update(50);
  }
  EXPECT_EQ(err.str(), "");
}

// =====================================================================================================
// Help and argument errors
// =====================================================================================================

TEST(Cli, HelpEverywhereWithAnExample) {
  Result none = cli({});
  EXPECT_EQ(none.code, 0);
  EXPECT_TRUE(contains(none.out, "train")) << none.out;
  Result top = cli({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_TRUE(contains(top.out, "Examples:")) << top.out;
  for (const char* sub : {"train", "generate", "svm", "figure"}) {
    Result r = cli({sub, "--help"});
    EXPECT_EQ(r.code, 0) << sub;
    EXPECT_TRUE(contains(r.out, "Example:")) << sub << ":\n" << r.out;
    EXPECT_TRUE(contains(r.out, std::string("attnmd-cli ") + sub)) << sub << ":\n" << r.out;
  }
  Result gen = cli({"generate", "--help"});
  for (const core::GeneratorInfo& g : core::generators()) EXPECT_TRUE(contains(gen.out, g.name)) << g.name;
  Result train = cli({"train", "--help"});
  for (const char* flag : {"--optimizer", "--p", "--lr", "--iters", "--seed", "--out"})
    EXPECT_TRUE(contains(train.out, flag)) << flag;
}

TEST(Cli, VersionPrintsTheProjectVersion) {
  Result r = cli({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, std::string("attnmd-cli ") + core::version() + "\n");
  EXPECT_NE(std::string(core::version()).find('.'), std::string::npos) << core::version();
}

TEST(Cli, ArgumentErrorsExitTwo) {
  Result unknown = cli({"frobnicate"});
  EXPECT_EQ(unknown.code, cli::kExitBadInput);
  Result noOut = cli({"train", kAssets + "/toy-joint.json"});
  EXPECT_EQ(noOut.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(noOut.err, "--out")) << noOut.err;
  Result notNumber = cli({"train", kAssets + "/toy-joint.json", "--p", "abc", "--out", "x"});
  EXPECT_EQ(notNumber.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(notNumber.err, "--p")) << notNumber.err;
  Result badIters = cli({"train", kAssets + "/toy-joint.json", "--iters", "lots", "--out", "x"});
  EXPECT_EQ(badIters.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(badIters.err, "--iters: expected a whole number")) << badIters.err;
  Result negIters = cli({"train", kAssets + "/toy-joint.json", "--iters", "-5", "--out", "x"});
  EXPECT_EQ(negIters.code, cli::kExitBadInput);
}

TEST(Cli, ItersMustBeADecimalCountUpToTheLimit) {
  TempDir dir;
  const std::string scene = kAssets + "/toy-maxmargin.json";
  // 0x10 used to run 0 steps; 1e18 used to run (practically) forever.
  for (const char* iters : {"0x10", "1e18", "10000000001", "99999999999999999999", " 5"}) {
    Result r = cli({"train", scene, "--iters", iters, "--out", (dir.path / "o").string()});
    EXPECT_EQ(r.code, cli::kExitBadInput) << iters;
    EXPECT_EQ(r.err,
              std::string("--iters: expected a whole number of steps from 0 to 10000000000 (1e10), such "
                          "as 5000 or 1e6; got \"") +
                  iters + "\"\n");
    EXPECT_FALSE(fs::exists(dir.path / "o" / "result.json")) << iters;
    Result f = cli({"figure", scene, "--iters", iters, "--out", (dir.path / "f").string()});
    EXPECT_EQ(f.code, cli::kExitBadInput) << iters;
    EXPECT_TRUE(contains(f.err, "--iters: expected a whole number of steps from 0 to 10000000000")) << f.err;
  }
  EXPECT_EQ(cli::parseCount("1e10"), core::kMaxIterations);  // the limit itself is a valid count
}

TEST(Cli, SeedMustBeAWholeNumberThatFits) {
  TempDir dir;
  const std::string scene = kAssets + "/toy-maxmargin.json";
  const std::string message = "--seed: expected a whole number from 0 to 18446744073709551615, got \"-1\"\n";
  Result train = cli({"train", scene, "--seed", "-1", "--out", dir.path.string()});  // was 2^64 - 1
  EXPECT_EQ(train.code, cli::kExitBadInput);
  EXPECT_EQ(train.err, message);
  Result gen = cli({"generate", "--preset", "random", "--seed", "-1"});
  EXPECT_EQ(gen.code, cli::kExitBadInput);
  EXPECT_EQ(gen.err, message);
  Result most = cli(
      {"train", scene, "--seed", "18446744073709551615", "--iters", "0", "-q", "--out", dir.path.string()});
  ASSERT_EQ(most.code, 0) << most.err;
  EXPECT_EQ(nlohmann::json::parse(readText(dir.path / "result.json"))["seed"].get<std::uint64_t>(),
            18446744073709551615ull);
}

TEST(Cli, OutputsReplaceSymlinksInsteadOfWritingThroughThem) {
  // --out DIR holding links named like the outputs: the links are replaced, their targets untouched.
  TempDir dir;
  const fs::path victim = dir.path / "victim.txt", out = dir.path / "out", figOut = dir.path / "fig";
  std::ofstream(victim) << "precious";
  fs::create_directories(out);
  fs::create_directories(figOut);
  for (const char* name : {"result.json", "metrics.csv"}) fs::create_symlink(victim, out / name);
  fs::create_symlink(victim, figOut / "loss.svg");
  fs::create_symlink(victim, dir.path / "scene.json");
  const std::string scene = kAssets + "/toy-maxmargin.json";
  ASSERT_EQ(cli({"train", scene, "--iters", "3", "-q", "--out", out.string()}).code, 0);
  ASSERT_EQ(cli({"figure", scene, "--iters", "3", "-q", "--out", figOut.string()}).code, 0);
  ASSERT_EQ(cli({"generate", "--preset", "toy-joint", "--out", (dir.path / "scene.json").string()}).code, 0);
  EXPECT_EQ(readText(victim), "precious");
  for (const fs::path& p :
       {out / "result.json", out / "metrics.csv", figOut / "loss.svg", dir.path / "scene.json"}) {
    EXPECT_FALSE(fs::is_symlink(p)) << p;
    EXPECT_TRUE(fs::is_regular_file(p)) << p;
  }
  EXPECT_TRUE(core::parseScene(readText(dir.path / "scene.json")).ok());
}

TEST(Cli, SceneThatIsAFifoIsRefusedAtOnce) {
  // A FIFO with no writer blocked `svm` forever. If that comes back, this thread plays the writer after
  // two seconds so the test fails on the message instead of hanging.
  TempDir dir;
  const fs::path fifo = dir.path / "scene.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int k = 0; k < 20 && !done.load(); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (done.load()) return;
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  });
  Result r = cli({"svm", fifo.string()});
  done.store(true);
  writer.join();
  EXPECT_EQ(r.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(r.err, fifo.string() + ": cannot read: it is a FIFO (named pipe), not a regular file"))
      << r.err;
}

TEST(Cli, BadSceneFilesExitTwoNamingFileAndField) {
  TempDir dir;
  const std::string file = kScenes + "/bad/lr-zero.json";
  Result r = cli({"train", file, "--out", dir.path.string()});
  EXPECT_EQ(r.code, cli::kExitBadInput);
  EXPECT_EQ(r.err.rfind(file + ":optimizer.lr: must be > 0", 0), 0u) << r.err;
  Result s = cli({"svm", kScenes + "/bad/ragged-tokens.json"});
  EXPECT_EQ(s.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(s.err, "ragged-tokens.json:sequences[1].tokens[1]: expected 2 numbers")) << s.err;
  Result missing = cli({"train", (dir.path / "nope.json").string(), "--out", dir.path.string()});
  EXPECT_EQ(missing.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(missing.err, "nope.json: cannot read")) << missing.err;
}

TEST(Cli, OverridesAreValidatedLikeTheFile) {
  TempDir dir;
  const std::string scene = kAssets + "/toy-joint.json";
  struct Case {
    std::vector<std::string> flags;
    std::string expected;
  };
  const Case cases[] = {
      {{"--p", "0.5"}, "--p (overriding optimizer.p of " + scene + "): must be in (1, 20], got 0.5"},
      {{"--p", "nan"}, "--p (overriding optimizer.p of " + scene + "): not a finite number"},
      {{"--lr", "0"}, "--lr (overriding optimizer.lr of " + scene + "): must be > 0, got 0.0"},
      {{"--lr", "-1e-3"}, "--lr (overriding optimizer.lr of " + scene + "): must be > 0"},
      {{"--optimizer", "sgd"}, "--optimizer: unknown optimizer \"sgd\" (expected one of gd, ngd, md, nmd"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"train", scene, "--out", (dir.path / "o").string()};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    Result r = cli(args);
    EXPECT_EQ(r.code, cli::kExitBadInput) << c.flags[0];
    EXPECT_TRUE(contains(r.err, c.expected)) << "got: " << r.err << "wanted: " << c.expected;
    EXPECT_FALSE(fs::exists(dir.path / "o" / "result.json"));
  }
}

// =====================================================================================================
// generate
// =====================================================================================================

TEST(Cli, GeneratePrintsEveryPresetAsAValidScene) {
  for (const core::GeneratorInfo& g : core::generators()) {
    Result r = cli({"generate", "--preset", g.name, "--seed", "4"});
    ASSERT_EQ(r.code, 0) << g.name << ": " << r.err;
    core::SceneLoadResult s = core::parseScene(r.out, g.name);
    ASSERT_TRUE(s.ok()) << s.error();
    core::GeneratorOptions o = g.defaults;
    o.seed = 4;
    EXPECT_EQ(r.out, core::sceneToJson(core::generateScene(g.name, o))) << g.name;
  }
}

TEST(Cli, GenerateSizesAndErrors) {
  Result r = cli({"generate", "--preset", "random", "--n", "3", "--T", "4", "--d", "5", "--seed", "9",
                  "--cross-attention"});
  ASSERT_EQ(r.code, 0) << r.err;
  core::SceneLoadResult s = core::parseScene(r.out);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s.scene().sequences.size(), 3u);
  EXPECT_EQ(s.scene().sequences[0].tokens.rows(), 4);
  EXPECT_EQ(s.scene().dim, 5);
  EXPECT_EQ(s.scene().seed, 9u);
  EXPECT_EQ(s.scene().model.query, core::QueryKind::Given);

  Result fixed = cli({"generate", "--preset", "toy-joint", "--n", "3"});
  EXPECT_EQ(fixed.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(fixed.err, "fixed size")) << fixed.err;
  Result unknown = cli({"generate", "--preset", "nope"});
  EXPECT_EQ(unknown.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(unknown.err, "toy-maxmargin")) << unknown.err;  // lists the presets
  Result noPreset = cli({"generate"});
  EXPECT_EQ(noPreset.code, cli::kExitBadInput);
  Result zero = cli({"generate", "--preset", "random", "--n", "0"});
  EXPECT_EQ(zero.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(zero.err, "n must be at least 1")) << zero.err;
  Result cross = cli({"generate", "--preset", "clusters", "--cross-attention"});
  EXPECT_EQ(cross.code, cli::kExitBadInput);
  Result list = cli({"generate", "--list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_TRUE(contains(list.out, "joint-wv-p3"));
}

TEST(Cli, GenerateToFile) {
  TempDir dir;
  const std::string file = (dir.path / "s.json").string();
  Result r = cli({"generate", "--preset", "clusters", "--d", "3", "--out", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  core::SceneLoadResult s = core::loadScene(file);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s.scene().dim, 3);
  Result bad = cli({"generate", "--preset", "clusters", "--out", (dir.path / "no" / "s.json").string()});
  EXPECT_EQ(bad.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(bad.err, "does not exist")) << bad.err;
}

// =====================================================================================================
// train: the two files
// =====================================================================================================

void expectMetricsCsv(const fs::path& file, long long lastIter) {
  const std::vector<std::string> lines = splitLines(readText(file));
  ASSERT_GE(lines.size(), 2u);
  const std::vector<std::string> header = splitCells(lines[0]);
  ASSERT_GE(header.size(), 9u);
  for (std::size_t k = 0; k < 9; ++k) EXPECT_EQ(header[k], cli::kRequiredMetricsColumns[k]);
  long long previous = -1;
  for (std::size_t r = 1; r < lines.size(); ++r) {
    const std::vector<std::string> cells = splitCells(lines[r]);
    ASSERT_EQ(cells.size(), header.size()) << "row " << r << ": " << lines[r];
    const long long iter = std::stoll(cells[0]);
    EXPECT_GT(iter, previous) << "rows must ascend in iter";
    previous = iter;
    // loss is always there and finite.
    ASSERT_FALSE(cells[1].empty()) << lines[r];
    EXPECT_TRUE(std::isfinite(std::stod(cells[1]))) << lines[r];
  }
  EXPECT_EQ(std::stoll(splitCells(lines[1])[0]), 0);
  EXPECT_EQ(previous, lastIter);
}

TEST(Cli, TrainWritesMetricsAndResult) {
  TempDir dir;
  Result r = cli({"train", kAssets + "/toy-maxmargin.json", "--iters", "300", "--out", dir.path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  expectMetricsCsv(dir.path / "metrics.csv", 300);
  const auto j = nlohmann::json::parse(readText(dir.path / "result.json"));
  EXPECT_EQ(j["iterations"], 300);
  EXPECT_EQ(j["status"], "ok");
  ASSERT_TRUE(j["params"].contains("p"));
  EXPECT_EQ(j["params"]["p"].size(), 3u);
  EXPECT_EQ(j["v"].size(), 3u);
  EXPECT_EQ(j["selected"].size(), 1u);
  EXPECT_EQ(j["optimal"].size(), 1u);
  for (const char* key : {"loss", "norm_p", "corr", "bregman", "min_selected_prob"})
    EXPECT_TRUE(j["metrics"].contains(key)) << key;
  for (const char* key : {"status", "norm", "p", "tokens"}) EXPECT_TRUE(j["svm"].contains(key)) << key;
  EXPECT_EQ(j["svm"]["tokens"], j["selected"]);
  if (j["svm"]["status"] == "optimal") {
    for (const char* key : {"solution", "value", "gap", "violation", "active"})
      EXPECT_TRUE(j["svm"].contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("v_svm"));  // v is not trained here
  EXPECT_TRUE(contains(r.out, "trained 300 steps")) << r.out;
}

TEST(Cli, TrainOverridesWin) {
  TempDir dir;
  Result r = cli({"train", kAssets + "/random-n6-T8-d10.json", "--optimizer", "md", "--p", "1.5", "--lr",
                  "0.05", "--iters", "40", "--seed", "12", "--quiet", "--out", dir.path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const auto j = nlohmann::json::parse(readText(dir.path / "result.json"));
  EXPECT_EQ(j["iterations"], 40);
  EXPECT_EQ(j["optimizer"]["name"], "md");
  EXPECT_EQ(j["optimizer"]["p"], 1.5);
  EXPECT_EQ(j["optimizer"]["lr"], 0.05);
  EXPECT_EQ(j["seed"], 12);
  EXPECT_EQ(j["svm"]["p"], 1.5);  // md compares with the l_1.5 SVM
  EXPECT_EQ(j["params"]["W"].size(), 10u);
  expectMetricsCsv(dir.path / "metrics.csv", 40);
}

TEST(Cli, TrainJointWritesVSvm) {
  TempDir dir;
  Result r = cli({"train", kAssets + "/toy-joint.json", "--iters", "50", "--out", dir.path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(readText(dir.path / "result.json"));
  ASSERT_TRUE(j.contains("v_svm"));
  EXPECT_TRUE(j["v_svm"].contains("status"));
}

TEST(Cli, TrainZeroIterationsWritesTheInitialization) {
  TempDir dir;
  Result r = cli({"train", kAssets + "/toy-joint.json", "--iters", "0", "--out", dir.path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = splitLines(readText(dir.path / "metrics.csv"));
  ASSERT_EQ(lines.size(), 2u);  // header + step 0, which is also the last step
  EXPECT_EQ(splitCells(lines[1])[0], "0");
}

TEST(Cli, NumericalFailureExitsThreeAndSaysWhy) {
  TempDir dir;
  Result r = cli({"train", kScenes + "/cli/diverges.json", "--out", dir.path.string()});
  EXPECT_EQ(r.code, cli::kExitNumericalFailure) << r.err;
  EXPECT_TRUE(contains(r.err, "diverges.json: the run stopped at step")) << r.err;
  const auto j = nlohmann::json::parse(readText(dir.path / "result.json"));
  EXPECT_EQ(j["status"], "stopped");
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
  EXPECT_LT(j["iterations"].get<long long>(), 100);
}

// =====================================================================================================
// svm
// =====================================================================================================

TEST(Cli, SvmPrintsOneSvmObject) {
  Result r = cli({"svm", kAssets + "/toy-maxmargin.json", "--tokens", "0", "--p", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "optimal");
  EXPECT_EQ(j["norm"], "lp");
  EXPECT_EQ(j["p"], 2.0);
  EXPECT_EQ(j["tokens"], nlohmann::json::array({0}));
  ASSERT_EQ(j["solution"]["p"].size(), 3u);
  // The printed value is the l_2 norm of the printed solution.
  double norm2 = 0;
  for (const auto& x : j["solution"]["p"]) norm2 += x.get<double>() * x.get<double>();
  EXPECT_NEAR(std::sqrt(norm2), j["value"].get<double>(), 1e-9);
  EXPECT_GE(j["active"].size(), 1u);

  for (const char* tokens : {"selected", "optimal"}) {
    Result t = cli({"svm", kAssets + "/random-n6-T8-d10.json", "--tokens", tokens});
    EXPECT_NE(t.code, cli::kExitBadInput) << tokens << ": " << t.err;
    const auto k = nlohmann::json::parse(t.out);
    EXPECT_EQ(k["tokens"].size(), 6u);
  }
  Result nuclear =
      cli({"svm", kAssets + "/random-n6-T8-d10.json", "--norm", "nuclear", "--tokens", "optimal"});
  EXPECT_EQ(nlohmann::json::parse(nuclear.out)["norm"], "nuclear");
}

// A random scene with n = 2 sequences of T = 3 tokens in d dimensions, saved to `path`.
std::string writeSizedScene(const fs::path& path, int d, core::ModelKind kind) {
  core::Scene s = core::generateScene("random", {2, 3, d, 5, false});
  s.model.kind = kind;
  s.iterations = 3;
  EXPECT_EQ(core::saveScene(s, path.string()), "");
  return path.string();
}

TEST(Cli, SvmOverTheSizeLimitIsRefusedAheadAndTrainSkipsIt) {
  // d = 500 made the W-SVM's dense N x N matrices (N = d^2) abort with std::bad_alloc, and d = 100 ran
  // for minutes; training itself is cheap at that size and must go on.
  // (kq trains at d = 100 here: its metrics take an SVD of W each recorded step, seconds at d = 500.)
  TempDir dir;
  const struct {
    core::ModelKind kind;
    int d;
    const char* reason;
  } cases[] = {
      {core::ModelKind::Query, 500,
       "the W-SVM has 250000 variables (d = 500, W is d x d); attnmd solves up to 900 (d <= 30)"},
      {core::ModelKind::KQ, 100,
       "the nuclear-norm W-SVM has 10000 variables (d = 100, W is d x d); attnmd solves up to 900 (d <= 30)"},
  };
  for (const auto& c : cases) {
    const std::string name = core::enumName(c.kind);
    const std::string scene = writeSizedScene(dir.path / (name + ".json"), c.d, c.kind);
    const std::string reason = c.reason;
    Result svm = cli({"svm", scene});
    EXPECT_EQ(svm.code, cli::kExitBadInput) << name;
    EXPECT_EQ(svm.err, scene + ": the SVM is too large to solve: " + reason + "\n");
    EXPECT_EQ(svm.out, "");

    const fs::path out = dir.path / ("out-" + name);
    Result train = cli({"train", scene, "--iters", "2", "-q", "--out", out.string()});
    ASSERT_EQ(train.code, 0) << name << ": " << train.err;
    EXPECT_TRUE(contains(train.err, "note: the SVM is not solved (result.json says so): " + reason))
        << train.err;
    const auto j = nlohmann::json::parse(readText(out / "result.json"));
    EXPECT_EQ(j["iterations"], 2);
    EXPECT_EQ(j["status"], "ok");
    EXPECT_EQ(j["svm"]["status"], "skipped") << name;
    EXPECT_EQ(j["svm"]["reason"], reason);
    EXPECT_FALSE(j["svm"].contains("solution"));
  }
  // At the limit the SVM is solved.
  const std::string limit = writeSizedScene(dir.path / "query-30.json", 30, core::ModelKind::Query);
  Result solved = cli({"svm", limit, "--tokens", "0,0"});
  ASSERT_EQ(solved.code, 0) << solved.err;
  EXPECT_EQ(nlohmann::json::parse(solved.out)["status"], "optimal");
}

TEST(Cli, SvmArgumentErrors) {
  const std::string toy = kAssets + "/toy-maxmargin.json";
  Result range = cli({"svm", toy, "--tokens", "5"});
  EXPECT_EQ(range.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(range.err, "index 5 for sequence 0 is out of range")) << range.err;
  Result count = cli({"svm", toy, "--tokens", "0,1"});
  EXPECT_EQ(count.code, cli::kExitBadInput);
  EXPECT_TRUE(
      contains(count.err, "got 2 indices but " + toy + " has 1 sequence; give one index per sequence"))
      << count.err;
  Result words = cli({"svm", toy, "--tokens", "best"});
  EXPECT_EQ(words.code, cli::kExitBadInput);
  Result nuclear = cli({"svm", toy, "--norm", "nuclear"});
  EXPECT_EQ(nuclear.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(nuclear.err, "model.kind is \"prompt\"")) << nuclear.err;
  Result norm = cli({"svm", toy, "--norm", "l1"});
  EXPECT_EQ(norm.code, cli::kExitBadInput);
  Result p = cli({"svm", toy, "--p", "1"});
  EXPECT_EQ(p.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(p.err, "--p: must be in (1, 20], got 1.0")) << p.err;
}

// =====================================================================================================
// figure
// =====================================================================================================

TEST(Cli, FigureWritesOneSvgPerPlotAndTheMetrics) {
  TempDir dir;
  Result r = cli({"figure", kAssets + "/toy-maxmargin.json", "--iters", "200", "--out", dir.path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* plot : {"loss", "norm", "alignment", "sparsity", "margin"}) {
    const std::string svg = readText(dir.path / (std::string(plot) + ".svg"));
    EXPECT_TRUE(contains(svg, "<svg")) << plot;
    EXPECT_TRUE(contains(svg, "</svg>")) << plot;
  }
  expectMetricsCsv(dir.path / "metrics.csv", 200);
  EXPECT_TRUE(fs::exists(dir.path / "result.json"));
  EXPECT_TRUE(fs::exists(dir.path / "plots.csv"));
}

TEST(Cli, FigureRunsFromAScenesRunsArray) {
  TempDir dir;
  core::Scene s = core::generateScene("joint-wv-p2", {});
  s.extrasJson = R"({"runs": [{"name": "p = 1.75", "optimizer": {"p": 1.75}}, {"optimizer": {"p": 3}}]})";
  const std::string scene = (dir.path / "compare.json").string();
  ASSERT_EQ(core::saveScene(s, scene), "");
  Result r = cli({"figure", scene, "--iters", "30", "--quiet", "--out", (dir.path / "fig").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path / "fig" / "0-p___1.75" / "result.json"));
  EXPECT_TRUE(fs::exists(dir.path / "fig" / "1-nmd__p___3.0" / "result.json"));
  const auto j = nlohmann::json::parse(readText(dir.path / "fig" / "1-nmd__p___3.0" / "result.json"));
  EXPECT_EQ(j["optimizer"]["p"], 3.0);
  const std::vector<std::string> csv = splitLines(readText(dir.path / "fig" / "metrics.csv"));
  EXPECT_EQ(splitCells(csv[0]).back(), "run");
  EXPECT_TRUE(csv.back().ends_with(",\"nmd, p = 3.0\"")) << csv.back();  // quoted: the name has a comma
  EXPECT_TRUE(contains(readText(dir.path / "fig" / "loss.svg"), "p = 1.75"));

  s.extrasJson = R"({"runs": [{"optimizer": {"p": 1.75}}, {"optimizer": {"p": 0.5}}]})";
  ASSERT_EQ(core::saveScene(s, scene), "");
  Result bad = cli({"figure", scene, "--out", (dir.path / "fig2").string()});
  EXPECT_EQ(bad.code, cli::kExitBadInput);
  EXPECT_EQ(bad.err.rfind(scene + ":runs[1].optimizer.p: must be in (1, 20], got 0.5", 0), 0u) << bad.err;
}

TEST(Cli, FigureErrors) {
  TempDir dir;
  Result scale =
      cli({"figure", kAssets + "/toy-joint.json", "--x-scale", "cubic", "--out", dir.path.string()});
  EXPECT_EQ(scale.code, cli::kExitBadInput);
  Result bad = cli({"figure", kScenes + "/bad/p-one.json", "--out", dir.path.string()});
  EXPECT_EQ(bad.code, cli::kExitBadInput);
  EXPECT_TRUE(contains(bad.err, "p-one.json:optimizer.p")) << bad.err;
  Result stopped = cli({"figure", kScenes + "/cli/diverges.json", "--out", dir.path.string()});
  EXPECT_EQ(stopped.code, cli::kExitNumericalFailure);
  EXPECT_TRUE(fs::exists(dir.path / "loss.svg"));
}

// =====================================================================================================
// Output formats
// =====================================================================================================

TEST(Cli, MetricsCsvLeavesEmptyCellsForMissingValues) {
  core::MetricsPoint a;
  a.iter = 0;
  a.loss = 0.5;
  core::MetricsPoint b = a;
  b.iter = 10;
  b.corr = 0.25;
  const std::string csv = cli::metricsCsv({{a, {1, 0}}, {b, {1, 1}}});
  const std::vector<std::string> lines = splitLines(csv);
  ASSERT_EQ(lines.size(), 3u);
  const auto row0 = splitCells(lines[1]), row1 = splitCells(lines[2]), header = splitCells(lines[0]);
  EXPECT_EQ(row0.size(), header.size());
  EXPECT_EQ(row0[0], "0");
  EXPECT_EQ(row0[1], "0.5");
  EXPECT_EQ(row0[3], "");  // corr: NaN -> empty
  EXPECT_EQ(row1[3], "0.25");
  EXPECT_EQ(row1.back(), "1 1");
}

TEST(Cli, JsonTextIsPrettyAndExact) {
  cli::Json j = cli::Json::object();
  j["x"] = 0.1 + 0.2;
  j["nan"] = cli::numberJson(std::nan(""));
  const std::string text = cli::jsonText(j);
  EXPECT_EQ(text, "{\n  \"x\": 0.30000000000000004,\n  \"nan\": null\n}\n");
}

}  // namespace
