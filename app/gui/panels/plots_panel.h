// The Plots panel: the run's metrics (math.md §7) as a stack of small plots sharing the iteration axis
// (the plot module, app/plot/run_plots.h, drawn by app/gui/plot_view.h), and the current values as a
// table below them.
#pragma once

#include <memory>

#include "app/gui/views/plot_view.h"
#include "app/state/trainer.h"
#include "app/plot/figure.h"

namespace attnmd::gui {

struct PlotsPanel {
  // The margin plot's reference line is 1/||theta^mm|| of the run's own SVM (snapshot's selectedSvm).
  void draw(const std::shared_ptr<const TrainSnapshot>& snap, float scale);

  PlotView view;                                  // UI-local: x scale, zoom, hidden series, hover
  plot::Figure figure;                            // rebuilt when a new snapshot arrives
  std::shared_ptr<const TrainSnapshot> figureOf;  // the snapshot `figure` was built from
};

}  // namespace attnmd::gui
