// The 3D view's depth layer (CanvasScene::depth, canvas_scene.h) outside the GL renderer: flattened
// into shapes sorted far to near for the painters without a depth buffer (the SVG writer, the ImGui
// painter of tests and of contexts without the renderer), and cut to what can be drawn.
#pragma once

#include <cstddef>
#include <vector>

#include "app/gui/views/canvas_scene.h"

namespace attnmd::gui {

// Above this many tokens the GL renderer draws markers opaque with hard edges, near to far, each at the
// depth of its front (no per-pixel sphere depth): most of a dense cloud is then never shaded.
inline constexpr std::size_t kDenseTokenCount = 5000;

// Every item of the layer as a shape, farthest first (painter's algorithm): a token by its centre's
// depth, a segment by its midpoint's, a polygon by its corners' mean. Long segments are cut into pieces
// of about `piece` pixels so that a token between their ends sorts in front of the far part and behind
// the near part (dashed pieces keep the dash pattern's phase); the layer's plain segments (grid, axes,
// drop lines) in at most 8 pieces, the other lines (rays, arrows' shafts) in at most 32.
std::vector<CanvasShape> depthSortedShapes(const DepthLayer& layer, float piece = 24.f);

// Moves scene.depth into scene.shapes, right after the background (shapes[0]), far to near; the
// layer is left empty. The overlay shapes (labels, notices) stay on top, as they do over the GL image.
void flattenDepthLayer(CanvasScene& scene);

// Drops or cuts what lies at non-finite or far-off screen coordinates (a token at 1e300, a ray of a
// diverged run), as keepShapesDrawable() does for shapes: segments are cut to one canvas size around
// the canvas with their depth interpolated, points outside it dropped, depths clamped to a range the
// renderer's depth buffer resolves.
void keepDepthLayerDrawable(DepthLayer& layer, ImVec2 canvasMin, ImVec2 canvasMax);

}  // namespace attnmd::gui
