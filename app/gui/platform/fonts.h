// The UI font: DejaVu Sans found at run time (Debian's fonts-dejavu-core), rebuilt at each UI scale so
// text stays sharp on a projector. Falls back to ImGui's built-in font with a warning.
#pragma once

#include <imgui.h>

#include <string>

namespace attnmd::gui {

constexpr float kBaseFontPixels = 15.f;  // font size at UI scale 1

// Path of the TTF to use: $ATTNMD_FONT, then the usual DejaVu Sans locations; "" when none exists.
std::string findUiFont();

// Anti-aliased discs baked into the font atlas: a canvas marker is then one textured quad (2 triangles)
// instead of a tessellated circle with an anti-aliased fringe (~35 triangles), which is what a
// software renderer pays for per frame. Same texture as the text, so no extra draw calls.
struct MarkerSprites {
  static constexpr int kSizes = 3;
  bool valid = false;
  float diameter[kSizes] = {16, 32, 64};  // baked disc diameters in pixels
  ImVec2 uv0[kSizes], uv1[kSizes];        // the disc's quad in the atlas (the disc touches its edges)
  // The quad to draw a disc of radius r with: the smallest baked disc at least 2r wide (at most 2x
  // minification, which bilinear filtering handles), or the largest.
  int pick(float radius) const {
    for (int k = 0; k < kSizes; ++k)
      if (diameter[k] >= 2.f * radius) return k;
    return kSizes - 1;
  }
};

struct FontBuild {
  bool usedTtf = false;  // false: ImGui's built-in font (no Greek, fixed 13 px look)
  std::string warning;   // why the TTF was not used, for the status bar and stderr
  MarkerSprites sprites;
};

// Clears `atlas` and adds the UI font at kBaseFontPixels * scale, with Latin, Greek, arrows and math
// operator glyphs (γ, α, θ, ‖, ≥, −, ...), bakes the marker discs and builds the atlas. The caller
// re-uploads the texture (backend) afterwards.
FontBuild buildFonts(ImFontAtlas& atlas, float scale, const std::string& ttfPath);

}  // namespace attnmd::gui
