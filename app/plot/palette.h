// Colourblind-safe colours (Okabe & Ito, "Color Universal Design", 2008), ordered for lines on a
// light or dark background: the yellow comes late (weak on white) and black last (invisible on dark).
#pragma once

#include <cstddef>

#include "app/plot/figure.h"

namespace attnmd::plot {

inline constexpr std::size_t kPaletteSize = 8;

// The i-th series colour (wraps around after kPaletteSize).
Color paletteColor(std::size_t i);

// Neutral grey for reference lines that belong to no series.
inline constexpr Color kReferenceGrey{85, 85, 85, 255};

// Colours of the chrome (axes, grid, text) around the data.
struct Theme {
  Color background{255, 255, 255, 255};
  Color text{34, 34, 34, 255};
  Color axis{68, 68, 68, 255};
  Color grid{224, 224, 224, 255};
  Color minorGrid{242, 242, 242, 255};
  Color note{153, 82, 0, 255};  // the "n values <= 0 hidden" note: dark orange, readable, not alarming
};

// The same colour with alpha `a`.
constexpr Color withAlpha(Color c, std::uint8_t a) {
  return {c.r, c.g, c.b, a};
}

}  // namespace attnmd::plot
