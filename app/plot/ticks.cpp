// [SECTION] nice numbers   [SECTION] labels   [SECTION] linear ticks   [SECTION] log ticks
#include "app/plot/ticks.h"

#include <algorithm>
#include <cmath>

#include "app/plot/format.h"

namespace attnmd::plot {
namespace {

constexpr double kEps = 1e-9;  // relative slack when deciding whether a tick lies on a range end

// A nice step: mantissa in {1, 2, 5}, step = mantissa * 10^exponent.
struct Step {
  int mantissa = 1;
  int exponent = 0;
  double value() const { return mantissa * std::pow(10.0, exponent); }
};

Step nextStep(Step s) {
  if (s.mantissa == 1) return {2, s.exponent};
  if (s.mantissa == 2) return {5, s.exponent};
  return {1, s.exponent + 1};
}

// Integer grid indices k with k*d in [lo, hi].
struct KRange {
  double first = 0, last = -1;
  double count() const { return last >= first ? last - first + 1 : 0; }
};
KRange gridIndices(double lo, double hi, double d) {
  return {std::ceil(lo / d - kEps), std::floor(hi / d + kEps)};
}

// The smallest nice step with at most maxMajor grid points in [lo, hi] (Heckbert's 1/2/5 sequence,
// searched upward instead of rounded once, so the count bound always holds).
// The finest 1-2-5 step with at most maxMajor ticks in [lo, hi], except that it never coarsens to fewer
// than minMajor ticks (then it keeps the last step with enough, a tick or two over maxMajor).
Step chooseStep(double lo, double hi, int maxMajor, int minMajor = 1) {
  const double span = hi - lo;
  Step s{1, static_cast<int>(std::floor(std::log10(span / maxMajor))) - 1};
  while (gridIndices(lo, hi, s.value()).count() > maxMajor) {
    const Step next = nextStep(s);
    if (gridIndices(lo, hi, next.value()).count() < minMajor) break;
    s = next;
  }
  return s;
}

// Minor subdivision of a major step: 1 -> 5 parts, 2 -> 4 parts, 5 -> 5 parts.
int minorParts(int mantissa) {
  return mantissa == 2 ? 4 : 5;
}

int decimalExponent(double a) {  // floor(log10 a) for a > 0, robust to 0.999999999 vs 1
  return static_cast<int>(std::floor(std::log10(a) + 1e-12));
}

std::vector<Tick> degenerate(double u, std::string label) {
  return {Tick{u, true, std::move(label)}};
}

}  // namespace

// [SECTION] nice numbers
double niceNumber(double x, bool round) {
  if (!(x > 0) || !std::isfinite(x)) return x;
  const double exponent = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, exponent);
  double nice;
  if (round)
    nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * std::pow(10.0, exponent);
}

// [SECTION] labels
std::vector<std::string> gridLabels(const std::vector<double>& mantissas, int e0, int stepExp) {
  int maxE = -100000;
  for (double m : mantissas)
    if (m != 0) maxE = std::max(maxE, decimalExponent(std::fabs(m)) + e0);
  std::vector<std::string> out;
  out.reserve(mantissas.size());
  if (maxE == -100000) return std::vector<std::string>(mantissas.size(), "0");  // only a zero tick
  const bool plain = maxE >= -3 && maxE <= 4;
  for (double m : mantissas) {
    if (plain) {
      out.push_back(formatFixed(m * std::pow(10.0, e0), std::max(0, -stepExp)));
      continue;
    }
    if (m == 0) {
      out.push_back("0");
      continue;
    }
    // m * 10^e0 = mant * 10^ev with |mant| in [1, 10); digits down to the step's decade.
    int ev = decimalExponent(std::fabs(m)) + e0;
    double mant = m / std::pow(10.0, ev - e0);
    int digits = std::max(0, ev - stepExp);
    std::string s = formatFixed(mant, digits);
    if (std::fabs(std::stod(s)) >= 10) {  // rounding carried into the next decade
      ++ev;
      mant /= 10;
      digits = std::max(0, ev - stepExp);
      s = formatFixed(mant, digits);
    }
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    out.push_back(s + "e" + std::to_string(ev));
  }
  return out;
}

// [SECTION] linear ticks
std::vector<Tick> linearTicks(Range r, int maxMajor, bool minor) {
  maxMajor = std::max(2, maxMajor);
  if (!std::isfinite(r.lo) || !std::isfinite(r.hi) || r.hi < r.lo) return {};
  const double span = r.hi - r.lo;
  const double center = 0.5 * r.lo + 0.5 * r.hi;
  // A range too thin to subdivide in double precision: one tick, labelled with enough digits.
  if (!std::isfinite(span) || span <= 1e-12 * std::max(std::fabs(r.lo), std::fabs(r.hi)) || span == 0)
    return degenerate(center, formatValue(center, 8));

  const Step s = chooseStep(r.lo, r.hi, maxMajor);
  const double d = s.value();
  const KRange k = gridIndices(r.lo, r.hi, d);
  std::vector<double> values;
  for (double i = k.first; i <= k.last; i += 1) values.push_back(i * d);
  // Ticks are exact multiples of 10^exponent; label them in units of it to avoid i*d rounding noise.
  std::vector<double> mantissas;
  for (double i = k.first; i <= k.last; i += 1) mantissas.push_back(i * s.mantissa);
  const std::vector<std::string> labels = gridLabels(mantissas, s.exponent, s.exponent);

  std::vector<Tick> ticks;
  for (std::size_t j = 0; j < values.size(); ++j) ticks.push_back({values[j], true, labels[j]});
  if (minor) {
    const int parts = minorParts(s.mantissa);
    const double md = d / parts;
    const KRange mk = gridIndices(r.lo, r.hi, md);
    for (double i = mk.first; i <= mk.last; i += 1)
      if (std::fmod(std::fabs(i), parts) != 0) ticks.push_back({i * md, false, {}});
    std::sort(ticks.begin(), ticks.end(), [](const Tick& a, const Tick& b) { return a.u < b.u; });
  }
  return ticks;
}

// [SECTION] log ticks
std::vector<Tick> logTicks(Range r, int maxMajor, bool minor) {
  maxMajor = std::max(2, maxMajor);
  if (!std::isfinite(r.lo) || !std::isfinite(r.hi) || r.hi < r.lo) return {};
  const double span = r.hi - r.lo;
  if (span <= 1e-12 * std::max(1.0, std::max(std::fabs(r.lo), std::fabs(r.hi))))
    return degenerate(r.lo, formatLog10Value(r.lo, 6));

  const double firstDecade = std::ceil(r.lo - kEps);
  const double lastDecade = std::floor(r.hi + kEps);
  std::vector<Tick> ticks;

  if (lastDecade - firstDecade >= 1) {
    // Decade mode: majors every s decades, s from 1, 2, 5, 10, 20, ...
    // The coarsest step that keeps at most maxMajor labels, but never fewer than two: one label ("1")
    // says nothing about a log axis (a short plot over 40 decades labelled only its top).
    Step s{1, 0};
    while (gridIndices(firstDecade, lastDecade, s.value()).count() > maxMajor) {
      const Step next = nextStep(s);
      if (gridIndices(firstDecade, lastDecade, next.value()).count() < 2) break;
      s = next;
    }
    const double d = s.value();
    const KRange k = gridIndices(firstDecade, lastDecade, d);
    bool plain = true;
    for (double i = k.first; i <= k.last; i += 1) plain = plain && i * d >= -3 && i * d <= 4;
    for (double i = k.first; i <= k.last; i += 1) {
      const double e = i * d;
      std::string label = plain ? formatFixed(std::pow(10.0, e), static_cast<int>(std::max(0.0, -e)))
                          : std::fabs(e) >= 1e6 ? formatLog10Value(e, 1)  // "10^(−5×10²⁴)"
                                                : "1e" + formatFixed(e, 0);
      ticks.push_back({e, true, std::move(label)});
    }
    if (minor) {
      if (d == 1) {
        // Small ranges: 2..9 x 10^e between decades (only when few decades, or they'd crowd).
        if (span <= 6 && std::fabs(r.lo) < 1e12)
          for (double e = std::floor(r.lo); e <= r.hi; e += 1)
            for (int m = 2; m <= 9; ++m) {
              const double u = e + std::log10(static_cast<double>(m));
              if (u >= r.lo - kEps && u <= r.hi + kEps) ticks.push_back({u, false, {}});
            }
      } else {
        // Skipped decades: minor ticks at a coarser decade grid, never finer than 1 decade.
        const double md = std::max(1.0, d / minorParts(s.mantissa));
        const KRange mk = gridIndices(firstDecade, lastDecade, md);
        for (double i = mk.first; i <= mk.last; i += 1) {
          const double e = i * md;
          if (std::fmod(std::fabs(e), d) != 0) ticks.push_back({e, false, {}});
        }
      }
      std::sort(ticks.begin(), ticks.end(), [](const Tick& a, const Tick& b) { return a.u < b.u; });
    }
    return ticks;
  }

  // Mantissa mode (less than two decades in view): linear nice ticks on m = v / 10^e0, so ranges like
  // [2e-300, 8e-300] get ticks 2e-300, 4e-300, ... without ever forming 1e-300 as a double.
  const double e0 = std::floor(r.lo);
  const Range m{std::pow(10.0, r.lo - e0), std::pow(10.0, r.hi - e0)};
  // At least two labelled ticks: a range like [0.5, 1] with room for two got only "1".
  const Step s = chooseStep(m.lo, m.hi, maxMajor, 2);
  const double d = s.value();
  const KRange k = gridIndices(m.lo, m.hi, d);
  std::vector<double> mantissas;
  for (double i = k.first; i <= k.last; i += 1)
    if (i > 0) mantissas.push_back(i * s.mantissa);  // in units of 10^(exponent + e0)
  const int e = static_cast<int>(e0);
  const std::vector<std::string> labels = gridLabels(mantissas, s.exponent + e, s.exponent + e);
  for (std::size_t j = 0; j < mantissas.size(); ++j)
    ticks.push_back({e0 + std::log10(mantissas[j]) + s.exponent, true, labels[j]});
  if (minor) {
    const int parts = minorParts(s.mantissa);
    const double md = d / parts;
    const KRange mk = gridIndices(m.lo, m.hi, md);
    for (double i = mk.first; i <= mk.last; i += 1)
      if (i > 0 && std::fmod(i, parts) != 0) ticks.push_back({e0 + std::log10(i * md), false, {}});
    std::sort(ticks.begin(), ticks.end(), [](const Tick& a, const Tick& b) { return a.u < b.u; });
  }
  return ticks;
}

std::vector<Tick> axisTicks(AxisScale scale, Range r, int maxMajor, bool minor) {
  return scale == AxisScale::Log ? logTicks(r, maxMajor, minor) : linearTicks(r, maxMajor, minor);
}

}  // namespace attnmd::plot
