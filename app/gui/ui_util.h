// Small ImGui helpers shared by the panels: tooltips, gestures that become one undo entry, number
// formatting for labels.
#pragma once

#include <imgui.h>

#include <string>

#include "app/gui/document.h"
#include "app/gui/text_format.h"

namespace attnmd::gui {

// One-sentence tooltip for the last item (every control has one, with the formula where one exists).
void tip(const char* text);

// Turns the last widget's edits into one gesture: begins on activation, applies `command` whenever
// `changed`, ends on deactivation. A slider drag or a typed number is then one undo entry.
void itemGesture(Document& doc, const char* name, bool changed, const Command& command);

// A small coloured square (sequence swatches).
void colourSwatch(ImU32 colour, float size);

}  // namespace attnmd::gui
