// The geometry view (app/gui/views/geometry_view*.h): its model against core's geometry, the
// description's faces where the region's faces project, hover on a face, the notices of bad input, the
// view switch and --view geometry, and the SVG export of the same description.
#include <gtest/gtest.h>

#include <cmath>

#include "app/gui/options.h"
#include "app/gui/views/canvas_svg.h"
#include "app/gui/views/canvas_trails.h"
#include "app/gui/views/geometry_view.h"
#include "app/gui/views/geometry_view_panel.h"
#include "app/gui/views/view3d_panel.h"
#include "core/param_geometry.h"
#include "core/svm.h"
#include "core/tokens.h"
#include "tests/support/scenes.h"
#include "tests/ui/imgui_harness.h"

namespace attnmd::gui {
namespace {

using Eigen::VectorXd;

// A run of `scene` whose iterates turn from `start` towards theta^mm of its selection, growing in norm.
GeometryRunInput geoTestRun(const core::Scene& scene, std::vector<int> alpha, double p, VectorXd start) {
  GeometryRunInput in;
  in.scene = std::make_shared<core::Scene>(scene);
  in.svmTokens = std::move(alpha);
  in.p = p;
  const core::ParamSpaceRows rows = core::paramSpaceRows(scene, in.svmTokens);
  const core::ParamBall ball = core::solveParamBall(rows.A, VectorXd::Ones(rows.A.rows()), p);
  for (int k = 0; k <= 40; ++k) {
    const double t = k / 40.0;
    in.iterates.push_back((1 + 3 * t) * ((1 - t) * start + t * ball.thetaMm));
    in.steps.push_back(k * 10);
  }
  return in;
}

// A selection of the teaching scene whose SVM is feasible: the optimal tokens.
std::vector<int> geoTeachingAlpha(const core::Scene& s) {
  return core::optimalTokens(s);
}

// One sequence whose two constraint rows make a wedge; each l_p ball touches the same edge at its own
// point (the scene of docs/screenshots/geometry-p.png).
core::Scene geoEdgeScene() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(1, 1);
  s.sequences.push_back(attnmd::testing::seq(1, {{0, 1}, {-1, 0.6}, {-1.5, 1.3}}));
  return s;
}

// Two sequences in R^3 whose rows bound a polyhedron with several faces.
core::Scene geoSpaceScene() {
  core::Scene scene;
  scene.dim = 3;
  scene.model.kind = core::ModelKind::Prompt;
  scene.model.v = Eigen::Vector3d(0, 0, 1);
  scene.sequences.push_back(attnmd::testing::seq(1, {{1, 1, 1}, {0, 0, 0}, {0.5, -0.5, 0.2}}));
  scene.sequences.push_back(attnmd::testing::seq(1, {{0.2, 1.5, 0.9}, {-0.5, 0.3, 0}, {0.6, 0.2, 0.1}}));
  return scene;
}

CanvasStyle geoStyle() {
  return CanvasStyle{ThemeKind::Light, 1.f, true, nullptr};
}

TEST(GeometryView, PlaneModelAndDescriptionAgreeWithCore) {
  const core::Scene scene = attnmd::testing::teachingScene();
  const std::vector<int> alpha = geoTeachingAlpha(scene);
  const GeometryModel m =
      computeGeometryModel({geoTestRun(scene, alpha, 2.0, VectorXd(Eigen::Vector2d(1, 0)))});
  ASSERT_TRUE(m.problem.empty()) << m.problem;
  ASSERT_EQ(m.runs.size(), 1u);
  const GeometryRunModel& r = m.runs[0];
  ASSERT_TRUE(r.ball.ok()) << r.problem;
  EXPECT_NEAR(core::lpNormOf(r.ball.thetaMm, 2), r.ball.radius, 1e-12);
  ASSERT_FALSE(m.region.empty);
  EXPECT_TRUE(m.region.clipped);
  // The trail lies on the ball; its last point is the shown step.
  ASSERT_EQ(r.trail.points.size(), 41u);
  for (const VectorXd& q : r.trail.points) EXPECT_NEAR(core::lpNormOf(q, 2), r.ball.radius, 1e-12);
  EXPECT_EQ(r.trailSteps.back(), 400);
  ASSERT_EQ(r.current.size(), 2);

  GeometrySceneExtras ex;
  const CanvasScene sc =
      buildGeometryScene(m, ImVec2(0, 0), ImVec2(900, 700), GeometryCamera{}, geoStyle(), {}, &ex);
  // One hit face per constraint face of the region, at its projected ends.
  int rowFaces = 0;
  for (const core::FeasibleFace& f : m.region.faces)
    if (!f.onBox()) ++rowFaces;
  ASSERT_EQ(static_cast<int>(ex.faces.size()), rowFaces);
  auto at = [&](const VectorXd& x) {
    return ImVec2(static_cast<float>(ex.origin.x + ex.pixelsPerUnit * x[0]),
                  static_cast<float>(ex.origin.y - ex.pixelsPerUnit * x[1]));
  };
  for (const GeometryFaceHit& h : ex.faces) {
    const core::TokenPair& tp = r.rows.rows[static_cast<std::size_t>(h.row)];
    EXPECT_EQ(h.seq, tp.seq);
    EXPECT_EQ(h.token, tp.token);
    EXPECT_EQ(h.selectedToken, alpha[static_cast<std::size_t>(h.seq)]);
    // Hovering the middle of the edge finds this face (or one through the same point), and says which.
    const ImVec2 mid(0.5f * (h.outline[0].x + h.outline[1].x), 0.5f * (h.outline[0].y + h.outline[1].y));
    const GeometryFaceHit* found = geometryFaceAt(ex, 2, mid, 6.f);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->row, h.row);
    const std::string text = geometryFaceText(*found, false);
    EXPECT_NE(text.find("Sequence " + std::to_string(h.seq) + ", token " + std::to_string(h.token)),
              std::string::npos)
        << text;
  }
  EXPECT_EQ(geometryFaceAt(ex, 2, ImVec2(-500, -500), 6.f), nullptr);
  // The touching point is drawn as a star at theta^mm.
  const ImVec2 star = at(r.ball.thetaMm);
  bool starFound = false;
  for (const CanvasShape& s : sc.shapes)
    if (s.kind == ShapeKind::Star && std::abs(s.a.x - star.x) < 0.01f && std::abs(s.a.y - star.y) < 0.01f)
      starFound = true;
  EXPECT_TRUE(starFound);
  // The unbounded set says it was clipped (a line of the notes under the picture).
  bool clippedNotice = false;
  for (const CanvasShape& s : sc.shapes)
    if (s.kind == ShapeKind::Text && s.text.find("unbounded") != std::string::npos) clippedNotice = true;
  EXPECT_TRUE(clippedNotice);
  // The SVG export writes the same description.
  const std::string svg = canvasSvg(sc);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("unbounded"), std::string::npos);
}

TEST(GeometryView, SliderPMovesTheTouchingPoint) {
  const core::Scene scene = geoEdgeScene();
  const std::vector<int> alpha = {0};
  std::vector<VectorXd> touching;
  for (double p : {1.1, 2.0, 3.0}) {
    const GeometryModel m =
        computeGeometryModel({geoTestRun(scene, alpha, p, VectorXd(Eigen::Vector2d(0, 1)))});
    ASSERT_TRUE(m.runs[0].ball.ok());
    const core::AttentionSvm svm = core::solveAttentionSvm(scene, alpha, core::SvmNorm::Lp, p);
    ASSERT_EQ(svm.solution.status, core::SvmStatus::Optimal);
    EXPECT_LT((m.runs[0].ball.thetaMm - svm.direction.p).norm(), 1e-6 * svm.direction.p.norm()) << p;
    touching.push_back(m.runs[0].ball.thetaMm.normalized());
  }
  // Different p, different directions (docs/theory.md §5): the point moves with the slider.
  EXPECT_LT(touching[0].dot(touching[1]), 0.99);
  EXPECT_LT(touching[1].dot(touching[2]), 0.999);
}

TEST(GeometryView, ComparedRunsEachGetABallAndTrail) {
  const core::Scene scene = attnmd::testing::teachingScene();
  const std::vector<int> alpha = geoTeachingAlpha(scene);
  std::vector<GeometryRunInput> runs;
  const ImU32 colours[3] = {IM_COL32(230, 159, 0, 255), IM_COL32(0, 114, 178, 255),
                            IM_COL32(0, 158, 115, 255)};
  const double ps[3] = {1.1, 2.0, 3.0};
  for (int k = 0; k < 3; ++k) {
    runs.push_back(geoTestRun(scene, alpha, ps[k], VectorXd(Eigen::Vector2d(1, 1))));
    runs.back().colour = colours[k];
    runs.back().name = "p " + std::to_string(k);
  }
  const GeometryModel m = computeGeometryModel(runs);
  ASSERT_EQ(m.runs.size(), 3u);
  for (const GeometryRunModel& r : m.runs) ASSERT_TRUE(r.ball.ok());
  const CanvasScene sc = buildGeometryScene(m, ImVec2(0, 0), ImVec2(900, 700), GeometryCamera{}, geoStyle());
  for (int k = 0; k < 3; ++k) {
    int stars = 0;
    for (const CanvasShape& s : sc.shapes)
      if (s.kind == ShapeKind::Star && s.fill == colours[k]) ++stars;
    EXPECT_EQ(stars, 1) << "run " << k << ": its touching point";
  }
}

TEST(GeometryView, SpaceFacesProjectAndTheFrontOneIsHovered) {
  const core::Scene scene = geoSpaceScene();
  const std::vector<int> alpha = {0, 0};
  const GeometryModel m =
      computeGeometryModel({geoTestRun(scene, alpha, 2.0, VectorXd(Eigen::Vector3d(0, 0, 1)))});
  ASSERT_TRUE(m.problem.empty()) << m.problem;
  ASSERT_TRUE(m.runs[0].ball.ok()) << m.runs[0].problem;
  ASSERT_EQ(m.dim, 3);
  GeometrySceneExtras ex;
  GeometryCamera cam;
  const CanvasScene sc = buildGeometryScene(m, ImVec2(0, 0), ImVec2(800, 800), cam, geoStyle(), {}, &ex);
  ASSERT_FALSE(ex.faces.empty());
  Camera3D c = cam.angles;
  const double H = m.box.hi[0];
  EXPECT_EQ(ex.drawMin.y, 0.f);
  EXPECT_LT(ex.drawMax.y, 800.f) << "the text lines get a strip below the picture";
  c.pixelsPerUnit = 0.46 * std::min(ex.drawMax.x, ex.drawMax.y) / (H * std::sqrt(3.0));
  const Projection3D P = Projection3D::make(ex.drawMin, ex.drawMax, c);
  for (const GeometryFaceHit& h : ex.faces) {
    // The outline is the projection of the region's face of the same row.
    const core::FeasibleFace* face = nullptr;
    for (const core::FeasibleFace& f : m.region.faces)
      if (f.row == h.row) face = &f;
    ASSERT_NE(face, nullptr);
    ASSERT_EQ(h.outline.size(), face->vertices.size());
    for (std::size_t j = 0; j < h.outline.size(); ++j) {
      const ImVec2 q = P.toScreen(Eigen::Vector3d(face->vertices[j]));
      EXPECT_NEAR(h.outline[j].x, q.x, 0.01);
      EXPECT_NEAR(h.outline[j].y, q.y, 0.01);
    }
    // At the face's centre, the face found is the front-most of those containing the point.
    ImVec2 centre(0, 0);
    for (const ImVec2& q : h.outline) centre = ImVec2(centre.x + q.x, centre.y + q.y);
    centre = ImVec2(centre.x / h.outline.size(), centre.y / h.outline.size());
    const GeometryFaceHit* found = geometryFaceAt(ex, 3, centre, 6.f);
    ASSERT_NE(found, nullptr);
    EXPECT_GE(found->depth, h.depth);
  }
  EXPECT_GT(sc.shapes.size(), 100u);
}

// Two descriptions draw the same when their shapes are the same kinds at the same places and colours.
void expectSameShapes(const CanvasScene& a, const CanvasScene& b) {
  ASSERT_EQ(a.shapes.size(), b.shapes.size());
  for (std::size_t k = 0; k < a.shapes.size(); ++k) {
    const CanvasShape &x = a.shapes[k], &y = b.shapes[k];
    EXPECT_EQ(x.kind, y.kind) << k;
    EXPECT_EQ(x.a.x, y.a.x) << k;
    EXPECT_EQ(x.a.y, y.a.y) << k;
    EXPECT_EQ(x.b.x, y.b.x) << k;
    EXPECT_EQ(x.b.y, y.b.y) << k;
    EXPECT_EQ(x.color, y.color) << k;
    EXPECT_EQ(x.text, y.text) << k;
  }
}

// A training frame: the balls stay (same revision), the trail extends from the steps it had, and the
// cached description is the one a fresh model and an uncached build give, in 2D and 3D.
TEST(GeometryView, TrainingFramesExtendTheTrailAndReuseTheRest) {
  const core::Scene space = geoSpaceScene();
  const GeometryRunInput plane = geoTestRun(geoEdgeScene(), {0}, 2.0, VectorXd(Eigen::Vector2d(0, 1)));
  const GeometryRunInput solid = geoTestRun(space, {0, 0}, 3.0, VectorXd(Eigen::Vector3d(0, 0, 1)));
  for (GeometryRunInput full : {plane, solid}) {
    full.iterates.insert(full.iterates.begin() + 3, VectorXd::Zero(full.iterates[0].size()));  // no direction
    full.steps.insert(full.steps.begin() + 3, full.steps[2] + 1);
    GeometryRunInput early = full;
    early.iterates.resize(20);
    early.steps.resize(20);
    early.iterates.push_back(full.iterates[30]);  // the shown step, not yet a recorded one
    early.steps.push_back(full.steps[30] - 1);
    GeometryModel m = computeGeometryModel({early});
    ASSERT_TRUE(m.runs[0].ball.ok()) << m.runs[0].problem;
    const std::uint64_t revision = m.revision;
    GeometrySceneCache cache;
    GeometrySceneExtras ex;
    const GeometryCamera cam;
    buildGeometryScene(m, ImVec2(0, 0), ImVec2(900, 700), cam, geoStyle(), {}, &ex, &cache);
    const std::string key = cache.key;
    updateGeometryTrails(m, {full});
    EXPECT_EQ(m.revision, revision);
    const GeometryModel fresh = computeGeometryModel({full});
    const GeometryRunModel &r = m.runs[0], &f = fresh.runs[0];
    ASSERT_EQ(r.trail.points.size(), f.trail.points.size());
    EXPECT_EQ(r.trail.points.size(), full.iterates.size() - 1);
    EXPECT_EQ(r.trail.skipped, 1);
    for (std::size_t k = 0; k < r.trail.points.size(); ++k) {
      EXPECT_EQ(r.trail.points[k], f.trail.points[k]) << k;
      EXPECT_EQ(r.trailSteps[k], f.trailSteps[k]) << k;
    }
    EXPECT_EQ(r.current, f.current);
    EXPECT_EQ(m.notes, fresh.notes);
    const CanvasScene cached =
        buildGeometryScene(m, ImVec2(0, 0), ImVec2(900, 700), cam, geoStyle(), {}, &ex, &cache);
    EXPECT_EQ(cache.key, key);  // the balls and faces were not rebuilt
    GeometrySceneExtras freshEx;
    const CanvasScene uncached =
        buildGeometryScene(fresh, ImVec2(0, 0), ImVec2(900, 700), cam, geoStyle(), {}, &freshEx);
    expectSameShapes(cached, uncached);
    EXPECT_EQ(ex.faces.size(), freshEx.faces.size());
  }
}

TEST(GeometryView, BadInputSaysWhatIsLeftOut) {
  // Infeasible: a non-selected token equal to the selected one.
  core::Scene scene = attnmd::testing::teachingScene();
  scene.sequences[1].tokens.row(2) = scene.sequences[1].tokens.row(0);
  GeometryRunInput in;
  in.scene = std::make_shared<core::Scene>(scene);
  in.svmTokens = {0, 0, 0, 0};
  in.iterates = {VectorXd::Zero(2), VectorXd(Eigen::Vector2d(1, 0))};
  in.steps = {0, 1};
  GeometryModel m = computeGeometryModel({in});
  ASSERT_TRUE(m.problem.empty());
  EXPECT_NE(m.runs[0].problem.find("no \xCE\xB8 separates"), std::string::npos) << m.runs[0].problem;
  EXPECT_NE(m.runs[0].problem.find("sequence 1 token 2"), std::string::npos) << m.runs[0].problem;
  CanvasScene sc = buildGeometryScene(m, ImVec2(0, 0), ImVec2(600, 400), GeometryCamera{}, geoStyle());
  bool said = false;
  for (const CanvasShape& s : sc.shapes)
    if (s.kind == ShapeKind::Notice && s.text.find("no \xCE\xB8 separates") != std::string::npos) said = true;
  EXPECT_TRUE(said);

  // A zero iterate has no direction: left out, and said.
  const core::Scene ok = attnmd::testing::teachingScene();
  GeometryRunInput zero = geoTestRun(ok, geoTeachingAlpha(ok), 2.0, VectorXd(Eigen::Vector2d(1, 0)));
  zero.iterates.front().setZero();
  m = computeGeometryModel({zero});
  EXPECT_EQ(m.runs[0].trail.skipped, 1);
  bool noted = false;
  for (const std::string& n : m.notes) noted = noted || n.find("no direction") != std::string::npos;
  EXPECT_TRUE(noted);

  // Tokens at 1e150 scale: theta^mm near 1e-150, still drawn where the ball is.
  core::Scene tiny = ok;
  for (core::Sequence& q : tiny.sequences) q.tokens *= 1e150;
  const GeometryModel mt = computeGeometryModel(
      {geoTestRun(tiny, geoTeachingAlpha(ok), 2.0, VectorXd(Eigen::Vector2d(1e-150, 0)))});
  ASSERT_TRUE(mt.runs[0].ball.ok()) << mt.runs[0].problem;
  GeometrySceneExtras ex;
  sc = buildGeometryScene(mt, ImVec2(0, 0), ImVec2(600, 400), GeometryCamera{}, geoStyle(), {}, &ex);
  EXPECT_FALSE(ex.faces.empty());
  for (const CanvasShape& s : sc.shapes) EXPECT_TRUE(std::isfinite(s.a.x) && std::isfinite(s.a.y));

  // Scenes the view cannot draw say why.
  core::Scene wide = ok;
  wide.dim = 4;
  EXPECT_FALSE(geometryViewProblem(wide).empty());
  core::Scene query = ok;
  query.model.kind = core::ModelKind::Query;
  EXPECT_NE(geometryViewProblem(query).find("single sequence"), std::string::npos);
  query.sequences.resize(1);
  EXPECT_EQ(geometryViewProblem(query), "");
}

TEST(GeometryView, SwitchAndCommandLine) {
  const ParsedOptions p = [] {
    const char* argv[] = {"attnmd", "--view", "geometry"};
    return parseAppOptions(3, argv);
  }();
  EXPECT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.options.view, "geometry");

  testing::ImGuiHarness ui;
  View3DPanel panel;
  Document plane{DocState{attnmd::testing::teachingScene(), {}}};
  bool shows3d = true;
  plane.view().geometry = true;
  ui.frame([&] {
    ImGui::Begin("w");
    shows3d = viewModeBar(plane, panel, 1.f, true);
    ImGui::End();
  });
  EXPECT_FALSE(shows3d);

  // The panel draws in a window of a headless context and keeps its description.
  GeometryPanel gp;
  const core::Scene scene = attnmd::testing::teachingScene();
  ui.frame([&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(900, 700));
    ImGui::Begin("geometry");
    gp.draw({geoTestRun(scene, geoTeachingAlpha(scene), 2.0, VectorXd(Eigen::Vector2d(1, 0)))}, geoStyle());
    ImGui::End();
  });
  EXPECT_TRUE(gp.model().runs[0].ball.ok());
  EXPECT_GT(gp.scene().shapes.size(), 50u);
  gp.ballP = 3.0;  // the slider's p replaces the run's for the selected run's ball
  ui.frame([&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(900, 700));
    ImGui::Begin("geometry");
    gp.draw({geoTestRun(scene, geoTeachingAlpha(scene), 2.0, VectorXd(Eigen::Vector2d(1, 0)))}, geoStyle());
    ImGui::End();
  });
  EXPECT_EQ(gp.model().runs[0].p, 3.0);
  // The mouse on the middle of a face's edge: the panel reports that face (and shows its tooltip).
  GeometrySceneExtras ex;
  const CanvasScene again =
      buildGeometryScene(gp.model(), gp.scene().min, gp.scene().max, gp.camera, geoStyle(), {}, &ex);
  ASSERT_FALSE(ex.faces.empty());
  const GeometryFaceHit& face = ex.faces.front();
  ui.mouseTo(
      ImVec2(0.5f * (face.outline[0].x + face.outline[1].x), 0.5f * (face.outline[0].y + face.outline[1].y)));
  for (int k = 0; k < 2; ++k)
    ui.frame([&] {
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImVec2(900, 700));
      ImGui::Begin("geometry");
      gp.draw({geoTestRun(scene, geoTeachingAlpha(scene), 2.0, VectorXd(Eigen::Vector2d(1, 0)))}, geoStyle());
      ImGui::End();
    });
  EXPECT_EQ(gp.hoveredRow(), face.row);
}

// [Direction trails, canvas_trails.h]

// The angle of a screen segment in world orientation (screen y points down).
double geoScreenAngle(ImVec2 a, ImVec2 b) {
  return std::atan2(-(b.y - a.y), b.x - a.x);
}

double geoAngleGap(double x, double y) {
  return std::abs(std::remainder(x - y, 2 * M_PI));
}

TEST(DirectionTrails, FanRaysPointAlongTheRecordedDirections) {
  // Prompt model with a key matrix: the fan shows M^T p_k, the direction that ranks the tokens.
  core::Scene scene = attnmd::testing::teachingScene();
  scene.model.keyMatrix = Eigen::Matrix2d{{1, 0.5}, {0, 2}};
  std::vector<long long> steps;
  std::vector<core::Params> params;
  for (int k = 0; k <= 30; ++k) {
    core::Params P;
    const double angle = 2.2 - 2.8 * k / 30.0;  // turning clockwise from up-left to down-right
    P.p = Eigen::Vector2d(std::cos(angle), std::sin(angle)) * (0.5 + k);
    steps.push_back(k * k);
    params.push_back(P);
  }
  params[3].p.setZero();  // no direction: left out
  const DirectionHistory h = directionHistory(scene, steps, params);
  ASSERT_EQ(h.rays.size(), params.size());
  for (std::size_t k = 0; k < h.rays.size(); ++k)
    EXPECT_LT((h.rays[k] - scene.model.keyMatrix.transpose() * params[k].p).norm(), 1e-12);

  CanvasOverlay ov;
  ov.model = core::ModelKind::Prompt;
  ov.trailSteps = h.steps;
  ov.paramRayTrail = h.rays;
  CanvasView view;
  view.pixelsPerUnit = 100;
  const CanvasTransform t = CanvasTransform::make(ImVec2(0, 0), ImVec2(800, 600), view);
  CanvasScene sc = startCanvasScene(t.min, t.max, geoStyle(), {}, {});
  const std::size_t before = sc.shapes.size();
  addCanvasDirectionTrails(sc, scene, ov, t);
  ASSERT_GT(sc.shapes.size(), before + 5);
  const ImVec2 origin = t.toScreen(0, 0);
  unsigned lastAlpha = 0;
  for (std::size_t k = before; k < sc.shapes.size(); ++k) {
    const CanvasShape& line = sc.shapes[k];
    ASSERT_EQ(line.kind, ShapeKind::Line);
    EXPECT_NEAR(line.a.x, origin.x, 0.01);
    EXPECT_NEAR(line.a.y, origin.y, 0.01);
    // Along one of the recorded directions (the one of its step: alpha grows with the step).
    const double angle = geoScreenAngle(line.a, line.b);
    double best = 10;
    for (const Eigen::VectorXd& d : h.rays)
      if (d.norm() > 0) best = std::min(best, geoAngleGap(angle, std::atan2(d[1], d[0])));
    EXPECT_LT(best, 1e-4) << "ray " << k;
    const unsigned alpha = (line.color >> IM_COL32_A_SHIFT) & 0xFF;
    EXPECT_GE(alpha, lastAlpha);
    lastAlpha = alpha;
  }
  // The last ray is the newest direction.
  const CanvasShape& newest = sc.shapes.back();
  EXPECT_LT(geoAngleGap(geoScreenAngle(newest.a, newest.b), std::atan2(h.rays.back()[1], h.rays.back()[0])),
            1e-4);

  // The canvas draws the fan: its description gains these lines when the overlay has a trail.
  CanvasOverlay bare = ov;
  bare.trailSteps.clear();
  bare.paramRayTrail.clear();
  ViewState vs;
  const std::size_t with = buildCanvasScene(scene, vs, ov, t, geoStyle()).shapes.size();
  const std::size_t without = buildCanvasScene(scene, vs, bare, t, geoStyle()).shapes.size();
  EXPECT_EQ(with - without, sc.shapes.size() - before);
}

TEST(DirectionTrails, QueryModelFansStartAtEachQuery) {
  core::Scene scene = attnmd::testing::teachingScene();
  scene.model.kind = core::ModelKind::Query;
  std::vector<long long> steps = {0, 10, 100};
  std::vector<core::Params> params(3);
  params[0].W = Eigen::Matrix2d{{1, 0}, {0, 1}};
  params[1].W = Eigen::Matrix2d{{0, -1}, {1, 0}};
  params[2].W = Eigen::Matrix2d{{2, 1}, {-1, 3}};
  const DirectionHistory h = directionHistory(scene, steps, params);
  ASSERT_EQ(h.queries.size(), 3u);
  CanvasOverlay ov;
  ov.model = core::ModelKind::Query;
  ov.trailSteps = h.steps;
  ov.paramQueryTrail = h.queries;
  CanvasView view;
  view.pixelsPerUnit = 100;
  const CanvasTransform t = CanvasTransform::make(ImVec2(0, 0), ImVec2(800, 600), view);
  CanvasScene sc = startCanvasScene(t.min, t.max, geoStyle(), {}, {});
  const std::size_t before = sc.shapes.size();
  addCanvasDirectionTrails(sc, scene, ov, t);
  ASSERT_EQ(sc.shapes.size() - before, 3u * static_cast<std::size_t>(scene.sequenceCount()));
  std::size_t k = before;
  for (int i = 0; i < scene.sequenceCount(); ++i)
    for (std::size_t step = 0; step < 3; ++step, ++k) {
      const CanvasShape& line = sc.shapes[k];
      const ImVec2 z = t.toScreen(planar(scene.queryOf(i)));
      EXPECT_NEAR(line.a.x, z.x, 0.01);
      EXPECT_NEAR(line.a.y, z.y, 0.01);
      const Eigen::VectorXd q = params[step].W * scene.queryOf(i);
      EXPECT_LT(geoAngleGap(geoScreenAngle(line.a, line.b), std::atan2(q[1], q[0])), 1e-4)
          << i << " " << step;
    }
}

}  // namespace
}  // namespace attnmd::gui
