// The 3D view as a description (scenes with d >= 3): the same CanvasScene shapes the 2D canvas is made
// of, projected through an orbit camera (view3d.h), so the screen painter (canvas_paint.h), the SVG
// export (canvas_svg.h) and the PNG crops work unchanged.
//
// What it shows: a floor grid in the x_1-x_2 plane with the three axes, each token with a drop line to
// the floor (depth cue), drawn far to near; the prompt model's rays p and p^mm from the origin, or the
// effective queries W z_i and W^mm z_i; v; and, for d = 3, each sequence's margin plane
// {x : (x_alpha - x)^T q_i = 1} as a square patch around the point of the plane nearest x_alpha.
#pragma once

#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d.h"

namespace attnmd::gui {

CanvasScene buildView3DScene(const core::Scene& scene, const ViewState& view, const CanvasOverlay& overlay,
                             const Projection3D& projection, const CanvasStyle& style,
                             const CanvasSceneOptions& options = {});

// The legend of the 3D view: the 2D legend with margin planes instead of margin lines.
std::vector<LegendEntry> view3DLegend(core::ModelKind model, bool relaxedSvm = false);

}  // namespace attnmd::gui
