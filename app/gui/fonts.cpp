#include "app/gui/fonts.h"

#include <array>
#include <cstdlib>
#include <filesystem>

namespace attnmd::gui {
namespace {

// Basic Latin + Latin-1, Greek, general punctuation (‖ …), super/subscripts, arrows, math operators,
// geometric shapes (● ■ ◆ ★ for the legend). Static storage: ImGui keeps the pointer.
constexpr std::array<ImWchar, 23> kGlyphRanges = {
    0x0020, 0x00FF,  // Latin
    0x0370, 0x03FF,  // Greek
    0x1D00, 0x1D7F,  // phonetic extensions (modifier letters such as the m of p^mm)
    0x2000, 0x209F,  // punctuation, super- and subscripts
    0x2100, 0x214F,  // letterlike symbols (the l of l_p)
    0x2190, 0x22FF,  // arrows, mathematical operators
    0x2500, 0x257F,  // box drawing (status bar separators)
    0x25A0, 0x25FF,  // geometric shapes
    0x2605, 0x2606,  // stars
    0x2713, 0x2717,  // check marks
    0x27E8, 0x27E9,  // angle brackets
    0};

}  // namespace

std::string findUiFont() {
  std::error_code ec;
  if (const char* env = std::getenv("ATTNMD_FONT"); env && *env && std::filesystem::is_regular_file(env, ec))
    return env;
  for (const char* path :
       {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans.ttf"})
    if (std::filesystem::is_regular_file(path, ec)) return path;
  return {};
}

FontBuild buildFonts(ImFontAtlas& atlas, float scale, const std::string& ttfPath) {
  FontBuild result;
  atlas.Clear();
  const float pixels = kBaseFontPixels * scale;
  if (!ttfPath.empty()) {
    ImFontConfig config;
    config.OversampleH = 2;
    config.OversampleV = 1;
    config.PixelSnapH = true;
    if (atlas.AddFontFromFileTTF(ttfPath.c_str(), pixels, &config, kGlyphRanges.data())) {
      result.usedTtf = true;
      return result;
    }
    result.warning = "could not load the font " + ttfPath + "; using ImGui's built-in font";
  } else {
    result.warning =
        "DejaVu Sans not found (install fonts-dejavu-core or set ATTNMD_FONT); using ImGui's built-in font";
  }
  ImFontConfig config;
  config.SizePixels = 13.f * scale;
  atlas.AddFontDefault(&config);
  return result;
}

}  // namespace attnmd::gui
