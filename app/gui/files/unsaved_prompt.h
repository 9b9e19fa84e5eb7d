// "Save changes before ...?" — the modal asked before New, Open, a dropped file and Quit (window close
// included) when the document has unsaved changes. Three answers: Save (then go on), Don't save (go on,
// dropping the changes), Cancel (stay). The caller keeps the pending action and acts on the answer.
#pragma once

#include <imgui.h>

#include <string>

namespace attnmd::gui {

struct UnsavedPrompt {
  enum class Choice { None, Save, Discard, Cancel };

  bool open = false;
  bool popupOpened = false;
  std::string documentName;  // "demo.json" or "the untitled scene"
  std::string action;        // what happens next: "opening other.json", "quitting", "starting a new scene"
  ImVec2 saveMin{0, 0}, saveMax{0, 0};  // the buttons' rectangles in the last frame (ui tests)
  ImVec2 discardMin{0, 0}, discardMax{0, 0};
  ImVec2 cancelMin{0, 0}, cancelMax{0, 0};

  void ask(std::string documentName, std::string action);
  // Draws the modal while open; returns the answer in the frame it is given (then closes itself).
  Choice draw(float scale);
};

}  // namespace attnmd::gui
