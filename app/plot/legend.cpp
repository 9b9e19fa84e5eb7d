#include "app/plot/legend.h"

#include <algorithm>

namespace attnmd::plot {

HeaderItem headerText(HeaderItem::Kind kind, std::string text, double width) {
  HeaderItem h;
  h.kind = kind;
  h.text = std::move(text);
  h.width = width;
  return h;
}
namespace {
HeaderItem entryItem(std::string text, double width, std::string key, Color color, LineStyle style,
                     double lineWidth, bool hidden) {
  HeaderItem h = headerText(HeaderItem::Entry, std::move(text), width);
  h.key = std::move(key);
  h.color = color;
  h.style = style;
  h.lineWidth = lineWidth;
  h.hidden = hidden;
  return h;
}
}  // namespace

// Legend entries of a plot: one per series and named reference line, or, when the plot is factored
// (Series::group/role), one per group (its colour) and one per role (its line style).
void appendLegend(std::vector<HeaderItem>& out, const Plot& plot, const ViewState& view, const Theme& theme,
                  const std::function<double(const std::string&)>& width, bool groupEntries) {
  std::vector<std::string> groups, roles;
  bool factored = true;
  auto note = [&](const std::string& g, const std::string& r) {
    factored = factored && !g.empty() && !r.empty();
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
  };
  for (const Series& s : plot.series)
    if (s.visible) note(s.group, s.role);
  for (const RefLine& r : plot.refLines)
    if (!r.name.empty()) note(r.group, r.role);
  factored = factored && groups.size() > 1;

  if (!factored) {
    for (const Series& s : plot.series) {
      if (!s.visible) continue;
      const std::string key = seriesKey(plot, s);
      out.push_back(entryItem(s.name, width(s.name), key, s.color, s.style, s.width, view.isHidden(key)));
    }
    for (const RefLine& r : plot.refLines) {
      if (r.name.empty()) continue;
      const std::string key = refKey(plot, r);
      out.push_back(entryItem(r.name, width(r.name), key, r.color, r.style, r.width, view.isHidden(key)));
    }
    return;
  }
  // The first series (or reference line) of a group / role gives the entry its colour / style.
  struct Look {
    Color color;
    LineStyle style;
    double width;
  };
  auto lookOf = [&](auto&& match) -> Look {
    for (const Series& s : plot.series)
      if (s.visible && match(s.group, s.role)) return {s.color, s.style, s.width};
    for (const RefLine& r : plot.refLines)
      if (!r.name.empty() && match(r.group, r.role)) return {r.color, r.style, r.width};
    return {theme.text, LineStyle::Solid, 1};
  };
  for (const std::string& g : groups) {
    if (!groupEntries) break;
    const Look l = lookOf([&](const std::string& sg, const std::string&) { return sg == g; });
    const std::string key = groupKey(plot, g);
    out.push_back(entryItem(g, width(g), key, l.color, LineStyle::Solid, l.width, view.isHidden(key)));
  }
  if (roles.size() > 1)
    for (const std::string& r : roles) {
      const Look l = lookOf([&](const std::string&, const std::string& sr) { return sr == r; });
      const std::string key = roleKey(plot, r);
      out.push_back(entryItem(r, width(r), key, theme.axis, l.style, l.width, view.isHidden(key)));
    }
}

// Flows header items left to right within [left, right), wrapping to new rows; returns the row count.
int flowHeader(std::vector<HeaderItem>& items, double left, double right, double top, double rowHeight,
               double gap) {
  int rows = 1;
  double x = left;
  for (HeaderItem& it : items) {
    if (x > left && x + it.width > right) {
      ++rows;
      x = left;
    }
    it.at = {x, top + (rows - 1) * rowHeight};
    x += it.width + gap;
  }
  return rows;
}

}  // namespace attnmd::plot
