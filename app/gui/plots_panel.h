// The Plots panel: the run's metrics (math.md §7) as a stack of small plots sharing the iteration axis
// (the plot module, app/plot/run_plots.h, drawn by app/gui/plot_view.h), and the current values as a
// table below them.
//
// Until the plot module has landed on main, the build falls back to the table alone (__has_include
// below) and the panel says so: the PLACEHOLDER branch goes away once main has app/gui/plot_view.h.
#pragma once

#include <memory>

#if __has_include("app/gui/plot_view.h")
#define ATTNMD_HAVE_PLOT_VIEW 1
#include "app/gui/plot_view.h"
#include "app/plot/figure.h"
#else
#define ATTNMD_HAVE_PLOT_VIEW 0
#endif

#include "app/gui/trainer.h"

namespace attnmd::gui {

struct PlotsPanel {
  // `svmValue` is the optimal norm of the run's SVM (the margin plot's reference is 1/svmValue); NaN
  // when there is none.
  void draw(const std::shared_ptr<const TrainSnapshot>& snap, float scale);

#if ATTNMD_HAVE_PLOT_VIEW
  PlotView view;                                  // UI-local: x scale, zoom, hidden series, hover
  plot::Figure figure;                            // rebuilt when a new snapshot arrives
  std::shared_ptr<const TrainSnapshot> figureOf;  // the snapshot `figure` was built from
#endif
};

}  // namespace attnmd::gui
