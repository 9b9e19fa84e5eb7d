#include "app/gui/files/unsaved_prompt.h"

namespace attnmd::gui {
namespace {
constexpr const char* kUnsavedTitle = "Unsaved changes##unsaved";
}

void UnsavedPrompt::ask(std::string name, std::string what) {
  documentName = std::move(name);
  action = std::move(what);
  open = true;
  popupOpened = false;
}

UnsavedPrompt::Choice UnsavedPrompt::draw(float scale) {
  if (!open) return Choice::None;
  if (!popupOpened) {
    ImGui::OpenPopup(kUnsavedTitle);
    popupOpened = true;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(520.f * scale, 0.f));
  Choice choice = Choice::None;
  if (ImGui::BeginPopupModal(kUnsavedTitle, nullptr,
                             ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoResize)) {
    ImGui::TextWrapped("Save the changes to %s before %s?", documentName.c_str(), action.c_str());
    ImGui::TextDisabled("Without saving, the changes are lost.");
    ImGui::Separator();
    const float w = 140.f * scale;
    if (ImGui::Button("Save", ImVec2(w, 0))) choice = Choice::Save;
    saveMin = ImGui::GetItemRectMin();
    saveMax = ImGui::GetItemRectMax();
    ImGui::SetItemDefaultFocus();
    ImGui::SameLine();
    if (ImGui::Button("Don't save", ImVec2(w, 0))) choice = Choice::Discard;
    discardMin = ImGui::GetItemRectMin();
    discardMax = ImGui::GetItemRectMax();
    ImGui::SameLine();
    if (ImGui::Button("Cancel", ImVec2(w, 0)) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
      choice = Choice::Cancel;
    cancelMin = ImGui::GetItemRectMin();
    cancelMax = ImGui::GetItemRectMax();
    if (choice != Choice::None) {
      ImGui::CloseCurrentPopup();
      open = false;
      popupOpened = false;
    }
    ImGui::EndPopup();
  }
  return choice;
}

}  // namespace attnmd::gui
