// [SECTION] floor grid and axes
// [SECTION] theory: margin planes, rays, query arrows, v
// [SECTION] tokens, far to near
#include "app/gui/views/view3d_scene.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "app/gui/render/depth_layer.h"
#include "app/gui/views/canvas_geometry.h"
#include "app/gui/views/canvas_trails.h"

namespace attnmd::gui {
namespace {

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

// `c` moved a fraction `t` of the way to `to` (both opaque or not: alpha is interpolated too).
ImU32 mixTowards(ImU32 c, ImU32 to, float t) {
  auto channel = [&](int shift) {
    const float a = static_cast<float>((c >> shift) & 0xFF), b = static_cast<float>((to >> shift) & 0xFF);
    return static_cast<ImU32>(std::lround(a + t * (b - a))) << shift;
  };
  return channel(IM_COL32_R_SHIFT) | channel(IM_COL32_G_SHIFT) | channel(IM_COL32_B_SHIFT) |
         channel(IM_COL32_A_SHIFT);
}

// Shapes ImGui keeps drawing over the GL image: text and its boxes.
bool isOverlayShape(ShapeKind k) {
  return k == ShapeKind::Rect || k == ShapeKind::Text || k == ShapeKind::RayLabel || k == ShapeKind::Notice ||
         k == ShapeKind::Hint;
}

// A screen point whose depth is known: the shared builders of canvas_scene.h take screen points, so
// their shapes get their depth back by matching the points they were given.
constexpr long long kDropLineMaxTokens = 2000;
constexpr float kDenseMinRadius = 2.f;  // points, at UI scale 1: the smallest marker of a shrunk cloud

struct KnownDepth {
  ImVec2 at;
  float z;
};

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
  double reach = 1;        // world length of rays: the farthest point's distance from the origin
  bool hardEdges = false;  // the GL renderer draws this many tokens' markers dense (depth_layer.h)
  // Above kDenseTokenCount tokens every marker is smaller by sqrt(kDenseTokenCount / count) (relative
  // sizes kept): a cloud of 100,000 reads as a cloud, and the rasterizer has a tenth of the pixels.
  float markerShrink = 1.f;

  void add(CanvasShape sh) { out.shapes.push_back(std::move(sh)); }
  // Drop lines to the floor with the grid, for scenes of up to kDropLineMaxTokens tokens: beyond that
  // they hide the floor and the tokens under a mesh of lines (and cost the rasterizer most of a frame).
  bool dropLines() const {
    if (!view.layers.grid) return false;
    long long count = 0;
    for (const core::Sequence& q : scene.sequences) count += q.tokens.rows();
    return count <= kDropLineMaxTokens;
  }
  ImVec2 screen(const Eigen::Vector3d& x) const { return P.toScreen(x); }
  // Depth in canvas pixels towards the viewer (larger is nearer), the units of out.depth.
  float zOf(const Eigen::Vector3d& x) const { return static_cast<float>(P.depth(x) * P.pixelsPerUnit); }
  void segment(const Eigen::Vector3d& a, const Eigen::Vector3d& b, ImU32 colour, float thickness) {
    out.depth.segments.push_back({screen(a), screen(b), zOf(a), zOf(b), thickness, colour});
  }
  // Moves the shapes added since `first` that are geometry into the depth layer, each end at the depth
  // of the known point it sits on (else `fallback`); text stays in out.shapes for ImGui to draw on top.
  void liftShapesSince(std::size_t first, const std::vector<KnownDepth>& known, float fallback) {
    auto zAt = [&](ImVec2 p) {
      for (const KnownDepth& k : known)
        if (k.at.x == p.x && k.at.y == p.y) return k.z;
      return fallback;
    };
    std::size_t kept = first;
    for (std::size_t i = first; i < out.shapes.size(); ++i) {
      CanvasShape& sh = out.shapes[i];
      if (isOverlayShape(sh.kind)) {
        if (kept != i) out.shapes[kept] = std::move(sh);
        ++kept;
        continue;
      }
      DepthShape d;
      d.za = zAt(sh.a);
      d.zb = zAt(sh.b);
      d.shape = std::move(sh);
      out.depth.shapes.push_back(std::move(d));
    }
    out.shapes.resize(kept);
  }

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
      segment({x, y0, 0}, {x, y1, 0}, pal.gridMinor, 1.f);
    for (double y = y0; y <= y1 + step * 1e-6 && lines < 128; y += step, ++lines)
      segment({x0, y, 0}, {x1, y, 0}, pal.gridMinor, 1.f);
    std::string words = "floor x\xE2\x82\x83 = 0, grid " + canvasNumber(step, "%g");
    static_assert(kDropLineMaxTokens == 2000 && kDenseTokenCount == 5000, "the note below says so");
    if (!dropLines()) words += "; no drop lines above 2,000 tokens";
    if (hardEdges) words += "; smaller, hard-edged markers above 5,000";
    CanvasShape note = text(ImVec2(out.min.x + 8 * s, out.max.y - out.fontSize * 0.85f - 6 * s), words,
                            pal.textMuted, 0.85f);
    add(std::move(note));
  }

  void axes() {
    const char* names[3] = {"x\xE2\x82\x81", "x\xE2\x82\x82", "x\xE2\x82\x83"};
    for (int k = 0; k < 3; ++k) {
      // Each axis spans the data along it, a little further on the positive side for its name.
      Eigen::Vector3d e = Eigen::Vector3d::Zero();
      e(k) = 1.15 * bounds.extent(k);
      const ImVec2 a = screen(-0.25 * e), b = screen(e);
      segment(-0.25 * e, e, pal.axis, 1.5f * s);
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
      // A filled translucent patch: with the depth buffer a token visibly sits in front of its plane or
      // behind it (seen through it, tinted). Faint, since many planes overlap in a projection.
      const ImU32 col = sequenceColour(theme, i);
      DepthShape plane;
      plane.shape.kind = ShapeKind::Polygon;
      for (const Eigen::Vector3d& k : corner) {
        plane.shape.points.push_back(screen(k));
        plane.pointZ.push_back(zOf(k));
      }
      plane.shape.a = plane.shape.points[0];
      plane.shape.fill = withAlpha(col, 0.22f);
      plane.shape.color = withAlpha(col, 0.6f);
      plane.shape.thickness = 1.2f * s;
      plane.za = plane.zb = zOf(foot);
      out.depth.shapes.push_back(std::move(plane));
    }
  }

  // Per sequence with a margin plane on screen: {x : n^T x = c}, the selected token on the side
  // n^T x > c (math.md's constraints (x_alpha - x)^T q >= 1 put the other tokens at n^T x <= c).
  struct MarginSide {
    bool shown = false;
    Eigen::Vector3d n{0, 0, 0};
    double c = 0;
  };
  std::vector<MarginSide> marginSides() const {
    std::vector<MarginSide> sides(static_cast<std::size_t>(scene.sequenceCount()));
    if (!(view.layers.marginLines && ov.svmOk && scene.dim == 3)) return sides;
    for (int i = 0; i < scene.sequenceCount(); ++i) {
      const Eigen::VectorXd* nrm = elementAt(ov.marginNormal, i);
      const double* c = elementAt(ov.marginOffset, i);
      if (!nrm || !c || nrm->size() != 3 || !std::isfinite(*c)) continue;
      const double nn = nrm->squaredNorm();
      if (!(nn > 1e-300) || !std::isfinite(nn)) continue;
      MarginSide& m = sides[static_cast<std::size_t>(i)];
      m.shown = true;
      m.n = *nrm;
      m.c = *c;
    }
    return sides;
  }

  void rays() {
    const int n = scene.sequenceCount();
    if (ov.model == core::ModelKind::Prompt) {
      const float z0 = zOf(Eigen::Vector3d::Zero());
      std::vector<KnownDepth> ends{{screen(Eigen::Vector3d::Zero()), z0}};
      auto ray = [&](const Eigen::VectorXd& dir, ImVec2& a, ImVec2& b) {
        if (dir.size() == 0) return false;
        const Eigen::Vector3d d = spatial(dir);
        const double l = d.stableNorm();
        if (!(l > 1e-300) || !std::isfinite(l)) return false;
        a = screen(Eigen::Vector3d::Zero());
        b = screen(d / l * reach);
        ends.push_back({b, zOf(d / l * reach)});
        return true;
      };
      const std::size_t first = out.shapes.size();
      ImVec2 pa, pb, sa, sb;
      const bool paramVisible = ray(ov.paramRay, pa, pb);
      const bool svmVisible = ov.svmOk && ray(ov.svmRay, sa, sb);
      addOtherRunRays(out, ov, ray);
      addPromptRays(out, ov, paramVisible, pa, pb, svmVisible, sa, sb);
      liftShapesSince(first, ends, z0);
    } else {
      // W z_i and W^mm z_i from the query point, a third of the scene's size long.
      const double len = 0.35 * bounds.radius;
      for (int i = 0; i < n; ++i) {
        const Eigen::Vector3d from = spatial(scene.queryOf(i));
        auto arrow = [&](const Eigen::VectorXd& q, bool dashed, ImU32 colour) {
          const Eigen::Vector3d d = spatial(q);
          const double l = d.stableNorm();
          if (!(l > 1e-300) || !std::isfinite(l)) return;
          const Eigen::Vector3d to = from + d / l * len;
          const std::size_t first = out.shapes.size();
          addQueryArrow(out, screen(from), screen(to), colour, dashed);
          liftShapesSince(first, {{screen(from), zOf(from)}, {screen(to), zOf(to)}}, zOf(from));
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
    std::vector<KnownDepth> known{{o, zOf(Eigen::Vector3d::Zero())}, {tip, zOf(spatial(scene.model.v))}};
    ImVec2 trainedTip = o;
    bool shortened = false;
    if (scene.model.trainV && ov.trainedV.size() == scene.dim) {
      // The trained v's norm grows without bound: its arrow is capped at the reach of the rays.
      const Eigen::Vector3d w = spatial(ov.trainedV);
      const double len = w.stableNorm();
      if (len > 1e-9 && std::isfinite(len)) {
        const double k = std::min(1.0, reach / len);
        trainedTip = screen(w * k);
        known.push_back({trainedTip, zOf(w * k)});
        shortened = k < 1;
      }
    }
    const std::size_t first = out.shapes.size();
    addVArrows(out, scene.model.trainV, o, tip, trainedTip, shortened);
    liftShapesSince(first, known, known[0].z);
  }

  // =================================================================================================
  // [SECTION] tokens, far to near
  // =================================================================================================

  void tokens() {
    struct Item {
      int seq, token;  // token -1: the sequence's given query z_i
      double depth;
      int order;  // position before sorting: ties keep it, as a stable sort would
    };
    std::vector<Item> items;
    const bool queries = scene.model.kind != core::ModelKind::Prompt;
    for (int i = 0; i < scene.sequenceCount(); ++i) {
      const core::Sequence& q = scene.sequences[static_cast<std::size_t>(i)];
      for (int k = 0; k < q.tokens.rows(); ++k)
        items.push_back(
            {i, k, P.depth(spatial(q.tokens.row(k).transpose())), static_cast<int>(items.size())});
      if (queries && scene.model.query == core::QueryKind::Given && q.z.size() == scene.dim)
        items.push_back({i, -1, P.depth(spatial(q.z)), static_cast<int>(items.size())});
    }
    // Drop lines to the floor (depth cue); with the depth buffer (or the painters' sort) a near one
    // crosses in front of a far marker, and behind a near one.
    if (dropLines())
      for (const Item& it : items) {
        const core::Sequence& q = scene.sequences[static_cast<std::size_t>(it.seq)];
        const Eigen::Vector3d x = it.token >= 0 ? spatial(q.tokens.row(it.token).transpose()) : spatial(q.z);
        segment(x, {x.x(), x.y(), 0}, withAlpha(sequenceColour(theme, it.seq), 0.35f), 1.f * s);
      }
    // std::sort with the order as a tie-break: the stable sort's result without its merge buffer
    // (a few percent of a 100,000-token frame).
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.depth < b.depth || (a.depth == b.depth && a.order < b.order);
    });
    const std::vector<MarginSide> sides = marginSides();
    const ImU32 background = pal.canvasBackground;
    out.depth.tokens.reserve(items.size());
    for (const Item& it : items) {
      const core::Sequence& q = scene.sequences[static_cast<std::size_t>(it.seq)];
      const ImU32 col = sequenceColour(theme, it.seq);
      if (it.token < 0) {
        const Eigen::Vector3d z = spatial(q.z);
        const std::size_t first = out.shapes.size();
        addQueryMarker(out, screen(z), col);
        liftShapesSince(first, {}, zOf(z));
        continue;
      }
      const Eigen::Vector3d x = spatial(q.tokens.row(it.token).transpose());
      const int sel = elementAt(ov.selected, it.seq) ? *elementAt(ov.selected, it.seq) : -1;
      const int opt = elementAt(ov.optimal, it.seq) ? *elementAt(ov.optimal, it.seq) : -1;
      const std::vector<char>* support = elementAt(ov.support, it.seq);
      TokenMarks m;
      m.shape = shapeForLabel(q.y);
      m.colour = col;
      // Beyond its sequence's margin plane (where the SVM puts the tokens attention turns away from):
      // tinted towards the background, so the plane's two sides read apart.
      const MarginSide& side = sides[static_cast<std::size_t>(it.seq)];
      if (side.shown && side.n.dot(x) - side.c < -1e-9 * (1 + std::abs(side.c)))
        m.colour = mixTowards(col, background, 0.55f);
      m.cycle = sequenceCycle(out.theme, it.seq);
      m.radius = std::max(kDenseMinRadius * s, markerShrink * tokenMarkerRadius(ov, it.seq, it.token, s));
      m.markScale = markerShrink;
      m.outlined = it.seq == view.selectedSequence;
      m.queryToken = queries && scene.model.query == core::QueryKind::First && it.token == 0;
      m.selected = it.token == sel;
      m.support = view.layers.supportMarks && ov.svmOk && support &&
                  it.token < static_cast<int>(support->size()) &&
                  (*support)[static_cast<std::size_t>(it.token)];
      m.optimal = view.layers.optimalMarks && it.token == opt;
      const ImVec2 c = screen(x);
      const float z = zOf(x);
      if (!m.queryToken && !m.selected && !m.support && !m.optimal) {
        // Most tokens: the marker (and its colour cycle's mark) alone, straight into the layer
        // (100,000 of them each frame).
        out.depth.tokens.push_back(
            {c, z, m.radius, m.colour, pal.foreground, m.outlined ? 1.5f * s : 0.f, m.shape, m.cycle});
        out.layout.markers.push_back({it.seq, it.token, c, m.radius, 0.f, 0.f});
        continue;
      }
      // With rings, badges or a second colour channel: the shared shapes, the marker becoming the
      // layer's token and the rest drawn at the marker's front so the sphere does not hide them.
      const std::size_t first = out.shapes.size();
      addTokenShapes(out, it.seq, it.token, c, m);
      for (std::size_t k = first; k < out.shapes.size(); ++k) {
        const CanvasShape& sh = out.shapes[k];
        if (sh.kind != ShapeKind::Marker) continue;
        out.depth.tokens.push_back({sh.a, z, sh.radius, sh.fill, sh.color, sh.thickness, sh.marker});
        out.shapes.erase(out.shapes.begin() + static_cast<std::ptrdiff_t>(k));
        break;
      }
      liftShapesSince(first, {}, z + m.radius);
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
  std::size_t tokenCount = 0;
  for (const core::Sequence& q : scene.sequences) tokenCount += static_cast<std::size_t>(q.tokens.rows());
  b.hardEdges = options.keepDepthLayer && tokenCount > kDenseTokenCount;
  if (tokenCount > kDenseTokenCount)
    b.markerShrink = static_cast<float>(std::sqrt(static_cast<double>(kDenseTokenCount) / tokenCount));
  // Depth cueing spans the data's bounding sphere: its near side in full colour, its far side faded.
  const float zc = b.zOf(b.bounds.centre),
              zr = static_cast<float>(b.bounds.radius * projection.pixelsPerUnit);
  out.depth.cueNear = zc + zr;
  out.depth.background = pal.canvasBackground;
  out.depth.cueFar = zc - zr;
  if (view.layers.grid) b.floorGrid();
  b.axes();
  b.marginPlanes();
  b.rays();
  b.v();
  const std::size_t dot = out.shapes.size();
  addOriginDot(out, projection.toScreen(Eigen::Vector3d::Zero()));
  b.liftShapesSince(dot, {}, b.zOf(Eigen::Vector3d::Zero()));
  b.tokens();
  std::string note;
  if (scene.dim > 3)
    note = std::to_string(scene.dim) +
           "D scene: showing x\xE2\x82\x81, x\xE2\x82\x82, x\xE2\x82\x83 (edits keep the other coordinates)";
  else if (scene.dim < 3)
    note = std::to_string(scene.dim) + "D scene shown in space (x\xE2\x82\x83 = 0)";
  addView3DDirectionTrails(out, scene, overlay, projection);  // the direction's fan (canvas_trails.h)
  addCanvasNotices(out, view, overlay, options.interactive, note);
  keepShapesDrawable(out);
  keepDepthLayerDrawable(out.depth, out.min, out.max);
  if (!options.keepDepthLayer) flattenDepthLayer(out);
  return out;
}

}  // namespace attnmd::gui
