// The canvas as a description: every shape the 2D canvas draws (grid, axes and tick labels, margin
// lines, rays, query arrows, v, tokens with their rings and badges, notices) in screen pixels, plus the
// legend strip's entries and icons. Built from the document, the overlay and the transform; painted on
// screen by canvas_paint.h and written as SVG by canvas_svg.h, so the exported figure is the canvas on
// screen, with one copy of its geometry.
//
// Pure data and pure functions: no ImGui context is needed (ImVec2 is only a pair of floats here);
// text is measured by the painter's own font through a TextMeasure.
#pragma once

#include <imgui.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/gui/platform/fonts.h"
#include "app/gui/views/canvas_geometry.h"
#include "app/gui/widgets/draw_util.h"
#include "app/gui/widgets/theme.h"
#include "app/state/document.h"
#include "app/state/overlay.h"

namespace attnmd::gui {

struct CanvasStyle {
  ThemeKind theme = ThemeKind::Light;
  float scale = 1.f;           // UI scale: markers, line widths and hit radii grow with it
  bool fillBackground = true;  // false: the caller clears the canvas rectangle (the app does, see
                               // Platform::endFrame's clear regions), so no blended full-size fill
  const MarkerSprites* sprites = nullptr;  // baked discs for round markers; null: tessellated circles
};

// Where key items were drawn in the last frame (screen pixels). --layout-json writes it so the e2e test
// can probe the screenshot exactly where rings and rays must be.
struct CanvasLayout {
  CanvasTransform transform;
  struct Marker {
    int seq = 0;
    int token = 0;
    ImVec2 center;
    float radius = 0;      // marker radius
    float ringRadius = 0;  // selected-token ring radius, 0 when not selected
    float ringThickness = 0;
  };
  std::vector<Marker> markers;
  bool paramRay = false;  // prompt model: the ray of M^T p from the origin
  ImVec2 paramRayFrom, paramRayTo;
  bool svmRay = false;  // prompt model: the dashed ray of M^T p^mm
  ImVec2 svmRayFrom, svmRayTo;
  float rayThickness = 0;
  bool svmNotice = false;  // the "SVM infeasible" notice is on screen
  ImVec2 vTip;
  // Comparing runs (prompt model): every drawn run's rays in its colour, the selected run's first.
  struct RunRay {
    int run = 0;  // 0: the selected run, k: CanvasOverlay::otherRuns[k - 1]
    std::uint32_t colour = 0;
    bool svm = false;  // the dashed SVM ray (else the trained p)
    ImVec2 from, to;
  };
  std::vector<RunRay> runRays;
};

enum class ShapeKind {
  Rect,         // filled rectangle a..b in `color` (the background)
  Line,         // a -> b
  DashedLine,   // a -> b, dash / gap
  Arrow,        // a -> b with a filled head of size `radius`
  DashedArrow,  // the same, dashed
  Circle,       // outline at a, radius
  Disc,         // filled circle at a, radius, in `color`
  Marker,       // a token: `marker` shape at a, radius, `fill`; outline `color` when thickness > 0
  Star,         // five-pointed star at a, radius, `fill`, outline `color`
  Diamond,      // diamond at a, half-diagonal radius, filled with `fill` (0: none), outline `color`
  Text,         // `text` with its top-left at a, font size fontScale × the base size, colour `color`
  RayLabel,     // `text` beside the segment a-b at fraction `along`, on side `side`, over a `box`
  Notice,       // `text` centred at the top of the canvas in a framed box (stacked in order)
  Hint,         // `text` centred near the bottom over a `box`
  Polygon,      // filled polygon through `points` in `fill`, outline `color` when thickness > 0
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
  std::vector<ImVec2> points;  // Polygon: its corners in order
};

// The legend strip's entries; each icon is a few shapes (legendIcon).
enum class LegendIcon { LabelPlus, LabelMinus, Selected, Optimal, Support, ParamRay, SvmRay, MarginLines, V };
struct LegendEntry {
  LegendIcon icon;
  std::string text;
};

struct CanvasSceneOptions {
  float fontSize = 15.f;    // base font size in px (ImGui::GetFontSize() on screen)
  bool interactive = true;  // the "pick tokens" notice and the start hint (not in exports)
  // The 3D view only: leave its geometry in CanvasScene::depth for the GL renderer (app/gui/render/)
  // instead of flattening it into depth-sorted shapes (what the SVG writer and the ImGui painter take).
  bool keepDepthLayer = false;
};

// The 3D view's geometry with its depth, so a renderer with a depth buffer can draw it (tokens in front
// of or behind an arrow, a plane between two tokens). Positions are canvas pixels like every shape's;
// z is the distance towards the viewer in the same pixels (the projection is orthographic, so a length
// along the line of sight scales like one across it): larger z is nearer. flattenDepthLayer()
// (app/gui/render/depth_layer.h) turns it into shapes sorted far to near for the SVG and ImGui painters.
struct DepthToken {  // a token's marker: a shaded sphere (circle) or tile (square)
  ImVec2 centre{0, 0};
  float z = 0;
  float radius = 0;
  ImU32 fill = 0;
  ImU32 outline = 0;  // drawn when outlineWidth > 0
  float outlineWidth = 0;
  MarkerShape shape = MarkerShape::Circle;
  int cycle = 0;  // sequenceCycle: a second channel inside the marker, as addTokenShapes draws it
};
struct DepthSegment {  // a solid line from a (depth za) to b (depth zb): grid, axes, drop lines
  ImVec2 a{0, 0}, b{0, 0};
  float za = 0, zb = 0;
  float thickness = 1;
  ImU32 color = 0;
};
struct DepthShape {  // any other shape at depth: za at shape.a, zb at shape.b (point shapes: za)
  CanvasShape shape;
  float za = 0, zb = 0;
  std::vector<float> pointZ;  // Polygon: the depth of each of shape.points
};
struct DepthLayer {
  std::vector<DepthToken> tokens;      // far to near
  std::vector<DepthSegment> segments;  // in drawing order
  std::vector<DepthShape> shapes;      // arrows, dashes, rings, badges, translucent margin planes
  float cueNear = 1, cueFar = 0;       // depth cueing fades markers from cueNear (full) to cueFar
  ImU32 background = IM_COL32(255, 255, 255, 255);  // the canvas colour (tokens' inner marks)
  bool empty() const { return tokens.empty() && segments.empty() && shapes.empty(); }
};

struct CanvasScene {
  ImVec2 min{0, 0}, max{1, 1};  // the canvas rectangle
  float scale = 1.f;            // UI scale the shapes were built at
  float fontSize = 15.f;
  ThemeKind theme = ThemeKind::Light;
  std::vector<CanvasShape> shapes;  // in drawing order; shapes[0] is the background Rect
  std::vector<LegendEntry> legend;
  std::vector<std::string> axisNames;  // names of the horizontal and vertical axis ("x₁", "x₂")
  CanvasLayout layout;                 // where markers, rings and rays went (tests, --layout-json)
  DepthLayer depth;                    // the 3D view's geometry when built with keepDepthLayer (else empty)
};

CanvasScene buildCanvasScene(const core::Scene& scene, const ViewState& view, const CanvasOverlay& overlay,
                             const CanvasTransform& transform, const CanvasStyle& style,
                             const CanvasSceneOptions& options = {});

// A token's marker radius: its area grows with the attention weight s_it (neutral size without values).
float tokenMarkerRadius(const CanvasOverlay& overlay, int seq, int token, float scale);

std::vector<LegendEntry> canvasLegend(core::ModelKind model, bool relaxedSvm = false);

// [Placement shared by the painters, given the text size each measures with its own font]

using TextMeasure = std::function<float(std::string_view text, float fontSize)>;

// The legend strip laid out from `left` to `right` starting at `top`: icon cells wrapping onto new rows
// when the canvas is narrow. Font size: legendFontSize(scene).
struct LegendLayout {
  struct Item {
    const LegendEntry* entry = nullptr;
    ImVec2 at;      // top-left of the icon cell
    ImVec2 icon;    // centre of the icon
    ImVec2 textAt;  // top-left of the text
  };
  std::vector<Item> items;
  float height = 0;  // from `top` to below the last row, padding included
};
float legendFontSize(const CanvasScene& scene);
LegendLayout layoutLegend(const std::vector<LegendEntry>& entries, float left, float right, float top,
                          float scale, float fontSize, const TextMeasure& measure);
// The shapes of one legend icon centred at `c`.
std::vector<CanvasShape> legendIcon(LegendIcon icon, ImVec2 c, ThemeKind theme, float scale);

// Top-left of a RayLabel's text of size `textSize`, kept inside the canvas.
ImVec2 rayLabelPosition(const CanvasShape& label, ImVec2 textSize, float pad, ImVec2 clipMin, ImVec2 clipMax);

struct NoticeBox {
  ImVec2 boxMin, boxMax;  // the framed box
  ImVec2 textPos;         // top-left of the text
};
// The next notice's box; `y` is the running top (start with noticeTop()) and moves below the box.
NoticeBox layoutNotice(ImVec2 canvasMin, ImVec2 canvasMax, ImVec2 textSize, float scale, float& y);
float noticeTop(ImVec2 canvasMin, float scale);
// A notice's text broken at spaces into lines that fit between the canvas edges with the box's margins;
// a single word wider than that stays whole (the canvas clips it). `width` measures one line.
std::vector<std::string> wrapNotice(const std::string& text, ImVec2 canvasMin, ImVec2 canvasMax, float scale,
                                    const std::function<float(const std::string&)>& width);
// The hint's text ("Press Space to train · drag tokens ...") in lines that fit the canvas: whole phrases
// (between the " · " separators) as far as they fit, a phrase wider than a line broken at spaces. A
// canvas less than ten lines (of lineHeight) tall keeps the first line only, so the hint does not hide
// the data (F1 has the rest).
std::vector<std::string> wrapHint(const std::string& text, ImVec2 canvasMin, ImVec2 canvasMax, float scale,
                                  float lineHeight, const std::function<float(const std::string&)>& width);
// Top-left of the hint's text (all its lines: textSize), centred near the canvas's bottom edge, kept
// inside the canvas; in a short canvas closer to the edge, so it does not cover the middle.
ImVec2 hintPosition(ImVec2 canvasMin, ImVec2 canvasMax, ImVec2 textSize, float scale);

// [Pieces shared with the 3D view (view3d_scene.h): each appends shapes to `out`, at out.scale and in
// out.theme's palette, and records what tests probe in out.layout]

// An empty description of a canvas at min..max: style, font size and legend set, the background Rect as
// shapes[0], layout.transform.min/max and the ray thickness filled in.
CanvasScene startCanvasScene(ImVec2 min, ImVec2 max, const CanvasStyle& style,
                             const CanvasSceneOptions& options, std::vector<LegendEntry> legend);
// The small dot marking the origin.
void addOriginDot(CanvasScene& out, ImVec2 origin);
// The prompt model's rays p (solid) and p^mm (dashed) between the given screen points, each labelled on
// the side away from the other.
void addPromptRays(CanvasScene& out, const CanvasOverlay& overlay, bool paramVisible, ImVec2 paramFrom,
                   ImVec2 paramTo, bool svmVisible, ImVec2 svmFrom, ImVec2 svmTo);
// The effective query W z_i (solid) or W^mm z_i (dashed) of one sequence.
void addQueryArrow(CanvasScene& out, ImVec2 from, ImVec2 to, ImU32 colour, bool dashed);
// The other runs' rays of the overlay compare view (prompt model), in their colours; `ray` clips a
// direction to the canvas (false: not visible).
void addOtherRunRays(CanvasScene& out, const CanvasOverlay& overlay,
                     const std::function<bool(const Eigen::VectorXd&, ImVec2&, ImVec2&)>& ray);
// v from the origin to its draggable tip (v0, faded, when v is trained), and the trained v up to
// trainedTip ("shortened" when its length was capped; nothing when trainedTip is the origin).
void addVArrows(CanvasScene& out, bool trained, ImVec2 origin, ImVec2 tip, ImVec2 trainedTip, bool shortened);

// How one token is marked.
struct TokenMarks {
  MarkerShape shape = MarkerShape::Circle;  // by label
  ImU32 colour = 0;                         // by sequence
  int cycle = 0;                            // sequenceCycle: the second channel once colours repeat
  float radius = 7.f;                       // tokenMarkerRadius
  bool outlined = false;                    // its sequence is the selected one
  bool queryToken = false;                  // the query z_i (query = first token): a hole
  bool selected = false;                    // alpha_i: a ring
  bool support = false;                     // an active SVM constraint: a diamond badge
  bool optimal = false;                     // argmax gamma: a star badge
  // Rings and badges (their size, gap and strokes) scaled with the markers of a dense cloud (the 3D view
  // above kDenseTokenCount tokens shrinks its markers), down to half: else the selected tokens' rings
  // dominate the picture at 10,000 tokens and more.
  float markScale = 1.f;
};
void addTokenShapes(CanvasScene& out, int seq, int token, ImVec2 centre, const TokenMarks& marks);
// Where the axis names (x1, x2) go: at the positive ends of the axes, kept inside the canvas when an
// axis is off screen; the screen and the SVG place them alike. `width` measures a text at `fontSize`.
struct AxisNameLabel {
  ImVec2 at;  // top-left of the text
  std::string text;
};
std::vector<AxisNameLabel> axisNameLabels(const CanvasScene& sc, float fontSize,
                                          const std::function<float(const std::string&)>& width);
// A given query z_i: a cross in its sequence's colour.
void addQueryMarker(CanvasScene& out, ImVec2 centre, ImU32 colour);
// The notices at the top (SVM infeasible, `dimensionNote` unless empty, pick mode) and the start hint.
void addCanvasNotices(CanvasScene& out, const ViewState& view, const CanvasOverlay& overlay, bool interactive,
                      const std::string& dimensionNote);

// Drops or cuts shapes whose screen coordinates are non-finite or far outside the canvas (a token at
// 1e300, a ray of a diverged run), so painters and the SVG writer only ever see drawable geometry.
// Both builders call it last.
void keepShapesDrawable(CanvasScene& scene);

// "−1.25": printf format with a real minus sign, so numbers read well on a projector.
std::string canvasNumber(double v, const char* fmt = "%.3g");

}  // namespace attnmd::gui
