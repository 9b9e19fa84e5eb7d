// A series turned into pixels: lines broken where values are missing (NaN) or cannot be placed
// (<= 0 on a log axis), each piece decimated per pixel column and clipped to the plot area.
#pragma once

#include <cstddef>
#include <vector>

#include "app/plot/figure.h"
#include "app/plot/geometry.h"
#include "app/plot/scale.h"

namespace attnmd::plot {

// Values of a series that a plot cannot draw, counted over the points with x in the shown range.
struct HiddenCounts {
  std::size_t nonPositive = 0;   // y <= 0 on a log y axis
  std::size_t missing = 0;       // y NaN or infinite
  std::size_t nonPositiveX = 0;  // x <= 0 on a log x axis (whole series)
};
HiddenCounts countHidden(const Series& series, AxisScale xScale, AxisScale yScale, Range xU);

struct SeriesPath {
  std::vector<std::vector<Point>> lines;  // polylines in px, at most ~4 vertices per pixel column
  std::vector<Point> dots;                // isolated points (a run of one value has no line to draw)
  std::vector<double> hiddenMarks;        // px x where a run of values <= 0 starts (log y), merged < 4 px
  std::size_t vertices() const;
};

// `clip` is the plot area (lines are cut at its border); decimation uses columnsPerPixel * clip.w
// columns over [x.u0, x.u1].
SeriesPath seriesPath(const Series& series, AxisScale xScale, AxisScale yScale, const AxisMap& x,
                      const AxisMap& y, Rect clip, double columnsPerPixel = 1);

}  // namespace attnmd::plot
