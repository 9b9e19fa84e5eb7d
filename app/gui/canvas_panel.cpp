// [SECTION] input: hit testing, gestures -> commands, pan/zoom
// [SECTION] drawing: grid, theory (margin lines, rays, v), tokens, legend, notices, tooltip
#include "app/gui/canvas_panel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "app/gui/draw_util.h"

namespace attnmd::gui {
namespace {

constexpr float kRightDragThreshold = 4.f;  // pixels: below this a right press is a click (delete)

const core::Sequence& seqAt(const core::Scene& s, int i) {
  return s.sequences[static_cast<std::size_t>(i)];
}

bool hasValues(const CanvasOverlay& ov, int seq, int token) {
  return seq < static_cast<int>(ov.tokens.size()) &&
         token < static_cast<int>(ov.tokens[static_cast<std::size_t>(seq)].size());
}

float dist2(ImVec2 a, ImVec2 b) {
  return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

// "−1.25" with a real minus sign, so numbers read well on a projector.
std::string num(double v, const char* fmt = "%.3g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  std::string s = buf;
  if (!s.empty() && s[0] == '-') s = "\xE2\x88\x92" + s.substr(1);
  return s;
}

}  // namespace

// A label beside the segment a-b at fraction f of its length, on one side (+1 / -1) of it, kept
// inside the canvas.
static void labelAlong(ImDrawList* dl, ImVec2 a, ImVec2 b, float f, float side, const char* text, ImU32 col,
                       ImU32 box, float pad, ImVec2 clipMin, ImVec2 clipMax) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.f) return;
  const ImVec2 sz = ImGui::CalcTextSize(text);
  const float nx = -dy / len * side, ny = dx / len * side;  // unit normal on the chosen side
  const float off = 0.5f * std::sqrt(sz.x * sz.x * nx * nx + sz.y * sz.y * ny * ny) + 4.f * pad;
  ImVec2 c(a.x + f * dx + nx * off, a.y + f * dy + ny * off);
  c.x = std::clamp(c.x, clipMin.x + sz.x * 0.5f + pad, clipMax.x - sz.x * 0.5f - pad);
  c.y = std::clamp(c.y, clipMin.y + sz.y * 0.5f + pad, clipMax.y - sz.y * 0.5f - pad);
  drawLabel(dl, ImVec2(c.x - sz.x * 0.5f, c.y - sz.y * 0.5f), col, box, text, pad);
}

// =================================================================================================
// [SECTION] input
// =================================================================================================

float CanvasPanel::markerRadius(const CanvasOverlay& ov, int seq, int token, float scale) const {
  if (!hasValues(ov, seq, token)) return 7.f * scale;
  const double s =
      std::clamp(ov.tokens[static_cast<std::size_t>(seq)][static_cast<std::size_t>(token)].s, 0.0, 1.0);
  return scale * (3.5f + 8.5f * static_cast<float>(std::sqrt(s)));  // area ~ attention weight
}

Eigen::VectorXd CanvasPanel::lift(const Document& doc, const Eigen::Vector2d& w,
                                  const Eigen::VectorXd& keep) const {
  const int d = doc.scene().dim;
  Eigen::VectorXd x = keep.size() == d ? keep : Eigen::VectorXd::Zero(d);
  if (d > 0) x(0) = w.x();
  if (d > 1) x(1) = w.y();
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
      const float r = markerRadius(ov, i, t, scale) + 4.f * scale;
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

  // ---- left button: add / move / pick
  if (hoveredCanvas_ && drag_ == Drag::None && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
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
    } else if (!view.pickSvmTokens && scene.sequenceCount() > 0) {
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
  if (hoveredCanvas_ && !rightDown_ && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
    rightDown_ = true;
    rightDragged_ = false;
    rightPress_ = mouse;
  }
  if (rightDown_) {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Right)) {
      if (!rightDragged_ && dist2(mouse, rightPress_) > kRightDragThreshold * kRightDragThreshold)
        rightDragged_ = true;
      if (rightDragged_) panBy(view.canvas, io.MouseDelta);
    } else {
      if (!rightDragged_) {
        const Hit h = hitTest(doc, ov, rightPress_);
        if (h.kind == Drag::Token) message_ = doc.apply(cmd::DeleteToken{h.token.seq, h.token.token});
      }
      rightDown_ = false;
    }
  }
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

void CanvasPanel::interact(Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style) {
  if (doc.view().layers.legend) legendStrip(doc, style);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.f);
  size.y = std::max(size.y, 50.f);
  if (doc.view().canvas.pixelsPerUnit <= 0) doc.view().canvas = fitView(doc.scene(), size);

  ImGui::InvisibleButton("##canvas", size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  hoveredCanvas_ = ImGui::IsItemHovered();
  scale_ = style.scale;
  t_ = CanvasTransform::make(p0, ImVec2(p0.x + size.x, p0.y + size.y), doc.view().canvas);
  handleInput(doc, overlay);
  t_ = CanvasTransform::make(p0, ImVec2(p0.x + size.x, p0.y + size.y), doc.view().canvas);
}

void CanvasPanel::render(const Document& doc, const CanvasOverlay& overlay, const CanvasStyle& style) {
  if (doc.view().canvas.pixelsPerUnit > 0) t_ = CanvasTransform::make(t_.min, t_.max, doc.view().canvas);
  layout_ = CanvasLayout{};
  layout_.transform = t_;
  layout_.rayThickness = 2.5f * style.scale;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(t_.min, t_.max, true);
  if (style.fillBackground) dl->AddRectFilled(t_.min, t_.max, palette(style.theme).canvasBackground);
  if (doc.view().layers.grid) drawGrid(dl, style);
  drawTheory(dl, doc, overlay, style);
  drawTokens(dl, doc, overlay, style);
  drawNotices(dl, doc, overlay, style);
  dl->PopClipRect();
  if (hovered_.valid() && drag_ == Drag::None) tooltip(doc, overlay);
}

void CanvasPanel::drawGrid(ImDrawList* dl, const CanvasStyle& style) const {
  const Palette& pal = palette(style.theme);
  const double step = niceGridStep(t_.pixelsPerUnit, 70.0 * style.scale);
  const Eigen::Vector2d lo = t_.worldMin(), hi = t_.worldMax();
  const float labelSize = ImGui::GetFontSize() * 0.85f;
  for (double x = std::ceil(lo.x() / step) * step; x <= hi.x(); x += step) {
    const float sx = t_.toScreen(x, 0).x;
    const bool axis = std::abs(x) < step * 1e-6;
    dl->AddLine(ImVec2(sx, t_.min.y), ImVec2(sx, t_.max.y), axis ? pal.axis : pal.gridMinor,
                axis ? 1.5f * style.scale : 1.f);
    if (!axis)
      dl->AddText(ImGui::GetFont(), labelSize, ImVec2(sx + 3, t_.max.y - labelSize - 3), pal.textMuted,
                  num(std::abs(x) < step * 1e-6 ? 0.0 : x, "%g").c_str());
  }
  for (double y = std::ceil(lo.y() / step) * step; y <= hi.y(); y += step) {
    const float sy = t_.toScreen(0, y).y;
    const bool axis = std::abs(y) < step * 1e-6;
    dl->AddLine(ImVec2(t_.min.x, sy), ImVec2(t_.max.x, sy), axis ? pal.axis : pal.gridMinor,
                axis ? 1.5f * style.scale : 1.f);
    if (!axis)
      dl->AddText(ImGui::GetFont(), labelSize, ImVec2(t_.min.x + 4, sy - labelSize - 1), pal.textMuted,
                  num(y, "%g").c_str());
  }
}

void CanvasPanel::drawTheory(ImDrawList* dl, const Document& doc, const CanvasOverlay& ov,
                             const CanvasStyle& style) {
  const Palette& pal = palette(style.theme);
  const core::Scene& scene = doc.scene();
  const float s = style.scale;
  const int n = scene.sequenceCount();
  const bool planarScene = scene.dim == 2;

  // Margin lines first (thin, under everything): support tokens sit on them, the rest beyond.
  if (doc.view().layers.marginLines && ov.svmOk && planarScene)
    for (int i = 0; i < n && i < static_cast<int>(ov.marginNormal.size()); ++i) {
      ImVec2 a, b;
      if (ov.marginNormal[static_cast<std::size_t>(i)].size() == 2 &&
          clipLine(t_, planar(ov.marginNormal[static_cast<std::size_t>(i)]),
                   ov.marginOffset[static_cast<std::size_t>(i)], a, b))
        // Thin and translucent rather than dotted: one line is a handful of triangles, a dotted one
        // hundreds, and 25 sequences of dots cost a software renderer milliseconds per frame.
        dl->AddLine(a, b, withAlpha(sequenceColour(style.theme, i), 0.55f), 1.2f * s);
    }

  const float labelPad = 2.f * s;
  if (ov.model == core::ModelKind::Prompt) {
    ImVec2 a, b;
    if (ov.paramRay.size() > 0 && clipRay(t_, planar(ov.paramRay), a, b)) {
      dl->AddLine(a, b, pal.foreground, layout_.rayThickness);
      layout_.paramRay = true;
      layout_.paramRayFrom = a;
      layout_.paramRayTo = b;
      labelAlong(dl, a, b, 0.72f, +1.f, "p", pal.foreground, pal.panelOverlay, labelPad, t_.min, t_.max);
    }
    if (ov.svmOk && ov.svmRay.size() > 0 && clipRay(t_, planar(ov.svmRay), a, b)) {
      drawDashedLine(dl, a, b, pal.svm, layout_.rayThickness, 10.f * s, 6.f * s);
      layout_.svmRay = true;
      layout_.svmRayFrom = a;
      layout_.svmRayTo = b;
      labelAlong(
          dl, a, b, 0.72f, -1.f,
          ov.relaxedSvm ? "p\xE1\xB5\x90\xE1\xB5\x90 (relaxed SVM)" : "p\xE1\xB5\x90\xE1\xB5\x90 (SVM)",
          pal.svm, pal.panelOverlay, labelPad, t_.min, t_.max);
    }
  } else {
    // W z_i and W^mm z_i as arrows from the query point z_i: they rank sequence i's tokens.
    const float len = 0.16f * std::min(t_.max.x - t_.min.x, t_.max.y - t_.min.y);
    for (int i = 0; i < n; ++i) {
      const ImVec2 from = t_.toScreen(planar(scene.queryOf(i)));
      const ImU32 col = sequenceColour(style.theme, i);
      auto arrowAlong = [&](const Eigen::VectorXd& q, bool dashed) {
        const Eigen::Vector2d d = planar(q);
        const double l = d.norm();
        if (!(l > 1e-300) || !std::isfinite(l)) return;
        const ImVec2 to(from.x + len * static_cast<float>(d.x() / l),
                        from.y - len * static_cast<float>(d.y() / l));
        if (dashed)
          drawDashedArrow(dl, from, to, col, 2.f * s, 9.f * s, 6.f * s, 4.f * s);
        else
          drawArrow(dl, from, to, col, 2.5f * s, 10.f * s);
      };
      if (i < static_cast<int>(ov.paramQueries.size()))
        arrowAlong(ov.paramQueries[static_cast<std::size_t>(i)], false);
      if (ov.svmOk && i < static_cast<int>(ov.svmQueries.size()))
        arrowAlong(ov.svmQueries[static_cast<std::size_t>(i)], true);
    }
  }

  // v: the decoder direction that scores tokens (gamma = Y v^T x); its tip is draggable. When v is
  // trained, the handle is its start value v0 and the trained v is drawn along its direction (its
  // norm grows without bound, so the arrow's length is capped).
  if (scene.model.v.size() == scene.dim) {
    const ImVec2 o = t_.toScreen(0, 0), tip = t_.toScreen(planar(scene.model.v));
    const bool trained = scene.model.trainV;
    drawArrow(dl, o, tip, withAlpha(pal.vArrow, trained ? 0.5f : 1.f), 2.f * s, 10.f * s);
    dl->AddCircle(tip, 5.f * s, pal.vArrow, 0, 1.5f * s);
    dl->AddText(ImVec2(tip.x + 7 * s, tip.y - ImGui::GetFontSize() - 1 * s), pal.vArrow,
                trained ? "v\xE2\x82\x80" : "v");
    layout_.vTip = tip;
    if (trained && ov.trainedV.size() == scene.dim) {
      const Eigen::Vector2d w = planar(ov.trainedV) * t_.pixelsPerUnit;
      const double len = w.norm(), cap = 0.3 * std::min(t_.max.x - t_.min.x, t_.max.y - t_.min.y);
      if (len > 1e-9 && std::isfinite(len)) {
        const double k = std::min(1.0, cap / len);
        const ImVec2 end(o.x + static_cast<float>(w.x() * k), o.y - static_cast<float>(w.y() * k));
        drawArrow(dl, o, end, pal.vArrow, 2.5f * s, 11.f * s);
        dl->AddText(ImVec2(end.x + 7 * s, end.y - ImGui::GetFontSize() - 1 * s), pal.vArrow,
                    k < 1 ? "v (trained, shortened)" : "v (trained)");
      }
    }
  }
  const ImVec2 o = t_.toScreen(0, 0);
  dl->AddCircleFilled(o, 2.5f * s, pal.axis);
}

void CanvasPanel::drawTokens(ImDrawList* dl, const Document& doc, const CanvasOverlay& ov,
                             const CanvasStyle& style) {
  const Palette& pal = palette(style.theme);
  const core::Scene& scene = doc.scene();
  const ViewState& view = doc.view();
  const float s = style.scale;
  const bool queries = scene.model.kind != core::ModelKind::Prompt;
  for (int i = 0; i < scene.sequenceCount(); ++i) {
    const core::Sequence& q = seqAt(scene, i);
    const ImU32 col = sequenceColour(style.theme, i);
    const bool current = i == view.selectedSequence;
    const int sel = i < static_cast<int>(ov.selected.size()) ? ov.selected[static_cast<std::size_t>(i)] : -1;
    const int opt = i < static_cast<int>(ov.optimal.size()) ? ov.optimal[static_cast<std::size_t>(i)] : -1;
    for (int t = 0; t < q.tokens.rows(); ++t) {
      const ImVec2 c = t_.toScreen(planar(q.tokens.row(t).transpose()));
      const float r = markerRadius(ov, i, t, s);
      CanvasLayout::Marker m{i, t, c, r, 0.f, 0.f};
      // Only the selected sequence's markers are outlined (it is where clicks add tokens).
      if (style.sprites && style.sprites->valid && q.y > 0) {
        const int k = style.sprites->pick(r);
        if (current) {
          const float o = r + 1.5f * s;  // outline: a slightly larger disc underneath
          dl->AddImage(ImGui::GetIO().Fonts->TexID, ImVec2(c.x - o, c.y - o), ImVec2(c.x + o, c.y + o),
                       style.sprites->uv0[k], style.sprites->uv1[k], pal.foreground);
        }
        dl->AddImage(ImGui::GetIO().Fonts->TexID, ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r),
                     style.sprites->uv0[k], style.sprites->uv1[k], col);
      } else {
        drawMarker(dl, c, r, shapeForLabel(q.y), col, pal.foreground, current ? 1.5f * s : 0.f);
      }
      if (queries && scene.model.query == core::QueryKind::First && t == 0)
        dl->AddCircleFilled(c, std::max(1.5f * s, 0.3f * r), pal.canvasBackground);  // the query token
      // Badges sit on the diagonal just outside the ring: optimal star upper right, support diamond
      // lower left, so neither hides the marker (whose size is the attention weight).
      const float badge = (r + 6.f * s) * 0.70711f;
      if (t == sel) {
        m.ringRadius = r + 4.f * s;
        m.ringThickness = 2.f * s;
        dl->AddCircle(c, m.ringRadius, pal.foreground, 0, m.ringThickness);
      }
      if (view.layers.supportMarks && ov.svmOk && i < static_cast<int>(ov.support.size()) &&
          t < static_cast<int>(ov.support[static_cast<std::size_t>(i)].size()) &&
          ov.support[static_cast<std::size_t>(i)][static_cast<std::size_t>(t)])
        drawDiamondBadge(dl, ImVec2(c.x - badge, c.y + badge), 5.f * s, pal.svm, pal.canvasBackground,
                         1.f * s);
      if (view.layers.optimalMarks && t == opt)
        drawStar(dl, ImVec2(c.x + badge, c.y - badge), 5.5f * s, pal.optimal, pal.markerOutline, 1.f * s);
      if (hovered_ == TokenRef{i, t}) dl->AddCircle(c, r + 7.f * s, pal.textMuted, 0, 1.f * s);
      layout_.markers.push_back(m);
    }
    if (queries && scene.model.query == core::QueryKind::Given && q.z.size() == scene.dim) {
      const ImVec2 c = t_.toScreen(planar(q.z));
      const float h = 6.f * s;
      dl->AddLine(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), col, 3.f * s);
      dl->AddLine(ImVec2(c.x - h, c.y + h), ImVec2(c.x + h, c.y - h), col, 3.f * s);
    }
  }
}

// The legend as a strip above the canvas (never on top of data), wrapping onto a second row when the
// canvas is narrow.
void CanvasPanel::legendStrip(const Document& doc, const CanvasStyle& style) const {
  const Palette& pal = palette(style.theme);
  const float s = style.scale, fs = ImGui::GetFontSize() * 0.9f;  // a notch smaller than the UI text
  ImFont* font = ImGui::GetFont();
  const bool prompt = doc.scene().model.kind == core::ModelKind::Prompt;
  struct Item {
    int icon;
    const char* text;
  };
  const Item items[] = {
      {0, "y = +1"},
      {1,
       "y = \xE2\x88\x92"
       "1"},
      {2, "selected (argmax s)"},
      {3, "optimal (argmax \xCE\xB3)"},
      {4, "support"},
      {5, prompt ? "p" : "W z\xE1\xB5\xA2"},
      {6, prompt ? "p\xE1\xB5\x90\xE1\xB5\x90 (SVM)" : "W\xE1\xB5\x90\xE1\xB5\x90 z\xE1\xB5\xA2 (SVM)"},
      {7, "margin lines"},
      {8, "v"}};
  const float icon = 22.f * s, gap = 10.f * s, pad = 6.f * s;
  const float left = ImGui::GetCursorScreenPos().x + pad;
  const float right = left + ImGui::GetContentRegionAvail().x - 2 * pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 at(left, ImGui::GetCursorScreenPos().y + pad * 0.6f);
  const ImU32 grey = pal.textMuted;
  for (const Item& it : items) {
    const float w = icon + font->CalcTextSizeA(fs, FLT_MAX, 0.f, it.text).x;
    if (at.x + w > right && at.x > left) {
      at.x = left;
      at.y += fs + 5.f * s;
    }
    const ImVec2 c(at.x + icon * 0.5f - 2.f * s, at.y + fs * 0.5f);
    switch (it.icon) {
      case 0:
        drawMarker(dl, c, 5.f * s, MarkerShape::Circle, grey, grey, 0);
        break;
      case 1:
        drawMarker(dl, c, 5.f * s, MarkerShape::Square, grey, grey, 0);
        break;
      case 2:
        drawMarker(dl, c, 3.5f * s, MarkerShape::Circle, grey, grey, 0);
        dl->AddCircle(c, 7.f * s, pal.foreground, 0, 2.f * s);
        break;
      case 3:
        drawStar(dl, c, 6.f * s, pal.optimal, pal.markerOutline, 1.f * s);
        break;
      case 4:
        drawDiamondBadge(dl, c, 5.5f * s, pal.svm, pal.canvasBackground, 1.f * s);
        break;
      case 5:
        dl->AddLine(ImVec2(c.x - 10 * s, c.y), ImVec2(c.x + 10 * s, c.y), pal.foreground, 2.5f * s);
        break;
      case 6:
        drawDashedLine(dl, ImVec2(c.x - 10 * s, c.y), ImVec2(c.x + 10 * s, c.y), pal.svm, 2.5f * s, 6 * s,
                       3 * s);
        break;
      case 7:
        dl->AddLine(ImVec2(c.x - 10 * s, c.y), ImVec2(c.x + 10 * s, c.y), withAlpha(grey, 0.8f), 1.2f * s);
        break;
      case 8:
        drawArrow(dl, ImVec2(c.x - 10 * s, c.y), ImVec2(c.x + 10 * s, c.y), pal.vArrow, 2.f * s, 8.f * s);
        break;
    }
    dl->AddText(font, fs, ImVec2(at.x + icon, at.y), pal.text, it.text);
    at.x += w + gap;
  }
  ImGui::Dummy(ImVec2(right - left, at.y + fs + pad - ImGui::GetCursorScreenPos().y));
}

void CanvasPanel::drawNotices(ImDrawList* dl, const Document& doc, const CanvasOverlay& ov,
                              const CanvasStyle& style) {
  const Palette& pal = palette(style.theme);
  const float s = style.scale, fs = ImGui::GetFontSize();
  float y = t_.min.y + 10 * s;
  auto centered = [&](const std::string& text, ImU32 col) {
    const ImVec2 sz = ImGui::CalcTextSize(text.c_str());
    const float x = std::max(t_.min.x + 8 * s, 0.5f * (t_.min.x + t_.max.x) - 0.5f * sz.x);
    const ImVec2 p(x - 8 * s, y - 5 * s), q(x + sz.x + 8 * s, y + sz.y + 5 * s);
    dl->AddRectFilled(p, q, pal.panelOverlay, 4 * s);
    dl->AddRect(p, q, col, 4 * s, 0, 1.5f * s);
    dl->AddText(ImVec2(x, y), col, text.c_str());
    y += sz.y + 16 * s;
  };
  if (!ov.svmOk && !ov.svmMessage.empty()) {
    centered("No max-margin direction: " + ov.svmMessage, pal.warning);
    layout_.svmNotice = true;
  }
  if (doc.scene().dim != 2)
    centered(std::to_string(doc.scene().dim) +
                 "D scene: showing the x\xE2\x82\x81\xE2\x80\x93x\xE2\x82\x82 plane (edits keep the other "
                 "coordinates)",
             pal.textMuted);
  if (doc.view().pickSvmTokens)
    centered("Click a token to make it \xCE\xB1\xE1\xB5\xA2 of its sequence (Esc: done)", pal.text);
  if (!ov.hint.empty()) {
    const ImVec2 sz = ImGui::CalcTextSize(ov.hint.c_str());
    const ImVec2 p(0.5f * (t_.min.x + t_.max.x) - 0.5f * sz.x, t_.max.y - sz.y - 30 * s);
    drawLabel(dl, p, pal.text, pal.panelOverlay, ov.hint.c_str(), 6 * s);
  }
  if (hoveredCanvas_) {
    const Eigen::Vector2d w = t_.toWorld(ImGui::GetIO().MousePos);
    std::string text = "(";
    text += num(w.x(), "%.2f");
    text += ", ";
    text += num(w.y(), "%.2f");
    text += ")";
    const ImVec2 sz = ImGui::CalcTextSize(text.c_str());
    dl->AddText(ImVec2(t_.max.x - sz.x - 8 * s, t_.max.y - fs - 6 * s), pal.textMuted, text.c_str());
  }
}

void CanvasPanel::tooltip(const Document& doc, const CanvasOverlay& ov) const {
  const core::Scene& scene = doc.scene();
  if (hovered_.seq >= scene.sequenceCount()) return;
  const core::Sequence& q = seqAt(scene, hovered_.seq);
  if (hovered_.token >= q.tokens.rows()) return;
  ImGui::BeginTooltip();
  ImGui::Text("sequence %d (y = %s), token %d", hovered_.seq,
              q.y > 0 ? "+1"
                      : "\xE2\x88\x92"
                        "1",
              hovered_.token);
  std::string coords = "x = (";
  for (Eigen::Index k = 0; k < q.tokens.cols(); ++k)
    coords += (k ? ", " : "") + num(q.tokens(hovered_.token, k), "%.3f");
  ImGui::TextUnformatted((coords + ")").c_str());
  if (hasValues(ov, hovered_.seq, hovered_.token)) {
    const TokenValues& v =
        ov.tokens[static_cast<std::size_t>(hovered_.seq)][static_cast<std::size_t>(hovered_.token)];
    ImGui::Separator();
    ImGui::TextUnformatted(("s = " + num(v.s, "%.4g") + "   attention weight softmax(a)").c_str());
    ImGui::TextUnformatted(("\xCE\xB3 = " + num(v.gamma, "%.4g") + "   score y v\xE1\xB5\x80x").c_str());
    ImGui::TextUnformatted(("a = " + num(v.logit, "%.4g") + "   logit").c_str());
  }
  std::string roles;
  auto role = [&](bool on, const char* name) {
    if (on) roles += (roles.empty() ? "" : " \xC2\xB7 ") + std::string(name);
  };
  const auto idx = static_cast<std::size_t>(hovered_.seq);
  role(idx < ov.selected.size() && ov.selected[idx] == hovered_.token, "selected");
  role(idx < ov.optimal.size() && ov.optimal[idx] == hovered_.token, "optimal");
  role(ov.svmOk && idx < ov.support.size() &&
           static_cast<std::size_t>(hovered_.token) < ov.support[idx].size() &&
           ov.support[idx][static_cast<std::size_t>(hovered_.token)],
       "support");
  if (!roles.empty()) ImGui::TextUnformatted(roles.c_str());
  ImGui::TextDisabled("drag: move \xC2\xB7 right click / Delete: remove");
  ImGui::EndTooltip();
}

}  // namespace attnmd::gui
