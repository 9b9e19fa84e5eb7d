// The app's NTP session (app/state/ntp_session.h): sentence edits validated with the file's field paths,
// undo and redo through stored edits that restore the exact sentences, saving, and the run that edits
// restart and advance() moves.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "app/plot/ntp_plots.h"
#include "app/state/ntp_session.h"
#include "core/ntp_generators.h"
#include "core/scene_io.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

core::NtpScene wordsScene() {
  return core::generateNtpScene("ntp-words-2d", core::NtpGeneratorOptions{});
}

bool sameSentences(const std::vector<core::NtpSentence>& a, const std::vector<core::NtpSentence>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].tokens != b[i].tokens || a[i].next != b[i].next) return false;
  return true;
}

TEST(NtpSession, RandomEditsUndoToTheOriginalAndRedoToTheLast) {
  NtpSession session(wordsScene());
  const std::vector<core::NtpSentence> original = session.scene().sentences;
  const int K = session.scene().vocabularySize();
  std::mt19937 rng(7);
  int applied = 0;
  for (int k = 0; k < 200; ++k) {
    const int n = session.scene().sentenceCount();
    std::uniform_int_distribution<int> pick(0, n - 1), word(0, K - 1);
    NtpCommand c;
    switch (k % 4) {
      case 0: {
        core::NtpSentence s = session.scene().sentences[static_cast<std::size_t>(pick(rng))];
        s.tokens.insert(s.tokens.begin(), word(rng));
        c = ntpcmd::AddSentence{s, pick(rng)};
        break;
      }
      case 1:
        c = ntpcmd::RemoveSentence{pick(rng)};
        break;
      default: {
        const int i = pick(rng);
        core::NtpSentence s = session.scene().sentences[static_cast<std::size_t>(i)];
        s.tokens[static_cast<std::size_t>(word(rng)) % s.tokens.size()] = word(rng);
        s.next = word(rng);
        c = ntpcmd::SetSentence{i, s};
        break;
      }
    }
    if (session.apply(c).empty()) ++applied;
  }
  ASSERT_GT(applied, 100);
  const std::vector<core::NtpSentence> last = session.scene().sentences;
  EXPECT_TRUE(session.modified());
  while (session.undo()) {
  }
  EXPECT_TRUE(sameSentences(session.scene().sentences, original));
  EXPECT_FALSE(session.modified());  // back at the state it opened with
  while (session.redo()) {
  }
  EXPECT_TRUE(sameSentences(session.scene().sentences, last));
}

TEST(NtpSession, BadEditsAreRefusedWithTheFieldPathAndChangeNothing) {
  NtpSession session(wordsScene());
  const std::vector<core::NtpSentence> before = session.scene().sentences;
  core::NtpSentence s = before[1];
  s.tokens[0] = 99;
  const std::string e = session.apply(ntpcmd::SetSentence{1, s});
  EXPECT_NE(e.find("sentences[1].tokens[0]"), std::string::npos) << e;
  s = before[2];
  s.tokens.resize(1);
  EXPECT_NE(session.apply(ntpcmd::SetSentence{2, s}).find("sentences[2].tokens"), std::string::npos);
  EXPECT_NE(session.apply(ntpcmd::RemoveSentence{17}), "");
  EXPECT_TRUE(sameSentences(session.scene().sentences, before));
  EXPECT_FALSE(session.canUndo());

  // The last sentence cannot go: an NTP scene needs one.
  while (session.scene().sentenceCount() > 1) ASSERT_EQ(session.apply(ntpcmd::RemoveSentence{0}), "");
  EXPECT_NE(session.apply(ntpcmd::RemoveSentence{0}).find("last sentence"), std::string::npos);
}

TEST(NtpSession, AnEditRestartsTheRunAndANonRealizableSentenceOpensWithAWarning) {
  NtpSession session(wordsScene());
  session.requestSteps(50);
  EXPECT_EQ(session.advance(60.0), 50);
  EXPECT_EQ(session.run().iteration(), 50);
  // Sentence 0 with a label no token of it is followed by: still trains, with a warning naming it.
  core::NtpSentence s = session.scene().sentences[0];
  const auto& succ = session.run().analysis().successor;
  int label = 0;
  while (std::any_of(s.tokens.begin(), s.tokens.end(),
                     [&](int t) { return succ[static_cast<std::size_t>(t)] == label; }))
    ++label;
  s.next = label;
  ASSERT_EQ(session.apply(ntpcmd::SetSentence{0, s}), "");
  EXPECT_EQ(session.run().iteration(), 0);
  EXPECT_FALSE(session.run().analysis().realizable);
  ASSERT_FALSE(session.run().analysis().warnings.empty());
  EXPECT_NE(session.run().analysis().warnings.front().find("sentence 0"), std::string::npos)
      << session.run().analysis().warnings.front();
  session.requestSteps(10);
  EXPECT_EQ(session.advance(60.0), 10);
}

TEST(NtpSession, PlayingRunsToTheEndAndThePlotsDrawTheStageSwitch) {
  core::NtpScene scene = wordsScene();
  scene.iterations = 600;
  scene.stage1Iterations = 200;
  NtpSession session(scene);
  session.setPlaying(true);
  for (int k = 0; k < 10000 && !session.finished(); ++k) session.advance(0.01);
  EXPECT_TRUE(session.finished());
  EXPECT_FALSE(session.playing());
  EXPECT_EQ(session.run().iteration(), 600);
  const plot::Figure f = plot::ntpFigure(session.scene(), session.run().history(), session.run().iteration(),
                                         plot::AxisScale::Linear);
  ASSERT_EQ(f.plots.size(), 4u);
  ASSERT_EQ(f.plots[0].refLines.size(), 1u);
  EXPECT_EQ(f.plots[0].refLines[0].value, 200.0);
  EXPECT_EQ(f.plots[0].series[0].x.back(), 600.0);  // the last step is recorded
  // Stage 1 trains W_ov alone: W_kq is still zero at the switch, then grows.
  EXPECT_GT(session.run().metrics().normKq, 0.0);
  EXPECT_EQ(session.metrics().normKq, session.run().metrics().normKq);  // the cached copy is current
}

TEST(NtpSession, SaveWritesAFileThatLoadsBackAndMarksTheSessionSaved) {
  attnmd::testing::TempDir dir;
  NtpSession session(wordsScene());
  core::NtpSentence s = session.scene().sentences[3];
  s.tokens.insert(s.tokens.begin(), 0);
  ASSERT_EQ(session.apply(ntpcmd::SetSentence{3, s}), "");
  EXPECT_TRUE(session.modified());
  const std::string path = (dir.path / "edited.json").string();
  ASSERT_EQ(session.save(path), "");
  EXPECT_FALSE(session.modified());
  EXPECT_EQ(session.path(), path);
  core::AnySceneLoadResult back = core::loadAnyScene(path);
  ASSERT_TRUE(back.isNtp());
  EXPECT_TRUE(sameSentences(std::get<core::NtpScene>(back.value).sentences, session.scene().sentences));
  session.undo();
  EXPECT_TRUE(session.modified());
  // A path that cannot be written: a message, the session still modified.
  EXPECT_NE(session.save((dir.path / "no-such-folder" / "x.json").string()), "");
  EXPECT_TRUE(session.modified());
}

}  // namespace
}  // namespace attnmd::gui
