// [SECTION] helpers   [SECTION] layout   [SECTION] plot contents   [SECTION] x axis
#include "app/plot/frame.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "app/plot/format.h"
#include "app/plot/legend.h"
#include "app/plot/range.h"
#include "app/plot/series_path.h"

namespace attnmd::plot {

std::vector<double> dashPattern(LineStyle style, double width) {
  const double w = std::max(width, 1.0);
  switch (style) {
    case LineStyle::Dashed:
      return {4 * w, 2.5 * w};
    case LineStyle::Dotted:
      return {1 * w, 1.8 * w};
    case LineStyle::Solid:
      break;
  }
  return {};
}

int FigureFrame::plotAt(Point p) const {
  for (std::size_t i = 0; i < plots.size(); ++i)
    if (plots[i].area.contains(p)) return static_cast<int>(i);
  return -1;
}

const LegendEntry* FigureFrame::legendAt(Point p) const {
  for (const PlotFrame& pf : plots)
    for (const LegendEntry& e : pf.legend)
      if (e.rect.contains(p)) return &e;
  return nullptr;
}

namespace {

// [SECTION] helpers
// Metrics derived from the font size, so a 2x UI scale doubles every margin.
struct Metrics {
  double fs, pad, tickLen, minorTickLen, rowH, sampleW, gap, lw;
  explicit Metrics(const FrameOptions& o)
      : fs(o.fontSize),
        pad(0.75 * o.fontSize),
        tickLen(0.4 * o.fontSize),
        minorTickLen(0.22 * o.fontSize),
        rowH(1.45 * o.fontSize),
        sampleW(1.8 * o.fontSize),
        gap(0.9 * o.fontSize),
        lw(o.lineScale) {}
};

// A 1 px line at a half pixel is crisp; a 2 px line at a whole one.
double crisp(double v, double width) {
  const long w = std::lround(std::max(1.0, width));
  return w % 2 ? std::floor(v) + 0.5 : std::round(v);
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string groupId(std::string_view name) {
  std::string id = "plot-";
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return id;
}

Color dimmed(Color c) {
  return withAlpha(c, static_cast<std::uint8_t>(c.a * 0.3));
}

// Keeps minor ticks only when they are on average at least `minPx` apart on screen (the average, not
// the closest pair: on log axes 9 and 10 x 10^k are always close, yet 2..9 read well at 35 px a decade).
void thinMinorTicks(std::vector<Tick>& ticks, const AxisMap& map, double minPx) {
  if (ticks.size() < 2) return;
  const double spanPx = std::fabs(map.toPixel(ticks.back().u) - map.toPixel(ticks.front().u));
  if (spanPx / static_cast<double>(ticks.size() - 1) < minPx)
    std::erase_if(ticks, [](const Tick& t) { return !t.major; });
}

int maxTicksFor(double lengthPx, double spacingPx) {
  return std::max(2, static_cast<int>(std::floor(lengthPx / spacingPx)) + 1);
}

// The timeline cursor of plot i (Figure::cursor at axis coordinate cursorU; NaN: not placeable, drawn
// nowhere): a vertical line over the data, then each shown series' marker at its last stored point at or
// before the cursor step, so a run replayed to step k shows its whole history plus where k is on it.
void cursorItems(FigureFrame& f, const Figure& figure, const ViewState& view, std::size_t i, double cursorU,
                 const Metrics& m, const Theme& theme) {
  if (std::isnan(cursorU)) return;
  const Plot& plot = figure.plots[i];
  const PlotFrame& pf = f.plots[i];
  const Rect a = pf.area;
  const double x = pf.x.toPixel(cursorU);
  const bool lineShown = x >= a.x && x <= a.right();
  std::vector<CursorMark> marks;
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    if (!isShown(view, plot, s)) continue;
    const auto it = std::upper_bound(s.x.begin(), s.x.end(), *figure.cursor);
    if (it == s.x.begin()) continue;
    const std::size_t j = static_cast<std::size_t>(it - s.x.begin()) - 1;
    if (j >= s.y.size()) continue;
    const double ux = toAxis(s.x[j], f.xScale), uy = toAxis(s.y[j], plot.y.scale, s.yLog10);
    if (std::isnan(ux) || std::isnan(uy)) continue;
    const Point p{pf.x.toPixel(ux), pf.y.toPixel(uy)};
    if (a.contains(p)) marks.push_back({i, k, j, p});
  }
  if (!lineShown && marks.empty()) return;
  f.items.push_back(GroupItem{groupId(plot.name) + "-cursor"});
  if (lineShown) {
    f.cursorX = x;
    f.items.push_back(LineItem{{{x, a.y}, {x, a.bottom()}}, theme.axis, 1.25 * m.lw});
  }
  const double r = 3 * m.lw;
  for (const CursorMark& mark : marks) {
    f.items.push_back(CircleItem{mark.at, r + m.lw, theme.axis});  // a ring, so it reads on any line
    f.items.push_back(CircleItem{mark.at, r, plot.series[mark.series].color});
    f.cursorMarks.push_back(mark);
  }
  f.items.push_back(GroupItem{});
}

}  // namespace

double chromeHeight(const Figure& figure, const FrameOptions& options) {
  const Metrics m(options);
  double h = 2 * m.pad + m.tickLen + 0.3 * m.fs + m.fs;  // margins and x tick labels
  if (!figure.title.empty()) h += 1.7 * m.fs;
  h += 1.6 * m.fs;  // x axis label / note row (always reserved: a log toggle may add the note)
  h += m.gap * (figure.plots.empty() ? 0 : static_cast<double>(figure.plots.size() - 1));
  return h;
}

// [SECTION] layout
FigureFrame buildFrame(const Figure& figure, const ViewState& view, const FrameOptions& options) {
  const Metrics m(options);
  const Theme& theme = options.theme;
  const TextMeasure measure = options.measure ? options.measure : TextMeasure(estimateTextWidth);
  FigureFrame f;
  f.width = options.width;
  f.height = options.height;
  f.xScale = view.effectiveXScale(figure);
  f.xU = xRangeFor(figure, view);
  const double cursorU = figure.cursor ? toAxis(*figure.cursor, f.xScale) : std::nan("");
  auto& items = f.items;

  if (theme.background.a) items.push_back(RectItem{{0, 0, f.width, f.height}, theme.background});
  double top = m.pad;
  if (!figure.title.empty()) {
    items.push_back(TextItem{
        {f.width / 2, top}, figure.title, 1.15 * m.fs, theme.text, HAlign::Center, VAlign::Top, true, false});
    top += 1.7 * m.fs;
  }
  const std::size_t n = figure.plots.size();
  if (n == 0) {
    items.push_back(TextItem{{f.width / 2, f.height / 2},
                             "no plots",
                             m.fs,
                             theme.text,
                             HAlign::Center,
                             VAlign::Middle,
                             false,
                             false});
    return f;
  }
  const double bottomChrome = m.pad + m.tickLen + 0.3 * m.fs + m.fs + 1.6 * m.fs;
  // Every plot gets the same data area; legends and notes take extra rows above their own plot, so a
  // long legend never squeezes its plot below the minimum (the figure grows instead: f.height).
  const double minAreaH = std::max(options.minAreaHeight, 4 * m.fs);
  const double stackH = f.height - top - bottomChrome - m.gap * static_cast<double>(n - 1);
  const double right = f.width - 1.5 * m.fs;  // room for half of the last x tick label
  bool anyYLabel = false;
  for (const Plot& p : figure.plots) anyYLabel = anyYLabel || !p.y.label.empty();
  const double yLabelW = options.yAxisLabels && anyYLabel ? 1.5 * m.fs : 0;

  // Hidden-value counts (they decide the notes, which take header room).
  f.plots.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Plot& plot = figure.plots[i];
    PlotFrame& pf = f.plots[i];
    pf.plot = i;
    for (const Series& s : plot.series) {
      if (!isShown(view, plot, s)) continue;
      const HiddenCounts c = countHidden(s, f.xScale, plot.y.scale, f.xU);
      pf.hiddenNonPositive += c.nonPositive;
      pf.missing += c.missing;
      f.hiddenNonPositiveX = std::max(f.hiddenNonPositiveX, c.nonPositiveX);
    }
    if (pf.hiddenNonPositive)
      pf.note = plural(pf.hiddenNonPositive, "value", "values") + " \u2264 0 hidden (log axis)";
    pf.yU = yRangeFor(figure, i, view, f.xU);
  }
  if (f.hiddenNonPositiveX)
    f.xNote = plural(f.hiddenNonPositiveX, "point", "points") + " at x \u2264 0 not shown (log axis)";

  // Header items per plot (title, legend entries, note), measured once.
  std::vector<std::vector<HeaderItem>> headers(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Plot& plot = figure.plots[i];
    auto& h = headers[i];
    if (!plot.title.empty())
      h.push_back(headerText(HeaderItem::Title, plot.title, 1.1 * measure(plot.title, m.fs) + 0.6 * m.fs));
    appendLegend(
        h, plot, view, theme,
        [&](const std::string& t) { return m.sampleW + 0.35 * m.fs + measure(t, m.fs); }, options.runEntries);
    if (!f.plots[i].note.empty())
      h.push_back(headerText(HeaderItem::Note, f.plots[i].note, measure(f.plots[i].note, m.fs)));
  }

  // Two passes: the left margin depends on the widest y tick label, which depends on the plot height
  // (how many ticks fit), which depends on how many header rows the legend needs at that margin.
  double left = m.pad + yLabelW + measure("0.000", m.fs) + m.tickLen + 0.3 * m.fs;
  // Headers start above the plot area, but never further right than a usual tick label needs: an
  // extreme label (p near 1 drives values to 1e-300 and beyond) must not squeeze the legend.
  const double headerLeftMost = m.pad + yLabelW + measure("1e-100", m.fs) + m.tickLen + 0.3 * m.fs;
  for (int pass = 0; pass < 2; ++pass) {
    double widest = options.yLabelReserve.empty() ? 0 : measure(options.yLabelReserve, m.fs);
    std::vector<double> headerH(n);
    double headersH = 0;
    for (std::size_t i = 0; i < n; ++i) {
      headerH[i] = flowHeader(headers[i], std::min(left, headerLeftMost), right, 0, m.rowH, m.gap) * m.rowH +
                   0.3 * m.fs;
      headersH += headerH[i];
    }
    const double areaH = std::max(minAreaH, (stackH - headersH) / static_cast<double>(n));
    double y = top;
    for (std::size_t i = 0; i < n; ++i) {
      PlotFrame& pf = f.plots[i];
      flowHeader(headers[i], std::min(left, headerLeftMost), right, y, m.rowH, m.gap);
      const double slotH = headerH[i] + areaH;
      pf.outer = {0, y, f.width, slotH};
      pf.area = {left, y + headerH[i], right - left, areaH};
      pf.y = {pf.yU.lo, pf.yU.hi, pf.area.bottom(), pf.area.y};
      pf.x = {f.xU.lo, f.xU.hi, pf.area.x, pf.area.right()};
      pf.yTicks =
          axisTicks(figure.plots[i].y.scale, pf.yU, maxTicksFor(pf.area.h, options.yTickSpacing * m.fs));
      thinMinorTicks(pf.yTicks, pf.y, 0.4 * m.fs);
      for (const Tick& t : pf.yTicks) widest = std::max(widest, measure(t.label, m.fs));
      y += slotH + m.gap;
    }
    f.height = std::max(options.height, y - m.gap + bottomChrome);
    const double needed = m.pad + yLabelW + widest + m.tickLen + 0.3 * m.fs;
    if (pass == 0)
      left = needed;
    else if (needed > left) {  // labels grew in pass 2: widen, keeping header rows (a few px)
      for (PlotFrame& pf : f.plots) {
        pf.area.w -= needed - left;
        pf.area.x = needed;
        pf.x.p0 = needed;
      }
      left = needed;
    }
  }
  if (theme.background.a) std::get<RectItem>(items.front()).rect.h = f.height;  // the stack may have grown
  const double areaW = right - left;
  f.xTicks = axisTicks(f.xScale, f.xU, maxTicksFor(areaW, options.xTickSpacing * m.fs));
  thinMinorTicks(f.xTicks, f.plots[0].x, 0.4 * m.fs);

  // [SECTION] plot contents
  for (std::size_t i = 0; i < n; ++i) {
    const Plot& plot = figure.plots[i];
    PlotFrame& pf = f.plots[i];
    const Rect a = pf.area;
    items.push_back(GroupItem{groupId(plot.name)});

    // Bands, then the grid (minor under major), then reference lines, then data.
    for (const Band& b : plot.bands) {
      const double u0 = toAxis(b.lo, plot.y.scale, b.log10), u1 = toAxis(b.hi, plot.y.scale, b.log10);
      if (std::isnan(u0) || std::isnan(u1)) continue;
      const double y0 = std::clamp(pf.y.toPixel(std::max(u0, u1)), a.y, a.bottom());
      const double y1 = std::clamp(pf.y.toPixel(std::min(u0, u1)), a.y, a.bottom());
      if (y1 > y0) items.push_back(RectItem{{a.x, y0, a.w, y1 - y0}, b.color});
    }
    // Minor grid lines only on log axes, where they show the scale; on linear axes they are clutter.
    const double gw = 1;  // grid lines stay hairlines at every UI scale
    for (int major = 0; major < 2; ++major) {
      const Color c = major ? theme.grid : theme.minorGrid;
      for (const Tick& t : f.xTicks)
        if (t.major == static_cast<bool>(major) && (t.major || f.xScale == AxisScale::Log)) {
          const double x = crisp(pf.x.toPixel(t.u), gw);
          items.push_back(LineItem{{{x, a.y}, {x, a.bottom()}}, c, gw});
        }
      for (const Tick& t : pf.yTicks)
        if (t.major == static_cast<bool>(major) && (t.major || plot.y.scale == AxisScale::Log)) {
          const double y = crisp(pf.y.toPixel(t.u), gw);
          items.push_back(LineItem{{{a.x, y}, {a.right(), y}}, c, gw});
        }
    }
    for (const RefLine& r : plot.refLines) {
      if (!isShown(view, plot, r)) continue;
      const AxisScale s = r.horizontal ? plot.y.scale : f.xScale;
      const double u = toAxis(r.value, s, r.valueLog10);
      if (std::isnan(u)) continue;
      const double w = r.width * m.lw;
      if (r.horizontal) {
        const double y = pf.y.toPixel(u);
        if (y >= a.y && y <= a.bottom())
          items.push_back(LineItem{{{a.x, y}, {a.right(), y}}, r.color, w, r.style});
      } else {
        const double x = pf.x.toPixel(u);
        if (x >= a.x && x <= a.right())
          items.push_back(LineItem{{{x, a.y}, {x, a.bottom()}}, r.color, w, r.style});
      }
    }
    bool drewData = false;
    for (const Series& s : plot.series) {
      if (!isShown(view, plot, s)) continue;
      SeriesPath path = seriesPath(s, f.xScale, plot.y.scale, pf.x, pf.y, a, options.columnsPerPixel);
      const double w = s.width * m.lw;
      drewData = drewData || !path.lines.empty() || !path.dots.empty();
      for (auto& line : path.lines) items.push_back(LineItem{std::move(line), s.color, w, s.style});
      for (Point p : path.dots) items.push_back(CircleItem{p, 1.1 * w, s.color});
      // "Values hidden here": small triangles on the bottom edge, pointing down, in the series colour.
      const double t = 0.3 * m.fs;
      for (double x : path.hiddenMarks)
        items.push_back(PolygonItem{
            {{x - t, a.bottom() - 1.6 * t}, {x + t, a.bottom() - 1.6 * t}, {x, a.bottom()}}, s.color});
    }
    cursorItems(f, figure, view, i, cursorU, m, theme);

    // Axes: left and bottom spines with outward ticks.
    const double aw = 1;
    const double sx = crisp(a.x, aw), sy = crisp(a.bottom(), aw);
    items.push_back(LineItem{{{sx, a.y}, {sx, sy}, {a.right(), sy}}, theme.axis, aw});
    for (const Tick& t : pf.yTicks) {
      const double y = crisp(pf.y.toPixel(t.u), aw);
      const double len = t.major ? m.tickLen : m.minorTickLen;
      items.push_back(LineItem{{{sx - len, y}, {sx, y}}, theme.axis, aw});
      if (t.major)
        items.push_back(TextItem{{sx - m.tickLen - 0.3 * m.fs, pf.y.toPixel(t.u)},
                                 t.label,
                                 m.fs,
                                 theme.text,
                                 HAlign::Right,
                                 VAlign::Middle,
                                 false,
                                 false});
    }
    for (const Tick& t : f.xTicks) {
      const double x = crisp(pf.x.toPixel(t.u), aw);
      const double len = t.major ? m.tickLen : m.minorTickLen;
      items.push_back(LineItem{{{x, sy}, {x, sy + len}}, theme.axis, aw});
    }
    if (options.yAxisLabels && !plot.y.label.empty())
      items.push_back(TextItem{{m.pad + 0.5 * m.fs, a.y + a.h / 2},
                               plot.y.label,
                               m.fs,
                               theme.text,
                               HAlign::Center,
                               VAlign::Middle,
                               false,
                               true});
    // A run at step 0 on a log x axis has data, all of it at x = 0: say that rather than "no data".
    if (!drewData)
      items.push_back(TextItem{{a.x + a.w / 2, a.y + a.h / 2},
                               f.hiddenNonPositiveX ? "nothing at x > 0 yet (log axis)" : "no data",
                               m.fs,
                               theme.note,
                               HAlign::Center,
                               VAlign::Middle,
                               false,
                               false});

    // Header: title, legend entries (click targets), note.
    for (const HeaderItem& h : headers[i]) {
      const double midY = h.at.y + 0.5 * m.rowH;
      switch (h.kind) {
        case HeaderItem::Title:
          items.push_back(
              TextItem{{h.at.x, midY}, h.text, m.fs, theme.text, HAlign::Left, VAlign::Middle, true, false});
          break;
        case HeaderItem::Note:
          items.push_back(
              TextItem{{h.at.x, midY}, h.text, m.fs, theme.note, HAlign::Left, VAlign::Middle, false, false});
          break;
        case HeaderItem::Entry: {
          const Color c = h.hidden ? dimmed(h.color) : h.color;
          const Color tc = h.hidden ? dimmed(theme.text) : theme.text;
          items.push_back(
              LineItem{{{h.at.x, midY}, {h.at.x + m.sampleW, midY}}, c, h.lineWidth * m.lw, h.style});
          items.push_back(TextItem{{h.at.x + m.sampleW + 0.35 * m.fs, midY},
                                   h.text,
                                   m.fs,
                                   tc,
                                   HAlign::Left,
                                   VAlign::Middle,
                                   false,
                                   false});
          pf.legend.push_back({{h.at.x, h.at.y, h.width, m.rowH}, h.key, i, h.hidden});
          break;
        }
      }
    }
    items.push_back(GroupItem{});
  }

  // [SECTION] x axis: labels under the bottom plot only.
  const PlotFrame& last = f.plots.back();
  const double labelY = last.area.bottom() + m.tickLen + 0.3 * m.fs;
  items.push_back(GroupItem{"x-axis"});
  for (const Tick& t : f.xTicks)
    if (t.major)
      items.push_back(TextItem{{last.x.toPixel(t.u), labelY},
                               t.label,
                               m.fs,
                               theme.text,
                               HAlign::Center,
                               VAlign::Top,
                               false,
                               false});
  const double rowY = labelY + 1.25 * m.fs + 0.8 * m.fs;
  // The axis label is centred; a note shares its row at the left, so when there is one the label is
  // centred in the room to the note's right, and the note is shortened (or dropped) so they never overlap.
  std::string note = f.xNote;
  const double labelW = figure.x.label.empty() ? 0 : measure(figure.x.label, m.fs);
  auto fits = [&](const std::string& t) { return measure(t, 0.9 * m.fs) + m.fs + labelW <= last.area.w; };
  if (!note.empty() && !fits(note)) note = "x \u2264 0 hidden";
  if (!note.empty() && !fits(note)) note.clear();
  const double noteEnd = note.empty() ? last.area.x : last.area.x + measure(note, 0.9 * m.fs) + m.fs;
  const double labelX = std::max(last.area.x + last.area.w / 2, (noteEnd + last.area.x + last.area.w) / 2);
  if (!figure.x.label.empty())
    items.push_back(TextItem{
        {labelX, rowY}, figure.x.label, m.fs, theme.text, HAlign::Center, VAlign::Middle, false, false});
  if (!note.empty())
    items.push_back(TextItem{
        {last.area.x, rowY}, note, 0.9 * m.fs, theme.note, HAlign::Left, VAlign::Middle, false, false});
  items.push_back(GroupItem{});
  return f;
}

}  // namespace attnmd::plot
