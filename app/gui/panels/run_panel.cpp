#include "app/gui/panels/run_panel.h"

#include <imgui.h>

#include <cmath>

#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {

bool RunPanel::draw(Document& doc, Lab& trainer, RunControls& controls, const TrainSnapshot& snap,
                    float scale) {
  bool reset = false;
  const bool playing = trainer.playing();
  const float bw = 74.f * scale;
  // Buttons flow onto a second row when the panel is narrow (large UI scale on a small screen).
  auto flow = [](const char* nextLabel) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float next = ImGui::CalcTextSize(nextLabel).x + 2.f * st.FramePadding.x;
    const float right = ImGui::GetItemRectMax().x + st.ItemSpacing.x + next;
    if (right <= ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
  };
  if (ImGui::Button(playing ? "Pause" : "Play", ImVec2(bw, 0))) trainer.setPlaying(!playing);
  tip("Start or pause training on the worker thread (Space).");
  flow("Step");
  if (ImGui::Button("Step")) trainer.requestSteps(1);
  tip("One optimizer step (S).");
  flow("10");
  if (ImGui::Button("10")) trainer.requestSteps(10);
  tip("Take 10 steps.");
  flow("100");
  if (ImGui::Button("100")) trainer.requestSteps(100);
  tip("Take 100 steps.");
  flow("1000");
  if (ImGui::Button("1000")) trainer.requestSteps(1000);
  tip("Take 1000 steps.");
  flow("Reset");
  if (ImGui::Button("Reset")) reset = true;
  tip("Restart training from the initialization, step 0 (R).");

  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("steps/frame").x - ImGui::GetStyle().ItemInnerSpacing.x);
  ImGui::BeginDisabled(controls.fastForward);
  ImGui::SliderFloat("steps/frame", &controls.stepsPerFrame, 0.05f, 10000.f,
                     controls.stepsPerFrame < 1 ? "%.2f" : "%.0f", ImGuiSliderFlags_Logarithmic);
  ImGui::EndDisabled();
  tip("Playing speed: optimizer steps per frame at 60 frames/s. Below 1 is slow motion (0.05 = 3 steps/s).");
  ImGui::Checkbox("fast-forward", &controls.fastForward);
  tip("Train as fast as the worker thread can; the screen shows the latest state 60 times a second.");
  ImGui::SameLine();
  ImGui::TextDisabled("step %s", groupedInt(snap.iteration).c_str());

  // Stop conditions are experiment settings: saved with the scene and undoable.
  Experiment e = doc.experiment();
  StopCondition& st = e.stop;
  ImGui::TextUnformatted("Pause when");
  bool changed = ImGui::Checkbox("##atSteps", &st.atSteps);
  tip("Pause at a fixed number of steps.");
  if (changed) doc.apply(cmd::SetExperiment{e});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110.f * scale);
  int steps = static_cast<int>(std::min<long long>(st.steps, 2'000'000'000));
  changed = ImGui::InputInt("steps reached", &steps, 0, 0);
  if (changed) st.steps = std::max(1, steps);
  tip("Pause when the iteration count reaches N.");
  itemGesture(doc, "set the stop step", changed, cmd::SetExperiment{e});

  e = doc.experiment();
  changed = ImGui::Checkbox("##atUnselected", &e.stop.atUnselected);
  if (changed) doc.apply(cmd::SetExperiment{e});
  tip("Pause when attention has (almost) fully selected one token in every sequence.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110.f * scale);
  double u = e.stop.unselectedBelow;
  changed = ImGui::InputDouble("max 1\xE2\x88\x92s below", &u, 0, 0, "%.0e");
  if (changed && u > 0) e.stop.unselectedBelow = u;
  tip("Pause when max_i (1 \xE2\x88\x92 s_i\xCE\xB1) falls below this threshold (computed in log form, exact "
      "far below 1e-16).");
  itemGesture(doc, "set the 1-s threshold", changed && u > 0, cmd::SetExperiment{e});

  e = doc.experiment();
  changed = ImGui::Checkbox("##atLoss", &e.stop.atLoss);
  if (changed) doc.apply(cmd::SetExperiment{e});
  tip("Pause when the training loss is small enough.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110.f * scale);
  double l = e.stop.lossBelow;
  changed = ImGui::InputDouble("loss below", &l, 0, 0, "%.0e");
  if (changed && l > 0) e.stop.lossBelow = l;
  tip("Pause when L(\xCE\xB8) = (1/n) \xCE\xA3\xE1\xB5\xA2 \xE2\x84\x93(Y\xE1\xB5\xA2 f\xE1\xB5\xA2) falls "
      "below this value.");
  itemGesture(doc, "set the loss threshold", changed && l > 0, cmd::SetExperiment{e});
  return reset;
}

}  // namespace attnmd::gui
