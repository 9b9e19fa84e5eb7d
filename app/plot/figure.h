// The plot model: a figure is a stack of small plots sharing one x axis (the iteration axis).
//
// Pure data, no drawing: the SVG writer (svg.h), the CSV writer (csv.h) and the ImGui view
// (app/gui/plot_view.h) all read it. Values live in data units; log axes turn them into "axis
// coordinates" u = log10(value) (scale.h). A series may also hold log10 values directly (`yLog10`),
// so quantities like 1 - s far below 1e-308 stay exact on a log axis (docs/theory.md §3, §7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.h"

namespace attnmd::plot {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
  bool operator==(const Color&) const = default;
};

enum class AxisScale { Linear, Log };
enum class LineStyle { Solid, Dashed, Dotted };

struct Axis {
  std::string label;                    // e.g. "iteration k"; empty: none
  AxisScale scale = AxisScale::Linear;  // Log: ticks at decades, values <= 0 are hidden (and counted)
  std::optional<double> min;            // fixed range in data units (log axes: > 0); unset: automatic
  std::optional<double> max;
};

struct Series {
  std::string name;       // legend text; unique within its plot (hidden state and hover are keyed by it)
  std::vector<double> x;  // ascending, finite
  std::vector<double> y;  // same length as x; NaN: no value here (the line breaks)
  bool yLog10 = false;    // y holds log10 of the values (only meaningful on a log y axis)
  Color color;            // see palette.h
  LineStyle style = LineStyle::Solid;
  double width = 1.5;   // line width in px at UI scale 1
  bool visible = true;  // false: not drawn, not in the legend (the legend's click-to-hide is ViewState)
  // Factored legend (several runs overlaid): when every series and named reference line of a plot has
  // a group (the run) and a role (the quantity) and there are several groups, the legend lists the
  // groups by colour and the roles by line style instead of every combination; clicking one hides all
  // of its series. Empty: listed on its own.
  std::string group;
  std::string role;
};

// A horizontal (y = value) or vertical (x = value) reference line, e.g. the SVM's margin.
struct RefLine {
  bool horizontal = true;
  double value = 0;  // data units (or log10 of them when valueLog10)
  bool valueLog10 = false;
  std::string name;  // legend text; empty: not in the legend
  Color color{85, 85, 85, 255};
  LineStyle style = LineStyle::Dashed;
  double width = 1.0;
  std::string group;  // as Series::group / role
  std::string role;
};

// A horizontal band lo <= y <= hi, drawn under the series.
struct Band {
  double lo = 0, hi = 0;  // data units (or log10 of them when log10)
  bool log10 = false;
  Color color{0, 0, 0, 24};
};

struct Plot {
  std::string name;   // stable id, used as a file name ("loss" -> loss.svg)
  std::string title;  // shown above the plot
  Axis y;
  std::vector<Series> series;
  std::vector<RefLine> refLines;
  std::vector<Band> bands;
};

struct Figure {
  std::string title;  // empty: none (a single exported plot shows the plot's own title)
  Axis x;             // shared by every plot of the stack
  std::vector<Plot> plots;
  // The timeline cursor (the step every compared run is shown at), in data units: a vertical line
  // across every plot and, on each shown series, a marker at its last stored point at or before it.
  // Not drawn where the x axis cannot place it (x <= 0 on a log axis). Unset: none.
  std::optional<double> cursor;
};

// A figure holding only plot `index` of `figure` (for one-SVG-per-plot export).
Figure singlePlot(const Figure& figure, std::size_t index);
// Index of the plot called `name`, or nullopt.
std::optional<std::size_t> findPlot(const Figure& figure, std::string_view name);

}  // namespace attnmd::plot

// One table per enum (style.md), in the same form as core/enums.h, so combos and files agree.
namespace attnmd::core {
template <>
inline std::span<const EnumEntry<plot::AxisScale>> enumTable<plot::AxisScale>() {
  static constexpr EnumEntry<plot::AxisScale> t[] = {{plot::AxisScale::Linear, "linear", "linear"},
                                                     {plot::AxisScale::Log, "log", "log"}};
  return t;
}
template <>
inline std::span<const EnumEntry<plot::LineStyle>> enumTable<plot::LineStyle>() {
  static constexpr EnumEntry<plot::LineStyle> t[] = {{plot::LineStyle::Solid, "solid", "solid"},
                                                     {plot::LineStyle::Dashed, "dashed", "dashed"},
                                                     {plot::LineStyle::Dotted, "dotted", "dotted"}};
  return t;
}
}  // namespace attnmd::core
