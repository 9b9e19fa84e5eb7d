#include "app/plot/run_plots.h"

#include <cmath>

#include "app/plot/palette.h"

namespace attnmd::plot {
namespace {

using core::MetricsPoint;

// One quantity of a run: how to read it from a point, and how to draw it.
struct Quantity {
  const char* name;
  double (*value)(const MetricsPoint&);
  bool log10 = false;  // value() returns log10 of the quantity
};

bool anyFinite(const std::vector<MetricsPoint>& points, double (*value)(const MetricsPoint&)) {
  for (const MetricsPoint& p : points)
    if (std::isfinite(value(p))) return true;
  return false;
}

class Builder {
 public:
  Builder(std::span<const RunPlotInput> runs) : runs_(runs) {}

  // Adds quantity q of every run to `plot` as the `slot`-th quantity of that plot.
  void add(Plot& plot, const Quantity& q, std::size_t slot, bool onlyIfData = false) const {
    for (std::size_t r = 0; r < runs_.size(); ++r) {
      const RunPlotInput& run = runs_[r];
      if (onlyIfData && !anyFinite(run.points, q.value)) continue;
      Series s;
      s.name = label(run, q.name);
      s.yLog10 = q.log10;
      s.x.reserve(run.points.size());
      s.y.reserve(run.points.size());
      for (const MetricsPoint& p : run.points) {
        s.x.push_back(static_cast<double>(p.iter));
        s.y.push_back(q.value(p));
      }
      s.color = color(r, slot);
      s.style = style(slot);
      if (runs_.size() > 1) {  // factored legend: runs by colour, quantities by line style
        s.group = run.name;
        s.role = q.name;
      }
      plot.series.push_back(std::move(s));
    }
  }

  std::string label(const RunPlotInput& run, const std::string& what) const {
    return runs_.size() > 1 ? run.name + ": " + what : what;
  }
  Color color(std::size_t run, std::size_t slot) const {
    if (runs_.size() > 1) return runs_[run].color.value_or(paletteColor(run));
    return paletteColor(slot);
  }
  LineStyle style(std::size_t slot) const {
    if (runs_.size() <= 1)
      return slot == 0 ? LineStyle::Solid : slot == 1 ? LineStyle::Dashed : LineStyle::Dotted;
    static constexpr LineStyle kStyles[] = {LineStyle::Solid, LineStyle::Dashed, LineStyle::Dotted};
    return kStyles[slot % 3];
  }

 private:
  std::span<const RunPlotInput> runs_;
};

Plot makePlot(const char* name, const char* title, const char* yLabel, AxisScale scale) {
  Plot p;
  p.name = name;
  p.title = title;
  p.y.label = yLabel;
  p.y.scale = scale;
  return p;
}

}  // namespace

std::vector<std::string> runPlotNames() {
  return {kLossPlot, kNormPlot, kAlignmentPlot, kSparsityPlot, kMarginPlot};
}

Figure buildRunFigure(std::span<const RunPlotInput> runs, const RunPlotOptions& options) {
  const Builder b(runs);
  Figure f;
  f.x.label = "iteration k";
  f.x.scale = options.iterationScale;

  Plot loss = makePlot(kLossPlot, "Loss", "L(\u03b8)", AxisScale::Log);
  b.add(loss, {"loss", [](const MetricsPoint& p) { return p.loss; }}, 0);
  f.plots.push_back(std::move(loss));

  Plot norm = makePlot(kNormPlot, "Parameter norm", "\u2016\u03b8\u2016_p", AxisScale::Linear);
  b.add(norm, {"\u2016\u03b8\u2016_p", [](const MetricsPoint& p) { return p.normP; }}, 0);
  b.add(norm, {"\u2016v\u2016_p", [](const MetricsPoint& p) { return p.vNorm; }}, 1, true);
  f.plots.push_back(std::move(norm));

  // docs/theory.md §7: corr and the directional Bregman divergence both tend to their limits (1 and 0) as the
  // direction converges; 1 − corr on a log axis shows the rate (and equals D_ψ at p = 2).
  Plot align = makePlot(kAlignmentPlot, "Alignment with the SVM direction", "distance", AxisScale::Log);
  b.add(align, {"1 \u2212 corr(\u03b8, \u03b8^mm)", [](const MetricsPoint& p) { return 1 - p.corr; }}, 0);
  b.add(align, {"D_\u03c8(\u03b8^mm, \u03b8)", [](const MetricsPoint& p) { return p.bregman; }}, 1);
  if (options.optimalSvm) {
    bool differs = false;
    for (const RunPlotInput& r : runs)
      for (const MetricsPoint& p : r.points)
        differs = differs || (!p.selectedIsOptimal && std::isfinite(p.corrOptimal));
    if (differs)
      b.add(align,
            {"1 \u2212 corr, optimal tokens' SVM", [](const MetricsPoint& p) { return 1 - p.corrOptimal; }},
            2, true);
  }
  f.plots.push_back(std::move(align));

  // docs/theory.md §3, §8.8: 1 − s is carried in log10 form, so values far below 1e−16 are exact.
  Plot sparsity = makePlot(kSparsityPlot, "Attention sparsity", "softmax", AxisScale::Log);
  b.add(sparsity, {"min_i s_i\u03b1", [](const MetricsPoint& p) { return p.minSelectedProb; }}, 0);
  b.add(sparsity,
        {"max_i (1 \u2212 s_i\u03b1)", [](const MetricsPoint& p) { return p.log10MaxUnselected; }, true}, 1);
  b.add(sparsity,
        {"predicted 1 \u2212 s (theory)", [](const MetricsPoint& p) { return p.predictedLog10Unselected; },
         true},
        2, true);
  f.plots.push_back(std::move(sparsity));

  Plot margin = makePlot(kMarginPlot, "Margin", "margin", AxisScale::Linear);
  b.add(margin, {"min normalized margin", [](const MetricsPoint& p) { return p.margin; }}, 0);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    if (!std::isfinite(runs[r].svmMargin)) continue;
    RefLine ref;
    ref.value = runs[r].svmMargin;
    ref.name = b.label(runs[r], "SVM margin 1/\u2016\u03b8^mm\u2016_p");
    ref.color = runs.size() > 1 ? b.color(r, 0) : kReferenceGrey;
    ref.style = LineStyle::Dashed;
    if (runs.size() > 1) {
      ref.group = runs[r].name;
      ref.role = "SVM margin";
    }
    margin.refLines.push_back(std::move(ref));
  }
  f.plots.push_back(std::move(margin));
  return f;
}

}  // namespace attnmd::plot
