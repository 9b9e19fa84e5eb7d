// The app's own fields in a scene file: the experiment settings (SVM tokens, picks, init "current",
// stop condition) and the canvas view, kept under the top-level key "app" of the file (scene-format.md
// lets the app add fields; core keeps them in Scene::extrasJson). Issue 6 saves with
// sceneWithAppFields() and opens with documentFromScene() + Document::reset().
//
//   "app": { "svm_tokens": "optimal", "picked_tokens": [1, -1], "init_current": false,
//            "stop": { "at_steps": true, "steps": 5000, "at_unselected": false, "unselected_below": 1e-12,
//                      "at_loss": false, "loss_below": 1e-6 },
//            "view": { "center": [0.5, 0], "pixels_per_unit": 160, "selected_sequence": 0,
//                      "layers": { "grid": true, "margin_lines": true, "support": true, "optimal": true,
//                                  "legend": true },
//                      "mode": "3d", "camera": { "yaw": 0.55, "pitch": 0.4, "target": [0, 0, 0.5],
//                                                "pixels_per_unit": 240 } } }
//   (mode and camera only for d >= 3: "3d" or "plane"; without target the 3D view fits the data)
#pragma once

#include <string>

#include "app/state/document.h"

namespace attnmd::gui {

struct LoadedDocument {
  DocState state;       // the scene without "app" in its extras, plus the experiment read from it
  ViewState view;       // canvas view (pixelsPerUnit 0 = fit) and layers
  std::string warning;  // fields of "app" that were ignored, "" when all were understood
  // Entries of the scene's "runs" array that were skipped ("runs[2].optimizer.p: ...", "only the first
  // 8 of 10 runs are loaded"), "; "-separated; "" when every run loaded.
  std::string runWarnings;
};

// Splits a loaded scene into the document's state and view. Never fails: bad "app" fields are skipped
// (and named in `warning`), the scene itself is already validated by core::parseScene.
LoadedDocument documentFromScene(core::Scene scene);

// The scene's top-level "notes" (where it comes from, what it shows); "" when it has none.
std::string sceneNotes(const core::Scene& scene);
// The same from a scene file's text (a preset's description before it is opened); "" when none.
std::string sceneNotesFromText(const std::string& sceneText);

// The scene to save: the document's scene with the experiment and view written under "app".
core::Scene sceneWithAppFields(const Document& doc);

}  // namespace attnmd::gui
