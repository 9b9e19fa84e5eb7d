// The experiment settings: model, loss, v, optimizer and p, step size, initialization, and which
// tokens the displayed SVM is for. Every edit is a command on the document.
#pragma once

#include "app/state/document.h"
#include "core/svm.h"

namespace attnmd::gui {

struct ExperimentPanel {
  // `svm` is the SVM on display (for its certificate), `svmMs` the time its last solve took.
  void draw(Document& doc, const core::AttentionSvm* svm, double svmMs, float scale);
};

}  // namespace attnmd::gui
