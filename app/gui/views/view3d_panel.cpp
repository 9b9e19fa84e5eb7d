// [SECTION] input: hit testing, gestures -> commands, orbit/pan/zoom
// [SECTION] drawing, the mode bar
#include "app/gui/views/view3d_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "app/gui/render/depth_layer.h"
#include "app/gui/render/gl_renderer.h"
#include "app/gui/views/canvas_paint.h"
#include "app/gui/views/canvas_panel.h"
#include "app/gui/views/view3d_scene.h"
#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {
namespace {

const core::Sequence& seqAt(const core::Scene& s, int i) {
  return s.sequences[static_cast<std::size_t>(i)];
}

float dist2(ImVec2 a, ImVec2 b) {
  return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

// `keep` with its first three coordinates replaced by x (the others are the user's and stay).
Eigen::VectorXd lift(int dim, const Eigen::Vector3d& x, const Eigen::VectorXd& keep) {
  Eigen::VectorXd out = keep.size() == dim ? keep : Eigen::VectorXd::Zero(dim);
  for (int k = 0; k < std::min(3, dim); ++k) out(k) = x(k);
  return out;
}

}  // namespace

// =================================================================================================
// [SECTION] input
// =================================================================================================

View3DPanel::Hit View3DPanel::hitTest(const Document& doc, const CanvasOverlay& ov, ImVec2 mouse) const {
  const core::Scene& s = doc.scene();
  Hit hit;
  if (s.model.v.size() == s.dim &&
      dist2(mouse, P_.toScreen(spatial(s.model.v))) < (10.f * scale_) * (10.f * scale_)) {
    hit.kind = Drag::V;
    return hit;
  }
  // Of the tokens under the pointer, the nearest to the viewer: it is the one drawn on top.
  double nearest = -1e300;
  for (int i = 0; i < s.sequenceCount(); ++i)
    for (int t = 0; t < seqAt(s, i).tokens.rows(); ++t) {
      const Eigen::Vector3d x = spatial(seqAt(s, i).tokens.row(t).transpose());
      const float r = tokenMarkerRadius(ov, i, t, scale_) + 4.f * scale_;
      if (dist2(mouse, P_.toScreen(x)) < r * r && P_.depth(x) > nearest) {
        nearest = P_.depth(x);
        hit.kind = Drag::Token;
        hit.token = {i, t};
      }
    }
  if (hit.kind == Drag::Token) return hit;
  if (s.model.kind != core::ModelKind::Prompt && s.model.query == core::QueryKind::Given)
    for (int i = 0; i < s.sequenceCount(); ++i)
      if (seqAt(s, i).z.size() == s.dim &&
          dist2(mouse, P_.toScreen(spatial(seqAt(s, i).z))) < 81.f * scale_ * scale_) {
        hit.kind = Drag::Query;
        hit.seq = i;
        return hit;
      }
  return hit;
}

void View3DPanel::startDrag(Document& doc, const Hit& h, ImVec2 mouse) {
  const core::Scene& scene = doc.scene();
  drag_ = h.kind;
  dragged_ = h;
  pressAt_ = mouse;
  if (h.kind == Drag::Token) {
    grabbed_ = seqAt(scene, h.token.seq).tokens.row(h.token.token).transpose();
    doc.beginGesture(describe(cmd::MoveToken{h.token.seq, h.token.token, {}}));
  } else if (h.kind == Drag::V) {
    grabbed_ = scene.model.v;
    doc.beginGesture("set v");
  } else if (h.kind == Drag::Query) {
    grabbed_ = seqAt(scene, h.seq).z;
    doc.view().selectedSequence = h.seq;
    doc.beginGesture(describe(cmd::MoveQuery{h.seq, {}}));
  }
}

void View3DPanel::handleInput(Document& doc, const CanvasOverlay& ov) {
  ImGuiIO& io = ImGui::GetIO();
  ViewState& view = doc.view();
  const ImVec2 mouse = io.MousePos;
  const core::Scene& scene = doc.scene();

  hovered_ = TokenRef{};
  if (hoveredView_ && drag_ == Drag::None) {
    const Hit h = hitTest(doc, ov, mouse);
    if (h.kind == Drag::Token) hovered_ = h.token;
  }
  if (hoveredView_ && io.MouseWheel != 0.f) zoomCamera(view.camera, std::pow(1.15, io.MouseWheel));

  // ---- left button: move / pick / orbit; double-click on empty space adds a token
  if (hoveredView_ && drag_ == Drag::None && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    const Hit h = editsLocked ? Hit{} : hitTest(doc, ov, mouse);
    if (h.kind == Drag::Token) {
      view.selectedSequence = h.token.seq;
      view.activeToken = h.token;
      if (view.pickSvmTokens)
        message_ = doc.apply(cmd::PickSvmToken{h.token.seq, h.token.token});
      else
        startDrag(doc, h, mouse);
    } else if (h.kind != Drag::None) {
      startDrag(doc, h, mouse);
    } else if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && !view.pickSvmTokens && !editsLocked &&
               scene.sequenceCount() > 0) {
      const int seq = std::clamp(view.selectedSequence, 0, scene.sequenceCount() - 1);
      const int T = static_cast<int>(seqAt(scene, seq).tokens.rows());
      message_ = doc.apply(cmd::AddToken{seq, lift(scene.dim, P_.onScreenPlane(mouse), {}), -1});
      if (message_.empty()) view.activeToken = {seq, T};
    } else {
      drag_ = Drag::Orbit;
    }
  }
  if (drag_ == Drag::Orbit) {
    orbit(view.camera, io.MouseDelta);
  } else if (drag_ != Drag::None) {
    // The grabbed item follows the pointer in the plane parallel to the screen through where it was.
    const Eigen::Vector3d moved =
        spatial(grabbed_) + P_.screenDelta(ImVec2(mouse.x - pressAt_.x, mouse.y - pressAt_.y));
    const core::Scene& now = doc.scene();
    const Eigen::VectorXd x = lift(now.dim, moved, grabbed_);
    if (drag_ == Drag::Token && dragged_.token.seq < now.sequenceCount() &&
        dragged_.token.token < seqAt(now, dragged_.token.seq).tokens.rows()) {
      if (x != seqAt(now, dragged_.token.seq).tokens.row(dragged_.token.token).transpose())
        doc.update(cmd::MoveToken{dragged_.token.seq, dragged_.token.token, x});
    } else if (drag_ == Drag::V) {
      if (x != now.model.v) doc.update(cmd::SetV{x});
    } else if (drag_ == Drag::Query && dragged_.seq < now.sequenceCount()) {
      if (x != seqAt(now, dragged_.seq).z) doc.update(cmd::MoveQuery{dragged_.seq, x});
    }
  }
  if (drag_ != Drag::None && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    if (drag_ != Drag::Orbit) doc.endGesture();
    drag_ = Drag::None;
  }

  // ---- right button: click deletes, drag pans
  const RightClickOrDrag::Frame right = rightButton_.update(hoveredView_);
  if (right.dragging) panCamera(view.camera, P_, io.MouseDelta);
  panning_ = right.dragging;
  if (right.clicked && !editsLocked) {
    const Hit h = hitTest(doc, ov, right.pressedAt);
    if (h.kind == Drag::Token) message_ = doc.apply(cmd::DeleteToken{h.token.seq, h.token.token});
  }
}

void View3DPanel::releaseDrag(Document& doc) {
  if (drag_ != Drag::None && drag_ != Drag::Orbit && doc.inGesture()) doc.endGesture();
  drag_ = Drag::None;
}

void View3DPanel::deleteHoveredOrActive(Document& doc) {
  const TokenRef target = hovered_.valid() ? hovered_ : doc.view().activeToken;
  if (!target.valid()) return;
  message_ = doc.apply(cmd::DeleteToken{target.seq, target.token});
  if (message_.empty() && doc.view().activeToken == target) doc.view().activeToken = TokenRef{};
}

// =================================================================================================
// [SECTION] drawing, the mode bar
// =================================================================================================

void View3DPanel::interact(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style,
                           bool input) {
  if (doc.view().layers.legend && showLegend) {
    CanvasScene legend;
    legend.scale = style.scale;
    legend.fontSize = ImGui::GetFontSize();
    legend.theme = style.theme;
    legend.legend = view3DLegend(doc.scene().model.kind, overlay.relaxedSvm);
    paintLegendStrip(legend, style);
  }
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.f);
  size.y = std::max(size.y, 50.f);
  Camera3D& camera = doc.view().camera;
  if (camera.pixelsPerUnit <= 0) camera = fitCamera(doc.scene(), size, camera);
  if (!(shown_.pixelsPerUnit > 0)) shown_ = camera;  // the first frame shows the camera as it is

  ImGui::InvisibleButton("##view3d", size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  hoveredView_ = ImGui::IsItemHovered() || ImGui::IsItemActive();
  scale_ = style.scale;
  const ImVec2 p1(p0.x + size.x, p0.y + size.y);
  P_ = Projection3D::make(p0, p1, shown_);
  panning_ = false;
  if (input) handleInput(doc, overlay);
  // What the hand moves follows it at once (orbit, pan); zoom, fit and "Reset view" glide there.
  const Camera3D& want = doc.view().camera;
  if (drag_ == Drag::Orbit) {
    shown_.yaw = want.yaw;
    shown_.pitch = want.pitch;
  }
  if (panning_) {
    shown_.targetX = want.targetX;
    shown_.targetY = want.targetY;
    shown_.targetZ = want.targetZ;
  }
  shown_ = glideCamera(shown_, want, ImGui::GetIO().DeltaTime);
  gliding_ = shown_.yaw != want.yaw || shown_.pitch != want.pitch ||
             shown_.pixelsPerUnit != want.pixelsPerUnit || shown_.targetX != want.targetX ||
             shown_.targetY != want.targetY || shown_.targetZ != want.targetZ;
  P_ = Projection3D::make(p0, p1, shown_);
}

void View3DPanel::render(const Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style) {
  CanvasSceneOptions options;
  options.fontSize = ImGui::GetFontSize();
  options.interactive = true;
  DepthRenderer* gl = currentDepthRenderer();
  options.keepDepthLayer = gl != nullptr;
  CanvasScene scene = buildView3DScene(doc.scene(), doc.view(), overlay, P_, style, options);
  layout_ = scene.layout;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  CanvasStyle overlayStyle = style;
  if (gl) {
    // The geometry through the depth buffer, at the frame's pixel density (an export's 2x frame runs
    // with FontGlobalScale 1/2, see run_app.cpp: the picture then gets twice the pixels too).
    const ImGuiIO& io = ImGui::GetIO();
    DepthRenderOptions o;
    o.pixelsPerPoint = io.DisplayFramebufferScale.x / (io.FontGlobalScale > 0 ? io.FontGlobalScale : 1.f);
    o.background = palette(style.theme).canvasBackground;
    std::string error;
    const DepthRenderer::Target t =
        gl->draw(scene.depth, scene.min, scene.max, o, ImGui::GetFrameCount(), error);
    if (t.texture) {
      dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(t.texture)), scene.min, scene.max,
                   ImVec2(0, 1), ImVec2(1, 0));
      overlayStyle.fillBackground = false;  // the image is the background
      scene.depth = DepthLayer{};           // drawn: ImGui paints only the labels over it
    } else {
      if (error != lastRenderError_) message_ = "3D view: " + error;  // said once, not every frame
      flattenDepthLayer(scene);
    }
    lastRenderError_ = error;
  }
  paintCanvasScene(dl, scene, overlayStyle);
  drawInteractive(dl, doc, overlay, style);
  if (hovered_.valid() && drag_ == Drag::None) tokenTooltip(doc.scene(), overlay, hovered_, !editsLocked);
}

// What only the screen has: the hovered token's ring and a reminder of the mouse controls.
void View3DPanel::drawInteractive(ImDrawList* dl, const Document& doc, const CanvasOverlay& ov,
                                  const CanvasStyle& style) const {
  const Palette& pal = palette(style.theme);
  const float s = style.scale;
  dl->PushClipRect(P_.min, P_.max, true);
  if (hovered_.valid() && hovered_.seq < doc.scene().sequenceCount() &&
      hovered_.token < seqAt(doc.scene(), hovered_.seq).tokens.rows()) {
    const ImVec2 c =
        P_.toScreen(spatial(seqAt(doc.scene(), hovered_.seq).tokens.row(hovered_.token).transpose()));
    dl->AddCircle(c, tokenMarkerRadius(ov, hovered_.seq, hovered_.token, s) + 7.f * s, pal.textMuted, 0,
                  1.f * s);
  }
  if (hoveredView_) {
    const char* text =
        "drag: orbit \xC2\xB7 right-drag: pan \xC2\xB7 wheel: zoom \xC2\xB7 double-click: add token";
    const ImVec2 sz = ImGui::CalcTextSize(text);
    dl->AddText(ImVec2(P_.max.x - sz.x - 8 * s, P_.max.y - ImGui::GetFontSize() - 6 * s), pal.textMuted,
                text);
  }
  dl->PopClipRect();
}

bool viewModeBar(Document& doc, View3DPanel& view3d, float scale, bool geometryApplies) {
  const bool spatial = doc.scene().dim >= 3;
  if (!spatial && !geometryApplies) return false;
  ViewState& view = doc.view();
  const bool geometry = view.geometry && geometryApplies;
  ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + 6.f * scale, ImGui::GetCursorPosY() + 3.f * scale));
  if (spatial) {
    if (ImGui::RadioButton("3D", view.space && !geometry)) {
      view.space = true;
      view.geometry = false;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Show tokens in space (x\xE2\x82\x81, x\xE2\x82\x82, x\xE2\x82\x83): drag to orbit.");
    ImGui::SameLine();
  }
  if (ImGui::RadioButton("2D plane", !geometry && (!view.space || !spatial))) {
    if (spatial) view.space = false;
    view.geometry = false;
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Show the x\xE2\x82\x81\xE2\x80\x93x\xE2\x82\x82 plane only; edits keep the other coordinates.");
  if (geometryApplies) {
    ImGui::SameLine();
    if (ImGui::RadioButton("Geometry", geometry)) view.geometry = true;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Parameter space: the feasible set of the SVM rows, the l_p ball that touches it at the\n"
          "max-margin direction, and each run's direction over time on that ball.");
  }
  if (spatial && view.space && !geometry) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Reset view")) view3d.resetView(doc);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to the default angles, fitted to the data.");
  }
  return spatial && view.space && !geometry;
}

}  // namespace attnmd::gui
