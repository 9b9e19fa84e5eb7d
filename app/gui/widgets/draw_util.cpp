#include "app/gui/widgets/draw_util.h"

#include <cmath>

namespace attnmd::gui {

void drawMarker(ImDrawList* dl, ImVec2 c, float r, MarkerShape shape, ImU32 fill, ImU32 outline,
                float thickness) {
  if (shape == MarkerShape::Circle) {
    dl->AddCircleFilled(c, r, fill, 0);
    if (thickness > 0) dl->AddCircle(c, r, outline, 0, thickness);
  } else {
    const float h = r * 0.9f;  // a square of the same visual weight as the circle
    dl->AddRectFilled(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), fill);
    if (thickness > 0)
      dl->AddRect(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), outline, 0, 0, thickness);
  }
}

void drawDashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, float dash, float gap) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  const float ux = dx / len, uy = dy / len;
  for (float s = 0; s < len; s += dash + gap) {
    const float e = std::fmin(s + dash, len);
    dl->AddLine(ImVec2(a.x + ux * s, a.y + uy * s), ImVec2(a.x + ux * e, a.y + uy * e), col, thickness);
  }
}

static void arrowHead(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, float headSize) {
  const float dx = to.x - from.x, dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  const float ux = dx / len, uy = dy / len;
  const ImVec2 base(to.x - ux * headSize, to.y - uy * headSize);
  const ImVec2 l(base.x - uy * headSize * 0.5f, base.y + ux * headSize * 0.5f);
  const ImVec2 r(base.x + uy * headSize * 0.5f, base.y - ux * headSize * 0.5f);
  dl->AddTriangleFilled(to, l, r, col);
}

void drawArrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, float thickness, float headSize) {
  const float dx = to.x - from.x, dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  const float k = std::fmax(0.f, len - headSize * 0.8f) / len;
  dl->AddLine(from, ImVec2(from.x + dx * k, from.y + dy * k), col, thickness);
  arrowHead(dl, from, to, col, headSize);
}

void drawDashedArrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, float thickness, float headSize,
                     float dash, float gap) {
  const float dx = to.x - from.x, dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  const float k = std::fmax(0.f, len - headSize * 0.8f) / len;
  drawDashedLine(dl, from, ImVec2(from.x + dx * k, from.y + dy * k), col, thickness, dash, gap);
  arrowHead(dl, from, to, col, headSize);
}

void drawStar(ImDrawList* dl, ImVec2 c, float r, ImU32 fill, ImU32 outline, float thickness) {
  ImVec2 pts[10];
  for (int k = 0; k < 10; ++k) {
    const float a = -1.5707963f + k * 0.62831853f;
    const float rr = (k % 2 == 0) ? r : r * 0.45f;
    pts[k] = ImVec2(c.x + rr * std::cos(a), c.y + rr * std::sin(a));
  }
  // A star is not convex: fill it as five triangles around the centre.
  for (int k = 0; k < 10; ++k) dl->AddTriangleFilled(c, pts[k], pts[(k + 1) % 10], fill);
  if (thickness > 0) dl->AddPolyline(pts, 10, outline, ImDrawFlags_Closed, thickness);
}

void drawDiamond(ImDrawList* dl, ImVec2 c, float r, ImU32 col, float thickness) {
  dl->AddQuad(ImVec2(c.x, c.y - r), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r), ImVec2(c.x - r, c.y), col,
              thickness);
}

void drawDiamondBadge(ImDrawList* dl, ImVec2 c, float r, ImU32 fill, ImU32 outline, float thickness) {
  dl->AddQuadFilled(ImVec2(c.x, c.y - r), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r), ImVec2(c.x - r, c.y),
                    fill);
  if (thickness > 0) drawDiamond(dl, c, r, outline, thickness);
}

void drawLabel(ImDrawList* dl, ImVec2 pos, ImU32 text, ImU32 box, const char* label, float pad) {
  const ImVec2 size = ImGui::CalcTextSize(label);
  dl->AddRectFilled(ImVec2(pos.x - pad, pos.y - pad), ImVec2(pos.x + size.x + pad, pos.y + size.y + pad), box,
                    3.f);
  dl->AddText(pos, text, label);
}

}  // namespace attnmd::gui
