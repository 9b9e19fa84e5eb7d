// Number formatting for tick labels, hover readouts, SVG coordinates and CSV cells.
// Deterministic (printf in the "C" locale style), short, and never "0.30000000000000004".
#pragma once

#include <string>

namespace attnmd::plot {

// v with exactly `decimals` digits after the point; "-0" and "-0.00" become "0" / "0.00".
std::string formatFixed(double v, int decimals);

// Compact scientific notation with `mantissaDigits` digits after the point, trailing zeros and the
// exponent's "+" and leading zeros dropped: 2.5e6, 1e-300, -3.25e-12.
std::string formatScientific(double v, int mantissaDigits);

// A value for a readout: `significant` digits, plain for 1e-4 <= |v| < 1e5, scientific otherwise.
// NaN -> "n/a", infinities -> "inf" / "-inf".
std::string formatValue(double v, int significant = 4);

// The value 10^log10v, formatted like formatValue but without ever computing 10^log10v when it
// would underflow or overflow: log10v = -300.5 gives "3.162e-301", -1000 gives "1e-1000".
std::string formatLog10Value(double log10v, int significant = 4);
// v as "4.9×10⁷" (U+2212 minus, U+00D7 times, superscript exponent): `significant` digits of mantissa,
// "10⁷" when the mantissa is 1.
std::string formatTimesPowerOfTen(double v, int significant = 2);
// n in superscript digits ("⁻¹²").
std::string superscriptInteger(long long n);

// An iteration count or other integer-valued x: "1204"; non-integers fall back to formatValue.
std::string formatCount(double v);

// A coordinate for SVG output: 2 decimals, trailing zeros dropped ("12.5", "12", "-0.25").
std::string formatCoord(double v);

// A CSV cell: round-trip precision (%.17g), empty for NaN.
std::string formatCsv(double v);

}  // namespace attnmd::plot
