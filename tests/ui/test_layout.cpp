// The main screen's layout on projectors and small windows: panels resize with splitters, hide, and
// the canvas and plots keep readable sizes (the plots scroll instead of shrinking).
#include <GLFW/glfw3.h>
#include <gtest/gtest.h>

#include <functional>

#include "app/common/assets.h"
#include "app/gui/app.h"
#include "app/gui/layout.h"
#include "app/plot/frame.h"
#include "app/plot/run_plots.h"
#include "app/state/document_io.h"
#include "tests/ui/imgui_harness.h"

namespace attnmd::gui {
namespace {

LayoutInput projector(float w, float h, float scale) {
  LayoutInput in;
  in.width = w;
  in.height = h;
  in.scale = scale;
  in.menuHeight = 20 * scale;
  in.statusHeight = 26 * scale;
  in.runsHeight = 60 * scale;
  in.timelineHeight = 60 * scale;
  in.heatmapPreferred = 200 * scale;
  return in;
}

void expectTiles(const ScreenLayout& l, const LayoutInput& in) {
  // Side by side without gaps or overlap, and inside the window.
  const float left = l.controls.empty() ? 0.f : l.controls.right();
  EXPECT_FLOAT_EQ(l.canvas.x, left);
  EXPECT_FLOAT_EQ(l.runs.x, left);
  if (!l.plots.empty()) {
    EXPECT_FLOAT_EQ(l.plots.x, l.canvas.right());
    EXPECT_FLOAT_EQ(l.plots.right(), in.width);
  } else {
    EXPECT_FLOAT_EQ(l.canvas.right(), in.width);
  }
  EXPECT_FLOAT_EQ(l.canvas.y, l.runs.bottom());
  EXPECT_FLOAT_EQ(l.timeline.y, l.canvas.bottom());
  if (!l.heatmap.empty()) {
    EXPECT_FLOAT_EQ(l.heatmap.y, l.timeline.bottom());
  }
}

TEST(Layout, ProjectorSizesKeepTheCanvasLargeAndEveryPanelInside) {
  for (auto [w, h] : {std::pair{1280.f, 720.f}, {1024.f, 768.f}, {1600.f, 1000.f}})
    for (float scale : {1.f, 1.5f, 2.f, 3.f}) {
      SCOPED_TRACE(::testing::Message() << w << "x" << h << " scale " << scale);
      const LayoutInput in = projector(w, h, scale);
      const ScreenLayout l = layoutScreen(in);
      expectTiles(l, in);
      EXPECT_GE(l.canvas.w, 240.f);
      const float body = h - in.menuHeight - in.statusHeight;
      EXPECT_GE(l.canvas.h + l.runs.h + l.timeline.h, 0.45f * body - 1);
    }
}

// UI scale 2 in 1280x720 with the runs strip and timeline as tall as the app makes them there: the
// canvas alone keeps 45% of the height; the heat map makes way, and comes back with room.
TEST(Layout, AtUiScaleTwoInASmallWindowTheCanvasKeepsItsShare) {
  LayoutInput in = projector(1280, 720, 2);
  in.runsHeight = 80 * 2;
  in.timelineHeight = 70 * 2;
  const ScreenLayout l = layoutScreen(in);
  expectTiles(l, in);
  const float body = 720 - in.menuHeight - in.statusHeight;
  EXPECT_GE(l.canvas.h, 0.45f * body - 1);
  EXPECT_TRUE(l.heatmap.empty());
  in.height = 1200;
  EXPECT_FALSE(layoutScreen(in).heatmap.empty()) << "with room the heat map is back";
}

TEST(Layout, HidingAPanelGivesItsRoomToTheCanvas) {
  LayoutInput in = projector(1280, 720, 1);
  const ScreenLayout all = layoutScreen(in);
  in.panels.showControls = false;
  const ScreenLayout noControls = layoutScreen(in);
  EXPECT_TRUE(noControls.controls.empty());
  EXPECT_TRUE(noControls.controlsSplitter.empty());
  EXPECT_FLOAT_EQ(noControls.canvas.w, all.canvas.w + all.controls.w);
  in.panels.showPlots = false;
  in.panels.showHeatmap = false;
  const ScreenLayout canvasOnly = layoutScreen(in);
  expectTiles(canvasOnly, in);
  EXPECT_FLOAT_EQ(canvasOnly.canvas.w, 1280.f);
  EXPECT_TRUE(canvasOnly.heatmap.empty());
  EXPECT_GT(canvasOnly.canvas.h, all.canvas.h);
}

TEST(Layout, DraggingASplitterResizesWithinLimitsAndHidesAtTheEdge) {
  PanelSettings p;
  p = dragSplitter(p, Splitter::Plots, 600, 2);
  EXPECT_FLOAT_EQ(p.plotsWidth, 300);  // stored unscaled: the size follows the UI scale
  LayoutInput in = projector(1600, 1000, 2);
  in.panels = p;
  EXPECT_FLOAT_EQ(layoutScreen(in).plots.w, 600);
  in.panels = dragSplitter(p, Splitter::Plots, 1500, 2);  // wider than the window allows
  const ScreenLayout wide = layoutScreen(in);
  expectTiles(wide, in);
  EXPECT_GE(wide.canvas.w, 240.f);
  EXPECT_LE(wide.plots.w, 0.45f * 1600 + 0.5f);
  p = dragSplitter(p, Splitter::Plots, kCollapsePx - 1, 2);
  EXPECT_FALSE(p.showPlots);
  p = dragSplitter(p, Splitter::Heatmap, 10, 1);
  EXPECT_FALSE(p.showHeatmap);
  p = dragSplitter(p, Splitter::Controls, 500, 1);
  EXPECT_FLOAT_EQ(p.controlsWidth, 500);
}

TEST(Layout, APlotKeepsItsMinimumAreaHowEverLongItsLegendTheFigureGrowsInstead) {
  plot::RunPlotInput run;
  run.name = "run";
  for (int k = 0; k <= 100; ++k) {
    core::MetricsPoint m;
    m.iter = k;
    m.loss = 1.0 / (1 + k);
    run.points.push_back(m);
  }
  const std::vector<plot::RunPlotInput> runs{run};
  const plot::Figure figure = plot::buildRunFigure(runs);
  plot::FrameOptions o;
  o.width = 330;  // a narrow plots panel at 1280x720: legends take several rows
  o.height = 500;
  o.fontSize = 13;
  o.minAreaHeight = 6 * 13;
  const plot::FigureFrame f = plot::buildFrame(figure, plot::ViewState{}, o);
  ASSERT_GE(f.plots.size(), 4u);
  EXPECT_GT(f.height, o.height) << "five plots with their legends do not fit 500 px";
  for (const plot::PlotFrame& p : f.plots) {
    EXPECT_GE(p.area.h, o.minAreaHeight - 1e-9);
    EXPECT_LE(p.area.bottom(), f.height);
  }
  for (std::size_t i = 1; i < f.plots.size(); ++i)  // in order, no overlap
    EXPECT_GE(f.plots[i].outer.y, f.plots[i - 1].area.bottom());
  o.height = 5000;  // room to spare: the figure keeps the height it was given
  EXPECT_DOUBLE_EQ(plot::buildFrame(figure, plot::ViewState{}, o).height, 5000);
}

// The app on a 1280x720 projector with the default scene (the one a lecturer starts from).
struct ProjectorApp : ::testing::Test {
  static DocState defaultScene() {
    const OpenedDocument opened =
        openDocumentText(readAsset("assets/scenes/default.json").value_or(""), "default");
    EXPECT_TRUE(opened.ok) << opened.error;
    return opened.doc.state;
  }
  ::attnmd::gui::testing::ImGuiHarness ui{ImVec2(1280, 720)};
  App app{defaultScene(), Preferences{}, ViewState{}, TrainerMode::Synchronous};
  std::function<void()> fn = [this] { app.frame(); };
};

TEST_F(ProjectorApp, SplittersAndTheViewMenuResizeAndHidePanels) {
  ui.frame(fn);
  ui.frame(fn);
  const ScreenLayout before = app.layout();
  ASSERT_FALSE(before.plotsSplitter.empty());
  // Drag the border between canvas and plots 200 px to the left: the plots widen by 200.
  const ImVec2 grab(before.plotsSplitter.x + 0.5f * before.plotsSplitter.w, before.plots.y + 300);
  ui.drag(0, grab, ImVec2(grab.x - 200, grab.y), 10, fn);
  ui.frame(fn);
  EXPECT_NEAR(app.layout().plots.w, before.plots.w + 200, 2);
  EXPECT_NEAR(app.layout().canvas.w, before.canvas.w - 200, 2);
  // Dragged to the window's right edge: hidden, and the canvas takes the room.
  const ImVec2 grab2(app.layout().plotsSplitter.x + 0.5f * app.layout().plotsSplitter.w, grab.y);
  ui.drag(0, grab2, ImVec2(1279, grab.y), 20, fn);
  ui.frame(fn);
  EXPECT_FALSE(app.panels().showPlots);
  EXPECT_TRUE(app.layout().plots.empty());
  EXPECT_FLOAT_EQ(app.layout().canvas.right(), 1280);
  app.panels().showPlots = true;  // as the View menu does
  ui.frame(fn);
  EXPECT_FALSE(app.layout().plots.empty());
}

TEST_F(ProjectorApp, F11PresentsTheCanvasAndOnePlotLocksEditsAndEscRestoresEverything) {
  ui.frame(fn);
  app.panels().plotsWidth = 300;  // the user's own layout, which presenting must give back
  ui.frame(fn);
  const float scale = app.preferences().uiScale;
  ui.tap(GLFW_KEY_F11, fn);
  ui.frame(fn);
  EXPECT_TRUE(app.presenting());
  EXPECT_EQ(app.takeFullscreenRequest(), std::optional<bool>(true));
  EXPECT_GT(app.preferences().uiScale, scale);
  EXPECT_TRUE(app.layout().controls.empty());
  EXPECT_TRUE(app.layout().heatmap.empty());
  EXPECT_TRUE(app.layout().runs.empty()) << "one run: no runs strip";
  ASSERT_FALSE(app.layout().plots.empty());
  ui.frame(fn);
  EXPECT_EQ(app.plotsPanel().onlyPlot, app.presentationPlot);

  // A stray click and a double-click on empty canvas, a drag of a token, Delete: nothing changes.
  const core::Scene before = app.document().scene();
  const Rect c = app.layout().canvas;
  const ImVec2 empty(c.x + 0.9f * c.w, c.y + 0.9f * c.h);
  ui.click(0, empty, fn);
  ui.doubleClick(0, empty, fn);
  const auto& X = before.sequences[0].tokens;
  const ImVec2 token = app.canvasLayout().transform.toScreen(X(0, 0), X(0, 1));
  ui.drag(0, token, ImVec2(token.x + 80, token.y + 40), 8, fn);
  ui.tap(GLFW_KEY_DELETE, fn);
  EXPECT_EQ(app.document().scene().sequences.size(), before.sequences.size());
  EXPECT_TRUE(app.document().scene().sequences[0].tokens.isApprox(X));
  EXPECT_FALSE(app.document().canUndo());
  // A right click on a token deletes nothing either; but the view still zooms and pans, to show a
  // detail to the class.
  ui.click(1, token, fn);
  EXPECT_TRUE(app.document().scene().sequences[0].tokens.isApprox(X));
  const CanvasView viewBefore = app.document().view().canvas;
  ui.mouseTo(empty);
  ui.wheel(2.f);
  ui.frame(fn);
  ui.wheel(0.f);
  ui.frame(fn);
  EXPECT_GT(app.document().view().canvas.pixelsPerUnit, viewBefore.pixelsPerUnit * 1.2);
  ui.drag(1, empty, ImVec2(empty.x - 120, empty.y - 60), 8, fn);
  EXPECT_NE(app.document().view().canvas.centerX, viewBefore.centerX);
  EXPECT_FALSE(app.document().canUndo());

  // Space still trains.
  ui.tap(GLFW_KEY_SPACE, fn);
  EXPECT_TRUE(app.lab().playing());
  ui.tap(GLFW_KEY_SPACE, fn);

  ui.tap(GLFW_KEY_ESCAPE, fn);
  ui.frame(fn);
  EXPECT_FALSE(app.presenting());
  EXPECT_EQ(app.takeFullscreenRequest(), std::optional<bool>(false));
  EXPECT_EQ(app.preferences().uiScale, scale);
  EXPECT_FALSE(app.layout().controls.empty());
  EXPECT_FALSE(app.layout().heatmap.empty());
  EXPECT_FLOAT_EQ(app.panels().plotsWidth, 300);
  ui.frame(fn);
  EXPECT_EQ(app.plotsPanel().onlyPlot, -1);
}

TEST_F(ProjectorApp, TheCanvasPngIncludesTheLegendStripAsTheSvgDoes) {
  ui.frame(fn);
  ui.frame(fn);
  const ExportSources src = app.exportSources();
  ASSERT_TRUE(app.document().view().layers.legend);
  EXPECT_LT(src.canvasPngMin().y, src.canvas.min.y - 10.f) << "the strip above the canvas";
  EXPECT_GE(src.canvasPngMin().y, app.layout().canvas.y);
  app.document().view().layers.legend = false;
  ui.frame(fn);
  ui.frame(fn);
  EXPECT_NEAR(app.exportSources().canvasPngMin().y, app.exportSources().canvas.min.y, 1.f);
}

}  // namespace
}  // namespace attnmd::gui
