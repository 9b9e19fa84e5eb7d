// Min/max decimation per pixel column (the "M4" aggregation of Jugel et al., VLDB 2014): for every
// column keep the first, the last, the minimum-y and the maximum-y point. A line through the kept
// points, in order, covers exactly the same pixels column by column as the full line, so spikes survive
// and 10^6 points draw as at most 4 vertices per column. One pass, O(n), no allocation beyond output.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

namespace attnmd::plot {

// Column of x for `columns` columns spanning [x0, x1]: floor((x - x0) / (x1 - x0) * columns), with x1
// itself in the last column; x < x0 gives -1 and x > x1 gives `columns` (one catch-all column on each
// side, so a line leaving the view keeps its direction).
long long decimationColumn(double x, double x0, double x1, std::size_t columns);

// Indices (ascending, unique) of the points to draw. x ascending, x and y finite and the same length.
// Appends to `out` (cleared first), so a caller drawing every frame can reuse its buffer.
void decimateMinMax(std::span<const double> x, std::span<const double> y, double x0, double x1,
                    std::size_t columns, std::vector<std::size_t>& out);
std::vector<std::size_t> decimateMinMax(std::span<const double> x, std::span<const double> y, double x0,
                                        double x1, std::size_t columns);

// The same pass over indices [begin, end) with any column function (non-decreasing in i) and any key
// whose order is the order of y on screen: an axis transform is monotone, so raw values can be
// decimated and only the kept points transformed (no log10 of a million values). Appends to `out`.
template <class ColumnOf, class KeyOf>
void decimateRange(std::size_t begin, std::size_t end, ColumnOf&& columnOf, KeyOf&& keyOf,
                   std::vector<std::size_t>& out) {
  if (begin >= end) return;
  long long column = columnOf(begin);
  std::size_t first = begin, last = begin, lo = begin, hi = begin;
  double loKey = keyOf(begin), hiKey = loKey;
  auto flush = [&] {  // first, the two extremes in index order, last; each once
    const std::size_t a = std::min(lo, hi), b = std::max(lo, hi);
    out.push_back(first);
    if (a != first) out.push_back(a);
    if (b != a) out.push_back(b);
    if (last != b) out.push_back(last);
  };
  for (std::size_t i = begin + 1; i < end; ++i) {
    const long long c = columnOf(i);
    const double k = keyOf(i);
    if (c != column) {
      flush();
      column = c;
      first = last = lo = hi = i;
      loKey = hiKey = k;
      continue;
    }
    last = i;
    if (k < loKey) {
      loKey = k;
      lo = i;
    }
    if (k > hiKey) {
      hiKey = k;
      hi = i;
    }
  }
  flush();
}

}  // namespace attnmd::plot
