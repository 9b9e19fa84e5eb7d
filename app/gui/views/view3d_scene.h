// The 3D view as a description (scenes with d >= 3), projected through an orbit camera (view3d.h).
// Its geometry goes to the description's depth layer (CanvasScene::depth: tokens, lines, arrows,
// rings, badges, translucent margin planes, each with its depth), its text to the ordinary shapes. The
// screen draws the layer with a depth buffer (app/gui/render/gl_renderer.h) and ImGui paints the text
// on top; the SVG export, the PNG crops and contexts without the GL renderer get the same layer
// flattened into shapes sorted far to near (all of them, not the tokens only).
//
// What it shows: a floor grid in the x_1-x_2 plane with the three axes, each token with a drop line to
// the floor (depth cue); the prompt model's rays p and p^mm from the origin, or the effective queries
// W z_i and W^mm z_i; v; and, for d = 3, each sequence's margin plane {x : (x_alpha - x)^T q_i = 1} as a
// filled translucent square around the point of the plane nearest x_alpha, with the tokens beyond it
// (the side away from x_alpha) tinted towards the background.
#pragma once

#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d.h"

namespace attnmd::gui {

// options.keepDepthLayer: the geometry stays in out.depth for the GL renderer; otherwise it is
// flattened into out.shapes (flattenDepthLayer), as the SVG writer and the ImGui painter need.
CanvasScene buildView3DScene(const core::Scene& scene, const ViewState& view, const CanvasOverlay& overlay,
                             const Projection3D& projection, const CanvasStyle& style,
                             const CanvasSceneOptions& options = {});

// The legend of the 3D view: the 2D legend with margin planes instead of margin lines.
std::vector<LegendEntry> view3DLegend(core::ModelKind model, bool relaxedSvm = false);

}  // namespace attnmd::gui
