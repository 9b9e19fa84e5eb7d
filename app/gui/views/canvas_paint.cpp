#include "app/gui/views/canvas_paint.h"

#include <algorithm>
#include <cfloat>

#include "app/gui/render/depth_layer.h"

namespace attnmd::gui {
namespace {

// The most of the room below it that the legend strip takes before it folds into one line.
constexpr float kLegendMaxShare = 0.25f;

ImVec2 textSize(const char* text, float size) {
  return ImGui::GetFont()->CalcTextSizeA(size, FLT_MAX, 0.f, text);
}

void paintShape(ImDrawList* dl, const CanvasShape& sh, const CanvasScene& sc, const CanvasStyle& style,
                float& noticeY) {
  const float s = sc.scale, fs = sc.fontSize;
  ImFont* font = ImGui::GetFont();
  switch (sh.kind) {
    case ShapeKind::Rect:
      if (style.fillBackground) dl->AddRectFilled(sh.a, sh.b, sh.color);
      break;
    case ShapeKind::Line:
      dl->AddLine(sh.a, sh.b, sh.color, sh.thickness);
      break;
    case ShapeKind::DashedLine:
      drawDashedLine(dl, sh.a, sh.b, sh.color, sh.thickness, sh.dash, sh.gap);
      break;
    case ShapeKind::Arrow:
      drawArrow(dl, sh.a, sh.b, sh.color, sh.thickness, sh.radius);
      break;
    case ShapeKind::DashedArrow:
      drawDashedArrow(dl, sh.a, sh.b, sh.color, sh.thickness, sh.radius, sh.dash, sh.gap);
      break;
    case ShapeKind::Circle:
      dl->AddCircle(sh.a, sh.radius, sh.color, 0, sh.thickness);
      break;
    case ShapeKind::Disc:
      dl->AddCircleFilled(sh.a, sh.radius, sh.color);
      break;
    case ShapeKind::Marker: {
      const MarkerSprites* sp = style.sprites;
      if (sp && sp->valid && sh.marker == MarkerShape::Circle) {
        const ImVec2 c = sh.a;
        if (sh.thickness > 0) {  // the outline: a slightly larger disc underneath
          const float o = sh.radius + sh.thickness;
          const int k = sp->pick(o);
          dl->AddImage(ImGui::GetIO().Fonts->TexID, ImVec2(c.x - o, c.y - o), ImVec2(c.x + o, c.y + o),
                       sp->uv0[k], sp->uv1[k], sh.color);
        }
        const float r = sh.radius;
        const int k = sp->pick(r);
        dl->AddImage(ImGui::GetIO().Fonts->TexID, ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r),
                     sp->uv0[k], sp->uv1[k], sh.fill);
      } else {
        drawMarker(dl, sh.a, sh.radius, sh.marker, sh.fill, sh.color, sh.thickness);
      }
      break;
    }
    case ShapeKind::Star:
      drawStar(dl, sh.a, sh.radius, sh.fill, sh.color, sh.thickness);
      break;
    case ShapeKind::Diamond:
      if (sh.fill)
        drawDiamondBadge(dl, sh.a, sh.radius, sh.fill, sh.color, sh.thickness);
      else
        drawDiamond(dl, sh.a, sh.radius, sh.color, sh.thickness);
      break;
    case ShapeKind::Text:
      dl->AddText(font, fs * sh.fontScale, sh.a, sh.color, sh.text.c_str());
      break;
    case ShapeKind::Polygon: {  // convex (the 3D view's margin planes)
      const int n = static_cast<int>(sh.points.size());
      if (n < 3) break;
      if (sh.fill) dl->AddConvexPolyFilled(sh.points.data(), n, sh.fill);
      if (sh.thickness > 0) dl->AddPolyline(sh.points.data(), n, sh.color, ImDrawFlags_Closed, sh.thickness);
      break;
    }
    case ShapeKind::RayLabel: {
      const float pad = 2.f * s;
      const ImVec2 size = textSize(sh.text.c_str(), fs);
      const ImVec2 p = rayLabelPosition(sh, size, pad, sc.min, sc.max);
      dl->AddRectFilled(ImVec2(p.x - pad, p.y - pad), ImVec2(p.x + size.x + pad, p.y + size.y + pad), sh.box,
                        3.f);
      dl->AddText(font, fs, p, sh.color, sh.text.c_str());
      break;
    }
    case ShapeKind::Notice: {
      const std::vector<std::string> lines = wrapNotice(
          sh.text, sc.min, sc.max, s, [fs](const std::string& t) { return textSize(t.c_str(), fs).x; });
      ImVec2 size(0, fs * static_cast<float>(lines.size()));
      for (const std::string& line : lines) size.x = std::max(size.x, textSize(line.c_str(), fs).x);
      const NoticeBox b = layoutNotice(sc.min, sc.max, size, s, noticeY);
      dl->AddRectFilled(b.boxMin, b.boxMax, sh.box, 4 * s);
      dl->AddRect(b.boxMin, b.boxMax, sh.color, 4 * s, 0, 1.5f * s);
      for (std::size_t k = 0; k < lines.size(); ++k)
        dl->AddText(font, fs, ImVec2(b.textPos.x, b.textPos.y + fs * static_cast<float>(k)), sh.color,
                    lines[k].c_str());
      break;
    }
    case ShapeKind::Hint: {
      const std::vector<std::string> lines = wrapHint(
          sh.text, sc.min, sc.max, s, fs, [fs](const std::string& t) { return textSize(t.c_str(), fs).x; });
      ImVec2 size(0, fs * static_cast<float>(lines.size()));
      for (const std::string& line : lines) size.x = std::max(size.x, textSize(line.c_str(), fs).x);
      const ImVec2 p = hintPosition(sc.min, sc.max, size, s);
      const float pad = 6.f * s;
      dl->AddRectFilled(ImVec2(p.x - pad, p.y - pad), ImVec2(p.x + size.x + pad, p.y + size.y + pad), sh.box,
                        3.f);
      for (std::size_t k = 0; k < lines.size(); ++k) {
        const float w = textSize(lines[k].c_str(), fs).x;  // each line centred in the box
        dl->AddText(font, fs, ImVec2(p.x + 0.5f * (size.x - w), p.y + fs * static_cast<float>(k)), sh.color,
                    lines[k].c_str());
      }
      break;
    }
  }
}

}  // namespace

void paintCanvasScene(ImDrawList* dl, const CanvasScene& sc, const CanvasStyle& style) {
  dl->PushClipRect(sc.min, sc.max, true);
  float noticeY = noticeTop(sc.min, sc.scale);
  // A depth layer still in the scene is painted by the painter's algorithm, after the background.
  const std::vector<CanvasShape> depthShapes = depthSortedShapes(sc.depth);
  for (std::size_t k = 0; k < sc.shapes.size(); ++k) {
    paintShape(dl, sc.shapes[k], sc, style, noticeY);
    if (k == 0)
      for (const CanvasShape& sh : depthShapes) paintShape(dl, sh, sc, style, noticeY);
  }
  dl->PopClipRect();
}

namespace {

// The legend's items laid out from `at` across `width`, painted into the current window; its height.
float paintLegendAt(const CanvasScene& sc, const CanvasStyle& style, ImVec2 at, float width, bool paint) {
  const float fs = legendFontSize(sc);
  const LegendLayout L =
      layoutLegend(sc.legend, at.x, at.x + width, at.y, sc.scale, fs, [](std::string_view t, float size) {
        return ImGui::GetFont()->CalcTextSizeA(size, FLT_MAX, 0.f, t.data(), t.data() + t.size()).x;
      });
  if (!paint) return L.height;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Palette& pal = palette(sc.theme);
  float unused = 0;
  for (const LegendLayout::Item& it : L.items) {
    for (const CanvasShape& icon : legendIcon(it.entry->icon, it.icon, sc.theme, sc.scale))
      paintShape(dl, icon, sc, style, unused);
    dl->AddText(ImGui::GetFont(), fs, it.textAt, pal.text, it.entry->text.c_str());
  }
  return L.height;
}

}  // namespace

void paintLegendStrip(const CanvasScene& sc, const CanvasStyle& style) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x, room = ImGui::GetContentRegionAvail().y;
  const float height = paintLegendAt(sc, style, at, width, false);
  // A strip that would take over a quarter of the room (UI scale 2 in a small window: four rows of
  // legend over a sliver of canvas) folds into one line that shows the legend when hovered.
  if (height > kLegendMaxShare * room) {
    ImGui::SetCursorScreenPos(ImVec2(at.x + 6.f * sc.scale, at.y));
    ImGui::TextDisabled("Legend (hover)");
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      const float tipWidth = std::min(ImGui::GetMainViewport()->Size.x * 0.6f, 520.f * sc.scale);
      const float h = paintLegendAt(sc, style, ImGui::GetCursorScreenPos(), tipWidth, true);
      ImGui::Dummy(ImVec2(tipWidth, h));
      ImGui::EndTooltip();
    }
    return;
  }
  paintLegendAt(sc, style, at, width, true);
  ImGui::Dummy(ImVec2(width, height));
}

}  // namespace attnmd::gui
