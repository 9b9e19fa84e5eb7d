// Automatic axis ranges, in axis coordinates (so log axes pad by a fraction of their decades).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <utility>

#include "app/plot/view_state.h"

namespace attnmd::plot {

struct RangeOptions {
  double yPadding = 0.05;  // fraction of the y span added above and below the data
  double xPadding = 0.0;   // iteration axes start at the first step: no x padding by default
};

// The index range [first, last) of the points of ascending `x` whose axis coordinate lies in `window`,
// widened by one point on each side (so a line leaving the window keeps its direction).
std::pair<std::size_t, std::size_t> windowIndices(std::span<const double> x, AxisScale scale, Range window);

// [lo, hi] widened by `padding` of its span on each side; a zero span gets a sensible width
// (±10% of |v| or ±1 on linear axes, ±0.5 decade on log axes).
Range padRange(Range r, AxisScale scale, double padding);

// The x range of every shown series (axis coordinates), nullopt when nothing can be placed.
std::optional<Range> dataXRange(const Figure& figure, const ViewState& view);
// The x range to draw: the view's zoom, else the axis's fixed ends, else the data, else [0, 1].
Range xRangeFor(const Figure& figure, const ViewState& view, const RangeOptions& options = {});
// The y range of plot `plot` for the points with x in `xU`, plus its shown horizontal reference lines.
Range yRangeFor(const Figure& figure, std::size_t plot, const ViewState& view, Range xU,
                const RangeOptions& options = {});

}  // namespace attnmd::plot
