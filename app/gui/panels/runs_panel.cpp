// [SECTION] run list edits (hide, solo, delete, colours)
// [SECTION] the strip
// [SECTION] popups (rename, colour)
#include "app/gui/panels/runs_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "app/gui/widgets/ui_util.h"
#include "app/state/overlay.h"
#include "app/state/run_presets.h"

namespace attnmd::gui {

// =================================================================================================
// [SECTION] run list edits
// =================================================================================================

namespace {

// "Orange" of the Okabe-Ito palette: the strip's one warning colour, readable on both themes.
const ImVec4 kDisagreeColour(0.902f, 0.624f, 0.0f, 1.0f);

// The run's colour (parseRunColour, the canvas's parser); grey for a missing or bad one.
ImVec4 colourFromHex(const std::string& hex) {
  const std::uint32_t c = parseRunColour(hex);
  return c ? ImGui::ColorConvertU32ToFloat4(c) : ImVec4(0.5f, 0.5f, 0.5f, 1.f);
}

std::string hexFromColour(const float c[3]) {
  auto byte = [](float v) { return static_cast<unsigned>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f)); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", byte(c[0]), byte(c[1]), byte(c[2]));
  return buf;
}

// Solo: run i alone is visible; when it already is, every run is shown again.
void solo(std::vector<core::RunPatch>& runs, std::size_t i) {
  bool alone = !runs[i].hidden;
  for (std::size_t j = 0; j < runs.size(); ++j)
    if (j != i && !runs[j].hidden) alone = false;
  for (std::size_t j = 0; j < runs.size(); ++j) runs[j].hidden = alone ? false : j != i;
}

// "α 0 2 1 1" (a long list is cut: the chip stays narrow).
std::string selectionText(const std::vector<int>& selected) {
  constexpr std::size_t kShown = 8;
  std::string s = "\xCE\xB1";
  for (std::size_t q = 0; q < selected.size() && q < kShown; ++q) {
    s += ' ';  // appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on " " + std::string
    s += std::to_string(selected[q]);
  }
  if (selected.size() > kShown) s += " ...";
  return s;
}

RunsPanel::Rect lastRect() {
  return {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
}

}  // namespace

float RunsPanel::preferredHeight(float scale) {
  // Two lines of chips (13 px font + frame padding + spacing at scale 1), the window padding and room
  // for a horizontal scrollbar when eight runs do not fit.
  return std::ceil((2.f * 23.f + 2.f * 6.f + 14.f) * scale);
}

std::string RunsPanel::takeMessage() {
  return std::exchange(message_, std::string());
}

void RunsPanel::apply(Document& doc, std::vector<core::RunPatch> runs, const std::string& what) {
  if (std::string m = doc.apply(cmd::SetRuns{std::move(runs), what}); !m.empty()) message_ = m;
}

// =================================================================================================
// [SECTION] the strip
// =================================================================================================

void RunsPanel::draw(Document& doc, const Lab& lab, float scale) {
  const int count = doc.runCount();
  layout_.names.assign(static_cast<std::size_t>(count), {});
  layout_.swatches = layout_.hideButtons = layout_.soloButtons = layout_.deleteButtons = layout_.names;
  layout_.presets.clear();
  layout_.renameInput = layout_.renameOk = {};
  const std::vector<RunSummary> sums = summarizeRuns(lab, doc);
  const std::vector<int> disagree = disagreeingSequences(lab, doc);
  const int selected = std::clamp(doc.view().selectedRun, 0, std::max(0, count - 1));
  const long long shownStep = lab.cursor() ? *lab.cursor() : lab.furthestStep();

  ImGui::BeginChild("##runsStrip", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);

  // ---- controls: add, compare, the disagreement mark
  ImGui::BeginGroup();
  const bool full = count >= static_cast<int>(core::kMaxRuns);
  ImGui::BeginDisabled(full);
  if (ImGui::Button("+")) {
    std::vector<core::RunPatch> runs = materializedRuns(doc);
    runs.push_back(duplicateWithNextP(doc, selected));
    apply(doc, std::move(runs), "add a run");
    doc.view().selectedRun = doc.runCount() - 1;
  }
  ImGui::EndDisabled();
  layout_.add = lastRect();
  tip(full ? "No more runs: a scene holds at most 8. Delete one to add another."
           : "Add a run: a copy of the selected run with the next geometry p (1.1, 2, 3), to compare how p "
             "changes which tokens attention selects.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("Compare").x + ImGui::GetFrameHeight() + 12.f * scale);
  if (ImGui::BeginCombo("##compare", "Compare", ImGuiComboFlags_HeightLarge)) {
    for (const auto& e : core::enumTable<RunPreset>()) {
      if (ImGui::Selectable(e.label)) {
        apply(doc, presetRuns(doc, e.value), std::string("compare ") + e.label);
        doc.view().selectedRun = 0;
      }
      layout_.presets.push_back(lastRect());
      tip(e.value == RunPreset::P_1_1_2_3
              ? "Replace the runs by three: mirror descent with p = 1.1, 2 and 3, "
                "each over the selected run's settings."
          : e.value == RunPreset::GD_NGD_Polyak
              ? "Replace the runs by three: gradient descent, normalized gradient "
                "descent and the Polyak step, over the selected run's settings."
              : "Replace the runs by two: mirror descent with p = 1.1 and Adam, over "
                "the selected run's settings.");
    }
    ImGui::EndCombo();
  }
  layout_.compare = lastRect();
  tip("One-click comparisons: replace the runs by a set that trains the same data side by side (Ctrl+Z "
      "brings the old runs back).");
  if (!disagree.empty()) {
    std::string text = disagree.size() == 1 ? "\xE2\x89\xA0 on sequence" : "\xE2\x89\xA0 on sequences";
    for (std::size_t k = 0; k < disagree.size(); ++k) text += (k ? ", " : " ") + std::to_string(disagree[k]);
    ImGui::TextColored(kDisagreeColour, "%s", text.c_str());
    tip("The visible runs select different tokens in these sequences at the step shown: the optimizer's "
        "geometry decides which token attention converges to, not only how fast.");
  } else if (count > 1) {
    ImGui::TextDisabled("runs agree");
    tip("Every visible run selects the same token in every sequence at the step shown.");
  }
  ImGui::EndGroup();

  // ---- one chip per run
  const float swatch = ImGui::GetFrameHeight();
  for (int i = 0; i < count; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    const RunSummary& r = sums[k];
    ImGui::SameLine(0, 14.f * scale);
    ImGui::PushID(i);
    ImGui::BeginGroup();
    const ImVec4 colour = colourFromHex(r.colour);
    bool visible = !r.hidden;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(2.f * scale, ImGui::GetStyle().FramePadding.y));
    if (ImGui::Checkbox("##visible", &visible)) {
      std::vector<core::RunPatch> runs = materializedRuns(doc);
      runs[k].hidden = !visible;
      apply(doc, std::move(runs), visible ? "show a run" : "hide a run");
    }
    ImGui::PopStyleVar();
    layout_.hideButtons[k] = lastRect();
    tip(r.hidden ? "Hidden: tick to show this run again on the canvas, in the heat maps and the plots (it "
                   "kept training)."
                 : "Shown: untick to hide this run from the canvas, the heat maps and the plots; it keeps "
                   "training.");
    ImGui::SameLine(0, 3.f * scale);
    if (ImGui::ColorButton("##colour", colour, ImGuiColorEditFlags_NoTooltip, ImVec2(swatch, swatch))) {
      colouring_ = i;
      const ImVec4 c = colourFromHex(doc.runInfo(i).colour);
      colourEdit_[0] = c.x, colourEdit_[1] = c.y, colourEdit_[2] = c.z;
      ImGui::OpenPopup("##runColour");
    }
    layout_.swatches[k] = lastRect();
    tip("The run's colour on the canvas and in the plots. Click to change it.");
    ImGui::SameLine();
    if (r.hidden) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    const float nameWidth = std::max(ImGui::CalcTextSize(r.name.c_str()).x, 60.f * scale);
    if (ImGui::Selectable(r.name.c_str(), i == selected, ImGuiSelectableFlags_AllowDoubleClick,
                          ImVec2(nameWidth, 0))) {
      doc.view().selectedRun = i;
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        renaming_ = i;
        openRename_ = true;
      }
    }
    if (r.hidden) ImGui::PopStyleColor();
    layout_.names[k] = lastRect();
    tip("Click to select this run: experiment edits go to it and the canvas markers show its attention. "
        "Double-click to rename; right-click for more.");
    if (ImGui::BeginPopupContextItem("##runMenu")) {
      if (ImGui::MenuItem("Rename")) {
        renaming_ = i;
        openRename_ = true;
      }
      if (ImGui::MenuItem(r.hidden ? "Show" : "Hide")) {
        std::vector<core::RunPatch> runs = materializedRuns(doc);
        runs[k].hidden = !runs[k].hidden;
        apply(doc, std::move(runs), r.hidden ? "show a run" : "hide a run");
      }
      if (ImGui::MenuItem("Solo")) {
        std::vector<core::RunPatch> runs = materializedRuns(doc);
        solo(runs, k);
        apply(doc, std::move(runs), "solo a run");
      }
      if (ImGui::MenuItem("Palette colour", nullptr, false,
                          !doc.state().runs.empty() && !doc.state().runs[k].colour.empty())) {
        std::vector<core::RunPatch> runs = materializedRuns(doc);
        runs[k].colour.clear();
        apply(doc, std::move(runs), "reset a run's colour");
      }
      if (ImGui::MenuItem("Delete", nullptr, false, count > 1)) {
        std::vector<core::RunPatch> runs = materializedRuns(doc);
        runs.erase(runs.begin() + i);
        apply(doc, std::move(runs), "delete a run");
        if (selected > i) doc.view().selectedRun = selected - 1;
      }
      ImGui::EndPopup();
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("S")) {
      std::vector<core::RunPatch> runs = materializedRuns(doc);
      solo(runs, k);
      apply(doc, std::move(runs), "solo a run");
    }
    layout_.soloButtons[k] = lastRect();
    tip("Solo: show only this run (the others are hidden; they keep training). Click again to show "
        "every run.");
    ImGui::SameLine();
    ImGui::BeginDisabled(count <= 1);
    if (ImGui::SmallButton("\xC3\x97")) {
      std::vector<core::RunPatch> runs = materializedRuns(doc);
      runs.erase(runs.begin() + i);
      apply(doc, std::move(runs), "delete a run");
      if (selected > i) doc.view().selectedRun = selected - 1;
    }
    ImGui::EndDisabled();
    layout_.deleteButtons[k] = lastRect();
    tip(count <= 1 ? "The last run cannot be deleted." : "Delete this run (Ctrl+Z brings it back).");

    // Line 2: where the run is.
    if (!r.error.empty()) {
      ImGui::TextColored(kDisagreeColour, "cannot train");
      tip(r.error.c_str());
    } else {
      // The step only where it is not the timeline's (a run that stopped early, or is still catching up).
      std::string line = selectionText(r.selected) + "  corr ";
      char corr[32];
      std::snprintf(corr, sizeof corr, std::isfinite(r.corr) ? "%.4f" : "-", r.corr);
      line += corr;
      if (r.step != shownStep) line += "  step " + groupedInt(r.step);
      ImGui::TextDisabled("%s", line.c_str());
      const std::string help =
          "Step " + groupedInt(r.step) +
          ". \xCE\xB1: the token each sequence selects (\xCE\xB1\xE1\xB5\xA2 = argmax_t s_it), in sequence "
          "order. corr: the correlation of the parameters with the max-margin solution for those tokens "
          "(1 = same direction).";
      tip(help.c_str());
    }
    ImGui::EndGroup();
    // The chip's frame in the run's colour; thicker for the selected run.
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float pad = 3.f * scale;
    ImGui::GetWindowDrawList()->AddRect(
        ImVec2(a.x - pad, a.y - pad), ImVec2(b.x + pad, b.y + pad),
        ImGui::GetColorU32(r.hidden ? ImVec4(colour.x, colour.y, colour.z, 0.4f) : colour), 4.f * scale, 0,
        (i == selected ? 2.5f : 1.f) * scale);
    ImGui::PopID();
  }

  // =================================================================================================
  // [SECTION] popups
  // =================================================================================================
  if (openRename_) {
    openRename_ = false;
    if (renaming_ >= 0 && renaming_ < count) {
      const std::string name = doc.runInfo(renaming_).name;
      std::snprintf(renameBuf_, sizeof renameBuf_, "%s", name.c_str());
      ImGui::OpenPopup("##renameRun");
    }
  }
  if (ImGui::BeginPopup("##renameRun")) {
    bool commit = false;
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(200.f * scale);
    commit |= ImGui::InputText("##name", renameBuf_, sizeof renameBuf_, ImGuiInputTextFlags_EnterReturnsTrue);
    layout_.renameInput = lastRect();
    tip("The run's name in the strip, the legend and the plots. Empty: named after its optimizer.");
    commit |= ImGui::Button("OK");
    layout_.renameOk = lastRect();
    tip("Rename the run.");
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    tip("Keep the old name.");
    if (commit) {
      if (renaming_ >= 0 && renaming_ < doc.runCount()) {
        std::vector<core::RunPatch> runs = materializedRuns(doc);
        runs[static_cast<std::size_t>(renaming_)].name = renameBuf_;
        apply(doc, std::move(runs), "rename a run");
      }
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  if (ImGui::BeginPopup("##runColour")) {
    if (colouring_ >= 0 && colouring_ < doc.runCount()) {
      const bool changed = ImGui::ColorEdit3("##edit", colourEdit_, ImGuiColorEditFlags_NoAlpha);
      std::vector<core::RunPatch> runs = materializedRuns(doc);
      runs[static_cast<std::size_t>(colouring_)].colour = hexFromColour(colourEdit_);
      // A drag in the picker is one undo entry.
      itemGesture(doc, "change a run's colour", changed,
                  cmd::SetRuns{std::move(runs), "change a run's colour"});
      tip("The run's colour. Dragging in the picker is one undo step.");
      if (ImGui::Button("Palette colour")) {
        std::vector<core::RunPatch> reset = materializedRuns(doc);
        reset[static_cast<std::size_t>(colouring_)].colour.clear();
        apply(doc, std::move(reset), "reset a run's colour");
        ImGui::CloseCurrentPopup();
      }
      tip("Go back to the colour the palette gives this run by its position.");
    } else {
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  ImGui::EndChild();
}

}  // namespace attnmd::gui
