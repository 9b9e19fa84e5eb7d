// The runs strip: one chip per run (colour, name, step, selected tokens, corr to its SVM), the buttons
// that add, hide, solo and delete runs, and the one-click comparison sets. Every edit is ONE
// cmd::SetRuns, so Ctrl+Z undoes it whole; selecting a run is view state (not undoable).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "app/state/document.h"
#include "app/state/lab.h"

namespace attnmd::gui {

struct RunsPanel {
  // Draws the strip into the current window (the app gives it the canvas column's width and
  // preferredHeight()); edits go to `doc`, the runs' numbers come from `lab`.
  void draw(Document& doc, const Lab& lab, float scale);
  // The last refused edit, in words ("" when none); cleared by the call.
  std::string takeMessage();
  // About two lines of chips at UI scale `scale`.
  static float preferredHeight(float scale);

  // Where the last frame put things (screen coordinates), for tests and the app's hit tests.
  struct Rect {
    ImVec2 min{0, 0}, max{0, 0};
    ImVec2 centre() const { return ImVec2((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f); }
    bool valid() const { return max.x > min.x; }
  };
  struct Layout {
    std::vector<Rect> names;     // per run: its name (click selects, double-click renames)
    std::vector<Rect> swatches;  // per run: its colour (click: the colour picker)
    std::vector<Rect> hideButtons, soloButtons, deleteButtons;
    Rect add;                    // "+"
    Rect compare;                // the "Compare" combo
    std::vector<Rect> presets;   // its entries while open, in enumTable<RunPreset>() order
    Rect renameInput, renameOk;  // the rename popup while open
  };
  const Layout& layout() const { return layout_; }

 private:
  void apply(Document& doc, std::vector<core::RunPatch> runs, const std::string& what);

  std::string message_;
  int renaming_ = -1;  // the run the rename popup edits
  char renameBuf_[128] = {};
  bool openRename_ = false;
  int colouring_ = -1;  // the run the colour popup edits
  float colourEdit_[3] = {0, 0, 0};
  Layout layout_;
};

}  // namespace attnmd::gui
