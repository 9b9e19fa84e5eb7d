// The document model: commands validate and apply completely or not at all, gestures are one undo
// entry, undo/redo walk the log exactly, revisions tell the trainer what changed.
#include <gtest/gtest.h>

#include <random>

#include "app/state/document.h"

namespace attnmd::gui {
namespace {

core::Scene smallScene() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(0, 1);
  for (int i = 0; i < 3; ++i) {
    core::Sequence q;
    q.y = i % 2 ? -1 : 1;
    q.tokens.resize(3, 2);
    q.tokens << 1.0 + i, 0.5, -0.5, 1.0 * i, 0.25, -1.0;
    s.sequences.push_back(q);
  }
  return s;
}

Document makeDoc() {
  return Document(DocState{smallScene(), {}});
}

TEST(Document, AddMoveDeleteTokenAndUndoRedo) {
  Document doc = makeDoc();
  const core::Scene original = doc.scene();
  EXPECT_FALSE(doc.modified());
  ASSERT_EQ(doc.apply(cmd::AddToken{1, Eigen::Vector2d(3, 4), -1}), "");
  ASSERT_EQ(doc.scene().sequences[1].tokens.rows(), 4);
  EXPECT_EQ(doc.scene().sequences[1].tokens.row(3), Eigen::RowVector2d(3, 4));
  ASSERT_EQ(doc.apply(cmd::MoveToken{1, 3, Eigen::Vector2d(-1, 2)}), "");
  ASSERT_EQ(doc.apply(cmd::DeleteToken{0, 0}), "");
  EXPECT_EQ(doc.undoDepth(), 3u);
  EXPECT_TRUE(doc.modified());
  EXPECT_EQ(doc.undoName(), "delete token 0 of sequence 0");

  ASSERT_TRUE(doc.undo());
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.scene().sequences[1].tokens.row(3), Eigen::RowVector2d(3, 4));
  ASSERT_TRUE(doc.undo());
  EXPECT_TRUE(sameScene(doc.scene(), original));
  EXPECT_FALSE(doc.modified()) << "undoing back to the saved state is not a modification";
  EXPECT_FALSE(doc.undo());

  ASSERT_TRUE(doc.redo());
  ASSERT_TRUE(doc.redo());
  EXPECT_EQ(doc.scene().sequences[1].tokens.row(3), Eigen::RowVector2d(-1, 2));
  // A new command clears the redo branch.
  ASSERT_EQ(doc.apply(cmd::SetLabel{2, -1}), "");
  EXPECT_FALSE(doc.canRedo());
}

TEST(Document, RefusedCommandsLeaveNoTrace) {
  Document doc = makeDoc();
  const auto rev = doc.revision();
  core::Sequence two;
  two.tokens = Eigen::MatrixXd::Ones(2, 2);
  ASSERT_EQ(doc.apply(cmd::AddSequence{two, -1}), "");
  const int last = doc.scene().sequenceCount() - 1;
  const std::size_t depth = doc.undoDepth();
  const auto sceneNow = doc.scene();
  EXPECT_NE(doc.apply(cmd::DeleteToken{last, 0}), "") << "T >= 2 (docs/theory.md §1)";
  EXPECT_NE(doc.apply(cmd::MoveToken{0, 7, Eigen::Vector2d(0, 0)}), "");
  EXPECT_NE(doc.apply(cmd::MoveToken{0, 0, Eigen::Vector3d(0, 0, 0)}), "") << "wrong dimension";
  EXPECT_NE(doc.apply(cmd::MoveToken{0, 0, Eigen::Vector2d(NAN, 0)}), "");
  EXPECT_NE(doc.apply(cmd::SetLabel{0, 0}), "");
  EXPECT_NE(doc.apply(cmd::SetV{Eigen::VectorXd::Zero(3)}), "");
  core::OptimizerSpec bad;
  bad.lr = -1;
  EXPECT_NE(doc.apply(cmd::SetOptimizer{bad}), "");
  EXPECT_EQ(doc.undoDepth(), depth);
  EXPECT_TRUE(sameScene(doc.scene(), sceneNow));
  EXPECT_GT(doc.revision(), rev);
  // Removing sequences down to one is fine, the last one stays.
  while (doc.scene().sequenceCount() > 1) ASSERT_EQ(doc.apply(cmd::RemoveSequence{0}), "");
  EXPECT_NE(doc.apply(cmd::RemoveSequence{0}), "");
}

TEST(Document, GestureIsOneUndoEntry) {
  Document doc = makeDoc();
  const Eigen::RowVector2d start = doc.scene().sequences[0].tokens.row(1);
  doc.beginGesture("move token 1 of sequence 0");
  for (int k = 1; k <= 30; ++k)
    ASSERT_EQ(doc.update(cmd::MoveToken{0, 1, Eigen::Vector2d(0.1 * k, -0.05 * k)}), "");
  EXPECT_TRUE(doc.inGesture());
  EXPECT_FALSE(doc.canUndo()) << "no undo in the middle of a drag";
  doc.endGesture();
  EXPECT_EQ(doc.undoDepth(), 1u);
  EXPECT_EQ(doc.scene().sequences[0].tokens.row(1), Eigen::RowVector2d(3.0, -1.5));
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.scene().sequences[0].tokens.row(1), start);
  ASSERT_TRUE(doc.redo());
  EXPECT_EQ(doc.scene().sequences[0].tokens.row(1), Eigen::RowVector2d(3.0, -1.5));
}

TEST(Document, GestureWithoutChangeAddsNothingAndCancelRestores) {
  Document doc = makeDoc();
  const Eigen::RowVector2d start = doc.scene().sequences[2].tokens.row(0);
  doc.beginGesture("move");
  doc.update(cmd::MoveToken{2, 0, Eigen::Vector2d(9, 9)});
  doc.update(cmd::MoveToken{2, 0, start.transpose()});
  doc.endGesture();
  EXPECT_EQ(doc.undoDepth(), 0u);
  EXPECT_FALSE(doc.modified());

  doc.beginGesture("move");
  doc.update(cmd::MoveToken{2, 0, Eigen::Vector2d(5, 5)});
  const auto sceneRev = doc.sceneRevision();
  doc.cancelGesture();
  EXPECT_EQ(doc.scene().sequences[2].tokens.row(0), start);
  EXPECT_GT(doc.sceneRevision(), sceneRev);
  EXPECT_EQ(doc.undoDepth(), 0u);
  EXPECT_FALSE(doc.modified());
}

TEST(Document, SceneRevisionOnlyMovesForSceneEdits) {
  Document doc = makeDoc();
  const auto sceneRev = doc.sceneRevision();
  const auto rev = doc.revision();
  Experiment e = doc.experiment();
  e.stop.atLoss = true;
  ASSERT_EQ(doc.apply(cmd::SetExperiment{e}), "");
  EXPECT_EQ(doc.sceneRevision(), sceneRev) << "stop conditions do not restart training";
  EXPECT_GT(doc.revision(), rev);
  ASSERT_EQ(doc.apply(cmd::SetV{Eigen::Vector2d(1, 0)}), "");
  EXPECT_GT(doc.sceneRevision(), sceneRev);
  // Applying the same value again changes nothing and logs nothing.
  const auto depth = doc.undoDepth();
  const auto rev2 = doc.revision();
  ASSERT_EQ(doc.apply(cmd::SetV{Eigen::Vector2d(1, 0)}), "");
  EXPECT_EQ(doc.undoDepth(), depth);
  EXPECT_EQ(doc.revision(), rev2);
}

TEST(Document, PickedTokensFollowTokenAndSequenceEdits) {
  Document doc = makeDoc();
  ASSERT_EQ(doc.apply(cmd::PickSvmToken{1, 2}), "");
  EXPECT_EQ(doc.experiment().svmTokens, SvmTokens::Picked);
  ASSERT_EQ(doc.experiment().pickedTokens.size(), 3u);
  ASSERT_EQ(doc.apply(cmd::AddToken{1, Eigen::Vector2d(0, 0), 0}), "");  // inserted before the pick
  EXPECT_EQ(doc.experiment().pickedTokens[1], 3);
  ASSERT_EQ(doc.apply(cmd::DeleteToken{1, 0}), "");
  EXPECT_EQ(doc.experiment().pickedTokens[1], 2);
  ASSERT_EQ(doc.apply(cmd::DeleteToken{1, 2}), "");  // the picked token itself
  EXPECT_EQ(doc.experiment().pickedTokens[1], -1);
  ASSERT_EQ(doc.apply(cmd::PickSvmToken{2, 1}), "");
  ASSERT_EQ(doc.apply(cmd::RemoveSequence{0}), "");
  ASSERT_EQ(doc.experiment().pickedTokens.size(), 2u);
  EXPECT_EQ(doc.experiment().pickedTokens[1], 1);
  ASSERT_EQ(doc.apply(cmd::DuplicateSequence{1, Eigen::Vector2d(1, 1)}), "");
  ASSERT_EQ(doc.scene().sequenceCount(), 3);
  EXPECT_EQ(doc.scene().sequences[2].tokens.row(0),
            doc.scene().sequences[1].tokens.row(0) + Eigen::RowVector2d(1, 1));
  EXPECT_EQ(doc.experiment().pickedTokens.size(), 3u);
}

TEST(Document, QueryKindFillsAndClearsQueries) {
  Document doc = makeDoc();
  core::ModelSpec m = doc.scene().model;
  m.kind = core::ModelKind::Query;
  ASSERT_EQ(doc.apply(cmd::SetModel{m}), "");
  EXPECT_NE(doc.apply(cmd::MoveQuery{0, Eigen::Vector2d(1, 1)}), "") << "queries are first tokens";
  ASSERT_EQ(doc.apply(cmd::SetQueryKind{core::QueryKind::Given}), "");
  for (const auto& q : doc.scene().sequences) EXPECT_EQ(q.z.transpose(), q.tokens.row(0));
  ASSERT_EQ(doc.apply(cmd::MoveQuery{0, Eigen::Vector2d(1, 1)}), "");
  EXPECT_EQ(doc.scene().queryOf(0), Eigen::Vector2d(1, 1));
  // A sequence added while queries are free gets one.
  core::Sequence q;
  q.tokens = Eigen::MatrixXd::Ones(2, 2);
  ASSERT_EQ(doc.apply(cmd::AddSequence{q, -1}), "");
  EXPECT_EQ(doc.scene().sequences.back().z.size(), 2);
  ASSERT_EQ(doc.apply(cmd::SetQueryKind{core::QueryKind::First}), "");
  for (const auto& s : doc.scene().sequences) EXPECT_EQ(s.z.size(), 0);
}

TEST(Document, ResetClearsHistoryAndMarksSaved) {
  Document doc = makeDoc();
  doc.apply(cmd::SetLabel{0, -1});
  doc.view().canvas.pixelsPerUnit = 50;
  const auto sceneRev = doc.sceneRevision();
  doc.reset(DocState{smallScene(), {}});
  EXPECT_FALSE(doc.canUndo());
  EXPECT_FALSE(doc.modified());
  EXPECT_GT(doc.sceneRevision(), sceneRev) << "a newly opened scene restarts training";
  EXPECT_EQ(doc.view().canvas.pixelsPerUnit, 0) << "and is fitted";
}

TEST(Document, UndoLogIsBounded) {
  Document doc = makeDoc();
  for (std::size_t k = 0; k < Document::kMaxUndo + 25; ++k)
    ASSERT_EQ(doc.apply(cmd::MoveToken{0, 0, Eigen::Vector2d(static_cast<double>(k + 1), 0)}), "");
  EXPECT_EQ(doc.undoDepth(), Document::kMaxUndo);
}

// Random command sequences: undoing everything returns the start, redoing everything the end.
TEST(Document, RandomCommandsUndoRedoRoundTrip) {
  const unsigned seed = 20240611;
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  Document doc = makeDoc();
  const core::Scene start = doc.scene();
  std::uniform_real_distribution<double> coord(-3, 3);
  for (int k = 0; k < 300; ++k) {
    const core::Scene& s = doc.scene();
    const int seq = static_cast<int>(rng() % static_cast<unsigned>(s.sequenceCount()));
    const int T = static_cast<int>(s.sequences[static_cast<std::size_t>(seq)].tokens.rows());
    switch (rng() % 6) {
      case 0:
        doc.apply(cmd::AddToken{seq, Eigen::Vector2d(coord(rng), coord(rng)), -1});
        break;
      case 1:
        doc.apply(cmd::MoveToken{seq, static_cast<int>(rng() % static_cast<unsigned>(T)),
                                 Eigen::Vector2d(coord(rng), coord(rng))});
        break;
      case 2:
        doc.apply(cmd::DeleteToken{seq, static_cast<int>(rng() % static_cast<unsigned>(T))});
        break;
      case 3:
        doc.apply(cmd::DuplicateSequence{seq, Eigen::Vector2d(0.5, 0)});
        break;
      case 4:
        doc.apply(cmd::RemoveSequence{seq});
        break;
      case 5:
        doc.apply(cmd::SetLabel{seq, rng() % 2 ? 1 : -1});
        break;
    }
  }
  const core::Scene end = doc.scene();
  while (doc.undo()) {
  }
  EXPECT_TRUE(sameScene(doc.scene(), start));
  while (doc.redo()) {
  }
  EXPECT_TRUE(sameScene(doc.scene(), end));
}

}  // namespace
}  // namespace attnmd::gui
