// The Plots panel: the runs' metrics (docs/theory.md §7) as a stack of small plots sharing the iteration axis
// (the plot module, app/plot/run_plots.h, drawn by app/gui/plot_view.h), and the current values as a
// table below them. Several runs are overlaid as `attnmd-cli figure` overlays them: one colour per run,
// one line style per quantity, a factored legend; one run looks as it always has. The timeline cursor
// is a vertical line in every plot with each series' marker at the cursor step.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/views/plot_view.h"
#include "app/plot/figure.h"
#include "app/state/trainer.h"

namespace attnmd::gui {

// One compared run as the panel shows it.
struct PlotRun {
  std::string name;                           // legend and table header when there are several runs
  plot::Color colour;                         // its series' colour when there are several runs
  std::shared_ptr<const TrainSnapshot> snap;  // null: the run is left out
};

struct PlotsPanel {
  // The margin plot's reference line is 1/||theta^mm|| of each run's own SVM (snapshot's selectedSvm).
  // `cursor`: the timeline step (a replayed snapshot still carries its run's whole history, so the plots
  // show whole runs plus the cursor); unset: no cursor. The figure is rebuilt only when a run's snapshot,
  // name or colour changed; the cursor costs nothing to move.
  void draw(const std::vector<PlotRun>& runs, std::optional<long long> cursor, float scale);
  // One run, no cursor (the panel as it was before runs were compared).
  void draw(const std::shared_ptr<const TrainSnapshot>& snap, float scale);

  PlotView view;        // UI-local: x scale, zoom, hidden series, hover
  plot::Figure figure;  // rebuilt when a run's snapshot changes
  // >= 0: only that plot of the figure, filling the panel, and no values table (presentation mode).
  int onlyPlot = -1;

 private:
  struct Built {  // what `figure` was built from
    std::string name;
    plot::Color colour;
    std::shared_ptr<const TrainSnapshot> snap;
  };
  std::vector<Built> builtFrom_;
  plot::Figure single_;  // presentation mode: `figure` with only plot `singleOf_` (-1: not built)
  int singleOf_ = -1;
  bool upToDate(const std::vector<PlotRun>& runs) const;
};

}  // namespace attnmd::gui
