// The Help window (F1): keyboard shortcuts, mouse actions, how to read the canvas, and the lesson text
// from assets/lessons/welcome.md.
#pragma once

#include <string>

namespace attnmd::gui {

struct HelpWindow {
  bool open = false;
  std::string lesson;  // loaded once from assets/lessons/welcome.md (empty: not found)
  bool lessonLoaded = false;

  void draw(float scale);
};

// Keyboard shortcuts as (keys, action) pairs: the Help window and the tests read the same list.
struct Shortcut {
  const char* keys;
  const char* action;
};
extern const Shortcut kShortcuts[];
extern const int kShortcutCount;

}  // namespace attnmd::gui
