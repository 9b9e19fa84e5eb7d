// Axis coordinates: the space in which ranges, ticks, decimation and pixel mapping work.
//   linear axis: u = v;   log axis: u = log10(v), undefined (NaN) for v <= 0.
// A value already given as log10 (Series::yLog10) maps to u directly on a log axis, so 1e-300 and far
// below need no 10^v that would underflow.
#pragma once

#include "app/plot/figure.h"

namespace attnmd::plot {

// A closed interval [lo, hi] in axis coordinates.
struct Range {
  double lo = 0, hi = 1;
  double span() const { return hi - lo; }
  bool contains(double u) const { return u >= lo && u <= hi; }
  bool operator==(const Range&) const = default;
};

// Why a value has no axis coordinate.
enum class Placement { Ok, Missing, NonPositive };  // Missing: NaN/inf; NonPositive: <= 0 on a log axis

// u of a data value v (log10 when `valueLog10`); NaN when it cannot be placed (see placement()).
double toAxis(double v, AxisScale scale, bool valueLog10 = false);
Placement placement(double v, AxisScale scale, bool valueLog10 = false);
// The data value of u (10^u on log axes; may underflow to 0 there: use formatLog10Value for labels).
double fromAxis(double u, AxisScale scale);

// Maps axis coordinates [u0, u1] to pixels [p0, p1] (p1 < p0 for a y axis pointing up).
struct AxisMap {
  double u0 = 0, u1 = 1;
  double p0 = 0, p1 = 1;
  double toPixel(double u) const { return p0 + (u - u0) * (p1 - p0) / (u1 - u0); }
  double toAxis(double px) const { return u0 + (px - p0) * (u1 - u0) / (p1 - p0); }
};

}  // namespace attnmd::plot
