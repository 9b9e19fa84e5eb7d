// Light and dark themes, the colourblind-safe palette (Okabe-Ito) and the attention colour map.
// Everything that picks a colour on screen asks this file, so both themes stay consistent.
#pragma once

#include <imgui.h>

#include <span>

#include "core/enums.h"

namespace attnmd::gui {

enum class ThemeKind { Light, Dark };

// Colours of the canvas, heat map and overlays for one theme (ImGui's own widgets use ImGuiStyle).
struct Palette {
  ImU32 canvasBackground;
  ImU32 gridMinor;
  ImU32 gridMajor;
  ImU32 axis;
  ImU32 text;
  ImU32 textMuted;
  ImU32 foreground;    // the trained direction (p / W z_i), selected-token rings
  ImU32 svm;           // the max-margin direction (dashed), support marks
  ImU32 optimal;       // optimal-token stars
  ImU32 vArrow;        // the decoder v
  ImU32 warning;       // infeasible-SVM notice, numerical warnings
  ImU32 panelOverlay;  // translucent box behind canvas text (legend, notices)
  ImU32 markerOutline;
};

const Palette& palette(ThemeKind kind);

// Okabe-Ito (Wong 2011, Nature Methods 8:441) without black: blue, vermillion, bluish green, reddish
// purple, orange, sky blue, yellow; sequences cycle through it. Light themes skip yellow (no contrast).
ImU32 sequenceColour(ThemeKind kind, int sequence);
// How many sequences get distinct colours before they repeat; the canvas then adds a second channel
// (sequenceCycle: 0 for the first colours, 1 for the next round, ...), drawn inside the marker.
int sequenceColourCount(ThemeKind kind);
inline int sequenceCycle(ThemeKind kind, int sequence) {
  return sequence / sequenceColourCount(kind);
}
ImVec4 sequenceColourVec(ThemeKind kind, int sequence);

// Viridis (perceptually uniform, readable with every colour-vision deficiency) at s in [0, 1]; the heat
// map's colour range is fixed to [0, 1] so colours mean the same thing in every frame.
ImU32 attentionColour(double s);
// Black or white, whichever reads better on attentionColour(s).
ImU32 attentionTextColour(double s);

// Sets ImGui's style for the theme at a UI scale (sizes scaled from the unscaled defaults).
void applyTheme(ThemeKind kind, float scale, ImGuiStyle& style);

}  // namespace attnmd::gui

namespace attnmd::core {
template <>
inline std::span<const EnumEntry<gui::ThemeKind>> enumTable<gui::ThemeKind>() {
  static constexpr EnumEntry<gui::ThemeKind> t[] = {{gui::ThemeKind::Light, "light", "light"},
                                                    {gui::ThemeKind::Dark, "dark", "dark"}};
  return t;
}
}  // namespace attnmd::core
