// Nice ticks and label formatting (app/plot/ticks.h, format.h): properties checked over seeded random
// ranges across many magnitudes (1e-300..1e300, log ranges down to 1e-1000), plus the classic traps.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <set>
#include <string>

#include "app/plot/format.h"
#include "app/plot/ticks.h"

namespace attnmd::plot {
namespace {

std::vector<Tick> majors(const std::vector<Tick>& ticks) {
  std::vector<Tick> out;
  for (const Tick& t : ticks)
    if (t.major) out.push_back(t);
  return out;
}

// log10 of the value a label denotes, parsed without forming the value ("2.5e-1000" -> -999.6).
double labelLog10(const std::string& label) {
  const auto e = label.find('e');
  if (e == std::string::npos) return std::log10(std::strtod(label.c_str(), nullptr));
  return std::log10(std::strtod(label.substr(0, e).c_str(), nullptr)) +
         std::strtod(label.c_str() + e + 1, nullptr);
}

bool looksNoisy(const std::string& label) {
  return label.find("0000000") != std::string::npos || label.find("999999") != std::string::npos;
}

bool isNiceStep(double d) {
  const double m = d / std::pow(10.0, std::floor(std::log10(d) + 1e-9));
  return std::fabs(m - 1) < 1e-6 || std::fabs(m - 2) < 1e-6 ||
         std::fabs(m - 5) < 1e-6;  // d is a difference of ticks
}

TEST(PlotFormat, NoFloatingPointNoise) {
  EXPECT_EQ(formatFixed(0.1 + 0.2, 1), "0.3");
  EXPECT_EQ(formatValue(0.1 + 0.2), "0.3");
  EXPECT_EQ(formatFixed(-1e-9, 2), "0.00");  // never "-0.00"
  EXPECT_EQ(formatFixed(-0.0, 0), "0");
  EXPECT_EQ(formatCoord(12.5), "12.5");
  EXPECT_EQ(formatCoord(-0.001), "0");
  EXPECT_EQ(formatCoord(3.0), "3");
}

TEST(PlotFormat, ScientificIsCompact) {
  EXPECT_EQ(formatScientific(2.5e6, 1), "2.5e6");
  EXPECT_EQ(formatScientific(1e-300, 3), "1e-300");
  EXPECT_EQ(formatScientific(-3.25e-12, 2), "-3.25e-12");
  EXPECT_EQ(formatValue(1234567), "1.235e6");
  EXPECT_EQ(formatValue(0.00001234), "1.234e-5");
  EXPECT_EQ(formatValue(12345.6), "12346");
  EXPECT_EQ(formatValue(std::nan("")), "n/a");
  EXPECT_EQ(formatValue(-INFINITY), "-inf");
}

TEST(PlotFormat, Log10ValuesBeyondDoubleRange) {
  EXPECT_EQ(formatLog10Value(-300.5), "3.162e-301");
  EXPECT_EQ(formatLog10Value(-1000), "1e-1000");
  // p near 1: 1 - s far beyond any exponent an int holds, still readable and never cut.
  // Beyond a million decades: the exponent written as a reader would, not "1e-500000000".
  EXPECT_EQ(formatLog10Value(-4.9e7), "10^(\u22124.9\u00D710\u2077)");
  EXPECT_EQ(formatLog10Value(-5e24), "10^(\u22125\u00D710\u00B2\u2074)");
  EXPECT_EQ(formatLog10Value(1e6), "10^(10\u2076)");
  EXPECT_EQ(formatTimesPowerOfTen(-9.96e6), "\u221210\u2077");
  EXPECT_EQ(formatTimesPowerOfTen(3.14159e-12, 3), "3.14\u00D710\u207B\u00B9\u00B2");
  EXPECT_EQ(formatLog10Value(-400 + std::log10(9.99996)), "1e-399");  // mantissa rounding carries
  EXPECT_EQ(formatLog10Value(std::log10(0.25)), "0.25");
  EXPECT_EQ(formatLog10Value(-INFINITY), "0");
  EXPECT_EQ(formatCount(1204), "1204");
  EXPECT_EQ(formatCount(2.5), "2.5");
  EXPECT_EQ(formatCsv(std::nan("")), "");
  EXPECT_EQ(std::strtod(formatCsv(0.1 + 0.2).c_str(), nullptr), 0.1 + 0.2);  // round trip
}

TEST(PlotTicks, NiceNumbersAreOneTwoFive) {
  EXPECT_DOUBLE_EQ(niceNumber(0.7, false), 1);
  EXPECT_DOUBLE_EQ(niceNumber(1.3, false), 2);
  EXPECT_DOUBLE_EQ(niceNumber(3.0, false), 5);
  EXPECT_DOUBLE_EQ(niceNumber(7.0, false), 10);
  EXPECT_DOUBLE_EQ(niceNumber(2.9e-7, true), 2e-7);
  EXPECT_DOUBLE_EQ(niceNumber(7.5e12, true), 1e13);
}

TEST(PlotTicks, ClassicLinearCases) {
  auto labels = [](Range r, int n) {
    std::vector<std::string> out;
    for (const Tick& t : majors(linearTicks(r, n))) out.push_back(t.label);
    return out;
  };
  EXPECT_EQ(labels({0, 1}, 6), (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  EXPECT_EQ(labels({0, 0.3}, 4), (std::vector<std::string>{"0.0", "0.1", "0.2", "0.3"}));
  EXPECT_EQ(labels({-1, 1}, 3), (std::vector<std::string>{"-1", "0", "1"}));
  EXPECT_EQ(labels({0, 1e6}, 6), (std::vector<std::string>{"0", "2e5", "4e5", "6e5", "8e5", "1e6"}));
  EXPECT_EQ(labels({1.5e-5, 3.1e-5}, 5), (std::vector<std::string>{"1.5e-5", "2e-5", "2.5e-5", "3e-5"}));
  EXPECT_EQ(labels({997, 1003}, 4), (std::vector<std::string>{"998", "1000", "1002"}));
  // Minor ticks subdivide without duplicating majors.
  const auto all = linearTicks({0, 10}, 3);
  EXPECT_EQ(majors(all).size(), 3u);
  EXPECT_GT(all.size(), 3u);
  std::set<double> us;
  for (const Tick& t : all) EXPECT_TRUE(us.insert(t.u).second) << t.u;
}

// Properties over random ranges spanning 600 orders of magnitude: count within bounds, inside the range,
// uniform nice step, distinct labels that parse back to their value, and no float noise in labels.
TEST(PlotTicks, RandomLinearRangesAcrossMagnitudes) {
  const unsigned seed = 20240611;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(-300, 300), relSpan(-6, 3), unit(0, 1);
  std::uniform_int_distribution<int> maxTicks(2, 10);
  for (int trial = 0; trial < 3000; ++trial) {
    const double scale = std::pow(10.0, exponent(rng));
    const double lo = (unit(rng) < 0.5 ? -1 : 1) * scale * unit(rng);
    const double span = scale * std::pow(10.0, relSpan(rng));
    const Range r{lo, lo + span};
    const int n = maxTicks(rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + " trial " + std::to_string(trial) + " range [" +
                 formatScientific(r.lo, 6) + ", " + formatScientific(r.hi, 6) + "] maxTicks " +
                 std::to_string(n));
    const auto ticks = linearTicks(r, n);
    const auto m = majors(ticks);
    ASSERT_GE(m.size(), n >= 5 ? 2u : 1u);
    ASSERT_LE(m.size(), static_cast<std::size_t>(n));
    const double tol = 1e-9 * span;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      EXPECT_GE(ticks[i].u, r.lo - tol);
      EXPECT_LE(ticks[i].u, r.hi + tol);
      if (i) {
        EXPECT_LT(ticks[i - 1].u, ticks[i].u);
      }
    }
    const double step = m.size() > 1 ? m[1].u - m[0].u : 0;
    if (m.size() > 1) {
      EXPECT_TRUE(isNiceStep(step)) << step;
    }
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (i > 1) {
        EXPECT_NEAR(m[i].u - m[i - 1].u, step, 1e-6 * step);
      }
      EXPECT_TRUE(seen.insert(m[i].label).second) << "duplicate label " << m[i].label;
      EXPECT_FALSE(looksNoisy(m[i].label)) << m[i].label;
      // Sign, 7 significant digits (relative spans down to 1e-6), point, exponent: 16 characters at most.
      EXPECT_LE(m[i].label.size(), 16u) << m[i].label;
      const double parsed = std::strtod(m[i].label.c_str(), nullptr);
      EXPECT_NEAR(parsed, m[i].u, std::max(1e-6 * step, 1e-12 * std::fabs(m[i].u))) << m[i].label;
    }
  }
}

TEST(PlotTicks, LogDecadesPlainAndScientific) {
  auto labels = [](Range r, int n) {
    std::vector<std::string> out;
    for (const Tick& t : majors(logTicks(r, n))) out.push_back(t.label);
    return out;
  };
  EXPECT_EQ(labels({-2, 2}, 6), (std::vector<std::string>{"0.01", "0.1", "1", "10", "100"}));
  EXPECT_EQ(labels({-7.2, 0.1}, 9),
            (std::vector<std::string>{"1e-7", "1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1e0"}));
  // 1e-300..1: decades are skipped (every 100 with room for 5 labels), minor ticks mark skipped decades.
  const auto deep = logTicks({-300, 0}, 5);
  EXPECT_EQ(labels({-300, 0}, 5), (std::vector<std::string>{"1e-300", "1e-200", "1e-100", "1e0"}));
  EXPECT_GT(deep.size(), 4u);
  for (const Tick& t : deep)
    EXPECT_EQ(t.u, std::round(t.u)) << "minor ticks of skipped decades sit on decades";
  // Small decade ranges get 2..9 minor ticks.
  const auto small = logTicks({0, 2}, 5);
  std::size_t minor = 0;
  for (const Tick& t : small) minor += !t.major;
  EXPECT_EQ(minor, 16u);
}

TEST(PlotTicks, LogRangesInsideOneDecadeUseMantissas) {
  // [2, 8]: no decade inside; linear nice ticks on the value itself.
  const auto m = majors(logTicks({std::log10(2.0), std::log10(8.0)}, 4));
  ASSERT_GE(m.size(), 2u);
  for (const Tick& t : m) EXPECT_NEAR(labelLog10(t.label), t.u, 1e-12) << t.label;
  EXPECT_EQ(m.front().label, "2");
  // Far below the smallest double: [1e-1000, 3.16e-1000]. Labels and positions without underflow.
  const auto deep = majors(logTicks({-1000, -999.5}, 5));
  ASSERT_GE(deep.size(), 2u);
  EXPECT_EQ(deep.front().label, "1e-1000");
  for (const Tick& t : deep) {
    EXPECT_TRUE(std::isfinite(t.u));
    EXPECT_NEAR(labelLog10(t.label), t.u, 1e-9) << t.label;
  }
}

TEST(PlotTicks, RandomLogRanges) {
  const unsigned seed = 77;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lo(-2000, 300), span(-2.5, 3.5);
  std::uniform_int_distribution<int> maxTicks(2, 10);
  for (int trial = 0; trial < 3000; ++trial) {
    const double a = lo(rng);
    const Range r{a, a + std::pow(10.0, span(rng))};
    const int n = maxTicks(rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + " trial " + std::to_string(trial) + " decades [" +
                 std::to_string(r.lo) + ", " + std::to_string(r.hi) + "] maxTicks " + std::to_string(n));
    const auto ticks = logTicks(r, n);
    const auto m = majors(ticks);
    ASSERT_GE(m.size(), 2u) << "one label says nothing about a log axis";
    // At most n, except where the next coarser step would leave fewer than two labels.
    // (a 1-2-5 step at most 2.5 times finer than one leaving a single label gives at most 5).
    if (m.size() > static_cast<std::size_t>(n)) {
      EXPECT_LE(m.size(), 5u);
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      EXPECT_GE(ticks[i].u, r.lo - 1e-9 * std::max(1.0, std::fabs(r.lo)));
      EXPECT_LE(ticks[i].u, r.hi + 1e-9 * std::max(1.0, std::fabs(r.hi)));
      if (i) {
        EXPECT_LT(ticks[i - 1].u, ticks[i].u);
      }
    }
    for (const Tick& t : m) {
      EXPECT_TRUE(seen.insert(t.label).second) << "duplicate label " << t.label;
      EXPECT_FALSE(looksNoisy(t.label)) << t.label;
      EXPECT_NEAR(labelLog10(t.label), t.u, 1e-9 * std::max(1.0, std::fabs(t.u))) << t.label;
    }
  }
}

// A short log plot (room for two labels) over [1e-40, 1] or [0.5, 1] was labelled only "1" (the
// sparsity plot at a projector's size): at least two labels on every non-degenerate range.
TEST(PlotTicks, ShortLogAxesStillGetTwoLabels) {
  for (int maxMajor : {2, 3, 4, 6})
    for (double lo :
         {-0.01, -0.05, -0.1, -0.2, -0.3, -0.5, -0.9, -1.0, -1.2, -2.5, -16.0, -40.0, -300.0, -4.9e7})
      for (double hi : {0.0, 0.001, 0.7}) {
        int labels = 0;
        for (const Tick& t : logTicks(Range{lo, hi}, maxMajor)) labels += t.major;
        EXPECT_GE(labels, 2) << "[" << lo << ", " << hi << "] with room for " << maxMajor;
        EXPECT_LE(labels, std::max(maxMajor, 5)) << "[" << lo << ", " << hi << "]";
      }
}

TEST(PlotTicks, DegenerateRanges) {
  EXPECT_EQ(majors(linearTicks({5, 5}, 5)).size(), 1u);
  EXPECT_TRUE(linearTicks({1, 0}, 5).empty());
  EXPECT_TRUE(linearTicks({0, INFINITY}, 5).empty());
  EXPECT_EQ(majors(logTicks({-3, -3}, 5)).size(), 1u);
  EXPECT_EQ(majors(axisTicks(AxisScale::Log, {-3, -3}, 5))[0].label, "0.001");
}

}  // namespace
}  // namespace attnmd::plot
