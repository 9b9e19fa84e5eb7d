// The runs strip's state functions: explicit runs, duplicate with the next p, the one-click sets, and
// what the strip shows across runs (disagreeing sequences) on a synchronous Lab.
#include "app/state/run_presets.h"
#include "tests/support/scenes.h"

#include <gtest/gtest.h>

#include <cmath>

namespace attnmd::gui {
namespace {

using ::attnmd::testing::teachingScene;

// tests/ui/test_app.cpp's teaching scene: prompt model, d = 2, four sequences of three tokens.
// A run patch that starts the prompt model at p(0) = p0 (so its selection at step 0 is known).
core::RunPatch givenStart(const Document& doc, Eigen::Vector2d p0, std::string name) {
  core::Scene s = doc.scene();
  s.init.kind = core::InitKind::Given;
  s.init.given.p = p0;
  core::RunPatch r;
  r.name = std::move(name);
  r.patchJson = core::makeRunPatch(doc.scene(), s);
  return r;
}

TEST(RunPresets, MaterializedRunsMakeTheImplicitRunExplicit) {
  Document doc(DocState{teachingScene(), {}, {}});
  const auto runs = materializedRuns(doc);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, doc.runInfo(0).name);
  EXPECT_EQ(runs[0].colour, "");
  EXPECT_EQ(runs[0].patchJson, "{}");
  ASSERT_EQ(doc.apply(cmd::SetRuns{runs, "explicit"}), "");
  EXPECT_EQ(materializedRuns(doc).size(), 1u);
}

TEST(RunPresets, DuplicateCyclesP) {
  Document doc(DocState{teachingScene(), {}, {}});  // nmd, p = 2
  auto runs = materializedRuns(doc);
  const double want[] = {3.0, 1.1, 2.0, 3.0};
  for (int k = 0; k < 4; ++k) {
    doc.view().selectedRun = static_cast<int>(runs.size()) - 1;
    runs.push_back(duplicateWithNextP(doc, doc.view().selectedRun));
    ASSERT_EQ(doc.apply(cmd::SetRuns{runs, "add"}), "");
    const int last = doc.runCount() - 1;
    ASSERT_TRUE(doc.runScene(last)) << doc.runError(last);
    EXPECT_EQ(doc.runScene(last)->optimizer.name, core::OptimizerKind::NMD);
    EXPECT_DOUBLE_EQ(doc.runScene(last)->optimizer.p, want[k]);
    EXPECT_EQ(doc.runInfo(last).name, "nmd, p = " + core::formatDouble(want[k]));
    EXPECT_EQ(runs.back().colour, "");
  }
  EXPECT_EQ(nextP(1.5), 2.0);
  EXPECT_EQ(nextP(5.0), 1.1);
}

TEST(RunPresets, DuplicateSwitchesOtherOptimizersToNmd) {
  core::Scene s = teachingScene();
  s.optimizer.name = core::OptimizerKind::Adam;
  s.optimizer.lr = 0.01;
  Document doc(DocState{s, {}, {}});
  auto runs = materializedRuns(doc);
  runs.push_back(duplicateWithNextP(doc, 0));
  ASSERT_EQ(doc.apply(cmd::SetRuns{runs, "add"}), "");
  ASSERT_TRUE(doc.runScene(1));
  EXPECT_EQ(doc.runScene(1)->optimizer.name, core::OptimizerKind::NMD);
  EXPECT_DOUBLE_EQ(doc.runScene(1)->optimizer.p, nextP(s.optimizer.p));
  EXPECT_EQ(doc.runScene(1)->optimizer.lr, 0.01);  // the rest of the run's settings are kept
}

TEST(RunPresets, PresetsGiveValidRunsWithTheirOptimizers) {
  core::Scene s = teachingScene();
  s.optimizer.name = core::OptimizerKind::MD;
  s.seed = 7;
  Document doc(DocState{s, {}, {}});
  using K = core::OptimizerKind;
  struct Want {
    RunPreset preset;
    std::vector<K> kinds;
    std::vector<double> ps;  // md/nmd only
  };
  const Want wants[] = {{RunPreset::P_1_1_2_3, {K::MD, K::MD, K::MD}, {1.1, 2.0, 3.0}},
                        {RunPreset::GD_NGD_Polyak, {K::GD, K::NGD, K::Polyak}, {}},
                        {RunPreset::MD_Adam, {K::MD, K::Adam}, {1.1}}};
  for (const Want& w : wants) {
    SCOPED_TRACE(core::enumLabel(w.preset));
    Document d(DocState{s, {}, {}});
    ASSERT_EQ(d.apply(cmd::SetRuns{presetRuns(d, w.preset), core::enumLabel(w.preset)}), "");
    ASSERT_EQ(d.runCount(), static_cast<int>(w.kinds.size()));
    for (int i = 0; i < d.runCount(); ++i) {
      ASSERT_TRUE(d.runScene(i)) << d.runError(i);
      const core::Scene& r = *d.runScene(i);
      EXPECT_EQ(r.optimizer.name, w.kinds[static_cast<std::size_t>(i)]);
      if (static_cast<std::size_t>(i) < w.ps.size()) {
        EXPECT_DOUBLE_EQ(r.optimizer.p, w.ps[static_cast<std::size_t>(i)]);
      }
      EXPECT_EQ(r.seed, 7u);  // over the selected run's settings
      EXPECT_TRUE(r.sequences.size() == s.sequences.size());
    }
    EXPECT_EQ(d.undoDepth(), 1u);  // one entry
  }
  // Adam takes its usual step when the md step (0.1) would not suit it.
  Document d(DocState{s, {}, {}});
  ASSERT_EQ(d.apply(cmd::SetRuns{presetRuns(d, RunPreset::MD_Adam)}), "");
  EXPECT_EQ(d.runScene(1)->optimizer.lr, 0.01);
  EXPECT_EQ(d.runScene(0)->optimizer.lr, 0.1);
}

TEST(RunPresets, PValuesFollowTheSelectedRunsOptimizer) {
  Document doc(DocState{teachingScene(), {}, {}});
  auto runs = materializedRuns(doc);
  core::Scene gd = doc.scene();
  gd.optimizer.name = core::OptimizerKind::GD;
  runs.push_back({"gd", "", false, core::makeRunPatch(doc.scene(), gd)});
  ASSERT_EQ(doc.apply(cmd::SetRuns{runs}), "");
  doc.view().selectedRun = 1;  // gd: the p set falls back to nmd
  ASSERT_EQ(doc.apply(cmd::SetRuns{presetRuns(doc, RunPreset::P_1_1_2_3)}), "");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(doc.runScene(i)->optimizer.name, core::OptimizerKind::NMD);
}

TEST(RunPresets, DisagreementIsFoundAmongVisibleRunsOnly) {
  Document doc(DocState{teachingScene(), {}, {}});
  // p(0) = (1, 0) selects the token with the largest x_1 in every sequence, (-1, 0) the smallest.
  std::vector<core::RunPatch> runs = {givenStart(doc, {1, 0}, "right"), givenStart(doc, {-1, 0}, "left")};
  ASSERT_EQ(doc.apply(cmd::SetRuns{runs}), "");
  Lab lab(TrainerMode::Synchronous);
  lab.sync(doc);
  lab.waitIdle(0);
  lab.refresh(doc, "");
  ASSERT_EQ(lab.run(0).shown->selected, (std::vector<int>{0, 0, 0, 0}));
  ASSERT_EQ(lab.run(1).shown->selected, (std::vector<int>{2, 2, 2, 1}));
  EXPECT_EQ(disagreeingSequences(lab, doc), (std::vector<int>{0, 1, 2, 3}));

  const auto sum = summarizeRuns(lab, doc);
  ASSERT_EQ(sum.size(), 2u);
  EXPECT_EQ(sum[0].name, "right");
  EXPECT_EQ(sum[1].colour, defaultRunColour(1));
  EXPECT_EQ(sum[0].step, 0);
  EXPECT_EQ(sum[1].selected, lab.run(1).shown->selected);
  EXPECT_TRUE(sum[0].error.empty());

  // Hiding one leaves a single visible run: nothing to disagree with.
  runs[1].hidden = true;
  ASSERT_EQ(doc.apply(cmd::SetRuns{runs}), "");
  lab.sync(doc);
  lab.refresh(doc, "");
  EXPECT_TRUE(disagreeingSequences(lab, doc).empty());
  EXPECT_TRUE(summarizeRuns(lab, doc)[1].hidden);
}

TEST(RunPresets, NoDisagreementWhenRunsAgree) {
  Document doc(DocState{teachingScene(), {}, {}});
  ASSERT_EQ(doc.apply(cmd::SetRuns{presetRuns(doc, RunPreset::P_1_1_2_3)}), "");
  Lab lab(TrainerMode::Synchronous);
  lab.sync(doc);
  lab.waitIdle(0);
  lab.refresh(doc, "");
  // Zero init: every run starts at the same uniform attention, so the same selection.
  EXPECT_TRUE(disagreeingSequences(lab, doc).empty());
  // Stepped on, nmd with any p separates this data the same way.
  lab.requestSteps(200);
  lab.waitIdle(0);
  lab.refresh(doc, "");
  for (int i = 0; i < lab.runCount(); ++i) EXPECT_EQ(lab.run(i).shown->iteration, 200);
  EXPECT_TRUE(disagreeingSequences(lab, doc).empty()) << "selections: " << lab.run(0).shown->selected.size();
}

}  // namespace
}  // namespace attnmd::gui
