// The document model: commands validate and apply completely or not at all, gestures are one undo
// entry, undo/redo walk the log exactly, revisions tell the trainer what changed.
#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <bit>
#include <cstdio>
#include <functional>
#include <random>

#include "app/state/document.h"
#include "core/run_patch.h"

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

// ---- the undo log stores edits, not scenes: exact round trips and bounded memory

bool bitsEqualDoubles(const double* a, const double* b, Eigen::Index n) {
  for (Eigen::Index i = 0; i < n; ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}
template <class M>
bool bitsEqualEigen(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && bitsEqualDoubles(a.data(), b.data(), a.size());
}
// The same document state bit for bit: sameScene (every field) plus the sign of every zero in the
// data and v, the experiment and the runs.
bool identicalDocState(const DocState& a, const DocState& b) {
  if (!sameScene(a.scene, b.scene) || !(a.experiment == b.experiment) || !sameRuns(a.runs, b.runs))
    return false;
  if (!bitsEqualEigen(a.scene.model.v, b.scene.model.v)) return false;
  for (std::size_t i = 0; i < a.scene.sequences.size(); ++i)
    if (!bitsEqualEigen(a.scene.sequences[i].tokens, b.scene.sequences[i].tokens) ||
        !bitsEqualEigen(a.scene.sequences[i].z, b.scene.sequences[i].z))
      return false;
  return true;
}

// One random command of any kind (valid or not) on `doc`'s current state, with coordinates from
// `coord`.
Command randomDocumentEdit(const Document& doc, std::mt19937& rng, const std::function<double()>& coord) {
  const core::Scene& s = doc.scene();
  const int seq = static_cast<int>(rng() % static_cast<unsigned>(s.sequenceCount()));
  const int tok = static_cast<int>(
      rng() % static_cast<unsigned>(s.sequences[static_cast<std::size_t>(seq)].tokens.rows()));
  const int runs = static_cast<int>(doc.state().runs.size());
  const int run = runs ? static_cast<int>(rng() % static_cast<unsigned>(runs)) : -1;
  const Eigen::Vector2d point(coord(), coord());
  switch (rng() % 16) {
    case 0:
      return cmd::AddToken{seq, point, static_cast<int>(rng() % 5) - 1};
    case 1:
      return cmd::MoveToken{seq, tok, point};
    case 2:
      return cmd::DeleteToken{seq, tok};
    case 3:
      return cmd::DuplicateSequence{seq, Eigen::Vector2d(coord(), 0)};
    case 4:
      return cmd::RemoveSequence{seq};
    case 5:
      return cmd::SetLabel{seq, rng() % 2 ? 1 : -1};
    case 6: {
      core::Sequence q;
      q.y = -1;
      q.tokens = Eigen::MatrixXd::Constant(2 + static_cast<int>(rng() % 3), 2, coord());
      return cmd::AddSequence{q, static_cast<int>(rng() % 4) - 1};
    }
    case 7:
      return cmd::SetQueryKind{rng() % 2 ? core::QueryKind::Given : core::QueryKind::First};
    case 8:
      return cmd::MoveQuery{seq, point};
    case 9:
      return cmd::SetV{point};
    case 10: {
      core::OptimizerSpec o = doc.editedScene()->optimizer;
      o.p = 1.1 + (rng() % 3);
      o.lr = 0.05 * (1 + rng() % 4);
      return cmd::SetOptimizer{o, run};
    }
    case 11: {
      core::InitSpec init;
      init.kind = rng() % 2 ? core::InitKind::Gaussian : core::InitKind::Zeros;
      init.scale = 0.5 + (rng() % 3);
      return cmd::SetInit{init, rng() % 100, rng() % 2 == 0, run};
    }
    case 12: {
      std::vector<core::RunPatch> patches(rng() % 4);
      for (std::size_t i = 0; i < patches.size(); ++i) {
        core::Scene r = s;
        r.optimizer.p = 1.5 + static_cast<double>(i);
        patches[i].patchJson = core::makeRunPatch(s, r);
        patches[i].name = "run " + std::to_string(rng() % 10);
        patches[i].hidden = rng() % 3 == 0;
      }
      return cmd::SetRuns{patches};
    }
    case 13: {
      Experiment e = doc.experiment();
      e.stop.atSteps = rng() % 2 == 0;
      e.stop.steps = 100 + rng() % 5;
      e.svmTokens = rng() % 2 ? SvmTokens::Optimal : SvmTokens::Selected;
      return cmd::SetExperiment{e};
    }
    case 14:
      return cmd::PickSvmToken{seq, tok};
    default: {
      core::Scene fresh = smallScene();
      fresh.sequences[0].tokens(0, 0) = coord();
      if (rng() % 2) fresh.sequences.pop_back();
      cmd::ReplaceScene r{fresh, "replace", {}, {}};
      if (rng() % 2) r.runs = std::vector<core::RunPatch>{};
      return r;
    }
  }
}

// Random commands of every kind, some as gestures; then undo all (each state on the way back is the
// one recorded, bit for bit, with its id) and redo all.
TEST(Document, UndoRestoresEveryStateBitForBit) {
  for (const unsigned seed : {7u, 20261206u, 99u}) {
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    Document doc = makeDoc();
    // Coordinates from a small set with both signs of zero, so edits that only flip a sign happen.
    const double values[] = {0.0, -0.0, 1.0, -1.5, 2.25, 0.5};
    const std::function<double()> coord = [&] { return values[rng() % 6]; };
    std::vector<DocState> states{doc.state()};
    std::vector<std::uint64_t> ids{doc.stateId()};
    for (int k = 0; k < 400; ++k) {
      const std::size_t before = doc.undoDepth();
      if (rng() % 8 == 0) {
        // A drag: many updates, one entry (to new values: a drag that only flips the sign of a zero
        // counts as no change, and is neither logged nor reverted).
        const int seq = static_cast<int>(rng() % static_cast<unsigned>(doc.scene().sequenceCount()));
        doc.beginGesture("drag");
        for (int f = 0; f < 5; ++f) doc.update(cmd::MoveToken{seq, 0, Eigen::Vector2d(3.75 + f, 7.5)});
        if (rng() % 4 == 0)
          doc.cancelGesture();
        else
          doc.endGesture();
      } else {
        doc.apply(randomDocumentEdit(doc, rng, coord));
      }
      if (doc.undoDepth() != before) {
        states.push_back(doc.state());
        ids.push_back(doc.stateId());
      } else {
        ASSERT_TRUE(identicalDocState(doc.state(), states.back()))
            << "step " << k << " changed the state unlogged";
      }
    }
    ASSERT_EQ(doc.undoDepth() + 1, states.size());
    ASSERT_GT(states.size(), 200u);
    for (std::size_t i = states.size() - 1; i-- > 0;) {
      ASSERT_TRUE(doc.undo());
      ASSERT_TRUE(identicalDocState(doc.state(), states[i])) << "undo to state " << i;
      ASSERT_EQ(doc.stateId(), ids[i]);
    }
    EXPECT_FALSE(doc.undo());
    EXPECT_FALSE(doc.modified());
    for (std::size_t i = 1; i < states.size(); ++i) {
      ASSERT_TRUE(doc.redo());
      ASSERT_TRUE(identicalDocState(doc.state(), states[i])) << "redo to state " << i;
      ASSERT_EQ(doc.stateId(), ids[i]);
    }
    EXPECT_FALSE(doc.redo());
  }
}

// The heap in use (glibc's count of allocated bytes; 0 elsewhere), for the report of the test below.
double heapInUseMB() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  const struct mallinfo2 m = ::mallinfo2();
  return static_cast<double>(m.uordblks + m.hblkhd) / 1e6;
#else
  return 0;
#endif
}

// A 2D scene of `sequences` x `tokens` random tokens.
core::Scene bigTokenScene(int sequences, int tokens) {
  core::Scene s = smallScene();
  s.sequences.clear();
  for (int i = 0; i < sequences; ++i) {
    core::Sequence q;
    q.y = i % 2 ? -1 : 1;
    q.tokens = Eigen::MatrixXd::Random(tokens, 2);
    s.sequences.push_back(std::move(q));
  }
  return s;
}

// Issue 16: 1,000 token moves in a 10,000-token scene kept two whole scenes each (about 320 MB in
// 2D). The log now holds the moved rows: far below kMaxHistoryBytes, and undo still walks it exactly.
TEST(Document, UndoHistoryOfTokenMovesInABigSceneStaysSmall) {
  for (const auto& [n, T] : {std::pair{1, 10000}, std::pair{1000, 10}}) {
    SCOPED_TRACE(std::to_string(n) + " sequences of " + std::to_string(T) + " tokens");
    Document doc(DocState{bigTokenScene(n, T), {}});
    const DocState start = doc.state();
    const double heapBefore = heapInUseMB();
    std::mt19937 rng(5);
    for (std::size_t k = 0; k < Document::kMaxUndo; ++k) {
      const int seq = static_cast<int>(rng() % static_cast<unsigned>(n));
      const int tok = static_cast<int>(rng() % static_cast<unsigned>(T));
      ASSERT_EQ(doc.apply(cmd::MoveToken{seq, tok, Eigen::Vector2d(static_cast<double>(k) + 0.5, -1.0)}), "");
    }
    EXPECT_EQ(doc.undoDepth(), Document::kMaxUndo) << "every entry kept";
    const double mb = static_cast<double>(doc.historyBytes()) / 1e6;
    std::printf(
        "[ history  ] %d x %d tokens, %zu moves: %.3f MB counted, heap grew %.3f MB (two whole scenes "
        "an entry: %.1f MB)\n",
        n, T, Document::kMaxUndo, mb, heapInUseMB() - heapBefore,
        2.0 * Document::kMaxUndo * n * T * 2 * sizeof(double) / 1e6);
    EXPECT_LT(doc.historyBytes(), 64'000'000u);
    EXPECT_LT(mb, 1.0) << "a move costs its row, not the scene";
    const DocState end = doc.state();
    while (doc.undo()) {
    }
    EXPECT_TRUE(identicalDocState(doc.state(), start));
    while (doc.redo()) {
    }
    EXPECT_TRUE(identicalDocState(doc.state(), end));
  }
}

// Edits that replace everything keep whole scenes; the byte budget then drops the oldest entries, and
// always keeps the latest one.
TEST(Document, UndoHistoryOfSceneReplacementsStaysUnderItsBudget) {
  Document doc = makeDoc();
  for (int k = 0; k < 30; ++k) {
    core::Scene s = bigTokenScene(4, 50000);  // 3.2 MB of new tokens each time
    s.sequences[0].tokens(0, 0) = k;
    ASSERT_EQ(doc.apply(cmd::ReplaceScene{s, "replace", {}, {}}), "");
    ASSERT_LT(doc.historyBytes(), Document::kMaxHistoryBytes);
  }
  EXPECT_LT(doc.undoDepth(), 30u) << "the oldest replacements were dropped";
  EXPECT_GE(doc.undoDepth(), 10u);
  // Undo and redo swap which side an entry keeps; the budget holds throughout.
  const std::size_t depth = doc.undoDepth();
  for (std::size_t k = 0; k < depth; ++k) {
    ASSERT_TRUE(doc.undo());
    ASSERT_LT(doc.historyBytes(), Document::kMaxHistoryBytes);
  }
  while (doc.redo()) ASSERT_LT(doc.historyBytes(), Document::kMaxHistoryBytes);
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 29);
  // One edit bigger than the budget is still undoable: the latest entry is always kept.
  Document huge = makeDoc();
  ASSERT_EQ(huge.apply(cmd::ReplaceScene{bigTokenScene(1, 4'200'000), "replace", {}, {}}), "");
  EXPECT_EQ(huge.undoDepth(), 1u);
  ASSERT_TRUE(huge.undo());
  EXPECT_TRUE(sameScene(huge.scene(), smallScene()));
  ASSERT_TRUE(huge.redo());
  EXPECT_EQ(huge.scene().sequences[0].tokens.rows(), 4'200'000);
  EXPECT_EQ(huge.undoDepth(), 1u);
}

}  // namespace
}  // namespace attnmd::gui
