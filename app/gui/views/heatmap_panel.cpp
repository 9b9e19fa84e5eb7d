#include "app/gui/views/heatmap_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/widgets/draw_util.h"
#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {
namespace {
constexpr float kRowHeight = 22.f;
constexpr float kMaxCell = 58.f;
}  // namespace

float HeatmapPanel::preferredHeight(int rows, float scale) {
  // At least three rows' height: the colour bar, its caption and the marks' legend beside the grid
  // need it even when there are only one or two sequences.
  return (kRowHeight * static_cast<float>(std::max(rows, 3)) + 58.f) * scale;
}

float HeatmapPanel::legendWidth(float scale) {
  return 150.f * scale + 24.f * scale;
}

void HeatmapPanel::draw(Document& doc, const CanvasOverlay& ov, ThemeKind theme, float scale,
                        const HeatmapOptions& options) {
  const core::Scene& scene = doc.scene();
  const Palette& pal = palette(theme);
  const int n = scene.sequenceCount();
  if (!options.title.empty()) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetFontSize();
    if (options.titleColour)
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x, at.y + 0.15f * h),
                                                ImVec2(at.x + 0.7f * h, at.y + 0.85f * h),
                                                options.titleColour, 2.f * scale);
    ImGui::SetCursorScreenPos(ImVec2(at.x + h, at.y));
    ImGui::TextUnformatted(options.title.c_str());
  }
  if (ov.tokens.size() != static_cast<std::size_t>(n) || n == 0) {
    ImGui::TextDisabled("attention weights appear once the model is evaluated");
    return;
  }
  int maxT = 0;
  for (const auto& row : ov.tokens) maxT = std::max(maxT, static_cast<int>(row.size()));

  const float labelW = ImGui::CalcTextSize(
                           "00 (\xE2\x88\x92"
                           "1)  ")
                           .x;
  // Beside several runs' maps the last one's legend gets a fixed width (legendWidth()).
  const float barW = !options.legend ? 0.f
                     : options.title.empty()
                         ? std::min(150.f * scale, 0.22f * ImGui::GetContentRegionAvail().x)
                         : 150.f * scale;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float markW = options.disagree.empty() ? 0.f : ImGui::CalcTextSize("\xE2\x89\xA0 ").x;
  const float cell = std::clamp((avail.x - labelW - markW - barW - (options.legend ? 30.f : 6.f) * scale) /
                                    static_cast<float>(std::max(maxT, 1)),
                                8.f * scale, kMaxCell * scale);
  // Rows shrink to fit the panel down to one text line; below that the panel scrolls, so every row
  // keeps a readable label.
  const float rowH = std::clamp((avail.y - 28.f * scale) / static_cast<float>(n),
                                ImGui::GetFontSize() + 3.f * scale, kRowHeight * scale);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool numbers = cell >= ImGui::CalcTextSize("0.00").x + 6.f * scale && rowH >= ImGui::GetFontSize();

  // Column headers: token index.
  const float headerH = ImGui::GetFontSize() + 4.f * scale;
  for (int t = 0; t < maxT; ++t) {
    char h[16];
    std::snprintf(h, sizeof h, "%d", t);
    const ImVec2 sz = ImGui::CalcTextSize(h);
    if (cell >= sz.x + 2)
      dl->AddText(ImVec2(origin.x + labelW + cell * (static_cast<float>(t) + 0.5f) - sz.x * 0.5f, origin.y),
                  pal.textMuted, h);
  }
  int hoverSeq = -1, hoverTok = -1;
  // Rows scrolled out of the panel are neither drawn nor hovered: a scene of thousands of sequences
  // would otherwise build every row's cells and numbers each frame (most of a 10,000-token frame).
  const float visibleTop = dl->GetClipRectMin().y, visibleBottom = dl->GetClipRectMax().y;
  for (int i = 0; i < n; ++i) {
    const float y = origin.y + headerH + rowH * static_cast<float>(i);
    if (y + rowH < visibleTop || y > visibleBottom) continue;
    char label[24];
    std::snprintf(label, sizeof label, "%d (%s)", i,
                  scene.sequences[static_cast<std::size_t>(i)].y > 0 ? "+1"
                                                                     : "\xE2\x88\x92"
                                                                       "1");
    if (rowH >= ImGui::GetFontSize() * 0.8f) {
      dl->AddRectFilled(ImVec2(origin.x, y + rowH * 0.2f), ImVec2(origin.x + 4.f * scale, y + rowH * 0.8f),
                        sequenceColour(theme, i));
      dl->AddText(ImVec2(origin.x + 8.f * scale, y + (rowH - ImGui::GetFontSize()) * 0.5f),
                  i == doc.view().selectedSequence ? pal.text : pal.textMuted, label);
    }
    const auto& row = ov.tokens[static_cast<std::size_t>(i)];
    const int sel =
        static_cast<std::size_t>(i) < ov.selected.size() ? ov.selected[static_cast<std::size_t>(i)] : -1;
    const int opt =
        static_cast<std::size_t>(i) < ov.optimal.size() ? ov.optimal[static_cast<std::size_t>(i)] : -1;
    for (int t = 0; t < static_cast<int>(row.size()); ++t) {
      const ImVec2 a(origin.x + labelW + cell * static_cast<float>(t), y);
      const ImVec2 b(a.x + cell - 1.f, y + rowH - 1.f);
      const double s = row[static_cast<std::size_t>(t)].s;
      dl->AddRectFilled(a, b, attentionColour(s));
      if (t == sel)
        dl->AddRect(ImVec2(a.x + 1, a.y + 1), ImVec2(b.x - 1, b.y - 1), pal.foreground, 0, 0, 2.f * scale);
      if (t == opt && doc.view().layers.optimalMarks)
        drawStar(dl, ImVec2(b.x - 5.f * scale, a.y + 5.f * scale), std::min(4.5f * scale, rowH * 0.3f),
                 pal.optimal, pal.markerOutline, 0.8f * scale);
      if (numbers) {
        char v[16];
        std::snprintf(v, sizeof v, "%.2f", s);
        const ImVec2 sz = ImGui::CalcTextSize(v);
        // Left of centre when the star takes the cell's top-right corner.
        const float shift = t == opt && doc.view().layers.optimalMarks ? 4.f * scale : 0.f;
        dl->AddText(ImVec2(0.5f * (a.x + b.x) - sz.x * 0.5f - shift, 0.5f * (a.y + b.y) - sz.y * 0.5f),
                    attentionTextColour(s), v);
      }
      if (mouse.x >= a.x && mouse.x < b.x + 1 && mouse.y >= a.y && mouse.y < b.y + 1) {
        hoverSeq = i;
        hoverTok = t;
      }
    }
  }
  // The rows where the runs disagree: a not-equal sign after the row, in the warning colour.
  for (int i = 0; i < n && i < static_cast<int>(options.disagree.size()); ++i)
    if (options.disagree[static_cast<std::size_t>(i)] && rowH >= ImGui::GetFontSize() * 0.8f)
      dl->AddText(
          ImVec2(origin.x + labelW + cell * static_cast<float>(maxT) + 3.f * scale,
                 origin.y + headerH + rowH * static_cast<float>(i) + (rowH - ImGui::GetFontSize()) * 0.5f),
          pal.warning, "\xE2\x89\xA0");
  const float gridW = labelW + cell * static_cast<float>(maxT) + markW;
  const float gridH = headerH + rowH * static_cast<float>(n);
  ImGui::InvisibleButton("##heat", ImVec2(gridW, gridH));
  const bool hovered = ImGui::IsItemHovered();
  if (hovered && hoverSeq >= 0) {
    const TokenValues& v = ov.tokens[static_cast<std::size_t>(hoverSeq)][static_cast<std::size_t>(hoverTok)];
    ImGui::BeginTooltip();
    ImGui::Text("sequence %d, token %d", hoverSeq, hoverTok);
    ImGui::TextUnformatted(("s = " + prettyNumber(v.s, "%.4g") + "   \xCE\xB3 = " +
                            prettyNumber(v.gamma, "%.4g") + "   a = " + prettyNumber(v.logit, "%.4g"))
                               .c_str());
    ImGui::TextDisabled("click: select this token");
    ImGui::EndTooltip();
    if (ImGui::IsItemClicked()) {
      doc.view().selectedSequence = hoverSeq;
      doc.view().activeToken = {hoverSeq, hoverTok};
    }
  }

  if (!options.legend) return;
  // Colour bar, fixed range [0, 1].
  const ImVec2 c0(origin.x + gridW + 24.f * scale, origin.y + headerH);
  const float barH = std::max(10.f * scale, std::min(14.f * scale, gridH - headerH));
  const int steps = 32;
  for (int k = 0; k < steps; ++k) {
    const float x0 = c0.x + barW * static_cast<float>(k) / steps,
                x1 = c0.x + barW * static_cast<float>(k + 1) / steps;
    dl->AddRectFilled(ImVec2(x0, c0.y), ImVec2(x1 + 0.5f, c0.y + barH), attentionColour((k + 0.5) / steps));
  }
  dl->AddRect(c0, ImVec2(c0.x + barW, c0.y + barH), pal.axis);
  dl->AddText(ImVec2(c0.x, c0.y + barH + 2.f * scale), pal.textMuted, "0");
  const ImVec2 one = ImGui::CalcTextSize("1");
  dl->AddText(ImVec2(c0.x + barW - one.x, c0.y + barH + 2.f * scale), pal.textMuted, "1");
  // Caption between 0 and 1 when it fits, on its own line otherwise; then the marks' legend.
  const char* cap = "attention s";
  const ImVec2 capSz = ImGui::CalcTextSize(cap);
  const float line = ImGui::GetFontSize() + 4.f * scale;
  float y = c0.y + barH + 2.f * scale;
  if (capSz.x + 2.f * (one.x + 8.f * scale) <= barW) {
    dl->AddText(ImVec2(c0.x + 0.5f * (barW - capSz.x), y), pal.textMuted, cap);
  } else {
    y += line;
    dl->AddText(ImVec2(c0.x, y), pal.textMuted, cap);
  }
  y += line;
  const char* selected = "\xE2\x96\xA1 selected";
  const char* optimal = "\xE2\x98\x85 optimal";
  const float selW = ImGui::CalcTextSize(selected).x, gap = 12.f * scale;
  dl->AddText(ImVec2(c0.x, y), pal.textMuted, selected);
  if (selW + gap + ImGui::CalcTextSize(optimal).x <=
      std::max(barW, ImGui::GetContentRegionAvail().x - (c0.x - origin.x)))
    dl->AddText(ImVec2(c0.x + selW + gap, y), pal.textMuted, optimal);
  else
    dl->AddText(ImVec2(c0.x, y + line), pal.textMuted, optimal);
}

}  // namespace attnmd::gui
