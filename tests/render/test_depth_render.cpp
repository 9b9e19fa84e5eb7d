// The 3D view's GL renderer (app/gui/render/) through real OpenGL in a hidden GLFW window (Xvfb in CI):
// shader build failures name the shader and quote the GLSL log; depth order is per pixel (an arrow in
// front of a token covers it, one behind it does not, one crossing it is half hidden); a translucent
// plane tints what lies behind it only; a selected token's ring sits at the token's projection; and
// the GL image puts every token within 1 px of where the SVG export of the same description does.
// Without a display or a GL 3.3 context the GL tests are SKIPPED, never passed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>

#include "app/gui/platform/fonts.h"
#include "app/gui/platform/platform.h"
#include "app/gui/render/depth_layer.h"
#include "app/gui/render/gl_renderer.h"
#include "app/gui/render/shader_program.h"
#include "app/gui/views/canvas_svg.h"
#include "app/gui/views/view3d.h"
#include "app/gui/views/view3d_scene.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

constexpr ImU32 kDrWhite = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kDrRed = IM_COL32(220, 30, 30, 255);
constexpr ImU32 kDrBlue = IM_COL32(30, 40, 220, 255);
constexpr ImU32 kDrGreen = IM_COL32(40, 170, 60, 255);

// Sum of absolute RGB differences between pixel (x, y) and `c` (1000 outside the image).
int drPixelDistance(const Image& img, int x, int y, ImU32 c) {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return 1000;
  const std::uint8_t* p = img.pixel(x, y);
  return std::abs(p[0] - static_cast<int>((c >> IM_COL32_R_SHIFT) & 0xFF)) +
         std::abs(p[1] - static_cast<int>((c >> IM_COL32_G_SHIFT) & 0xFF)) +
         std::abs(p[2] - static_cast<int>((c >> IM_COL32_B_SHIFT) & 0xFF));
}
int drPixelChange(const Image& a, const Image& b, int x, int y) {
  const std::uint8_t *p = a.pixel(x, y), *q = b.pixel(x, y);
  return std::abs(p[0] - q[0]) + std::abs(p[1] - q[1]) + std::abs(p[2] - q[2]);
}

DepthToken drToken(ImVec2 c, float z, float r, ImU32 fill) {
  DepthToken t;
  t.centre = c;
  t.z = z;
  t.radius = r;
  t.fill = fill;
  return t;
}

DepthShape drArrow(ImVec2 a, ImVec2 b, float za, float zb, ImU32 colour) {
  DepthShape d;
  d.shape.kind = ShapeKind::Arrow;
  d.shape.a = a;
  d.shape.b = b;
  d.shape.thickness = 8;
  d.shape.radius = 14;
  d.shape.color = colour;
  d.za = za;
  d.zb = zb;
  return d;
}

// A rectangle x0..x1, y0..y1 whose depth goes linearly from zLeft to zRight.
DepthShape drPlane(float x0, float x1, float y0, float y1, float zLeft, float zRight, ImU32 fill) {
  DepthShape d;
  d.shape.kind = ShapeKind::Polygon;
  d.shape.points = {ImVec2(x0, y0), ImVec2(x1, y0), ImVec2(x1, y1), ImVec2(x0, y1)};
  d.pointZ = {zLeft, zRight, zRight, zLeft};
  d.shape.a = d.shape.points[0];
  d.shape.fill = fill;
  return d;
}

class DepthRender : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display) GTEST_SKIP() << "no DISPLAY: run under xvfb-run to test rendering";
    std::string error;
    PlatformOptions o;
    o.width = 320;
    o.height = 240;
    o.visible = false;
    o.vsync = false;
    platform_ = Platform::create(o, error);
    if (!platform_) GTEST_SKIP() << "no GL 3.3 context: " << error;
    renderer_ = currentDepthRenderer();
    ASSERT_NE(renderer_, nullptr) << "the platform makes its renderer current";
  }

  // The layer drawn on a canvas of `size` points at 1 pixel per point, read back.
  Image draw(const DepthLayer& layer, ImVec2 size, ImU32 background = kDrWhite) {
    DepthRenderOptions o;
    o.background = background;
    std::string error;
    const DepthRenderer::Target t = renderer_->draw(layer, ImVec2(0, 0), size, o, ++frame_, error);
    EXPECT_EQ(error, "");
    EXPECT_NE(t.texture, 0u);
    return renderer_->read(t);
  }

  std::unique_ptr<Platform> platform_;
  DepthRenderer* renderer_ = nullptr;
  int frame_ = 0;
};

// =================================================================================================
// Shaders: a failure names the shader and quotes the driver's log
// =================================================================================================

TEST_F(DepthRender, ABrokenShaderSaysWhichAndWhy) {
  const ShaderSource vert{"shaders/test.vert", "void main() { gl_Position = vec4(0.0); }\n"};
  const ShaderSource frag{"shaders/broken.frag", "out vec4 c;\nvoid main() { c = vec4(undefinedThing); }\n"};
  const ShaderProgram broken = buildShaderProgram(vert, frag);
  EXPECT_FALSE(broken.ok());
  EXPECT_NE(broken.error.find("shaders/broken.frag"), std::string::npos) << broken.error;
  EXPECT_NE(broken.error.find("compile failed"), std::string::npos) << broken.error;
  EXPECT_NE(broken.error.find("undefinedThing"), std::string::npos) << "the GLSL log: " << broken.error;

  // Stages that compile but do not fit together: the link fails and says which pair.
  const ShaderSource outVec2{"shaders/a.vert",
                             "out vec2 vX;\nvoid main() { vX = vec2(1.0); gl_Position = vec4(0.0); }\n"};
  const ShaderSource inVec3{"shaders/b.frag",
                            "in vec3 vX;\nout vec4 c;\nvoid main() { c = vec4(vX, 1.0); }\n"};
  const ShaderProgram unlinked = buildShaderProgram(outVec2, inVec3);
  EXPECT_FALSE(unlinked.ok());
  EXPECT_NE(unlinked.error.find("shaders/a.vert + shaders/b.frag: link failed"), std::string::npos)
      << unlinked.error;

  const ShaderProgram missing = loadShaderProgram("no-such.vert", "token.frag");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find("shaders/no-such.vert"), std::string::npos) << missing.error;

  // Every program of shaders/ builds (what Platform::create did already, checked by name here).
  for (const char* name : {"token", "segment", "ring", "triangle"}) {
    const ShaderProgram p = loadShaderProgram(std::string(name) + ".vert", std::string(name) + ".frag");
    EXPECT_TRUE(p.ok()) << p.error;
  }
}

// The app's start (Platform::create, which run_app prints and exits on) with a broken shader found
// first through ATTNMD_ASSET_DIR: no window, and a message naming the file and quoting the log.
TEST(DepthRenderStart, ABrokenShaderStopsThePlatformWithItsNameAndLog) {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display) GTEST_SKIP() << "no DISPLAY: run under xvfb-run to test rendering";
  attnmd::testing::TempDir dir;
  std::filesystem::create_directories(dir.path / "shaders");
  attnmd::testing::writeText(dir.path / "shaders" / "token.frag",
                             "out vec4 c;\nvoid main() { c = notDeclaredAnywhere; }\n");
  const char* previous = std::getenv("ATTNMD_ASSET_DIR");
  const std::string saved = previous ? previous : "";
  ::setenv("ATTNMD_ASSET_DIR", dir.str().c_str(), 1);
  std::string error;
  PlatformOptions o;
  o.width = 64;
  o.height = 64;
  o.visible = false;
  std::unique_ptr<Platform> p = Platform::create(o, error);
  if (previous)
    ::setenv("ATTNMD_ASSET_DIR", saved.c_str(), 1);
  else
    ::unsetenv("ATTNMD_ASSET_DIR");
  if (!p && error.find("shaders/") == std::string::npos) GTEST_SKIP() << "no GL 3.3 context: " << error;
  EXPECT_EQ(p, nullptr) << "a broken shader must stop the start, not leave a black view";
  EXPECT_NE(error.find("shaders/token.frag: compile failed"), std::string::npos) << error;
  EXPECT_NE(error.find("notDeclaredAnywhere"), std::string::npos) << error;
  EXPECT_NE(error.find("OpenGL 3.3"), std::string::npos) << error;
  EXPECT_EQ(currentDepthRenderer(), nullptr);
}

// =================================================================================================
// Depth order, per pixel
// =================================================================================================

TEST_F(DepthRender, AnArrowInFrontOfATokenCoversItAndOneBehindDoesNot) {
  const ImVec2 size(200, 160);
  DepthLayer layer;
  layer.tokens = {drToken(ImVec2(100, 80), 0, 22, kDrRed)};
  layer.shapes = {drArrow(ImVec2(20, 80), ImVec2(180, 80), 40, 40, kDrBlue)};
  const Image front = draw(layer, size);
  ASSERT_EQ(front.width, 200);
  EXPECT_LT(drPixelDistance(front, 100, 80, kDrBlue), 40) << "the arrow is drawn over the token";
  EXPECT_LT(drPixelDistance(front, 40, 80, kDrBlue), 40);
  const std::uint8_t* above = front.pixel(100, 65);
  EXPECT_GT(above[0], above[2] + 60) << "the token shows above the shaft";

  layer.shapes = {drArrow(ImVec2(20, 80), ImVec2(180, 80), -40, -40, kDrBlue)};
  const Image behind = draw(layer, size);
  const std::uint8_t* c = behind.pixel(100, 80);
  EXPECT_GT(c[0], c[2] + 60) << "the token hides the arrow behind it";
  EXPECT_LT(drPixelDistance(behind, 40, 80, kDrBlue), 40) << "outside the token the arrow shows";

  // An arrow rising through the token's centre plane (x = 100 is where it crosses z = 0): behind
  // the token's surface on the left, in front of it well to the right.
  layer.shapes = {drArrow(ImVec2(20, 80), ImVec2(180, 80), -80, 80, kDrBlue)};
  const Image crossing = draw(layer, size);
  const std::uint8_t* left = crossing.pixel(88, 80);
  EXPECT_GT(left[0], left[2] + 60) << "left of the crossing the token covers the arrow";
  EXPECT_LT(drPixelDistance(crossing, 118, 80, kDrBlue), 40) << "right of it the arrow covers the token";
}

// Above kDenseTokenCount tokens the markers are drawn near to far with hard edges and no depth of their
// own: the near one still covers the far one, an arrow in front still covers both, one behind neither.
TEST_F(DepthRender, ADenseCloudKeepsItsDepthOrder) {
  const ImVec2 size(200, 160);
  DepthLayer layer;
  // Far to near, as the layer is built: the filler far off in a corner, then red, then blue in front.
  layer.tokens.assign(kDenseTokenCount, drToken(ImVec2(8, 8), -100, 2, kDrGreen));
  layer.tokens.push_back(drToken(ImVec2(80, 80), 0, 24, kDrRed));
  layer.tokens.push_back(drToken(ImVec2(110, 80), 40, 24, kDrBlue));
  ASSERT_GT(layer.tokens.size(), kDenseTokenCount);
  layer.shapes = {drArrow(ImVec2(20, 40), ImVec2(180, 40), 200, 200, kDrBlue)};
  const Image img = draw(layer, size);
  const std::uint8_t* overlap = img.pixel(92, 80);
  EXPECT_GT(overlap[2], overlap[0] + 60) << "the nearer blue token covers the red one where they overlap";
  const std::uint8_t* red = img.pixel(64, 80);
  EXPECT_GT(red[0], red[2] + 60) << "the red token shows beside it";
  EXPECT_GT(drPixelDistance(img, 8, 8, kDrWhite), 60) << "the filler is drawn too (faded: it is far)";
  EXPECT_LT(drPixelDistance(img, 80, 40, kDrBlue), 40) << "an arrow in front covers the tokens";
  layer.shapes = {drArrow(ImVec2(20, 80), ImVec2(180, 80), -200, -200, kDrGreen)};
  const Image behind = draw(layer, size);
  const std::uint8_t* hidden = behind.pixel(70, 80);
  EXPECT_GT(hidden[0], hidden[1] + 60) << "an arrow behind the tokens is hidden by them";
  EXPECT_LT(drPixelDistance(behind, 160, 80, kDrGreen), 40) << "outside them it shows";
}

// A dense marker is a point sprite, which GL clips by its centre: a token whose centre lies just off the
// canvas must still show the part of it that is on the canvas, at every edge.
TEST_F(DepthRender, ADenseMarkerWhoseCentreLeavesTheCanvasShowsItsVisiblePart) {
  const ImVec2 size(200, 160);
  DepthLayer layer;
  layer.tokens.assign(kDenseTokenCount, drToken(ImVec2(100, 80), -100, 2, kDrGreen));
  layer.tokens.push_back(drToken(ImVec2(-10, 80), 0, 24, kDrRed));    // off the left edge
  layer.tokens.push_back(drToken(ImVec2(210, 80), 0, 24, kDrBlue));   // off the right edge
  layer.tokens.push_back(drToken(ImVec2(60, -12), 0, 24, kDrRed));    // off the top
  layer.tokens.push_back(drToken(ImVec2(140, 172), 0, 24, kDrBlue));  // off the bottom
  ASSERT_GT(layer.tokens.size(), kDenseTokenCount);
  const Image img = draw(layer, size);
  const auto reddish = [&](int x, int y) {
    const std::uint8_t* p = img.pixel(x, y);
    return p[0] > p[2] + 60 && p[0] > p[1] + 60;
  };
  const auto bluish = [&](int x, int y) {
    const std::uint8_t* p = img.pixel(x, y);
    return p[2] > p[0] + 60 && p[2] > p[1] + 60;
  };
  EXPECT_TRUE(reddish(4, 80)) << "left";
  EXPECT_TRUE(bluish(195, 80)) << "right";
  EXPECT_TRUE(reddish(60, 4)) << "top";
  EXPECT_TRUE(bluish(140, 155)) << "bottom";
  EXPECT_LT(drPixelDistance(img, 40, 40, kDrWhite), 10) << "nothing where no token is";
  // At 2 pixels per point (a 2x export) the same, each marker where it was: its edge at the same points.
  DepthRenderOptions o;
  o.background = kDrWhite;
  o.pixelsPerPoint = 2;
  std::string error;
  const Image img2 = renderer_->read(renderer_->draw(layer, ImVec2(0, 0), size, o, ++frame_, error));
  ASSERT_EQ(error, "");
  ASSERT_EQ(img2.width, 400);
  for (const auto& [x, y, red] :
       {std::tuple{4, 80, true}, {195, 80, false}, {60, 4, true}, {140, 155, false}}) {
    const std::uint8_t* p = img2.pixel(2 * x, 2 * y);
    EXPECT_GT(red ? p[0] : p[2], (red ? p[2] : p[0]) + 60) << "2x at " << x << ", " << y;
  }
  const std::uint8_t* outside = img2.pixel(2 * 16, 2 * 80);  // the left marker ends at x = 14
  EXPECT_LT(std::abs(outside[0] - 255) + std::abs(outside[2] - 255), 20) << "2x: the left marker ends at 14";
}

TEST_F(DepthRender, APlaneBetweenTwoTokensTintsTheFarOneOnly) {
  const ImVec2 size(300, 200);
  DepthLayer layer;
  layer.tokens = {drToken(ImVec2(220, 100), -30, 18, kDrGreen), drToken(ImVec2(80, 100), 30, 18, kDrGreen)};
  const Image bare = draw(layer, size);
  for (const auto& [zLeft, zRight] : {std::pair{0.f, 0.f}, std::pair{-60.f, 60.f}}) {
    SCOPED_TRACE("plane depth " + std::to_string(zLeft) + " .. " + std::to_string(zRight));
    // Flat, or tilted so its depth at the near token (x = 80) is -38 and at the far one (x = 220) +38:
    // either way the token at z = +30 is in front, the one at -30 behind.
    layer.shapes = {drPlane(40, 260, 50, 150, zLeft, zRight, IM_COL32(200, 0, 200, 110))};
    const Image planed = draw(layer, size);
    EXPECT_LE(drPixelChange(bare, planed, 80, 100), 6) << "the near token is untouched";
    EXPECT_GE(drPixelChange(bare, planed, 220, 100), 60) << "the far token is seen through the plane";
    EXPECT_GT(planed.pixel(220, 100)[0], bare.pixel(220, 100)[0] + 20) << "tinted towards the plane's colour";
    EXPECT_GE(drPixelChange(bare, planed, 150, 70), 40) << "the plane is filled, not a frame";
    EXPECT_LE(drPixelChange(bare, planed, 150, 170), 2) << "and ends at its edge";
  }
}

// =================================================================================================
// Through the 3D view's builder: the ring, and GL against SVG
// =================================================================================================

core::Scene drSpaceScene(const std::vector<Eigen::Vector3d>& tokens) {
  core::Scene s;
  s.dim = 3;
  s.model.kind = core::ModelKind::Prompt;  // no v: no arrow over the tokens
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    core::Sequence q;
    q.y = 1;  // circles: the SVG writes them as <circle>
    q.tokens.resize(1, 3);
    q.tokens.row(0) = tokens[k].transpose();
    s.sequences.push_back(q);
  }
  return s;
}

TEST_F(DepthRender, ASelectedTokensRingSitsAtItsProjection) {
  const core::Scene s = drSpaceScene({{1.2, 0.8, 1.1}, {-1.0, -1.2, 0.6}, {0.6, -1.4, -0.9}});
  ViewState view;
  view.layers.grid = false;
  view.selectedSequence = -1;
  CanvasOverlay ov;
  ov.selected = {0, -1, 0};
  const ImVec2 size(420, 320);
  const Projection3D P = Projection3D::make(ImVec2(0, 0), size, fitCamera(s, size, Camera3D{}));
  CanvasSceneOptions o;
  o.keepDepthLayer = true;
  const CanvasScene sc = buildView3DScene(s, view, ov, P, CanvasStyle{}, o);
  const Image img = draw(sc.depth, size, palette(ThemeKind::Light).canvasBackground);
  const ImU32 ring = palette(ThemeKind::Light).foreground;
  int rings = 0;
  for (const CanvasLayout::Marker& m : sc.layout.markers) {
    if (m.ringRadius <= 0) continue;
    ++rings;
    const ImVec2 c =
        P.toScreen(spatial(s.sequences[static_cast<std::size_t>(m.seq)].tokens.row(0).transpose()));
    EXPECT_NEAR(m.center.x, c.x, 1e-3);
    EXPECT_NEAR(m.center.y, c.y, 1e-3);
    // On the ring (best pixel within 1 px of its radius) at angles off the diagonals where badges go.
    int on = 0, probes = 0, inside = 0;
    for (double deg : {0.0, 20.0, 70.0, 90.0, 110.0, 160.0, 180.0, 200.0, 250.0, 270.0, 290.0, 340.0}) {
      const double a = deg * M_PI / 180;
      int best = 1000;
      for (float dr : {-1.f, -0.5f, 0.f, 0.5f, 1.f})
        best = std::min(
            best,
            drPixelDistance(img, static_cast<int>(std::floor(c.x + (m.ringRadius + dr) * std::cos(a))),
                            static_cast<int>(std::floor(c.y + (m.ringRadius + dr) * std::sin(a))), ring));
      ++probes;
      on += best < 90;
      // Between the marker's edge and the ring: the background.
      const float gap = 0.5f * (m.radius + m.ringRadius - 0.5f * m.ringThickness);
      inside += drPixelDistance(img, static_cast<int>(std::floor(c.x + gap * std::cos(a))),
                                static_cast<int>(std::floor(c.y + gap * std::sin(a))),
                                palette(ThemeKind::Light).canvasBackground) < 60;
    }
    EXPECT_GE(on, probes * 3 / 4) << "the ring of token " << m.seq;
    EXPECT_GE(inside, probes * 3 / 4) << "a gap between marker and ring: the ring is centred on the token";
  }
  EXPECT_EQ(rings, 2);
}

TEST_F(DepthRender, GlAndSvgPutEveryTokenWithinOnePixel) {
  const core::Scene s = drSpaceScene({{1.5, 0.5, 1.0},
                                      {-1.2, 1.0, 0.4},
                                      {0.4, -1.5, 1.4},
                                      {-0.8, -0.9, -0.7},
                                      {1.4, -1.1, -0.3},
                                      {-1.6, 0.2, 1.5},
                                      {0.3, 1.6, -1.2}});
  ViewState view;
  view.layers.grid = false;
  CanvasOverlay ov;
  ov.tokens.resize(s.sequences.size(), std::vector<TokenValues>(1));
  for (std::size_t k = 0; k < ov.tokens.size(); ++k) ov.tokens[k][0].s = 0.15 * static_cast<double>(k);
  const ImVec2 size(480, 360);
  const Projection3D P = Projection3D::make(ImVec2(0, 0), size, fitCamera(s, size, Camera3D{0.9, 0.3}));
  CanvasSceneOptions keep;
  keep.keepDepthLayer = true;
  const CanvasScene gl = buildView3DScene(s, view, ov, P, CanvasStyle{}, keep);
  ASSERT_EQ(gl.depth.tokens.size(), s.sequences.size());
  const ImU32 bg = palette(ThemeKind::Light).canvasBackground;
  const Image all = draw(gl.depth, size, bg);

  CanvasSvgOptions svgOptions;
  svgOptions.legend = false;
  svgOptions.axisNames = false;
  const std::string svg = canvasSvg(buildView3DScene(s, view, ov, P, CanvasStyle{}), svgOptions);
  const std::regex circle(R"re(<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="([-0-9.]+)" fill="#)re");
  std::vector<std::array<float, 3>> circles;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator(); ++it)
    circles.push_back({std::stof((*it)[1]), std::stof((*it)[2]), std::stof((*it)[3])});

  for (std::size_t i = 0; i < gl.depth.tokens.size(); ++i) {
    const DepthToken& t = gl.depth.tokens[i];
    SCOPED_TRACE("token at " + std::to_string(t.centre.x) + ", " + std::to_string(t.centre.y));
    for (std::size_t j = 0; j < gl.depth.tokens.size(); ++j) {  // the scene keeps markers apart
      const DepthToken& u = gl.depth.tokens[j];
      if (j != i) {
        ASSERT_GT(std::hypot(t.centre.x - u.centre.x, t.centre.y - u.centre.y), t.radius + u.radius + 4);
      }
    }
    // The SVG's circle of this token: its radius, near where the description put it.
    const std::array<float, 3>* match = nullptr;
    for (const std::array<float, 3>& c : circles)
      if (std::abs(c[2] - t.radius) < 0.02f && std::hypot(c[0] - t.centre.x, c[1] - t.centre.y) < 4.f)
        match = &c;
    ASSERT_NE(match, nullptr) << svg;
    // The token's pixels in the GL image: where the picture changes when it alone is left out.
    DepthLayer without = gl.depth;
    without.tokens.erase(without.tokens.begin() + static_cast<std::ptrdiff_t>(i));
    const Image rest = draw(without, size, bg);
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < all.height; ++y)
      for (int x = 0; x < all.width; ++x)
        if (drPixelChange(all, rest, x, y) > 40) {
          sx += x + 0.5;
          sy += y + 0.5;
          n += 1;
        }
    ASSERT_GT(n, 10);
    EXPECT_LE(std::hypot(sx / n - (*match)[0], sy / n - (*match)[1]), 1.0)
        << "GL centre " << sx / n << ", " << sy / n << " vs SVG " << (*match)[0] << ", " << (*match)[1];
  }
}

// =================================================================================================
// Without a depth buffer: the flattened layer (SVG, ImGui painter), no GL needed
// =================================================================================================

TEST(DepthLayerFlatten, SortsEveryShapeFarToNearAfterTheBackground) {
  CanvasScene sc;
  sc.min = ImVec2(0, 0);
  sc.max = ImVec2(200, 160);
  CanvasShape bg;
  bg.kind = ShapeKind::Rect;
  bg.b = sc.max;
  CanvasShape label;
  label.kind = ShapeKind::Text;
  label.text = "x";
  sc.shapes = {bg, label};
  sc.depth.tokens = {drToken(ImVec2(100, 80), 0, 20, kDrRed)};
  sc.depth.shapes = {drArrow(ImVec2(20, 80), ImVec2(180, 80), 40, 40, kDrBlue),
                     drArrow(ImVec2(20, 90), ImVec2(180, 90), -40, -40, kDrGreen),
                     drPlane(10, 60, 10, 60, -5, -5, IM_COL32(0, 0, 0, 40))};
  flattenDepthLayer(sc);
  EXPECT_TRUE(sc.depth.empty());
  std::vector<ShapeKind> kinds;
  for (const CanvasShape& s : sc.shapes) kinds.push_back(s.kind);
  const std::vector<ShapeKind> expected = {ShapeKind::Rect,   ShapeKind::Arrow, ShapeKind::Polygon,
                                           ShapeKind::Marker, ShapeKind::Arrow, ShapeKind::Text};
  ASSERT_EQ(kinds, expected);
  EXPECT_EQ(sc.shapes[1].color, kDrGreen) << "the far arrow first";
  EXPECT_EQ(sc.shapes[4].color, kDrBlue) << "the near arrow over the token";
  CanvasSvgOptions plain;
  plain.legend = false;
  const std::string svg = canvasSvg(sc, plain);
  EXPECT_NE(svg.find("<polygon points=\"10,10 60,10 60,60 10,60\""), std::string::npos) << svg;
}

TEST(DepthLayerFlatten, TokensBeyondTheirMarginPlaneAreTintedTheOthersNot) {
  // Sequence 0: x_alpha = (1, 0, 0) selected; plane n^T x = c with n = (1, 0, 0), c = 1 - 1 = 0.
  core::Scene s = drSpaceScene({});
  core::Sequence q;
  q.y = 1;
  q.tokens.resize(3, 3);
  q.tokens << 1, 0, 0, -1, 0.5, 0, 0.6, -0.5, 0;
  s.sequences = {q};
  ViewState view;
  view.selectedSequence = -1;
  CanvasOverlay ov;
  ov.svmOk = true;
  ov.svmTokens = {0};
  ov.selected = {0};
  ov.marginNormal = {Eigen::Vector3d(1, 0, 0)};
  ov.marginOffset = {0.0};
  const Projection3D P = Projection3D::make(ImVec2(0, 0), ImVec2(400, 300), Camera3D{0.5, 0.4, 0, 0, 0, 80});
  CanvasSceneOptions keep;
  keep.keepDepthLayer = true;
  const CanvasScene sc = buildView3DScene(s, view, ov, P, CanvasStyle{}, keep);
  const ImU32 own = sequenceColour(ThemeKind::Light, 0);
  auto fillAt = [&](int t) {
    const ImVec2 c = P.toScreen(spatial(q.tokens.row(t).transpose()));
    for (const DepthToken& d : sc.depth.tokens)
      if (std::hypot(d.centre.x - c.x, d.centre.y - c.y) < 1e-3) return d.fill;
    ADD_FAILURE() << "token " << t << " not in the layer";
    return ImU32(0);
  };
  EXPECT_EQ(fillAt(0), own) << "the selected token";
  EXPECT_EQ(fillAt(2), own) << "inside the margin (n^T x > c): not beyond the plane";
  const ImU32 far = fillAt(1);
  EXPECT_NE(far, own) << "beyond the plane: tinted";
  const ImU32 bg = palette(ThemeKind::Light).canvasBackground;
  auto gap = [](ImU32 a, ImU32 b) {
    int d = 0;
    for (int shift : {IM_COL32_R_SHIFT, IM_COL32_G_SHIFT, IM_COL32_B_SHIFT})
      d += std::abs(static_cast<int>((a >> shift) & 0xFF) - static_cast<int>((b >> shift) & 0xFF));
    return d;
  };
  EXPECT_LT(gap(far, bg), gap(own, bg)) << "towards the background";
  int planes = 0;
  for (const DepthShape& d : sc.depth.shapes) planes += d.shape.kind == ShapeKind::Polygon;
  EXPECT_EQ(planes, 1);
}

// The 3D view's camera glides (no jumps): zoom by ratio, yaw the short way across the +-180° seam,
// independent of how the time is cut into frames, landing exactly on the target.
TEST(CameraGlide, ApproachesSmoothlyTheShortWayAndLands) {
  const Camera3D from{3.0, 0.2, 0, 0, 0, 100};
  const Camera3D to{-3.0, 0.6, 1, 2, 3, 400};  // yaw 3.0 -> -3.0 is 0.28 rad across the seam
  Camera3D c = from;
  double lastYawStep = 1e9, lastZoomRatio = 1e9;
  for (int k = 0; k < 10; ++k) {
    const Camera3D next = glideCamera(c, to, 1.0 / 60);
    const double yawStep = std::abs(std::remainder(next.yaw - c.yaw, 2 * M_PI));
    EXPECT_LT(yawStep, 0.3) << "never the long way round (6 rad)";
    EXPECT_LE(yawStep, lastYawStep + 1e-12) << "an easing: steps shrink";
    const double zoomRatio = next.pixelsPerUnit / c.pixelsPerUnit;
    EXPECT_GT(zoomRatio, 1.0);
    EXPECT_LE(zoomRatio, lastZoomRatio + 1e-12);
    EXPECT_LT(zoomRatio, 1.5) << "no jump in zoom";
    lastYawStep = yawStep;
    lastZoomRatio = zoomRatio;
    c = next;
  }
  // Frame-rate independent: two half frames go as far as one whole.
  const Camera3D whole = glideCamera(from, to, 1.0 / 30);
  const Camera3D halves = glideCamera(glideCamera(from, to, 1.0 / 60), to, 1.0 / 60);
  EXPECT_NEAR(whole.pixelsPerUnit, halves.pixelsPerUnit, 1e-9 * whole.pixelsPerUnit);
  EXPECT_NEAR(whole.pitch, halves.pitch, 1e-12);
  EXPECT_NEAR(whole.targetZ, halves.targetZ, 1e-12);
  // And it lands.
  for (int k = 0; k < 600; ++k) c = glideCamera(c, to, 1.0 / 60);
  EXPECT_EQ(c.yaw, to.yaw);
  EXPECT_EQ(c.pixelsPerUnit, to.pixelsPerUnit);
  EXPECT_EQ(c.targetY, to.targetY);
  // Nothing shown yet (no zoom set): straight to the target.
  EXPECT_EQ(glideCamera(Camera3D{}, to, 0.01).pixelsPerUnit, to.pixelsPerUnit);
}

TEST(DepthLayerFlatten, CutsFarOffGeometryAndKeepsDepthAlongACutLine) {
  DepthLayer layer;
  layer.tokens = {drToken(ImVec2(INFINITY, 5), 0, 5, kDrRed), drToken(ImVec2(50, 50), NAN, 5, kDrRed),
                  drToken(ImVec2(50, 50), 1e30f, 5, kDrRed)};
  layer.segments = {{ImVec2(50, 50), ImVec2(50 + 1e8f, 50), 0, 1e8f, 1, kDrBlue}};
  keepDepthLayerDrawable(layer, ImVec2(0, 0), ImVec2(100, 100));
  ASSERT_EQ(layer.tokens.size(), 1u) << "the infinite and NaN ones go";
  EXPECT_LE(layer.tokens[0].z, 1e6f) << "a huge depth is clamped";
  ASSERT_EQ(layer.segments.size(), 1u);
  EXPECT_NEAR(layer.segments[0].b.x, 200, 1e-2) << "cut at one canvas width past the edge";
  EXPECT_NEAR(layer.segments[0].zb, 150, 1e-2) << "its depth where it was cut";
}

}  // namespace
}  // namespace attnmd::gui
