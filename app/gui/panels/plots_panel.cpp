#include "app/gui/panels/plots_panel.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "app/gui/widgets/ui_util.h"
#include "app/plot/format.h"
#include "app/plot/palette.h"
#include "app/plot/run_plots.h"

namespace attnmd::gui {
namespace {

// The metrics of the values table (docs/theory.md §7), in table order.
struct Metric {
  const char* name;
  const char* tooltip;
  std::string (*text)(const core::MetricsPoint&);  // "" when there is no value (n/a)
};

std::string number(double value, const char* fmt) {
  return std::isnan(value) ? std::string() : prettyNumber(value, fmt);
}

// max 1 − s is kept as log10 (exact far below 1e-16): mantissa and exponent from it.
std::string log10Text(double log10Value) {
  if (!std::isfinite(log10Value)) return {};
  return plot::formatLog10Value(log10Value, 3);  // no integer exponent: it may lie beyond int's range
}

constexpr Metric kMetrics[] = {
    {"loss", "L(\xCE\xB8) = (1/n) \xCE\xA3\xE1\xB5\xA2 \xE2\x84\x93(Y\xE1\xB5\xA2 f\xE1\xB5\xA2).",
     [](const core::MetricsPoint& m) { return number(m.loss, "%.4g"); }},
    {"\xE2\x80\x96\xCE\xB8\xE2\x80\x96_p",
     "Norm of the attention parameter in the SVM's geometry; grows without bound on separable data.",
     [](const core::MetricsPoint& m) { return number(m.normP, "%.4g"); }},
    {"corr",
     "corr(\xCE\xB8, \xCE\xB8^mm) = \xE2\x9F\xA8\xCE\xB8, \xCE\xB8^mm\xE2\x9F\xA9 / "
     "(\xE2\x80\x96\xCE\xB8\xE2\x80\x96_F \xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96_F) with the SVM of the "
     "currently selected tokens; 1 = same direction.",
     [](const core::MetricsPoint& m) { return number(m.corr, "%.6f"); }},
    {"D_\xCF\x88",
     "Directional Bregman divergence to that SVM direction (1 \xE2\x88\x92 corr at p = 2); tends to 0.",
     [](const core::MetricsPoint& m) { return number(m.bregman, "%.2e"); }},
    {"min s_i\xCE\xB1", "Smallest attention weight on a selected token over all sequences.",
     [](const core::MetricsPoint& m) { return number(m.minSelectedProb, "%.6f"); }},
    {"max 1\xE2\x88\x92s",
     "max_i (1 \xE2\x88\x92 s_i\xCE\xB1): attention left on non-selected tokens, exact far below 1e-16 (log "
     "form).",
     [](const core::MetricsPoint& m) { return log10Text(m.log10MaxUnselected); }},
    {"margin",
     "Min normalized margin min_rows (A\xCE\xB8)/\xE2\x80\x96\xCE\xB8\xE2\x80\x96_p; tends to the SVM's "
     "1/\xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96.",
     [](const core::MetricsPoint& m) { return number(m.margin, "%.4g"); }},
    {"accuracy", "Fraction of sequences with Y_i f_i > 0.",
     [](const core::MetricsPoint& m) { return number(m.accuracy, "%.3f"); }},
};
constexpr int kMetricCount = static_cast<int>(sizeof kMetrics / sizeof kMetrics[0]);

void valueCell(const std::string& text) {
  if (text.empty())
    ImGui::TextDisabled("n/a");
  else
    ImGui::TextUnformatted(text.c_str());
}

// One run's current values, two metrics per table row so the table stays short under the plots.
void valuesTable(const core::MetricsPoint& m, float scale) {
  if (!ImGui::BeginTable("metrics", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed, 78.f * scale);
  ImGui::TableSetupColumn("metric2", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("value2", ImGuiTableColumnFlags_WidthFixed, 78.f * scale);
  for (int i = 0; i < kMetricCount; ++i) {
    if (i % 2 == 0) ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(kMetrics[i].name);
    tip(kMetrics[i].tooltip);
    ImGui::TableNextColumn();
    valueCell(kMetrics[i].text(m));
  }
  ImGui::EndTable();
}

ImVec4 toImVec4(plot::Color c) {
  return ImVec4(c.r / 255.f, c.g / 255.f, c.b / 255.f, c.a / 255.f);
}

// Several runs' current values: one row per metric, one column per run headed by its name in its colour.
void valuesTable(const std::vector<const PlotRun*>& runs, float scale) {
  const int columns = 1 + static_cast<int>(runs.size());
  if (!ImGui::BeginTable("metrics", columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthFixed, 90.f * scale);
  for (const PlotRun* r : runs) ImGui::TableSetupColumn(r->name.c_str(), ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  ImGui::TableSetColumnIndex(0);
  ImGui::TableHeader("metric");
  for (std::size_t r = 0; r < runs.size(); ++r) {
    ImGui::TableSetColumnIndex(static_cast<int>(r) + 1);
    ImGui::PushID(static_cast<int>(r));
    ImGui::PushStyleColor(ImGuiCol_Text, toImVec4(runs[r]->colour));
    ImGui::TableHeader(runs[r]->name.c_str());
    ImGui::PopStyleColor();
    ImGui::PopID();
  }
  for (const Metric& metric : kMetrics) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(metric.name);
    tip(metric.tooltip);
    for (const PlotRun* r : runs) {
      ImGui::TableNextColumn();
      valueCell(metric.text(r->snap->metrics));
    }
  }
  ImGui::EndTable();
}

}  // namespace

bool PlotsPanel::upToDate(const std::vector<PlotRun>& runs) const {
  if (runs.size() != builtFrom_.size()) return false;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (runs[i].snap != builtFrom_[i].snap || runs[i].name != builtFrom_[i].name ||
        runs[i].colour != builtFrom_[i].colour)
      return false;
  return true;
}

void PlotsPanel::draw(const std::shared_ptr<const TrainSnapshot>& snap, float scale) {
  if (!snap) return;
  draw(std::vector<PlotRun>{PlotRun{{}, plot::paletteColor(0), snap}}, std::nullopt, scale);
}

void PlotsPanel::draw(const std::vector<PlotRun>& runs, std::optional<long long> cursor, float scale) {
  std::vector<const PlotRun*> shown;
  for (const PlotRun& r : runs)
    if (r.snap) shown.push_back(&r);
  if (shown.empty()) return;
  if (!upToDate(runs)) {
    std::vector<plot::RunPlotInput> inputs;
    inputs.reserve(shown.size());
    for (const PlotRun* r : shown) {
      plot::RunPlotInput& in = inputs.emplace_back();
      in.name = r->name;
      in.color = r->colour;
      if (r->snap->history) in.points = *r->snap->history;
      const auto& svm = r->snap->selectedSvm;
      if (svm && svm->solution.status == core::SvmStatus::Optimal && svm->solution.value > 0)
        in.svmMargin = 1.0 / svm->solution.value;  // docs/theory.md §7: margin -> 1/||theta^mm||
    }
    figure = plot::buildRunFigure(inputs);
    singleOf_ = -1;  // the presentation copy is stale
    builtFrom_.clear();
    for (const PlotRun& r : runs) builtFrom_.push_back({r.name, r.colour, r.snap});
  }
  figure.cursor = cursor ? std::optional<double>(static_cast<double>(*cursor)) : std::nullopt;

  const ImGuiStyle& st = ImGui::GetStyle();
  const float rows = shown.size() > 1 ? 1.f + kMetricCount : (kMetricCount + 1) / 2;
  const float tableH = rows * (ImGui::GetTextLineHeight() + 2.f * st.CellPadding.y + 1.f) +
                       2.f * st.ItemSpacing.y + st.WindowPadding.y;
  view.uiScale = scale;
  // Several runs: named once here (colour sample and name), so each plot's legend lists only the
  // quantities' line styles and the plots keep their height.
  view.runEntries = shown.size() <= 1;
  // Several runs: one min/max column per 2 px, so the plots' vertex count (most of a software
  // renderer's frame) stays near one run's; at 1 px per column four runs drew ~90k vertices a frame.
  view.columnsPerPixel = shown.size() > 1 ? 0.5 : 1.0;
  if (shown.size() > 1) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    for (std::size_t k = 0; k < shown.size(); ++k) {
      if (k > 0) ImGui::SameLine(0, fs);
      const ImVec2 at = ImGui::GetCursorScreenPos();
      const float y = at.y + 0.5f * ImGui::GetTextLineHeight();
      dl->AddLine(ImVec2(at.x, y), ImVec2(at.x + 1.6f * fs, y),
                  ImGui::GetColorU32(toImVec4(shown[k]->colour)), 2.f * scale);
      ImGui::SetCursorScreenPos(ImVec2(at.x + 2.f * fs, at.y));
      ImGui::TextUnformatted(shown[k]->name.c_str());
    }
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (onlyPlot >= 0 && static_cast<std::size_t>(onlyPlot) < figure.plots.size()) {
    if (singleOf_ != onlyPlot) {  // copied when the figure or the choice changes, not every frame
      single_ = figure;
      single_.plots = {figure.plots[static_cast<std::size_t>(onlyPlot)]};
      singleOf_ = onlyPlot;
    }
    single_.cursor = figure.cursor;
    view.draw(single_, ImVec2(0, 0));  // the room left below the plot's toolbar
    return;
  }
  view.draw(figure, ImVec2(avail.x, std::max(120.f * scale, avail.y - tableH)));
  if (shown.size() > 1)
    valuesTable(shown, scale);
  else
    valuesTable(shown.front()->snap->metrics, scale);
}

}  // namespace attnmd::gui
