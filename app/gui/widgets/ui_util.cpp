#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {

void tip(const char* text) {
  if (!ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.f);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void itemGesture(Document& doc, const char* name, bool changed, const Command& command) {
  if (ImGui::IsItemActivated()) doc.beginGesture(name);
  if (changed) doc.update(command);
  if (ImGui::IsItemDeactivated()) doc.endGesture();
}

void colourSwatch(ImU32 colour, float size) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float y = p.y + (ImGui::GetTextLineHeight() - size) * 0.5f;
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + size, y + size), colour, 2.f);
  ImGui::Dummy(ImVec2(size, ImGui::GetTextLineHeight()));
}

RightClickOrDrag::Frame RightClickOrDrag::update(bool hovered) {
  constexpr float kThreshold = 4.f;  // pixels
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  Frame f;
  if (hovered && !down_ && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
    down_ = true;
    dragged_ = false;
    press_ = mouse;
  }
  if (!down_) return f;
  if (ImGui::IsMouseDown(ImGuiMouseButton_Right)) {
    const float dx = mouse.x - press_.x, dy = mouse.y - press_.y;
    if (dx * dx + dy * dy > kThreshold * kThreshold) dragged_ = true;
    f.dragging = dragged_;
  } else {
    f.clicked = !dragged_;
    f.pressedAt = press_;
    down_ = false;
  }
  return f;
}

}  // namespace attnmd::gui
