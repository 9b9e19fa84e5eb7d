// A figure laid out in pixels: plot rectangles, axis maps, ticks, legend hit boxes, and a flat display
// list (lines, rectangles, text) that a painter draws in order. The SVG writer and the ImGui view are
// both painters of this one structure, so what is exported is what is on screen, and layouts can be
// tested without a display (style.md: test structure, not pixels).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/plot/geometry.h"
#include "app/plot/palette.h"
#include "app/plot/ticks.h"
#include "app/plot/view_state.h"

namespace attnmd::plot {

// Width in px of `text` at `fontSize`. Painters with real fonts pass their own (ImGui::CalcTextSize).
using TextMeasure = std::function<double(std::string_view text, double fontSize)>;
// An estimate for sans-serif fonts (DejaVu Sans / Helvetica widths per character class).
double estimateTextWidth(std::string_view text, double fontSize);

struct FrameOptions {
  double width = 640;          // px, the whole figure
  double height = 480;         // px, the whole figure (plots share it equally; see FigureFrame::height)
  double minAreaHeight = 0;    // px, the least data area of a plot (at least 4 font sizes)
  double fontSize = 12;        // px, tick labels and legend; titles use the same size in bold
  double lineScale = 1;        // multiplies every line width (the app's UI scale, 1x to 3x)
  bool yAxisLabels = true;     // rotated axis label left of each plot (the GUI has no rotated text)
  double columnsPerPixel = 1;  // decimation columns per px of plot width
  double xTickSpacing = 6.5;   // minimum distance between labelled x ticks, in font sizes
  double yTickSpacing = 2.5;   // minimum distance between labelled y ticks, in font sizes
  // The left margin fits at least this y tick label. Empty: just the labels shown (tight, for export);
  // an interactive view reserves e.g. "-1e-300" so plots do not shift sideways as ranges change.
  std::string yLabelReserve;
  // Factored legends (several runs): an entry per run (its colour) in every plot. False: only the
  // quantities' line styles; the caller names the runs once (the app's plots panel, above the stack).
  bool runEntries = true;
  Theme theme;
  TextMeasure measure;  // unset: estimateTextWidth
};

// Extra height a figure needs besides its plots (title, x tick labels, x label), so a caller can ask
// for "n plots of h px each": height = n * h + chromeHeight(figure, options).
double chromeHeight(const Figure& figure, const FrameOptions& options);

enum class HAlign { Left, Center, Right };
enum class VAlign { Top, Middle, Bottom };

// [SECTION] display list
struct LineItem {  // an open polyline
  std::vector<Point> points;
  Color color;
  double width = 1;
  LineStyle style = LineStyle::Solid;
};
struct RectItem {
  Rect rect;
  Color fill;
};
struct PolygonItem {  // a small filled marker (e.g. the "value hidden" triangles)
  std::vector<Point> points;
  Color fill;
};
struct CircleItem {  // an isolated point, which a line cannot show
  Point center;
  double radius = 1;
  Color fill;
};
struct TextItem {
  Point at;
  std::string text;
  double size = 12;
  Color color;
  HAlign h = HAlign::Left;
  VAlign v = VAlign::Top;
  bool bold = false;
  bool rotated = false;  // reads bottom to top (y axis labels)
};
struct GroupItem {  // structure for the SVG (<g id="...">); painters without groups ignore it
  std::string id;   // empty: closes the innermost group
};
using Item = std::variant<LineItem, RectItem, PolygonItem, CircleItem, TextItem, GroupItem>;

// The on/off dash lengths in px of a line style at a line width ({} for solid).
std::vector<double> dashPattern(LineStyle style, double width);

// [SECTION] layout
struct LegendEntry {
  Rect rect;        // click target (sample line and text)
  std::string key;  // ViewState key (seriesKey / refKey)
  std::size_t plot = 0;
  bool hidden = false;  // switched off by the user (drawn dimmed, still clickable)
};

struct PlotFrame {
  std::size_t plot = 0;  // index into Figure::plots
  Rect outer;            // the plot's whole slot
  Rect area;             // the data area inside the axes
  AxisMap x, y;          // axis coordinates <-> px
  Range yU;              // shown y range (axis coordinates)
  std::vector<Tick> yTicks;
  std::vector<LegendEntry> legend;
  std::size_t hiddenNonPositive = 0;  // y values <= 0 in the x range that a log y axis cannot show
  std::size_t missing = 0;            // NaN / inf y values in the x range (lines break there)
  std::string note;                   // the visible report of hidden values ("3 values <= 0 hidden")
};

// A series' marker at the timeline cursor (Figure::cursor).
struct CursorMark {
  std::size_t plot = 0;    // index into Figure::plots
  std::size_t series = 0;  // index into Plot::series
  std::size_t index = 0;   // the stored point marked: the last with x <= cursor
  Point at;                // its position in px
};

struct FigureFrame {
  // The figure's size: FrameOptions' width and height, or taller when the plots' legends and minimum
  // data areas need more (a caller showing the frame gives it this height, scrolling if need be).
  double width = 0, height = 0;
  AxisScale xScale = AxisScale::Linear;
  Range xU;  // shown x range (axis coordinates)
  std::vector<Tick> xTicks;
  std::vector<PlotFrame> plots;
  std::size_t hiddenNonPositiveX = 0;  // points with x <= 0 on a log x axis (most in any one series)
  std::string xNote;
  std::optional<double> cursorX;        // px of the timeline cursor line when drawn (same in every plot)
  std::vector<CursorMark> cursorMarks;  // the markers drawn on it, in plot then series order
  std::vector<Item> items;              // paint in order

  // Index into `plots` of the plot whose data area contains p, or -1.
  int plotAt(Point p) const;
  // The legend entry under p, or null.
  const LegendEntry* legendAt(Point p) const;
};

FigureFrame buildFrame(const Figure& figure, const ViewState& view, const FrameOptions& options);

}  // namespace attnmd::plot
