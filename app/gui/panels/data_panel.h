// The dataset as tables: sequences (label, size, add / duplicate / remove) and the coordinates of the
// selected sequence's tokens, editable numerically. Every edit is a command; typing a number is one
// undo entry.
#pragma once

#include "app/state/document.h"
#include "app/state/overlay.h"
#include "app/gui/widgets/theme.h"

namespace attnmd::gui {

struct DataPanel {
  void draw(Document& doc, const CanvasOverlay& overlay, ThemeKind theme, float scale);
};

}  // namespace attnmd::gui
