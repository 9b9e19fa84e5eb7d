// Run patches (core/run_patch.h): makeRunPatch then sceneForRun gives the run's scene back, data never
// goes into a patch, bad "runs" entries are skipped with their field paths, at most kMaxRuns are kept,
// and writeSceneRuns round-trips through a scene file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/run_patch.h"
#include "core/scene_io.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;

namespace {

Scene baseScene() {
  Scene s = attnmd::testing::paperScene(7, 3, 4, 3);
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = 3.0;
  s.extrasJson = R"({"view":{"zoom":2},"runs":[{"name":"a"}]})";
  return s;
}

// The scene as saved, without its runs (what a run's scene is compared on).
std::string withoutRuns(Scene s) {
  writeSceneRuns(s, {});
  return sceneToJson(s);
}

void expectRoundTrip(const Scene& base, const Scene& run, const char* what) {
  SCOPED_TRACE(what);
  RunPatch patch;
  patch.patchJson = makeRunPatch(base, run);
  const nlohmann::json j = nlohmann::json::parse(patch.patchJson);
  for (const char* data : {"dim", "sequences", "iterations", "view", "runs"})
    EXPECT_FALSE(j.contains(data)) << data;
  if (j.contains("model")) {
    EXPECT_FALSE(j["model"].contains("v"));
    EXPECT_FALSE(j["model"].contains("key_matrix"));
  }
  const SceneLoadResult r = sceneForRun(base, patch);
  ASSERT_TRUE(r.ok()) << r.error() << "\npatch " << patch.patchJson;
  EXPECT_EQ(sceneToJson(r.scene()), withoutRuns(run)) << "patch " << patch.patchJson;
}

}  // namespace

TEST(RunPatch, MakeRunPatchThenSceneForRunGivesTheRunSceneBack) {
  const Scene base = baseScene();
  Scene run = base;
  run.optimizer.name = OptimizerKind::Adam;  // adam writes beta1/beta2/eps; nmd's p stays
  run.optimizer.lr = 0.01;
  expectRoundTrip(base, run, "adam");
  EXPECT_EQ(nlohmann::json::parse(makeRunPatch(base, run))["optimizer"]["name"], "adam");
  expectRoundTrip(run, base, "back from adam (its extra fields become null)");

  run = base;
  run.model.kind = ModelKind::KQ;
  run.model.rank = 2;
  run.model.trainV = true;
  run.model.loss = LossKind::Exponential;
  run.seed = 99;
  run.init.kind = InitKind::Zeros;
  run.init.scale = 0.5;
  expectRoundTrip(base, run, "kq, rank 2, joint v, exponential loss, zeros, seed");
  expectRoundTrip(run, base, "and back");

  run = base;
  run.model.kind = ModelKind::Prompt;  // the prompt model has no "query" field: it becomes null
  run.init.kind = InitKind::Given;
  run.init.given.p = Eigen::Vector3d(0.5, -1, 2);
  expectRoundTrip(base, run, "prompt from a given p");
  expectRoundTrip(run, base, "and back");
}

TEST(RunPatch, EqualScenesAndDataChangesGiveAnEmptyPatch) {
  const Scene base = baseScene();
  EXPECT_EQ(makeRunPatch(base, base), "{}");
  Scene other = base;
  other.model.v = -other.model.v;
  other.sequences[0].y = -other.sequences[0].y;
  other.sequences.pop_back();
  other.iterations = 5;
  other.extrasJson = R"({"view":{"zoom":3}})";
  EXPECT_EQ(makeRunPatch(base, other), "{}");
}

TEST(RunPatch, ReadSceneRunsKeepsNameColourHiddenOutOfThePatch) {
  Scene s = baseScene();
  s.extrasJson = R"({"runs":[{"name":"p = 1.5","colour":"#0072B2","hidden":true,"optimizer":{"p":1.5}},{}]})";
  const SceneRuns r = readSceneRuns(s);
  EXPECT_TRUE(r.present);
  EXPECT_FALSE(r.invalid);
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_EQ(r.runs[0].name, "p = 1.5");
  EXPECT_EQ(r.runs[0].colour, "#0072B2");
  EXPECT_TRUE(r.runs[0].hidden);
  EXPECT_EQ(r.runs[0].patchJson, R"({"optimizer":{"p":1.5}})");
  EXPECT_EQ(r.runs[1].name, "");
  EXPECT_FALSE(r.runs[1].hidden);
  EXPECT_EQ(r.runs[1].patchJson, "{}");
  const SceneLoadResult scene = sceneForRun(s, r.runs[0]);
  ASSERT_TRUE(scene.ok()) << scene.error();
  EXPECT_EQ(scene.scene().optimizer.p, 1.5);
  EXPECT_EQ(scene.scene().extrasJson.find("runs"), std::string::npos) << "a run's scene has no runs";

  s.extrasJson = R"({"view":{}})";
  EXPECT_FALSE(readSceneRuns(s).present);
}

TEST(RunPatch, BadEntriesAreSkippedWithTheirFieldPaths) {
  Scene s = baseScene();
  s.extrasJson = R"({"runs":[3, {"name":5}, {"colour":"red"}, {"hidden":"yes"}, {"optimizer":{"p":0.5}},
                             {"model":{"kind":"kq","rank":9}}, {"name":"ok","optimizer":{"p":2.5}}]})";
  const SceneRuns r = readSceneRuns(s, "s.json");
  EXPECT_TRUE(r.invalid);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_EQ(r.runs[0].name, "ok");
  const std::vector<std::string> expected = {
      "s.json:runs[0]: expected an object (a merge patch over the scene)",
      "s.json:runs[1].name: expected a string",
      "s.json:runs[2].colour: expected a colour \"#rrggbb\", got \"red\"",
      "s.json:runs[3].hidden: expected true or false, got \"yes\"",
      "s.json:runs[4].optimizer.p: must be in (1, 20], got 0.5",
      "s.json:runs[5].model.rank: must be in [1, dim] = [1, 3], got 9",
  };
  EXPECT_EQ(r.warnings, expected);

  s.extrasJson = R"({"runs":[{"optimizer":{"lr":-1}}]})";
  const SceneRuns noWhere = readSceneRuns(s);
  ASSERT_EQ(noWhere.warnings.size(), 1u);
  EXPECT_EQ(noWhere.warnings[0].rfind("runs[0].optimizer.lr: ", 0), 0u) << noWhere.warnings[0];

  for (const char* runs : {R"({"runs":[]})", R"({"runs":{"optimizer":{}}})"}) {
    s.extrasJson = runs;
    const SceneRuns bad = readSceneRuns(s, "s.json");
    EXPECT_TRUE(bad.present && bad.invalid && bad.runs.empty()) << runs;
    EXPECT_EQ(bad.warnings,
              std::vector<std::string>{"s.json:runs: expected a non-empty array of run objects"});
  }
}

TEST(RunPatch, MoreThanEightRunsKeepTheFirstEight) {
  Scene s = baseScene();
  nlohmann::json runs = nlohmann::json::array();
  for (int k = 0; k < 10; ++k) runs.push_back({{"name", "run " + std::to_string(k)}, {"seed", k}});
  s.extrasJson = nlohmann::json{{"runs", runs}}.dump();
  const SceneRuns r = readSceneRuns(s);
  ASSERT_EQ(r.runs.size(), kMaxRuns);
  EXPECT_EQ(r.runs.back().name, "run 7");
  EXPECT_FALSE(r.invalid) << "over the limit is not an error";
  EXPECT_EQ(r.warnings, std::vector<std::string>{"runs: only the first 8 of 10 runs are used"});
  EXPECT_EQ(readSceneRuns(s, "", 100).runs.size(), 10u);
}

TEST(RunPatch, WriteSceneRunsRoundTripsThroughASceneFile) {
  Scene s = baseScene();
  Scene adam = s;
  adam.optimizer.name = OptimizerKind::Adam;
  adam.optimizer.lr = 0.01;
  std::vector<RunPatch> runs(2);
  runs[0].name = "nmd";
  runs[1].name = "adam";
  runs[1].colour = "#e69f00";
  runs[1].hidden = true;
  runs[1].patchJson = makeRunPatch(s, adam);
  writeSceneRuns(s, runs);

  const SceneLoadResult loaded = parseScene(sceneToJson(s));
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const SceneRuns back = readSceneRuns(loaded.scene());
  EXPECT_TRUE(back.warnings.empty());
  ASSERT_EQ(back.runs.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(back.runs[k].name, runs[k].name);
    EXPECT_EQ(back.runs[k].colour, runs[k].colour);
    EXPECT_EQ(back.runs[k].hidden, runs[k].hidden);
    EXPECT_EQ(nlohmann::json::parse(back.runs[k].patchJson), nlohmann::json::parse(runs[k].patchJson));
  }
  const SceneLoadResult adamBack = sceneForRun(loaded.scene(), back.runs[1]);
  ASSERT_TRUE(adamBack.ok()) << adamBack.error();
  EXPECT_EQ(sceneToJson(adamBack.scene()), withoutRuns(adam));

  writeSceneRuns(s, {});
  EXPECT_EQ(s.extrasJson, R"({"view":{"zoom":2}})") << "other extras stay";
  Scene bare = baseScene();
  bare.extrasJson = R"({"runs":[{}]})";
  writeSceneRuns(bare, {});
  EXPECT_EQ(bare.extrasJson, "");
}
