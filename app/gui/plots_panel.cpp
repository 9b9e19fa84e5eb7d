#include "app/gui/plots_panel.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "app/gui/ui_util.h"

namespace attnmd::gui {
namespace {

void row(const char* name, const char* tooltip, double value, const char* fmt = "%.4g") {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(name);
  tip(tooltip);
  ImGui::TableNextColumn();
  if (std::isnan(value))
    ImGui::TextDisabled("n/a");
  else
    ImGui::TextUnformatted(prettyNumber(value, fmt).c_str());
}

}  // namespace

void PlotsPanel::draw(const TrainSnapshot& snap, float scale) {
  const core::MetricsPoint& m = snap.metrics;
  if (ImGui::BeginTable("metrics", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed, 110.f * scale);
    row("loss L(\xCE\xB8)", "L = (1/n) \xCE\xA3\xE1\xB5\xA2 \xE2\x84\x93(Y\xE1\xB5\xA2 f\xE1\xB5\xA2).",
        m.loss);
    row("\xE2\x80\x96\xCE\xB8\xE2\x80\x96_p",
        "Norm of the attention parameter in the SVM's geometry; grows without bound on separable data.",
        m.normP);
    row("corr(\xCE\xB8, \xCE\xB8^mm)",
        "\xE2\x9F\xA8\xCE\xB8, \xCE\xB8^mm\xE2\x9F\xA9 / (\xE2\x80\x96\xCE\xB8\xE2\x80\x96_F "
        "\xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96_F): 1 when the direction matches the SVM of the selected "
        "tokens.",
        m.corr, "%.6f");
    row("Bregman D_\xCF\x88",
        "Directional Bregman divergence to the SVM direction (1 \xE2\x88\x92 corr at p = 2); tends to 0.",
        m.bregman, "%.3e");
    row("min s_i\xCE\xB1", "Smallest attention weight on a selected token over all sequences.",
        m.minSelectedProb, "%.6f");
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("max 1 \xE2\x88\x92 s_i\xCE\xB1");
    tip("Largest attention mass left on non-selected tokens, exact far below 1e-16 (log form).");
    ImGui::TableNextColumn();
    if (std::isfinite(m.log10MaxUnselected)) {
      const double e = std::floor(m.log10MaxUnselected);
      ImGui::Text("%.3fe%d", std::pow(10.0, m.log10MaxUnselected - e), static_cast<int>(e));
    } else {
      ImGui::TextDisabled("n/a");
    }
    row("margin",
        "Min normalized margin min_rows (A\xCE\xB8)/\xE2\x80\x96\xCE\xB8\xE2\x80\x96_p; tends to the SVM's "
        "1/\xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96.",
        m.margin);
    row("accuracy", "Fraction of sequences with Y_i f_i > 0.", m.accuracy, "%.3f");
    row("entropy", "Mean attention entropy in nats; 0 when every sequence attends to one token.", m.entropy);
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::TextDisabled("Plots: waiting for the plot module (branch plot).");
}

}  // namespace attnmd::gui
