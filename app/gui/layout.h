// Where the main screen's panels go: pure geometry from the window size, the UI scale and what the
// user chose (View menu, splitters), so it is tested without a window. app.cpp draws into the rects.
#pragma once

namespace attnmd::gui {

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool empty() const { return w <= 0 || h <= 0; }
  float right() const { return x + w; }
  float bottom() const { return y + h; }
};

// The user's choices. Sizes are in unscaled pixels (they follow the UI scale); 0 means the default.
struct PanelSettings {
  bool showControls = true;  // left: run controls, Experiment / Data / Generate
  bool showPlots = true;     // right: the plots
  bool showHeatmap = true;   // under the canvas: attention weights
  float controlsWidth = 0;
  float plotsWidth = 0;
  float heatmapHeight = 0;
};

struct LayoutInput {
  float width = 1600, height = 1000;  // the window, px
  float menuHeight = 0, statusHeight = 0;
  float scale = 1;             // UI scale
  float runsHeight = 0;        // the runs strip's need (0: no strip)
  float timelineHeight = 0;    // the timeline's need
  float heatmapPreferred = 0;  // the heat maps' natural height (all rows)
  bool presenting = false;     // presentation mode: the one plot shown gets a wider default
  PanelSettings panels;
};

struct ScreenLayout {
  Rect controls, runs, canvas, timeline, heatmap, plots;  // empty when hidden
  // Grab handles between panels (empty when the panel beside them is hidden).
  Rect controlsSplitter, plotsSplitter, heatmapSplitter;
};

ScreenLayout layoutScreen(const LayoutInput& in);

// Which side of a splitter a drag moves, and how.
enum class Splitter { Controls, Plots, Heatmap };

// The settings after dragging a splitter so that its panel is `sizePx` wide (or, for the heat map,
// tall) at UI scale `scale`: the size is stored unscaled and kept within what layoutScreen allows;
// dragged below kCollapsePx the panel is hidden (View menu brings it back at its last size).
constexpr float kCollapsePx = 80;
PanelSettings dragSplitter(PanelSettings panels, Splitter which, float sizePx, float scale);

}  // namespace attnmd::gui
