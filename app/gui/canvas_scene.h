// The canvas as a description: every shape the 2D canvas draws (grid, axes and tick labels, margin
// lines, rays, query arrows, v, tokens with their rings, stars and diamonds, notices) in screen pixels,
// plus the legend entries. Built once from the document, the overlay and the transform; painted by the
// ImGui canvas (canvas_paint.h) and written as SVG by canvas_svg.h, so the exported figure is the
// canvas on screen, with no second copy of its geometry.
//
// Pure data and pure functions: no ImGui context is needed (ImVec2 is only a pair of floats here).
#pragma once

#include <imgui.h>

#include <functional>
#include <string>
#include <vector>

#include "app/gui/canvas_geometry.h"
#include "app/gui/canvas_panel.h"
#include "app/gui/draw_util.h"
#include "app/gui/overlay.h"

namespace attnmd::gui {

enum class ShapeKind {
  Rect,         // filled rectangle a..b (the background)
  Line,         // a -> b
  DashedLine,   // a -> b, dash / gap
  Arrow,        // a -> b with a filled head of size `radius`
  DashedArrow,  // the same, dashed
  Circle,       // outline at a, radius
  Disc,         // filled circle at a, radius, colour `color`
  Marker,       // a token marker: `marker` shape at a, radius, `fill`, outline `color` of `thickness`
  Star,         // five-pointed star at a, radius, `fill`, outline `color`
  Diamond,      // diamond at a, half-diagonal radius, filled with `fill` (0: none), outline `color`
  Text,         // `text` with its top-left at a, font size fontScale × the base size, colour `color`
  RayLabel,     // `text` beside the segment a-b at fraction `along`, on side `side`, over a `box`
  Notice,       // `text` centred at the top of the canvas in a framed box (stacked in order)
  Hint,         // `text` centred near the bottom over a `box`
};

struct CanvasShape {
  ShapeKind kind = ShapeKind::Line;
  ImVec2 a{0, 0}, b{0, 0};
  float radius = 0;
  float thickness = 0;
  float dash = 0, gap = 0;
  ImU32 color = 0;
  ImU32 fill = 0;
  ImU32 box = 0;
  MarkerShape marker = MarkerShape::Circle;
  std::string text;
  float fontScale = 1.f;
  float along = 0.5f, side = 1.f;
};

// The legend strip's entries (icons are drawn by the painters from `icon`).
enum class LegendIcon { LabelPlus, LabelMinus, Selected, Optimal, Support, ParamRay, SvmRay, MarginLines, V };
struct LegendEntry {
  LegendIcon icon;
  std::string text;
};

struct CanvasSceneOptions {
  float fontSize = 15.f;    // base font size in px (ImGui::GetFontSize() on screen)
  bool interactive = true;  // the "pick tokens" notice and the start hint (not in exports)
};

struct CanvasScene {
  ImVec2 min{0, 0}, max{1, 1};  // the canvas rectangle
  float scale = 1.f;            // UI scale the shapes were built at
  float fontSize = 15.f;
  ThemeKind theme = ThemeKind::Light;
  std::vector<CanvasShape> shapes;  // in drawing order
  std::vector<LegendEntry> legend;
  std::vector<std::string> axisNames;  // names of the horizontal and vertical axis ("x₁", "x₂")
  CanvasLayout layout;                 // where markers, rings and rays went (tests, --layout-json)
};

CanvasScene buildCanvasScene(const core::Scene& scene, const ViewState& view, const CanvasOverlay& overlay,
                             const CanvasTransform& transform, const CanvasStyle& style,
                             const CanvasSceneOptions& options = {});

// A token's marker radius: its area grows with the attention weight s_it (neutral size without values).
float tokenMarkerRadius(const CanvasOverlay& overlay, int seq, int token, float scale);

std::vector<LegendEntry> canvasLegend(core::ModelKind model);

// [Placement shared by the painters, given the text size each measures with its own font]

// Top-left of a RayLabel's text of size `textSize`, kept inside the canvas.
ImVec2 rayLabelPosition(const CanvasShape& label, ImVec2 textSize, float pad, ImVec2 clipMin, ImVec2 clipMax);

struct NoticeBox {
  ImVec2 boxMin, boxMax;  // the framed box
  ImVec2 textPos;         // top-left of the text
};
// The next notice's box; `y` is the running top (start with noticeTop()) and moves below the box.
NoticeBox layoutNotice(ImVec2 canvasMin, ImVec2 canvasMax, ImVec2 textSize, float scale, float& y);
float noticeTop(ImVec2 canvasMin, float scale);
// Top-left of the hint's text.
ImVec2 hintPosition(ImVec2 canvasMin, ImVec2 canvasMax, ImVec2 textSize, float scale);

// "−1.25": printf format with a real minus sign, so numbers read well on a projector.
std::string canvasNumber(double v, const char* fmt = "%.3g");

}  // namespace attnmd::gui
