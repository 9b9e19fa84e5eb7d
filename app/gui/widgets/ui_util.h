// Small ImGui helpers shared by the panels: tooltips, gestures that become one undo entry, number
// formatting for labels.
#pragma once

#include <imgui.h>

#include <string>

#include "app/state/document.h"
#include "app/state/text_format.h"

namespace attnmd::gui {

// One-sentence tooltip for the last item (every control has one, with the formula where one exists).
void tip(const char* text);

// Light Markdown, wrapped to the window: "# " and "## " headings, "**" dropped, paragraphs and list
// items ("1.", "-") joined and wrapped (the Help window's guide, lesson text).
void markdownText(const std::string& text);

// Turns the last widget's edits into one gesture: begins on activation, applies `command` whenever
// `changed`, ends on deactivation. A slider drag or a typed number is then one undo entry.
void itemGesture(Document& doc, const char* name, bool changed, const Command& command);

// The right mouse button on a canvas (2D or 3D): a press that moves less than a few pixels before its
// release is a click (the canvases delete the token under it), anything longer is a drag (they pan).
// Call update() every frame with whether the canvas is hovered.
class RightClickOrDrag {
 public:
  struct Frame {
    bool dragging = false;  // a drag is under way: pan by io.MouseDelta
    bool clicked = false;   // a click ended this frame, pressed at `pressedAt`
    ImVec2 pressedAt{0, 0};
  };
  Frame update(bool hovered);

 private:
  bool down_ = false;
  bool dragged_ = false;
  ImVec2 press_{0, 0};
};

// A small coloured square (sequence swatches).
void colourSwatch(ImU32 colour, float size);

}  // namespace attnmd::gui
