#include "app/gui/widgets/theme.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace attnmd::gui {
namespace {

constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
  return IM_COL32(r, g, b, a);
}

// Okabe-Ito, in the order sequences take them.
constexpr std::array<ImU32, 7> kOkabeIto = {
    rgb(0x00, 0x72, 0xB2),  // blue
    rgb(0xD5, 0x5E, 0x00),  // vermillion
    rgb(0x00, 0x9E, 0x73),  // bluish green
    rgb(0xCC, 0x79, 0xA7),  // reddish purple
    rgb(0xE6, 0x9F, 0x00),  // orange
    rgb(0x56, 0xB4, 0xE9),  // sky blue
    rgb(0xF0, 0xE4, 0x42),  // yellow
};

const Palette kLight = {
    rgb(252, 252, 250),       // canvasBackground
    rgb(232, 232, 228),       // gridMinor
    rgb(212, 212, 206),       // gridMajor
    rgb(150, 150, 145),       // axis
    rgb(30, 30, 30),          // text
    rgb(105, 105, 100),       // textMuted
    rgb(25, 25, 25),          // foreground
    rgb(25, 25, 25),          // svm (dashed; same ink as p so "solid vs dashed" is the only difference)
    rgb(0xE6, 0x9F, 0x00),    // optimal: Okabe-Ito orange
    rgb(110, 110, 110),       // vArrow
    rgb(0xD5, 0x5E, 0x00),    // warning: vermillion
    rgb(255, 255, 255, 225),  // panelOverlay
    rgb(20, 20, 20, 200),     // markerOutline
};

const Palette kDark = {
    rgb(24, 26, 30),          // canvasBackground
    rgb(38, 41, 46),          // gridMinor
    rgb(52, 56, 62),          // gridMajor
    rgb(110, 115, 122),       // axis
    rgb(230, 230, 230),       // text
    rgb(160, 163, 168),       // textMuted
    rgb(240, 240, 240),       // foreground
    rgb(240, 240, 240),       // svm
    rgb(0xF0, 0xE4, 0x42),    // optimal: Okabe-Ito yellow
    rgb(170, 170, 170),       // vArrow
    rgb(0xE6, 0x9F, 0x00),    // warning: orange
    rgb(30, 32, 36, 225),     // panelOverlay
    rgb(240, 240, 240, 200),  // markerOutline
};

// Viridis sampled at 9 points (matplotlib's _viridis_data), linearly interpolated.
constexpr std::array<std::array<float, 3>, 9> kViridis = {{{0.267f, 0.005f, 0.329f},
                                                           {0.283f, 0.141f, 0.458f},
                                                           {0.254f, 0.265f, 0.530f},
                                                           {0.207f, 0.372f, 0.553f},
                                                           {0.164f, 0.471f, 0.558f},
                                                           {0.128f, 0.567f, 0.551f},
                                                           {0.135f, 0.659f, 0.518f},
                                                           {0.478f, 0.821f, 0.318f},
                                                           {0.993f, 0.906f, 0.144f}}};

}  // namespace

const Palette& palette(ThemeKind kind) {
  return kind == ThemeKind::Dark ? kDark : kLight;
}

int sequenceColourCount(ThemeKind kind) {
  return kind == ThemeKind::Light ? 6 : 7;
}

ImU32 sequenceColour(ThemeKind kind, int sequence) {
  const int n = sequenceColourCount(kind);
  const int i = ((sequence % n) + n) % n;
  return kOkabeIto[static_cast<std::size_t>(i)];
}

ImVec4 sequenceColourVec(ThemeKind kind, int sequence) {
  return ImGui::ColorConvertU32ToFloat4(sequenceColour(kind, sequence));
}

ImU32 attentionColour(double s) {
  if (!std::isfinite(s)) s = 0;
  const double t = std::clamp(s, 0.0, 1.0) * (kViridis.size() - 1);
  const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(t), kViridis.size() - 2);
  const float f = static_cast<float>(t - static_cast<double>(i));
  const auto& a = kViridis[i];
  const auto& b = kViridis[i + 1];
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), 1.f));
}

ImU32 attentionTextColour(double s) {
  return s > 0.62 ? rgb(0, 0, 0) : rgb(255, 255, 255);
}

void applyTheme(ThemeKind kind, float scale, ImGuiStyle& style) {
  style = ImGuiStyle();
  if (kind == ThemeKind::Dark) {
    ImGui::StyleColorsDark(&style);
    style.Colors[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.13f, 1.f);
    style.Colors[ImGuiCol_ChildBg] = ImVec4(0.11f, 0.12f, 0.13f, 0.f);
    style.Colors[ImGuiCol_MenuBarBg] = ImVec4(0.15f, 0.16f, 0.18f, 1.f);
    style.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.18f, 0.21f, 1.f);
    style.Colors[ImGuiCol_TitleBg] = ImVec4(0.13f, 0.14f, 0.16f, 1.f);
  } else {
    ImGui::StyleColorsLight(&style);
    style.Colors[ImGuiCol_WindowBg] = ImVec4(0.955f, 0.955f, 0.945f, 1.f);
    style.Colors[ImGuiCol_MenuBarBg] = ImVec4(0.91f, 0.91f, 0.90f, 1.f);
    style.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.86f, 0.87f, 0.88f, 1.f);
    style.Colors[ImGuiCol_TitleBg] = ImVec4(0.90f, 0.90f, 0.90f, 1.f);
    style.Colors[ImGuiCol_FrameBg] = ImVec4(1.f, 1.f, 1.f, 1.f);
    style.Colors[ImGuiCol_Border] = ImVec4(0.f, 0.f, 0.f, 0.16f);
  }
  style.WindowRounding = 0.f;
  style.FrameRounding = 3.f;
  style.GrabRounding = 3.f;
  style.TabRounding = 3.f;
  style.WindowBorderSize = 1.f;
  style.FrameBorderSize = kind == ThemeKind::Light ? 1.f : 0.f;
  style.WindowPadding = ImVec2(10, 8);
  style.ItemSpacing = ImVec2(8, 6);
  style.ScaleAllSizes(scale);
}

}  // namespace attnmd::gui
