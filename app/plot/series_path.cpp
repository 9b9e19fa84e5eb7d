#include "app/plot/series_path.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "app/plot/decimate.h"
#include "app/plot/range.h"

namespace attnmd::plot {

HiddenCounts countHidden(const Series& series, AxisScale xScale, AxisScale yScale, Range xU) {
  HiddenCounts c;
  const std::size_t n = std::min(series.x.size(), series.y.size());
  if (xScale == AxisScale::Log)
    for (std::size_t i = 0; i < n && series.x[i] <= 0; ++i) ++c.nonPositiveX;  // x ascending
  const auto [first, last] = windowIndices(std::span(series.x).first(n), xScale, xU);
  for (std::size_t i = first; i < last; ++i) {
    if (!xU.contains(toAxis(series.x[i], xScale))) continue;
    switch (placement(series.y[i], yScale, series.yLog10)) {
      case Placement::NonPositive:
        ++c.nonPositive;
        break;
      case Placement::Missing:
        ++c.missing;
        break;
      case Placement::Ok:
        break;
    }
  }
  return c;
}

std::size_t SeriesPath::vertices() const {
  std::size_t v = dots.size();
  for (const auto& l : lines) v += l.size();
  return v;
}

SeriesPath seriesPath(const Series& series, AxisScale xScale, AxisScale yScale, const AxisMap& x,
                      const AxisMap& y, Rect clip, double columnsPerPixel) {
  SeriesPath path;
  const std::size_t n = std::min(series.x.size(), series.y.size());
  const Range xU{std::min(x.u0, x.u1), std::max(x.u0, x.u1)};
  const auto [first, last] = windowIndices(std::span(series.x).first(n), xScale, xU);

  // Axis coordinates of the placeable points, cut into runs at every point that is not.
  std::vector<double> ux, uy;
  std::vector<std::size_t> runEnds;  // exclusive ends of runs in ux/uy
  ux.reserve(last - first);
  uy.reserve(last - first);
  bool inHiddenRun = false;
  auto endRun = [&] {
    if (runEnds.empty() ? !ux.empty() : runEnds.back() != ux.size()) runEnds.push_back(ux.size());
  };
  for (std::size_t i = first; i < last; ++i) {
    const double u = toAxis(series.x[i], xScale);
    if (std::isnan(u)) {
      endRun();
      continue;
    }
    const Placement pl = placement(series.y[i], yScale, series.yLog10);
    if (pl == Placement::Ok) {
      ux.push_back(u);
      uy.push_back(toAxis(series.y[i], yScale, series.yLog10));
      inHiddenRun = false;
      continue;
    }
    endRun();
    if (pl == Placement::NonPositive && xU.contains(u)) {
      const double px = x.toPixel(u);
      if (!inHiddenRun && (path.hiddenMarks.empty() || std::fabs(px - path.hiddenMarks.back()) >= 4))
        path.hiddenMarks.push_back(px);
      inHiddenRun = true;
    }
  }
  endRun();

  const std::size_t columns =
      static_cast<std::size_t>(std::max(1.0, std::ceil(clip.w * std::max(columnsPerPixel, 0.01))));
  std::vector<std::size_t> keep;
  std::vector<Point> points;
  std::size_t start = 0;
  for (std::size_t end : runEnds) {
    const std::span<const double> rx(ux.data() + start, end - start), ry(uy.data() + start, end - start);
    if (rx.size() == 1) {
      const Point p{x.toPixel(rx[0]), y.toPixel(ry[0])};
      if (clip.contains(p)) path.dots.push_back(p);
    } else {
      decimateMinMax(rx, ry, xU.lo, xU.hi, columns, keep);
      points.clear();
      for (std::size_t k : keep) points.push_back({x.toPixel(rx[k]), y.toPixel(ry[k])});
      for (auto& piece : clipPolyline(points, clip)) {
        if (piece.size() == 1)
          path.dots.push_back(piece[0]);
        else
          path.lines.push_back(std::move(piece));
      }
    }
    start = end;
  }
  return path;
}

}  // namespace attnmd::plot
