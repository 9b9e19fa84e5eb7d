// The attention heat map: one row per sequence, one cell per token, colour = s_it on a fixed [0, 1]
// viridis scale (so a colour means the same weight in every frame), selected token outlined, optimal
// token starred. Clicking a cell selects that token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/gui/widgets/theme.h"
#include "app/state/document.h"
#include "app/state/overlay.h"

namespace attnmd::gui {

// What one heat map of several (one per run) adds or leaves out.
struct HeatmapOptions {
  std::string title;              // a line above the grid (the run's name); none when empty
  std::uint32_t titleColour = 0;  // its swatch (0: none)
  bool legend = true;             // the colour bar and the marks' legend beside the grid
  std::vector<bool>
      disagree;  // per sequence: marked with a not-equal sign (the runs select different tokens)
};

struct HeatmapPanel {
  void draw(Document& doc, const CanvasOverlay& overlay, ThemeKind theme, float scale,
            const HeatmapOptions& options = {});
  // The width the colour bar and its legend take beside the grid.
  static float legendWidth(float scale);
  // Preferred height for `rows` sequences at this scale (the app sizes the panel with it).
  static float preferredHeight(int rows, float scale);
};

}  // namespace attnmd::gui
