#include "app/gui/files/recovery_prompt.h"

#include <imgui.h>

#include <filesystem>

namespace attnmd::gui {
namespace {
constexpr const char* kRecoveryTitle = "Restore unsaved work?";
}

RecoveryPrompt::Choice RecoveryPrompt::draw(double now, float scale) {
  if (pending.empty()) return Choice::None;
  if (!popupOpened) {
    ImGui::OpenPopup(kRecoveryTitle);
    popupOpened = true;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(560.f * scale, 0.f));
  Choice choice = Choice::None;
  if (ImGui::BeginPopupModal(kRecoveryTitle, nullptr,
                             ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoResize)) {
    const RecoverableSession& s = pending.front();
    ImGui::TextWrapped(
        "attnmd did not close normally last time (it crashed or was killed). Its unsaved "
        "work was autosaved and can be restored.");
    ImGui::Spacing();
    const std::string what =
        s.documentPath.empty()
            ? std::string("an untitled scene")
            : std::filesystem::path(s.documentPath).filename().string() + "  (" + s.documentPath + ")";
    ImGui::TextDisabled("Scene:");
    ImGui::SameLine();
    ImGui::TextWrapped("%s", what.c_str());
    ImGui::TextDisabled("Saved:");
    ImGui::SameLine();
    ImGui::TextUnformatted(describeSavedAt(s.savedAt, now).c_str());
    if (pending.size() > 1)
      ImGui::TextDisabled("(%d more after this one)", static_cast<int>(pending.size()) - 1);
    ImGui::Spacing();
    ImGui::TextWrapped(
        "Restore opens it as an unsaved scene (save it to keep it). Discard deletes the "
        "autosave.");
    ImGui::Separator();
    const float w = 140.f * scale;
    if (ImGui::Button("Restore", ImVec2(w, 0)) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false))
      choice = Choice::Restore;
    restoreMin = ImGui::GetItemRectMin();
    restoreMax = ImGui::GetItemRectMax();
    ImGui::SetItemDefaultFocus();
    ImGui::SameLine();
    if (ImGui::Button("Discard", ImVec2(w, 0))) choice = Choice::Discard;
    discardMin = ImGui::GetItemRectMin();
    discardMax = ImGui::GetItemRectMax();
    if (choice != Choice::None) {
      ImGui::CloseCurrentPopup();
      popupOpened = false;  // the next pending session (if any) opens the popup again
    }
    ImGui::EndPopup();
  }
  return choice;
}

RecoverableSession RecoveryPrompt::take() {
  RecoverableSession s = std::move(pending.front());
  pending.erase(pending.begin());
  return s;
}

}  // namespace attnmd::gui
