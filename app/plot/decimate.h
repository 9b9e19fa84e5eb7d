// Min/max decimation per pixel column (the "M4" aggregation of Jugel et al., VLDB 2014): for every
// column keep the first, the last, the minimum-y and the maximum-y point. A line through the kept
// points, in order, covers exactly the same pixels column by column as the full line, so spikes survive
// and 10^6 points draw as at most 4 vertices per column. One pass, O(n), no allocation beyond output.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace attnmd::plot {

// Column of x for `columns` columns spanning [x0, x1]: floor((x - x0) / (x1 - x0) * columns), with x1
// itself in the last column; x < x0 gives -1 and x > x1 gives `columns` (one catch-all column on each
// side, so a line leaving the view keeps its direction).
long long decimationColumn(double x, double x0, double x1, std::size_t columns);

// Indices (ascending, unique) of the points to draw. x ascending, x and y finite and the same length.
// Appends to `out` (cleared first), so a caller drawing every frame can reuse its buffer.
void decimateMinMax(std::span<const double> x, std::span<const double> y, double x0, double x1,
                    std::size_t columns, std::vector<std::size_t>& out);
std::vector<std::size_t> decimateMinMax(std::span<const double> x, std::span<const double> y, double x0,
                                        double x1, std::size_t columns);

}  // namespace attnmd::plot
