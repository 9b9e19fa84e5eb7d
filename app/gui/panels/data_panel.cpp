#include "app/gui/panels/data_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/widgets/ui_util.h"
#include "app/state/doc_extras.h"

namespace attnmd::gui {
namespace {

// A new sequence near the middle of the data, two tokens, so it is valid at once (T >= 2).
core::Sequence newSequence(const core::Scene& scene, int y) {
  core::Sequence s;
  s.y = y;
  s.tokens = Eigen::MatrixXd::Zero(2, scene.dim);
  const double shift = 0.35 * static_cast<double>(scene.sequenceCount() % 5);
  s.tokens(0, 0) = 1.0 + shift;
  if (scene.dim > 1) s.tokens(0, 1) = 0.5 * y;
  s.tokens(1, 0) = -0.5 + shift;
  if (scene.dim > 1) s.tokens(1, 1) = -0.5 * y;
  return s;
}

}  // namespace

void DataPanel::draw(Document& doc, const CanvasOverlay& ov, ThemeKind theme, float scale) {
  const core::Scene& scene = doc.scene();
  ViewState& view = doc.view();

  // The scene's own description (a preset's "notes"): what it is and what to watch.
  if (const std::string notes = sceneNotes(scene); !notes.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", notes.c_str());
    ImGui::PopStyleColor();
    ImGui::Separator();
  }

  if (ImGui::Button("+ sequence (y = +1)")) {
    if (doc.apply(cmd::AddSequence{newSequence(scene, 1), -1}).empty())
      view.selectedSequence = doc.scene().sequenceCount() - 1;
  }
  tip("Add a sequence with label +1 and two tokens; double-click the canvas to add more tokens to it.");
  ImGui::SameLine();
  if (ImGui::Button("+ sequence (y = \xE2\x88\x92"
                    "1)")) {
    if (doc.apply(cmd::AddSequence{newSequence(scene, -1), -1}).empty())
      view.selectedSequence = doc.scene().sequenceCount() - 1;
  }
  tip("Add a sequence with label \xE2\x88\x92"
      "1 and two tokens.");

  // ---- sequences
  // Tables as tall as their rows (a row holds a framed widget), scrolling beyond a share of the panel.
  const float rowH = ImGui::GetFrameHeight() + 2.f * ImGui::GetStyle().CellPadding.y;
  const float rowsH = std::min(rowH * (static_cast<float>(scene.sequenceCount()) + 1.f) + 4.f,
                               ImGui::GetContentRegionAvail().y * 0.4f);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("sequences", 5, flags, ImVec2(0, rowsH))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("seq");
    ImGui::TableSetupColumn("label y");
    ImGui::TableSetupColumn("T");
    ImGui::TableSetupColumn("\xCE\xB1 / opt");
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (int i = 0; i < doc.scene().sequenceCount(); ++i) {
      const core::Sequence& q = doc.scene().sequences[static_cast<std::size_t>(i)];
      ImGui::PushID(i);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      colourSwatch(sequenceColour(theme, i), ImGui::GetFontSize() * 0.8f);
      ImGui::SameLine();
      char name[16];
      std::snprintf(name, sizeof name, "%d", i);
      if (ImGui::Selectable(name, view.selectedSequence == i, ImGuiSelectableFlags_None,
                            ImVec2(24.f * scale, 0)))
        view.selectedSequence = i;
      tip("Select this sequence: canvas double-clicks add tokens to it, the table below shows its tokens.");
      ImGui::TableNextColumn();
      int label = q.y > 0 ? 0 : 1;
      ImGui::SetNextItemWidth(58.f * scale);
      if (ImGui::Combo("##y", &label,
                       "+1\0\xE2\x88\x92"
                       "1\0"))
        doc.apply(cmd::SetLabel{i, label == 0 ? 1 : -1});
      tip("Label Y_i: +1 (circle) or \xE2\x88\x92"
          "1 (square). It flips which tokens score high, \xCE\xB3_it = Y_i v\xE1\xB5\x80x_it.");
      ImGui::TableNextColumn();
      ImGui::Text("%d", static_cast<int>(q.tokens.rows()));
      ImGui::TableNextColumn();
      if (static_cast<std::size_t>(i) < ov.selected.size() &&
          static_cast<std::size_t>(i) < ov.optimal.size()) {
        const int a = ov.selected[static_cast<std::size_t>(i)], o = ov.optimal[static_cast<std::size_t>(i)];
        if (a < 0) {
          ImGui::Text("\xE2\x80\x93 / %d", o);
          tip("Nothing selected yet: every token of this sequence has the same attention (a tie).");
        } else {
          ImGui::Text("%d / %d", a, o);
          tip(a == o ? "Selected token = optimal token: attention picks the best-scoring token."
                     : "Selected \xE2\x89\xA0 optimal: training is heading to a locally optimal token, "
                       "one whose score beats its SVM support neighbours' but not every token's.");
        }
      }
      ImGui::TableNextColumn();
      if (ImGui::SmallButton("dup"))
        doc.apply(cmd::DuplicateSequence{i, Eigen::VectorXd::Constant(scene.dim, 0.25)});
      tip("Duplicate this sequence, shifted by 0.25 in every coordinate.");
      ImGui::SameLine();
      ImGui::BeginDisabled(doc.scene().sequenceCount() <= 1);
      if (ImGui::SmallButton("remove")) doc.apply(cmd::RemoveSequence{i});
      ImGui::EndDisabled();
      tip(doc.scene().sequenceCount() <= 1
              ? "The last sequence stays: a scene needs at least one to train on. File > New starts a blank "
                "scene; a sequence's tokens can be moved, added and deleted on the canvas."
              : "Remove this sequence (Ctrl+Z brings it back).");
      ImGui::PopID();
    }
    ImGui::EndTable();
  }

  // ---- tokens of the selected sequence
  const int sel = std::clamp(view.selectedSequence, 0, std::max(0, doc.scene().sequenceCount() - 1));
  if (doc.scene().sequenceCount() == 0) return;
  ImGui::Spacing();
  colourSwatch(sequenceColour(theme, sel), ImGui::GetFontSize() * 0.8f);
  ImGui::SameLine();
  ImGui::Text("Tokens of sequence %d", sel);
  const int d = doc.scene().dim;
  const int T = static_cast<int>(doc.scene().sequences[static_cast<std::size_t>(sel)].tokens.rows());
  const float tokensH =
      std::min(rowH * (static_cast<float>(T) + 1.f) + 4.f,
               ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() * 1.2f);
  if (ImGui::BeginTable("tokens", d + 3, flags, ImVec2(0, tokensH))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("t");
    for (int k = 0; k < d; ++k) {
      char h[16];
      std::snprintf(h, sizeof h, "x%d", k + 1);
      ImGui::TableSetupColumn(h, ImGuiTableColumnFlags_WidthStretch);
    }
    ImGui::TableSetupColumn("s");
    ImGui::TableSetupColumn("");
    ImGui::TableHeadersRow();
    for (int t = 0; t < T; ++t) {
      ImGui::PushID(t);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool active = view.activeToken == TokenRef{sel, t};
      char idx[16];
      std::snprintf(idx, sizeof idx, "%d", t);
      if (ImGui::Selectable(idx, active)) view.activeToken = {sel, t};
      tip("Make this the active token (Delete removes it).");
      for (int k = 0; k < d; ++k) {
        ImGui::TableNextColumn();
        ImGui::PushID(k);
        const auto& X = doc.scene().sequences[static_cast<std::size_t>(sel)].tokens;
        Eigen::VectorXd x = X.row(t).transpose();
        double value = x(k);
        ImGui::SetNextItemWidth(-1);
        const bool changed = ImGui::InputDouble("##x", &value, 0, 0, "%.3f");
        if (changed) x(k) = value;
        tip("Coordinate of the token; type a value (Enter or click elsewhere commits, one undo entry).");
        itemGesture(doc, "edit a coordinate", changed, cmd::MoveToken{sel, t, x});
        ImGui::PopID();
      }
      ImGui::TableNextColumn();
      if (static_cast<std::size_t>(sel) < ov.tokens.size() &&
          static_cast<std::size_t>(t) < ov.tokens[static_cast<std::size_t>(sel)].size())
        ImGui::Text("%.3f", ov.tokens[static_cast<std::size_t>(sel)][static_cast<std::size_t>(t)].s);
      ImGui::TableNextColumn();
      ImGui::BeginDisabled(T <= 2);
      if (ImGui::SmallButton("\xC3\x97")) doc.apply(cmd::DeleteToken{sel, t});
      ImGui::EndDisabled();
      tip("Delete this token (a sequence keeps at least 2).");
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (ImGui::Button("+ token")) {
    Eigen::VectorXd x =
        doc.scene().sequences[static_cast<std::size_t>(sel)].tokens.colwise().mean().transpose();
    x(0) += 0.3;
    doc.apply(cmd::AddToken{sel, x, -1});
  }
  tip("Add a token to this sequence next to its centre (or click on the canvas where you want it).");
}

}  // namespace attnmd::gui
