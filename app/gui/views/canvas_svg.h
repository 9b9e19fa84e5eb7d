// The 2D canvas as a standalone SVG document (issue 6 §4): the same shapes the screen shows
// (canvas_scene.h) as vector elements, with the legend as a strip above the canvas, axis names, and a
// frame. Deterministic text output (coordinates with 2 decimals), valid XML (xmllint --noout), so it
// can be compared against a golden file.
#pragma once

#include <string>

#include "app/gui/views/canvas_scene.h"

namespace attnmd::gui {

struct CanvasSvgOptions {
  bool legend = true;     // the legend strip above the canvas
  bool axisNames = true;  // "x₁" / "x₂" at the ends of the axes
  std::string title;      // optional title line above everything ("" = none)
};

std::string canvasSvg(const CanvasScene& scene, const CanvasSvgOptions& options = {});

// Height of the legend strip canvasSvg puts above the canvas for a scene of this width.
float canvasSvgLegendHeight(const CanvasScene& scene);

}  // namespace attnmd::gui
