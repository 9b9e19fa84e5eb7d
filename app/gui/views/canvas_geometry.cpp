#include "app/gui/views/canvas_geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnmd::gui {
CanvasTransform CanvasTransform::make(ImVec2 min, ImVec2 max, const CanvasView& view) {
  CanvasTransform t;
  t.min = min;
  t.max = max;
  t.centerX = view.centerX;
  t.centerY = view.centerY;
  t.pixelsPerUnit = view.pixelsPerUnit > 0 ? view.pixelsPerUnit : 1;
  return t;
}

ImVec2 CanvasTransform::toScreen(double x, double y) const {
  const double cx = 0.5 * (min.x + max.x), cy = 0.5 * (min.y + max.y);
  return ImVec2(static_cast<float>(cx + (x - centerX) * pixelsPerUnit),
                static_cast<float>(cy - (y - centerY) * pixelsPerUnit));
}

Eigen::Vector2d CanvasTransform::toWorld(ImVec2 p) const {
  const double cx = 0.5 * (min.x + max.x), cy = 0.5 * (min.y + max.y);
  return {centerX + (p.x - cx) / pixelsPerUnit, centerY - (p.y - cy) / pixelsPerUnit};
}

Eigen::Vector2d planar(const Eigen::Ref<const Eigen::VectorXd>& x) {
  return {x.size() > 0 ? x(0) : 0.0, x.size() > 1 ? x(1) : 0.0};
}

CanvasView fitView(const core::Scene& scene, ImVec2 size, float edgePad) {
  Eigen::Vector2d lo(0, 0), hi(0, 0);  // the origin is always in view: rays start there
  auto include = [&](const Eigen::Vector2d& p) {
    if (!p.allFinite()) return;
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  };
  for (const auto& s : scene.sequences) {
    for (Eigen::Index t = 0; t < s.tokens.rows(); ++t) include(planar(s.tokens.row(t).transpose()));
    if (s.z.size() > 0) include(planar(s.z));
  }
  if (scene.model.v.size() > 0) include(planar(scene.model.v));
  Eigen::Vector2d extent = (hi - lo).cwiseMax(Eigen::Vector2d(1e-6, 1e-6));
  CanvasView v;
  v.centerX = 0.5 * (lo.x() + hi.x());
  v.centerY = 0.5 * (lo.y() + hi.y());
  const double pad = std::max(0.f, edgePad);
  const double w = std::max({1.0, size.x - 2 * pad, 0.5 * size.x}),
               h = std::max({1.0, size.y - 2 * pad, 0.5 * size.y});
  // 15 % margin on each side so markers, rings and labels at the edge stay visible.
  v.pixelsPerUnit = std::clamp(std::min(w / (extent.x() * 1.3), h / (extent.y() * 1.3)), kMinPixelsPerUnit,
                               kMaxPixelsPerUnit);
  if (hi == lo) v.pixelsPerUnit = std::min(w, h) / 4;
  return v;
}

void zoomAt(CanvasView& view, const CanvasTransform& t, ImVec2 mouse, double factor) {
  const Eigen::Vector2d before = t.toWorld(mouse);
  view.pixelsPerUnit = std::clamp(view.pixelsPerUnit * factor, kMinPixelsPerUnit, kMaxPixelsPerUnit);
  CanvasTransform t2 = CanvasTransform::make(t.min, t.max, view);
  const Eigen::Vector2d after = t2.toWorld(mouse);
  view.centerX += before.x() - after.x();
  view.centerY += before.y() - after.y();
}

void panBy(CanvasView& view, ImVec2 d) {
  view.centerX -= d.x / view.pixelsPerUnit;
  view.centerY += d.y / view.pixelsPerUnit;
}

// Liang-Barsky style clipping of a parametric line p0 + s*u to the world rectangle, s in [s0, s1].
static bool clipParametric(const CanvasTransform& t, Eigen::Vector2d p0, Eigen::Vector2d u, double s0,
                           double s1, ImVec2& a, ImVec2& b) {
  const Eigen::Vector2d lo = t.worldMin(), hi = t.worldMax();
  for (int k = 0; k < 2; ++k) {
    if (std::abs(u(k)) < 1e-300) {
      if (p0(k) < lo(k) || p0(k) > hi(k)) return false;
      continue;
    }
    double e0 = (lo(k) - p0(k)) / u(k), e1 = (hi(k) - p0(k)) / u(k);
    if (e0 > e1) std::swap(e0, e1);
    s0 = std::max(s0, e0);
    s1 = std::min(s1, e1);
    if (s0 > s1) return false;
  }
  a = t.toScreen(p0 + s0 * u);
  b = t.toScreen(p0 + s1 * u);
  return true;
}

bool clipLine(const CanvasTransform& t, const Eigen::Vector2d& n, double c, ImVec2& a, ImVec2& b) {
  const double nn = n.squaredNorm();
  if (!(nn > 0) || !std::isfinite(nn) || !std::isfinite(c)) return false;
  const Eigen::Vector2d p0 = n * (c / nn);  // closest point of the line to the origin
  const Eigen::Vector2d u(-n.y(), n.x());   // direction along the line
  const double inf = std::numeric_limits<double>::infinity();
  return clipParametric(t, p0, u / std::sqrt(nn), -inf, inf, a, b);
}

bool clipRay(const CanvasTransform& t, const Eigen::Vector2d& dir, ImVec2& a, ImVec2& b) {
  const double len = dir.norm();
  if (!(len > 0) || !std::isfinite(len)) return false;
  return clipParametric(t, Eigen::Vector2d::Zero(), dir / len, 0.0, std::numeric_limits<double>::infinity(),
                        a, b);
}

double roundToStep(double x, double step) {
  if (!(step > 0) || !std::isfinite(x) || !std::isfinite(step)) return x;
  if (step < 1) {
    const double inverse = std::round(1 / step);  // 100 for 0.01: x * 100 / 100 rounds exactly
    const double r = std::round(x * inverse) / inverse;
    return std::isfinite(r) ? r : x;
  }
  return std::round(x / step) * step;
}

double placementStep(double pixelsPerUnit, float uiScale, bool snap) {
  if (!(pixelsPerUnit > 0) || !std::isfinite(pixelsPerUnit)) return 0;
  if (snap) return niceGridStep(pixelsPerUnit, 70.0 * uiScale);  // the lines buildCanvasScene() draws
  return std::pow(10.0, std::floor(std::log10(1.0 / pixelsPerUnit)));
}

double niceGridStep(double pixelsPerUnit, double targetPixels) {
  const double raw = targetPixels / std::max(pixelsPerUnit, 1e-300);
  const double p10 = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p10 >= raw) return m * p10;
  return 10 * p10;
}

}  // namespace attnmd::gui
