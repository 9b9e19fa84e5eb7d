#include "app/gui/widgets/ui_util.h"

#include <cctype>
#include <sstream>
#include <string>

namespace attnmd::gui {

void markdownText(const std::string& text) {
  std::istringstream in(text);
  std::string line, paragraph;
  ImGui::PushTextWrapPos(0.f);
  auto flush = [&] {
    if (!paragraph.empty()) ImGui::TextWrapped("%s", paragraph.c_str());
    paragraph.clear();
  };
  while (std::getline(in, line)) {
    std::string clean;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line.compare(i, 2, "**") == 0) {
        ++i;
        continue;
      }
      clean += line[i];
    }
    const std::size_t first = clean.find_first_not_of(' ');
    const bool blank = first == std::string::npos;
    const bool item =
        !blank && (std::isdigit(static_cast<unsigned char>(clean[first])) || clean[first] == '-');
    const std::size_t hashes = clean.rfind("## ", 0) == 0 ? 3 : clean.rfind("# ", 0) == 0 ? 2 : 0;
    if (hashes) {
      flush();
      ImGui::Spacing();
      ImGui::TextUnformatted(clean.c_str() + hashes);
      ImGui::Separator();
    } else if (blank) {
      flush();
    } else {
      if (item) flush();
      if (!paragraph.empty()) paragraph += ' ';
      paragraph += clean.substr(first);
    }
  }
  flush();
  ImGui::PopTextWrapPos();
}

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
