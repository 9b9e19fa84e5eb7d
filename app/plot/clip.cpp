#include <algorithm>

#include "app/plot/geometry.h"

namespace attnmd::plot {

bool clipSegmentParameters(Point a, Point b, Rect r, double& t0, double& t1) {
  t0 = 0;
  t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - r.x, r.right() - a.x, a.y - r.y, r.bottom() - a.y};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0) {
      if (q[k] < 0) return false;  // parallel to this border and outside it
      continue;
    }
    const double t = q[k] / p[k];
    if (p[k] < 0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

namespace {

Point lerp(Point a, Point b, double t) {
  return {a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
}

}  // namespace

std::vector<std::vector<Point>> clipPolyline(std::span<const Point> points, Rect r) {
  std::vector<std::vector<Point>> pieces;
  if (points.size() == 1) {
    if (r.contains(points[0])) pieces.push_back({points[0]});
    return pieces;
  }
  bool open = false;  // the last piece continues at the current vertex
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    double t0, t1;
    if (!clipSegmentParameters(points[i], points[i + 1], r, t0, t1)) {
      open = false;
      continue;
    }
    if (!open || t0 > 0) pieces.push_back({lerp(points[i], points[i + 1], t0)});
    pieces.back().push_back(t1 < 1 ? lerp(points[i], points[i + 1], t1) : points[i + 1]);
    open = t1 >= 1;
  }
  return pieces;
}

}  // namespace attnmd::plot
