// The standard attnmd plots of one or several training runs (docs/theory.md §7), as one figure: a stack of
// small plots sharing the iteration axis. The app draws it, `attnmd-cli figure` and the export bundle
// write one SVG per plot, named after it (loss.svg, norm.svg, alignment.svg, sparsity.svg, margin.svg).
#pragma once

#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/plot/figure.h"
#include "core/history.h"

namespace attnmd::plot {

// Stable plot names (file names of the exported SVGs; ViewState keys start with them).
inline constexpr const char* kLossPlot = "loss";            // L(θ), log y
inline constexpr const char* kNormPlot = "norm";            // ‖θ‖_p (and ‖v‖_p when v is trained)
inline constexpr const char* kAlignmentPlot = "alignment";  // 1 − corr and D_ψ to the SVM, log y
inline constexpr const char* kSparsityPlot = "sparsity";    // min_i s_iα and max_i (1 − s_iα), log y
inline constexpr const char* kMarginPlot = "margin";        // min normalized margin and the SVM's
std::vector<std::string> runPlotNames();                    // the five above, in stack order

struct RunPlotInput {
  std::string name;                        // the run in legends ("nmd, p = 1.75"); unused for a single run
  std::vector<core::MetricsPoint> points;  // History::points(): ascending iter
  // The SVM direction's normalized margin, 1/‖θ^mm‖_p (docs/theory.md §5, §7): the value the margin tends to.
  // NaN: no reference line (SVM not solved or infeasible).
  double svmMargin = std::numeric_limits<double>::quiet_NaN();
  std::optional<Color> color;  // the run's colour when several are compared; unset: palette
};

struct RunPlotOptions {
  AxisScale iterationScale =
      AxisScale::Log;      // the shared x axis (iteration 0 is then not shown, and said so)
  bool optimalSvm = true;  // also plot 1 − corr against the optimal tokens' SVM when a run selects others
};

// Single run: one colour per quantity. Several runs: one colour per run, one line style per quantity,
// legend entries "<run>: <quantity>".
Figure buildRunFigure(std::span<const RunPlotInput> runs, const RunPlotOptions& options = {});

}  // namespace attnmd::plot
