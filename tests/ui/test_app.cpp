// The whole main screen with a null ImGui backend: keyboard shortcuts, edits that restart the run and
// re-solve the SVM off the UI thread, undo/redo through the keyboard, the status bar.
#include <gtest/gtest.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <chrono>
#include <thread>

#include <imgui_internal.h>  // FindWindowByName
#include "app/gui/app.h"
#include "imgui_harness.h"
#include "tests/support/scenes.h"

namespace attnmd::gui {
namespace {

using ::attnmd::testing::teachingScene;

using testing::ImGuiHarness;

struct AppFixture : ::testing::Test {
  ImGuiHarness ui;
  App app{DocState{teachingScene(), {}}, Preferences{}};
  std::function<void()> fn() {
    return [this] { app.frame(); };
  }
  ImVec2 tokenOnScreen(int seq, int t) const {
    const auto& X = app.document().scene().sequences[static_cast<std::size_t>(seq)].tokens;
    return app.canvasLayout().transform.toScreen(X(t, 0), X(t, 1));
  }
  // Frames until `done` or about two seconds.
  bool frameUntil(const std::function<bool()>& done) {
    for (int k = 0; k < 400; ++k) {
      ui.frame(fn());
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
};

TEST_F(AppFixture, StartsAtStepZeroWithAHintAndTheSvm) {
  ui.frame(fn());
  ASSERT_TRUE(app.lab().waitIdle(5));  // the first SVM is solved on the theory's thread
  ui.frame(fn());
  ASSERT_TRUE(app.snapshot());
  EXPECT_EQ(app.snapshot()->iteration, 0);
  EXPECT_NE(app.theory().overlay().hint.find("Space"), std::string::npos);
  EXPECT_TRUE(app.theory().overlay().svmOk);
  EXPECT_NE(app.statusText().find("SVM: solved"), std::string::npos) << app.statusText();
  EXPECT_NE(app.statusText().find("step 0"), std::string::npos);
}

TEST_F(AppFixture, SpacePlaysAndPausesSStepsOnce) {
  ui.frame(fn());
  app.runControls().fastForward = true;
  ui.tap(GLFW_KEY_SPACE, fn());
  EXPECT_TRUE(app.lab().playing());
  ASSERT_TRUE(frameUntil([&] { return app.snapshot()->iteration > 50; })) << "training runs on the worker";
  ui.tap(GLFW_KEY_SPACE, fn());
  EXPECT_FALSE(app.lab().playing());
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  const long long k = app.snapshot()->iteration;
  ui.tap(GLFW_KEY_S, fn());
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  EXPECT_EQ(app.snapshot()->iteration, k + 1);
  EXPECT_TRUE(app.theory().overlay().hint.empty()) << "the hint goes once training started";
  ui.tap(GLFW_KEY_R, fn());
  EXPECT_EQ(app.snapshot()->iteration, 0) << "R resets to step 0";
}

TEST_F(AppFixture, CanvasEditRestartsTheRunAndResolvesTheSvmOffTheUiThread) {
  ui.frame(fn());
  app.lab().requestSteps(40);
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  ASSERT_EQ(app.snapshot()->iteration, 40);
  const int solves = app.theory().solves();
  const Eigen::VectorXd rayBefore = app.theory().overlay().svmRay;
  // Drag token 1 of sequence 3 (a support token of the optimal-token SVM) far away.
  Experiment e = app.document().experiment();
  e.svmTokens = SvmTokens::Optimal;
  app.document().apply(cmd::SetExperiment{e});
  ui.frame(fn());
  const ImVec2 from = tokenOnScreen(3, 2);
  const ImVec2 to = app.canvasLayout().transform.toScreen(-1.0, 2.0);
  ui.mouseTo(from);
  ui.frame(fn());
  ui.button(ImGuiMouseButton_Left, true);
  ui.frame(fn());
  ui.mouseTo(to);
  ui.frame(fn());
  // Same frame: the run was rebuilt from the edited scene; the SVM is re-solved on the theory's
  // own thread (never on the UI thread) and shows up in the frame after it finished.
  EXPECT_EQ(app.snapshot()->iteration, 0);
  EXPECT_TRUE(sameScene(*app.snapshot()->scene, app.document().scene()));
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  EXPECT_GT(app.theory().solves(), solves);
  EXPECT_GT((app.theory().overlay().svmRay.normalized() - rayBefore.normalized()).norm(), 1e-3);
  ui.button(ImGuiMouseButton_Left, false);
  ui.frame(fn());
  EXPECT_EQ(app.document().undoDepth(), 2u);  // the experiment change and the drag
  // Ctrl+Z undoes the drag, Ctrl+Y redoes it.
  const Eigen::RowVector2d moved = app.document().scene().sequences[3].tokens.row(2);
  ui.ctrl(true);
  ui.tap(GLFW_KEY_Z, fn());
  EXPECT_EQ(app.document().scene().sequences[3].tokens.row(2), Eigen::RowVector2d(0.6, 1.4));
  ui.tap(GLFW_KEY_Y, fn());
  ui.ctrl(false);
  EXPECT_EQ(app.document().scene().sequences[3].tokens.row(2), moved);
}

TEST_F(AppFixture, InitCurrentContinuesFromTheTrainedParameters) {
  ui.frame(fn());
  app.lab().requestSteps(30);
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  const core::Params trained = app.snapshot()->params;
  ASSERT_GT(trained.p.norm(), 0);
  app.document().apply(cmd::SetInit{app.document().scene().init, 0, true});
  app.document().apply(cmd::MoveToken{0, 1, Eigen::Vector2d(0.4, 0.2)});
  ui.frame(fn());
  EXPECT_EQ(app.snapshot()->iteration, 0);
  EXPECT_TRUE(app.snapshot()->params.p.isApprox(trained.p)) << "restarted from the current p";
}

TEST_F(AppFixture, DeleteKeyRemovesTheHoveredToken) {
  ui.frame(fn());
  ui.frame(fn());
  ui.mouseTo(tokenOnScreen(0, 2));
  ui.frame(fn());
  ui.frame(fn());
  ui.tap(GLFW_KEY_DELETE, fn());
  EXPECT_EQ(app.document().scene().sequences[0].tokens.rows(), 2);
  ui.mouseTo(tokenOnScreen(0, 1));
  ui.frame(fn());
  ui.tap(GLFW_KEY_DELETE, fn());  // the next one would leave one token: refused, said in the status bar
  EXPECT_EQ(app.document().scene().sequences[0].tokens.rows(), 2);
  ui.frame(fn());
  EXPECT_NE(app.statusText().find("at least 2 tokens"), std::string::npos) << app.statusText();
}

TEST_F(AppFixture, InfeasibleSvmShowsANoticeInsteadOfARay) {
  ui.frame(fn());
  // A non-selected token equal to the selected one makes the SVM infeasible (docs/theory.md §5).
  const auto& X = app.document().scene().sequences[0].tokens;
  const int sel = app.snapshot()->selected[0];
  const int other = sel == 0 ? 1 : 0;
  app.document().apply(cmd::MoveToken{0, other, X.row(sel).transpose()});
  ui.frame(fn());
  // Step 0 of a zero init ties every token (nothing selected yet, no error); a few steps pick one.
  app.lab().requestSteps(5);
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame(fn());
  EXPECT_EQ(app.theory().overlay().tiedSequences, 0);
  EXPECT_FALSE(app.theory().overlay().svmOk);
  EXPECT_FALSE(app.theory().overlay().svmMessage.empty());
  EXPECT_FALSE(app.canvasLayout().svmRay);
  EXPECT_TRUE(app.canvasLayout().svmNotice);
}

TEST_F(AppFixture, UiScaleShortcutsAndHelp) {
  ui.frame(fn());
  ui.ctrl(true);
  ui.tap(GLFW_KEY_EQUAL, fn());
  ui.ctrl(false);
  EXPECT_FLOAT_EQ(app.preferences().uiScale, 1.25f);
  EXPECT_TRUE(app.takeFontRebuild());
  EXPECT_FALSE(app.takeFontRebuild());
  for (int k = 0; k < 12; ++k) {
    ui.ctrl(true);
    ui.tap(GLFW_KEY_EQUAL, fn());
  }
  ui.ctrl(false);
  EXPECT_FLOAT_EQ(app.preferences().uiScale, kMaxUiScale);
  ui.tap(GLFW_KEY_F1, fn());
  EXPECT_NE(ImGui::FindWindowByName("Help"), nullptr);
}

TEST_F(AppFixture, StopConditionPausesTheRun) {
  ui.frame(fn());
  Experiment e = app.document().experiment();
  e.stop.atSteps = true;
  e.stop.steps = 120;
  app.document().apply(cmd::SetExperiment{e});
  app.runControls().fastForward = true;
  ui.tap(GLFW_KEY_SPACE, fn());
  ASSERT_TRUE(frameUntil([&] { return !app.lab().playing(); }));
  ui.frame(fn());
  EXPECT_EQ(app.snapshot()->iteration, 120);
  EXPECT_NE(app.statusText().find("reached 120 steps"), std::string::npos) << app.statusText();
  // Paused: no stale steps/s, no idle frame rate.
  EXPECT_EQ(app.statusText().find("steps/s"), std::string::npos) << app.statusText();
  EXPECT_EQ(app.statusText().find("fps"), std::string::npos) << app.statusText();
}

TEST_F(AppFixture, NumericalFailureStopsTheRunAndSaysWhyInTheStatusBar) {
  ui.frame(fn());
  // Exponential loss with a huge step: the first step overflows (docs/theory.md §4: detect, stop, report).
  core::ModelSpec m = app.document().scene().model;
  m.loss = core::LossKind::Exponential;
  m.trainV = true;
  app.document().apply(cmd::SetModel{m});
  core::OptimizerSpec o = app.document().scene().optimizer;
  o.name = core::OptimizerKind::GD;
  o.lr = 1e6;
  app.document().apply(cmd::SetOptimizer{o});
  ui.frame(fn());
  ui.tap(GLFW_KEY_SPACE, fn());
  ASSERT_TRUE(frameUntil([&] { return !app.snapshot()->failure.empty(); }));
  ASSERT_TRUE(frameUntil([&] { return !app.lab().playing(); }));
  ui.frame(fn());
  EXPECT_NE(app.statusText().find("run stopped"), std::string::npos) << app.statusText();
  EXPECT_NE(app.statusText().find(app.snapshot()->failure), std::string::npos) << app.statusText();
  // Undoing the step size gives a healthy run again.
  ASSERT_TRUE(app.document().undo());
  ui.frame(fn());
  EXPECT_TRUE(app.snapshot()->failure.empty());
  EXPECT_EQ(app.statusText().find("run stopped"), std::string::npos) << app.statusText();
}

// docs/theory.md §8.5: with X_2 = [(0,0),(0.5,1.5)] sequence 2 is no longer a v-SVM support vector and the
// relaxed prompt SVM, the direction joint (p, v) training follows, is (1, 0); the plain SVM is not.
TEST(AppTheory, JointPromptTrainingShowsTheRelaxedSvm) {
  ImGuiHarness ui;
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.trainV = true;
  s.model.v = Eigen::Vector2d(0, 0);
  const double toks[3][4] = {{0, 0, 1, 1}, {0, 0, 1, -1}, {0, 0, 0.5, 1.5}};
  const int labels[3] = {1, -1, 1};
  for (int i = 0; i < 3; ++i) {
    core::Sequence q;
    q.y = labels[i];
    q.tokens.resize(2, 2);
    q.tokens << toks[i][0], toks[i][1], toks[i][2], toks[i][3];
    s.sequences.push_back(q);
  }
  Experiment e;
  e.svmTokens = SvmTokens::Picked;
  e.pickedTokens = {1, 1, 1};  // all select token 1 (docs/theory.md §8.5)
  App app(DocState{s, e}, Preferences{});
  ui.frame([&] { app.frame(); });
  ASSERT_TRUE(app.lab().waitIdle(5));
  ui.frame([&] { app.frame(); });
  const CanvasOverlay& ov = app.theory().overlay();
  ASSERT_TRUE(ov.svmOk) << ov.svmMessage;
  EXPECT_TRUE(ov.relaxedSvm);
  ASSERT_EQ(ov.svmRay.size(), 2);
  EXPECT_NEAR(ov.svmRay.normalized().x(), 1.0, 1e-6);
  EXPECT_NEAR(ov.svmRay.normalized().y(), 0.0, 1e-6);
  // Sequence 2's margin line passes through its selected token (a relaxed row, >= 0).
  ASSERT_EQ(ov.marginNormal.size(), 3u);
  EXPECT_NEAR(ov.marginNormal[2].dot(Eigen::Vector2d(0.5, 1.5)) - ov.marginOffset[2], 0.0, 1e-6);
  EXPECT_NEAR(ov.marginNormal[0].dot(Eigen::Vector2d(1, 1)) - ov.marginOffset[0], 1.0, 1e-6);
}

TEST(App3D, SpatialScenesOpenInTheThreeDViewWhereDeleteAndFitWork) {
  ImGuiHarness ui;
  core::Scene s = teachingScene();
  s.dim = 3;
  s.model.v = Eigen::Vector3d(0, 1, 0.5);
  for (core::Sequence& q : s.sequences) {
    q.tokens.conservativeResize(Eigen::NoChange, 3);
    for (Eigen::Index t = 0; t < q.tokens.rows(); ++t) q.tokens(t, 2) = 0.5 * static_cast<double>(t) - 0.4;
  }
  App app(DocState{s, {}}, Preferences{});
  auto fn = [&] { app.frame(); };
  ui.frame(fn);
  ASSERT_TRUE(app.lab().waitIdle(5));  // the SVM is solved on the theory's thread
  ui.frame(fn);
  ASSERT_TRUE(app.showsSpace());
  ASSERT_EQ(app.canvasLayout().markers.size(), 12u);
  EXPECT_TRUE(app.canvasLayout().svmRay) << "the SVM direction is drawn in space";
  // The hovered token is the one Delete removes.
  const CanvasLayout::Marker m = app.canvasLayout().markers.back();
  ui.mouseTo(m.center);
  ui.frame(fn);
  ui.frame(fn);
  ui.tap(GLFW_KEY_DELETE, fn);
  EXPECT_EQ(app.document().scene().sequences[static_cast<std::size_t>(m.seq)].tokens.rows(), 2);
  // F fits the camera to the data again after a wild zoom.
  ui.mouseTo(ImVec2(-1, -1));
  ui.tap(GLFW_KEY_F, fn);  // to the data as it is now
  ui.frame(fn);
  const double fitted = app.document().view().camera.pixelsPerUnit;
  app.document().view().camera.pixelsPerUnit = fitted * 1000;
  ui.tap(GLFW_KEY_F, fn);
  ui.frame(fn);
  EXPECT_NEAR(app.document().view().camera.pixelsPerUnit, fitted, fitted * 1e-9);
  // The plane instead: the 2D canvas's layout, and the notice that x_3 is hidden.
  app.document().view().space = false;
  ui.frame(fn);
  ui.frame(fn);
  EXPECT_FALSE(app.showsSpace());
  EXPECT_EQ(app.canvasLayout().markers.size(), 11u);
}

// The whole screen with three runs: Shift+S steps the timeline back, S forward (neither is an edit);
// in the grid every run has its cell, the cells share the camera (a zoom over one zooms all) and the
// first click into another run's cell only selects that run.
TEST(AppCompare, TimelineKeysGridCellsAndOneCameraForAll) {
  ImGuiHarness ui;
  DocState state{teachingScene(), {}};
  for (double p : {1.1, 2.0, 3.0}) {
    core::RunPatch r;
    r.name = "p = " + std::to_string(p).substr(0, 3);
    r.patchJson = R"({"optimizer": {"p": )" + std::to_string(p) + "}}";
    state.runs.push_back(r);
  }
  ViewState view;
  view.compare = CompareView::Grid;
  App app(std::move(state), Preferences{}, view, TrainerMode::Synchronous);
  auto fn = [&] { app.frame(); };
  ui.frame(fn);
  ASSERT_EQ(app.lab().runCount(), 3);
  app.lab().requestSteps(60);
  for (int k = 0; k < 50 && app.lab().busy(); ++k) ui.frame(fn);
  ui.frame(fn);
  ASSERT_EQ(app.lab().furthestStep(), 60);
  EXPECT_EQ(app.snapshot()->iteration, 60);

  ui.shift(true);
  ui.tap(GLFW_KEY_S, fn);
  ui.tap(GLFW_KEY_S, fn);
  ui.shift(false);
  ui.frame(fn);
  EXPECT_EQ(app.lab().cursor(), 58);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(app.lab().run(i).shown->iteration, 58) << i;
  EXPECT_EQ(app.snapshot()->iteration, 58);
  ui.tap(GLFW_KEY_S, fn);
  ui.frame(fn);
  EXPECT_EQ(app.lab().cursor(), 59);
  EXPECT_EQ(app.document().undoDepth(), 0u) << "moving the timeline is not an edit";

  // Grid: three cells (three SVM rays from three origins); the wheel over the third zooms the camera
  // every cell draws with.
  std::vector<ImVec2> origins;
  for (const RunRayOnScreen& r : app.runRaysOnScreen())
    if (r.svm) origins.push_back(r.from);
  ASSERT_EQ(origins.size(), 3u);
  const double zoom = app.document().view().canvas.pixelsPerUnit;
  ui.mouseTo(ImVec2(origins[2].x + 3, origins[2].y + 3));
  ui.frame(fn);
  ui.wheel(1.f);
  ui.frame(fn);
  ui.wheel(0.f);
  ui.frame(fn);
  EXPECT_GT(app.document().view().canvas.pixelsPerUnit, zoom) << "the shared camera zoomed in";
  // A click on an empty spot of another run's cell selects that run and adds no token; a double-click
  // in the selected run's cell edits as usual.
  ASSERT_EQ(app.selectedRun(), 0);
  const ImVec2 empty(origins[2].x + 3, origins[2].y + 3);
  ui.click(0, empty, fn);
  ui.frame(fn);
  EXPECT_EQ(app.selectedRun(), 2);
  EXPECT_EQ(app.document().undoDepth(), 0u) << "selecting a run is not an edit";
  for (int k = 0; k < 30; ++k) ui.frame(fn);  // past ImGui's double-click time
  ui.click(0, empty, fn);
  ui.frame(fn);
  EXPECT_EQ(app.document().undoDepth(), 0u) << "a single click on empty canvas adds nothing";
  for (int k = 0; k < 30; ++k) ui.frame(fn);
  ui.doubleClick(0, empty, fn);
  ui.frame(fn);
  EXPECT_EQ(app.document().undoDepth(), 1u) << "a double-click in the selected run's cell adds a token";
  EXPECT_EQ(app.canvasLayout().transform.pixelsPerUnit, app.document().view().canvas.pixelsPerUnit);
}

}  // namespace
}  // namespace attnmd::gui

namespace attnmd::gui {
namespace {

// The scene a mutation run crashed the app with (RunPanel::draw, d = 500 query model): its SVM has d²
// = 250,000 variables. The app trains it and says ahead, in words, that the SVM is not attempted.
TEST(LargeScene, AQueryModelWithD500TrainsAndSaysItsSvmIsTooLarge) {
  ImGuiHarness ui(ImVec2(1280, 720));
  core::Scene scene = ::attnmd::testing::paperScene(1, 2, 3, 500);
  App app{DocState{scene, {}}, Preferences{}, ViewState{}, TrainerMode::Synchronous};
  auto fn = [&] { app.frame(); };
  for (int k = 0; k < 4; ++k) ui.frame(fn);
  app.lab().requestSteps(5);
  for (int k = 0; k < 20; ++k) ui.frame(fn);
  ASSERT_TRUE(app.snapshot());
  EXPECT_EQ(app.snapshot()->iteration, 5);
  EXPECT_NE(app.statusText().find("skipped"), std::string::npos) << app.statusText();
  const std::string& message = app.theory().overlay().svmMessage;
  EXPECT_NE(message.find("250000 variables"), std::string::npos) << message;
}

}  // namespace
}  // namespace attnmd::gui
