#include "app/gui/layout.h"

#include <algorithm>

namespace attnmd::gui {
namespace {

// Defaults and limits, in px at UI scale 1 (the defaults grow with the scale; the limits keep the
// canvas about half the window whatever the user drags).
constexpr float kControlsDefault = 370, kControlsMin = 220;
constexpr float kPlotsDefault = 420, kPlotsMin = 220;
constexpr float kSideMaxShare = 0.45f;  // of the window width, each side panel
constexpr float kCanvasMinWidth = 240;
constexpr float kHeatmapMin = 40;
constexpr float kCanvasMinShare = 0.45f;  // of the body's height, for the canvas alone
constexpr float kSplitterWidth = 6;

float controlsWidth(const LayoutInput& in) {
  if (!in.panels.showControls) return 0;
  const float s = in.scale;
  if (in.panels.controlsWidth <= 0) return std::clamp(kControlsDefault * s, 260.f, in.width * 0.28f);
  return std::clamp(in.panels.controlsWidth * s, kControlsMin,
                    std::max(kControlsMin, in.width * kSideMaxShare));
}

float plotsWidth(const LayoutInput& in) {
  if (!in.panels.showPlots) return 0;
  const float s = in.scale;
  if (in.panels.plotsWidth <= 0 && in.presenting) return in.width * 0.36f;  // one plot, readable from afar
  if (in.panels.plotsWidth <= 0) return std::clamp(kPlotsDefault * s, 240.f, in.width * 0.26f);
  return std::clamp(in.panels.plotsWidth * s, kPlotsMin, std::max(kPlotsMin, in.width * kSideMaxShare));
}

}  // namespace

ScreenLayout layoutScreen(const LayoutInput& in) {
  ScreenLayout out;
  const float s = in.scale;
  const float top = in.menuHeight;
  const float bodyH = std::max(100.f, in.height - in.menuHeight - in.statusHeight);
  float leftW = controlsWidth(in), rightW = plotsWidth(in);
  // The canvas keeps its minimum width: the side panels give way, the plots first.
  const float spare = in.width - kCanvasMinWidth - leftW - rightW;
  if (spare < 0) {
    const float fromPlots = std::min(-spare, std::max(0.f, rightW - kPlotsMin));
    rightW -= fromPlots;
    leftW = std::max(std::min(leftW, kControlsMin), leftW - (-spare - fromPlots));
  }
  const float centerW = std::max(100.f, in.width - leftW - rightW);

  const float runsH = in.runsHeight, timeH = in.timelineHeight;
  float heatH = 0;
  if (in.panels.showHeatmap) {
    heatH = in.panels.heatmapHeight > 0 ? in.panels.heatmapHeight * s
                                        : std::clamp(in.heatmapPreferred, 90.f * s, bodyH * 0.32f);
    // The canvas keeps at least 45% of the height (projectors, UI scale 2): the heat maps give way and
    // scroll.
    heatH = std::max(kHeatmapMin * s, std::min(heatH, bodyH * 0.55f - runsH - timeH));
    // The canvas itself keeps kCanvasMinShare of the height as well: the runs strip and the timeline
    // grow with the UI scale, and at scale 2 in 1280x720 the heat map's minimum left the views a sliver
    // under their mode bar and legend. There the heat map makes way altogether (a larger window or a
    // smaller scale brings it back).
    if (bodyH - heatH - runsH - timeH < kCanvasMinShare * bodyH) heatH = 0;
  }
  const float canvasH = std::max(60.f, bodyH - heatH - runsH - timeH);

  if (leftW > 0) out.controls = {0, top, leftW, bodyH};
  out.runs = {leftW, top, centerW, runsH};
  out.canvas = {leftW, top + runsH, centerW, canvasH};
  out.timeline = {leftW, top + runsH + canvasH, centerW, timeH};
  if (heatH > 0) out.heatmap = {leftW, top + bodyH - heatH, centerW, heatH};
  if (rightW > 0) out.plots = {leftW + centerW, top, in.width - leftW - centerW, bodyH};

  const float half = 0.5f * kSplitterWidth * std::max(1.f, s);
  if (!out.controls.empty()) out.controlsSplitter = {leftW - half, top, 2 * half, bodyH};
  if (!out.plots.empty()) out.plotsSplitter = {out.plots.x - half, top, 2 * half, bodyH};
  if (!out.heatmap.empty()) out.heatmapSplitter = {leftW, out.heatmap.y - half, centerW, 2 * half};
  return out;
}

PanelSettings dragSplitter(PanelSettings panels, Splitter which, float sizePx, float scale) {
  const float s = std::max(scale, 0.1f);
  const bool collapse = sizePx < kCollapsePx;
  switch (which) {
    case Splitter::Controls:
      if (collapse)
        panels.showControls = false;
      else
        panels.controlsWidth = std::max(sizePx, kControlsMin) / s;
      break;
    case Splitter::Plots:
      if (collapse)
        panels.showPlots = false;
      else
        panels.plotsWidth = std::max(sizePx, kPlotsMin) / s;
      break;
    case Splitter::Heatmap:
      if (collapse)
        panels.showHeatmap = false;
      else
        panels.heatmapHeight = std::max(sizePx, kHeatmapMin * s) / s;
      break;
  }
  return panels;
}

}  // namespace attnmd::gui
