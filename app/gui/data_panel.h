// The dataset as tables: sequences (label, size, add / duplicate / remove) and the coordinates of the
// selected sequence's tokens, editable numerically. Every edit is a command; typing a number is one
// undo entry.
#pragma once

#include "app/gui/document.h"
#include "app/gui/overlay.h"
#include "app/gui/theme.h"

namespace attnmd::gui {

struct DataPanel {
  void draw(Document& doc, const CanvasOverlay& overlay, ThemeKind theme, float scale);
};

}  // namespace attnmd::gui
