// The geometry view's panel: a "ball p" slider above the view, the view itself (geometry_view.h), a
// tooltip naming the face under the mouse, and in 3D an orbit camera (left drag) with wheel zoom.
// Keeps only UI-local state (camera, slider, cached model); what it draws comes from the runs the app
// hands over (geometryInputs).
#pragma once

#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/geometry_view.h"
#include "app/state/document.h"
#include "app/state/lab.h"

namespace attnmd::gui {

// Every visible run of the lab as the geometry view takes it, the selected run first: its scene, the
// tokens of its SVM on display, the p of its SVM geometry, and its parameter-space point at the steps
// its checkpoints recorded (dense early, log-spaced later) up to the step shown.
std::vector<GeometryRunInput> geometryInputs(const Document& doc, const Lab& lab, int selectedRun);

// A run's parameters at the steps its checkpoints recorded, on a grid 8% apart (every step up to 16:
// the direction turns most at first), up to the step shown, then the shown step itself. Shared by the
// geometry view's trails and the token views' direction trails (canvas_trails.h).
struct RecordedParams {
  std::vector<long long> steps;
  std::vector<core::Params> params;
};
RecordedParams recordedParams(const LabRun& run);

class GeometryPanel {
 public:
  // Lays out the slider row and the view in the window's remaining content region and draws them.
  // `input` false: no mouse this frame.
  void draw(std::vector<GeometryRunInput> runs, const CanvasStyle& style, bool input = true);
  // The description of the last frame, and one rebuilt for an export (another font size, no hints).
  const CanvasScene& scene() const { return scene_; }
  CanvasScene exportScene(const CanvasSceneOptions& options, const CanvasStyle& style) const;
  const CanvasLayout& layout() const { return scene_.layout; }
  const GeometryModel& model() const { return model_; }
  // The constraint row of the face under the mouse in the last frame (-1: none).
  int hoveredRow() const { return hoveredRow_; }

  // The slider's p for the selected run's ball (nullopt: the run's own p).
  std::optional<double> ballP;
  GeometryCamera camera;

 private:
  GeometryModel model_;
  GeometrySceneExtras extras_;
  CanvasScene scene_;
  ImVec2 min_{0, 0}, max_{1, 1};
  // The balls and the region are recomputed only when what they depend on moves (geometryModelKey); a
  // training frame only extends the trails, and the description rebuilds only the trails (sceneCache_).
  std::string modelKey_;
  GeometrySceneCache sceneCache_;
  int hoveredRow_ = -1;
};

// The key the balls and the region of a GeometryModel depend on (scenes, selections, p, colours, names);
// not the trails, which updateGeometryTrails follows.
std::string geometryModelKey(const std::vector<GeometryRunInput>& runs);

}  // namespace attnmd::gui
