// Number formatting for labels and messages (no ImGui), shared by panels and the trainer's messages.
#pragma once

#include <string>

namespace attnmd::gui {

// "1,234,567"
std::string groupedInt(long long v);
// A number for labels with a real minus sign ("−0.25"), printf-formatted.
std::string prettyNumber(double v, const char* fmt = "%.3g");

}  // namespace attnmd::gui
