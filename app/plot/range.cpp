#include "app/plot/range.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnmd::plot {
namespace {

// Axis coordinate of x[i], with unplaceable x (<= 0 on a log axis) ordered before everything.
double xAt(std::span<const double> x, std::size_t i, AxisScale scale) {
  const double u = toAxis(x[i], scale);
  return std::isnan(u) ? -std::numeric_limits<double>::infinity() : u;
}

struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double u) {
    if (std::isnan(u)) return;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  bool empty() const { return !(lo <= hi); }
};

Range defaultRange(AxisScale) {
  return {0, 1};
}

}  // namespace

std::pair<std::size_t, std::size_t> windowIndices(std::span<const double> x, AxisScale scale, Range window) {
  const std::size_t n = x.size();
  std::size_t first = 0, last = n;
  {  // first index with u >= lo
    std::size_t a = 0, b = n;
    while (a < b) {
      const std::size_t m = a + (b - a) / 2;
      if (xAt(x, m, scale) < window.lo)
        a = m + 1;
      else
        b = m;
    }
    first = a;
  }
  {  // first index with u > hi
    std::size_t a = first, b = n;
    while (a < b) {
      const std::size_t m = a + (b - a) / 2;
      if (xAt(x, m, scale) <= window.hi)
        a = m + 1;
      else
        b = m;
    }
    last = a;
  }
  if (first > 0 && !std::isnan(toAxis(x[first - 1], scale))) --first;
  if (last < n) ++last;
  return {first, last};
}

Range padRange(Range r, AxisScale scale, double padding) {
  if (!(r.hi >= r.lo) || !std::isfinite(r.lo) || !std::isfinite(r.hi)) return defaultRange(scale);
  if (r.hi == r.lo) {
    const double w = scale == AxisScale::Log ? 0.5 : std::max(0.1 * std::fabs(r.lo), 1.0);
    return {r.lo - w, r.hi + w};
  }
  const double pad = padding * (r.hi - r.lo);
  return {r.lo - pad, r.hi + pad};
}

std::optional<Range> dataXRange(const Figure& figure, const ViewState& view) {
  const AxisScale xs = view.effectiveXScale(figure);
  Extent e;
  for (const Plot& plot : figure.plots)
    for (const Series& s : plot.series) {
      if (!isShown(view, plot, s)) continue;
      // x is ascending: the first and last placeable points bound it.
      for (std::size_t i = 0; i < s.x.size(); ++i)
        if (!std::isnan(toAxis(s.x[i], xs))) {
          e.add(toAxis(s.x[i], xs));
          break;
        }
      for (std::size_t i = s.x.size(); i-- > 0;)
        if (!std::isnan(toAxis(s.x[i], xs))) {
          e.add(toAxis(s.x[i], xs));
          break;
        }
    }
  if (e.empty()) return std::nullopt;
  return Range{e.lo, e.hi};
}

Range xRangeFor(const Figure& figure, const ViewState& view, const RangeOptions& options) {
  if (view.xRange && view.xRange->hi > view.xRange->lo) return *view.xRange;
  const AxisScale xs = view.effectiveXScale(figure);
  const std::optional<Range> data = dataXRange(figure, view);
  Range r = data ? padRange(*data, xs, options.xPadding) : defaultRange(xs);
  const double fixedLo = figure.x.min ? toAxis(*figure.x.min, xs) : std::nan("");
  const double fixedHi = figure.x.max ? toAxis(*figure.x.max, xs) : std::nan("");
  if (!std::isnan(fixedLo)) r.lo = fixedLo;
  if (!std::isnan(fixedHi)) r.hi = fixedHi;
  if (!(r.hi > r.lo)) r = padRange({r.lo, r.lo}, xs, 0);
  return r;
}

Range yRangeFor(const Figure& figure, std::size_t plotIndex, const ViewState& view, Range xU,
                const RangeOptions& options) {
  const Plot& plot = figure.plots.at(plotIndex);
  const AxisScale xs = view.effectiveXScale(figure);
  const AxisScale ys = plot.y.scale;
  Extent e;
  for (const Series& s : plot.series) {
    if (!isShown(view, plot, s)) continue;
    const std::size_t n = std::min(s.x.size(), s.y.size());
    auto [first, last] = windowIndices(std::span(s.x).first(n), xs, xU);
    for (std::size_t i = first; i < last; ++i)
      if (xU.contains(toAxis(s.x[i], xs))) e.add(toAxis(s.y[i], ys, s.yLog10));
  }
  for (const RefLine& ref : plot.refLines)
    if (ref.horizontal && isShown(view, plot, ref)) e.add(toAxis(ref.value, ys, ref.valueLog10));
  Range r = e.empty() ? defaultRange(ys) : padRange({e.lo, e.hi}, ys, options.yPadding);
  const double fixedLo = plot.y.min ? toAxis(*plot.y.min, ys) : std::nan("");
  const double fixedHi = plot.y.max ? toAxis(*plot.y.max, ys) : std::nan("");
  if (!std::isnan(fixedLo)) r.lo = fixedLo;
  if (!std::isnan(fixedHi)) r.hi = fixedHi;
  if (!(r.hi > r.lo)) r = padRange({r.lo, r.lo}, ys, 0);
  return r;
}

}  // namespace attnmd::plot
