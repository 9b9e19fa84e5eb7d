// Hover readout: for a cursor at x, the value of every shown series at its nearest stored point.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "app/plot/view_state.h"

namespace attnmd::plot {

struct HoverValue {
  std::size_t plot = 0;    // index into Figure::plots
  std::size_t series = 0;  // index into Plot::series
  std::string name;
  Color color;
  LineStyle style = LineStyle::Solid;
  double x = 0;                                         // the stored point's x (data units)
  double y = std::numeric_limits<double>::quiet_NaN();  // its y as stored (log10 of it when yLog10)
  bool yLog10 = false;
  std::string text;  // y for a readout: "0.3466", "3.162e-301", "n/a" (NaN), "0 (hidden on log axis)"
};

// Index of the point of ascending `x` nearest to xU in axis coordinates (points that cannot be placed
// on `scale` are never chosen); x.size() when there is none.
std::size_t nearestIndex(std::span<const double> x, AxisScale scale, double xU);

// One entry per shown series with at least one placeable point, in plot then series order.
std::vector<HoverValue> hoverValues(const Figure& figure, const ViewState& view, double xU);

}  // namespace attnmd::plot
