#include "app/gui/panels/help_window.h"

#include "app/gui/widgets/ui_util.h"

#include <imgui.h>

#include <cctype>
#include <sstream>

#include "app/common/assets.h"

namespace attnmd::gui {

const Shortcut kShortcuts[] = {
    {"Space", "play / pause training"},
    {"S", "one optimizer step (on the timeline: one step forward)"},
    {"Shift+S", "one step back on the timeline"},
    {"R", "reset every run to step 0"},
    {"F", "fit the canvas (or the 3D view) to the data"},
    {"Delete / Backspace", "delete the hovered (or last clicked) token"},
    {"Ctrl+Z", "undo (after Continue from here: brings the steps back)"},
    {"Ctrl+Y, Ctrl+Shift+Z", "redo"},
    {"Ctrl+= / Ctrl+\xE2\x88\x92", "larger / smaller UI (1x to 3x)"},
    {"Esc", "stop picking SVM tokens"},
    {"Ctrl+N / Ctrl+O", "blank scene / open a file (asks first about unsaved changes)"},
    {"Ctrl+S / Ctrl+Shift+S", "save / save as (atomic: a crash never leaves half a file)"},
    {"Ctrl+Shift+C / Ctrl+Shift+V", "copy the scene as text / paste a scene (one undoable edit)"},
    {"drop a .json", "open it"},
    {"Ctrl+Q", "quit (asks first when there are unsaved changes)"},
    {"F1", "this help"},
    {"F11", "presentation mode: full screen, larger text, canvas and one plot, edits locked (Esc leaves)"},
    {"PageDown / PageUp", "next / previous step of the open lesson (Help > Lessons)"},
    {"drag a panel border", "resize the panel; drag it to the edge to hide it (View menu shows it again)"},
    {"double-click (empty)", "add a token to the selected sequence (hold to place it)"},
    {"left drag", "move a token, the tip of v, or a query point \xC3\x97"},
    {"Ctrl while placing", "snap to the grid's lines (else: rounded to a pixel's worth)"},
    {"right click", "delete a token"},
    {"right drag / wheel", "pan / zoom the canvas"},
    {"click a grid cell", "select that run (experiment edits go to it)"},
    {"3D view: left drag (empty)", "orbit (scenes with d \xE2\x89\xA5 3)"},
    {"3D view: left drag a token", "move it in the screen plane (its depth is kept)"},
    {"3D view: double-click (empty)", "add a token to the selected sequence"},
    {"3D view: right click / drag", "delete a token / pan (wheel: zoom)"},
};
const int kShortcutCount = static_cast<int>(sizeof(kShortcuts) / sizeof(kShortcuts[0]));

void HelpWindow::draw(float scale) {
  if (!open) return;
  if (!lessonLoaded) {
    lesson = readAsset("assets/lessons/welcome.md").value_or("");
    lessonLoaded = true;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(640.f * scale, 620.f * scale), ImGuiCond_Appearing);
  if (!ImGui::Begin("Help", &open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  ImGui::TextUnformatted("attnmd: how softmax attention learns to select tokens");
  ImGui::Separator();
  if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupColumn("keys", ImGuiTableColumnFlags_WidthFixed, 200.f * scale);
    ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthStretch);
    for (int k = 0; k < kShortcutCount; ++k) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(kShortcuts[k].keys);
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", kShortcuts[k].action);  // a narrow window wraps instead of cutting
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  if (!lesson.empty()) markdownText(lesson);
  ImGui::End();
}

}  // namespace attnmd::gui
