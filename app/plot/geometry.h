// Pixel-space geometry shared by the frame builder and both painters (SVG, ImGui).
#pragma once

#include <span>
#include <vector>

namespace attnmd::plot {

struct Point {
  double x = 0, y = 0;
  bool operator==(const Point&) const = default;
};

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
  bool contains(Point p) const { return p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h; }
  Rect inflated(double d) const { return {x - d, y - d, w + 2 * d, h + 2 * d}; }
};

// Liang-Barsky: the parameter interval [t0, t1] of the points a + t (b - a), t in [0, 1], inside r;
// false when none is.
bool clipSegmentParameters(Point a, Point b, Rect r, double& t0, double& t1);

// The parts of a polyline inside `r`, segments cut where they cross its border (Liang-Barsky), so far
// off-screen vertices never reach a renderer. A single point inside stays a one-point piece.
std::vector<std::vector<Point>> clipPolyline(std::span<const Point> points, Rect r);

// A polyline split into dashes: `pattern` alternates on and off lengths in px and continues across
// vertices. Empty pattern: the polyline itself.
std::vector<std::vector<Point>> dashPolyline(std::span<const Point> points, std::span<const double> pattern);

}  // namespace attnmd::plot
