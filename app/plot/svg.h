// A figure (one plot or a stack) as a standalone SVG document: valid XML (text escaped), sized in px
// with a viewBox, sans-serif text, deterministic output (fixed number formatting), so files can be
// compared as text against goldens and opened by any browser or vector editor.
#pragma once

#include <string>
#include <string_view>

#include "app/plot/frame.h"

namespace attnmd::plot {

struct SvgOptions {
  double width = 640;          // px
  double plotHeight = 240;     // px per plot of the stack; the figure's height follows (chromeHeight)
  double fontSize = 12;        // px
  double lineScale = 1;        // multiplies line widths
  double columnsPerPixel = 2;  // decimation density (vector output may be zoomed: keep some detail)
  Theme theme;                 // light by default
};

// The figure as drawn by buildFrame with these options (what the app shows, at export size).
std::string writeSvg(const Figure& figure, const ViewState& view = {}, const SvgOptions& options = {});
// A frame already built (any painter's options) as SVG.
std::string frameToSvg(const FigureFrame& frame);

// Text escaped for XML character data and attribute values (& < > " '); characters XML 1.0 forbids
// (C0 controls other than tab, newline, carriage return) are dropped.
std::string xmlEscape(std::string_view text);

}  // namespace attnmd::plot
