#include "app/plot/figure.h"

namespace attnmd::plot {

Figure singlePlot(const Figure& figure, std::size_t index) {
  Figure out;
  out.title = figure.title;
  out.x = figure.x;
  out.cursor = figure.cursor;
  if (index < figure.plots.size()) out.plots.push_back(figure.plots[index]);
  return out;
}

std::optional<std::size_t> findPlot(const Figure& figure, std::string_view name) {
  for (std::size_t i = 0; i < figure.plots.size(); ++i)
    if (figure.plots[i].name == name) return i;
  return std::nullopt;
}

}  // namespace attnmd::plot
