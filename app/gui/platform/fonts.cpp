#include "app/gui/platform/fonts.h"

#include <algorithm>
#include <array>
#include <cmath>
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

// Adds the disc rectangles before the build, paints them after it.
static void bakeSprites(ImFontAtlas& atlas, MarkerSprites& sprites) {
  int ids[MarkerSprites::kSizes];
  for (int k = 0; k < MarkerSprites::kSizes; ++k) {
    const int d = static_cast<int>(sprites.diameter[k]);
    ids[k] = atlas.AddCustomRectRegular(d, d);
  }
  if (!atlas.Build()) return;
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  atlas.GetTexDataAsRGBA32(&pixels, &width, &height);
  for (int k = 0; k < MarkerSprites::kSizes; ++k) {
    const ImFontAtlasCustomRect* r = atlas.GetCustomRectByIndex(ids[k]);
    if (!r->IsPacked()) return;
    const float radius = 0.5f * static_cast<float>(r->Width);
    for (int y = 0; y < r->Height; ++y)
      for (int x = 0; x < r->Width; ++x) {
        // Coverage of the pixel by the disc, from the distance of its centre to the disc's edge.
        const float dx = static_cast<float>(x) + 0.5f - radius, dy = static_cast<float>(y) + 0.5f - radius;
        const float a = std::clamp(radius - std::sqrt(dx * dx + dy * dy), 0.f, 1.f);
        unsigned char* p = pixels + (static_cast<std::size_t>(r->Y + y) * width + (r->X + x)) * 4;
        p[0] = p[1] = p[2] = 255;
        p[3] = static_cast<unsigned char>(a * 255.f + 0.5f);
      }
    atlas.CalcCustomRectUV(r, &sprites.uv0[k], &sprites.uv1[k]);
  }
  sprites.valid = true;
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
    if (atlas.AddFontFromFileTTF(ttfPath.c_str(), pixels, &config, kGlyphRanges.data()))
      result.usedTtf = true;
    else
      result.warning = "could not load the font " + ttfPath + "; using ImGui's built-in font";
  } else {
    result.warning =
        "DejaVu Sans not found (install fonts-dejavu-core or set ATTNMD_FONT); using ImGui's built-in font";
  }
  if (!result.usedTtf) {
    ImFontConfig config;
    config.SizePixels = 13.f * scale;
    atlas.AddFontDefault(&config);
  }
  bakeSprites(atlas, result.sprites);
  return result;
}

}  // namespace attnmd::gui
