// The plots of the run (math.md §7). PLACEHOLDER until the plot module (app/plot + app/gui/plot_view.h,
// branch `plot`) lands on main: for now it shows the current metrics as a table, so the panel is
// useful already; the stacked plots replace the placeholder section after `git merge main`.
#pragma once

#include "app/gui/trainer.h"

namespace attnmd::gui {

struct PlotsPanel {
  void draw(const TrainSnapshot& snap, float scale);
};

}  // namespace attnmd::gui
