// [SECTION] input: hit testing, gestures -> commands, pan/zoom
// [SECTION] drawing: the canvas description (canvas_scene.h) painted, plus hover, legend strip, tooltip
#include "app/gui/views/canvas_panel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "app/gui/views/canvas_paint.h"
#include "app/gui/widgets/draw_util.h"
#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {
namespace {

// Pixels an automatic fit keeps free at each canvas edge (times the UI scale): a selected token's ring
// reaches about this far from its centre.
constexpr float kFitEdgePad = 16.f;

const core::Sequence& seqAt(const core::Scene& s, int i) {
  return s.sequences[static_cast<std::size_t>(i)];
}

float dist2(ImVec2 a, ImVec2 b) {
  return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

}  // namespace

// =================================================================================================
// [SECTION] input
// =================================================================================================

Eigen::VectorXd CanvasPanel::lift(const Document& doc, const Eigen::Vector2d& w,
                                  const Eigen::VectorXd& keep) const {
  const int d = doc.scene().dim;
  Eigen::VectorXd x = keep.size() == d ? keep : Eigen::VectorXd::Zero(d);
  // Rounded to a pixel's worth, or snapped to the grid with Ctrl held.
  const double step = placementStep(t_.pixelsPerUnit, scale_, ImGui::GetIO().KeyCtrl);
  if (d > 0) x(0) = roundToStep(w.x(), step);
  if (d > 1) x(1) = roundToStep(w.y(), step);
  return x;
}

CanvasPanel::Hit CanvasPanel::hitTest(const Document& doc, const CanvasOverlay& ov, ImVec2 mouse) const {
  const core::Scene& s = doc.scene();
  const float scale = scale_;
  Hit hit;
  if (s.model.v.size() == s.dim &&
      dist2(mouse, t_.toScreen(planar(s.model.v))) < (10.f * scale) * (10.f * scale)) {
    hit.kind = Drag::V;
    return hit;
  }
  float best = 1e30f;
  for (int i = 0; i < s.sequenceCount(); ++i)
    for (int t = 0; t < seqAt(s, i).tokens.rows(); ++t) {
      const float r = tokenMarkerRadius(ov, i, t, scale) + 4.f * scale;
      const float d = dist2(mouse, t_.toScreen(planar(seqAt(s, i).tokens.row(t).transpose())));
      if (d < r * r && d < best) {
        best = d;
        hit.kind = Drag::Token;
        hit.token = {i, t};
      }
    }
  if (hit.kind == Drag::Token) return hit;
  if (s.model.kind != core::ModelKind::Prompt && s.model.query == core::QueryKind::Given)
    for (int i = 0; i < s.sequenceCount(); ++i)
      if (seqAt(s, i).z.size() == s.dim &&
          dist2(mouse, t_.toScreen(planar(seqAt(s, i).z))) < 81.f * scale * scale) {
        hit.kind = Drag::Query;
        hit.seq = i;
        return hit;
      }
  return hit;
}

void CanvasPanel::handleInput(Document& doc, const CanvasOverlay& ov) {
  ImGuiIO& io = ImGui::GetIO();
  ViewState& view = doc.view();
  const ImVec2 mouse = io.MousePos;
  const Eigen::Vector2d world = t_.toWorld(mouse);
  const core::Scene& scene = doc.scene();

  hovered_ = TokenRef{};
  if (hoveredCanvas_ && drag_ == Drag::None) {
    const Hit h = hitTest(doc, ov, mouse);
    if (h.kind == Drag::Token) hovered_ = h.token;
  }

  if (hoveredCanvas_ && io.MouseWheel != 0.f) zoomAt(view.canvas, t_, mouse, std::pow(1.15, io.MouseWheel));

  // ---- left button: move / pick; double-click on empty space adds a token
  if (hoveredCanvas_ && drag_ == Drag::None && !editsLocked && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    const Hit h = hitTest(doc, ov, mouse);
    if (h.kind == Drag::Token) {
      view.selectedSequence = h.token.seq;
      view.activeToken = h.token;
      if (view.pickSvmTokens) {
        message_ = doc.apply(cmd::PickSvmToken{h.token.seq, h.token.token});
      } else {
        drag_ = Drag::Token;
        dragToken_ = h.token;
        grabOffset_ = planar(seqAt(scene, h.token.seq).tokens.row(h.token.token).transpose()) - world;
        doc.beginGesture(describe(cmd::MoveToken{h.token.seq, h.token.token, {}}));
      }
    } else if (h.kind == Drag::V) {
      drag_ = Drag::V;
      grabOffset_ = planar(scene.model.v) - world;
      doc.beginGesture("set v");
    } else if (h.kind == Drag::Query) {
      drag_ = Drag::Query;
      dragQuery_ = h.seq;
      view.selectedSequence = h.seq;
      grabOffset_ = planar(seqAt(scene, h.seq).z) - world;
      doc.beginGesture(describe(cmd::MoveQuery{h.seq, {}}));
    } else if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && !view.pickSvmTokens &&
               scene.sequenceCount() > 0) {
      // A double-click, not a click: in a class, one stray click on empty canvas must not add a token
      // (and restart a trained run).
      const int seq = std::clamp(view.selectedSequence, 0, scene.sequenceCount() - 1);
      const int T = static_cast<int>(seqAt(scene, seq).tokens.rows());
      doc.beginGesture(describe(cmd::AddToken{seq, {}, -1}));
      message_ = doc.update(cmd::AddToken{seq, lift(doc, world, {}), -1});
      if (message_.empty()) {
        // Keep the button down to place the new token precisely: the same gesture moves it.
        drag_ = Drag::Token;
        dragToken_ = {seq, T};
        grabOffset_.setZero();
        view.activeToken = dragToken_;
      } else {
        doc.cancelGesture();
      }
    }
  }
  if (drag_ != Drag::None && drag_ != Drag::Pan) {
    const Eigen::Vector2d target = world + grabOffset_;
    if (drag_ == Drag::Token && dragToken_.seq < doc.scene().sequenceCount()) {
      const auto& X = seqAt(doc.scene(), dragToken_.seq).tokens;
      if (dragToken_.token < X.rows()) {
        const Eigen::VectorXd x = lift(doc, target, X.row(dragToken_.token).transpose());
        if (x != X.row(dragToken_.token).transpose())
          doc.update(cmd::MoveToken{dragToken_.seq, dragToken_.token, x});
      }
    } else if (drag_ == Drag::V) {
      const Eigen::VectorXd v = lift(doc, target, doc.scene().model.v);
      if (v != doc.scene().model.v) doc.update(cmd::SetV{v});
    } else if (drag_ == Drag::Query && dragQuery_ < doc.scene().sequenceCount()) {
      const auto& z = seqAt(doc.scene(), dragQuery_).z;
      const Eigen::VectorXd nz = lift(doc, target, z);
      if (nz != z) doc.update(cmd::MoveQuery{dragQuery_, nz});
    }
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      doc.endGesture();
      drag_ = Drag::None;
    }
  }

  // ---- right button: click deletes, drag pans
  const RightClickOrDrag::Frame right = rightButton_.update(hoveredCanvas_);
  if (right.dragging) panBy(view.canvas, io.MouseDelta);
  if (right.clicked && !editsLocked) {
    const Hit h = hitTest(doc, ov, right.pressedAt);
    if (h.kind == Drag::Token) message_ = doc.apply(cmd::DeleteToken{h.token.seq, h.token.token});
  }
}

void CanvasPanel::releaseDrag(Document& doc) {
  if (drag_ != Drag::None && drag_ != Drag::Pan && doc.inGesture()) doc.endGesture();
  drag_ = Drag::None;
}

void CanvasPanel::deleteHoveredOrActive(Document& doc) {
  const TokenRef target = hovered_.valid() ? hovered_ : doc.view().activeToken;
  if (!target.valid()) return;
  message_ = doc.apply(cmd::DeleteToken{target.seq, target.token});
  if (message_.empty() && doc.view().activeToken == target) doc.view().activeToken = TokenRef{};
}

// =================================================================================================
// [SECTION] drawing
// =================================================================================================

void CanvasPanel::draw(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style) {
  interact(doc, overlay, style);
  render(doc, overlay, style);
}

void CanvasPanel::interact(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style,
                           bool input) {
  if (doc.view().layers.legend && showLegend) legendStrip(doc, overlay, style);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.f);
  size.y = std::max(size.y, 50.f);
  // An automatic fit follows the canvas's size until the user pans or zooms: the first frames' layout
  // (at a large UI scale) and a resized window give a canvas of another size than the fit was made for.
  CanvasView& view = doc.view().canvas;
  const bool fitUntouched = autoFit_.made && view.centerX == autoFit_.view.centerX &&
                            view.centerY == autoFit_.view.centerY &&
                            view.pixelsPerUnit == autoFit_.view.pixelsPerUnit;
  const bool resized = std::abs(size.x - autoFit_.size.x) > 1.f || std::abs(size.y - autoFit_.size.y) > 1.f;
  if (view.pixelsPerUnit <= 0 || (fitUntouched && resized)) {
    view = fitView(doc.scene(), size, kFitEdgePad * style.scale);
    view.fitted = true;
    autoFit_ = {true, size, view};
  }

  ImGui::InvisibleButton("##canvas", size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  hoveredCanvas_ = ImGui::IsItemHovered();
  scale_ = style.scale;
  t_ = CanvasTransform::make(p0, ImVec2(p0.x + size.x, p0.y + size.y), doc.view().canvas);
  const CanvasView before = doc.view().canvas;
  if (input) handleInput(doc, overlay);
  CanvasView& shown = doc.view().canvas;
  if (shown.centerX != before.centerX || shown.centerY != before.centerY ||
      shown.pixelsPerUnit != before.pixelsPerUnit)
    shown.fitted = false;  // panned or zoomed: the user's own view
  t_ = CanvasTransform::make(p0, ImVec2(p0.x + size.x, p0.y + size.y), shown);
}

void CanvasPanel::render(const Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style) {
  if (doc.view().canvas.pixelsPerUnit > 0) t_ = CanvasTransform::make(t_.min, t_.max, doc.view().canvas);
  CanvasSceneOptions options;
  options.fontSize = ImGui::GetFontSize();
  options.interactive = true;
  const CanvasScene scene = buildCanvasScene(doc.scene(), doc.view(), overlay, t_, style, options);
  layout_ = scene.layout;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  paintCanvasScene(dl, scene, style);
  // The axis names, as the SVG export has them.
  const float fs = ImGui::GetFontSize();
  dl->PushClipRect(scene.min, scene.max, true);
  for (const AxisNameLabel& l : axisNameLabels(scene, fs, [&](const std::string& t) {
         return ImGui::GetFont()->CalcTextSizeA(fs, FLT_MAX, 0.f, t.c_str()).x;
       }))
    dl->AddText(l.at, palette(style.theme).textMuted, l.text.c_str());
  dl->PopClipRect();
  drawInteractive(dl, doc, overlay, style);
  if (hovered_.valid() && drag_ == Drag::None) tokenTooltip(doc.scene(), overlay, hovered_, !editsLocked);
}

// What only the screen has: the hovered token's ring and the pointer's world coordinates.
void CanvasPanel::drawInteractive(ImDrawList* dl, const Document& doc, const CanvasOverlay& ov,
                                  const CanvasStyle& style) const {
  const Palette& pal = palette(style.theme);
  const float s = style.scale;
  dl->PushClipRect(t_.min, t_.max, true);
  if (hovered_.valid() && hovered_.seq < doc.scene().sequenceCount() &&
      hovered_.token < seqAt(doc.scene(), hovered_.seq).tokens.rows()) {
    const ImVec2 c =
        t_.toScreen(planar(seqAt(doc.scene(), hovered_.seq).tokens.row(hovered_.token).transpose()));
    dl->AddCircle(c, tokenMarkerRadius(ov, hovered_.seq, hovered_.token, s) + 7.f * s, pal.textMuted, 0,
                  1.f * s);
  }
  if (hoveredCanvas_) {
    const Eigen::Vector2d w = t_.toWorld(ImGui::GetIO().MousePos);
    std::string text = "(";  // appended piecewise: GCC 12 warns (-Wrestrict) on "(" + std::string
    text += canvasNumber(w.x(), "%.2f");
    text += ", ";
    text += canvasNumber(w.y(), "%.2f");
    text += ")";
    const ImVec2 sz = ImGui::CalcTextSize(text.c_str());
    dl->AddText(ImVec2(t_.max.x - sz.x - 8 * s, t_.max.y - ImGui::GetFontSize() - 6 * s), pal.textMuted,
                text.c_str());
  }
  dl->PopClipRect();
}

// The legend as a strip above the canvas (never on top of data), wrapping onto a second row when the
// canvas is narrow.
void CanvasPanel::legendStrip(const Document& doc, const CanvasOverlay& ov, const CanvasStyle& style) const {
  CanvasScene legend;
  legend.scale = style.scale;
  legend.fontSize = ImGui::GetFontSize();
  legend.theme = style.theme;
  legend.legend = canvasLegend(doc.scene().model.kind, ov.relaxedSvm);
  paintLegendStrip(legend, style);
}

void tokenTooltip(const core::Scene& scene, const CanvasOverlay& ov, TokenRef token, bool editable) {
  if (!token.valid() || token.seq >= scene.sequenceCount()) return;
  const core::Sequence& q = seqAt(scene, token.seq);
  if (token.token >= q.tokens.rows()) return;
  ImGui::BeginTooltip();
  ImGui::Text("sequence %d (y = %s), token %d", token.seq,
              q.y > 0 ? "+1"
                      : "\xE2\x88\x92"
                        "1",
              token.token);
  std::string coords = "x = (";
  for (Eigen::Index k = 0; k < q.tokens.cols(); ++k)
    coords += (k ? ", " : "") + canvasNumber(q.tokens(token.token, k), "%.3f");
  ImGui::TextUnformatted((coords + ")").c_str());
  if (hasValues(ov, token.seq, token.token)) {
    const TokenValues& v =
        ov.tokens[static_cast<std::size_t>(token.seq)][static_cast<std::size_t>(token.token)];
    ImGui::Separator();
    ImGui::TextUnformatted(("s = " + canvasNumber(v.s, "%.4g") + "   attention weight softmax(a)").c_str());
    ImGui::TextUnformatted(
        ("\xCE\xB3 = " + canvasNumber(v.gamma, "%.4g") + "   score y v\xE1\xB5\x80x").c_str());
    ImGui::TextUnformatted(("a = " + canvasNumber(v.logit, "%.4g") + "   logit").c_str());
  }
  std::string roles;
  auto role = [&](bool on, const char* name) {
    if (on) roles += (roles.empty() ? "" : " \xC2\xB7 ") + std::string(name);
  };
  const auto idx = static_cast<std::size_t>(token.seq);
  role(idx < ov.selected.size() && ov.selected[idx] == token.token, "selected");
  role(idx < ov.optimal.size() && ov.optimal[idx] == token.token, "optimal");
  role(ov.svmOk && idx < ov.support.size() &&
           static_cast<std::size_t>(token.token) < ov.support[idx].size() &&
           ov.support[idx][static_cast<std::size_t>(token.token)],
       "support");
  if (!roles.empty()) ImGui::TextUnformatted(roles.c_str());
  if (editable) ImGui::TextDisabled("drag: move \xC2\xB7 right click / Delete: remove");
  ImGui::EndTooltip();
}

}  // namespace attnmd::gui
