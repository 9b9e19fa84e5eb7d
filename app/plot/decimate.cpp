#include "app/plot/decimate.h"

#include <algorithm>

namespace attnmd::plot {

long long decimationColumn(double x, double x0, double x1, std::size_t columns) {
  if (columns == 0 || !(x1 > x0)) columns = 1;
  if (x < x0) return -1;
  if (x > x1) return static_cast<long long>(columns);
  // The same expression as the loop below, so tests can recompute columns bit for bit.
  const double scale = static_cast<double>(columns) / (x1 - x0);
  return std::min(static_cast<long long>((x - x0) * scale), static_cast<long long>(columns) - 1);
}

void decimateMinMax(std::span<const double> x, std::span<const double> y, double x0, double x1,
                    std::size_t columns, std::vector<std::size_t>& out) {
  out.clear();
  const std::size_t n = std::min(x.size(), y.size());
  if (n == 0) return;
  if (columns == 0 || !(x1 > x0)) columns = 1;
  const double scale = static_cast<double>(columns) / (x1 - x0);
  const long long lastColumn = static_cast<long long>(columns) - 1;

  // The current column's first, last, argmin and argmax; emitted in index order when it ends.
  long long column = 0;
  std::size_t first = 0, last = 0, lo = 0, hi = 0;
  auto flush = [&] {
    const std::size_t a = std::min(lo, hi), b = std::max(lo, hi);
    out.push_back(first);
    if (a != first) out.push_back(a);
    if (b != a) out.push_back(b);
    if (last != b) out.push_back(last);
  };
  auto columnOf = [&](double xi) -> long long {
    if (xi < x0) return -1;
    if (xi > x1) return lastColumn + 1;
    return std::min(static_cast<long long>((xi - x0) * scale), lastColumn);
  };

  column = columnOf(x[0]);
  for (std::size_t i = 1; i < n; ++i) {
    const long long c = columnOf(x[i]);
    if (c != column) {
      flush();
      column = c;
      first = last = lo = hi = i;
      continue;
    }
    last = i;
    if (y[i] < y[lo]) lo = i;
    if (y[i] > y[hi]) hi = i;
  }
  flush();
}

std::vector<std::size_t> decimateMinMax(std::span<const double> x, std::span<const double> y, double x0,
                                        double x1, std::size_t columns) {
  std::vector<std::size_t> out;
  decimateMinMax(x, y, x0, x1, columns, out);
  return out;
}

}  // namespace attnmd::plot
