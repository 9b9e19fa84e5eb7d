#include "app/plot/hover.h"

#include <cmath>

#include "app/plot/format.h"

namespace attnmd::plot {

std::size_t nearestIndex(std::span<const double> x, AxisScale scale, double xU) {
  const std::size_t n = x.size();
  auto u = [&](std::size_t i) {
    const double v = toAxis(x[i], scale);
    return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;  // unplaceable: before all
  };
  std::size_t a = 0, b = n;  // first index with u >= xU
  while (a < b) {
    const std::size_t m = a + (b - a) / 2;
    if (u(m) < xU)
      a = m + 1;
    else
      b = m;
  }
  std::size_t best = n;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (std::size_t i : {a - 1, a}) {  // a - 1 wraps to SIZE_MAX when a == 0: skipped by the bound check
    if (i >= n || std::isinf(u(i))) continue;
    const double d = std::fabs(u(i) - xU);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

std::vector<HoverValue> hoverValues(const Figure& figure, const ViewState& view, double xU) {
  std::vector<HoverValue> out;
  const AxisScale xs = view.effectiveXScale(figure);
  for (std::size_t p = 0; p < figure.plots.size(); ++p) {
    const Plot& plot = figure.plots[p];
    for (std::size_t s = 0; s < plot.series.size(); ++s) {
      const Series& series = plot.series[s];
      if (!isShown(view, plot, series)) continue;
      const std::size_t n = std::min(series.x.size(), series.y.size());
      const std::size_t i = nearestIndex(std::span(series.x).first(n), xs, xU);
      if (i >= n) continue;
      HoverValue h;
      h.plot = p;
      h.series = s;
      h.name = series.name;
      h.color = series.color;
      h.style = series.style;
      h.x = series.x[i];
      h.y = series.y[i];
      h.yLog10 = series.yLog10;
      h.text = series.yLog10 ? formatLog10Value(h.y) : formatValue(h.y);
      if (placement(h.y, plot.y.scale, series.yLog10) == Placement::NonPositive)
        h.text += " (hidden: log axis)";
      out.push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace attnmd::plot
