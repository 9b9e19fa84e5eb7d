// The plot panel's drawing: a stack of small plots sharing the iteration axis, drawn with ImGui's
// ImDrawList from the plot module's layout (app/plot/frame.h). It receives the figure every frame and
// never computes the numbers it shows; it keeps only UI-local state (x scale and zoom, hidden series,
// hover, drag), so two views (or two ImGui contexts in a test) never share anything.
//
// Mouse: wheel zooms the x range around the cursor, left-drag pans it, double-click fits the data
// again; clicking a legend entry hides/shows its series; hovering shows a vertical line and a tooltip
// with every series' value at the cursor (nearest stored point). The timeline cursor (Figure::cursor) is
// part of the frame (a vertical line, a marker per series), so the view and SVG exports draw the same.
#pragma once

#include <imgui.h>

#include <vector>

#include "app/plot/frame.h"
#include "app/plot/hover.h"

namespace attnmd::gui {

// What the hover readout shows (the last frame's; tests read it).
struct PlotHover {
  bool active = false;                   // the cursor is over a plot area
  int plot = -1;                         // index of the plot under the cursor
  double xU = 0;                         // cursor x in axis coordinates of the shown x scale
  std::vector<plot::HoverValue> values;  // every shown series of every plot, nearest stored point
};

struct PlotView {
  // Settings the owner may set.
  float uiScale = 1;           // the app's UI scale (1x-3x): line widths and markers follow it
  bool runEntries = true;      // several runs: name them in every plot's legend (false: the caller does)
  double columnsPerPixel = 1;  // decimation: min/max columns per px of plot width
  bool toolbar = true;         // "log x" toggle and a hint line above the plots
  float minPlotHeight = 6;     // a plot's data area, in font sizes; below it the stack grows and the
                               // parent window scrolls

  // UI-local state.
  plot::ViewState state;  // x scale toggle, zoomed x range, hidden legend keys
  PlotHover hover;

  // Layout of the last frame, in the frame's own pixels; add `origin` for screen coordinates.
  plot::FigureFrame frame;
  ImVec2 origin{0, 0};

  // Draws `figure` into the current window, filling `size` (0: the available region).
  void draw(const plot::Figure& figure, ImVec2 size = ImVec2(0, 0));

  // Screen position of a point of the last frame (tests use it to aim the mouse).
  ImVec2 toScreen(plot::Point p) const {
    return ImVec2(origin.x + static_cast<float>(p.x), origin.y + static_cast<float>(p.y));
  }

 private:
  bool panning_ = false;       // a left-drag that started in a plot area is moving the x range
  float panStartX_ = 0;        // mouse x (frame pixels) where it started
  plot::Range panStartRange_;  // x range when it started
  bool pressedInArea_ = false;

  plot::FrameOptions frameOptions(ImVec2 size) const;
  bool handleInput();  // true when the view state changed (the frame is then rebuilt)
  void updateHover(const plot::Figure& figure);
  void paint(ImDrawList* dl) const;
  void paintHover(ImDrawList* dl, const plot::Figure& figure) const;
  void tooltip(const plot::Figure& figure) const;
};

}  // namespace attnmd::gui
