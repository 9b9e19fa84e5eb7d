// The "restore unsaved work?" modal shown at start when an earlier session ended without a clean exit
// and left an autosave (autosave.h). One session at a time, newest first; the app acts on the answer
// (parse and install the scene, or delete the files).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "app/gui/files/autosave.h"

namespace attnmd::gui {

struct RecoveryPrompt {
  enum class Choice { None, Restore, Discard };

  std::vector<RecoverableSession> pending;    // newest first; the front one is on screen
  bool popupOpened = false;                   // OpenPopup was called for the front one
  ImVec2 restoreMin{0, 0}, restoreMax{0, 0};  // the buttons' rectangles in the last frame (ui tests)
  ImVec2 discardMin{0, 0}, discardMax{0, 0};

  bool visible() const { return !pending.empty(); }
  // Draws the modal for pending.front(); returns the user's answer in the frame it is given (the caller
  // then pops the front with take()). `now`: wall clock, for "saved 5 minutes ago".
  Choice draw(double now, float scale);
  RecoverableSession take();
};

}  // namespace attnmd::gui
