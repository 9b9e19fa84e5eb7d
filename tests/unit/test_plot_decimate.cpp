// Min/max decimation (app/plot/decimate.h) against brute force, and the polyline clipping and dashing
// that turn decimated series into pixels (geometry.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "app/plot/decimate.h"
#include "app/plot/geometry.h"

namespace attnmd::plot {
namespace {

// Brute force per column: first, last, min y, max y.
struct ColumnTruth {
  std::size_t first = SIZE_MAX, last = 0;
  double lo = INFINITY, hi = -INFINITY;
};

void checkAgainstBruteForce(const std::vector<double>& x, const std::vector<double>& y, double x0, double x1,
                            std::size_t columns) {
  std::map<long long, ColumnTruth> truth;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ColumnTruth& t = truth[decimationColumn(x[i], x0, x1, columns)];
    t.first = std::min(t.first, i);
    t.last = std::max(t.last, i);
    t.lo = std::min(t.lo, y[i]);
    t.hi = std::max(t.hi, y[i]);
  }
  const std::vector<std::size_t> kept = decimateMinMax(x, y, x0, x1, columns);
  ASSERT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  ASSERT_EQ(std::adjacent_find(kept.begin(), kept.end()), kept.end()) << "duplicate index";
  std::map<long long, std::vector<std::size_t>> byColumn;
  for (std::size_t k : kept) {
    ASSERT_LT(k, x.size());
    byColumn[decimationColumn(x[k], x0, x1, columns)].push_back(k);
  }
  ASSERT_EQ(byColumn.size(), truth.size()) << "every non-empty column keeps points, no other does";
  for (const auto& [c, t] : truth) {
    const auto& ks = byColumn[c];
    SCOPED_TRACE("column " + std::to_string(c));
    ASSERT_LE(ks.size(), 4u);
    EXPECT_EQ(ks.front(), t.first);
    EXPECT_EQ(ks.back(), t.last);
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t k : ks) {
      lo = std::min(lo, y[k]);
      hi = std::max(hi, y[k]);
      // Each kept point is the first, the last, or an extreme of its column: nothing else.
      EXPECT_TRUE(k == t.first || k == t.last || y[k] == t.lo || y[k] == t.hi) << k;
    }
    EXPECT_EQ(lo, t.lo);  // exact: the column's envelope survives
    EXPECT_EQ(hi, t.hi);
  }
}

TEST(PlotDecimate, MatchesBruteForceOnRandomData) {
  const unsigned seed = 4242;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> size(1, 5000), cols(1, 400);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " trial " + std::to_string(trial));
    const std::size_t n = static_cast<std::size_t>(size(rng));
    std::vector<double> x(n), y(n);
    double xi = unit(rng) * 10 - 5;
    for (std::size_t i = 0; i < n; ++i) {
      xi += unit(rng) < 0.05 ? 0 : unit(rng) * unit(rng);  // gaps of all sizes and repeated x
      x[i] = xi;
      y[i] = unit(rng) < 0.01 ? (unit(rng) - 0.5) * 1e6 : std::sin(0.01 * static_cast<double>(i)) + unit(rng);
    }
    // A window that may cut the data on either side (catch-all columns) or contain it all.
    const double x0 = x.front() + (x.back() - x.front()) * (unit(rng) - 0.2);
    const double x1 = x0 + (x.back() - x.front()) * (0.1 + unit(rng));
    checkAgainstBruteForce(x, y, x0, x1, static_cast<std::size_t>(cols(rng)));
  }
}

TEST(PlotDecimate, MillionPointsKeepSpikesWithinFourVerticesPerColumn) {
  const unsigned seed = 99;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  const std::size_t n = 1'000'000, width = 800;
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(i);
    y[i] = noise(rng);
  }
  y[123'457] = 1e9;  // one-sample spikes, up and down, must survive decimation
  y[765'431] = -1e9;
  const auto kept = decimateMinMax(x, y, 0, static_cast<double>(n - 1), width);
  EXPECT_LE(kept.size(), 4 * width) << "seed " << seed;
  EXPECT_GE(kept.size(), 2 * width);
  EXPECT_TRUE(std::binary_search(kept.begin(), kept.end(), std::size_t{123'457}));
  EXPECT_TRUE(std::binary_search(kept.begin(), kept.end(), std::size_t{765'431}));
  checkAgainstBruteForce(x, y, 0, static_cast<double>(n - 1), width);
}

TEST(PlotDecimate, SmallInputsAreKeptWhole) {
  const std::vector<double> x{0, 1, 2}, y{3, 1, 2};
  EXPECT_EQ(decimateMinMax(x, y, 0, 2, 100), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_TRUE(decimateMinMax({}, {}, 0, 1, 10).empty());
  // All in one column: first, min, max, last in index order.
  const std::vector<double> x2{0, 0.1, 0.2, 0.3, 0.4, 0.5}, y2{0, 5, -5, 1, 2, 0.5};
  EXPECT_EQ(decimateMinMax(x2, y2, 0, 10, 1), (std::vector<std::size_t>{0, 1, 2, 5}));
}

TEST(PlotGeometry, ClipCutsAtTheBorder) {
  const Rect r{0, 0, 10, 10};
  const std::vector<Point> through{{-5, 5}, {15, 5}};
  const auto pieces = clipPolyline(through, r);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0], (std::vector<Point>{{0, 5}, {10, 5}}));
  // Out and back in: two pieces; entirely outside: none.
  const std::vector<Point> outIn{{1, 1}, {5, -20}, {9, 1}};
  EXPECT_EQ(clipPolyline(outIn, r).size(), 2u);
  const std::vector<Point> outside{{-1, -1}, {-5, 20}};
  EXPECT_TRUE(clipPolyline(outside, r).empty());
  // Far-away vertices (e.g. a value 1e300 on a fixed range) never reach the renderer.
  const std::vector<Point> far{{2, 2}, {3, -1e300}};
  for (const auto& piece : clipPolyline(far, r))
    for (Point p : piece) EXPECT_TRUE(r.inflated(1e-9).contains(p));
  // A polyline inside stays one piece with its vertices.
  const std::vector<Point> inside{{1, 1}, {2, 3}, {4, 2}};
  EXPECT_EQ(clipPolyline(inside, r), std::vector<std::vector<Point>>{inside});
}

TEST(PlotGeometry, DashesFollowThePattern) {
  const std::vector<Point> line{{0, 0}, {7, 0}, {7, 13}};  // 20 px, the corner inside the 2nd dash
  const std::vector<double> pattern{3, 2};
  const auto dashes = dashPolyline(line, pattern);
  double on = 0;
  for (const auto& d : dashes)
    for (std::size_t i = 1; i < d.size(); ++i) on += std::hypot(d[i].x - d[i - 1].x, d[i].y - d[i - 1].y);
  EXPECT_NEAR(on, 12, 1e-9);  // 4 full periods of 5 px: 4 x 3 px on
  EXPECT_EQ(dashes.size(), 4u);
  // The dash across the corner bends with it.
  bool bent = false;
  for (const auto& d : dashes) bent = bent || d.size() == 3;
  EXPECT_TRUE(bent);
  EXPECT_EQ(dashPolyline(line, {}).size(), 1u);
}

}  // namespace
}  // namespace attnmd::plot
