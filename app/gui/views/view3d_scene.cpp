// [SECTION] floor grid and axes
// [SECTION] theory: margin planes, rays, query arrows, v
// [SECTION] tokens, far to near
#include "app/gui/views/view3d_scene.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "app/gui/views/canvas_geometry.h"

namespace attnmd::gui {
namespace {

CanvasShape line(ImVec2 a, ImVec2 b, ImU32 colour, float thickness) {
  CanvasShape l;
  l.kind = ShapeKind::Line;
  l.a = a;
  l.b = b;
  l.color = colour;
  l.thickness = thickness;
  return l;
}

CanvasShape text(ImVec2 at, std::string s, ImU32 colour, float fontScale = 1.f) {
  CanvasShape t;
  t.kind = ShapeKind::Text;
  t.a = at;
  t.text = std::move(s);
  t.color = colour;
  t.fontScale = fontScale;
  return t;
}

template <class T>
const T* elementAt(const std::vector<T>& v, int i) {
  return i >= 0 && i < static_cast<int>(v.size()) ? &v[static_cast<std::size_t>(i)] : nullptr;
}

// Two unit vectors spanning the plane orthogonal to the unit vector n.
std::pair<Eigen::Vector3d, Eigen::Vector3d> planeBasis(const Eigen::Vector3d& n) {
  const Eigen::Vector3d helper = std::abs(n.z()) < 0.9 ? Eigen::Vector3d::UnitZ() : Eigen::Vector3d::UnitX();
  const Eigen::Vector3d u = n.cross(helper).normalized();
  return {u, n.cross(u)};
}

struct Builder3D {
  const core::Scene& scene;
  const ViewState& view;
  const CanvasOverlay& ov;
  const Projection3D& P;
  const Palette& pal;
  ThemeKind theme;
  float s;
  CanvasScene& out;
  SceneBounds bounds = sceneBounds(scene);
  double reach = 1;  // world length of rays: the farthest point's distance from the origin

  void add(CanvasShape sh) { out.shapes.push_back(std::move(sh)); }
  ImVec2 screen(const Eigen::Vector3d& x) const { return P.toScreen(x); }

  // =================================================================================================
  // [SECTION] floor grid and axes
  // =================================================================================================

  void floorGrid() {
    // Floor lines at "nice" steps over the data's x_1-x_2 extent, about 5 to 10 of them.
    const double half = bounds.radius;
    const double step = niceGridStep(1.0, 2.0 * half / 8.0);
    const double x0 = std::floor((bounds.centre.x() - half) / step) * step;
    const double x1 = std::ceil((bounds.centre.x() + half) / step) * step;
    const double y0 = std::floor((bounds.centre.y() - half) / step) * step;
    const double y1 = std::ceil((bounds.centre.y() + half) / step) * step;
    // The origin is inside the bounds, so the span is a few steps; the count caps it all the same.
    int lines = 0;
    for (double x = x0; x <= x1 + step * 1e-6 && lines < 64; x += step, ++lines)
      add(line(screen({x, y0, 0}), screen({x, y1, 0}), pal.gridMinor, 1.f));
    for (double y = y0; y <= y1 + step * 1e-6 && lines < 128; y += step, ++lines)
      add(line(screen({x0, y, 0}), screen({x1, y, 0}), pal.gridMinor, 1.f));
    CanvasShape note =
        text(ImVec2(out.min.x + 8 * s, out.max.y - out.fontSize * 0.85f - 6 * s),
             "floor x\xE2\x82\x83 = 0, grid " + canvasNumber(step, "%g"), pal.textMuted, 0.85f);
    add(std::move(note));
  }

  void axes() {
    const char* names[3] = {"x\xE2\x82\x81", "x\xE2\x82\x82", "x\xE2\x82\x83"};
    for (int k = 0; k < 3; ++k) {
      // Each axis spans the data along it, a little further on the positive side for its name.
      Eigen::Vector3d e = Eigen::Vector3d::Zero();
      e(k) = 1.15 * bounds.extent(k);
      const ImVec2 a = screen(-0.25 * e), b = screen(e);
      add(line(a, b, pal.axis, 1.5f * s));
      // The name just past the positive end, pushed outwards along the axis's screen direction.
      const float dx = b.x - a.x, dy = b.y - a.y, len = std::max(1.f, std::sqrt(dx * dx + dy * dy));
      const ImVec2 tip(b.x + 10 * s * dx / len - 0.35f * out.fontSize,
                       b.y + 10 * s * dy / len - 0.5f * out.fontSize);
      add(text(tip, names[k], pal.textMuted));
    }
  }

  // =================================================================================================
  // [SECTION] theory
  // =================================================================================================

  void marginPlanes() {
    if (!(view.layers.marginLines && ov.svmOk && scene.dim == 3)) return;
    for (int i = 0; i < scene.sequenceCount(); ++i) {
      const Eigen::VectorXd* nrm = elementAt(ov.marginNormal, i);
      const double* c = elementAt(ov.marginOffset, i);
      if (!nrm || !c || nrm->size() != 3) continue;
      const Eigen::Vector3d n = *nrm;
      const double nn = n.squaredNorm();
      if (!(nn > 1e-300) || !std::isfinite(nn)) continue;
      // Centre the patch on the foot of the selected token (the SVM's alpha_i) on the plane, or of the
      // sequence's mean token when there is none.
      const core::Sequence& q = scene.sequences[static_cast<std::size_t>(i)];
      const int* alpha = elementAt(ov.svmTokens, i);
      const Eigen::Vector3d x = alpha && *alpha >= 0 && *alpha < q.tokens.rows()
                                    ? Eigen::Vector3d(q.tokens.row(*alpha).transpose())
                                    : Eigen::Vector3d(q.tokens.colwise().mean().transpose());
      const Eigen::Vector3d foot = x - (n.dot(x) - *c) / nn * n;
      const auto [u, w] = planeBasis(n / std::sqrt(nn));
      const double h = 0.3 * bounds.radius;
      const Eigen::Vector3d corner[4] = {foot + h * (u + w), foot + h * (u - w), foot - h * (u + w),
                                         foot - h * (u - w)};
      // Fainter than the 2D lines: many planes overlap in a projection.
      const ImU32 col = withAlpha(sequenceColour(theme, i), 0.4f);
      for (int k = 0; k < 4; ++k) add(line(screen(corner[k]), screen(corner[(k + 1) % 4]), col, 1.2f * s));
      // The two mid-lines make the patch read as a plane rather than a floating frame.
      add(line(screen(foot + h * u), screen(foot - h * u), withAlpha(col, 0.5f), 1.f * s));
      add(line(screen(foot + h * w), screen(foot - h * w), withAlpha(col, 0.5f), 1.f * s));
    }
  }

  void rays() {
    const int n = scene.sequenceCount();
    if (ov.model == core::ModelKind::Prompt) {
      auto ray = [&](const Eigen::VectorXd& dir, ImVec2& a, ImVec2& b) {
        if (dir.size() == 0) return false;
        const Eigen::Vector3d d = spatial(dir);
        const double l = d.stableNorm();
        if (!(l > 1e-300) || !std::isfinite(l)) return false;
        a = screen(Eigen::Vector3d::Zero());
        b = screen(d / l * reach);
        return true;
      };
      ImVec2 pa, pb, sa, sb;
      const bool paramVisible = ray(ov.paramRay, pa, pb);
      const bool svmVisible = ov.svmOk && ray(ov.svmRay, sa, sb);
      addOtherRunRays(out, ov, ray);
      addPromptRays(out, ov, paramVisible, pa, pb, svmVisible, sa, sb);
    } else {
      // W z_i and W^mm z_i from the query point, a third of the scene's size long.
      const double len = 0.35 * bounds.radius;
      for (int i = 0; i < n; ++i) {
        const Eigen::Vector3d from = spatial(scene.queryOf(i));
        auto arrow = [&](const Eigen::VectorXd& q, bool dashed, ImU32 colour) {
          const Eigen::Vector3d d = spatial(q);
          const double l = d.stableNorm();
          if (!(l > 1e-300) || !std::isfinite(l)) return;
          addQueryArrow(out, screen(from), screen(from + d / l * len), colour, dashed);
        };
        const ImU32 own = ov.runColour ? ov.runColour : sequenceColour(theme, i);
        for (const CanvasOverlay::OtherRun& r : ov.otherRuns) {
          if (const Eigen::VectorXd* q = elementAt(r.paramQueries, i)) arrow(*q, false, r.colour);
          if (const Eigen::VectorXd* q = elementAt(r.svmQueries, i)) arrow(*q, true, r.colour);
        }
        if (const Eigen::VectorXd* q = elementAt(ov.paramQueries, i)) arrow(*q, false, own);
        if (ov.svmOk)
          if (const Eigen::VectorXd* q = elementAt(ov.svmQueries, i)) arrow(*q, true, own);
      }
    }
  }

  void v() {
    if (scene.model.v.size() != scene.dim) return;
    const ImVec2 o = screen(Eigen::Vector3d::Zero()), tip = screen(spatial(scene.model.v));
    ImVec2 trainedTip = o;
    bool shortened = false;
    if (scene.model.trainV && ov.trainedV.size() == scene.dim) {
      // The trained v's norm grows without bound: its arrow is capped at the reach of the rays.
      const Eigen::Vector3d w = spatial(ov.trainedV);
      const double len = w.stableNorm();
      if (len > 1e-9 && std::isfinite(len)) {
        const double k = std::min(1.0, reach / len);
        trainedTip = screen(w * k);
        shortened = k < 1;
      }
    }
    addVArrows(out, scene.model.trainV, o, tip, trainedTip, shortened);
  }

  // =================================================================================================
  // [SECTION] tokens, far to near
  // =================================================================================================

  void tokens() {
    struct Item {
      int seq, token;  // token -1: the sequence's given query z_i
      double depth;
    };
    std::vector<Item> items;
    const bool queries = scene.model.kind != core::ModelKind::Prompt;
    for (int i = 0; i < scene.sequenceCount(); ++i) {
      const core::Sequence& q = scene.sequences[static_cast<std::size_t>(i)];
      for (int k = 0; k < q.tokens.rows(); ++k)
        items.push_back({i, k, P.depth(spatial(q.tokens.row(k).transpose()))});
      if (queries && scene.model.query == core::QueryKind::Given && q.z.size() == scene.dim)
        items.push_back({i, -1, P.depth(spatial(q.z))});
    }
    // Drop lines first, all under every marker: a line from a far token must not cross a near one.
    if (view.layers.grid)
      for (const Item& it : items) {
        const core::Sequence& q = scene.sequences[static_cast<std::size_t>(it.seq)];
        const Eigen::Vector3d x = it.token >= 0 ? spatial(q.tokens.row(it.token).transpose()) : spatial(q.z);
        add(line(screen(x), screen({x.x(), x.y(), 0}), withAlpha(sequenceColour(theme, it.seq), 0.35f),
                 1.f * s));
      }
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.depth < b.depth; });
    for (const Item& it : items) {
      const core::Sequence& q = scene.sequences[static_cast<std::size_t>(it.seq)];
      const ImU32 col = sequenceColour(theme, it.seq);
      if (it.token < 0) {
        addQueryMarker(out, screen(spatial(q.z)), col);
        continue;
      }
      const int sel = elementAt(ov.selected, it.seq) ? *elementAt(ov.selected, it.seq) : -1;
      const int opt = elementAt(ov.optimal, it.seq) ? *elementAt(ov.optimal, it.seq) : -1;
      const std::vector<char>* support = elementAt(ov.support, it.seq);
      TokenMarks m;
      m.shape = shapeForLabel(q.y);
      m.colour = col;
      m.cycle = sequenceCycle(out.theme, it.seq);
      m.radius = tokenMarkerRadius(ov, it.seq, it.token, s);
      m.outlined = it.seq == view.selectedSequence;
      m.queryToken = queries && scene.model.query == core::QueryKind::First && it.token == 0;
      m.selected = it.token == sel;
      m.support = view.layers.supportMarks && ov.svmOk && support &&
                  it.token < static_cast<int>(support->size()) &&
                  (*support)[static_cast<std::size_t>(it.token)];
      m.optimal = view.layers.optimalMarks && it.token == opt;
      addTokenShapes(out, it.seq, it.token, screen(spatial(q.tokens.row(it.token).transpose())), m);
    }
  }
};

}  // namespace

std::vector<LegendEntry> view3DLegend(core::ModelKind model, bool relaxedSvm) {
  std::vector<LegendEntry> legend = canvasLegend(model, relaxedSvm);
  for (LegendEntry& e : legend)
    if (e.icon == LegendIcon::MarginLines) e.text = "margin planes";
  return legend;
}

CanvasScene buildView3DScene(const core::Scene& scene, const ViewState& view, const CanvasOverlay& overlay,
                             const Projection3D& projection, const CanvasStyle& style,
                             const CanvasSceneOptions& options) {
  // No axisNames: the axes are named at their tips in the picture itself.
  CanvasScene out = startCanvasScene(projection.min, projection.max, style, options,
                                     view3DLegend(overlay.model, overlay.relaxedSvm));
  out.layout.transform.pixelsPerUnit = projection.pixelsPerUnit;
  const Palette& pal = palette(style.theme);

  Builder3D b{scene, view, overlay, projection, pal, style.theme, style.scale, out};
  b.reach = b.bounds.reach;
  if (view.layers.grid) b.floorGrid();
  b.axes();
  b.marginPlanes();
  b.rays();
  b.v();
  addOriginDot(out, projection.toScreen(Eigen::Vector3d::Zero()));
  b.tokens();
  std::string note;
  if (scene.dim > 3)
    note = std::to_string(scene.dim) +
           "D scene: showing x\xE2\x82\x81, x\xE2\x82\x82, x\xE2\x82\x83 (edits keep the other coordinates)";
  else if (scene.dim < 3)
    note = std::to_string(scene.dim) + "D scene shown in space (x\xE2\x82\x83 = 0)";
  addCanvasNotices(out, view, overlay, options.interactive, note);
  keepShapesDrawable(out);
  return out;
}

}  // namespace attnmd::gui
