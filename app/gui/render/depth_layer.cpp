#include "app/gui/render/depth_layer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "app/plot/geometry.h"

namespace attnmd::gui {
namespace {

// Depths beyond this many pixels from the view's centre plane are clamped: a 24-bit depth buffer
// over +-1e6 px still tells apart points a tenth of a pixel apart, and nothing that far is on screen.
constexpr float kMaxDepthPixels = 1e6f;

bool finitePoint(ImVec2 p) {
  return std::isfinite(p.x) && std::isfinite(p.y);
}

struct KeyedShape {
  float key;
  CanvasShape shape;
};

CanvasShape lineShape(ImVec2 a, ImVec2 b, float thickness, ImU32 colour) {
  CanvasShape l;
  l.kind = ShapeKind::Line;
  l.a = a;
  l.b = b;
  l.thickness = thickness;
  l.color = colour;
  return l;
}

// A (dashed) line a -> b with depths za, zb, in pieces of about `piece` px, each keyed by its middle.
void addLinePieces(std::vector<KeyedShape>& out, const CanvasShape& line, float za, float zb, float piece,
                   int maxPieces) {
  const float dx = line.b.x - line.a.x, dy = line.b.y - line.a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  const bool dashed = line.kind == ShapeKind::DashedLine && line.dash > 0;
  float step = piece;
  if (dashed) {  // whole dash periods, so each piece starts where a dash starts
    const float period = line.dash + line.gap;
    step = std::max(1.f, std::round(piece / period)) * period;
  }
  if (!dashed) step = std::max(step, len / static_cast<float>(maxPieces));
  const int n = std::clamp(static_cast<int>(std::ceil(len / std::max(step, 1.f))), 1, maxPieces);
  if (n == 1 || !(len > 0)) {
    out.push_back({0.5f * (za + zb), line});
    return;
  }
  for (int k = 0; k < n; ++k) {
    const float t0 = std::min(1.f, static_cast<float>(k) * step / len);
    const float t1 = k + 1 == n ? 1.f : std::min(1.f, static_cast<float>(k + 1) * step / len);
    if (t1 <= t0) break;
    CanvasShape p = line;
    p.a = ImVec2(line.a.x + t0 * dx, line.a.y + t0 * dy);
    p.b = ImVec2(line.a.x + t1 * dx, line.a.y + t1 * dy);
    out.push_back({za + 0.5f * (t0 + t1) * (zb - za), std::move(p)});
  }
}

// The parameter range [t0, t1] of a-b inside [lo, hi] (plot's Liang-Barsky, in double); false when empty.
bool clipParameters(ImVec2 a, ImVec2 b, ImVec2 lo, ImVec2 hi, double& t0, double& t1) {
  const plot::Rect r{lo.x, lo.y, static_cast<double>(hi.x) - lo.x, static_cast<double>(hi.y) - lo.y};
  return plot::clipSegmentParameters({a.x, a.y}, {b.x, b.y}, r, t0, t1);
}

// Cuts a-b (depths za, zb) to [lo, hi]; false when nothing of it is inside or it is not finite.
bool clipDepthSegment(ImVec2& a, ImVec2& b, float& za, float& zb, ImVec2 lo, ImVec2 hi) {
  if (!finitePoint(a) || !finitePoint(b) || !std::isfinite(za) || !std::isfinite(zb)) return false;
  double t0 = 0, t1 = 1;
  if (!clipParameters(a, b, lo, hi, t0, t1)) return false;
  const ImVec2 from = a, to = b;
  const double z0 = za, z1 = zb;
  auto at = [&](double t) {
    return ImVec2(static_cast<float>(from.x + t * (static_cast<double>(to.x) - from.x)),
                  static_cast<float>(from.y + t * (static_cast<double>(to.y) - from.y)));
  };
  a = at(t0);
  b = at(t1);
  za = static_cast<float>(std::clamp(z0 + t0 * (z1 - z0), -1e300, 1e300));
  zb = static_cast<float>(std::clamp(z0 + t1 * (z1 - z0), -1e300, 1e300));
  za = std::clamp(za, -kMaxDepthPixels, kMaxDepthPixels);
  zb = std::clamp(zb, -kMaxDepthPixels, kMaxDepthPixels);
  return true;
}

}  // namespace

std::vector<CanvasShape> depthSortedShapes(const DepthLayer& layer, float piece) {
  std::vector<KeyedShape> items;
  items.reserve(layer.tokens.size() + layer.segments.size() + layer.shapes.size());
  for (const DepthToken& t : layer.tokens) {
    CanvasShape m;
    m.kind = ShapeKind::Marker;
    m.a = t.centre;
    m.radius = t.radius;
    m.fill = t.fill;
    m.color = t.outline;
    m.thickness = t.outlineWidth;
    m.marker = t.shape;
    items.push_back({t.z, std::move(m)});
    // The second colour channel, as addTokenShapes draws it: an inner ring (odd cycles), a bar (>= 2).
    if (t.cycle % 2 == 1) {
      CanvasShape inner;
      inner.kind = ShapeKind::Circle;
      inner.a = t.centre;
      inner.radius = 0.55f * t.radius;
      inner.thickness = std::max(1.f, 0.2f * t.radius);
      inner.color = layer.background;
      items.push_back({t.z, std::move(inner)});
    }
    if (t.cycle >= 2)
      items.push_back({t.z, lineShape(ImVec2(t.centre.x - 0.6f * t.radius, t.centre.y),
                                      ImVec2(t.centre.x + 0.6f * t.radius, t.centre.y),
                                      std::max(1.f, 0.25f * t.radius), layer.background)});
  }
  for (const DepthSegment& s : layer.segments)
    addLinePieces(items, lineShape(s.a, s.b, s.thickness, s.color), s.za, s.zb, piece, 8);
  for (const DepthShape& d : layer.shapes) {
    const CanvasShape& sh = d.shape;
    if (sh.kind == ShapeKind::Line || sh.kind == ShapeKind::DashedLine) {
      addLinePieces(items, sh, d.za, d.zb, piece, 32);
    } else if (sh.kind == ShapeKind::Polygon) {
      float sum = 0;
      for (float z : d.pointZ) sum += z;
      items.push_back({d.pointZ.empty() ? d.za : sum / static_cast<float>(d.pointZ.size()), sh});
    } else if (sh.kind == ShapeKind::Arrow || sh.kind == ShapeKind::DashedArrow) {
      items.push_back({0.5f * (d.za + d.zb), sh});
    } else {
      items.push_back({d.za, sh});
    }
  }
  // Stable: items at one depth (a token's ring and badges at its front) keep their order.
  std::stable_sort(items.begin(), items.end(),
                   [](const KeyedShape& a, const KeyedShape& b) { return a.key < b.key; });
  std::vector<CanvasShape> out;
  out.reserve(items.size());
  for (KeyedShape& k : items) out.push_back(std::move(k.shape));
  return out;
}

void flattenDepthLayer(CanvasScene& scene) {
  if (scene.depth.empty()) return;
  std::vector<CanvasShape> sorted = depthSortedShapes(scene.depth);
  scene.depth = DepthLayer{};
  // After the background Rect (shapes[0]) when there is one, before every overlay shape.
  const bool background = !scene.shapes.empty() && scene.shapes[0].kind == ShapeKind::Rect;
  const auto at = scene.shapes.begin() + (background ? 1 : 0);
  scene.shapes.insert(at, std::make_move_iterator(sorted.begin()), std::make_move_iterator(sorted.end()));
}

void keepDepthLayerDrawable(DepthLayer& layer, ImVec2 mn, ImVec2 mx) {
  const float w = mx.x - mn.x, h = mx.y - mn.y;
  const ImVec2 lo(mn.x - w, mn.y - h), hi(mx.x + w, mx.y + h);
  const float maxRadius = 2 * (w + h);
  auto inside = [&](ImVec2 p) {
    return finitePoint(p) && p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y;
  };
  auto depthOk = [](float& z) {
    if (!std::isfinite(z)) return false;
    z = std::clamp(z, -kMaxDepthPixels, kMaxDepthPixels);
    return true;
  };
  std::erase_if(layer.tokens, [&](DepthToken& t) {
    if (!inside(t.centre) || !depthOk(t.z) || !std::isfinite(t.radius) || !std::isfinite(t.outlineWidth))
      return true;
    t.radius = std::min(t.radius, maxRadius);
    return false;
  });
  std::erase_if(layer.segments, [&](DepthSegment& s) {
    return !std::isfinite(s.thickness) || !clipDepthSegment(s.a, s.b, s.za, s.zb, lo, hi);
  });
  std::erase_if(layer.shapes, [&](DepthShape& d) {
    CanvasShape& sh = d.shape;
    if (!std::isfinite(sh.radius) || !std::isfinite(sh.thickness)) return true;
    sh.radius = std::min(sh.radius, maxRadius);
    switch (sh.kind) {
      case ShapeKind::Line:
      case ShapeKind::DashedLine:
        return !clipDepthSegment(sh.a, sh.b, d.za, d.zb, lo, hi);
      case ShapeKind::Arrow:
      case ShapeKind::DashedArrow:
        // Cut, an arrow would get its head in the wrong place: one that runs far off is dropped.
        return !inside(sh.a) || !inside(sh.b) || !depthOk(d.za) || !depthOk(d.zb);
      case ShapeKind::Polygon:
        if (sh.points.size() != d.pointZ.size() || sh.points.size() < 3) return true;
        for (std::size_t k = 0; k < sh.points.size(); ++k)
          if (!inside(sh.points[k]) || !depthOk(d.pointZ[k])) return true;
        return false;
      default:
        return !inside(sh.a) || !depthOk(d.za);
    }
  });
}

}  // namespace attnmd::gui
