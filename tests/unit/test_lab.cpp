// The state layer headless and deterministic: a synchronous Lab trains every run of a document side by
// side, each exactly as a core::Run of its own scene would; the timeline's cursor shows every run at
// step k bit for bit; data edits restart every run, experiment edits only the selected one; a run with a
// bad field is refused in words and loses nothing; "continue from here" and its undo.
#include "app/state/lab.h"

#include <gtest/gtest.h>

#include "app/state/doc_extras.h"
#include "app/state/run_presets.h"
#include "core/run_patch.h"
#include "core/scene_io.h"
#include "core/svm.h"
#include "tests/support/scenes.h"

namespace attnmd::gui {
namespace {

// The papers' max-margin toy (prompt model, d = 2), trained with normalized mirror descent.
core::Scene toyScene() {
  core::Scene s = testing::maxMarginToy(false);
  s.optimizer.name = core::OptimizerKind::NMD;
  s.optimizer.lr = 0.1;
  return s;
}

// What core::Run gives for run i of `doc` after k steps: the reference every Lab view must equal.
core::Params referenceParams(const Document& doc, int i, long long k) {
  core::Run run(*doc.runScene(i));
  run.step(k);
  return run.params();
}

void expectSameParams(const core::Params& a, const core::Params& b) {
  // Bit-identical: the same floating-point operations in the same order.
  ASSERT_EQ(a.p.size(), b.p.size());
  ASSERT_EQ(a.W.size(), b.W.size());
  ASSERT_EQ(a.v.size(), b.v.size());
  EXPECT_TRUE((a.p.array() == b.p.array()).all()) << a.p.transpose() << " vs " << b.p.transpose();
  EXPECT_TRUE((a.W.array() == b.W.array()).all());
  EXPECT_TRUE((a.v.array() == b.v.array()).all());
}

struct LabFixture : ::testing::Test {
  Document doc{DocState{toyScene(), {}, {}}};
  Lab lab{TrainerMode::Synchronous};

  // One frame of the app without a screen: follow the document, do the queued work, take the views.
  void frame() {
    lab.sync(doc);
    lab.pump();
    lab.refresh(doc, "");
  }
  void train(long long k) {
    lab.requestSteps(k);
    for (int guard = 0; guard < 1000 && lab.busy(); ++guard) lab.pump();
    frame();
  }
  void threeRuns() {
    ASSERT_EQ(doc.apply(cmd::SetRuns{presetRuns(doc, RunPreset::P_1_1_2_3), "compare p"}), "");
    frame();
    ASSERT_EQ(lab.runCount(), 3);
  }
};

TEST_F(LabFixture, EveryRunTrainsAsItsOwnCoreRunWould) {
  threeRuns();
  train(300);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(lab.run(i).shown);
    EXPECT_EQ(lab.run(i).shown->iteration, 300);
    EXPECT_FALSE(lab.run(i).shown->replayed);
    expectSameParams(lab.run(i).shown->params, referenceParams(doc, i, 300));
  }
  // Different p, different directions: the runs really are different experiments.
  EXPECT_GT((lab.run(0).shown->params.p.normalized() - lab.run(2).shown->params.p.normalized()).norm(), 1e-3);
  EXPECT_EQ(lab.furthestStep(), 300);
}

TEST_F(LabFixture, EachRunShowsItsOwnSvm) {
  threeRuns();
  train(200);
  ASSERT_TRUE(lab.waitIdle(5));
  frame();
  // Each run's overlay carries the SVM of its own p: l_1.1, l_2 and l_3 max-margin directions differ.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(lab.run(i).overlay().svmOk) << i << ": " << lab.run(i).overlay().svmMessage;
  const Eigen::VectorXd a = lab.run(0).overlay().svmRay.normalized(),
                        c = lab.run(2).overlay().svmRay.normalized();
  EXPECT_GT((a - c).norm(), 1e-3);
  // And each is the l_p SVM that core solves for that run's scene and selection.
  for (int i = 0; i < 3; ++i) {
    const auto& snap = *lab.run(i).shown;
    ASSERT_TRUE(snap.selectedSvm);
    EXPECT_LT((lab.run(i).overlay().svmRay.normalized() - snap.selectedSvm->direction.p.normalized()).norm(),
              1e-9)
        << i;
  }
}

TEST_F(LabFixture, TheCursorShowsEveryRunAtThatStepBitForBit) {
  threeRuns();
  train(400);
  for (long long k : {0LL, 1LL, 37LL, 250LL, 400LL}) {
    SCOPED_TRACE(k);
    EXPECT_EQ(lab.setCursor(k), k);
    frame();
    ASSERT_TRUE(lab.cursorSettled());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(lab.run(i).shown);
      EXPECT_EQ(lab.run(i).shown->iteration, k);
      EXPECT_EQ(lab.run(i).shown->trainedSteps, 400);
      expectSameParams(lab.run(i).shown->params, referenceParams(doc, i, k));
    }
  }
  // Past the end clamps; nullopt follows the live runs again.
  EXPECT_EQ(lab.setCursor(10'000), 400);
  lab.setCursor(std::nullopt);
  frame();
  EXPECT_EQ(lab.run(1).shown->iteration, 400);
  EXPECT_FALSE(lab.run(1).shown->replayed);
}

TEST_F(LabFixture, DataEditsRestartEveryRunExperimentEditsOnlyTheirRun) {
  threeRuns();
  train(50);
  // An experiment edit of run 1 (its step size): run 1 restarts, runs 0 and 2 keep their steps.
  core::OptimizerSpec o = doc.runScene(1)->optimizer;
  o.lr = 0.05;
  ASSERT_EQ(doc.apply(cmd::SetOptimizer{o, 1}), "");
  frame();
  EXPECT_EQ(lab.run(0).shown->iteration, 50);
  EXPECT_EQ(lab.run(1).shown->iteration, 0);
  EXPECT_EQ(lab.run(2).shown->iteration, 50);
  EXPECT_DOUBLE_EQ(lab.run(1).scene->optimizer.lr, 0.05);
  EXPECT_DOUBLE_EQ(lab.run(0).scene->optimizer.lr, 0.1);

  // A data edit (move a token): every run restarts from the edited data.
  train(20);
  Eigen::VectorXd x = doc.scene().sequences[0].tokens.row(1).transpose();
  x(0) += 0.25;
  ASSERT_EQ(doc.apply(cmd::MoveToken{0, 1, x}), "");
  frame();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lab.run(i).shown->iteration, 0) << i;
    EXPECT_DOUBLE_EQ(lab.run(i).scene->sequences[0].tokens(1, 0), x(0)) << i;
  }
  // Undo brings the old data back to every run, and undoing the runs edit drops runs 1 and 2.
  ASSERT_TRUE(doc.undo());
  ASSERT_TRUE(doc.undo());
  ASSERT_TRUE(doc.undo());
  frame();
  EXPECT_EQ(lab.runCount(), 1);
  EXPECT_TRUE(doc.state().runs.empty());
}

TEST_F(LabFixture, ARunWithABadFieldIsRefusedInWordsAndNothingIsLost) {
  threeRuns();
  train(30);
  std::vector<core::RunPatch> runs = doc.state().runs;
  core::RunPatch bad;
  bad.name = "bad p";
  bad.patchJson = R"({"optimizer": {"name": "nmd", "p": 0.5}})";
  runs.push_back(bad);
  const std::size_t depth = doc.undoDepth();
  const std::string message = doc.apply(cmd::SetRuns{runs, "add a bad run"});
  EXPECT_EQ(message.rfind("runs[3].optimizer.p: ", 0), 0u) << message;
  frame();
  EXPECT_EQ(doc.runCount(), 3);
  EXPECT_EQ(doc.undoDepth(), depth);
  ASSERT_EQ(lab.runCount(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(lab.run(i).shown->iteration, 30) << "no run restarted";
}

TEST_F(LabFixture, ContinueFromHereDropsTheLaterStepsAndUndoTrainsThemAgain) {
  threeRuns();
  train(120);
  lab.setCursor(40);
  frame();
  ASSERT_TRUE(lab.cursorSettled());
  lab.continueFromHere(2, doc);
  frame();
  // Run 2 now ends at step 40 (its live state is step 40 exactly); the others keep their steps; the
  // timeline stays at 40 until Play or Live.
  EXPECT_EQ(lab.cursor(), 40);
  EXPECT_EQ(lab.run(2).live->trainedSteps, 40);
  EXPECT_EQ(lab.run(2).live->iteration, 40);
  EXPECT_EQ(lab.run(0).live->trainedSteps, 120) << "the other runs keep their steps";
  expectSameParams(lab.run(2).live->params, referenceParams(doc, 2, 40));
  // Training on from there gives the same steps as a run that never went back (it is deterministic).
  train(10);
  EXPECT_FALSE(lab.cursor());
  EXPECT_EQ(lab.run(2).shown->iteration, 50);
  EXPECT_EQ(lab.run(0).shown->iteration, 130);
  expectSameParams(lab.run(2).shown->params, referenceParams(doc, 2, 50));
  ASSERT_TRUE(lab.canUndoRewind(doc));
  lab.undoRewind();
  for (int guard = 0; guard < 1000 && lab.busy(); ++guard) lab.pump();
  frame();
  EXPECT_EQ(lab.run(2).shown->iteration, 120);
  expectSameParams(lab.run(2).shown->params, referenceParams(doc, 2, 120));
  EXPECT_FALSE(lab.canUndoRewind(doc));
}

// restart() shows step 0 at once without solving anything on the calling (UI) thread; the run itself,
// whose step-0 metrics need the SVM, is built where the training happens (here: pump()).
TEST(TrainerRestart, StepZeroAtOnceTheSvmOnlyWhereTheRunTrains) {
  Trainer trainer(TrainerMode::Synchronous);
  auto scene = std::make_shared<const core::Scene>(toyScene());
  trainer.restart(scene);
  auto first = trainer.snapshot();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->iteration, 0);
  EXPECT_FALSE(first->selectedSvm) << "nothing solved on the calling thread";
  EXPECT_EQ(first->selected, core::Run(*scene).selectedTokens());
  trainer.pump();
  auto built = trainer.snapshot();
  ASSERT_NE(built, first);
  EXPECT_EQ(built->iteration, 0);
  ASSERT_TRUE(built->selectedSvm);
  EXPECT_EQ(built->selectedSvm->solution.status, core::SvmStatus::Optimal);
  EXPECT_EQ(built->selectedSvm->tokens, built->selected);
}

// A stray edit in front of a class (a token added by mistake after 1,000 steps): Ctrl+Z brings back the
// data and the trained run as it was, step, parameters and history, and it trains on exactly as if
// nothing had happened. Redo and undo again swap the two runs.
TEST_F(LabFixture, UndoingAnEditBringsBackTheTrainedRunAsItWas) {
  frame();
  train(1000);
  ASSERT_EQ(lab.run(0).shown->iteration, 1000);
  const core::Params trained = lab.run(0).shown->params;
  const std::size_t historyRows = lab.run(0).shown->history->size();
  ASSERT_EQ(doc.apply(cmd::AddToken{0, Eigen::Vector3d(3.0, -2.0, 0.0), -1}), "");
  frame();
  EXPECT_EQ(lab.run(0).shown->iteration, 0) << "the edited data trains from the start";
  train(30);
  ASSERT_TRUE(doc.undo());
  frame();
  ASSERT_EQ(lab.run(0).shown->iteration, 1000) << "undo restores the trained run, not a restart";
  expectSameParams(lab.run(0).shown->params, trained);
  EXPECT_EQ(lab.run(0).shown->history->size(), historyRows);
  EXPECT_EQ(lab.furthestStep(), 1000) << "the timeline reaches back over the whole run";
  train(100);
  expectSameParams(lab.run(0).shown->params, referenceParams(doc, 0, 1100));
  ASSERT_TRUE(doc.redo());
  frame();
  EXPECT_EQ(lab.run(0).shown->iteration, 30) << "redo brings back the edited data's run as well";
  ASSERT_TRUE(doc.undo());
  frame();
  EXPECT_EQ(lab.run(0).shown->iteration, 1100);
}

// Only what undo can reach is kept: a new document (restartAll) forgets the runs kept aside.
TEST_F(LabFixture, ANewDocumentForgetsTheRunsKeptForUndo) {
  frame();
  train(200);
  ASSERT_EQ(doc.apply(cmd::AddToken{0, Eigen::Vector3d(3.0, -2.0, 0.0), -1}), "");
  frame();
  doc.reset(DocState{toyScene(), {}, {}});
  lab.restartAll(doc);
  frame();
  EXPECT_EQ(lab.run(0).shown->iteration, 0) << "the same data as a new document starts at step 0";
}

// A preset with zero init opens at a tie: every token has the same attention, so nothing is selected
// yet, and the SVM of the first-index "selection" is infeasible. That is no error: the theory shows the
// optimal tokens' SVM instead (or, where that one is infeasible too, no SVM and no error) and follows
// the selection once the attention picks.
struct AtATie {
  Document doc;
  Lab lab{TrainerMode::Synchronous};
  explicit AtATie(core::Scene s) : doc(documentFromScene(std::move(s)).state) {
    lab.sync(doc);
    lab.pump();
    lab.refresh(doc, "");
  }
  void train(long long k) {
    lab.requestSteps(k);
    for (int guard = 0; guard < 100 && lab.busy(); ++guard) lab.pump();
    lab.refresh(doc, "");
  }
  bool firstIndexSvmInfeasible() const {
    const TrainSnapshot& start = *lab.run(0).shown;
    return core::solveAttentionSvm(*doc.runScene(0), start.selected, core::SvmNorm::Lp,
                                   doc.scene().optimizer.p)
               .solution.status != core::SvmStatus::Optimal;
  }
};

TEST(LiveTheoryAtATie, ShowsTheOptimalTokensSvmUntilTheAttentionPicks) {
  core::Scene s = toyScene();
  s.sequences[0] = testing::seq(1, {{1, 0, 0.9}, {0, 0, 0.5}, {-0.1, 1, 1}});  // optimal: token 2
  s.init.kind = core::InitKind::Zeros;
  AtATie t(s);
  ASSERT_EQ(t.lab.run(0).shown->iteration, 0);
  const CanvasOverlay& ov = t.lab.run(0).overlay();
  EXPECT_EQ(ov.tiedSequences, s.sequenceCount());
  EXPECT_TRUE(ov.svmOk) << ov.svmMessage;
  EXPECT_EQ(ov.svmTokens, std::vector<int>{2}) << "the optimal token, not the first index";
  t.train(50);
  EXPECT_EQ(t.lab.run(0).overlay().tiedSequences, 0) << "the attention has picked";
  EXPECT_EQ(t.lab.run(0).overlay().svmTokens, t.lab.run(0).shown->selected);
}

TEST(LiveTheoryAtATie, ThePresetClustersOpensWithoutAnError) {
  const core::SceneLoadResult loaded =
      core::loadScene(std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes/clusters-2d.json");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  AtATie t(loaded.scene());
  ASSERT_TRUE(t.firstIndexSvmInfeasible()) << "what the app showed as \"SVM: infeasible\"";
  const CanvasOverlay& ov = t.lab.run(0).overlay();
  EXPECT_EQ(ov.tiedSequences, t.doc.scene().sequenceCount());
  EXPECT_EQ(ov.svmMessage, "") << "a tie is not an error";
  t.train(200);
  EXPECT_EQ(t.lab.run(0).overlay().tiedSequences, 0);
  EXPECT_TRUE(t.lab.run(0).overlay().svmOk) << t.lab.run(0).overlay().svmMessage;
}

}  // namespace
}  // namespace attnmd::gui
