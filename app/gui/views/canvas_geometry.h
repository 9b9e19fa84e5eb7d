// The canvas's world <-> screen transform and the geometry helpers the canvas draws with (fit, zoom,
// clipping lines and rays to the visible rectangle, "nice" grid steps). Pure functions, no ImGui state.
#pragma once

#include <imgui.h>

#include <Eigen/Dense>

#include "app/state/document.h"
#include "core/scene.h"

namespace attnmd::gui {

// Zoom limits of both canvases (2D and 3D), in pixels per unit: coordinates up to ~1e300 are valid
// scene data, and the fit must be able to show them.
constexpr double kMinPixelsPerUnit = 1e-300;
constexpr double kMaxPixelsPerUnit = 1e7;

struct CanvasTransform {
  ImVec2 min{0, 0};  // screen rectangle of the canvas
  ImVec2 max{1, 1};
  double centerX = 0, centerY = 0;  // world point at the rectangle's centre
  double pixelsPerUnit = 1;

  static CanvasTransform make(ImVec2 min, ImVec2 max, const CanvasView& view);
  ImVec2 toScreen(double x, double y) const;
  ImVec2 toScreen(const Eigen::Vector2d& p) const { return toScreen(p.x(), p.y()); }
  Eigen::Vector2d toWorld(ImVec2 p) const;
  // World rectangle visible in the canvas.
  Eigen::Vector2d worldMin() const { return toWorld(ImVec2(min.x, max.y)); }
  Eigen::Vector2d worldMax() const { return toWorld(ImVec2(max.x, min.y)); }
};

// The view that shows every token, query, v and the origin with a margin, in a canvas of `size` pixels.
// edgePad: pixels kept free at each edge besides (markers and rings drawn around a token at the UI scale;
// at most a quarter of the canvas).
CanvasView fitView(const core::Scene& scene, ImVec2 size, float edgePad = 0.f);

// Zooms by `factor` keeping the world point under `mouse` fixed; zoom is clamped to a sane range.
void zoomAt(CanvasView& view, const CanvasTransform& t, ImVec2 mouse, double factor);

// Pans by a screen-space mouse delta.
void panBy(CanvasView& view, ImVec2 deltaPixels);

// The part of the line {x : n^T x = c} inside the canvas, as screen points; false when it misses.
bool clipLine(const CanvasTransform& t, const Eigen::Vector2d& n, double c, ImVec2& a, ImVec2& b);

// The ray from the origin along `dir` up to the canvas border; false when dir is ~0 or the ray misses.
bool clipRay(const CanvasTransform& t, const Eigen::Vector2d& dir, ImVec2& a, ImVec2& b);

// Grid spacing in world units: 1, 2 or 5 times a power of ten, so lines are about `targetPixels` apart.
double niceGridStep(double pixelsPerUnit, double targetPixels);

// A coordinate placed with the mouse, rounded to `step` (0.01, 0.5, ...) so that files and tables read
// "1.53", not "1.5345454545": the result is the double nearest the decimal.
double roundToStep(double x, double step);
// The rounding step of mouse placement: one pixel's worth (a power of ten), or with `snap` (Ctrl held)
// the step of the canvas grid's lines.
double placementStep(double pixelsPerUnit, float uiScale, bool snap);

// First two coordinates of a d-vector (0 for missing ones): the canvas shows the x_1-x_2 plane.
Eigen::Vector2d planar(const Eigen::Ref<const Eigen::VectorXd>& x);

}  // namespace attnmd::gui
