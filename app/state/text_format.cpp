#include "app/state/text_format.h"

#include <cstdio>

namespace attnmd::gui {

std::string groupedInt(long long v) {
  const std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  if (v < 0) out.push_back('-');
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string prettyNumber(double v, const char* fmt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  std::string out;
  for (const char* p = buf; *p; ++p) {
    if (*p == '-' && p == buf)
      out += "\xE2\x88\x92";
    else
      out.push_back(*p);
  }
  return out;
}

}  // namespace attnmd::gui
