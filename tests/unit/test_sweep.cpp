// `attnmd-cli sweep` / `sweep-merge` (app/cli/sweep.h): grid expansion, seeds and shards, identical
// files for any --jobs and for shards merged, bad input named with exit 2, and a 100-seed sweep of a
// small scene.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "app/cli/sweep.h"
#include "core/generators.h"
#include "core/run.h"
#include "core/scene_io.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace attnmd;

namespace {

// attnmd::testing's TempDir and readText, qualified: in the unity build other test files bring their own.
std::string sweepFile(const fs::path& p) {
  return attnmd::testing::readText(p);
}

struct SweepResult {
  int code;
  std::string out, err;
};

SweepResult sweepCli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = cli::runCli(args, out, err);
  return {code, out.str(), err.str()};
}

// A small random scene (n = 3, T = 4, d = 3) whose seeds redraw the data ("generator" field), with a
// "runs" array of two p values.
std::string writeSmallScene(const attnmd::testing::TempDir& dir, bool withRuns = true) {
  core::GeneratorOptions g;
  g.n = 3;
  g.T = 4;
  g.d = 3;
  core::Scene s = core::generateScene("random", g);
  s.iterations = 40;
  s.extrasJson = std::string("{\"generator\":{\"preset\":\"random\",\"n\":3,\"T\":4,\"d\":3}") +
                 (withRuns ? ",\"runs\":[{\"name\":\"p = 1.5\",\"optimizer\":{\"p\":1.5}},"
                             "{\"name\":\"p = 3\",\"optimizer\":{\"p\":3}}]}"
                           : "}");
  const std::string path = dir.str("small.json");
  EXPECT_EQ(core::saveScene(s, path), "");
  return path;
}

const std::vector<std::string> kAllFiles = {"sweep.json",   "runs.csv",    "curves.csv", "summary.csv",
                                            "bregman.svg",  "bregman.csv", "corr.svg",   "corr.csv",
                                            "sparsity.svg", "sparsity.csv"};

std::size_t lineCount(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST(Sweep, ParsesSeedsShardsAndGridFlags) {
  EXPECT_EQ(cli::parseSeeds("3"), (std::vector<std::uint64_t>{0, 1, 2}));
  EXPECT_EQ(cli::parseSeeds("5..7"), (std::vector<std::uint64_t>{5, 6, 7}));
  EXPECT_EQ(cli::parseSeeds("4..4"), (std::vector<std::uint64_t>{4}));
  for (const char* bad : {"0", "7..5", "-1", "a", "", "1..", "..3", "2000000"})
    EXPECT_FALSE(cli::parseSeeds(bad)) << bad;

  ASSERT_TRUE(cli::parseShard("2/3"));
  EXPECT_EQ(cli::parseShard("2/3")->index, 2);
  for (const char* bad : {"3/2", "0/2", "1/0", "1", "/2", "1/", "a/b", "-1/2"})
    EXPECT_FALSE(cli::parseShard(bad)) << bad;
  EXPECT_EQ(cli::shardRuns(7, {2, 3}), (std::vector<int>{1, 4}));
  // Every run in exactly one shard.
  std::vector<int> all;
  for (int i = 1; i <= 3; ++i)
    for (int id : cli::shardRuns(10, {i, 3})) all.push_back(id);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));

  std::string error;
  const auto axis = cli::parseGridFlag("optimizer.p=1.75, 2,3", error);
  ASSERT_TRUE(axis) << error;
  EXPECT_EQ(axis->key, "optimizer.p");
  EXPECT_EQ(axis->values, (std::vector<std::string>{"1.75", "2", "3"}));
  EXPECT_FALSE(cli::parseGridFlag("optimizer.p=", error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  EXPECT_FALSE(cli::parseGridFlag("optimizer.p", error));
  EXPECT_FALSE(cli::parseGridFlag("optimizer.p=1,,2", error));
  EXPECT_FALSE(cli::parseGridFlag("optimizer.p=2,2", error));
}

TEST(Sweep, ExpandsTheGridLastKeyFastest) {
  attnmd::testing::TempDir dir;
  const std::string path = writeSmallScene(dir);
  core::SceneLoadResult loaded = core::loadScene(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  std::string error;
  std::vector<cli::GridAxis> axes = {*cli::parseGridFlag("optimizer.p=1.5,2", error),
                                     *cli::parseGridFlag("optimizer.lr=0.1,0.5,1", error)};
  const auto plan = cli::planSweep(loaded.scene(), path, axes, {0, 1}, 25, error);
  ASSERT_TRUE(plan) << error;
  ASSERT_EQ(plan->points.size(), 6u);
  EXPECT_EQ(plan->runCount(), 12);
  EXPECT_EQ(plan->points[0].name, "optimizer.p=1.5, optimizer.lr=0.1");
  EXPECT_EQ(plan->points[1].name, "optimizer.p=1.5, optimizer.lr=0.5");
  EXPECT_EQ(plan->points[5].name, "optimizer.p=2, optimizer.lr=1");
  EXPECT_EQ(plan->points[4].patchJson, R"({"optimizer":{"p":2,"lr":0.5}})");
  EXPECT_EQ(plan->pValues, (std::vector<double>{1.5, 2.0}));
  EXPECT_EQ(plan->iterations, 25);
  EXPECT_EQ(plan->bandIters.front(), 1);
  EXPECT_EQ(plan->bandIters.back(), 25);
  // Run id = point * seeds + seed index; each scene carries its point's values and its seed, and the
  // seed redraws the data (the scene has a "generator" field).
  const core::Scene r9 = cli::runScene(*plan, 9);  // point 4, seed 1
  EXPECT_EQ(r9.optimizer.p, 2.0);
  EXPECT_EQ(r9.optimizer.lr, 0.5);
  EXPECT_EQ(r9.seed, 1u);
  EXPECT_EQ(r9.iterations, 25);
  const core::Scene r8 = cli::runScene(*plan, 8);  // point 4, seed 0
  EXPECT_NE(r8.sequences[0].tokens, r9.sequences[0].tokens);
  EXPECT_EQ(r8.sequences[0].tokens, cli::runScene(*plan, 0).sequences[0].tokens);

  // No --grid: the scene's "runs" array is the grid.
  const auto fromRuns = cli::planSweep(loaded.scene(), path, {}, {0, 1, 2}, std::nullopt, error);
  ASSERT_TRUE(fromRuns) << error;
  ASSERT_EQ(fromRuns->points.size(), 2u);
  EXPECT_EQ(fromRuns->points[1].name, "p = 3");
  EXPECT_EQ(fromRuns->pValues, (std::vector<double>{1.5, 3.0}));
  EXPECT_EQ(fromRuns->iterations, 40);
  // The id changes with anything that changes a run.
  const auto other = cli::planSweep(loaded.scene(), path, {}, {0, 1, 3}, std::nullopt, error);
  ASSERT_TRUE(other);
  EXPECT_NE(other->sweepId, fromRuns->sweepId);
  EXPECT_EQ(cli::planSweep(loaded.scene(), path, {}, {0, 1, 2}, std::nullopt, error)->sweepId,
            fromRuns->sweepId);
}

TEST(Sweep, TheFilesAreTheSameForAnyJobsAndForShardsMerged) {
  attnmd::testing::TempDir dir;
  const std::string scene = writeSmallScene(dir);
  const std::vector<std::string> common = {"sweep", scene, "--seeds", "6", "--iters", "60", "-q"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return sweepCli(args);
  };
  ASSERT_EQ(with({"--jobs", "1", "--out", dir.str("j1")}).code, 0);
  const SweepResult j2 = with({"--jobs", "2", "--out", dir.str("j2")});
  ASSERT_EQ(j2.code, 0) << j2.err;
  for (const std::string& f : kAllFiles) {
    ASSERT_TRUE(fs::exists(dir.path / "j1" / f)) << f;
    EXPECT_EQ(sweepFile(dir.path / "j1" / f), sweepFile(dir.path / "j2" / f)) << f;
  }
  const std::string runs = sweepFile(dir.path / "j1" / "runs.csv");
  EXPECT_EQ(lineCount(runs), 13u);  // header + 2 points x 6 seeds
  EXPECT_NE(runs.find("corr_svm_p=1.5,bregman_svm_p=1.5,corr_svm_p=3,bregman_svm_p=3"), std::string::npos);
  EXPECT_NE(sweepFile(dir.path / "j1" / "bregman.svg").find("<polygon"), std::string::npos);

  // Two shards (different job counts), merged: byte-identical to the unsharded sweep.
  ASSERT_EQ(with({"--shard", "1/2", "--jobs", "2", "--out", dir.str("s1")}).code, 0);
  ASSERT_EQ(with({"--shard", "2/2", "--jobs", "1", "--out", dir.str("s2")}).code, 0);
  EXPECT_FALSE(fs::exists(dir.path / "s1" / "summary.csv"));  // a shard alone is not summarized
  EXPECT_EQ(lineCount(sweepFile(dir.path / "s1" / "runs.csv")), 7u);
  const SweepResult merged =
      sweepCli({"sweep-merge", dir.str("s2"), dir.str("s1"), "--out", dir.str("m"), "-q"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  for (const std::string& f : kAllFiles)
    EXPECT_EQ(sweepFile(dir.path / "j1" / f), sweepFile(dir.path / "m" / f)) << f;

  // A missing shard, a repeated shard, and a shard of another sweep: exit 2, named.
  SweepResult r = sweepCli({"sweep-merge", dir.str("s1"), "--out", dir.str("bad")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
  r = sweepCli({"sweep-merge", dir.str("s1"), dir.str("s1"), dir.str("s2"), "--out", dir.str("bad")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is in both"), std::string::npos) << r.err;
  ASSERT_EQ(sweepCli({"sweep", scene, "--seeds", "6", "--iters", "61", "--shard", "2/2", "-q", "--out",
                      dir.str("other")})
                .code,
            0);
  r = sweepCli({"sweep-merge", dir.str("s1"), dir.str("other"), "--out", dir.str("bad")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("another sweep"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir.str("other")), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path / "bad" / "runs.csv"));
}

TEST(Sweep, BadInputExitsTwoNamingWhat) {
  attnmd::testing::TempDir dir;
  const std::string scene = writeSmallScene(dir);
  struct Case {
    std::vector<std::string> extra;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"--grid", "optimizer.foo=1,2"}, "optimizer.foo"},
      {{"--grid", "optimizer.p=abc"}, "optimizer.p"},
      {{"--grid", "optimizer.p=0.5,2"}, "optimizer.p"},
      {{"--grid", "optimizer.name=md,sgd"}, "optimizer.name"},
      {{"--grid", "optimizer.p="}, "empty"},
      {{"--grid", "seed=1,2"}, "--seeds"},
      {{"--shard", "3/2"}, "--shard"},
      {{"--seeds", "0"}, "--seeds"},
      {{"--seeds", "9..3"}, "--seeds"},
      {{"--iters", "-5"}, "--iters"},
      {{"--jobs", "-1"}, "--jobs"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"sweep", scene, "--iters", "5", "--out", dir.str("out")};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const SweepResult r = sweepCli(args);
    EXPECT_EQ(r.code, 2) << c.extra[1];
    EXPECT_NE(r.err.find(c.named), std::string::npos) << c.extra[1] << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path / "out" / "runs.csv"));  // nothing written for bad input
  const SweepResult missing = sweepCli({"sweep", dir.str("nope.json"), "--out", dir.str("out")});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos);
}

TEST(Sweep, AHundredSeedsOfASmallSceneInUnderASecondOrTwo) {
  attnmd::testing::TempDir dir;
  const std::string scene = writeSmallScene(dir, false);
  const SweepResult r = sweepCli({"sweep", scene, "--grid", "optimizer.p=1.5,3", "--seeds", "100", "--iters",
                                  "30", "--out", dir.str("s")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("swept 200 runs"), std::string::npos) << r.out;
  const std::string runs = sweepFile(dir.path / "s" / "runs.csv");
  EXPECT_EQ(lineCount(runs), 201u);
  // Rows in run-id order, with the grid column and the seed.
  std::istringstream lines(runs);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("run,point,name,optimizer.p,seed,status,iterations,loss,", 0), 0u) << line;
  for (int id = 0; id < 200; ++id) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line.rfind(std::to_string(id) + "," + std::to_string(id / 100) + ",", 0), 0u) << line;
  }
  // summary.csv: one row per grid point and metric, over the 100 seeds; corr is a correlation.
  const std::string summary = sweepFile(dir.path / "s" / "summary.csv");
  std::istringstream rows(summary);
  std::getline(rows, line);
  EXPECT_EQ(line, "point,name,optimizer.p,metric,runs,mean,std,min,max");
  int corrRows = 0;
  while (std::getline(rows, line)) {
    const std::vector<std::string> f = cli::splitCsvLine(line);
    if (f[3] != "corr") continue;
    ++corrRows;
    EXPECT_EQ(f[4], "100");
    const double mean = cli::parseCsvNumber(f[5]), lo = cli::parseCsvNumber(f[7]),
                 hi = cli::parseCsvNumber(f[8]);
    EXPECT_LE(lo, mean);
    EXPECT_LE(mean, hi);
    EXPECT_LE(hi, 1 + 1e-12);
  }
  EXPECT_EQ(corrRows, 2);
}

TEST(Sweep, OwnGeometryColumnsRepeatTheRunsMetrics) {
  attnmd::testing::TempDir dir;
  const std::string path = writeSmallScene(dir);
  core::SceneLoadResult loaded = core::loadScene(path);
  ASSERT_TRUE(loaded.ok());
  std::string error;
  const auto plan = cli::planSweep(loaded.scene(), path, {}, {3}, 200, error);
  ASSERT_TRUE(plan) << error;
  for (int id = 0; id < plan->runCount(); ++id) {
    bool interrupted = true;
    const cli::RunRecord r = cli::runOne(*plan, id, nullptr, interrupted);
    EXPECT_FALSE(interrupted);
    EXPECT_EQ(r.status, "ok");
    EXPECT_EQ(r.iterations, 200);
    ASSERT_EQ(r.crossCorr.size(), 2u);
    const std::size_t own = static_cast<std::size_t>(id);  // point 0: p = 1.5, point 1: p = 3
    EXPECT_EQ(r.crossCorr[own], r.corr);
    EXPECT_EQ(r.crossBregman[own], r.bregman);
    // The other geometry's SVM is a different direction, so its Bregman divergence is another number.
    EXPECT_TRUE(std::isfinite(r.crossBregman[1 - own]));
    EXPECT_GE(r.crossBregman[1 - own], 0);
    EXPECT_EQ(r.bandCorr.back(), r.corr);
    ASSERT_EQ(r.bandCorr.size(), plan->bandIters.size());
  }
}

// A sweep trains each run on one thread (RunOptions::threads = 1); on a scene large enough for the model
// to split its passes across threads (n T d above ~2.5e5), that gives bit for bit the same steps.
TEST(Sweep, OneThreadPerRunGivesTheSameStepsAsAllCores) {
  core::GeneratorOptions g;
  g.n = 4000;
  g.T = 8;
  g.d = 10;
  g.seed = 7;
  const auto scene = std::make_shared<const core::Scene>(core::generateScene("random", g));
  core::RunOptions one, all;
  one.history = all.history = false;
  one.svmMetrics = all.svmMetrics = false;
  one.threads = 1;
  all.threads = 0;
  core::Run a(scene, one), b(scene, all);
  ASSERT_EQ(a.step(3), 3);
  ASSERT_EQ(b.step(3), 3);
  EXPECT_EQ(a.params().W, b.params().W);
  EXPECT_EQ(a.loss(), b.loss());
}
