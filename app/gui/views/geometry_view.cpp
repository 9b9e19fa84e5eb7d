// [SECTION] the model: core/param_geometry.h for each run
// [SECTION] shared drawing helpers
// [SECTION] d = 2: the plane of theta
// [SECTION] d = 3: painter's order under an orbit camera
// [SECTION] hit testing and tooltips
#include "app/gui/views/geometry_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/widgets/theme.h"
#include "core/run.h"

namespace attnmd::gui {

namespace {

// Rows above this are not drawn: every row is a face, and a picture of hundreds of faces says nothing.
constexpr Eigen::Index kGeometryMaxRows = 200;
// How finely a ball is drawn: the 2D outline's points, the 3D grid's latitudes and longitudes.
constexpr int kGeometryCirclePoints = 256;
constexpr int kGeometryLatitudes = 24, kGeometryLongitudes = 48;

std::string geoRunLabel(const GeometryRunModel& r) {
  return r.name.empty() ? std::string("the run") : r.name;
}

// "the rows of sequence 0 token 1 and sequence 2 token 0": the rows an infeasibility certificate names.
std::string geoRowList(const core::ParamSpaceRows& rows, const std::vector<int>& which) {
  std::string s;
  const std::size_t shown = std::min<std::size_t>(which.size(), 4);
  for (std::size_t k = 0; k < shown; ++k) {
    const int row = which[k];
    if (row < 0 || row >= static_cast<int>(rows.rows.size())) continue;
    if (!s.empty()) s += k + 1 == shown && which.size() <= 4 ? " and " : ", ";
    s += "sequence ";
    s += std::to_string(rows.rows[static_cast<std::size_t>(row)].seq);
    s += " token ";
    s += std::to_string(rows.rows[static_cast<std::size_t>(row)].token);
  }
  if (which.size() > shown) s += ", ...";
  return s;
}

}  // namespace

std::string geometryViewProblem(const core::Scene& scene) {
  if (scene.dim != 2 && scene.dim != 3)
    return "The geometry view draws parameter space for d = 2 or 3; this scene has d = " +
           std::to_string(scene.dim) + ".";
  if (scene.model.kind == core::ModelKind::Prompt) return "";
  if (scene.model.kind == core::ModelKind::Query) {
    if (scene.sequenceCount() == 1) return "";
    std::string s =
        "The geometry view draws the query model for a single sequence (only then does W z live in R^d); ";
    s += "this scene has ";
    s += std::to_string(scene.sequenceCount());
    s += " sequences.";
    return s;
  }
  return "The geometry view draws the prompt model, and the query model with one sequence.";
}

// [SECTION] the model: core/param_geometry.h for each run

GeometryModel computeGeometryBalls(const std::vector<GeometryRunInput>& runs) {
  static std::uint64_t revisions = 0;  // the UI thread's; a new model never reuses an old one's number
  GeometryModel m;
  m.revision = ++revisions;
  if (runs.empty() || !runs[0].scene) {
    m.problem = "No run to draw yet.";
    return m;
  }
  m.problem = geometryViewProblem(*runs[0].scene);
  if (!m.problem.empty()) return m;
  m.dim = runs[0].scene->dim;
  m.effectiveQuery = runs[0].scene->model.kind == core::ModelKind::Query;
  double maxRadius = 0;
  for (const GeometryRunInput& in : runs) {
    GeometryRunModel r;
    r.name = in.name;
    r.colour = in.colour;
    r.p = in.p;
    r.tokens = in.svmTokens;
    if (!in.scene || in.scene->dim != m.dim || !geometryViewProblem(*in.scene).empty()) {
      r.problem = "not drawn: its scene does not fit this view";
    } else if (in.svmTokens.empty()) {
      r.problem = "no token selection yet";
    } else {
      r.rows = core::paramSpaceRows(*in.scene, in.svmTokens);
      if (!r.rows.ok) {
        r.problem = r.rows.reason;
      } else if (r.rows.A.rows() > kGeometryMaxRows) {
        r.problem = std::to_string(r.rows.A.rows()) + " constraint rows: too many faces to draw (at most " +
                    std::to_string(kGeometryMaxRows) + ")";
      } else if (r.rows.A.rows() == 0) {
        r.problem = "no constraint rows (every sequence has one token)";
      } else {
        r.ball = core::solveParamBall(r.rows.A, Eigen::VectorXd::Ones(r.rows.A.rows()), in.p);
        if (r.ball.status == core::SvmStatus::Infeasible) {
          r.problem = "no \xCE\xB8 separates the selected tokens from the others: the rows of " +
                      geoRowList(r.rows, r.ball.certificateRows) + " cannot all be \xE2\x89\xA5 1";
        } else if (!r.ball.ok()) {
          r.problem = "the SVM was not solved: " + r.ball.reason;
        } else {
          maxRadius = std::max(maxRadius, r.ball.radius);
          if (m.dim == 2)
            r.circle = core::lpCircle(r.p, r.ball.radius, kGeometryCirclePoints);
          else
            r.mesh = core::lpSphereMesh(r.p, r.ball.radius, kGeometryLatitudes, kGeometryLongitudes);
          if (in.relaxed)
            m.notes.push_back(geoRunLabel(r) +
                              " trains v, so its direction follows the relaxed SVM; the ball drawn is the "
                              "hard-margin one");
        }
      }
    }
    m.runs.push_back(std::move(r));
  }
  for (std::size_t k = 1; k < runs.size(); ++k)
    if (runs[k].svmTokens != runs[0].svmTokens && m.runs[k].ball.ok())
      m.notes.push_back(
          geoRunLabel(m.runs[k]) +
          " selects other tokens: its feasible set is not the one drawn (its ball and trail are)");
  const GeometryRunModel& first = m.runs[0];
  if (maxRadius > 0 && first.rows.ok && first.ball.ok()) {
    m.box = core::boxAroundBall(m.dim, maxRadius);
    m.region = core::clipFeasibleRegion(first.rows.A, Eigen::VectorXd::Ones(first.rows.A.rows()), m.box);
    if (m.region.clipped)
      m.notes.push_back(
          "the feasible set is unbounded (t\xCE\xB8 stays feasible for t \xE2\x89\xA5 1): cut "
          "where a coordinate reaches \xC2\xB1" +
          canvasNumber(m.box.hi[0]) + " (dashed)");
    if (!m.region.rowsWithoutFace.empty()) {
      const std::size_t k = m.region.rowsWithoutFace.size();
      m.notes.push_back(std::to_string(k) + " of the " + std::to_string(first.rows.A.rows()) +
                        " constraints do not bound the set here (no face); hover a face for its token");
    }
  } else if (maxRadius > 0) {
    m.box = core::boxAroundBall(m.dim, maxRadius);
  }
  m.fixedNotes = m.notes.size();
  return m;
}

void updateGeometryTrails(GeometryModel& m, const std::vector<GeometryRunInput>& runs) {
  m.notes.resize(std::min(m.notes.size(), m.fixedNotes));
  for (std::size_t k = 0; k < m.runs.size() && k < runs.size(); ++k) {
    GeometryRunModel& r = m.runs[k];
    const GeometryRunInput& in = runs[k];
    if (!r.ball.ok()) continue;
    // The points of the previous trail whose iterate is still the same one at the same step stay as
    // they are; the iterates from the first that differs on are scaled anew.
    std::size_t keep = 0;
    while (keep < r.trail.points.size() && keep < r.trailIterates.size()) {
      const std::size_t src = static_cast<std::size_t>(r.trail.source[keep]);
      if (src >= in.steps.size() || src >= in.iterates.size() || in.steps[src] != r.trailSteps[keep] ||
          in.iterates[src] != r.trailIterates[keep])
        break;
      ++keep;
    }
    // The iterates before the last kept point's that gave no point (theta = 0) stay skipped.
    const std::size_t from = keep == 0 ? 0 : static_cast<std::size_t>(r.trail.source[keep - 1]) + 1;
    const int skippedBefore = static_cast<int>(from) - static_cast<int>(keep);
    r.trail.points.resize(keep);
    r.trail.source.resize(keep);
    r.trailSteps.resize(keep);
    r.trailIterates.resize(keep);
    const std::vector<Eigen::VectorXd> tail(
        in.iterates.begin() + static_cast<std::ptrdiff_t>(std::min(from, in.iterates.size())),
        in.iterates.end());
    core::NormalizedTrail added = core::normalizedTrail(tail, in.p, r.ball.radius);
    for (std::size_t j = 0; j < added.points.size(); ++j) {
      const std::size_t src = static_cast<std::size_t>(added.source[j]) + from;
      r.trail.points.push_back(std::move(added.points[j]));
      r.trail.source.push_back(static_cast<int>(src));
      r.trailSteps.push_back(src < in.steps.size() ? in.steps[src] : static_cast<long long>(src));
      r.trailIterates.push_back(in.iterates[src]);
    }
    r.trail.skipped = skippedBefore + added.skipped;
    r.current = Eigen::VectorXd();
    if (!r.trail.source.empty() && r.trail.source.back() + 1 == static_cast<int>(in.iterates.size()))
      r.current = r.trail.points.back();
    if (r.trail.skipped > 0)
      m.notes.push_back(geoRunLabel(r) + ": " + std::to_string(r.trail.skipped) +
                        (r.trail.skipped == 1 ? " recorded step has" : " recorded steps have") +
                        " \xCE\xB8 = 0, which has no direction (left out of the trail)");
  }
}

GeometryModel computeGeometryModel(const std::vector<GeometryRunInput>& runs) {
  GeometryModel m = computeGeometryBalls(runs);
  updateGeometryTrails(m, runs);
  return m;
}

// [SECTION] shared drawing helpers

void appendFilledConvexPolygon(CanvasScene& out, const std::vector<ImVec2>& poly, ImU32 colour) {
  if (poly.size() < 3) return;
  CanvasShape shape;
  shape.kind = ShapeKind::Polygon;
  ImVec2 centre(0, 0);
  for (const ImVec2& q : poly) {
    if (!std::isfinite(q.x) || !std::isfinite(q.y)) return;
    centre = ImVec2(centre.x + q.x, centre.y + q.y);
  }
  const float n = static_cast<float>(poly.size());
  shape.a = ImVec2(centre.x / n, centre.y / n);  // keepShapesDrawable places a point shape by `a`
  shape.points = poly;
  shape.fill = colour;
  shape.thickness = 0;
  out.shapes.push_back(std::move(shape));
}

namespace {

ImU32 geoWithAlpha(ImU32 c, unsigned alpha) {
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::min(alpha, 255u)) << IM_COL32_A_SHIFT);
}

// The colour scaled by `k` in brightness (soft shading), alpha kept.
ImU32 geoShaded(ImU32 c, double k) {
  auto ch = [&](int shift) {
    const double v = static_cast<double>((c >> shift) & 0xFF) * k;
    return static_cast<ImU32>(std::clamp(v, 0.0, 255.0)) << shift;
  };
  return ch(IM_COL32_R_SHIFT) | ch(IM_COL32_G_SHIFT) | ch(IM_COL32_B_SHIFT) | (c & IM_COL32_A_MASK);
}

ImU32 geoRunColour(const GeometryRunModel& r, const Palette& pal) {
  return r.colour ? r.colour : pal.foreground;
}

// Where step `step` sits between the first and last step of a trail, on a log axis (most happens early).
double geoStepFraction(long long step, long long last) {
  if (last <= 0) return 1;
  return std::log1p(static_cast<double>(std::max(0LL, step))) / std::log1p(static_cast<double>(last));
}

// One run: viridis by step; several runs: each run's colour, faint early and solid late.
ImU32 geoStepColour(const GeometryModel& m, const GeometryRunModel& r, const Palette& pal, double f) {
  if (m.runs.size() == 1) return attentionColour(0.1 + 0.85 * f);
  return geoWithAlpha(geoRunColour(r, pal), static_cast<unsigned>(60 + 195 * f));
}

CanvasShape geoLine(ImVec2 a, ImVec2 b, ImU32 c, float w) {
  CanvasShape s;
  s.kind = ShapeKind::Line;
  s.a = a;
  s.b = b;
  s.color = c;
  s.thickness = w;
  return s;
}

CanvasShape geoDashed(ImVec2 a, ImVec2 b, ImU32 c, float w, float scale) {
  CanvasShape s = geoLine(a, b, c, w);
  s.kind = ShapeKind::DashedLine;
  s.dash = 7 * scale;
  s.gap = 5 * scale;
  return s;
}

CanvasShape geoDisc(ImVec2 c, float r, ImU32 col) {
  CanvasShape s;
  s.kind = ShapeKind::Disc;
  s.a = c;
  s.radius = r;
  s.color = col;
  return s;
}

CanvasShape geoCircle(ImVec2 c, float r, ImU32 col, float w) {
  CanvasShape s = geoDisc(c, r, col);
  s.kind = ShapeKind::Circle;
  s.thickness = w;
  return s;
}

CanvasShape geoText(ImVec2 at, std::string text, ImU32 col) {
  CanvasShape s;
  s.kind = ShapeKind::Text;
  s.a = at;
  s.text = std::move(text);
  s.color = col;
  return s;
}

CanvasShape geoStar(ImVec2 c, float r, ImU32 fill, ImU32 outline, float w) {
  CanvasShape s;
  s.kind = ShapeKind::Star;
  s.a = c;
  s.radius = r;
  s.fill = fill;
  s.color = outline;
  s.thickness = w;
  return s;
}

std::string geoParamName(bool effectiveQuery) {
  return effectiveQuery ? "W z" : "p";
}

// The name of coordinate `axis` of parameter space: p₁ or (W z)₁.
std::string geoAxisName(bool effectiveQuery, int axis) {
  const char* sub[3] = {"\xE2\x82\x81", "\xE2\x82\x82", "\xE2\x82\x83"};
  return effectiveQuery ? std::string("(W z)") + sub[axis] : std::string("p") + sub[axis];
}

std::string geoPName(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", p);
  return buf;
}

// The text block at the top left: each drawn run's ball.
void geoAddRunKey(CanvasScene& sc, const GeometryModel& m, const Palette& pal) {
  const float s = sc.scale, fs = sc.fontSize;
  ImVec2 at(sc.min.x + 10 * s, sc.max.y - 10 * s - fs * static_cast<float>(m.runs.size()));
  const std::string name = geoParamName(m.effectiveQuery);
  for (const GeometryRunModel& r : m.runs) {
    std::string line = r.name.empty() ? std::string() : r.name + ": ";
    if (r.ball.ok()) {
      line += "\xE2\x84\x93";  // l
      line += geoPName(r.p);
      line += " ball, radius \xE2\x80\x96";
      line += name;
      line += "^mm\xE2\x80\x96 = ";
      line += canvasNumber(r.ball.radius);
    } else {
      line += r.problem;
    }
    sc.shapes.push_back(geoText(at, line, r.ball.ok() ? geoRunColour(r, pal) : pal.warning));
    at.y += fs;
  }
}

// The step colours of a single run as a small bar with its first and last step.
void geoAddStepKey(CanvasScene& sc, const GeometryModel& m, const Palette& pal) {
  if (m.runs.size() != 1 || m.runs[0].trailSteps.empty()) return;
  const float s = sc.scale, fs = sc.fontSize;
  const long long last = m.runs[0].trailSteps.back();
  const float x0 = sc.max.x - 250 * s, y = sc.min.y + 14 * s + 2 * fs;  // top right, clear of the notes
  const int n = 32;
  const float w = 100 * s;
  for (int k = 0; k < n; ++k) {
    const float xa = x0 + w * static_cast<float>(k) / n, xb = x0 + w * static_cast<float>(k + 1) / n;
    sc.shapes.push_back(
        geoLine(ImVec2(xa, y), ImVec2(xb, y), geoStepColour(m, m.runs[0], pal, (k + 0.5) / n), 6 * s));
  }
  sc.shapes.push_back(geoText(ImVec2(x0, y + 5 * s), "step 0", pal.textMuted));
  CanvasShape endLabel = geoText(ImVec2(x0 + w + 6 * s, y - 0.5f * fs), std::to_string(last), pal.textMuted);
  sc.shapes.push_back(std::move(endLabel));
  sc.shapes.push_back(geoText(ImVec2(x0, y - 5 * s - fs), "trail on the ball, by step (log)", pal.textMuted));
}

void geoAddNotices(CanvasScene& sc, const GeometryModel& m, const Palette& pal, bool notes) {
  auto notice = [&](const std::string& text, ImU32 col) {
    CanvasShape n;
    n.kind = ShapeKind::Notice;
    n.text = text;
    n.color = col;
    n.box = pal.panelOverlay;
    sc.shapes.push_back(std::move(n));
  };
  if (!m.runs.empty() && !m.runs[0].problem.empty())
    notice(geoRunLabel(m.runs[0]) + ": " + m.runs[0].problem, pal.warning);
  if (!notes) return;
  // What was clipped or left out: quiet lines above the run key, so the picture stays uncovered.
  const float s = sc.scale, fs = sc.fontSize;
  float y = sc.max.y - 10 * s - fs * static_cast<float>(m.runs.size() + m.notes.size()) - 4 * s;
  for (const std::string& note : m.notes) {
    sc.shapes.push_back(geoText(ImVec2(sc.min.x + 10 * s, y), note, pal.textMuted));
    y += fs;
  }
}

GeometryFaceHit geoFaceHit(const GeometryModel& m, int row) {
  GeometryFaceHit h;
  h.row = row;
  const core::TokenPair& tp = m.runs[0].rows.rows[static_cast<std::size_t>(row)];
  h.seq = tp.seq;
  h.token = tp.token;
  return h;
}

// [SECTION] d = 2: the plane of theta

// Parameter space to the screen: the origin in the middle of the drawing area, y up.
struct GeoPlaneMap {
  ImVec2 o;
  double ppu = 1;
  ImVec2 operator()(const Eigen::VectorXd& x) const {
    return ImVec2(static_cast<float>(o.x + ppu * x[0]), static_cast<float>(o.y - ppu * x[1]));
  }
};

GeoPlaneMap geoPlaneMap(const GeometryModel& m, const GeometryCamera& camera, const GeometrySceneExtras& ex) {
  const double H = m.box.hi.size() == 2 ? m.box.hi[0] : 1.0;
  const double w = ex.drawMax.x - ex.drawMin.x, h = ex.drawMax.y - ex.drawMin.y;
  return {ImVec2(0.5f * (ex.drawMin.x + ex.drawMax.x), 0.5f * (ex.drawMin.y + ex.drawMax.y)),
          camera.zoom * 0.46 * std::min(w, h) / H};
}

// Axes, the feasible set and its faces, the balls and their directions (under the trails), and the
// touching points' stars (over them): what does not move while a run trains.
void geoPlaneStatic(GeometrySceneCache& c, const CanvasScene& sc, const GeometryModel& m,
                    const GeometryCamera& camera, const Palette& pal, const std::vector<int>& alpha) {
  const float s = sc.scale;
  GeometrySceneExtras& ex = c.extras;
  const GeoPlaneMap at = geoPlaneMap(m, camera, ex);
  ex.origin = at.o;
  ex.pixelsPerUnit = at.ppu;
  const double H = m.box.hi.size() == 2 ? m.box.hi[0] : 1.0;
  const std::string name = geoParamName(m.effectiveQuery);
  std::vector<CanvasShape>& under = c.under;
  // Axes through the origin, named.
  const double reach = 1.25 * H;
  under.push_back(geoLine(at(Eigen::Vector2d(-reach, 0)), at(Eigen::Vector2d(reach, 0)), pal.axis, 1.2f * s));
  under.push_back(geoLine(at(Eigen::Vector2d(0, -reach)), at(Eigen::Vector2d(0, reach)), pal.axis, 1.2f * s));
  under.push_back(geoText(at(Eigen::Vector2d(reach, 0)), geoAxisName(m.effectiveQuery, 0), pal.text));
  CanvasShape yName = geoText(at(Eigen::Vector2d(0, reach)), geoAxisName(m.effectiveQuery, 1), pal.text);
  yName.a.x += 4 * s;
  under.push_back(std::move(yName));
  // The feasible set, its faces, the box cut.
  if (!m.region.empty) {
    std::vector<ImVec2> poly;
    for (const Eigen::VectorXd& v : m.region.polygon) poly.push_back(at(v));
    CanvasScene fill;
    appendFilledConvexPolygon(fill, poly, geoWithAlpha(pal.svm, 0x30));
    for (CanvasShape& f : fill.shapes) under.push_back(std::move(f));
    for (const core::FeasibleFace& f : m.region.faces) {
      const ImVec2 a = at(f.vertices[0]), b = at(f.vertices[1]);
      if (f.onBox()) {
        under.push_back(geoDashed(a, b, geoWithAlpha(pal.textMuted, 0xA0), 1.2f * s, s));
        continue;
      }
      GeometryFaceHit hit = geoFaceHit(m, f.row);
      hit.selectedToken = alpha.empty() ? 0 : alpha[static_cast<std::size_t>(hit.seq)];
      under.push_back(geoLine(a, b, sequenceColour(sc.theme, hit.seq), 3.f * s));
      hit.outline = {a, b};
      ex.faces.push_back(std::move(hit));
    }
  }
  // Balls: the other runs first, the selected run's on top.
  for (std::size_t k = m.runs.size(); k-- > 0;) {
    const GeometryRunModel& r = m.runs[k];
    if (!r.ball.ok()) continue;
    const ImU32 col = geoRunColour(r, pal);
    const std::vector<Eigen::VectorXd>& circle = r.circle;
    for (std::size_t j = 0; j < circle.size(); ++j)
      under.push_back(geoLine(at(circle[j]), at(circle[(j + 1) % circle.size()]), col, 2.f * s));
    under.push_back(geoDashed(at.o, at(r.ball.thetaMm * 1.35), col, 1.5f * s, s));
  }
  for (std::size_t k = m.runs.size(); k-- > 0;) {
    const GeometryRunModel& r = m.runs[k];
    if (!r.ball.ok()) continue;
    const ImVec2 t = at(r.ball.thetaMm);
    c.over.push_back(geoStar(t, 8.f * s, geoRunColour(r, pal), pal.markerOutline, 1.2f * s));
    if (k == 0)
      c.over.push_back(geoText(ImVec2(t.x + 9 * s, t.y - 6 * s - sc.fontSize), name + "^mm", pal.text));
  }
}

// The trails and the shown steps: rebuilt each frame a run moves.
void geoPlaneTrails(CanvasScene& sc, const GeometryModel& m, const GeometryCamera& camera, const Palette& pal,
                    const GeometrySceneExtras& ex) {
  const float s = sc.scale;
  const GeoPlaneMap at = geoPlaneMap(m, camera, ex);
  for (std::size_t k = m.runs.size(); k-- > 0;) {
    const GeometryRunModel& r = m.runs[k];
    if (!r.ball.ok() || r.trail.points.empty()) continue;
    const long long last = r.trailSteps.back();
    for (std::size_t j = 0; j < r.trail.points.size(); ++j) {
      const ImU32 c = geoStepColour(m, r, pal, geoStepFraction(r.trailSteps[j], last));
      if (j > 0) sc.shapes.push_back(geoLine(at(r.trail.points[j - 1]), at(r.trail.points[j]), c, 2.5f * s));
      sc.shapes.push_back(geoDisc(at(r.trail.points[j]), 3.f * s, c));
    }
  }
  for (std::size_t k = m.runs.size(); k-- > 0;) {
    const GeometryRunModel& r = m.runs[k];
    if (!r.ball.ok() || r.current.size() != 2) continue;
    const ImU32 col = geoRunColour(r, pal);
    sc.shapes.push_back(geoLine(at.o, at(r.current), col, 2.f * s));
    sc.shapes.push_back(geoDisc(at(r.current), 5.5f * s, col));
    sc.shapes.push_back(geoCircle(at(r.current), 5.5f * s, pal.markerOutline, 1.2f * s));
  }
}

// [SECTION] d = 3: painter's order under an orbit camera

Projection3D geoProjection(const GeometrySceneExtras& sc, const GeometryModel& m,
                           const GeometryCamera& camera) {
  const double H = m.box.hi.size() == 3 ? m.box.hi[0] : 1.0;
  Camera3D c = camera.angles;
  c.targetX = c.targetY = c.targetZ = 0;
  const double w = sc.drawMax.x - sc.drawMin.x, h = sc.drawMax.y - sc.drawMin.y;
  c.pixelsPerUnit = camera.zoom * 0.46 * std::min(w, h) / (H * std::sqrt(3.0));
  return Projection3D::make(sc.drawMin, sc.drawMax, c);
}

// 2D convex hull (monotone chain), counter-clockwise on screen.
std::vector<ImVec2> geoHull(std::vector<ImVec2> pts) {
  std::sort(pts.begin(), pts.end(),
            [](ImVec2 a, ImVec2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  if (pts.size() < 3) return pts;
  auto cross = [](ImVec2 o, ImVec2 a, ImVec2 b) {
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  };
  std::vector<ImVec2> h(2 * pts.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(h[k - 2], h[k - 1], pts[i - 1]) <= 0) --k;
    h[k++] = pts[i - 1];
  }
  h.resize(k - 1);
  return h;
}

// Axes, the faces of the feasible set, the balls and the touching points, sorted far to near: what does
// not move while a run trains.
void geoSpaceStatic(GeometrySceneCache& cache, const CanvasScene& sc, const GeometryModel& m,
                    const GeometryCamera& camera, const Palette& pal, const std::vector<int>& alpha) {
  const float s = sc.scale;
  GeometrySceneExtras& ex = cache.extras;
  const Projection3D P = geoProjection(ex, m, camera);
  const double H = m.box.hi.size() == 3 ? m.box.hi[0] : 1.0;
  ex.origin = P.toScreen(Eigen::Vector3d::Zero());
  ex.pixelsPerUnit = P.pixelsPerUnit;
  auto at = [&](const Eigen::Vector3d& x) { return P.toScreen(x); };
  const std::string name = geoParamName(m.effectiveQuery);
  const Eigen::Vector3d light = (P.toViewer + 0.6 * P.up - 0.4 * P.right).normalized();
  std::vector<GeometryDepthItem>& items = cache.items;
  // Axes (behind everything) and their names.
  for (int a = 0; a < 3; ++a) {
    Eigen::Vector3d e = Eigen::Vector3d::Zero();
    e[a] = 1.25 * H;
    cache.under.push_back(geoLine(at(-e), at(e), geoWithAlpha(pal.axis, 0xB0), 1.2f * s));
    cache.under.push_back(geoText(at(e), geoAxisName(m.effectiveQuery, a), pal.text));
  }
  // Faces of the feasible set: translucent fill and outline, sorted with everything else by depth.
  if (!m.region.empty) {
    for (const core::FeasibleFace& f : m.region.faces) {
      GeometryDepthItem it;
      Eigen::Vector3d c = Eigen::Vector3d::Zero();
      std::vector<ImVec2> poly;
      for (const Eigen::VectorXd& v : f.vertices) {
        c += Eigen::Vector3d(v);
        poly.push_back(at(Eigen::Vector3d(v)));
      }
      c /= static_cast<double>(f.vertices.size());
      it.depth = P.depth(c);
      const ImU32 base =
          f.onBox() ? pal.textMuted
                    : sequenceColour(sc.theme, m.runs[0].rows.rows[static_cast<std::size_t>(f.row)].seq);
      CanvasScene fill;
      fill.min = sc.min;
      fill.max = sc.max;
      appendFilledConvexPolygon(fill, poly, geoWithAlpha(base, f.onBox() ? 0x18 : 0x40));
      it.shapes = std::move(fill.shapes);
      for (std::size_t j = 0; j < poly.size(); ++j) {
        const ImVec2 a = poly[j], b = poly[(j + 1) % poly.size()];
        it.shapes.push_back(f.onBox() ? geoDashed(a, b, geoWithAlpha(pal.textMuted, 0x90), 1.f * s, s)
                                      : geoLine(a, b, geoWithAlpha(base, 0xE0), 1.8f * s));
      }
      if (!f.onBox()) {
        GeometryFaceHit hit = geoFaceHit(m, f.row);
        hit.selectedToken = alpha.empty() ? 0 : alpha[static_cast<std::size_t>(hit.seq)];
        hit.outline = poly;
        hit.depth = it.depth;
        ex.faces.push_back(std::move(hit));
      }
      items.push_back(std::move(it));
    }
  }
  // Balls: a translucent fill of the outline, shaded latitude and longitude lines (faint on the far
  // side), and the silhouette, where the surface turns away from the viewer.
  for (std::size_t k = m.runs.size(); k-- > 0;) {
    const GeometryRunModel& r = m.runs[k];
    if (!r.ball.ok()) continue;
    const ImU32 col = geoRunColour(r, pal);
    const core::LpSphereMesh& mesh = r.mesh;
    const int lat = mesh.latitudes, lon = mesh.longitudes;
    if (lat <= 0 || lon <= 0) continue;
    {
      std::vector<ImVec2> pts;
      for (const Eigen::Vector3d& q : mesh.points) pts.push_back(at(q));
      GeometryDepthItem fill;
      fill.depth = 0;
      CanvasScene tmp;
      tmp.min = sc.min;
      tmp.max = sc.max;
      appendFilledConvexPolygon(tmp, geoHull(pts), geoWithAlpha(col, 0x22));
      fill.shapes = std::move(tmp.shapes);
      items.push_back(std::move(fill));
    }
    auto segment = [&](int i0, int j0, int i1, int j1) {
      const Eigen::Vector3d a = mesh.point(i0, j0), b = mesh.point(i1, j1);
      const Eigen::Vector3d n = (mesh.normal(i0, j0) + mesh.normal(i1, j1)).normalized();
      const double facing = n.dot(P.toViewer);
      GeometryDepthItem it;
      it.depth = P.depth(0.5 * (a + b));
      const double lambert = 0.45 + 0.75 * std::max(0.0, n.dot(light));
      it.shapes.push_back(facing >= 0
                              ? geoLine(at(a), at(b), geoWithAlpha(geoShaded(col, lambert), 0xB0), 1.2f * s)
                              : geoLine(at(a), at(b), geoWithAlpha(col, 0x30), 1.f * s));
      items.push_back(std::move(it));
    };
    for (int i = 3; i < lat; i += 3)
      for (int j = 0; j < lon; ++j) segment(i, j, i, j + 1);
    for (int j = 0; j < lon; j += 4)
      for (int i = 0; i < lat; ++i) segment(i, j, i + 1, j);
    // Silhouette: in each grid cell, the zero crossings of normal . toViewer along its edges.
    for (int i = 0; i < lat; ++i)
      for (int j = 0; j < lon; ++j) {
        const int ci[4] = {i, i, i + 1, i + 1}, cj[4] = {j, j + 1, j + 1, j};
        double f[4];
        for (int c = 0; c < 4; ++c) f[c] = mesh.normal(ci[c], cj[c]).dot(P.toViewer);
        std::vector<Eigen::Vector3d> cross;
        for (int c = 0; c < 4; ++c) {
          const int d = (c + 1) % 4;
          if ((f[c] < 0) != (f[d] < 0)) {
            const double t = f[c] / (f[c] - f[d]);
            cross.push_back(mesh.point(ci[c], cj[c]) +
                            t * (mesh.point(ci[d], cj[d]) - mesh.point(ci[c], cj[c])));
          }
        }
        if (cross.size() != 2) continue;
        GeometryDepthItem it;
        it.depth = P.depth(0.5 * (cross[0] + cross[1]));
        it.shapes.push_back(geoLine(at(cross[0]), at(cross[1]), col, 2.f * s));
        items.push_back(std::move(it));
      }
    GeometryDepthItem dir;
    dir.depth = P.depth(0.5 * r.ball.thetaMm);
    dir.shapes.push_back(
        geoDashed(at(Eigen::Vector3d::Zero()), at(Eigen::Vector3d(r.ball.thetaMm * 1.35)), col, 1.5f * s, s));
    items.push_back(std::move(dir));
    GeometryDepthItem star;
    star.depth = P.depth(r.ball.thetaMm) + 3e-9 * H;
    const ImVec2 t = at(r.ball.thetaMm);
    star.shapes.push_back(geoStar(t, 8.f * s, col, pal.markerOutline, 1.2f * s));
    if (k == 0)
      star.shapes.push_back(geoText(ImVec2(t.x + 9 * s, t.y - 6 * s - sc.fontSize), name + "^mm", pal.text));
    items.push_back(std::move(star));
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const GeometryDepthItem& a, const GeometryDepthItem& b) { return a.depth < b.depth; });
}

// The trails and the shown steps, sorted far to near, to merge with the cached items.
std::vector<GeometryDepthItem> geoSpaceTrails(const CanvasScene& sc, const GeometryModel& m,
                                              const GeometryCamera& camera, const Palette& pal,
                                              const GeometrySceneExtras& ex) {
  const float s = sc.scale;
  const Projection3D P = geoProjection(ex, m, camera);
  const double H = m.box.hi.size() == 3 ? m.box.hi[0] : 1.0;
  auto at = [&](const Eigen::Vector3d& x) { return P.toScreen(x); };
  std::vector<GeometryDepthItem> items;
  for (std::size_t k = m.runs.size(); k-- > 0;) {
    const GeometryRunModel& r = m.runs[k];
    if (!r.ball.ok()) continue;
    const ImU32 col = geoRunColour(r, pal);
    if (!r.trail.points.empty()) {
      const long long last = r.trailSteps.back();
      for (std::size_t j = 0; j < r.trail.points.size(); ++j) {
        const Eigen::Vector3d q = r.trail.points[j];
        const ImU32 c = geoStepColour(m, r, pal, geoStepFraction(r.trailSteps[j], last));
        GeometryDepthItem it;
        it.depth = P.depth(q) + 1e-9 * H;  // just above the surface it lies on
        if (j > 0)
          it.shapes.push_back(geoLine(at(Eigen::Vector3d(r.trail.points[j - 1])), at(q), c, 2.5f * s));
        it.shapes.push_back(geoDisc(at(q), 3.f * s, c));
        items.push_back(std::move(it));
      }
    }
    if (r.current.size() == 3) {
      GeometryDepthItem it;
      it.depth = P.depth(r.current) + 2e-9 * H;
      it.shapes.push_back(geoLine(at(Eigen::Vector3d::Zero()), at(r.current), col, 2.f * s));
      it.shapes.push_back(geoDisc(at(r.current), 5.5f * s, col));
      it.shapes.push_back(geoCircle(at(r.current), 5.5f * s, pal.markerOutline, 1.2f * s));
      items.push_back(std::move(it));
    }
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const GeometryDepthItem& a, const GeometryDepthItem& b) { return a.depth < b.depth; });
  return items;
}

}  // namespace

CanvasScene buildGeometryScene(const GeometryModel& model, ImVec2 min, ImVec2 max,
                               const GeometryCamera& camera, const CanvasStyle& style,
                               const CanvasSceneOptions& options, GeometrySceneExtras* extras,
                               GeometrySceneCache* cache) {
  CanvasScene sc = startCanvasScene(min, max, style, options, {});
  const Palette& pal = palette(style.theme);
  GeometrySceneExtras local;
  GeometrySceneExtras& ex = extras ? *extras : local;
  ex = {};
  if (!model.problem.empty() || model.runs.empty() || model.box.hi.size() == 0) {
    CanvasShape n;
    n.kind = ShapeKind::Notice;
    n.text = !model.problem.empty() ? model.problem
             : model.runs.empty()   ? std::string("No run to draw yet.")
                                    : geoRunLabel(model.runs[0]) + ": " + model.runs[0].problem;
    n.color = pal.warning;
    n.box = pal.panelOverlay;
    sc.shapes.push_back(std::move(n));
    keepShapesDrawable(sc);
    return sc;
  }
  // The text lines at the bottom (notes, run key, step key) get a strip of their own below the picture,
  // unless the canvas is too small for both: then the picture keeps the room and the lines are left out.
  const float keyHeight =
      sc.fontSize * static_cast<float>(model.runs.size() + model.notes.size()) + 18 * sc.scale;
  const bool keys = keyHeight < 0.35f * (max.y - min.y);
  const ImVec2 drawMax(max.x, keys ? max.y - keyHeight : max.y);
  // What does not move while a run trains is built once per model, camera, rectangle and style.
  char key[320];
  std::snprintf(key, sizeof key, "%llu|%a|%a|%a|%a,%a|%a,%a|%a|%a|%d",
                static_cast<unsigned long long>(model.revision), camera.angles.yaw, camera.angles.pitch,
                camera.zoom, static_cast<double>(min.x), static_cast<double>(min.y),
                static_cast<double>(drawMax.x), static_cast<double>(drawMax.y), static_cast<double>(sc.scale),
                static_cast<double>(sc.fontSize), static_cast<int>(style.theme));
  GeometrySceneCache fresh;
  GeometrySceneCache& c = cache ? *cache : fresh;
  if (c.key != key || model.revision == 0) {
    c = {};
    c.key = key;
    c.extras.drawMin = min;
    c.extras.drawMax = drawMax;
    if (model.dim == 2)
      geoPlaneStatic(c, sc, model, camera, pal, model.runs[0].tokens);
    else
      geoSpaceStatic(c, sc, model, camera, pal, model.runs[0].tokens);
  }
  ex = c.extras;
  sc.shapes.reserve(sc.shapes.size() + c.under.size() + c.over.size() + c.items.size() + 64);
  sc.shapes.insert(sc.shapes.end(), c.under.begin(), c.under.end());
  if (model.dim == 2) {
    geoPlaneTrails(sc, model, camera, pal, ex);
    sc.shapes.insert(sc.shapes.end(), c.over.begin(), c.over.end());
  } else {
    // The cached items and the trails' far to near; at equal depth the cached first, as one sort would.
    const std::vector<GeometryDepthItem> trails = geoSpaceTrails(sc, model, camera, pal, ex);
    std::size_t i = 0, j = 0;
    while (i < c.items.size() || j < trails.size()) {
      const bool cached = j == trails.size() || (i < c.items.size() && !(trails[j].depth < c.items[i].depth));
      const GeometryDepthItem& it = cached ? c.items[i++] : trails[j++];
      sc.shapes.insert(sc.shapes.end(), it.shapes.begin(), it.shapes.end());
    }
  }
  if (keys) {
    geoAddRunKey(sc, model, pal);
    geoAddStepKey(sc, model, pal);
  }
  geoAddNotices(sc, model, pal, keys);
  keepShapesDrawable(sc);
  return sc;
}

// [SECTION] hit testing and tooltips

namespace {

float geoDistanceToSegment(ImVec2 p, ImVec2 a, ImVec2 b) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len2 = dx * dx + dy * dy;
  const float t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.f, 1.f) : 0.f;
  const float ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

bool geoInsideConvex(ImVec2 p, const std::vector<ImVec2>& poly) {
  if (poly.size() < 3) return false;
  int sign = 0;
  for (std::size_t j = 0; j < poly.size(); ++j) {
    const ImVec2 a = poly[j], b = poly[(j + 1) % poly.size()];
    const float c = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    if (c == 0) continue;
    const int sg = c > 0 ? 1 : -1;
    if (sign == 0) sign = sg;
    if (sg != sign) return false;
  }
  return true;
}

}  // namespace

const GeometryFaceHit* geometryFaceAt(const GeometrySceneExtras& ex, int dim, ImVec2 mouse, float tolerance) {
  const GeometryFaceHit* best = nullptr;
  if (dim == 2) {
    float bestDist = tolerance;
    for (const GeometryFaceHit& f : ex.faces) {
      if (f.outline.size() != 2) continue;
      const float dist = geoDistanceToSegment(mouse, f.outline[0], f.outline[1]);
      if (dist <= bestDist) {
        bestDist = dist;
        best = &f;
      }
    }
    return best;
  }
  for (const GeometryFaceHit& f : ex.faces)
    if (geoInsideConvex(mouse, f.outline) && (!best || f.depth > best->depth)) best = &f;
  return best;
}

std::string geometryFaceText(const GeometryFaceHit& f, bool effectiveQuery) {
  std::string s = "Sequence ";
  s += std::to_string(f.seq);
  s += ", token ";
  s += std::to_string(f.token);
  s += ": the face where the selected token ";
  s += std::to_string(f.selectedToken);
  s += "'s logit beats token ";
  s += std::to_string(f.token);
  s += "'s by exactly 1\n(";
  s += effectiveQuery ? "(x_sel \xE2\x88\x92 x_t)\xE1\xB5\x80 W z = 1"
                      : "(M(x_sel \xE2\x88\x92 x_t))\xE1\xB5\x80 p = 1";
  s += ", constraint row ";
  s += std::to_string(f.row);
  s += ")";
  return s;
}

}  // namespace attnmd::gui
