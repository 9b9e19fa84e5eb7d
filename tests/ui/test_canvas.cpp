// Canvas interactions through ImGui with simulated input: each mouse gesture becomes the right
// command on the document, a drag is one undo entry, pan/zoom never touch the document.
#include <gtest/gtest.h>

#include "app/gui/views/canvas_panel.h"
#include "app/gui/views/canvas_scene.h"
#include "imgui_harness.h"

namespace attnmd::gui {
namespace {

using testing::ImGuiHarness;

core::Scene scene() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(0, 1.5);
  core::Sequence a, b;
  a.y = 1;
  a.tokens.resize(3, 2);
  a.tokens << 1, 1, -1, 0.5, 0.5, -1;
  b.y = -1;
  b.tokens.resize(2, 2);
  b.tokens << 2, -1, -2, -0.5;
  s.sequences = {a, b};
  return s;
}

struct CanvasFixture : ::testing::Test {
  ImGuiHarness ui;
  Document doc{DocState{scene(), {}}};
  CanvasPanel canvas;
  CanvasOverlay overlay;  // no run: markers have their neutral size
  CanvasStyle style;

  CanvasFixture() {
    doc.view().canvas = CanvasView{0, 0, 100};  // world origin at the canvas centre, 100 px per unit
    doc.view().layers.legend = false;           // the legend strip would take the top rows
  }
  // The canvas fills a window at (0,0) of 1000x800 pixels, so the world origin is at (500, 400).
  void draw() {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(1000, 800));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("canvas", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    canvas.draw(doc, overlay, style);
    ImGui::End();
    ImGui::PopStyleVar();
  }
  std::function<void()> fn() {
    return [this] { draw(); };
  }
  ImVec2 screen(double x, double y) const { return canvas.layout().transform.toScreen(x, y); }
  ImVec2 tokenAt(int seq, int t) const {
    const auto& X = doc.scene().sequences[static_cast<std::size_t>(seq)].tokens;
    return screen(X(t, 0), X(t, 1));
  }
};

TEST_F(CanvasFixture, TransformPutsTheOriginAtTheCentre) {
  ui.frame(fn());
  const ImVec2 o = screen(0, 0);
  EXPECT_NEAR(o.x, 500, 0.5);
  EXPECT_NEAR(o.y, 400, 0.5);
  const ImVec2 p = screen(1, 1);
  EXPECT_NEAR(p.x - o.x, 100, 1e-3);
  EXPECT_NEAR(p.y - o.y, -100, 1e-3) << "x_2 points up";
  ASSERT_EQ(canvas.layout().markers.size(), 5u);
}

TEST_F(CanvasFixture, LegendIsAStripAboveTheCanvas) {
  doc.view().layers.legend = true;
  ui.frame(fn());
  const auto& t = canvas.layout().transform;
  EXPECT_GT(t.min.y, ImGui::GetFontSize()) << "the legend takes rows above the data";
  EXPECT_NEAR(t.max.y, 800, 0.5);
  EXPECT_NEAR(t.max.x - t.min.x, 1000, 0.5);
}

// A stray click on empty canvas in front of a class must not add a token (and restart a trained run):
// adding takes a double-click.
TEST_F(CanvasFixture, DoubleClickOnEmptySpaceAddsATokenToTheSelectedSequenceAClickDoesNot) {
  doc.view().selectedSequence = 1;
  ui.frame(fn());
  const ImVec2 p = screen(-3.0, 2.0);
  ui.click(ImGuiMouseButton_Left, p, fn());
  EXPECT_EQ(doc.scene().sequences[1].tokens.rows(), 2) << "one click adds nothing";
  EXPECT_EQ(doc.undoDepth(), 0u);
  for (int k = 0; k < 30; ++k) ui.frame(fn());  // past ImGui's double-click time
  ui.doubleClick(ImGuiMouseButton_Left, p, fn());
  ASSERT_EQ(doc.scene().sequences[1].tokens.rows(), 3);
  for (int k = 0; k < 2; ++k) {  // placed at 100 px per unit: two decimals, never 1.5345454545
    const double c = doc.scene().sequences[1].tokens(2, k);
    EXPECT_EQ(c, std::round(c * 100) / 100) << c;
  }
  EXPECT_NEAR(doc.scene().sequences[1].tokens(2, 0), -3.0, 0.011);
  EXPECT_NEAR(doc.scene().sequences[1].tokens(2, 1), 2.0, 0.011);
  EXPECT_EQ(doc.undoDepth(), 1u);
  EXPECT_EQ(doc.undoName(), "add a token to sequence 1");
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.scene().sequences[1].tokens.rows(), 2);
}

TEST(CanvasPlacement, MousePlacedCoordinatesAreRoundedToAPixelOrSnappedToTheGrid) {
  EXPECT_EQ(placementStep(100, 1.f, false), 0.01);
  EXPECT_EQ(placementStep(37, 1.f, false), 0.01);
  EXPECT_EQ(placementStep(0.5, 1.f, false), 1);
  EXPECT_EQ(placementStep(100, 1.f, true), niceGridStep(100, 70));
  EXPECT_EQ(roundToStep(1.5345454545, 0.01), 1.53);
  EXPECT_EQ(roundToStep(-2.004999, 0.01), -2.0);
  EXPECT_EQ(roundToStep(7.4, 5), 5);
  EXPECT_DOUBLE_EQ(roundToStep(1e300, 0.01), 1e300) << "no overflow to inf";
  EXPECT_EQ(roundToStep(1.7e308, 0.01), 1.7e308) << "x * 100 overflows: unchanged";
  EXPECT_EQ(roundToStep(0.123, 0), 0.123) << "no step (a degenerate view): unchanged";
}

TEST_F(CanvasFixture, DragMovesATokenAsOneUndoEntry) {
  ui.frame(fn());
  const Eigen::RowVector2d start = doc.scene().sequences[0].tokens.row(0);
  const ImVec2 from = tokenAt(0, 0);
  const ImVec2 to = screen(2.5, 2.0);
  ui.drag(ImGuiMouseButton_Left, from, to, 12, fn());
  EXPECT_NEAR(doc.scene().sequences[0].tokens(0, 0), 2.5, 0.011);
  EXPECT_NEAR(doc.scene().sequences[0].tokens(0, 1), 2.0, 0.011);
  EXPECT_EQ(doc.scene().sequences[0].tokens.rows(), 3) << "no token added";
  EXPECT_EQ(doc.undoDepth(), 1u) << "a drag is one undo entry";
  EXPECT_EQ(doc.view().selectedSequence, 0);
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.scene().sequences[0].tokens.row(0), start);
}

TEST_F(CanvasFixture, RightClickDeletesAndKeepsTwoTokens) {
  ui.frame(fn());
  ui.click(ImGuiMouseButton_Right, tokenAt(0, 1), fn());
  EXPECT_EQ(doc.scene().sequences[0].tokens.rows(), 2);
  EXPECT_EQ(doc.undoName(), "delete token 1 of sequence 0");
  // Sequence 1 has two tokens: deleting one is refused with a message, nothing changes.
  const auto depth = doc.undoDepth();
  ui.click(ImGuiMouseButton_Right, tokenAt(1, 0), fn());
  EXPECT_EQ(doc.scene().sequences[1].tokens.rows(), 2);
  EXPECT_EQ(doc.undoDepth(), depth);
  EXPECT_NE(canvas.takeMessage().find("at least 2 tokens"), std::string::npos);
}

TEST_F(CanvasFixture, DeleteHoveredToken) {
  ui.frame(fn());
  ui.mouseTo(tokenAt(0, 2));
  ui.frame(fn());
  ui.frame(fn());
  ASSERT_EQ(canvas.hovered(), (TokenRef{0, 2}));
  canvas.deleteHoveredOrActive(doc);
  EXPECT_EQ(doc.scene().sequences[0].tokens.rows(), 2);
}

TEST_F(CanvasFixture, RightDragPansWithoutTouchingTheDocument) {
  ui.frame(fn());
  const auto rev = doc.revision();
  const ImVec2 a(300, 300);
  ui.drag(ImGuiMouseButton_Right, a, ImVec2(400, 250), 5, fn());
  EXPECT_EQ(doc.revision(), rev);
  EXPECT_NEAR(doc.view().canvas.centerX, -1.0, 1e-6);
  EXPECT_NEAR(doc.view().canvas.centerY, -0.5, 1e-6);
  EXPECT_EQ(doc.scene().sequences[0].tokens.rows(), 3) << "a right drag over empty space deletes nothing";
}

TEST_F(CanvasFixture, WheelZoomKeepsThePointUnderTheMouse) {
  ui.frame(fn());
  const ImVec2 m(700, 300);
  const Eigen::Vector2d before = canvas.layout().transform.toWorld(m);
  ui.mouseTo(m);
  ui.wheel(2.f);
  ui.frame(fn());
  ui.frame(fn());
  EXPECT_GT(doc.view().canvas.pixelsPerUnit, 100);
  const Eigen::Vector2d after = canvas.layout().transform.toWorld(m);
  EXPECT_NEAR((after - before).norm(), 0, 1e-9);
}

TEST_F(CanvasFixture, DraggingTheTipOfVSetsV) {
  ui.frame(fn());
  ui.drag(ImGuiMouseButton_Left, screen(0, 1.5), screen(1.0, 1.0), 6, fn());
  EXPECT_NEAR(doc.scene().model.v(0), 1.0, 0.011);
  EXPECT_NEAR(doc.scene().model.v(1), 1.0, 0.011);
  EXPECT_EQ(doc.undoDepth(), 1u);
  EXPECT_EQ(doc.undoName(), "set v");
}

TEST_F(CanvasFixture, PickModeClickPicksTheSvmToken) {
  doc.view().pickSvmTokens = true;
  ui.frame(fn());
  ui.click(ImGuiMouseButton_Left, tokenAt(1, 1), fn());
  EXPECT_EQ(doc.experiment().svmTokens, SvmTokens::Picked);
  ASSERT_EQ(doc.experiment().pickedTokens.size(), 2u);
  EXPECT_EQ(doc.experiment().pickedTokens[1], 1);
  EXPECT_EQ(doc.scene().sequences[1].tokens.rows(), 2) << "picking does not edit data";
  // Clicking empty space while picking adds nothing.
  ui.click(ImGuiMouseButton_Left, screen(-3, -3), fn());
  EXPECT_EQ(doc.scene().sequences[0].tokens.rows(), 3);
}

TEST_F(CanvasFixture, FitShowsEveryToken) {
  doc.view().canvas = CanvasView{40, -30, 3};  // far away and zoomed out
  canvas.fit(doc);
  ui.frame(fn());
  const auto& t = canvas.layout().transform;
  for (const auto& m : canvas.layout().markers) {
    EXPECT_GT(m.center.x, t.min.x);
    EXPECT_LT(m.center.x, t.max.x);
    EXPECT_GT(m.center.y, t.min.y);
    EXPECT_LT(m.center.y, t.max.y);
  }
  EXPECT_GT(doc.view().canvas.pixelsPerUnit, 50) << "fitted, not tiny";
}

// The view says whether it is the automatic fit (saved with the document, so a document reopened in
// another window fits again): after a fit yes, after a wheel zoom or a right-drag pan no, after F again.
TEST_F(CanvasFixture, ViewKnowsWhetherItIsTheAutomaticFit) {
  EXPECT_FALSE(doc.view().canvas.fitted) << "a view the fixture set";
  ui.frame(fn());
  EXPECT_FALSE(doc.view().canvas.fitted);
  canvas.fit(doc);
  ui.frame(fn());
  EXPECT_TRUE(doc.view().canvas.fitted);
  ui.mouseTo(ImVec2(700, 300));
  ui.wheel(1.f);
  ui.frame(fn());
  ui.frame(fn());
  EXPECT_FALSE(doc.view().canvas.fitted) << "zoomed";
  canvas.fit(doc);
  ui.frame(fn());
  EXPECT_TRUE(doc.view().canvas.fitted);
  ui.drag(ImGuiMouseButton_Right, ImVec2(300, 300), ImVec2(400, 250), 5, fn());
  EXPECT_FALSE(doc.view().canvas.fitted) << "panned";
}

TEST_F(CanvasFixture, OverlayDrivesMarkerSizesRingsAndRays) {
  overlay.tokens = {{{0.9, 1, 0}, {0.05, 0, 0}, {0.05, 0, 0}}, {{0.5, 0, 0}, {0.5, 0, 0}}};
  overlay.selected = {0, 1};
  overlay.optimal = {0, 0};
  overlay.model = core::ModelKind::Prompt;
  overlay.paramRay = Eigen::Vector2d(1, 0);
  overlay.svmOk = true;
  overlay.svmRay = Eigen::Vector2d(1, 1);
  ui.frame(fn());
  const auto& L = canvas.layout();
  ASSERT_EQ(L.markers.size(), 5u);
  EXPECT_GT(L.markers[0].radius, L.markers[1].radius) << "attention weight as marker size";
  EXPECT_GT(L.markers[0].ringRadius, 0) << "selected token ringed";
  EXPECT_EQ(L.markers[1].ringRadius, 0);
  EXPECT_GT(L.markers[4].ringRadius, 0);
  ASSERT_TRUE(L.paramRay);
  ASSERT_TRUE(L.svmRay);
  // The SVM ray leaves the origin at 45 degrees (screen y points down).
  const float dx = L.svmRayTo.x - L.svmRayFrom.x, dy = L.svmRayTo.y - L.svmRayFrom.y;
  EXPECT_NEAR(dx, -dy, 1e-2);
  EXPECT_GT(dx, 0);
  // Infeasible: no SVM ray, a notice instead.
  overlay.svmOk = false;
  overlay.svmMessage = "token 1 of sequence 0 equals the selected token";
  ui.frame(fn());
  EXPECT_FALSE(canvas.layout().svmRay);
  EXPECT_TRUE(canvas.layout().svmNotice);
}

// A notice wider than the canvas wraps at spaces (here 10 px per character, a canvas 232 px wide leaves
// 200 px = 20 characters per line); a short one stays on one line; a word longer than a line stays whole.
TEST(CanvasNotice, LongMessagesWrapAtSpacesToFitTheCanvas) {
  const auto width = [](const std::string& t) { return 10.f * static_cast<float>(t.size()); };
  const ImVec2 mn(0, 0), mx(232, 500);
  EXPECT_EQ(wrapNotice("infeasible SVM", mn, mx, 1.f, width), std::vector<std::string>{"infeasible SVM"});
  const auto lines =
      wrapNotice("No max-margin direction: sequence 0 has its selected token at zero", mn, mx, 1.f, width);
  EXPECT_EQ(lines, (std::vector<std::string>{"No max-margin", "direction: sequence", "0 has its selected",
                                             "token at zero"}));
  for (const std::string& l : lines) EXPECT_LE(width(l), 200.f) << l;
  EXPECT_EQ(wrapNotice("a abcdefghijklmnopqrstuvwxyz b", mn, mx, 1.f, width),
            (std::vector<std::string>{"a", "abcdefghijklmnopqrstuvwxyz", "b"}));
  EXPECT_EQ(wrapNotice("", mn, mx, 1.f, width), std::vector<std::string>{""});
}

// The hint wraps between its phrases when the canvas is narrow (1280x720 at UI scale 2 cut it at both
// ends), a phrase wider than the canvas at its spaces; a short canvas keeps its first line, near the
// bottom edge.
TEST(CanvasNotice, TheHintWrapsBetweenItsPhrasesAndStaysNearTheBottom) {
  const auto width = [](const std::string& t) { return 10.f * static_cast<float>(t.size()); };
  const std::string dot = " \xC2\xB7 ";
  const std::string hint = "Press Space to train" + dot + "drag tokens or the tip of v" + dot + "F1 for help";
  EXPECT_EQ(wrapHint(hint, ImVec2(0, 0), ImVec2(1000, 600), 1.f, 20.f, width),
            std::vector<std::string>{hint});
  EXPECT_EQ(wrapHint(hint, ImVec2(0, 0), ImVec2(500, 600), 1.f, 20.f, width),
            (std::vector<std::string>{"Press Space to train",
                                      "drag tokens or the tip of v" + dot + "F1 for help"}));
  EXPECT_EQ(
      wrapHint(hint, ImVec2(0, 0), ImVec2(232, 600), 1.f, 20.f, width),
      (std::vector<std::string>{"Press Space to train", "drag tokens or the", "tip of v", "F1 for help"}));
  EXPECT_EQ(wrapHint(hint, ImVec2(0, 0), ImVec2(232, 190), 1.f, 20.f, width),
            std::vector<std::string>{"Press Space to train"})
      << "a canvas under ten lines tall keeps the first line";
  // Placement: centred, inside, and in a canvas of 210 px at scale 2 within its bottom quarter.
  const ImVec2 size(400, 60);
  const ImVec2 p = hintPosition(ImVec2(100, 50), ImVec2(700, 260), size, 2.f);
  EXPECT_NEAR(p.x, 200, 1e-3);
  EXPECT_GE(p.y, 50);
  EXPECT_LE(p.y + size.y, 260);
  EXPECT_GE(p.y + size.y, 260 - 0.25f * 210);
  const ImVec2 tall = hintPosition(ImVec2(0, 0), ImVec2(800, 900), ImVec2(300, 20), 1.f);
  EXPECT_NEAR(tall.y, 900 - 20 - 30, 1e-3) << "a tall canvas keeps the 30 px above the axis labels";
}

// An automatic fit keeps every token at least the edge padding inside the canvas, in a large canvas and
// in the small one of a projector at UI scale 2 (where rings were cut at the edges).
TEST(CanvasFit, TokensKeepTheEdgePaddingInLargeAndSmallCanvases) {
  core::Scene s;
  s.dim = 2;
  s.model.v = Eigen::Vector2d(0, 1);
  core::Sequence q;
  q.y = 1;
  q.tokens.resize(3, 2);
  q.tokens << -2, -1, 3, 2, 0.5, 4;
  s.sequences.push_back(q);
  for (const ImVec2 size : {ImVec2(900, 700), ImVec2(560, 210)})
    for (const float pad : {0.f, 32.f}) {
      const CanvasView view = fitView(s, size, pad);
      const CanvasTransform T = CanvasTransform::make(ImVec2(0, 0), size, view);
      for (Eigen::Index t = 0; t < q.tokens.rows(); ++t) {
        const ImVec2 at = T.toScreen(q.tokens(t, 0), q.tokens(t, 1));
        EXPECT_GE(at.x, pad) << size.x << "x" << size.y << " pad " << pad << " token " << t;
        EXPECT_LE(at.x, size.x - pad) << size.x << "x" << size.y << " pad " << pad << " token " << t;
        EXPECT_GE(at.y, pad) << size.x << "x" << size.y << " pad " << pad << " token " << t;
        EXPECT_LE(at.y, size.y - pad) << size.x << "x" << size.y << " pad " << pad << " token " << t;
      }
    }
}

}  // namespace
}  // namespace attnmd::gui
