#include "app/state/doc_extras.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "core/run_patch.h"

namespace attnmd::gui {
namespace {

using Json = nlohmann::json;

Json parseExtras(const std::string& text) {
  if (text.empty()) return Json::object();
  Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

template <class T>
bool read(const Json& obj, const char* key, T& out, std::string& warning) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  try {
    out = it->get<T>();
    return true;
  } catch (const std::exception&) {
    warning += std::string(warning.empty() ? "" : ", ") + "app." + key;
    return false;
  }
}

}  // namespace

LoadedDocument documentFromScene(core::Scene scene) {
  LoadedDocument d;
  // The runs first (they are read against the scene with its runs), then the scene without them.
  core::SceneRuns runs = core::readSceneRuns(scene);
  d.state.runs = std::move(runs.runs);
  for (const std::string& warning : runs.warnings)
    d.runWarnings += (d.runWarnings.empty() ? "" : "; ") + warning;
  Json extras = parseExtras(scene.extrasJson);
  extras.erase("runs");
  const Json app = extras.contains("app") && extras["app"].is_object() ? extras["app"] : Json::object();
  extras.erase("app");
  scene.extrasJson = extras.empty() ? std::string() : extras.dump();

  Experiment& e = d.state.experiment;
  std::string& w = d.warning;
  std::string name;
  if (read(app, "svm_tokens", name, w)) {
    if (auto v = core::enumFromName<SvmTokens>(name))
      e.svmTokens = *v;
    else
      w += std::string(w.empty() ? "" : ", ") + "app.svm_tokens";
  }
  read(app, "picked_tokens", e.pickedTokens, w);
  read(app, "init_current", e.continueFromCurrent, w);
  if (auto it = app.find("stop"); it != app.end() && it->is_object()) {
    StopCondition& st = e.stop;
    read(*it, "at_steps", st.atSteps, w);
    read(*it, "steps", st.steps, w);
    read(*it, "at_unselected", st.atUnselected, w);
    read(*it, "unselected_below", st.unselectedBelow, w);
    read(*it, "at_loss", st.atLoss, w);
    read(*it, "loss_below", st.lossBelow, w);
    if (st.steps < 1) st.steps = StopCondition{}.steps;
    if (!(st.unselectedBelow > 0)) st.unselectedBelow = StopCondition{}.unselectedBelow;
    if (!(st.lossBelow > 0)) st.lossBelow = StopCondition{}.lossBelow;
  }
  if (auto it = app.find("view"); it != app.end() && it->is_object()) {
    std::vector<double> center;
    if (read(*it, "center", center, w) && center.size() == 2) {
      d.view.canvas.centerX = center[0];
      d.view.canvas.centerY = center[1];
      read(*it, "pixels_per_unit", d.view.canvas.pixelsPerUnit, w);
      if (!(d.view.canvas.pixelsPerUnit > 0)) d.view.canvas.pixelsPerUnit = 0;
      // An automatic fit is made again for the canvas the document opens in (its size may differ).
      bool fit = false;
      if (read(*it, "fit", fit, w) && fit) d.view.canvas.pixelsPerUnit = 0;
    }
    read(*it, "selected_sequence", d.view.selectedSequence, w);
    read(*it, "selected_run", d.view.selectedRun, w);
    std::string mode;
    if (read(*it, "compare", mode, w)) {
      if (mode == "overlay" || mode == "grid")
        d.view.compare = mode == "grid" ? CompareView::Grid : CompareView::Overlay;
      else
        w += std::string(w.empty() ? "" : ", ") + "app.view.compare";
    }
    if (read(*it, "mode", mode, w)) {
      if (mode == "3d" || mode == "plane")
        d.view.space = mode == "3d";
      else
        w += std::string(w.empty() ? "" : ", ") + "app.view.mode";
    }
    // The geometry view apart from "mode": a file that has it still opens in 3D or the plane in an app
    // without the geometry view, and it applies to 2D scenes too.
    read(*it, "geometry", d.view.geometry, w);
    if (auto c = it->find("camera"); c != it->end() && c->is_object()) {
      Camera3D& cam = d.view.camera;
      read(*c, "yaw", cam.yaw, w);
      read(*c, "pitch", cam.pitch, w);
      std::vector<double> target;
      if (read(*c, "target", target, w) && target.size() == 3) {
        cam.targetX = target[0];
        cam.targetY = target[1];
        cam.targetZ = target[2];
        read(*c, "pixels_per_unit", cam.pixelsPerUnit, w);
      }
      // A camera that cannot be drawn (NaN, a pitch over the pole) falls back to the default angles.
      if (!std::isfinite(cam.yaw) || !(std::abs(cam.pitch) <= 1.5)) cam = Camera3D{};
      if (!(cam.pixelsPerUnit > 0) || !std::isfinite(cam.targetX + cam.targetY + cam.targetZ))
        cam.pixelsPerUnit = 0;
    }
    if (auto l = it->find("layers"); l != it->end() && l->is_object()) {
      read(*l, "grid", d.view.layers.grid, w);
      read(*l, "margin_lines", d.view.layers.marginLines, w);
      read(*l, "support", d.view.layers.supportMarks, w);
      read(*l, "optimal", d.view.layers.optimalMarks, w);
      read(*l, "legend", d.view.layers.legend, w);
    }
  }
  e.pickedTokens.resize(scene.sequences.size(), -1);
  for (std::size_t i = 0; i < e.pickedTokens.size(); ++i)
    if (e.pickedTokens[i] >= scene.sequences[i].tokens.rows() || e.pickedTokens[i] < -1)
      e.pickedTokens[i] = -1;
  d.state.scene = std::move(scene);
  if (!w.empty()) w = "ignored unreadable scene fields: " + w;
  return d;
}

core::Scene sceneWithAppFields(const Document& doc) {
  core::Scene s = doc.scene();
  Json extras = parseExtras(s.extrasJson);
  const Experiment& e = doc.experiment();
  const ViewState& v = doc.view();
  Json app;
  app["svm_tokens"] = core::enumName(e.svmTokens);
  if (e.svmTokens == SvmTokens::Picked) app["picked_tokens"] = e.pickedTokens;
  app["init_current"] = e.continueFromCurrent;
  app["stop"] = {{"at_steps", e.stop.atSteps},
                 {"steps", e.stop.steps},
                 {"at_unselected", e.stop.atUnselected},
                 {"unselected_below", e.stop.unselectedBelow},
                 {"at_loss", e.stop.atLoss},
                 {"loss_below", e.stop.lossBelow}};
  Json view = {{"selected_sequence", v.selectedSequence},
               {"layers",
                {{"grid", v.layers.grid},
                 {"margin_lines", v.layers.marginLines},
                 {"support", v.layers.supportMarks},
                 {"optimal", v.layers.optimalMarks},
                 {"legend", v.layers.legend}}}};
  if (v.canvas.pixelsPerUnit > 0) {
    view["center"] = {v.canvas.centerX, v.canvas.centerY};
    view["pixels_per_unit"] = v.canvas.pixelsPerUnit;
    if (v.canvas.fitted) view["fit"] = true;
  }
  if (s.dim >= 3) {
    view["mode"] = v.space ? "3d" : "plane";
    Json camera = {{"yaw", v.camera.yaw}, {"pitch", v.camera.pitch}};
    if (v.camera.pixelsPerUnit > 0) {
      camera["target"] = {v.camera.targetX, v.camera.targetY, v.camera.targetZ};
      camera["pixels_per_unit"] = v.camera.pixelsPerUnit;
    }
    view["camera"] = std::move(camera);
  }
  if (v.geometry) view["geometry"] = true;
  if (!doc.state().runs.empty()) {
    view["selected_run"] = v.selectedRun;
    view["compare"] = v.compare == CompareView::Grid ? "grid" : "overlay";
  }
  app["view"] = std::move(view);
  extras["app"] = std::move(app);
  s.extrasJson = extras.dump();
  core::writeSceneRuns(s, doc.state().runs);  // the same "runs" array `attnmd-cli figure` reads
  return s;
}

std::string sceneNotesFromText(const std::string& sceneText) {
  const Json j = Json::parse(sceneText, nullptr, false);
  if (!j.is_object()) return {};
  const auto it = j.find("notes");
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string sceneNotes(const core::Scene& scene) {
  return scene.extrasJson.empty() ? std::string() : sceneNotesFromText(scene.extrasJson);
}

}  // namespace attnmd::gui
