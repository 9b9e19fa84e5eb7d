// Run controls: play/pause, single steps, speed, reset and the stop condition.
#pragma once

#include "app/state/document.h"
#include "app/state/lab.h"

namespace attnmd::gui {

// Session settings of the run controls (not saved with the scene).
struct RunControls {
  float stepsPerFrame = 0.25f;  // playing speed in steps per 60 Hz frame; below 1 is slow motion (the
                                // default, 15 steps/s, lets a class watch the direction swing)
  bool fastForward = false;     // as fast as the worker thread can step
  double stepsPerSecond() const { return fastForward ? 0.0 : stepsPerFrame * 60.0; }
};

struct RunPanel {
  // Draws the controls; returns true when the user asked to reset the run (the app restarts it).
  bool draw(Document& doc, Lab& trainer, RunControls& controls, const TrainSnapshot& snap, float scale);
};

}  // namespace attnmd::gui
