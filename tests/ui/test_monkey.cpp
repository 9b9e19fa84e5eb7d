// A monkey test of the main screen: thousands of frames of random mouse and keyboard input on the
// canvas (2D and 3D views), with training running. Nothing may crash, the document must hold a valid
// scene after every frame, and undoing everything must give back the scene the session started with.
#include <gtest/gtest.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cstdlib>
#include <random>

#include "app/gui/app.h"
#include "core/scene_io.h"
#include "imgui_harness.h"

namespace attnmd::gui {
namespace {

using testing::ImGuiHarness;

core::Scene randomScene(int dim, core::ModelKind kind, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.5);
  core::Scene s;
  s.dim = dim;
  s.model.kind = kind;
  s.model.query = core::QueryKind::First;
  s.model.v = Eigen::VectorXd::Zero(dim);
  s.model.v(1) = 1.0;
  for (int i = 0; i < 5; ++i) {
    core::Sequence q;
    q.y = i % 2 ? -1 : 1;
    q.tokens.resize(3 + i % 2, dim);
    for (Eigen::Index t = 0; t < q.tokens.rows(); ++t)
      for (int k = 0; k < dim; ++k) q.tokens(t, k) = g(rng);
    s.sequences.push_back(q);
  }
  s.optimizer.name = core::OptimizerKind::NMD;
  s.optimizer.lr = 0.1;
  return s;
}

// Where the mouse goes: the canvas only, or the whole body of the window left of the plots (the run,
// experiment, data and generator panels too). The menu bar stays out of reach: its File and Export
// items would write into the working directory.
enum class Reach { Canvas, Panels };

void monkey(core::Scene scene, std::uint32_t seed, int frames, Reach reach = Reach::Canvas) {
  ImGuiHarness ui;
  App app(DocState{scene, {}}, Preferences{});
  auto fn = [&] { app.frame(); };
  ui.frame(fn);
  std::mt19937 rng(seed);
  auto uniform = [&](float a, float b) { return std::uniform_real_distribution<float>(a, b)(rng); };
  const int keys[] = {GLFW_KEY_SPACE,  GLFW_KEY_S,      GLFW_KEY_R, GLFW_KEY_F,
                      GLFW_KEY_DELETE, GLFW_KEY_ESCAPE, GLFW_KEY_Z, GLFW_KEY_Y};
  bool left = false, right = false;
  for (int f = 0; f < frames; ++f) {
    const CanvasTransform& t = app.canvasLayout().transform;
    const int action = std::uniform_int_distribution<int>(0, 99)(rng);
    if (action < 40) {  // move, often onto a token so drags and deletes hit something
      const auto& markers = app.canvasLayout().markers;
      if (!markers.empty() && action < 20) {
        const auto& m = markers[std::uniform_int_distribution<std::size_t>(0, markers.size() - 1)(rng)];
        ui.mouseTo(ImVec2(m.center.x + uniform(-3, 3), m.center.y + uniform(-3, 3)));
      } else if (reach == Reach::Panels && action < 32) {
        ui.mouseTo(ImVec2(uniform(0, t.max.x), uniform(40, 960)));
      } else {
        ui.mouseTo(ImVec2(uniform(t.min.x, t.max.x), uniform(t.min.y, t.max.y)));
      }
    } else if (action < 55) {
      left = !left;
      ui.button(0, left);
    } else if (action < 62) {
      right = !right;
      ui.button(1, right);
    } else if (action < 68) {
      ui.wheel(uniform(-2, 2));
    } else if (action < 88) {
      const int key = keys[std::uniform_int_distribution<int>(0, 7)(rng)];
      const bool ctrl = key == GLFW_KEY_Z || key == GLFW_KEY_Y;
      ui.ctrl(ctrl);
      ui.tap(key, fn);
      ui.ctrl(false);
    } else if (action < 90) {  // even mid-drag: the hidden view's gesture is ended
      app.document().view().space = !app.document().view().space;
    } else if (action < 92) {
      app.runControls().fastForward = !app.runControls().fastForward;
    }
    ui.frame(fn);
    ASSERT_EQ(core::validateScene(app.document().scene()), "") << "frame " << f;
  }
  ui.button(0, false);
  ui.button(1, false);
  ui.frame(fn);
  ui.frame(fn);
  app.lab().setPlaying(false);
  ASSERT_LT(app.document().undoDepth(), Document::kMaxUndo) << "the log kept every entry";
  while (app.document().undo()) {
  }
  EXPECT_TRUE(sameScene(app.document().scene(), scene)) << "undo all the way gives back the start";
}

// ATTNMD_MONKEY_SEED=k shifts every seed, to hunt further with the same tests.
std::uint32_t seedShift() {
  const char* s = std::getenv("ATTNMD_MONKEY_SEED");
  return s ? static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10)) : 0u;
}

TEST(Monkey, TwoDimensionalCanvasSurvivesRandomInput) {
  monkey(randomScene(2, core::ModelKind::Prompt, 1 + seedShift()), 11 + seedShift(), 2500);
}

TEST(Monkey, ThreeDimensionalViewSurvivesRandomInput) {
  monkey(randomScene(4, core::ModelKind::Query, 2 + seedShift()), 22 + seedShift(), 2500);
}

TEST(Monkey, PanelsSurviveRandomClicks) {
  monkey(randomScene(3, core::ModelKind::Prompt, 3 + seedShift()), 33 + seedShift(), 4000, Reach::Panels);
}

}  // namespace
}  // namespace attnmd::gui
