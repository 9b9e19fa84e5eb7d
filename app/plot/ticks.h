// Axis ticks with "nice numbers" (P. Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990):
// major steps 1, 2, 5 x 10^k on linear axes; decades on log axes, skipping decades (1, 2, 5, 10, 20, ...)
// when the range is huge (1e-300..1) and adding 2..9 minor ticks when it is small. One label format per
// axis, chosen from the tick values, so labels line up and never read "0.30000000000000004".
#pragma once

#include <string>
#include <vector>

#include "app/plot/scale.h"

namespace attnmd::plot {

struct Tick {
  double u = 0;       // axis coordinate (log axes: log10 of the value)
  bool major = true;  // minor ticks get a grid line but no label
  std::string label;  // empty for minor ticks
};

// Heckbert's niceNum: a 1/2/5/10 x 10^k number close to x > 0 (round) or >= x (!round).
double niceNumber(double x, bool round);

// Ticks inside [r.lo, r.hi] of a linear axis: at most maxMajor (>= 2) labelled ticks, as many as fit.
std::vector<Tick> linearTicks(Range r, int maxMajor, bool minor = true);
// Ticks inside [r.lo, r.hi] of a log axis, r in decades (u = log10 v). Works for any finite u,
// including ranges like [-300, 0] or [-1000, -999.5] whose values are not representable as doubles.
std::vector<Tick> logTicks(Range r, int maxMajor, bool minor = true);
std::vector<Tick> axisTicks(AxisScale scale, Range r, int maxMajor, bool minor = true);

// The label format of a linear tick grid m_k * 10^e0 with step s * 10^stepExp (s in {1, 2, 5}):
// plain with uniform decimals when every |value| is in [1e-3, 1e5), compact scientific otherwise.
std::vector<std::string> gridLabels(const std::vector<double>& mantissas, int e0, int stepExp);

}  // namespace attnmd::plot
