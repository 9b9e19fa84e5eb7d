// What a viewer changed about a figure without changing the figure: x scale toggle, zoomed x range,
// series hidden from the legend. The ImGui view keeps one; the SVG export can take the same one, so an
// export shows what is on screen.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "app/plot/figure.h"
#include "app/plot/scale.h"

namespace attnmd::plot {

struct ViewState {
  std::optional<AxisScale> xScale;  // overrides Figure::x.scale; unset: the figure's
  std::optional<Range> xRange;      // shown x range in axis coordinates of the effective scale; unset: fit
  std::set<std::string> hidden;     // legend keys (seriesKey / refKey) switched off by the user

  AxisScale effectiveXScale(const Figure& figure) const { return xScale.value_or(figure.x.scale); }
  bool isHidden(const std::string& key) const { return hidden.count(key) != 0; }
  void toggle(const std::string& key);
};

// Stable legend keys: "<plot name>/<series name>", "<plot name>/ref/<name>", and for factored legends
// "<plot name>/group/<group>" and "<plot name>/role/<role>".
std::string seriesKey(const Plot& plot, const Series& series);
std::string refKey(const Plot& plot, const RefLine& ref);
std::string groupKey(const Plot& plot, const std::string& group);
std::string roleKey(const Plot& plot, const std::string& role);

// Drawn, in the legend, in ranges and in hover readouts.
bool isShown(const ViewState& view, const Plot& plot, const Series& series);
bool isShown(const ViewState& view, const Plot& plot, const RefLine& ref);

}  // namespace attnmd::plot
