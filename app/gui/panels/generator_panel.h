// Generators (core/generators.h): the papers' random scenes, Gaussian clusters and the toys of
// math.md §8, each from a seed. Generating replaces the scene (one undo entry).
#pragma once

#include <string>

#include "app/state/document.h"
#include "core/generators.h"

namespace attnmd::gui {

struct GeneratorPanel {
  int choice = 0;                                     // index into core::generators()
  core::GeneratorOptions options{4, 4, 2, 1, false};  // n, T, d = 2 (the canvas plane), seed
  std::string message;                                // the last generator error
  int preset = 0;                                     // index into the embedded assets/scenes/*.json

  void draw(Document& doc, float scale);
};

}  // namespace attnmd::gui
