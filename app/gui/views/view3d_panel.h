// The 3D view of a scene with d >= 3 tokens, with mouse editing that becomes commands:
//
//   left drag on empty space    orbit                 wheel          zoom
//   left drag a token / v / z   move it in the screen plane (its depth is kept; one undo entry per drag)
//   left click a token          select its sequence (in "pick SVM tokens" mode: pick alpha_i)
//   double-click empty space    add a token to the selected sequence, in the screen plane through the
//                               view's centre
//   right click a token         delete it             right drag     pan
//
// Coordinates past x_3 are kept by every edit. What is drawn comes from buildView3DScene(): its depth
// layer through the GL renderer (app/gui/render/gl_renderer.h) into an image, its labels by ImGui on
// top; without the renderer (ImGui tests) the layer is painted as depth-sorted shapes. The panel adds
// only what is interactive (hover ring, tooltip, the controls' reminder).
#pragma once

#include <imgui.h>

#include <Eigen/Dense>
#include <string>
#include <utility>

#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d.h"
#include "app/gui/widgets/ui_util.h"
#include "app/state/document.h"
#include "app/state/overlay.h"

namespace attnmd::gui {

class View3DPanel {
 public:
  // Reserves the window's remaining content region (below the legend strip) and turns input into
  // commands on `doc` and camera moves on doc.view().camera; render() draws the current state.
  // `input` false: lay out only, ignore the mouse this frame (the grid consumed the click).
  void interact(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style, bool input = true);
  // Presentation mode: the camera still orbits (left drag), pans (right drag) and zooms (wheel), but
  // nothing is edited, picked or deleted.
  bool editsLocked = false;
  // The legend strip above the view (when the View menu's legend layer is on); the grid draws one for
  // all its cells instead.
  bool showLegend = true;
  void render(const Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style);

  void fit(Document& doc) { doc.view().camera.pixelsPerUnit = 0; }
  // Back to the default angles, fitted to the data.
  void resetView(Document& doc) { doc.view().camera = Camera3D{}; }
  void deleteHoveredOrActive(Document& doc);
  // Ends a drag in progress (its edits stay, as one undo entry): the app calls it when the view stops
  // being shown (the 2D canvas took its place), so no gesture is left open.
  void releaseDrag(Document& doc);

  // The shown camera is still gliding towards the document's (after a zoom, F, "Reset view"): the app
  // keeps drawing frames until it lands.
  bool cameraMoving() const { return gliding_; }
  const CanvasLayout& layout() const { return layout_; }
  const Projection3D& projection() const { return P_; }
  TokenRef hovered() const { return hovered_; }
  bool hoveredView() const { return hoveredView_; }
  std::string takeMessage() { return std::exchange(message_, std::string()); }

 private:
  enum class Drag { None, Token, V, Query, Orbit };
  struct Hit {
    Drag kind = Drag::None;  // Token, V or Query; None for empty space
    TokenRef token;
    int seq = -1;  // Query: its sequence
  };
  Hit hitTest(const Document& doc, const CanvasOverlay& overlay, ImVec2 mouse) const;
  void handleInput(Document& doc, const CanvasOverlay& overlay);
  void startDrag(Document& doc, const Hit& hit, ImVec2 mouse);
  void drawInteractive(ImDrawList* dl, const Document& doc, const CanvasOverlay& overlay,
                       const CanvasStyle& style) const;

  Projection3D P_;                    // of shown_: what is drawn is what is hit-tested
  Camera3D shown_{0, 0, 0, 0, 0, 0};  // the camera on screen, gliding towards doc.view().camera
  bool gliding_ = false;
  bool panning_ = false;
  float scale_ = 1.f;
  CanvasLayout layout_;
  TokenRef hovered_;
  bool hoveredView_ = false;
  Drag drag_ = Drag::None;
  Hit dragged_;
  ImVec2 pressAt_{0, 0};
  Eigen::VectorXd grabbed_;  // the dragged item's coordinates when the drag began
  RightClickOrDrag rightButton_;
  std::string message_;
  std::string lastRenderError_;  // the GL renderer's last failure, reported once
};

// The "3D | 2D plane | Geometry" switch and "Reset view" above the canvas: 3D for scenes with d >= 3,
// Geometry where `geometryApplies` (geometry_view.h; then also for d = 2); nothing when there is no
// choice. Returns true when the 3D view is the one to show (not the geometry view).
bool viewModeBar(Document& doc, View3DPanel& view3d, float scale, bool geometryApplies = false);

}  // namespace attnmd::gui
