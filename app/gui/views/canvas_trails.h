// Direction trails: the direction of the trained parameter over the run so far (p for the prompt
// model, W z_i per sequence for the query and kq models) as a fan of rays, faint for early steps and
// stronger for later ones, so "rotates toward the SVM direction" shows in a still image. Appends Line
// shapes to a CanvasScene; the 2D canvas and the 3D view each map a direction to screen their own way.
#pragma once

#include <imgui.h>

#include <Eigen/Dense>
#include <functional>
#include <vector>

#include "app/gui/views/canvas_geometry.h"
#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d.h"
#include "app/state/overlay.h"
#include "core/scene.h"

namespace attnmd::gui {

// The directions that rank the tokens at recorded steps, oldest first (docs/theory.md §2): M^T p_k for
// the prompt model, W_k z_i per sequence for the query model (W = K Q^T for kq).
struct DirectionHistory {
  std::vector<long long> steps;
  std::vector<Eigen::VectorXd> rays;                  // prompt
  std::vector<std::vector<Eigen::VectorXd>> queries;  // query / kq: [k][i]
};
DirectionHistory directionHistory(const core::Scene& scene, const std::vector<long long>& steps,
                                  const std::vector<core::Params>& params);

struct DirectionFanOptions {
  int maxRays = 24;          // recorded steps drawn at most, spread evenly in log(step)
  float thickness = 1.5f;    // px at UI scale 1
  float firstAlpha = 0.10f;  // opacity of the earliest ray
  float lastAlpha = 0.55f;   // and of the latest (the current direction is drawn solid by the view)
};

// The fan of `directions` (recorded at `steps`): each chosen direction becomes a Line that `segment`
// places on screen (false: not drawn), in `colour` at an opacity growing with the step.
void appendDirectionFan(CanvasScene& out, const std::vector<Eigen::VectorXd>& directions,
                        const std::vector<long long>& steps, ImU32 colour,
                        const std::function<bool(const Eigen::VectorXd&, ImVec2&, ImVec2&)>& segment,
                        const DirectionFanOptions& options = {});

// The overlay's trails (CanvasOverlay::trailSteps and its rays or queries) for one canvas: the prompt
// model's fan through `ray` (from the origin), the query model's per sequence through `queryArrow`
// (from z_i), in the run's colour, else the theme's foreground (prompt) or the sequence's colour.
void addDirectionTrails(CanvasScene& out, const CanvasOverlay& overlay,
                        const std::function<bool(const Eigen::VectorXd&, ImVec2&, ImVec2&)>& ray,
                        const std::function<bool(int, const Eigen::VectorXd&, ImVec2&, ImVec2&)>& queryArrow);

// The 2D canvas's trails (buildCanvasScene): rays from the origin clipped to the canvas, and query
// arrows of the canvas's length from z_i, as the current p and W z_i are drawn there.
void addCanvasDirectionTrails(CanvasScene& out, const core::Scene& scene, const CanvasOverlay& overlay,
                              const CanvasTransform& transform);

// The 3D view's trails (buildView3DScene): rays from the origin out to the farthest token's distance,
// query arrows from z_i a quarter of that long, into the depth layer (each end at its point's depth).
void addView3DDirectionTrails(CanvasScene& out, const core::Scene& scene, const CanvasOverlay& overlay,
                              const Projection3D& projection);

}  // namespace attnmd::gui
