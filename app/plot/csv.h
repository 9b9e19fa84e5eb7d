// Series as CSV: the x column, then one column per series. Rows are the union of all series' x values
// (runs sampled at different steps share one table); a cell is empty where a series has no point at
// that x or its value is NaN. Numbers round-trip (%.17g); a yLog10 series is written as log10 values
// under a "log10(...)" header, since 10^v would underflow to 0 below 1e-308.
#pragma once

#include <string>
#include <string_view>

#include "app/plot/figure.h"

namespace attnmd::plot {

// Columns of every series of every plot (visible or not: data export is complete). Headers are the
// series names, prefixed with "<plot name>: " when the figure has several plots. The x header is the
// x axis label, or "x".
std::string writeCsv(const Figure& figure);
// Columns of one plot only.
std::string writeCsv(const Figure& figure, std::size_t plot);

// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csvField(std::string_view text);

}  // namespace attnmd::plot
