// Run history (docs/theory.md §7): dense early steps, an exact log grid, an evenly thinned uniform sampling,
// 10^7 steps in a few MB, merged ascending points, range queries and the selections table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/history.h"

using namespace attnmd::core;

namespace {

MetricsPoint pointAt(long long iter) {
  MetricsPoint p;
  p.iter = iter;
  p.loss = 1.0 / (1.0 + static_cast<double>(iter));
  return p;
}

std::vector<int> selectionAt(long long iter) {
  // Three distinct selections, changing every million steps, and a burst of changes early on.
  if (iter < 50) return {static_cast<int>(iter % 4), 1, 2};
  return {static_cast<int>((iter / 1000000) % 3), 0, 0};
}

}  // namespace

TEST(History, TenMillionStepsFitInAFewMegabytesAndKeepEveryGrid) {
  const HistoryOptions opt;  // dense 200, 200 points per decade, 2048 uniform
  History h(opt);
  const long long N = 10000000;
  long long recorded = 0;
  std::set<long long> recordedIters;
  for (long long it = 0; it <= N; ++it) {
    if (!h.wants(it)) continue;
    h.record(pointAt(it), selectionAt(it));
    ++recorded;
  }
  const std::vector<MetricsPoint> pts = h.points();
  ASSERT_EQ(pts.size(), h.size());
  for (std::size_t k = 1; k < pts.size(); ++k)
    ASSERT_LT(pts[k - 1].iter, pts[k].iter) << "ascending, each once";
  std::set<long long> have;
  for (const MetricsPoint& p : pts) have.insert(p.iter);

  // Dense: every step up to denseSteps.
  for (long long it = 0; it <= opt.denseSteps; ++it) EXPECT_TRUE(have.count(it)) << it;
  // Log grid: every round(10^(j/ppd)) above denseSteps, so log-x plots have no gaps.
  long long gridPoints = 0;
  for (long long j = 0;; ++j) {
    const long long g = std::llround(std::pow(10.0, static_cast<double>(j) / opt.pointsPerDecade));
    if (g > N) break;
    if (g <= opt.denseSteps) continue;
    ++gridPoints;
    EXPECT_TRUE(have.count(g)) << "log grid point " << g;
  }
  // Uniform: every multiple of the final stride, so linear-x plots are evenly sampled.
  const long long stride = h.uniformStride();
  EXPECT_GT(stride, 1);
  for (long long it = 0; it <= N; it += stride) ASSERT_TRUE(have.count(it)) << "uniform point " << it;
  EXPECT_LE(N / stride, opt.uniformCapacity + 1);

  // Bounded: dense + grid + uniform capacity, and a few MB (the brief: 10^7 steps in a few MB).
  EXPECT_LE(h.size(), static_cast<std::size_t>(opt.denseSteps + 1 + gridPoints + opt.uniformCapacity));
  EXPECT_LT(h.bytes(), 4u << 20);
  EXPECT_LT(recorded, 40000) << "metrics are computed only at wanted steps: a small fraction of 10^7";

  // Selections: interned, each distinct one stored once, every point's index resolves to its selection.
  EXPECT_EQ(h.selections().size(), 4u + 3u);  // {0..3, 1, 2} early, then {0|1|2, 0, 0}
  for (const MetricsPoint& p : pts) ASSERT_EQ(h.selections()[p.selection], selectionAt(p.iter)) << p.iter;

  ASSERT_NE(h.last(), nullptr);
  EXPECT_EQ(h.last()->iter, pts.back().iter);
}

TEST(History, RangeQueriesOffGridPointsAndClear) {
  HistoryOptions opt;
  opt.denseSteps = 10;
  opt.pointsPerDecade = 10;
  opt.uniformCapacity = 16;
  History h(opt);
  for (long long it = 0; it <= 5000; ++it)
    if (h.wants(it)) h.record(pointAt(it), {0});
  // A point no sampling wants (the last step of a run) is still recorded and is the newest.
  ASSERT_FALSE(h.wants(5001));
  h.record(pointAt(5001), {1});
  ASSERT_NE(h.last(), nullptr);
  EXPECT_EQ(h.last()->iter, 5001);
  EXPECT_EQ(h.selections()[h.last()->selection], std::vector<int>{1});
  // Older points are ignored (iter must grow).
  const std::size_t n = h.size();
  h.record(pointAt(300), {0});
  EXPECT_EQ(h.size(), n);

  const std::vector<MetricsPoint> all = h.points();
  for (auto [a, b] :
       {std::pair<long long, long long>{0, 5001}, {7, 12}, {100, 2000}, {4000, 4000}, {6000, 7000}}) {
    std::vector<long long> expect, got;
    for (const MetricsPoint& p : all)
      if (p.iter >= a && p.iter <= b) expect.push_back(p.iter);
    for (const MetricsPoint& p : h.points(a, b)) got.push_back(p.iter);
    EXPECT_EQ(got, expect) << "[" << a << ", " << b << "]";
  }
  h.clear();
  EXPECT_EQ(h.size(), 0u);
  EXPECT_EQ(h.last(), nullptr);
  EXPECT_TRUE(h.selections().empty());
  EXPECT_TRUE(h.wants(0));
}

TEST(History, UniformThinningKeepsEvenSpacingAtEveryMoment) {
  HistoryOptions opt;
  opt.denseSteps = 0;
  opt.pointsPerDecade = 1;  // log points only at 1, 10, 100, ...
  opt.uniformCapacity = 64;
  History h(opt);
  for (long long it = 0; it <= 100000; ++it) {
    if (!h.wants(it)) continue;
    h.record(pointAt(it), {0});
    if (it % 977 == 0) {  // now and then: the uniform points are exactly the multiples of the stride
      const long long stride = h.uniformStride();
      long long uniformCount = 0;
      for (const MetricsPoint& p : h.points()) {
        const bool isLog =
            p.iter <= 1 || std::abs(std::log10(static_cast<double>(p.iter)) -
                                    std::round(std::log10(static_cast<double>(p.iter)))) < 1e-12;
        if (!isLog) {
          ASSERT_EQ(p.iter % stride, 0) << "at " << it;
          ++uniformCount;
        }
      }
      ASSERT_LE(uniformCount, opt.uniformCapacity);
      for (long long m = stride; m <= it; m += stride)
        ASSERT_FALSE(h.points(m, m).empty()) << "missing multiple " << m << " of stride " << stride;
    }
  }
}

TEST(History, SelectionTableStaysWithinItsMemoryBudget) {
  HistoryOptions opt;
  opt.selectionBudget = 1000;  // ints
  History h(opt);
  std::vector<int> sel(300);
  for (long long it = 0; it < 10; ++it) {
    sel[0] = static_cast<int>(it);  // a new selection every step
    h.record(pointAt(it), sel);
  }
  EXPECT_EQ(h.selections().size(), 3u);  // 3 x 300 <= 1000 < 4 x 300
  const auto pts = h.points();
  for (std::size_t k = 0; k < pts.size(); ++k)
    EXPECT_EQ(pts[k].selection, k < 3 ? static_cast<std::uint32_t>(k) : MetricsPoint::kNoSelection);
  // A selection already stored still resolves.
  sel[0] = 1;
  h.record(pointAt(20), sel);
  EXPECT_EQ(h.last()->selection, 1u);
}
