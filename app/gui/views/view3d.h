// The 3D view's camera and projection (scenes with d >= 3): an orthographic orbit camera, so lengths
// along the screen are true lengths and a ray keeps its direction however far it runs. Pure functions,
// no ImGui state; view3d_scene.h draws with them, view3d_panel.h turns the mouse into camera moves.
//
// Token space is shown through its first three coordinates (spatial()); x_3 points up on screen.
#pragma once

#include <imgui.h>

#include <Eigen/Dense>

#include "app/state/document.h"
#include "core/scene.h"

namespace attnmd::gui {

struct Projection3D {
  ImVec2 min{0, 0};  // screen rectangle of the view
  ImVec2 max{1, 1};
  Eigen::Vector3d target{0, 0, 0};    // world point at the rectangle's centre
  Eigen::Vector3d right{0, 1, 0};     // world direction of screen +x
  Eigen::Vector3d up{0, 0, 1};        // world direction of screen -y (up)
  Eigen::Vector3d toViewer{1, 0, 0};  // world direction towards the viewer
  double pixelsPerUnit = 1;

  static Projection3D make(ImVec2 min, ImVec2 max, const Camera3D& camera);
  ImVec2 toScreen(const Eigen::Vector3d& x) const;
  // Distance towards the viewer from the plane through the target: larger is nearer (drawn later).
  double depth(const Eigen::Vector3d& x) const { return toViewer.dot(x - target); }
  // The world displacement in the screen plane that moves a point by `pixels` on screen.
  Eigen::Vector3d screenDelta(ImVec2 pixels) const;
  // The world point in the screen plane through the target that shows at `screen`.
  Eigen::Vector3d onScreenPlane(ImVec2 screen) const;
};

// First three coordinates of a d-vector (0 for missing ones).
Eigen::Vector3d spatial(const Eigen::Ref<const Eigen::VectorXd>& x);

// Where the tokens, queries, v and the origin lie (first three coordinates): the centre of their
// bounding box, the largest distance from it (radius), the largest distance from the origin (reach) and
// the largest |x_k| per axis. Lengths are 1 when there is nothing to show.
struct SceneBounds {
  Eigen::Vector3d centre{0, 0, 0};
  double radius = 1;
  double reach = 1;
  Eigen::Vector3d extent{1, 1, 1};
};
SceneBounds sceneBounds(const core::Scene& scene);

// The camera that shows every token, query, v and the axes in a view of `size` pixels, seen from
// `camera`'s yaw and pitch (which it keeps). Orbiting afterwards may take things past the edge: F fits
// again.
Camera3D fitCamera(const core::Scene& scene, ImVec2 size, Camera3D camera);

// Mouse gestures: orbit by a pixel delta (left-drag), pan the target in the screen plane (right-drag),
// zoom by a factor (wheel), clamped like the 2D canvas. Pitch stays inside (-90°, 90°) so up stays up.
void orbit(Camera3D& camera, ImVec2 deltaPixels);
void panCamera(Camera3D& camera, const Projection3D& projection, ImVec2 deltaPixels);
void zoomCamera(Camera3D& camera, double factor);

// One frame of the shown camera gliding towards `target` (the document's camera, which gestures, F and
// "Reset view" set at once) over `dt` seconds, an exponential approach with `timeConstant` seconds: yaw
// the shorter way round (never a spin through the +-180° seam), zoom by ratio (in and out alike), the
// target point along the straight line. Within a hundredth of a pixel (or 1e-5 rad) it lands exactly
// on `target`. The view draws and hit-tests with the shown camera, so what is clicked is what is seen.
Camera3D glideCamera(const Camera3D& shown, const Camera3D& target, double dt, double timeConstant = 0.08);

}  // namespace attnmd::gui
