#include "app/gui/panels/plots_panel.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "app/gui/widgets/ui_util.h"
#include "app/plot/run_plots.h"

namespace attnmd::gui {
namespace {

// The current values, two metrics per table row so the table stays short under the plots.
void valuesTable(const core::MetricsPoint& m, float scale) {
  if (!ImGui::BeginTable("metrics", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed, 78.f * scale);
  ImGui::TableSetupColumn("metric2", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("value2", ImGuiTableColumnFlags_WidthFixed, 78.f * scale);
  auto cell = [](const char* name, const char* tooltip, double value, const char* fmt) {
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    tip(tooltip);
    ImGui::TableNextColumn();
    if (std::isnan(value))
      ImGui::TextDisabled("n/a");
    else
      ImGui::TextUnformatted(prettyNumber(value, fmt).c_str());
  };
  ImGui::TableNextRow();
  cell("loss", "L(\xCE\xB8) = (1/n) \xCE\xA3\xE1\xB5\xA2 \xE2\x84\x93(Y\xE1\xB5\xA2 f\xE1\xB5\xA2).", m.loss,
       "%.4g");
  cell("\xE2\x80\x96\xCE\xB8\xE2\x80\x96_p",
       "Norm of the attention parameter in the SVM's geometry; grows without bound on separable data.",
       m.normP, "%.4g");
  ImGui::TableNextRow();
  cell("corr",
       "corr(\xCE\xB8, \xCE\xB8^mm) = \xE2\x9F\xA8\xCE\xB8, \xCE\xB8^mm\xE2\x9F\xA9 / "
       "(\xE2\x80\x96\xCE\xB8\xE2\x80\x96_F \xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96_F) with the SVM of the "
       "currently selected tokens; 1 = same direction.",
       m.corr, "%.6f");
  cell("D_\xCF\x88",
       "Directional Bregman divergence to that SVM direction (1 \xE2\x88\x92 corr at p = 2); tends to 0.",
       m.bregman, "%.2e");
  ImGui::TableNextRow();
  cell("min s_i\xCE\xB1", "Smallest attention weight on a selected token over all sequences.",
       m.minSelectedProb, "%.6f");
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("max 1\xE2\x88\x92s");
  tip("max_i (1 \xE2\x88\x92 s_i\xCE\xB1): attention left on non-selected tokens, exact far below 1e-16 (log "
      "form).");
  ImGui::TableNextColumn();
  if (std::isfinite(m.log10MaxUnselected)) {
    const double e = std::floor(m.log10MaxUnselected);
    ImGui::Text("%.2fe%d", std::pow(10.0, m.log10MaxUnselected - e), static_cast<int>(e));
  } else {
    ImGui::TextDisabled("n/a");
  }
  ImGui::TableNextRow();
  cell("margin",
       "Min normalized margin min_rows (A\xCE\xB8)/\xE2\x80\x96\xCE\xB8\xE2\x80\x96_p; tends to the SVM's "
       "1/\xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96.",
       m.margin, "%.4g");
  cell("accuracy", "Fraction of sequences with Y_i f_i > 0.", m.accuracy, "%.3f");
  ImGui::EndTable();
}

}  // namespace

void PlotsPanel::draw(const std::shared_ptr<const TrainSnapshot>& snap, float scale) {
  if (!snap) return;
  const ImGuiStyle& st = ImGui::GetStyle();
  const float tableH = 4.f * (ImGui::GetTextLineHeight() + 2.f * st.CellPadding.y + 1.f) +
                       2.f * st.ItemSpacing.y + st.WindowPadding.y;
  if (snap != figureOf) {
    plot::RunPlotInput input;
    input.points = snap->history ? *snap->history : std::vector<core::MetricsPoint>{};
    if (snap->selectedSvm && snap->selectedSvm->solution.status == core::SvmStatus::Optimal &&
        snap->selectedSvm->solution.value > 0)
      input.svmMargin = 1.0 / snap->selectedSvm->solution.value;  // math.md §7: margin -> 1/||theta^mm||
    figure = plot::buildRunFigure(std::span<const plot::RunPlotInput>(&input, 1));
    figureOf = snap;
  }
  view.uiScale = scale;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  view.draw(figure, ImVec2(avail.x, std::max(120.f * scale, avail.y - tableH)));
  valuesTable(snap->metrics, scale);
}

}  // namespace attnmd::gui
