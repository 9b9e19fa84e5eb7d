// Live theory: turns core state (a run snapshot, the SVM solvers of core/svm.h) into the plain
// CanvasOverlay the canvas and heat map draw. The SVM is re-solved in the frame in which the data, v,
// the model or the token choice changes (warm-started from the previous solution), and kept otherwise.
// No math of its own: values come from core::Evaluation, directions from core::Params and AttentionSvm.
#pragma once

#include <memory>
#include <vector>

#include "app/state/document.h"
#include "app/state/overlay.h"
#include "app/state/trainer.h"
#include "core/svm.h"

namespace attnmd::gui {

class LiveTheory {
 public:
  // Rebuilds the overlay for `doc` at the snapshot's parameters. The snapshot must be of the document's
  // current scene (the app restarts the run in the frame of an edit, before calling this). `hint` is
  // shown on the canvas.
  const CanvasOverlay& update(const Document& doc, const TrainSnapshot& snap, std::string hint = {});

  const CanvasOverlay& overlay() const { return overlay_; }
  // The SVM on display (null before the first update); its certificate for the status bar.
  const core::AttentionSvm* svm() const { return svm_.get(); }
  double lastSolveMilliseconds() const { return lastSolveMs_; }
  int solves() const { return solves_; }  // how many times the SVM was solved (tests)

 private:
  // Key of the cached solution: the scene and the token selection it was solved for.
  std::uint64_t sceneRevision_ = 0;
  std::vector<int> alpha_;
  std::shared_ptr<core::AttentionSvm> svm_;
  std::vector<double> hardRows_;  // per sequence: the SVM rows' right-hand side (1, or 0 when relaxed)
  CanvasOverlay overlay_;
  double lastSolveMs_ = 0;
  int solves_ = 0;
};

// Whether the displayed SVM is the relaxed prompt SVM (prompt model with v trained jointly, math.md §5).
bool relaxedFor(const core::Scene& scene);

// The token selection the experiment asks the SVM for (selected, optimal, or picked with the selected
// token where no pick was made).
std::vector<int> svmTokenChoice(const Experiment& experiment, const std::vector<int>& selected,
                                const std::vector<int>& optimal);

}  // namespace attnmd::gui
