#include "app/plot/series_path.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

namespace {

// Decimation column of x[i] in axis coordinates. On a log x axis it avoids a log10 per point: x is
// ascending, so the current column's upper boundary (in data units) is cached and log10 is taken only
// when a point crosses it, at most once per column. Columns stay non-decreasing, as decimateRange needs.
class ColumnOf {
 public:
  ColumnOf(std::span<const double> x, AxisScale scale, Range xU, std::size_t columns)
      : x_(x),
        log_(scale == AxisScale::Log),
        lo_(xU.lo),
        hi_(xU.hi),
        scale_(static_cast<double>(columns) / (xU.hi - xU.lo)),
        last_(static_cast<long long>(columns) - 1) {}

  long long operator()(std::size_t i) {
    const double xi = x_[i];
    if (!log_) return fromAxis(xi);
    if (xi >= low_ && xi < next_) return column_;
    column_ = fromAxis(std::log10(xi));
    low_ = xi;
    next_ = column_ > last_ ? std::numeric_limits<double>::infinity()
                            : std::pow(10.0, lo_ + static_cast<double>(column_ + 1) / scale_);
    return column_;
  }

 private:
  long long fromAxis(double u) const {
    if (u < lo_) return -1;
    if (u > hi_) return last_ + 1;
    return std::min(static_cast<long long>((u - lo_) * scale_), last_);
  }
  std::span<const double> x_;
  bool log_;
  double lo_, hi_, scale_;
  long long last_;
  long long column_ = 0;
  double low_ = 1, next_ = 0;  // empty cache
};

}  // namespace

SeriesPath seriesPath(const Series& series, AxisScale xScale, AxisScale yScale, const AxisMap& x,
                      const AxisMap& y, Rect clip, double columnsPerPixel) {
  SeriesPath path;
  const std::size_t n = std::min(series.x.size(), series.y.size());
  const Range xU{std::min(x.u0, x.u1), std::max(x.u0, x.u1)};
  if (!(xU.hi > xU.lo)) return path;
  const auto [first, last] = windowIndices(std::span(series.x).first(n), xScale, xU);

  // Runs of drawable points, cut at every point that cannot be placed (NaN, <= 0 on a log axis).
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t runStart = first;
  bool inHiddenRun = false;
  for (std::size_t i = first; i < last; ++i) {
    const bool xOk = xScale == AxisScale::Linear ? std::isfinite(series.x[i]) : series.x[i] > 0;
    const Placement pl = xOk ? placement(series.y[i], yScale, series.yLog10) : Placement::Missing;
    if (pl == Placement::Ok) {
      inHiddenRun = false;
      continue;
    }
    if (i > runStart) runs.emplace_back(runStart, i);
    runStart = i + 1;
    if (pl == Placement::NonPositive) {
      const double u = toAxis(series.x[i], xScale);
      if (!inHiddenRun && xU.contains(u)) {
        const double px = x.toPixel(u);
        if (path.hiddenMarks.empty() || std::fabs(px - path.hiddenMarks.back()) >= 4)
          path.hiddenMarks.push_back(px);
      }
      inHiddenRun = true;
    }
  }
  if (last > runStart) runs.emplace_back(runStart, last);

  const std::size_t columns =
      static_cast<std::size_t>(std::max(1.0, std::ceil(clip.w * std::max(columnsPerPixel, 0.01))));
  ColumnOf columnOf(series.x, xScale, xU, columns);
  // Axis transforms are monotone, so the raw y orders points as the screen does.
  auto keyOf = [&](std::size_t i) { return series.y[i]; };
  auto pixel = [&](std::size_t i) {
    return Point{x.toPixel(toAxis(series.x[i], xScale)),
                 y.toPixel(toAxis(series.y[i], yScale, series.yLog10))};
  };
  std::vector<std::size_t> keep;
  std::vector<Point> points;
  for (const auto& [s, e] : runs) {
    if (e - s == 1) {
      const Point p = pixel(s);
      if (clip.contains(p)) path.dots.push_back(p);
      continue;
    }
    keep.clear();
    decimateRange(s, e, columnOf, keyOf, keep);
    points.clear();
    for (std::size_t k : keep) points.push_back(pixel(k));
    for (auto& piece : clipPolyline(points, clip)) {
      if (piece.size() == 1)
        path.dots.push_back(piece[0]);
      else
        path.lines.push_back(std::move(piece));
    }
  }
  return path;
}

}  // namespace attnmd::plot
