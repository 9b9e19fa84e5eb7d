// Paints a canvas description (canvas_scene.h) with ImGui's draw list: what CanvasPanel shows, from
// the same shapes the SVG export writes. Round markers use the baked discs of the font atlas when the
// style has them (one textured quad each, cheap for a software renderer).
#pragma once

#include <imgui.h>

#include "app/gui/views/canvas_scene.h"

namespace attnmd::gui {

// The shapes, clipped to the canvas rectangle. The background Rect is skipped unless
// style.fillBackground (the app clears that rectangle before ImGui draws).
void paintCanvasScene(ImDrawList* dl, const CanvasScene& scene, const CanvasStyle& style);

// The legend strip at the current cursor position, across the available width; reserves its height
// with a Dummy item so the canvas starts below it. Where it would take over a quarter of the room left
// below it, one line "Legend (hover)" stands in for it and shows it in a tooltip.
void paintLegendStrip(const CanvasScene& scene, const CanvasStyle& style);

}  // namespace attnmd::gui
