#include "app/plot/scale.h"

#include <cmath>
#include <limits>

namespace attnmd::plot {

Placement placement(double v, AxisScale scale, bool valueLog10) {
  if (valueLog10) {
    // log10 of the value: -inf means the value is exactly 0, which a log axis cannot show.
    if (std::isnan(v) || v == std::numeric_limits<double>::infinity()) return Placement::Missing;
    if (v == -std::numeric_limits<double>::infinity())
      return scale == AxisScale::Log ? Placement::NonPositive : Placement::Ok;
    // On a linear axis the value itself is drawn: beyond ~1.8e308 it does not exist as a double.
    if (scale == AxisScale::Linear && v > std::numeric_limits<double>::max_exponent10)
      return Placement::Missing;
    return Placement::Ok;
  }
  if (!std::isfinite(v)) return Placement::Missing;
  if (scale == AxisScale::Log && v <= 0) return Placement::NonPositive;
  return Placement::Ok;
}

double toAxis(double v, AxisScale scale, bool valueLog10) {
  if (placement(v, scale, valueLog10) != Placement::Ok) return std::numeric_limits<double>::quiet_NaN();
  if (valueLog10) return scale == AxisScale::Log ? v : std::pow(10.0, v);
  return scale == AxisScale::Log ? std::log10(v) : v;
}

double fromAxis(double u, AxisScale scale) {
  return scale == AxisScale::Log ? std::pow(10.0, u) : u;
}

}  // namespace attnmd::plot
