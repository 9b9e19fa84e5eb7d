// The NTP screen inside the app, with a null ImGui backend: an NTP scene opens over the attention
// document (which stays as it was), trains into stage 2, and draws the words where the embeddings are,
// the class regions, both key directions and the query's Hasse diagram; edits, undo and closing.
#include <gtest/gtest.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "app/gui/app.h"
#include "core/ntp_generators.h"
#include "core/scene_io.h"
#include "imgui_harness.h"
#include "tests/support/scenes.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

struct NtpScreenFixture : ::testing::Test {
  testing::ImGuiHarness ui;
  App app{DocState{::attnmd::testing::teachingScene(), {}}, Preferences{}, ViewState{},
          TrainerMode::Synchronous};
  std::function<void()> fn() {
    return [this] { app.frame(); };
  }
  void open(long long iterations = 1500) {
    core::NtpScene scene = core::generateNtpScene("ntp-words-2d", core::NtpGeneratorOptions{});
    scene.iterations = iterations;
    scene.stage1Iterations = 500;
    app.openNtp(scene, {});
    ASSERT_NE(app.ntp(), nullptr);
  }
};

TEST_F(NtpScreenFixture, TrainsIntoStageTwoAndDrawsEveryPart) {
  open();
  app.ntp()->session().requestSteps(1200);
  for (int k = 0; k < 2000 && app.ntp()->session().pendingSteps() > 0; ++k) ui.frame(fn());
  ui.frame(fn());
  const NtpScreen& screen = *app.ntp();
  EXPECT_EQ(screen.session().run().iteration(), 1200);
  EXPECT_NE(screen.statusText().find("stage 2"), std::string::npos) << screen.statusText();
  const NtpScreenLayout& l = screen.layout();
  EXPECT_TRUE(l.regionsDrawn);
  EXPECT_TRUE(l.queryArrow);
  EXPECT_TRUE(l.svmArrow);
  EXPECT_GE(l.hasseNodes, 2);
  // Words sit where their embeddings are: the same map for all, y up, equal scale on both axes.
  const core::NtpScene& sc = screen.session().scene();
  ASSERT_EQ(l.wordPositions.size(), static_cast<std::size_t>(sc.vocabularySize()));
  const ImVec2 p0 = l.wordPositions[0], p1 = l.wordPositions[1];
  const Eigen::VectorXd e0 = sc.embedding(0), e1 = sc.embedding(1);
  const double sx = (p1.x - p0.x) / (e1(0) - e0(0)), sy = -(p1.y - p0.y) / (e1(1) - e0(1));
  EXPECT_NEAR(sx, sy, 1e-3 * std::abs(sx));
  for (const ImVec2& p : l.wordPositions) {
    EXPECT_GE(p.x, l.canvasMin.x);
    EXPECT_LE(p.x, l.canvasMax.x);
    EXPECT_GE(p.y, l.canvasMin.y);
    EXPECT_LE(p.y, l.canvasMax.y);
  }
  // The key arrow points along W_kq e_q (e_q the query's embedding) for every query, the SVM's along
  // W_kq^mm e_q; y is up on screen.
  for (const core::NtpQueryOrder& order : screen.session().run().analysis().orders) {
    app.ntp()->setQuery(order.query);
    ui.frame(fn());
    const NtpScreenLayout& m = app.ntp()->layout();
    auto expectAlong = [&](const Eigen::MatrixXd& W, ImVec2 tip) {
      const Eigen::Vector2d k = W * sc.embedding(order.query);
      const Eigen::Vector2d onScreen(tip.x - m.origin.x, m.origin.y - tip.y);
      EXPECT_NEAR(k.normalized().dot(onScreen.normalized()), 1.0, 1e-4) << "query " << order.query;
    };
    ASSERT_TRUE(m.queryArrow && m.svmArrow);
    expectAlong(screen.session().run().params().Wkq, m.queryTip);
    expectAlong(screen.session().run().kqSvm().W, m.svmTip);
  }
  // The stage switch is a vertical line in every plot.
  for (const plot::Plot& p : screen.figure().plots) {
    ASSERT_EQ(p.refLines.size(), 1u) << p.name;
    EXPECT_FALSE(p.refLines[0].horizontal);
  }
}

TEST_F(NtpScreenFixture, KeysEditUndoAndCloseBackToTheUntouchedDocument) {
  const std::uint64_t docState = app.document().stateId();
  open(10'000'000);  // Space must not reach the end within a frame
  ui.frame(fn());
  NtpSession& s = app.ntp()->session();
  core::NtpSentence edited = s.scene().sentences[0];
  edited.tokens.insert(edited.tokens.begin(), 1);
  ASSERT_EQ(s.apply(ntpcmd::SetSentence{0, edited}), "");
  // Ctrl+Z undoes the edit.
  ui.ctrl(true);
  ui.key(GLFW_KEY_Z, true);
  ui.frame(fn());
  ui.key(GLFW_KEY_Z, false);
  ui.ctrl(false);
  ui.frame(fn());
  EXPECT_EQ(s.scene().sentences[0].tokens.size() + 1, edited.tokens.size());
  EXPECT_FALSE(s.modified());
  // Space plays; the screen keeps frames coming while it trains.
  ui.key(GLFW_KEY_SPACE, true);
  ui.frame(fn());
  ui.key(GLFW_KEY_SPACE, false);
  EXPECT_TRUE(app.animating());
  ui.frame(fn());
  EXPECT_GT(s.run().iteration(), 0);
  // Unsaved edits: the first close only warns; the second closes. The document is as it was.
  ASSERT_EQ(s.apply(ntpcmd::SetSentence{0, edited}), "");
  EXPECT_FALSE(app.ntp()->requestClose());
  EXPECT_TRUE(app.ntp()->requestClose());
  ui.frame(fn());
  EXPECT_EQ(app.ntp(), nullptr);
  EXPECT_EQ(app.document().stateId(), docState);
  ui.frame(fn());  // the attention screen draws again
}

TEST_F(NtpScreenFixture, FileOpenOfAnNtpSceneOpensItsScreenAndABadOneLeavesTheDocument) {
  attnmd::testing::TempDir dir;
  const std::string good = dir.str("words.json"), bad = dir.str("bad.json");
  ASSERT_EQ(core::saveNtpScene(core::generateNtpScene("ntp-words-2d", core::NtpGeneratorOptions{}), good),
            "");
  std::string text = core::ntpSceneToJson(core::generateNtpScene("ntp-chain", core::NtpGeneratorOptions{}));
  text.replace(text.find("\"next\": 2"), 10, "\"next\": 9");  // outside the vocabulary
  attnmd::testing::writeText(bad, text);
  const std::uint64_t docState = app.document().stateId();

  app.session().openPath(app.document(), bad);
  ui.frame(fn());
  EXPECT_EQ(app.ntp(), nullptr);
  EXPECT_NE(app.statusText().find("next"), std::string::npos) << app.statusText();  // names the field
  EXPECT_EQ(app.document().stateId(), docState);

  app.session().openPath(app.document(), good);
  ui.frame(fn());
  ASSERT_NE(app.ntp(), nullptr);
  EXPECT_EQ(app.ntp()->session().path(), good);
  EXPECT_EQ(app.ntp()->session().scene().vocabularySize(), 6);
  EXPECT_EQ(app.document().stateId(), docState);  // the attention document waits underneath

  // An attention scene opened now (a drop, a recent file) is shown: the unedited NTP scene closes.
  const std::string attention = dir.str("attention.json");
  ASSERT_EQ(core::saveScene(::attnmd::testing::teachingScene(), attention), "");
  app.session().openPath(app.document(), attention);
  ui.frame(fn());
  EXPECT_EQ(app.ntp(), nullptr);
  EXPECT_NE(app.document().stateId(), docState);
}

}  // namespace
}  // namespace attnmd::gui
