#include "app/gui/export/animation_dialog.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>

#include "app/gui/export/export.h"
#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {

std::string animationPath(const std::string& folder, const std::string& stem, AnimationFormat format) {
  switch (format) {
    case AnimationFormat::Gif:
      return uniquePath(folder, stem + "-animation", ".gif");
    case AnimationFormat::Mp4:
      return uniquePath(folder, stem + "-animation", ".mp4");
    case AnimationFormat::PngFrames:
      return uniquePath(folder, stem + "-frames", "");
  }
  return {};
}

std::optional<AnimationOptions> AnimationDialog::draw(const std::string& folder, const std::string& stem,
                                                      long long furthestStep, float scale) {
  if (!open) return std::nullopt;
  ImGui::SetNextWindowSize(ImVec2(430.f * scale, 0.f), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  std::optional<AnimationOptions> result;
  if (!ImGui::Begin("Export animation", &open,
                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return result;
  }
  if (toEnd_) to_ = furthestStep;
  ImGui::TextWrapped("The timeline is replayed from the first step to the last, one frame per chosen step.");
  ImGui::Spacing();
  const float field = 140.f * scale;
  ImGui::SetNextItemWidth(field);
  const long long zero = 0;
  ImGui::InputScalar("first step", ImGuiDataType_S64, &from_);
  tip("The step the animation starts at (0: the initial parameters).");
  from_ = std::clamp(from_, zero, std::max(zero, furthestStep));
  ImGui::SetNextItemWidth(field);
  if (ImGui::InputScalar("last step", ImGuiDataType_S64, &to_)) toEnd_ = to_ >= furthestStep;
  tip("The step it ends at: at most the steps trained so far (train more first for a longer run).");
  to_ = std::clamp(to_, zero, std::max(zero, furthestStep));
  ImGui::SameLine();
  if (ImGui::Checkbox("all trained", &toEnd_) && toEnd_) to_ = furthestStep;
  tip("Follow the furthest step trained.");
  ImGui::SetNextItemWidth(field);
  ImGui::SliderInt("frames", &frames_, 2, 600, "%d", ImGuiSliderFlags_AlwaysClamp);
  tip("How many frames (fewer when the range has fewer steps). The last frame is held 1.5 s.");
  ImGui::SetNextItemWidth(field);
  ImGui::SliderFloat("frames per second", &fps_, 1.f, 60.f, "%.0f", ImGuiSliderFlags_AlwaysClamp);
  ImGui::Checkbox("log-spaced steps", &logSpaced_);
  tip("Steps spaced evenly in log(step): most frames go to the early steps, where most happens "
      "(as on the plots' log axis). Off: evenly spaced steps.");
  ImGui::TextUnformatted("Region:");
  ImGui::SameLine();
  if (ImGui::RadioButton("canvas", !window_)) window_ = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("whole window", window_)) window_ = true;
  ImGui::TextUnformatted("Format:");
  ImGui::SameLine();
  if (ImGui::RadioButton("GIF", format_ == AnimationFormat::Gif)) format_ = AnimationFormat::Gif;
  ImGui::SameLine();
  if (ImGui::RadioButton("MP4", format_ == AnimationFormat::Mp4)) format_ = AnimationFormat::Mp4;
  ImGui::SameLine();
  if (ImGui::RadioButton("PNG frames", format_ == AnimationFormat::PngFrames))
    format_ = AnimationFormat::PngFrames;
  if (format_ == AnimationFormat::Mp4 && findFfmpeg().empty())
    ImGui::TextWrapped("ffmpeg is not installed (apt install ffmpeg): the frames will be written as PNGs.");

  AnimationOptions o;
  o.from = from_;
  o.to = to_;
  o.frames = frames_;
  o.fps = fps_;
  o.logSpaced = logSpaced_;
  o.region = window_ ? AnimationRegion::Window : AnimationRegion::Canvas;
  o.path = animationPath(folder, stem, format_);
  const std::string problem = validateAnimation(o, furthestStep);
  ImGui::Spacing();
  if (problem.empty()) {
    const std::size_t n = animationSteps(o.from, o.to, o.frames, o.logSpaced).size();
    ImGui::TextWrapped("%zu frames, %.1f s, to %s", n, static_cast<double>(n) / o.fps + 1.5,
                       std::filesystem::path(o.path).filename().string().c_str());
  } else {
    ImGui::TextWrapped("%s", problem.c_str());
  }
  ImGui::BeginDisabled(!problem.empty());
  if (ImGui::Button("Export")) {
    result = o;
    open = false;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Close")) open = false;
  ImGui::End();
  return result;
}

}  // namespace attnmd::gui
