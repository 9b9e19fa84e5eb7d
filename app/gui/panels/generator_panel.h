// Generators (core/generators.h): the papers' random scenes, Gaussian clusters and the toys of
// docs/theory.md §8, each from a seed, and the preset scenes shipped with the app. Each opens as a new
// untitled document: the panel only says which, the app's file session opens it (asking first when the
// current scene has unsaved changes), so Save never writes a preset over the file that was open.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "app/state/doc_extras.h"
#include "core/generators.h"

namespace attnmd::gui {

struct NewSceneRequest {
  LoadedDocument scene;
  std::string name;  // what exports and Save As are named after: "clusters-2d", "random-seed7"
};

struct GeneratorPanel {
  int choice = 0;                                     // index into core::generators()
  core::GeneratorOptions options{4, 4, 2, 1, false};  // n, T, d = 2 (the canvas plane), seed
  std::string message;                                // the last generator error
  int preset = 0;                                     // index into the embedded assets/scenes/*.json

  // The scene to open, the frame a button asked for one.
  std::optional<NewSceneRequest> draw(float scale);

 private:
  const std::string& presetNotes(const std::string& path);  // read once per preset
  std::map<std::string, std::string> notes_;
};

}  // namespace attnmd::gui
