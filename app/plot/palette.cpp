#include "app/plot/palette.h"

namespace attnmd::plot {

Color paletteColor(std::size_t i) {
  // Okabe-Ito: blue, vermillion, bluish green, reddish purple, orange, sky blue, yellow, black.
  static constexpr Color kOkabeIto[kPaletteSize] = {
      {0, 114, 178, 255}, {213, 94, 0, 255},   {0, 158, 115, 255},  {204, 121, 167, 255},
      {230, 159, 0, 255}, {86, 180, 233, 255}, {240, 228, 66, 255}, {0, 0, 0, 255}};
  return kOkabeIto[i % kPaletteSize];
}

}  // namespace attnmd::plot
