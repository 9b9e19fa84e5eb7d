// The canvas as SVG (app/gui/views/canvas_scene.h, canvas_svg.h): a text golden for one canvas, valid XML
// (xmllint when installed), the elements a reader expects (one marker per token, rings on the selected
// tokens, the dashed SVM ray, margin lines, the legend, tick labels), escaping, and agreement with the
// canvas panel on where markers, rings and rays are.
//
// Regenerate the golden after an intended change of the drawing:
//   ATTNMD_UPDATE_GOLDENS=1 ./build/release/ui_tests --gtest_filter='CanvasSvg*'   (then look at the SVG and
//   commit it)
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "app/gui/views/canvas_panel.h"
#include "app/gui/views/canvas_svg.h"
#include "imgui_harness.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;

core::Scene promptScene() {
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
  b.tokens << 2, -1, -1.5, -0.5;
  s.sequences = {a, b};
  return s;
}

// A hand-made overlay (what theory.cpp would compute): attention values, roles, rays, margin lines.
CanvasOverlay promptOverlay() {
  CanvasOverlay ov;
  ov.model = core::ModelKind::Prompt;
  ov.tokens = {{{0.8, 1.5, 2}, {0.15, 0.75, 0.5}, {0.05, -1.5, -1}}, {{0.9, 1.5, 2}, {0.1, 0.75, 0}}};
  ov.selected = {0, 0};
  ov.optimal = {0, 0};
  ov.paramRay = Eigen::Vector2d(1, 0.4);
  ov.svmRay = Eigen::Vector2d(1, 0.25);
  ov.svmOk = true;
  ov.svmTokens = {0, 0};
  ov.support = {{0, 1, 0}, {0, 1}};
  ov.marginNormal = {Eigen::Vector2d(0.8, 0.2), Eigen::Vector2d(0.8, 0.2)};
  ov.marginOffset = {0.0, 0.4};
  ov.hint = "press Space";  // interactive only: not in exports
  return ov;
}

struct Canvas {
  core::Scene scene = promptScene();
  ViewState view;
  CanvasOverlay overlay = promptOverlay();
  CanvasStyle style;
  Canvas() {
    view.canvas = CanvasView{0.25, 0, 110};
    view.selectedSequence = 1;
  }
  CanvasTransform transform() const {
    return CanvasTransform::make(ImVec2(0, 0), ImVec2(640, 420), view.canvas);
  }
  CanvasScene build(bool interactive = false) const {
    CanvasSceneOptions o;
    o.fontSize = 15;
    o.interactive = interactive;
    return buildCanvasScene(scene, view, overlay, transform(), style, o);
  }
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool xmllintAvailable() {
  return std::system("xmllint --version > /dev/null 2>&1") == 0;
}

TEST(CanvasSvg, MatchesTheGolden) {
  const std::string svg = canvasSvg(Canvas().build());
  const fs::path golden = fs::path(ATTNMD_FIXTURES) / "golden" / "canvas.svg";
  if (const char* update = std::getenv("ATTNMD_UPDATE_GOLDENS"); update && std::string(update) == "1") {
    writeText(golden, svg);
    GTEST_SKIP() << "golden rewritten: " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " (ATTNMD_UPDATE_GOLDENS=1 writes it)";
  EXPECT_EQ(svg, readText(golden)) << "the canvas drawing changed; if intended, regenerate the golden";
}

TEST(CanvasSvg, IsValidXml) {
  if (!xmllintAvailable()) GTEST_SKIP() << "xmllint not installed (Debian: libxml2-utils)";
  TempDir dir;
  Canvas c;
  c.overlay.svmOk = false;
  c.overlay.svmMessage = "tokens <1> & \"2\" coincide";  // everything XML treats specially
  for (const CanvasScene& sc : {Canvas().build(), c.build(true)}) {
    writeText(dir.path / "c.svg", canvasSvg(sc, {true, true, "a title with <angle> & ampersand"}));
    EXPECT_EQ(std::system(("xmllint --noout " + dir.str("c.svg")).c_str()), 0)
        << readText(dir.path / "c.svg");
  }
}

TEST(CanvasSvg, ClipsWithANestedViewportThatEveryRendererDraws) {
  // ImageMagick's built-in SVG renderer drew nothing inside a clip-path group: the whole canvas was
  // blank. A nested <svg> viewport clips in browsers and rsvg, and ImageMagick draws its contents.
  const std::string svg = canvasSvg(Canvas().build());
  EXPECT_EQ(svg.find("clip-path"), std::string::npos);
  const std::size_t viewport = svg.find("<svg x=\"0\"");
  ASSERT_NE(viewport, std::string::npos);
  EXPECT_LT(viewport, svg.find("<g id=\"canvas\">"));
  EXPECT_NE(svg.find("overflow=\"hidden\""), std::string::npos);
}

TEST(CanvasSvg, SequencesBeyondTheColoursGetASecondChannelInsideTheirMarkers) {
  Canvas c;
  c.overlay = CanvasOverlay{};  // no attention yet: markers only
  const int n = sequenceColourCount(c.style.theme);
  c.scene.sequences.clear();
  for (int i = 0; i < 2 * n + 1; ++i) {  // one round, a second round, one of a third
    core::Sequence q;
    q.y = 1;
    q.tokens.resize(2, 2);
    q.tokens << 0.1 * i, 1, 0.1 * i, -1;
    c.scene.sequences.push_back(q);
  }
  const CanvasScene sc = c.build();
  const ImU32 background = palette(c.style.theme).canvasBackground;
  int innerRings = 0, bars = 0;
  for (const CanvasShape& sh : sc.shapes) {
    innerRings += sh.kind == ShapeKind::Circle && sh.color == background;
    bars += sh.kind == ShapeKind::Line && sh.color == background;
  }
  EXPECT_EQ(innerRings, 2 * n) << "the second round's 2 tokens per sequence";
  EXPECT_EQ(bars, 2) << "the third round's one sequence";
  EXPECT_EQ(sequenceColour(c.style.theme, 0), sequenceColour(c.style.theme, n)) << "colours do repeat";
}

TEST(CanvasSvg, HasTheElementsAReaderExpects) {
  const Canvas c;
  const CanvasScene sc = c.build();
  const std::string svg = canvasSvg(sc);
  // 3 + 2 tokens: circles for y = +1 (3), squares for y = -1 (2), rings on the 2 selected tokens.
  int markers = 0, rings = 0, stars = 0, diamonds = 0;
  for (const CanvasShape& s : sc.shapes) {
    markers += s.kind == ShapeKind::Marker;
    rings += s.kind == ShapeKind::Circle && s.color == palette(c.style.theme).foreground;
    stars += s.kind == ShapeKind::Star;
    diamonds += s.kind == ShapeKind::Diamond;
  }
  EXPECT_EQ(markers, 5);
  EXPECT_EQ(rings, 2);
  EXPECT_EQ(stars, 2);
  EXPECT_EQ(diamonds, 2);
  EXPECT_TRUE(sc.layout.svmRay);
  EXPECT_TRUE(sc.layout.paramRay);
  EXPECT_EQ(sc.layout.markers.size(), 5u);
  EXPECT_EQ(count(svg, "stroke-dasharray"), 1 + 1)
      << "the SVM ray and its legend icon (margin lines are solid)";
  int marginLines = 0;
  for (const CanvasShape& s : sc.shapes)
    marginLines += s.kind == ShapeKind::Line && s.color == withAlpha(sequenceColour(c.style.theme, 1), 0.55f);
  EXPECT_EQ(marginLines, 1) << "one margin line per sequence";
  EXPECT_NE(svg.find("p\xE1\xB5\x90\xE1\xB5\x90 (SVM)"), std::string::npos);
  EXPECT_NE(svg.find("<g id=\"legend\">"), std::string::npos);
  EXPECT_NE(svg.find("selected (argmax s)"), std::string::npos);
  EXPECT_NE(svg.find(">x\xE2\x82\x81</text>"), std::string::npos) << "axis names";
  EXPECT_NE(svg.find(">\xE2\x88\x92"
                     "1</text>"),
            std::string::npos)
      << "tick labels with a real minus";
  EXPECT_EQ(svg.find("press Space"), std::string::npos) << "the start hint is not exported";
  EXPECT_NE(canvasSvg(c.build(true)).find("press Space"), std::string::npos);
  const std::regex size("width=\"640\" height=\"([0-9.]+)\"");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, size));
  EXPECT_NEAR(std::stod(m[1]), 420 + canvasSvgLegendHeight(sc), 0.01);
  const std::string bare = canvasSvg(sc, {false, false, ""});
  EXPECT_EQ(bare.find("legend"), std::string::npos);
  EXPECT_NE(bare.find("height=\"420\""), std::string::npos);
}

TEST(CanvasSvg, QueryModelDrawsArrowsFromEachQuery) {
  Canvas c;
  c.scene.model.kind = core::ModelKind::Query;
  c.overlay.model = core::ModelKind::Query;
  c.overlay.paramQueries = {Eigen::Vector2d(1, 0), Eigen::Vector2d(0, 1)};
  c.overlay.svmQueries = {Eigen::Vector2d(1, 0.1), Eigen::Vector2d(0.1, 1)};
  const CanvasScene sc = c.build();
  int arrows = 0, dashed = 0;
  for (const CanvasShape& s : sc.shapes) {
    arrows += s.kind == ShapeKind::Arrow;
    dashed += s.kind == ShapeKind::DashedArrow;
  }
  EXPECT_EQ(arrows, 2 + 1) << "W z_i per sequence, and v";
  EXPECT_EQ(dashed, 2);
  EXPECT_FALSE(sc.layout.svmRay);
}

// The panel draws from the same description: what it reports having drawn is what the SVG has.
TEST(CanvasSvg, AgreesWithTheCanvasPanel) {
  testing::ImGuiHarness ui;
  const Canvas c;
  Document doc(DocState{c.scene, {}});
  doc.view() = c.view;
  doc.view().layers.legend = false;
  CanvasPanel panel;
  auto draw = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(640, 420));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("canvas", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    panel.draw(doc, c.overlay, c.style);
    ImGui::End();
    ImGui::PopStyleVar();
  };
  ui.frame(draw);
  ui.frame(draw);
  const CanvasLayout& p = panel.layout();
  const CanvasScene sc = buildCanvasScene(doc.scene(), doc.view(), c.overlay, p.transform, c.style);
  ASSERT_EQ(sc.layout.markers.size(), p.markers.size());
  for (std::size_t k = 0; k < p.markers.size(); ++k) {
    EXPECT_FLOAT_EQ(sc.layout.markers[k].center.x, p.markers[k].center.x);
    EXPECT_FLOAT_EQ(sc.layout.markers[k].center.y, p.markers[k].center.y);
    EXPECT_FLOAT_EQ(sc.layout.markers[k].radius, p.markers[k].radius);
    EXPECT_FLOAT_EQ(sc.layout.markers[k].ringRadius, p.markers[k].ringRadius);
  }
  EXPECT_EQ(sc.layout.svmRay, p.svmRay);
  EXPECT_FLOAT_EQ(sc.layout.svmRayTo.x, p.svmRayTo.x);
  EXPECT_FLOAT_EQ(sc.layout.svmRayTo.y, p.svmRayTo.y);
  EXPECT_FLOAT_EQ(sc.layout.vTip.x, p.vTip.x);
}

}  // namespace
}  // namespace attnmd::gui
