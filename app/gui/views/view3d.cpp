#include "app/gui/views/view3d.h"

#include "app/gui/views/canvas_geometry.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnmd::gui {
namespace {

constexpr double kMaxPitch = 1.50;  // radians, a little under 90°: the view never flips over the pole
constexpr double kOrbitRadiansPerPixel = 0.008;

}  // namespace

Projection3D Projection3D::make(ImVec2 min, ImVec2 max, const Camera3D& c) {
  Projection3D p;
  p.min = min;
  p.max = max;
  p.target = Eigen::Vector3d(c.targetX, c.targetY, c.targetZ);
  const double cy = std::cos(c.yaw), sy = std::sin(c.yaw), cp = std::cos(c.pitch), sp = std::sin(c.pitch);
  p.toViewer = Eigen::Vector3d(cp * cy, cp * sy, sp);
  p.right = Eigen::Vector3d(-sy, cy, 0);  // horizontal: the x_3 axis always shows vertical
  p.up = p.toViewer.cross(p.right);
  p.pixelsPerUnit = c.pixelsPerUnit > 0 ? c.pixelsPerUnit : 1;
  return p;
}

ImVec2 Projection3D::toScreen(const Eigen::Vector3d& x) const {
  const Eigen::Vector3d d = x - target;
  return ImVec2(static_cast<float>(0.5 * (min.x + max.x) + pixelsPerUnit * right.dot(d)),
                static_cast<float>(0.5 * (min.y + max.y) - pixelsPerUnit * up.dot(d)));
}

Eigen::Vector3d Projection3D::screenDelta(ImVec2 px) const {
  return (right * px.x - up * px.y) / pixelsPerUnit;
}

Eigen::Vector3d Projection3D::onScreenPlane(ImVec2 s) const {
  return target + screenDelta(ImVec2(s.x - 0.5f * (min.x + max.x), s.y - 0.5f * (min.y + max.y)));
}

Eigen::Vector3d spatial(const Eigen::Ref<const Eigen::VectorXd>& x) {
  Eigen::Vector3d p = Eigen::Vector3d::Zero();
  for (Eigen::Index k = 0; k < std::min<Eigen::Index>(3, x.size()); ++k) p(k) = x(k);
  return p;
}

namespace {

// Calls f on every finite token, query and v of the scene, in the first three coordinates, without
// gathering them (the 3D view asks for the bounds every frame: 100,000 tokens).
template <class F>
void forShownPoints(const core::Scene& scene, F&& f) {
  auto visit = [&](const Eigen::Vector3d& p) {
    if (p.allFinite()) f(p);
  };
  for (const core::Sequence& q : scene.sequences) {
    for (Eigen::Index t = 0; t < q.tokens.rows(); ++t) {
      Eigen::Vector3d p = Eigen::Vector3d::Zero();
      for (Eigen::Index k = 0; k < std::min<Eigen::Index>(3, q.tokens.cols()); ++k) p(k) = q.tokens(t, k);
      visit(p);
    }
    if (q.z.size() > 0) visit(spatial(q.z));
  }
  if (scene.model.v.size() > 0) visit(spatial(scene.model.v));
}

// The same points gathered (for what needs them all at once).
std::vector<Eigen::Vector3d> shownPoints(const core::Scene& scene) {
  std::vector<Eigen::Vector3d> points;
  forShownPoints(scene, [&](const Eigen::Vector3d& p) { points.push_back(p); });
  return points;
}

// |x|, overflow-safe: the plain norm unless squaring over- or underflows (coordinates near 1e300 or
// 1e-300 are valid scene data), then the stable one.
double boundsNorm(const Eigen::Vector3d& x) {
  const double n2 = x.squaredNorm();
  return n2 < 1e300 && n2 > 1e-300 ? std::sqrt(n2) : x.stableNorm();
}

}  // namespace

SceneBounds sceneBounds(const core::Scene& scene) {
  Eigen::Vector3d lo = Eigen::Vector3d::Zero(), hi = Eigen::Vector3d::Zero();  // the origin is shown
  forShownPoints(scene, [&](const Eigen::Vector3d& p) {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  });
  SceneBounds b;
  b.centre = 0.5 * (lo + hi);
  double r = boundsNorm(b.centre), reach = 0;  // the origin is shown
  forShownPoints(scene, [&](const Eigen::Vector3d& p) {
    r = std::max(r, boundsNorm(p - b.centre));
    reach = std::max(reach, boundsNorm(p));
  });
  b.radius = r > 1e-9 ? r : 1.0;
  b.reach = reach > 1e-9 ? reach : b.radius;
  b.extent = lo.cwiseAbs().cwiseMax(hi.cwiseAbs()).cwiseMax(Eigen::Vector3d::Constant(0.25 * b.radius));
  return b;
}

Camera3D fitCamera(const core::Scene& scene, ImVec2 size, Camera3D c) {
  // What the view draws, seen from the camera's angles: the points, the origin and the axes' ends
  // (view3d_scene.cpp draws axis k from -0.29 to 1.15 times extent_k, its name past the end).
  const SceneBounds b = sceneBounds(scene);
  std::vector<Eigen::Vector3d> points = shownPoints(scene);
  points.push_back(Eigen::Vector3d::Zero());
  for (int k = 0; k < 3; ++k) {
    Eigen::Vector3d e = Eigen::Vector3d::Zero();
    e(k) = 1.25 * b.extent(k);
    points.push_back(e);
    points.push_back(-0.3 * e);
  }
  c.targetX = c.targetY = c.targetZ = 0;
  const Projection3D p = Projection3D::make(ImVec2(0, 0), ImVec2(1, 1), c);
  Eigen::Vector2d lo(1e300, 1e300), hi(-1e300, -1e300);
  for (const Eigen::Vector3d& x : points) {
    const Eigen::Vector2d onScreen(p.right.dot(x), p.up.dot(x));
    lo = lo.cwiseMin(onScreen);
    hi = hi.cwiseMax(onScreen);
  }
  // The target is the point whose projection is the middle of that box (any depth will do).
  const Eigen::Vector3d target = p.right * 0.5 * (lo.x() + hi.x()) + p.up * 0.5 * (lo.y() + hi.y());
  c.targetX = target.x();
  c.targetY = target.y();
  c.targetZ = target.z();
  const Eigen::Vector2d extent = (hi - lo).cwiseMax(Eigen::Vector2d::Constant(1e-6 * b.radius));
  // 10 % margin on each side for markers, rings and labels at the edge.
  const double w = std::max(1.f, size.x), h = std::max(1.f, size.y);
  c.pixelsPerUnit = std::clamp(std::min(w / (1.2 * extent.x()), h / (1.2 * extent.y())), kMinPixelsPerUnit,
                               kMaxPixelsPerUnit);
  return c;
}

void orbit(Camera3D& c, ImVec2 d) {
  c.yaw = std::remainder(c.yaw - d.x * kOrbitRadiansPerPixel, 2 * M_PI);
  c.pitch = std::clamp(c.pitch + d.y * kOrbitRadiansPerPixel, -kMaxPitch, kMaxPitch);
}

void panCamera(Camera3D& c, const Projection3D& p, ImVec2 d) {
  const Eigen::Vector3d move = -p.screenDelta(d);  // the scene follows the mouse
  c.targetX += move.x();
  c.targetY += move.y();
  c.targetZ += move.z();
}

void zoomCamera(Camera3D& c, double factor) {
  if (c.pixelsPerUnit > 0)
    c.pixelsPerUnit = std::clamp(c.pixelsPerUnit * factor, kMinPixelsPerUnit, kMaxPixelsPerUnit);
}

Camera3D glideCamera(const Camera3D& shown, const Camera3D& target, double dt, double timeConstant) {
  if (!(shown.pixelsPerUnit > 0) || !(target.pixelsPerUnit > 0)) return target;  // nothing to glide from
  const double k = timeConstant > 0 && dt >= 0 ? 1.0 - std::exp(-dt / timeConstant) : 1.0;
  Camera3D c = target;
  const double dyaw = std::remainder(target.yaw - shown.yaw, 2 * M_PI);
  const double dpitch = target.pitch - shown.pitch;
  const double dzoom = std::log(target.pixelsPerUnit / shown.pixelsPerUnit);
  const Eigen::Vector3d from(shown.targetX, shown.targetY, shown.targetZ),
      to(target.targetX, target.targetY, target.targetZ);
  const double movePixels = (to - from).norm() * target.pixelsPerUnit;
  if (!std::isfinite(dzoom) || !std::isfinite(movePixels)) return target;
  if (std::abs(dyaw) < 1e-5 && std::abs(dpitch) < 1e-5 && std::abs(dzoom) < 1e-5 && movePixels < 0.01)
    return target;
  c.yaw = std::remainder(shown.yaw + k * dyaw, 2 * M_PI);
  c.pitch = shown.pitch + k * dpitch;
  c.pixelsPerUnit = shown.pixelsPerUnit * std::exp(k * dzoom);
  const Eigen::Vector3d at = from + k * (to - from);
  c.targetX = at.x();
  c.targetY = at.y();
  c.targetZ = at.z();
  return c;
}

}  // namespace attnmd::gui
