#include "app/gui/panels/lesson_panel.h"

#include <imgui.h>

#include <string>

#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {

LessonAction LessonPanel::draw(const LessonProgress& progress, float scale, float x, float y, float width) {
  LessonAction action = LessonAction::None;
  const Lesson& lesson = progress.lesson;
  const LessonStep& step = progress.current();
  ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(ImVec2(width, 330.f * scale), ImGuiCond_Appearing);
  bool open = true;
  const std::string title = "Lesson: " + lesson.title + "###lesson";
  if (ImGui::Begin(title.c_str(), &open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::TextDisabled("step %d of %d", progress.step + 1, static_cast<int>(lesson.steps.size()));
    ImGui::SameLine();
    // One dot per step: filled when done.
    for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
      ImGui::SameLine(0, 4.f * scale);
      ImGui::TextUnformatted(progress.done[k] ? "\xE2\x97\x8F" : "\xE2\x97\x8B");
    }
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(8.f * scale, 6.f * scale));
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted(step.title.c_str());
    ImGui::Separator();
    // The task stays in view under the scrolling text, above the status line and the buttons.
    const std::string task = step.task.empty() ? std::string() : "Task: " + step.task;
    const float taskH =
        task.empty() ? 0.f
                     : ImGui::CalcTextSize(task.c_str(), nullptr, false, ImGui::GetContentRegionAvail().x).y +
                           ImGui::GetStyle().ItemSpacing.y;
    const float bottomH =
        2.f * ImGui::GetFrameHeightWithSpacing() + ImGui::GetTextLineHeightWithSpacing() + taskH;
    ImGui::BeginChild("text", ImVec2(0, -bottomH));
    if (progress.step == 0 && !lesson.introduction.empty()) markdownText(lesson.introduction);
    markdownText(step.text);
    ImGui::EndChild();
    if (!task.empty()) ImGui::TextWrapped("%s", task.c_str());
    const bool done = progress.currentDone();
    if (done)
      ImGui::TextColored(ImVec4(0.1f, 0.6f, 0.2f, 1.f), "\xE2\x9C\x93 done%s",
                         progress.last() ? ": lesson complete" : "");
    else
      ImGui::TextDisabled("not yet: %s", step.check ? step.check->text.c_str() : "");
    ImGui::PopTextWrapPos();
    ImGui::PopStyleVar();
    ImGui::BeginDisabled(progress.step == 0);
    if (ImGui::Button("< Back")) action = LessonAction::Back;
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(progress.last());
    if (ImGui::Button(done ? "Next >" : "Skip >")) action = LessonAction::Next;
    ImGui::EndDisabled();
    tip("PageDown / PageUp move between steps (also in presentation mode).");
    if (!step.scene.empty()) {
      ImGui::SameLine();
      if (ImGui::Button("Start the step again")) action = LessonAction::Reopen;
      tip("Opens the step's scene again, as it was at the start of the step.");
    }
  }
  ImGui::End();
  if (!open) action = LessonAction::Close;
  return action;
}

}  // namespace attnmd::gui
