// Small ImDrawList helpers shared by the canvas, the heat map and the legend (dashed lines, arrows,
// marker shapes, stars). Drawing only; no state.
#pragma once

#include <imgui.h>

namespace attnmd::gui {

enum class MarkerShape { Circle, Square };  // label +1: circle, label -1: square (shape as a second channel)

inline MarkerShape shapeForLabel(int y) {
  return y > 0 ? MarkerShape::Circle : MarkerShape::Square;
}

void drawMarker(ImDrawList* dl, ImVec2 c, float r, MarkerShape shape, ImU32 fill, ImU32 outline,
                float thickness);
void drawDashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, float dash, float gap);
void drawArrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, float thickness, float headSize);
void drawDashedArrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, float thickness, float headSize,
                     float dash, float gap);
void drawStar(ImDrawList* dl, ImVec2 c, float r, ImU32 fill, ImU32 outline, float thickness);
void drawDiamond(ImDrawList* dl, ImVec2 c, float r, ImU32 col, float thickness);
// A filled diamond with an outline (the support-token badge).
void drawDiamondBadge(ImDrawList* dl, ImVec2 c, float r, ImU32 fill, ImU32 outline, float thickness);
// Text with a translucent box behind it, so it reads on top of lines and markers.
void drawLabel(ImDrawList* dl, ImVec2 pos, ImU32 text, ImU32 box, const char* label, float pad);

inline ImU32 withAlpha(ImU32 col, float alpha) {
  const unsigned a = static_cast<unsigned>(((col >> IM_COL32_A_SHIFT) & 0xFF) * alpha);
  return (col & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

}  // namespace attnmd::gui
