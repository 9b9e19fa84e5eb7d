// The 2D data canvas: tokens, rays, margin lines and v, with mouse editing that becomes commands.
//
//   double-click empty space    add a token to the selected sequence (keep the button down to place it);
//                               a single click on empty space does nothing (a stray click loses no run)
//   left drag a token / v tip   move it (one undo entry per drag)
//   left click a token          select its sequence (in "pick SVM tokens" mode: pick alpha_i)
//   right click a token         delete it          right drag   pan          wheel   zoom
//
// 3D scenes are shown in their x_1-x_2 plane; edits keep the other coordinates. What is drawn comes from
// buildCanvasScene() (canvas_scene.h), the same description the SVG export writes; the panel adds only
// what is interactive (hover ring, tooltip, the pointer's coordinates).
#pragma once

#include <imgui.h>

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/platform/fonts.h"
#include "app/gui/views/canvas_geometry.h"
#include "app/gui/views/canvas_scene.h"
#include "app/gui/widgets/theme.h"
#include "app/gui/widgets/ui_util.h"
#include "app/state/document.h"
#include "app/state/overlay.h"

namespace attnmd::gui {

// The hovered token's tooltip: coordinates, s, gamma, logit and its roles (2D canvas and 3D view);
// without the editing hint when edits are locked (presentation mode).
void tokenTooltip(const core::Scene& scene, const CanvasOverlay& overlay, TokenRef token,
                  bool editable = true);

class CanvasPanel {
 public:
  // Draws the canvas over the current window's remaining content region and turns input into
  // commands on `doc`. A refused edit leaves its reason in message(). Same as interact() + render().
  void draw(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style);
  // The two halves of draw(): interact() reserves the region and turns input into commands; the app
  // then brings the run and the theory up to date, so render() shows an edit in the same frame.
  // `input` false: lay out only, ignore the mouse this frame (the grid consumed the click).
  void interact(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style, bool input = true);
  // Presentation mode: the view still zooms (wheel) and pans (right drag), but nothing is edited,
  // picked or deleted, so a stray click in front of a class changes nothing.
  bool editsLocked = false;
  // The legend strip above the view (when the View menu's legend layer is on); the grid draws one for
  // all its cells instead.
  bool showLegend = true;
  void render(const Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style);

  // Keyboard actions the app routes here (F, Delete).
  void fit(Document& doc) { doc.view().canvas.pixelsPerUnit = 0; }
  void deleteHoveredOrActive(Document& doc);
  // Ends a drag in progress (its edits stay, as one undo entry): the app calls it when the canvas stops
  // being shown (the 3D view took its place), so no gesture is left open.
  void releaseDrag(Document& doc);

  const CanvasLayout& layout() const { return layout_; }
  TokenRef hovered() const { return hovered_; }
  bool hoveredCanvas() const { return hoveredCanvas_; }
  // The last refused edit ("a sequence needs at least 2 tokens ..."), cleared by takeMessage().
  std::string takeMessage() { return std::exchange(message_, std::string()); }

 private:
  enum class Drag { None, Token, V, Query, Pan };
  struct Hit {
    Drag kind = Drag::None;  // Token, V or Query; None for empty space
    TokenRef token;
    int seq = -1;  // Query: its sequence
  };
  Hit hitTest(const Document& doc, const CanvasOverlay& overlay, ImVec2 mouse) const;
  void handleInput(Document& doc, const CanvasOverlay& overlay);
  void drawInteractive(ImDrawList* dl, const Document& doc, const CanvasOverlay& overlay,
                       const CanvasStyle& style) const;
  void legendStrip(const Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style) const;
  Eigen::VectorXd lift(const Document& doc, const Eigen::Vector2d& world, const Eigen::VectorXd& keep) const;

  CanvasTransform t_;
  float scale_ = 1.f;
  CanvasLayout layout_;
  TokenRef hovered_;
  bool hoveredCanvas_ = false;
  Drag drag_ = Drag::None;
  TokenRef dragToken_;
  int dragQuery_ = -1;
  Eigen::Vector2d grabOffset_{0, 0};  // world offset from the mouse to the dragged item
  RightClickOrDrag rightButton_;
  std::string message_;
  struct AutoFit {  // the last automatic fit: the canvas size it was made for and the view it gave
    bool made = false;
    ImVec2 size;
    CanvasView view;
  } autoFit_;
};

}  // namespace attnmd::gui
