// The 3D view: the orbit camera's projection (pure math), the scene it draws (far to near, rays, margin
// planes, notices), and its mouse gestures through ImGui with simulated input: a token drag moves the
// token in the screen plane and is one undo entry, orbit / pan / zoom never touch the document.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

#include "app/gui/render/depth_layer.h"
#include "app/gui/views/canvas_geometry.h"
#include "app/gui/views/canvas_svg.h"
#include "app/gui/views/view3d.h"
#include "app/gui/views/view3d_panel.h"
#include "app/gui/views/view3d_scene.h"
#include "imgui_harness.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using testing::ImGuiHarness;

// Two sequences of d-dimensional tokens (d >= 3); coordinates past x_3 are 7 + token index, so a test
// can tell whether an edit kept them.
core::Scene spaceScene(int d = 3) {
  core::Scene s;
  s.dim = d;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::VectorXd::Zero(d);
  s.model.v(2) = 1.0;
  const double xyz[2][3][3] = {{{1, 0, 0.5}, {0, 1, 1}, {-1, -0.5, 0}},
                               {{0.5, 0.5, -1}, {-1, 1, 0.5}, {1, -1, 1}}};
  for (int i = 0; i < 2; ++i) {
    core::Sequence q;
    q.y = i == 0 ? 1 : -1;
    q.tokens.resize(3, d);
    for (int t = 0; t < 3; ++t)
      for (int k = 0; k < d; ++k) q.tokens(t, k) = k < 3 ? xyz[i][t][k] : 7.0 + t;
    s.sequences.push_back(q);
  }
  return s;
}

Eigen::Vector3d tokenXyz(const Document& doc, int seq, int t) {
  return spatial(doc.scene().sequences[static_cast<std::size_t>(seq)].tokens.row(t).transpose());
}

float distance(ImVec2 a, ImVec2 b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

// =================================================================================================
// The projection
// =================================================================================================

TEST(Projection3D, IsAnOrthonormalRightHandedViewWithX3Up) {
  for (double yaw : {-2.0, 0.0, 0.55, 3.0})
    for (double pitch : {-1.2, 0.0, 0.4, 1.4}) {
      const Projection3D p =
          Projection3D::make(ImVec2(0, 0), ImVec2(800, 600), Camera3D{yaw, pitch, 0, 0, 0, 100});
      EXPECT_NEAR(p.right.norm(), 1, 1e-12);
      EXPECT_NEAR(p.up.norm(), 1, 1e-12);
      EXPECT_NEAR(p.toViewer.norm(), 1, 1e-12);
      EXPECT_NEAR(p.right.dot(p.up), 0, 1e-12);
      EXPECT_NEAR(p.right.dot(p.toViewer), 0, 1e-12);
      EXPECT_NEAR(p.right.cross(p.up).dot(p.toViewer), 1, 1e-12) << "right x up = towards the viewer";
      EXPECT_NEAR(p.right.z(), 0, 1e-12) << "the x_3 axis always shows vertical";
      const ImVec2 o = p.toScreen(Eigen::Vector3d::Zero()), top = p.toScreen(Eigen::Vector3d::UnitZ());
      EXPECT_NEAR(o.x, 400, 1e-3);
      EXPECT_NEAR(o.y, 300, 1e-3);
      EXPECT_NEAR(top.x, o.x, 1e-3);
      EXPECT_LT(top.y, o.y + 1e-3) << "x_3 points up (or straight at the viewer)";
      // Points on the line of sight through the target all land on the centre.
      const ImVec2 far = p.toScreen(-5 * p.toViewer);
      EXPECT_NEAR(far.x, 400, 1e-3);
      EXPECT_NEAR(far.y, 300, 1e-3);
    }
}

TEST(Projection3D, ScreenDeltaMovesAPointByThosePixelsAndKeepsItsDepth) {
  const Projection3D p =
      Projection3D::make(ImVec2(10, 20), ImVec2(810, 620), Camera3D{0.9, -0.3, 0.5, -1, 2, 37.5});
  const Eigen::Vector3d x(0.3, -0.7, 1.9);
  const ImVec2 d(23.5f, -41.f);
  const ImVec2 a = p.toScreen(x), b = p.toScreen(x + p.screenDelta(d));
  EXPECT_NEAR(b.x - a.x, d.x, 1e-3);
  EXPECT_NEAR(b.y - a.y, d.y, 1e-3);
  EXPECT_NEAR(p.depth(x + p.screenDelta(d)), p.depth(x), 1e-12);
  const ImVec2 s(123, 456);
  const Eigen::Vector3d w = p.onScreenPlane(s);
  EXPECT_NEAR(distance(p.toScreen(w), s), 0, 1e-3);
  EXPECT_NEAR(p.depth(w), 0, 1e-12);
}

TEST(Projection3D, FitShowsEveryTokenFromEveryAngle) {
  core::Scene s = spaceScene(4);
  s.sequences[1].tokens.row(2) << 40, -3, 12, 0;  // far off: the fit must still include it
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> yaw(-M_PI, M_PI), pitch(-1.5, 1.5);
  const ImVec2 size(700, 450);
  for (int k = 0; k < 200; ++k) {
    Camera3D c;
    c.yaw = yaw(rng);
    c.pitch = pitch(rng);
    c = fitCamera(s, size, c);
    const Projection3D p = Projection3D::make(ImVec2(0, 0), size, c);
    for (const core::Sequence& q : s.sequences)
      for (Eigen::Index t = 0; t < q.tokens.rows(); ++t) {
        const ImVec2 at = p.toScreen(spatial(q.tokens.row(t).transpose()));
        EXPECT_GE(at.x, 0);
        EXPECT_LE(at.x, size.x);
        EXPECT_GE(at.y, 0);
        EXPECT_LE(at.y, size.y);
      }
  }
}

TEST(Camera3D, OrbitKeepsUpUpPanFollowsTheMouseZoomIsClamped) {
  Camera3D c{0.2, 0.4, 0, 0, 0, 100};
  orbit(c, ImVec2(0, 1e6));
  EXPECT_LT(c.pitch, M_PI / 2) << "never over the pole";
  orbit(c, ImVec2(0, -1e6));
  EXPECT_GT(c.pitch, -M_PI / 2);
  orbit(c, ImVec2(1e5, 0));
  EXPECT_LE(std::abs(c.yaw), M_PI + 1e-12) << "yaw stays in one turn";

  const Projection3D before = Projection3D::make(ImVec2(0, 0), ImVec2(600, 400), c);
  const Eigen::Vector3d x(1, 2, 3);
  panCamera(c, before, ImVec2(30, -12));
  const Projection3D after = Projection3D::make(ImVec2(0, 0), ImVec2(600, 400), c);
  EXPECT_NEAR(after.toScreen(x).x - before.toScreen(x).x, 30, 1e-3) << "the scene follows the mouse";
  EXPECT_NEAR(after.toScreen(x).y - before.toScreen(x).y, -12, 1e-3);

  zoomCamera(c, 1e30);
  EXPECT_LE(c.pixelsPerUnit, 1e7);
  zoomCamera(c, 1e-60);
  EXPECT_GE(c.pixelsPerUnit, 1e-300);
  EXPECT_GT(c.pixelsPerUnit, 0);
}

TEST(Camera3D, SpatialPadsAndTruncates) {
  EXPECT_EQ(spatial(Eigen::Vector2d(1, 2)), Eigen::Vector3d(1, 2, 0));
  Eigen::VectorXd x(5);
  x << 1, 2, 3, 4, 5;
  EXPECT_EQ(spatial(x), Eigen::Vector3d(1, 2, 3));
}

// =================================================================================================
// The scene
// =================================================================================================

struct SceneFixture : ::testing::Test {
  core::Scene scene = spaceScene();
  ViewState view;
  CanvasOverlay overlay;
  CanvasStyle style;
  Projection3D P = Projection3D::make(ImVec2(0, 0), ImVec2(900, 700), Camera3D{0.55, 0.4, 0, 0, 0, 120});
  CanvasScene build(const CanvasSceneOptions& o = {}) const {
    return buildView3DScene(scene, view, overlay, P, style, o);
  }
};

TEST_F(SceneFixture, TokensAreDrawnFarToNearAtTheirProjections) {
  const CanvasScene sc = build();
  ASSERT_EQ(sc.layout.markers.size(), 6u);
  double lastDepth = -1e300;
  for (const CanvasLayout::Marker& m : sc.layout.markers) {
    const Eigen::Vector3d x =
        spatial(scene.sequences[static_cast<std::size_t>(m.seq)].tokens.row(m.token).transpose());
    EXPECT_NEAR(distance(m.center, P.toScreen(x)), 0, 1e-3);
    EXPECT_GE(P.depth(x), lastDepth) << "a nearer token is never painted under a farther one";
    lastDepth = P.depth(x);
  }
  // And the Marker shapes come in the same order.
  std::size_t k = 0;
  for (const CanvasShape& sh : sc.shapes)
    if (sh.kind == ShapeKind::Marker) {
      ASSERT_LT(k, sc.layout.markers.size());
      EXPECT_NEAR(distance(sh.a, sc.layout.markers[k++].center), 0, 1e-3);
    }
  EXPECT_EQ(k, 6u);
}

// Above kDenseTokenCount tokens the markers shrink by sqrt(kDenseTokenCount / count), and the rings and
// badges with them (down to half), so the selected tokens' rings do not dominate a dense cloud.
TEST(DenseCloud, RingsAndBadgesShrinkWithTheMarkers) {
  const CanvasStyle style;
  const Projection3D P =
      Projection3D::make(ImVec2(0, 0), ImVec2(900, 700), Camera3D{0.55, 0.4, 0, 0, 0, 120});
  for (const int perSequence : {3, 100, 1000}) {  // 60 sequences: 180, 6,000 and 60,000 tokens
    core::Scene s;
    s.dim = 3;
    s.model.kind = core::ModelKind::Prompt;
    s.model.v = Eigen::Vector3d(0, 0, 1);
    std::mt19937_64 rng(5);
    std::normal_distribution<double> N(0.0, 1.0);
    CanvasOverlay overlay;
    overlay.model = core::ModelKind::Prompt;
    for (int i = 0; i < 60; ++i) {
      core::Sequence q;
      q.y = i % 2 == 0 ? 1 : -1;
      q.tokens = Eigen::MatrixXd::NullaryExpr(perSequence, 3, [&] { return N(rng); });
      s.sequences.push_back(q);
      overlay.selected.push_back(0);
      overlay.optimal.push_back(1);
    }
    const std::size_t count = 60u * static_cast<std::size_t>(perSequence);
    const float shrink = count > kDenseTokenCount
                             ? static_cast<float>(std::sqrt(double(kDenseTokenCount) / double(count)))
                             : 1.f;
    const float k = std::max(shrink, 0.5f) * style.scale;
    const CanvasScene sc = buildView3DScene(s, ViewState{}, overlay, P, style, {});
    int rings = 0;
    for (const CanvasLayout::Marker& m : sc.layout.markers)
      if (m.ringThickness > 0) {
        ++rings;
        EXPECT_NEAR(m.ringThickness, 2.f * k, 1e-4) << count << " tokens";
        EXPECT_NEAR(m.ringRadius - m.radius, 4.f * k, 1e-4) << count << " tokens";
      }
    EXPECT_EQ(rings, 60) << count << " tokens";
    int stars = 0;
    for (const CanvasShape& sh : sc.shapes)
      if (sh.kind == ShapeKind::Star) {
        ++stars;
        EXPECT_NEAR(sh.radius, 5.5f * k, 1e-4) << count << " tokens";
      }
    EXPECT_EQ(stars, 60) << count << " tokens";
  }
}

// The direction's fan is part of the 3D picture: its lines go into the depth layer, from the origin's
// depth to the depth of their far ends (so nearer tokens hide them, and they hide farther ones).
TEST_F(SceneFixture, TheDirectionFanLiesInTheDepthLayer) {
  overlay.model = core::ModelKind::Prompt;
  overlay.trailSteps = {0, 10, 100};
  overlay.paramRayTrail = {Eigen::Vector3d(1, 0, 0), Eigen::Vector3d(1, 1, 0), Eigen::Vector3d(0, 1, 1)};
  CanvasSceneOptions o;
  o.keepDepthLayer = true;
  const CanvasScene with = build(o);
  CanvasOverlay bare = overlay;
  bare.trailSteps.clear();
  bare.paramRayTrail.clear();
  const CanvasScene without = buildView3DScene(scene, view, bare, P, style, o);
  EXPECT_EQ(with.shapes.size(), without.shapes.size()) << "nothing of the fan drawn flat over the view";
  ASSERT_EQ(with.depth.shapes.size(), without.depth.shapes.size() + 3);
  const ImVec2 origin = P.toScreen(Eigen::Vector3d::Zero());
  const float zOrigin = static_cast<float>(P.depth(Eigen::Vector3d::Zero()) * P.pixelsPerUnit);
  int found = 0;
  for (const DepthShape& d : with.depth.shapes) {
    if (d.shape.kind != ShapeKind::Line || distance(d.shape.a, origin) > 1e-3) continue;
    for (const Eigen::VectorXd& dir : overlay.paramRayTrail) {
      const Eigen::Vector3d far = sceneBounds(scene).reach * dir.normalized();
      if (distance(d.shape.b, P.toScreen(far)) > 1e-2) continue;
      ++found;
      EXPECT_NEAR(d.za, zOrigin, 1e-3);
      EXPECT_NEAR(d.zb, static_cast<float>(P.depth(far) * P.pixelsPerUnit), 1e-2);
    }
  }
  EXPECT_EQ(found, 3);
}

TEST_F(SceneFixture, PromptRaysPointAlongTheirDirectionsFromTheOrigin) {
  overlay.paramRay = Eigen::Vector3d(1, 1, 0);
  overlay.svmRay = Eigen::Vector3d(0, 0, 2);
  overlay.svmOk = true;
  const CanvasScene sc = build();
  ASSERT_TRUE(sc.layout.paramRay);
  ASSERT_TRUE(sc.layout.svmRay);
  const ImVec2 o = P.toScreen(Eigen::Vector3d::Zero());
  EXPECT_NEAR(distance(sc.layout.paramRayFrom, o), 0, 1e-3);
  // The ray's screen end is the projection of a point on the ray: the same screen direction as (1,1,0).
  const ImVec2 dir = P.toScreen(Eigen::Vector3d(1, 1, 0));
  const float cross =
      (sc.layout.paramRayTo.x - o.x) * (dir.y - o.y) - (sc.layout.paramRayTo.y - o.y) * (dir.x - o.x);
  EXPECT_NEAR(cross, 0, 1e-1);
  EXPECT_GT((sc.layout.paramRayTo.x - o.x) * (dir.x - o.x) + (sc.layout.paramRayTo.y - o.y) * (dir.y - o.y),
            0);
  EXPECT_NEAR(sc.layout.svmRayTo.x, o.x, 1e-3) << "x_3 is vertical on screen";
  EXPECT_LT(sc.layout.svmRayTo.y, o.y);

  overlay.svmOk = false;
  overlay.svmMessage = "infeasible: token 1 of sequence 0 equals the selected one";
  const CanvasScene bad = build();
  EXPECT_FALSE(bad.layout.svmRay) << "no SVM ray without a solution";
  EXPECT_TRUE(bad.layout.svmNotice);
}

TEST_F(SceneFixture, MarginPlaneLiesWhereTheSvmSaysSeenEdgeOn) {
  // The plane {x : x_1 = 0.5} of sequence 0, looked at along x_2 (yaw 90°, pitch 0): edge-on, every
  // line of its patch is the vertical screen line through the projection of (0.5, 0, 0).
  P = Projection3D::make(ImVec2(0, 0), ImVec2(900, 700), Camera3D{M_PI / 2, 0, 0, 0, 0, 120});
  overlay.svmOk = true;
  overlay.svmTokens = {0, 0};
  overlay.marginNormal = {Eigen::Vector3d(2, 0, 0), Eigen::Vector3d(0, 0, 0)};  // sequence 1: degenerate
  overlay.marginOffset = {1.0, 0.0};                                            // 2 x_1 = 1
  view.layers.grid = false;
  const CanvasScene sc = build();
  const float x = P.toScreen(Eigen::Vector3d(0.5, 0, 0)).x;
  auto planes = [](const CanvasScene& sc) {
    std::vector<const CanvasShape*> out;
    for (const CanvasShape& sh : sc.shapes)
      if (sh.kind == ShapeKind::Polygon) out.push_back(&sh);
    return out;
  };
  // One filled translucent patch (none for the zero normal), edge-on: every corner on the vertical
  // screen line through the projection of (0.5, 0, 0).
  const std::vector<const CanvasShape*> patch = planes(sc);
  ASSERT_EQ(patch.size(), 1u);
  ASSERT_EQ(patch[0]->points.size(), 4u);
  for (ImVec2 p : patch[0]->points) EXPECT_NEAR(p.x, x, 0.01f);
  EXPECT_GT(patch[0]->fill >> IM_COL32_A_SHIFT, 0u) << "filled";
  EXPECT_LT(patch[0]->fill >> IM_COL32_A_SHIFT, 255u) << "translucent";

  view.layers.marginLines = false;
  EXPECT_TRUE(planes(build()).empty());
}

TEST_F(SceneFixture, HigherDimensionsSayWhatIsShownAndTheLegendSaysPlanes) {
  auto isNotice = [](const CanvasShape& s) { return s.kind == ShapeKind::Notice; };
  const CanvasScene three = build();
  EXPECT_EQ(std::count_if(three.shapes.begin(), three.shapes.end(), isNotice), 0)
      << "nothing to say for d = 3";
  scene = spaceScene(5);
  const CanvasScene sc = build();
  const auto notice = std::find_if(sc.shapes.begin(), sc.shapes.end(), isNotice);
  ASSERT_NE(notice, sc.shapes.end());
  EXPECT_NE(notice->text.find("5D"), std::string::npos) << notice->text;
  bool planes = false;
  for (const LegendEntry& e : sc.legend) planes |= e.text == "margin planes";
  EXPECT_TRUE(planes);
}

TEST_F(SceneFixture, ExportsAsValidSvg) {
  overlay.svmOk = false;
  overlay.svmMessage = "tokens <1> & \"2\" coincide";  // everything XML treats specially
  scene = spaceScene(4);
  const std::string svg = canvasSvg(build());
  EXPECT_NE(svg.find("x\xE2\x82\x83"), std::string::npos) << "the x_3 axis is named";
  if (std::system("xmllint --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  attnmd::testing::TempDir dir;
  attnmd::testing::writeText(dir.path / "v.svg", svg);
  EXPECT_EQ(std::system(("xmllint --noout " + dir.str("v.svg")).c_str()), 0) << svg;
}

// =================================================================================================
// Far-off data: coordinates of 1e300 are valid scene data and must never reach ImGui as huge or
// infinite geometry (it tessellates those into billions of vertices, or crashes).
// =================================================================================================

TEST(KeepShapesDrawable, CutsLongLinesAlongThemselvesAndDropsWhatCannotBeDrawn) {
  CanvasScene sc;
  sc.min = ImVec2(0, 0);
  sc.max = ImVec2(100, 50);
  CanvasShape line;
  line.kind = ShapeKind::Line;
  line.a = ImVec2(50, 25);
  line.b = ImVec2(1e30f, 5e29f);  // slope 1/2 from the centre
  CanvasShape nan = line;
  nan.b = ImVec2(NAN, 0);
  CanvasShape marker;
  marker.kind = ShapeKind::Marker;
  marker.a = ImVec2(INFINITY, 10);
  CanvasShape arrow;
  arrow.kind = ShapeKind::Arrow;
  arrow.a = ImVec2(10, 10);
  arrow.b = ImVec2(1e9f, 10);
  CanvasShape circle;
  circle.kind = ShapeKind::Circle;
  circle.a = ImVec2(20, 20);
  circle.radius = 1e20f;
  sc.shapes = {line, nan, marker, arrow, circle};
  keepShapesDrawable(sc);
  ASSERT_EQ(sc.shapes.size(), 2u) << "the NaN line, the infinite marker and the far arrow are dropped";
  const CanvasShape& cut = sc.shapes[0];
  EXPECT_NEAR(cut.a.x, 50, 1e-3);
  EXPECT_NEAR(cut.b.x, 200, 1e-2) << "cut at one canvas width past the edge";
  EXPECT_NEAR(cut.b.y, 100, 1e-2) << "along the line";
  EXPECT_LE(sc.shapes[1].radius, 2 * (100 + 50));
}

TEST(FarOffData, BothViewsBuildOnlyBoundedShapesAndTheFitShowsEverything) {
  core::Scene s = spaceScene();
  s.sequences[0].tokens.row(0) << 1e300, 0, 0;
  s.sequences[1].tokens.row(1) << 0, -1e300, 1e-300;
  CanvasOverlay ov;
  ov.paramRay = Eigen::Vector3d(1e300, 1e300, 0);
  ov.svmOk = true;
  ov.svmRay = Eigen::Vector3d(0, 1e308, 1e308);
  ov.svmTokens = {0, 0};
  ov.marginNormal = {Eigen::Vector3d(1e200, 0, 0), Eigen::Vector3d(1, 1, 1)};
  ov.marginOffset = {1e200, 1e300};
  ViewState view;
  const ImVec2 size(900, 700);
  view.camera = fitCamera(s, size, view.camera);
  view.canvas = fitView(s, size);
  const Projection3D P = Projection3D::make(ImVec2(0, 0), size, view.camera);
  const CanvasTransform T = CanvasTransform::make(ImVec2(0, 0), size, view.canvas);
  for (const Eigen::Vector3d& x :
       {Eigen::Vector3d(1e300, 0, 0), Eigen::Vector3d(0, -1e300, 0), Eigen::Vector3d(0, 0, 0)}) {
    const ImVec2 at = P.toScreen(x);
    EXPECT_TRUE(at.x >= 0 && at.x <= size.x && at.y >= 0 && at.y <= size.y) << at.x << ", " << at.y;
  }
  const CanvasStyle style;
  for (const CanvasScene& sc :
       {buildView3DScene(s, view, ov, P, style), buildCanvasScene(s, view, ov, T, style)}) {
    EXPECT_LT(sc.shapes.size(), 500u);
    for (const CanvasShape& sh : sc.shapes) {
      for (ImVec2 p : {sh.a, sh.b}) {
        EXPECT_TRUE(std::isfinite(p.x) && std::isfinite(p.y));
        EXPECT_TRUE(p.x >= -900 && p.x <= 1800 && p.y >= -700 && p.y <= 1400) << p.x << ", " << p.y;
      }
      EXPECT_TRUE(std::isfinite(sh.radius) && sh.radius <= 2 * (900 + 700));
    }
  }
}

// =================================================================================================
// The panel: gestures
// =================================================================================================

struct PanelFixture : ::testing::Test {
  ImGuiHarness ui;
  Document doc{DocState{spaceScene(4), {}}};
  View3DPanel panel;
  CanvasOverlay overlay;
  CanvasStyle style;

  PanelFixture() {
    doc.view().camera = Camera3D{0.55, 0.4, 0, 0, 0, 150};
    doc.view().layers.legend = false;  // the legend strip would take the top rows
  }
  void draw() {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(1000, 800));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("view", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    panel.interact(doc, overlay, style);
    panel.render(doc, overlay, style);
    ImGui::End();
    ImGui::PopStyleVar();
  }
  std::function<void()> fn() {
    return [this] { draw(); };
  }
  ImVec2 onScreen(const Eigen::Vector3d& x) const { return panel.projection().toScreen(x); }
  ImVec2 tokenAt(int seq, int t) const { return onScreen(tokenXyz(doc, seq, t)); }
};

TEST_F(PanelFixture, DraggingATokenMovesItInTheScreenPlaneAsOneUndoEntry) {
  ui.frame(fn());
  const Eigen::Vector3d before = tokenXyz(doc, 0, 1);
  const ImVec2 from = tokenAt(0, 1), to(from.x + 60, from.y - 35);
  const double depth = panel.projection().depth(before);
  ui.drag(0, from, to, 6, fn());
  EXPECT_NEAR(distance(tokenAt(0, 1), to), 0, 0.05) << "the token is under the pointer";
  EXPECT_NEAR(panel.projection().depth(tokenXyz(doc, 0, 1)), depth, 1e-9) << "its depth is kept";
  EXPECT_EQ(doc.scene().sequences[0].tokens(1, 3), 8.0) << "x_4 is kept";
  EXPECT_EQ(doc.undoDepth(), 1u);
  EXPECT_EQ(doc.view().selectedSequence, 0);
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(tokenXyz(doc, 0, 1), before);
}

TEST_F(PanelFixture, OrbitPanAndZoomMoveTheCameraNotTheData) {
  ui.frame(fn());
  const std::uint64_t revision = doc.revision();
  const Camera3D start = doc.view().camera;
  ui.drag(0, ImVec2(80, 700), ImVec2(180, 650), 5, fn());  // empty corner
  EXPECT_NE(doc.view().camera.yaw, start.yaw);
  EXPECT_NE(doc.view().camera.pitch, start.pitch);
  const Eigen::Vector3d x = tokenXyz(doc, 1, 0);
  const ImVec2 seen = tokenAt(1, 0);
  ui.drag(1, ImVec2(80, 700), ImVec2(130, 720), 5, fn());
  EXPECT_NEAR(tokenAt(1, 0).x - seen.x, 50, 0.5) << "right drag pans with the mouse";
  EXPECT_NEAR(tokenAt(1, 0).y - seen.y, 20, 0.5);
  const double zoom = doc.view().camera.pixelsPerUnit;
  ui.mouseTo(ImVec2(500, 400));
  ui.wheel(2);
  ui.frame(fn());
  ui.frame(fn());
  EXPECT_NEAR(doc.view().camera.pixelsPerUnit, zoom * 1.15 * 1.15, 1e-9);
  EXPECT_EQ(doc.revision(), revision) << "the document never changed";
  EXPECT_EQ(doc.undoDepth(), 0u);
  EXPECT_EQ(tokenXyz(doc, 1, 0), x);
}

TEST_F(PanelFixture, RightClickDeletesAndDoubleClickAddsUnderThePointer) {
  ui.frame(fn());
  ui.click(1, tokenAt(1, 2), fn());
  EXPECT_EQ(doc.scene().sequences[1].tokens.rows(), 2);
  EXPECT_EQ(doc.undoDepth(), 1u);

  doc.view().selectedSequence = 0;
  const ImVec2 at(120, 690);
  ui.click(0, at, fn());
  ui.click(0, at, fn());
  ASSERT_EQ(doc.scene().sequences[0].tokens.rows(), 4) << "a double-click adds a token";
  EXPECT_NEAR(distance(tokenAt(0, 3), at), 0, 0.05);
  EXPECT_NEAR(panel.projection().depth(tokenXyz(doc, 0, 3)), 0, 1e-9) << "in the plane through the centre";
  EXPECT_EQ(doc.scene().sequences[0].tokens(3, 3), 0.0) << "coordinates past x_3 start at 0";
  EXPECT_EQ(doc.undoDepth(), 2u);
}

TEST_F(PanelFixture, ClickPicksTheNearestOfOverlappingTokens) {
  // Put token (0,2) straight behind token (0,0) on the line of sight.
  ui.frame(fn());
  const Eigen::Vector3d front = tokenXyz(doc, 0, 0);
  Eigen::VectorXd behind = doc.scene().sequences[0].tokens.row(2).transpose();
  behind.head<3>() = front - 2.0 * panel.projection().toViewer;
  ASSERT_EQ(doc.apply(cmd::MoveToken{0, 2, behind}), "");
  doc.view().pickSvmTokens = true;
  ui.click(0, tokenAt(0, 0), fn());
  EXPECT_EQ(doc.experiment().pickedTokens.at(0), 0) << "the token in front, the one drawn on top";
}

TEST(ViewModeBar, OnlyForScenesWithThreeOrMoreDimensions) {
  ImGuiHarness ui;
  View3DPanel panel;
  core::Scene flat = spaceScene();
  flat.dim = 2;
  for (core::Sequence& q : flat.sequences) q.tokens.conservativeResize(Eigen::NoChange, 2);
  flat.model.v = Eigen::Vector2d(0, 1);
  Document plane{DocState{flat, {}}}, space{DocState{spaceScene(), {}}};
  bool planeShows3d = true, spaceShows3d = false;
  ui.frame([&] {
    ImGui::Begin("w");
    planeShows3d = viewModeBar(plane, panel, 1.f);
    spaceShows3d = viewModeBar(space, panel, 1.f);
    ImGui::End();
  });
  EXPECT_FALSE(planeShows3d);
  EXPECT_TRUE(spaceShows3d) << "3D by default for d >= 3";
  space.view().space = false;
  ui.frame([&] {
    ImGui::Begin("w");
    spaceShows3d = viewModeBar(space, panel, 1.f);
    ImGui::End();
  });
  EXPECT_FALSE(spaceShows3d) << "the user's choice of the plane holds";
}

}  // namespace
}  // namespace attnmd::gui
