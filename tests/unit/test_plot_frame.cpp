// The plot model laid out (app/plot/frame.h, series_path.h, range.h, hover.h, run_plots.h): log axes
// that skip non-positive values visibly, line breaks, layout structure, auto ranges, hover lookup, and
// the standard run plots built from MetricsPoint vectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "app/plot/frame.h"
#include "app/plot/hover.h"
#include "app/plot/palette.h"
#include "app/plot/range.h"
#include "app/plot/run_plots.h"
#include "app/plot/series_path.h"
#include "app/plot/svg.h"
#include "core/history.h"

namespace attnmd::plot {
namespace {

const double kMissing = std::nan("");  // a value the plot leaves out

Series makeSeries(std::string name, std::vector<double> x, std::vector<double> y, Color c = paletteColor(0)) {
  Series s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  s.color = c;
  return s;
}

Figure onePlot(Series s, AxisScale yScale, AxisScale xScale = AxisScale::Linear) {
  Figure f;
  f.x.scale = xScale;
  f.x.label = "iteration k";
  Plot p;
  p.name = "p";
  p.title = "Plot";
  p.y.scale = yScale;
  p.series.push_back(std::move(s));
  f.plots.push_back(std::move(p));
  return f;
}

template <class T>
std::vector<const T*> itemsOf(const FigureFrame& f) {
  std::vector<const T*> out;
  for (const Item& it : f.items)
    if (const T* t = std::get_if<T>(&it)) out.push_back(t);
  return out;
}

// Data lines of colour c: inside a plot area (legend samples sit in the header above it).
std::vector<const LineItem*> linesOfColor(const FigureFrame& f, Color c) {
  std::vector<const LineItem*> out;
  for (const LineItem* l : itemsOf<LineItem>(f))
    if (l->color == c && l->points.size() >= 2 && f.plotAt(l->points[0]) >= 0) out.push_back(l);
  return out;
}

bool hasText(const FigureFrame& f, const std::string& needle) {
  for (const TextItem* t : itemsOf<TextItem>(f))
    if (t->text.find(needle) != std::string::npos) return true;
  return false;
}

TEST(PlotScale, AxisCoordinates) {
  EXPECT_DOUBLE_EQ(toAxis(100, AxisScale::Log), 2);
  EXPECT_TRUE(std::isnan(toAxis(0, AxisScale::Log)));
  EXPECT_TRUE(std::isnan(toAxis(-1, AxisScale::Log)));
  EXPECT_EQ(placement(-1, AxisScale::Log), Placement::NonPositive);
  EXPECT_EQ(placement(kMissing, AxisScale::Log), Placement::Missing);
  EXPECT_EQ(placement(-1, AxisScale::Linear), Placement::Ok);
  // log10-encoded values stay exact far below the smallest double.
  EXPECT_DOUBLE_EQ(toAxis(-1000, AxisScale::Log, true), -1000);
  EXPECT_EQ(placement(-INFINITY, AxisScale::Log, true), Placement::NonPositive);  // the value 0
  EXPECT_DOUBLE_EQ(toAxis(-2, AxisScale::Linear, true), 0.01);
}

TEST(PlotLogAxis, NonPositiveValuesAreSkippedVisiblyAndCounted) {
  // 1, 0.1 | 0, -1 (hidden) | 0.01 | NaN | 0.001: one line, two isolated dots, one "hidden" mark.
  Figure f =
      onePlot(makeSeries("s", {1, 2, 3, 4, 5, 6, 7}, {1, 0.1, 0, -1, 0.01, kMissing, 0.001}), AxisScale::Log);
  const FigureFrame frame = buildFrame(f, {}, {});
  ASSERT_EQ(frame.plots.size(), 1u);
  EXPECT_EQ(frame.plots[0].hiddenNonPositive, 2u);
  EXPECT_EQ(frame.plots[0].missing, 1u);
  EXPECT_EQ(frame.plots[0].note, "2 values \u2264 0 hidden (log axis)");
  EXPECT_TRUE(hasText(frame, "2 values \u2264 0 hidden"));

  const PlotFrame& pf = frame.plots[0];
  const SeriesPath path =
      seriesPath(f.plots[0].series[0], AxisScale::Linear, AxisScale::Log, pf.x, pf.y, pf.area);
  ASSERT_EQ(path.lines.size(), 1u);
  EXPECT_EQ(path.lines[0].size(), 2u);
  EXPECT_EQ(path.dots.size(), 2u);
  ASSERT_EQ(path.hiddenMarks.size(), 1u);
  EXPECT_NEAR(path.hiddenMarks[0], pf.x.toPixel(3), 1e-9);
  // Never clamped: no vertex sits at or below the bottom of the area (where a clamp would put them).
  for (const auto& l : path.lines)
    for (Point p : l) EXPECT_LT(p.y, pf.area.bottom() - 1);
  // The y range ignores the hidden values (a clamp to some epsilon would stretch it to 1e-300).
  EXPECT_GT(pf.yU.lo, -3.5);

  // On a linear axis the same data hides nothing.
  f.plots[0].y.scale = AxisScale::Linear;
  EXPECT_EQ(buildFrame(f, {}, {}).plots[0].hiddenNonPositive, 0u);
  EXPECT_TRUE(buildFrame(f, {}, {}).plots[0].note.empty());
}

TEST(PlotLogAxis, Log10ValuesFarBelowTheSmallestDouble) {
  std::vector<double> x, y;
  for (int k = 1; k <= 2000; ++k) {
    x.push_back(k);
    y.push_back(-0.5 * k);  // 1 - s down to 1e-1000
  }
  Series s = makeSeries("1 - s", x, y);
  s.yLog10 = true;
  const Figure f = onePlot(s, AxisScale::Log);
  const FigureFrame frame = buildFrame(f, {}, {});
  const PlotFrame& pf = frame.plots[0];
  EXPECT_LT(pf.yU.lo, -1000);
  EXPECT_EQ(pf.hiddenNonPositive, 0u);
  bool deepLabel = false;
  for (const Tick& t : pf.yTicks) deepLabel = deepLabel || t.label == "1e-1000" || t.label == "1e-800";
  EXPECT_TRUE(deepLabel);
  const auto lines = linesOfColor(frame, paletteColor(0));
  ASSERT_EQ(lines.size(), 1u);
  // The line reaches the bottom of the data (y = -1000 decades) inside the area.
  double lowest = 0;
  for (Point p : lines[0]->points) lowest = std::max(lowest, p.y);
  EXPECT_NEAR(lowest, pf.y.toPixel(-1000), 1e-6);
}

TEST(PlotLogAxis, IterationZeroOnALogXAxisIsReported) {
  Figure f = onePlot(makeSeries("loss", {0, 1, 2, 3}, {1, 0.5, 0.25, 0.125}), AxisScale::Log, AxisScale::Log);
  const FigureFrame frame = buildFrame(f, {}, {});
  EXPECT_EQ(frame.hiddenNonPositiveX, 1u);
  EXPECT_EQ(frame.xNote, "1 point at x \u2264 0 not shown (log axis)");
  ViewState linear;
  linear.xScale = AxisScale::Linear;
  EXPECT_EQ(buildFrame(f, linear, {}).hiddenNonPositiveX, 0u);
}

TEST(PlotSeriesPath, LogAxesKeepTheEnvelopeOfAMillionPoints) {
  const unsigned seed = 5;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.5, 1.5);
  const std::size_t n = 1'000'000;
  Series s;
  s.x.resize(n);
  s.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    s.x[i] = static_cast<double>(i + 1);
    s.y[i] = unit(rng);
  }
  s.y[777'777] = 1e-30;  // a dip of 30 decades in one sample
  s.y[4] = 1e30;
  const Rect area{50, 10, 500, 300};
  const AxisMap x{0, 6, area.x, area.right()}, y{-31, 31, area.bottom(), area.y};
  const SeriesPath p = seriesPath(s, AxisScale::Log, AxisScale::Log, x, y, area);
  EXPECT_LE(p.vertices(), 4 * (500 + 2)) << "seed " << seed;
  double top = 1e9, bottom = -1e9;
  for (const auto& l : p.lines)
    for (Point q : l) {
      top = std::min(top, q.y);
      bottom = std::max(bottom, q.y);
    }
  EXPECT_NEAR(bottom, y.toPixel(-30), 1e-6);
  EXPECT_NEAR(top, y.toPixel(30), 1e-6);
}

TEST(PlotLayout, StackSharesTheXAxisAndStaysInside) {
  std::vector<RunPlotInput> runs(1);
  for (long long k = 0; k <= 1000; ++k) {
    core::MetricsPoint p;
    p.iter = k;
    p.loss = 1.0 / (1 + k);
    p.normP = 0.1 * k;
    p.corr = 1 - 1.0 / (2 + k);
    p.bregman = 1.0 / (2 + k);
    p.minSelectedProb = 1 - 0.5 / (1 + k);
    p.log10MaxUnselected = -0.3 * k;
    p.margin = 0.5 - 1.0 / (3 + k);
    runs[0].points.push_back(p);
  }
  runs[0].svmMargin = 0.5;
  const Figure fig = buildRunFigure(runs);
  FrameOptions o;
  o.width = 700;
  o.height = 900;
  const FigureFrame f = buildFrame(fig, {}, o);
  ASSERT_EQ(f.plots.size(), 5u);
  for (std::size_t i = 0; i < f.plots.size(); ++i) {
    const Rect a = f.plots[i].area;
    SCOPED_TRACE("plot " + std::to_string(i));
    EXPECT_DOUBLE_EQ(a.x, f.plots[0].area.x);  // shared x axis: same left edge and width
    EXPECT_DOUBLE_EQ(a.w, f.plots[0].area.w);
    EXPECT_GT(a.h, 60);
    EXPECT_GE(a.x, 0);
    EXPECT_LE(a.right(), o.width);
    if (i) {
      EXPECT_GT(a.y, f.plots[i - 1].area.bottom());  // stacked, no overlap
    }
    for (const LegendEntry& e : f.plots[i].legend) {
      EXPECT_GE(e.rect.y, f.plots[i].outer.y);
      EXPECT_LE(e.rect.bottom(), a.y);  // the legend sits in the header, above the data
      EXPECT_LE(e.rect.right(), o.width);
    }
    for (std::size_t j = 1; j < f.plots[i].legend.size(); ++j) {  // entries do not overlap
      const Rect p = f.plots[i].legend[j - 1].rect, q = f.plots[i].legend[j].rect;
      EXPECT_TRUE(q.x >= p.right() || q.y >= p.bottom());
    }
  }
  EXPECT_LE(f.plots.back().area.bottom(), o.height - 3 * o.fontSize);  // room for the x labels
  // x tick labels exist only under the last plot.
  std::size_t xLabels = 0;
  for (const TextItem* t : itemsOf<TextItem>(f))
    if (t->v == VAlign::Top && t->h == HAlign::Center && !t->bold) {
      EXPECT_GT(t->at.y, f.plots.back().area.bottom());
      ++xLabels;
    }
  EXPECT_GE(xLabels, 3u);
  // y tick labels right-aligned left of the axis.
  for (const TextItem* t : itemsOf<TextItem>(f))
    if (t->h == HAlign::Right) {
      EXPECT_LT(t->at.x, f.plots[0].area.x);
    }
  EXPECT_EQ(f.plotAt({f.plots[2].area.x + 10, f.plots[2].area.y + 10}), 2);
  EXPECT_EQ(f.plotAt({1, 1}), -1);
}

TEST(PlotLayout, HiddenSeriesAreNotDrawnButStayInTheLegend) {
  Figure f = onePlot(makeSeries("a", {0, 1, 2}, {1, 2, 3}, paletteColor(0)), AxisScale::Linear);
  f.plots[0].series.push_back(makeSeries("b", {0, 1, 2}, {30, 20, 10}, paletteColor(1)));
  ViewState view;
  EXPECT_EQ(linesOfColor(buildFrame(f, view, {}), paletteColor(1)).size(), 1u);
  view.toggle(seriesKey(f.plots[0], f.plots[0].series[1]));
  const FigureFrame frame = buildFrame(f, view, {});
  EXPECT_TRUE(linesOfColor(frame, paletteColor(1)).empty());
  ASSERT_EQ(frame.plots[0].legend.size(), 2u);
  EXPECT_TRUE(frame.plots[0].legend[1].hidden);
  EXPECT_LT(frame.plots[0].yU.hi, 10);  // the hidden series no longer sets the range
  const LegendEntry* hit =
      frame.legendAt({frame.plots[0].legend[1].rect.x + 2, frame.plots[0].legend[1].rect.y + 2});
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->key, "p/b");
}

TEST(PlotRange, AutoFixedAndZoomed) {
  Figure f = onePlot(makeSeries("s", {0, 1, 2, 3, 4}, {5, 1, 3, 100, 2}), AxisScale::Linear);
  const Range x = xRangeFor(f, {});
  EXPECT_EQ(x, (Range{0, 4}));
  const Range y = yRangeFor(f, 0, {}, x);
  EXPECT_LT(y.lo, 1);
  EXPECT_GT(y.hi, 100);
  // Zoomed to x in [0, 2.5]: the spike at x = 3 is outside and does not set the y range.
  ViewState zoom;
  zoom.xRange = Range{0, 2.5};
  const Range yz = yRangeFor(f, 0, zoom, xRangeFor(f, zoom));
  EXPECT_LT(yz.hi, 10);
  EXPECT_GT(yz.hi, 5);
  // Fixed ends win.
  f.plots[0].y.min = 0;
  f.plots[0].y.max = 10;
  EXPECT_EQ(yRangeFor(f, 0, {}, x), (Range{0, 10}));
  // Log: padding in decades, reference lines included.
  Figure g = onePlot(makeSeries("s", {0, 1}, {1e-3, 1e-1}), AxisScale::Log);
  RefLine ref;
  ref.value = 10;
  g.plots[0].refLines.push_back(ref);
  const Range yl = yRangeFor(g, 0, {}, xRangeFor(g, {}));
  EXPECT_LT(yl.lo, -3);
  EXPECT_GT(yl.hi, 1);
  // Constant data still gets a usable range.
  const Figure c = onePlot(makeSeries("s", {0, 1}, {0.5, 0.5}), AxisScale::Linear);
  const Range yc = yRangeFor(c, 0, {}, xRangeFor(c, {}));
  EXPECT_LT(yc.lo, 0.5);
  EXPECT_GT(yc.hi, 0.5);
}

TEST(PlotHover, NearestStoredPointOfEverySeries) {
  Figure f = onePlot(makeSeries("a", {0, 10, 20, 30}, {1, 2, 3, 4}), AxisScale::Linear);
  Series b = makeSeries("b", {0, 5, 25}, {-1, kMissing, -3});
  f.plots[0].series.push_back(b);
  Plot second;
  second.name = "q";
  second.y.scale = AxisScale::Log;
  Series deep = makeSeries("1 - s", {0, 12, 24}, {-1, -150.5, -300.5});
  deep.yLog10 = true;
  second.series.push_back(deep);
  f.plots.push_back(second);

  const auto h = hoverValues(f, {}, 11);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].name, "a");
  EXPECT_EQ(h[0].x, 10);
  EXPECT_EQ(h[0].y, 2);
  EXPECT_EQ(h[0].text, "2");
  EXPECT_EQ(h[1].x, 5);  // nearest of 5 and 25 to 11
  EXPECT_EQ(h[1].text, "n/a");
  EXPECT_EQ(h[2].plot, 1u);
  EXPECT_EQ(h[2].x, 12);
  EXPECT_EQ(h[2].text, "3.162e-151");

  // Hidden series are not read out; a log x axis measures nearness in decades and skips x <= 0.
  ViewState view;
  view.toggle("p/a");
  view.xScale = AxisScale::Log;
  const auto hl = hoverValues(f, view, std::log10(4.0));  // 4 is nearer to 5 than to 25 in decades
  ASSERT_EQ(hl.size(), 2u);
  EXPECT_EQ(hl[0].name, "b");
  EXPECT_EQ(hl[0].x, 5);
  EXPECT_EQ(nearestIndex(std::vector<double>{0, 1, 100}, AxisScale::Log, -5), 1u);
  EXPECT_EQ(nearestIndex(std::vector<double>{}, AxisScale::Linear, 0), 0u);
  EXPECT_EQ(nearestIndex(std::vector<double>{-1, 0}, AxisScale::Log, 0), 2u);  // nothing placeable
}

TEST(PlotRunFigure, StandardPlotsFromMetrics) {
  RunPlotInput run;
  run.svmMargin = 0.25;
  for (long long k = 0; k < 50; ++k) {
    core::MetricsPoint p;
    p.iter = k * 2;
    p.loss = std::exp(-0.1 * static_cast<double>(k));
    p.corr = 1 - std::pow(0.5, static_cast<double>(k));
    p.log10MaxUnselected = -10.0 * static_cast<double>(k);
    p.margin = 0.25 - 1.0 / static_cast<double>(k + 1);
    run.points.push_back(p);
  }
  const Figure f = buildRunFigure(std::span(&run, 1));
  std::vector<std::string> names;
  for (const Plot& p : f.plots) names.push_back(p.name);
  EXPECT_EQ(names, runPlotNames());
  EXPECT_EQ(names, (std::vector<std::string>{"loss", "norm", "alignment", "sparsity", "margin"}));
  EXPECT_EQ(f.x.scale, AxisScale::Log);
  const Plot& loss = f.plots[*findPlot(f, "loss")];
  EXPECT_EQ(loss.y.scale, AxisScale::Log);
  ASSERT_EQ(loss.series.size(), 1u);
  EXPECT_EQ(loss.series[0].x[3], 6);
  EXPECT_EQ(loss.series[0].y[3], run.points[3].loss);
  const Plot& align = f.plots[*findPlot(f, "alignment")];
  EXPECT_EQ(align.series[0].y[5], 1 - run.points[5].corr);
  const Plot& sparsity = f.plots[*findPlot(f, "sparsity")];
  EXPECT_EQ(sparsity.y.scale, AxisScale::Log);
  ASSERT_GE(sparsity.series.size(), 2u);
  EXPECT_TRUE(sparsity.series[1].yLog10);
  EXPECT_EQ(sparsity.series[1].y[49], -490);
  EXPECT_EQ(sparsity.series.size(), 2u) << "no prediction series without predicted values";
  const Plot& margin = f.plots[*findPlot(f, "margin")];
  ASSERT_EQ(margin.refLines.size(), 1u);
  EXPECT_EQ(margin.refLines[0].value, 0.25);
  EXPECT_TRUE(margin.refLines[0].horizontal);
  const Plot& norm = f.plots[*findPlot(f, "norm")];
  EXPECT_EQ(norm.series.size(), 1u) << "no ||v|| series when v is not trained";
}

TEST(PlotRunFigure, SeveralRunsGetOneColourEachAndAFactoredLegend) {
  std::vector<RunPlotInput> runs(3);
  const char* names[] = {"p = 1.75", "p = 2", "p = 3"};
  for (int r = 0; r < 3; ++r) {
    runs[r].name = names[r];
    runs[r].svmMargin = 0.1 * (r + 1);
    for (long long k = 1; k < 20; ++k) {
      core::MetricsPoint p;
      p.iter = k;
      p.loss = 1.0 / static_cast<double>(k + r);
      p.corr = 0.5;
      p.bregman = 0.5;
      p.margin = 0.1;
      runs[r].points.push_back(p);
    }
  }
  const Figure f = buildRunFigure(runs);
  const Plot& align = f.plots[*findPlot(f, "alignment")];
  ASSERT_EQ(align.series.size(), 6u);
  std::set<std::string> seriesNames;
  for (const Series& s : align.series) {
    EXPECT_TRUE(seriesNames.insert(s.name).second) << "series names are unique within a plot: " << s.name;
    EXPECT_FALSE(s.group.empty());
  }
  EXPECT_EQ(align.series[0].color, align.series[3].color);  // same run, same colour
  EXPECT_NE(align.series[0].style, align.series[3].style);  // different quantity, different style
  EXPECT_NE(align.series[0].color, align.series[1].color);

  // Legend: 3 runs + 2 quantities, not 6 combinations; a run's entry hides all of its series.
  const FigureFrame frame = buildFrame(f, {}, {});
  const std::size_t ai = *findPlot(f, "alignment");
  ASSERT_EQ(frame.plots[ai].legend.size(), 5u);
  EXPECT_EQ(frame.plots[ai].legend[0].key, "alignment/group/p = 1.75");
  EXPECT_EQ(frame.plots[ai].legend[4].key, "alignment/role/D_\u03c8(\u03b8^mm, \u03b8)");
  ViewState view;
  view.toggle(frame.plots[ai].legend[0].key);
  EXPECT_FALSE(isShown(view, align, align.series[0]));
  EXPECT_FALSE(isShown(view, align, align.series[3]));
  EXPECT_TRUE(isShown(view, align, align.series[1]));
  const std::size_t mi = *findPlot(f, "margin");
  EXPECT_EQ(f.plots[mi].refLines.size(), 3u);
  EXPECT_FALSE(isShown(view, f.plots[mi], f.plots[mi].refLines[0]) && view.isHidden("margin/group/p = 1.75"));
}

TEST(PlotRunFigure, FromARecordedHistory) {
  // A long run recorded by core::History (log-spaced + uniform samples, ascending iter) plots as is.
  core::History history;
  for (long long k = 0; k <= 200'000; ++k) {
    if (!history.wants(k)) continue;
    core::MetricsPoint p;
    p.iter = k;
    p.loss = 1.0 / static_cast<double>(k + 1);
    p.log10MaxUnselected = -0.01 * static_cast<double>(k);  // down to 1e-2000
    history.record(p, {1, 0});
  }
  RunPlotInput run;
  run.points = history.points();
  const Figure f = buildRunFigure(std::span(&run, 1));
  const Series& loss = f.plots[*findPlot(f, kLossPlot)].series[0];
  ASSERT_EQ(loss.x.size(), history.size());
  EXPECT_TRUE(std::is_sorted(loss.x.begin(), loss.x.end()));
  EXPECT_EQ(loss.x.back(), static_cast<double>(history.last()->iter));
  const FigureFrame frame = buildFrame(f, {}, {});
  const PlotFrame& sparsity = frame.plots[*findPlot(f, kSparsityPlot)];
  EXPECT_LT(sparsity.yU.lo, -1999);
  EXPECT_EQ(sparsity.hiddenNonPositive, 0u);
  EXPECT_FALSE(writeSvg(f).empty());
}

// [SECTION] timeline cursor (Figure::cursor)
Figure twoPlotsSampledEvenly() {
  Figure f;
  f.x.scale = AxisScale::Linear;
  for (const char* name : {"a", "b"}) {
    Plot p;
    p.name = name;
    p.y.scale = AxisScale::Log;
    std::vector<double> x, y1, y2;
    for (int k = 0; k <= 100; k += 4) {  // stored every 4 steps
      x.push_back(k);
      y1.push_back(std::exp(-0.05 * k));
      y2.push_back(-0.5 * k);  // log10 values
    }
    p.series.push_back(makeSeries("one", x, y1, paletteColor(0)));
    p.series.push_back(makeSeries("two", x, y2, paletteColor(1)));
    p.series.back().yLog10 = true;
    f.plots.push_back(std::move(p));
  }
  return f;
}

TEST(PlotCursor, VerticalLineInEveryPlotAndAMarkerPerSeriesAtOrBeforeTheStep) {
  Figure f = twoPlotsSampledEvenly();
  EXPECT_FALSE(buildFrame(f, {}, {}).cursorX.has_value());  // no cursor: nothing drawn
  f.cursor = 42;
  const FigureFrame frame = buildFrame(f, {}, {});
  ASSERT_TRUE(frame.cursorX.has_value());
  EXPECT_NEAR(*frame.cursorX, frame.plots[0].x.toPixel(42), 1e-9);
  for (const PlotFrame& pf : frame.plots) {  // a vertical line spanning each plot's area at that x
    bool found = false;
    for (const LineItem* l : itemsOf<LineItem>(frame))
      found = found || (l->points.size() == 2 && l->points[0].x == *frame.cursorX &&
                        l->points[1].x == *frame.cursorX && l->points[0].y == pf.area.y &&
                        l->points[1].y == pf.area.bottom());
    EXPECT_TRUE(found) << "plot " << pf.plot;
  }
  // Markers: each series at its last stored point at or before 42 (step 40, index 10).
  ASSERT_EQ(frame.cursorMarks.size(), 4u);
  for (const CursorMark& m : frame.cursorMarks) {
    EXPECT_EQ(m.index, 10u);
    const PlotFrame& pf = frame.plots[m.plot];
    const Series& s = f.plots[m.plot].series[m.series];
    EXPECT_NEAR(m.at.x, pf.x.toPixel(40), 1e-9);
    EXPECT_NEAR(m.at.y, pf.y.toPixel(toAxis(s.y[10], AxisScale::Log, s.yLog10)), 1e-9);
    bool dot = false;
    for (const CircleItem* c : itemsOf<CircleItem>(frame))
      dot = dot || (c->center == m.at && c->fill == s.color);
    EXPECT_TRUE(dot);
  }
  // On a stored step exactly, that step; hidden series get no marker.
  f.cursor = 44;
  ViewState view;
  view.toggle(seriesKey(f.plots[0], f.plots[0].series[1]));
  const FigureFrame hidden = buildFrame(f, view, {});
  ASSERT_EQ(hidden.cursorMarks.size(), 3u);
  EXPECT_EQ(hidden.cursorMarks[0].index, 11u);
  EXPECT_EQ(hidden.cursorMarks[0].series, 0u);
  EXPECT_EQ(hidden.cursorMarks[1].plot, 1u);
}

TEST(PlotCursor, LogXShowsItAtPositiveStepsOnlyAndSvgHasIt) {
  Figure f = twoPlotsSampledEvenly();
  f.x.scale = AxisScale::Log;
  f.cursor = 0;  // iteration 0 has no place on a log axis: no line, no markers, no message
  const FigureFrame at0 = buildFrame(f, {}, {});
  EXPECT_FALSE(at0.cursorX.has_value());
  EXPECT_TRUE(at0.cursorMarks.empty());
  EXPECT_EQ(writeSvg(f).find("-cursor"), std::string::npos);
  f.cursor = 10;
  const FigureFrame at10 = buildFrame(f, {}, {});
  ASSERT_TRUE(at10.cursorX.has_value());
  EXPECT_NEAR(*at10.cursorX, at10.plots[0].x.toPixel(1.0), 1e-9);  // u = log10(10)
  EXPECT_EQ(at10.cursorMarks.size(), 4u);                          // step 8 of every series
  // Exports draw what the screen draws, one group per plot; a single plot keeps the cursor.
  const std::string svg = writeSvg(f);
  EXPECT_NE(svg.find("id=\"plot-a-cursor\""), std::string::npos);
  EXPECT_NE(svg.find("id=\"plot-b-cursor\""), std::string::npos);
  EXPECT_EQ(singlePlot(f, 1).cursor, f.cursor);
  // Outside a zoomed range: nothing drawn.
  ViewState zoom;
  zoom.xRange = Range{1.5, 2};
  const FigureFrame out = buildFrame(f, zoom, {});
  EXPECT_FALSE(out.cursorX.has_value());
  EXPECT_TRUE(out.cursorMarks.empty());
}

}  // namespace
}  // namespace attnmd::plot
