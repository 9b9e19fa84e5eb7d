#include "app/gui/views/geometry_view_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/views/canvas_paint.h"
#include "app/state/overlay.h"
#include "app/state/theory.h"
#include "core/run.h"
#include "core/timeline.h"

namespace attnmd::gui {

std::vector<GeometryRunInput> geometryInputs(const Document& doc, const Lab& lab, int selectedRun) {
  std::vector<GeometryRunInput> out;
  if (lab.runCount() == 0) return out;
  std::vector<int> order = {std::clamp(selectedRun, 0, lab.runCount() - 1)};
  for (int i = 0; i < lab.runCount(); ++i)
    if (i != order[0] && !doc.runInfo(i).hidden) order.push_back(i);
  for (int i : order) {
    const LabRun& run = lab.run(i);
    if (!run.shown || !run.shown->scene) continue;
    const core::Scene& scene = *run.shown->scene;
    GeometryRunInput in;
    const core::RunPatch info = doc.runInfo(i);
    in.name = lab.runCount() > 1 ? info.name : std::string();
    in.colour = lab.runCount() > 1 ? parseRunColour(info.colour) : 0;
    in.scene = run.shown->scene;
    in.svmTokens = run.overlay().svmTokens;
    in.p = core::svmNormFor(scene) == core::SvmNorm::Lp ? core::svmPFor(scene) : 2.0;
    in.relaxed = relaxedFor(scene);
    const RecordedParams recorded = recordedParams(run);
    for (std::size_t k = 0; k < recorded.params.size(); ++k) {
      Eigen::VectorXd point = core::paramSpacePoint(scene, recorded.params[k]);
      if (point.size() != scene.dim) continue;
      in.iterates.push_back(std::move(point));
      in.steps.push_back(recorded.steps[k]);
    }
    out.push_back(std::move(in));
  }
  return out;
}

RecordedParams recordedParams(const LabRun& run) {
  RecordedParams out;
  if (!run.shown) return out;
  const long long shown = run.shown->iteration;
  if (const auto log = run.trainer->checkpointLog()) {
    long long last = -1;
    for (double k = 0; k < static_cast<double>(shown); k = k < 16 ? k + 1 : k * 1.08) {
      const auto cp = log->atOrBefore(static_cast<long long>(k));
      if (!cp || cp->iteration <= last || cp->iteration >= shown) continue;
      out.steps.push_back(cp->iteration);
      out.params.push_back(cp->params);
      last = cp->iteration;
    }
  }
  out.steps.push_back(shown);
  out.params.push_back(run.shown->params);
  return out;
}

std::string geometryModelKey(const std::vector<GeometryRunInput>& runs) {
  std::string key;
  char buf[96];
  for (const GeometryRunInput& r : runs) {
    std::snprintf(buf, sizeof buf, "%p|%.17g|%x|%d|", static_cast<const void*>(r.scene.get()), r.p, r.colour,
                  r.relaxed ? 1 : 0);
    key += buf;
    for (int t : r.svmTokens) key += std::to_string(t) + ",";
    key += r.name;
    key += ';';
  }
  return key;
}

void GeometryPanel::draw(std::vector<GeometryRunInput> runs, const CanvasStyle& style, bool input) {
  const float s = style.scale;
  // The slider row: the selected run's ball at another p morphs live (the SVM is re-solved for it).
  const double runP = runs.empty() ? 2.0 : runs[0].p;
  float p = static_cast<float>(ballP.value_or(runP));
  ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + 6.f * s, ImGui::GetCursorPosY() + 2.f * s));
  ImGui::SetNextItemWidth(220.f * s);
  if (ImGui::SliderFloat("##ballp", &p, 1.05f, 8.f, "ball p = %.2f", ImGuiSliderFlags_Logarithmic))
    ballP = std::clamp(static_cast<double>(p), 1.05, 20.0);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "The p of the selected run's l_p ball: the ball grows until it touches the feasible set,\n"
        "at that p's max-margin direction. The trail is the run's direction scaled onto it.");
  ImGui::SameLine();
  char label[48];
  std::snprintf(label, sizeof label, "run's p (%.3g)", runP);
  if (ImGui::SmallButton(label)) ballP.reset();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to the p the selected run is compared with.");
  if (!model_.problem.empty() || model_.dim == 3) {
    ImGui::SameLine();
    ImGui::TextDisabled(model_.dim == 3 ? "drag to orbit, wheel to zoom" : "");
  }
  if (!runs.empty() && ballP) runs[0].p = *ballP;

  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.f);
  size.y = std::max(size.y, 50.f);
  ImGui::InvisibleButton("##geometry", size, ImGuiButtonFlags_MouseButtonLeft);
  const bool hovered = ImGui::IsItemHovered();
  if (input && ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.f) &&
      model_.dim == 3) {
    orbit(camera.angles, ImGui::GetIO().MouseDelta);
  }
  if (input && hovered && ImGui::GetIO().MouseWheel != 0.f)
    camera.zoom = std::clamp(camera.zoom * std::pow(1.15, ImGui::GetIO().MouseWheel), 0.2, 20.0);
  min_ = p0;
  max_ = ImVec2(p0.x + size.x, p0.y + size.y);

  const std::string key = geometryModelKey(runs);
  if (key != modelKey_) {
    model_ = computeGeometryBalls(runs);
    modelKey_ = key;
  }
  updateGeometryTrails(model_, runs);  // a training frame: only the steps added since the last
  CanvasSceneOptions o;
  o.fontSize = ImGui::GetFontSize();
  scene_ = buildGeometryScene(model_, min_, max_, camera, style, o, &extras_, &sceneCache_);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  paintCanvasScene(dl, scene_, style);
  hoveredRow_ = -1;
  if (input && hovered) {
    if (const GeometryFaceHit* f = geometryFaceAt(extras_, model_.dim, ImGui::GetIO().MousePos, 8.f * s)) {
      const ImU32 c = palette(style.theme).foreground;
      if (f->outline.size() == 2)
        dl->AddLine(f->outline[0], f->outline[1], c, 5.f * s);
      else
        dl->AddPolyline(f->outline.data(), static_cast<int>(f->outline.size()), c, ImDrawFlags_Closed,
                        3.f * s);
      ImGui::SetTooltip("%s", geometryFaceText(*f, model_.effectiveQuery).c_str());
      hoveredRow_ = f->row;
    }
  }
}

CanvasScene GeometryPanel::exportScene(const CanvasSceneOptions& options, const CanvasStyle& style) const {
  return buildGeometryScene(model_, min_, max_, camera, style, options);
}

}  // namespace attnmd::gui
