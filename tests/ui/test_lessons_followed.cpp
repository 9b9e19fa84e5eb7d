// Every lesson that ships, followed start to finish as a student would: open it, do each step's task
// in the app (train, drag a token, select a run, rewind), and see the step turn done.
#include <GLFW/glfw3.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "app/gui/app.h"
#include "app/state/commands.h"
#include "core/scene_io.h"
#include "tests/support/scenes.h"
#include "tests/ui/imgui_harness.h"

namespace attnmd::gui {
namespace {

struct LessonStudent : ::testing::Test {
  ::attnmd::gui::testing::ImGuiHarness ui{ImVec2(1280, 720)};
  App app{DocState{::attnmd::testing::teachingScene(), {}}, Preferences{}, ViewState{},
          TrainerMode::Synchronous};
  std::function<void()> fn = [this] { app.frame(); };

  void train(long long steps) {
    app.lab().requestSteps(steps);
    for (int k = 0; k < 2000 && (app.lab().pendingSteps() > 0 || app.lab().busy()); ++k) ui.frame(fn);
    ui.frame(fn);
    ui.frame(fn);
  }
  // The step is done, and Next (PageDown) moves on.
  void expectDoneAndNext(const char* what) {
    ASSERT_TRUE(app.lesson()) << what;
    EXPECT_TRUE(app.lesson()->currentDone())
        << what << ": step " << app.lesson()->step + 1 << " (" << app.lesson()->current().title
        << ") not done; check: " << app.lesson()->current().check->text << "; step " << app.lessonFacts().step
        << ", corr " << app.lessonFacts().corr << ", sparsity " << app.lessonFacts().sparsity;
    if (!app.lesson()->last()) {
      const int before = app.lesson()->step;
      ui.tap(GLFW_KEY_PAGE_DOWN, fn);
      ui.frame(fn);
      EXPECT_EQ(app.lesson()->step, before + 1);
    }
  }
  void open(const char* name) {
    ui.frame(fn);
    ASSERT_TRUE(app.openLesson(name));
    ui.frame(fn);
    ui.frame(fn);
    EXPECT_FALSE(app.lesson()->currentDone()) << "a task is not done before the student does it";
  }
};

TEST_F(LessonStudent, AttentionSelectsTokens) {
  open("01-attention-selects");
  EXPECT_EQ(app.document().scene().sequences.size(), 4u) << "the lesson opened the default scene";
  train(200);
  expectDoneAndNext("train");
  train(300);
  expectDoneAndNext("align");
  EXPECT_EQ(app.lessonFacts().selected[2], 0);
  Eigen::VectorXd x(2);
  x << 2.0, -2.2;  // "drag token 1 of sequence 2 down to about (2, -2.2)"
  app.document().apply(cmd::MoveToken{2, 1, x});
  ui.frame(fn);
  train(200);
  expectDoneAndNext("move a token");
}

TEST_F(LessonStudent, LocallyAndGloballyOptimalTokens) {
  open("02-local-global");
  train(300);
  expectDoneAndNext("global");
  EXPECT_EQ(app.document().scene().sequences[0].tokens.row(2).norm(), 0.0) << "the local toy is open";
  train(300);
  expectDoneAndNext("local");
}

TEST_F(LessonStudent, TheLpGeometry) {
  open("03-lp-geometry");
  EXPECT_EQ(app.lab().runCount(), 3);
  train(1000);
  expectDoneAndNext("runs part");
  app.lab().setCursor(40);  // dragging the timeline back
  ui.frame(fn);
  ui.frame(fn);
  expectDoneAndNext("rewind");
}

TEST_F(LessonStudent, NormalizedGdIsFaster) {
  open("04-ngd-polyak");
  train(1000);
  expectDoneAndNext("gd is slow");
  app.document().view().selectedRun = 1;  // clicking the ngd run's name
  ui.frame(fn);
  ui.frame(fn);
  expectDoneAndNext("ngd is fast");
}

TEST_F(LessonStudent, JointPAndV) {
  open("05-joint-pv");
  train(500);
  expectDoneAndNext("loss to zero");
  train(500);
  expectDoneAndNext("relaxed direction");
}

TEST_F(LessonStudent, GoingBackReopensTheStepsSceneButNeverDropsAnEdit) {
  open("01-attention-selects");
  train(200);
  app.lessonStep(+1);
  app.lessonStep(-1);  // back to step 1: its scene opens again, from step 0
  ui.frame(fn);
  ui.frame(fn);
  EXPECT_EQ(app.lessonFacts().step, 0);
  EXPECT_TRUE(app.lesson()->done[0]) << "a step once done stays done";

  // With an unsaved edit, reopening asks first (the unsaved-changes prompt) and keeps the edit.
  Eigen::VectorXd x(2);
  x << 3.0, 3.0;
  app.document().apply(cmd::MoveToken{0, 0, x});
  app.lessonStep(+1);
  app.lessonStep(-1);
  ui.frame(fn);
  EXPECT_TRUE(app.session().modalOpen());
  EXPECT_EQ(app.document().scene().sequences[0].tokens(0, 0), 3.0);
  app.closeLesson();
  ui.frame(fn);
  EXPECT_FALSE(app.lesson());
}

TEST(BlankScene, FileNewGivesOneSequenceOfTwoTokensThatTrainsAndSaves) {
  const core::Scene s = blankScene();
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_EQ(s.sequences[0].tokens.rows(), 2);
  EXPECT_EQ(core::validateScene(s), "");
  const std::string text = core::sceneToJson(s);
  auto again = core::parseScene(text, "blank");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_NE(text.find("double-click"), std::string::npos) << "the notes say how to start";
}

}  // namespace
}  // namespace attnmd::gui
