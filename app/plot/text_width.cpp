// Text widths for layouts made without a font at hand (SVG export).
#include <string_view>

#include "app/plot/frame.h"

namespace attnmd::plot {

double estimateTextWidth(std::string_view text, double fontSize) {
  // Advance widths of DejaVu Sans (= Bitstream Vera Sans) for ASCII 32..126, in 1/2048 em; the SVG asks
  // for DejaVu Sans first, so this matches what most renderers draw. Other code points (Greek, math
  // symbols) count as 1300 (a digit); UTF-8 continuation bytes are skipped.
  static constexpr short kAdvance[95] = {
      651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,
      1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087,
      2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
      1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,  690,  799,  1716, 1024,
      1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253,
      1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716,
  };
  double units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;
    units += c >= 32 && c < 127 ? kAdvance[c - 32] : 1300;
  }
  return units / 2048.0 * fontSize;
}

}  // namespace attnmd::plot
