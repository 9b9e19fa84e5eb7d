// The canvas through the real OpenGL3 backend, in a hidden GLFW window (Xvfb in CI): a few pixels whose
// positions follow from the canvas transform must have the colours the palette gives them. Without a
// display or a GL 3.3 context the tests are SKIPPED, never passed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "app/gui/views/canvas_panel.h"
#include "app/gui/platform/fonts.h"
#include "app/gui/platform/platform.h"

namespace attnmd::gui {
namespace {

struct Rgb {
  int r, g, b;
};
Rgb rgbOf(ImU32 c) {
  return {static_cast<int>((c >> IM_COL32_R_SHIFT) & 0xFF), static_cast<int>((c >> IM_COL32_G_SHIFT) & 0xFF),
          static_cast<int>((c >> IM_COL32_B_SHIFT) & 0xFF)};
}
int distance(const Image& img, ImVec2 p, Rgb c) {
  // ImGui pixel (i, j) covers [i, i+1) x [j, j+1): a point lies in pixel floor(p).
  const int x = static_cast<int>(std::floor(p.x)), y = static_cast<int>(std::floor(p.y));
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return 1000;
  const std::uint8_t* px = img.pixel(x, y);
  return std::abs(px[0] - c.r) + std::abs(px[1] - c.g) + std::abs(px[2] - c.b);
}

core::Scene scene() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(-1.5, -1.0);  // v points away from the probed ray
  core::Sequence a, b;
  a.y = 1;
  a.tokens.resize(3, 2);
  a.tokens << 2, 1, -1.5, 1.5, 0.5, -1.5;
  b.y = -1;
  b.tokens.resize(2, 2);
  b.tokens << -2, -0.5, 1.5, -1.8;
  s.sequences = {a, b};
  return s;
}

class CanvasRender : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display) GTEST_SKIP() << "no DISPLAY: run under xvfb-run to test rendering";
    std::string error;
    PlatformOptions o;
    o.width = 900;
    o.height = 700;
    o.visible = false;
    o.vsync = false;
    platform_ = Platform::create(o, error);
    if (!platform_) GTEST_SKIP() << "no GL 3.3 context: " << error;
    buildFonts(*ImGui::GetIO().Fonts, 1.f, "");  // the built-in font: no dependence on installed fonts
  }

  // Renders `frames` frames of a full-window canvas and returns the last one.
  Image render(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style, int frames = 3) {
    Image img;
    for (int k = 0; k < frames; ++k) {
      platform_->processEvents(0);
      platform_->beginFrame();
      const ImGuiIO& io = ImGui::GetIO();
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(io.DisplaySize);
      ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
      ImGui::Begin("canvas", nullptr, ImGuiWindowFlags_NoDecoration);
      canvas_.draw(doc, overlay, style);
      ImGui::End();
      ImGui::PopStyleVar();
      platform_->endFrame(ImVec4(1, 0, 1, 1), k + 1 == frames ? &img : nullptr);
    }
    return img;
  }

  std::unique_ptr<Platform> platform_;
  CanvasPanel canvas_;
};

TEST_F(CanvasRender, MarkersRingsRayAndBackgroundHaveTheirColours) {
  for (ThemeKind theme : {ThemeKind::Light, ThemeKind::Dark}) {
    SCOPED_TRACE(core::enumName(theme));
    Document doc(DocState{scene(), {}});
    doc.view().canvas = CanvasView{0, 0, 120};
    doc.view().layers.legend = false;
    doc.view().layers.grid = false;
    doc.view().selectedSequence = 1;  // sequence 0's markers get no outline in the theme's foreground
    CanvasOverlay ov;
    ov.tokens = {{{0.9, 0, 0}, {0.05, 0, 0}, {0.05, 0, 0}}, {{0.3, 0, 0}, {0.7, 0, 0}}};
    ov.selected = {0, 1};
    ov.optimal = {2, 0};
    ov.model = core::ModelKind::Prompt;
    ov.svmOk = true;
    ov.svmRay = Eigen::Vector2d(1, 1);
    const CanvasStyle style{theme, 1.f};
    const Image img = render(doc, ov, style);
    ASSERT_GT(img.width, 0);
    const Palette& pal = palette(theme);
    const CanvasTransform& t = canvas_.layout().transform;

    // Background far from every item.
    EXPECT_LT(distance(img, t.toScreen(-3.2, 2.6), rgbOf(pal.canvasBackground)), 12);
    // Marker fill at the centre of token 0 of sequence 0 (drawn in the sequence colour).
    const CanvasLayout::Marker& m = canvas_.layout().markers[0];
    EXPECT_LT(distance(img, m.center, rgbOf(sequenceColour(theme, 0))), 12);
    ImVec2 expected = t.toScreen(2, 1);
    EXPECT_NEAR(m.center.x, expected.x, 0.01);
    EXPECT_NEAR(m.center.y, expected.y, 0.01);
    // The selected-token ring: on its circle, at angles clear of the optimal star (upper right).
    ASSERT_GT(m.ringRadius, m.radius);
    // Probe away from the diagonals (where the optimal / support badges sit), taking the best pixel
    // within 1 px of the radius (anti-aliasing spreads the 2 px stroke).
    int onRing = 0, ringProbes = 0;
    for (double deg : {0.0, 20.0, 70.0, 90.0, 110.0, 160.0, 180.0, 200.0, 250.0, 270.0, 290.0, 340.0}) {
      const double a = deg * M_PI / 180;
      int best = 1000;
      for (float dr : {-1.f, -0.5f, 0.f, 0.5f, 1.f})
        best = std::min(best,
                        distance(img,
                                 ImVec2(m.center.x + (m.ringRadius + dr) * static_cast<float>(std::cos(a)),
                                        m.center.y + (m.ringRadius + dr) * static_cast<float>(std::sin(a))),
                                 rgbOf(pal.foreground)));
      ++ringProbes;
      onRing += best < 90;
    }
    EXPECT_GE(onRing, ringProbes * 3 / 4) << "the ring around the selected token";
    // No ring around an unselected token: just outside its marker the background shows.
    const CanvasLayout::Marker& u = canvas_.layout().markers[1];
    EXPECT_EQ(u.ringRadius, 0);
    EXPECT_LT(distance(img, ImVec2(u.center.x - u.radius - 4.f, u.center.y), rgbOf(pal.canvasBackground)),
              30);
    // The dashed SVM ray at 45 degrees: the middle of its first dashes.
    ASSERT_TRUE(canvas_.layout().svmRay);
    const ImVec2 o = t.toScreen(0, 0);
    int onRay = 0, probes = 0;
    for (float d = 5.f; d < 300.f; d += 16.f) {  // dash 10 px, gap 6 px: d = 5 + 16k is mid-dash
      ++probes;
      onRay += distance(img, ImVec2(o.x + d / std::sqrt(2.f), o.y - d / std::sqrt(2.f)), rgbOf(pal.svm)) < 90;
    }
    EXPECT_GE(onRay, probes - 2) << "the dashed ray of p^mm";
    // Between dashes the background shows through.
    int gaps = 0;
    for (float d = 13.f; d < 300.f; d += 16.f)
      gaps += distance(img, ImVec2(o.x + d / std::sqrt(2.f), o.y - d / std::sqrt(2.f)),
                       rgbOf(pal.canvasBackground)) < 60;
    EXPECT_GE(gaps, probes - 3) << "the ray is dashed";
  }
}

TEST_F(CanvasRender, ScreenshotRoundTripsThroughPng) {
  Document doc(DocState{scene(), {}});
  CanvasOverlay ov;
  const Image img = render(doc, ov, CanvasStyle{ThemeKind::Light, 1.f});
  const std::string path = ::testing::TempDir() + "attnmd_render_roundtrip.png";
  ASSERT_EQ(writePng(path, img), "");
  Image back;
  ASSERT_EQ(readPng(path, back), "");
  ASSERT_EQ(back.width, img.width);
  ASSERT_EQ(back.height, img.height);
  EXPECT_EQ(back.rgba, img.rgba);
  // Row 0 is the top: the legend strip (window background) is at the top, the canvas below it.
  const CanvasTransform& t = canvas_.layout().transform;
  ASSERT_GT(t.min.y, 10.f);
  const Rgb bg = rgbOf(palette(ThemeKind::Light).canvasBackground);
  EXPECT_LT(distance(img, ImVec2(t.min.x + 3, t.max.y - 3), bg), 12);
  EXPECT_GT(distance(img, ImVec2(t.min.x + 3, 2), bg), 30);
}

}  // namespace
}  // namespace attnmd::gui
