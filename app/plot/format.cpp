#include "app/plot/format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attnmd::plot {
namespace {

std::string printf1(const char* fmt, int precision, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, precision, v);
  return buf;
}

// "2.500" -> "2.5", "3.000" -> "3", "10" -> "10" (only after a decimal point).
std::string trimZeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// "-0", "-0.000" -> "0", "0.000".
std::string dropNegativeZero(std::string s) {
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

// "2.50e+06" -> "2.5e6", "1.00e-05" -> "1e-5".
std::string cleanExponent(const std::string& s) {
  const auto e = s.find_first_of("eE");
  if (e == std::string::npos) return trimZeros(s);
  std::string mantissa = trimZeros(s.substr(0, e));
  int exponent = std::atoi(s.c_str() + e + 1);
  return dropNegativeZero(mantissa) + "e" + std::to_string(exponent);
}

}  // namespace

std::string formatFixed(double v, int decimals) {
  if (!std::isfinite(v)) return formatValue(v);
  if (decimals < 0) decimals = 0;
  if (decimals > 17) decimals = 17;
  return dropNegativeZero(printf1("%.*f", decimals, v));
}

std::string formatScientific(double v, int mantissaDigits) {
  if (!std::isfinite(v)) return formatValue(v);
  if (v == 0) return "0";
  if (mantissaDigits < 0) mantissaDigits = 0;
  if (mantissaDigits > 16) mantissaDigits = 16;
  return cleanExponent(printf1("%.*e", mantissaDigits, v));
}

std::string formatValue(double v, int significant) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  if (significant < 1) significant = 1;
  if (significant > 17) significant = 17;
  const double a = std::fabs(v);
  if (a >= 1e-4 && a < 1e5) {
    // Plain notation with `significant` significant digits, as %g would but never switching to e.
    const int magnitude = static_cast<int>(std::floor(std::log10(a)));
    const int decimals = significant - 1 - magnitude;
    return trimZeros(formatFixed(v, decimals < 0 ? 0 : decimals));
  }
  return formatScientific(v, significant - 1);
}

std::string superscriptInteger(long long n) {
  static const char* const kDigits[10] = {"\u2070", "\u00B9", "\u00B2", "\u00B3", "\u2074",
                                          "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string digits = std::to_string(n < 0 ? -n : n), out = n < 0 ? "\u207B" : "";
  for (char c : digits) out += kDigits[c - '0'];
  return out;
}

std::string formatTimesPowerOfTen(double v, int significant) {
  if (!std::isfinite(v)) return formatValue(v, significant);
  if (v == 0) return "0";
  if (significant < 1) significant = 1;
  if (significant > 15) significant = 15;
  const std::string sign = v < 0 ? "\u2212" : "";
  const double a = std::fabs(v);
  double exponent = std::floor(std::log10(a));
  double mantissa = a / std::pow(10.0, exponent);
  const double scale = std::pow(10.0, significant - 1);
  mantissa = std::round(mantissa * scale) / scale;
  if (mantissa >= 10.0) {  // 9.96 rounded to two digits carries into the next decade
    mantissa /= 10.0;
    exponent += 1;
  }
  const std::string power = "10" + superscriptInteger(static_cast<long long>(exponent));
  if (mantissa == 1.0) return sign + power;
  return sign + trimZeros(formatFixed(mantissa, significant - 1)) + "\u00D7" + power;
}

std::string formatLog10Value(double log10v, int significant) {
  if (std::isnan(log10v)) return "n/a";
  if (std::isinf(log10v)) return log10v > 0 ? "inf" : "0";
  if (log10v > -4 && log10v < 5) return formatValue(std::pow(10.0, log10v), significant);
  if (significant < 1) significant = 1;
  if (significant > 15) significant = 15;
  // Beyond a million decades the mantissa carries no information a double can hold (p near 1 drives
  // 1 - s there): the power of ten itself, its exponent written as a reader would, "10^(−4.9×10⁷)".
  if (std::fabs(log10v) >= 1e6) return "10^(" + formatTimesPowerOfTen(log10v, 2) + ")";
  double exponent = std::floor(log10v);
  double mantissa = std::pow(10.0, log10v - exponent);  // in [1, 10)
  // Rounding the mantissa to `significant` digits can carry into the next decade (9.9996 -> 10.00).
  const double scale = std::pow(10.0, significant - 1);
  if (std::round(mantissa * scale) / scale >= 10.0) {
    mantissa /= 10.0;
    exponent += 1;
  }
  std::string m = trimZeros(formatFixed(mantissa, significant - 1));
  return m + "e" + formatFixed(exponent, 0);
}

std::string formatCount(double v) {
  if (std::isfinite(v) && v == std::round(v) && std::fabs(v) < 1e15) return formatFixed(v, 0);
  return formatValue(v);
}

std::string formatCoord(double v) {
  return trimZeros(formatFixed(v, 2));
}

std::string formatCsv(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace attnmd::plot
