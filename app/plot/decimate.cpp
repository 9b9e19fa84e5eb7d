#include "app/plot/decimate.h"

namespace attnmd::plot {

long long decimationColumn(double x, double x0, double x1, std::size_t columns) {
  if (columns == 0 || !(x1 > x0)) columns = 1;
  if (x < x0) return -1;
  if (x > x1) return static_cast<long long>(columns);
  // The same expression as decimateMinMax, so tests can recompute columns bit for bit.
  const double scale = static_cast<double>(columns) / (x1 - x0);
  return std::min(static_cast<long long>((x - x0) * scale), static_cast<long long>(columns) - 1);
}

void decimateMinMax(std::span<const double> x, std::span<const double> y, double x0, double x1,
                    std::size_t columns, std::vector<std::size_t>& out) {
  out.clear();
  const std::size_t n = std::min(x.size(), y.size());
  if (columns == 0 || !(x1 > x0)) columns = 1;
  const double scale = static_cast<double>(columns) / (x1 - x0);
  const long long lastColumn = static_cast<long long>(columns) - 1;
  decimateRange(
      0, n,
      [&](std::size_t i) -> long long {
        const double xi = x[i];
        if (xi < x0) return -1;
        if (xi > x1) return lastColumn + 1;
        return std::min(static_cast<long long>((xi - x0) * scale), lastColumn);
      },
      [&](std::size_t i) { return y[i]; }, out);
}

std::vector<std::size_t> decimateMinMax(std::span<const double> x, std::span<const double> y, double x0,
                                        double x1, std::size_t columns) {
  std::vector<std::size_t> out;
  decimateMinMax(x, y, x0, x1, columns, out);
  return out;
}

}  // namespace attnmd::plot
