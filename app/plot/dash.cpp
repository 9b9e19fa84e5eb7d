#include <cmath>

#include "app/plot/geometry.h"

namespace attnmd::plot {

std::vector<std::vector<Point>> dashPolyline(std::span<const Point> points, std::span<const double> pattern) {
  std::vector<std::vector<Point>> dashes;
  if (points.empty()) return dashes;
  double total = 0;
  for (double p : pattern) total += p;
  if (pattern.empty() || !(total > 0)) {
    dashes.emplace_back(points.begin(), points.end());
    return dashes;
  }
  std::size_t k = 0;         // current pattern entry (even: on, odd: off)
  double left = pattern[0];  // length left in it
  bool on = true;
  dashes.push_back({points[0]});
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const Point a = points[i], b = points[i + 1];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    double t = 0;  // distance walked along this segment
    while (len - t > left) {
      t += left;
      const Point p{a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len};
      if (on)
        dashes.back().push_back(p);
      else
        dashes.push_back({p});
      on = !on;
      k = (k + 1) % pattern.size();
      left = pattern[k];
    }
    left -= len - t;
    if (on) dashes.back().push_back(b);
  }
  if (on && dashes.back().size() < 2) dashes.pop_back();  // a dash that started exactly at the end
  return dashes;
}

}  // namespace attnmd::plot
