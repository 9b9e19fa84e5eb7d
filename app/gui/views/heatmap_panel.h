// The attention heat map: one row per sequence, one cell per token, colour = s_it on a fixed [0, 1]
// viridis scale (so a colour means the same weight in every frame), selected token outlined, optimal
// token starred. Clicking a cell selects that token.
#pragma once

#include "app/state/document.h"
#include "app/state/overlay.h"
#include "app/gui/widgets/theme.h"

namespace attnmd::gui {

struct HeatmapPanel {
  void draw(Document& doc, const CanvasOverlay& overlay, ThemeKind theme, float scale);
  // Preferred height for `rows` sequences at this scale (the app sizes the panel with it).
  static float preferredHeight(int rows, float scale);
};

}  // namespace attnmd::gui
