// The UI font: DejaVu Sans found at run time (Debian's fonts-dejavu-core), rebuilt at each UI scale so
// text stays sharp on a projector. Falls back to ImGui's built-in font with a warning.
#pragma once

#include <imgui.h>

#include <string>

namespace attnmd::gui {

constexpr float kBaseFontPixels = 15.f;  // font size at UI scale 1

// Path of the TTF to use: $ATTNMD_FONT, then the usual DejaVu Sans locations; "" when none exists.
std::string findUiFont();

struct FontBuild {
  bool usedTtf = false;  // false: ImGui's built-in font (no Greek, fixed 13 px look)
  std::string warning;   // why the TTF was not used, for the status bar and stderr
};

// Clears `atlas` and adds the UI font at kBaseFontPixels * scale, with Latin, Greek, arrows and math
// operator glyphs (γ, α, θ, ‖, ≥, −, ...). The caller re-uploads the texture (backend) afterwards.
FontBuild buildFonts(ImFontAtlas& atlas, float scale, const std::string& ttfPath);

}  // namespace attnmd::gui
