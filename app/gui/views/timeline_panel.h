// The timeline: a scrubber over steps 0..Lab::furthestStep() (log or linear), the cursor's step
// buttons, playback of the recorded steps, the runs' events as marks, and "continue from here".
// Scrubbing only moves the Lab's cursor (view state, not undoable); every run is then shown replayed to
// that step, bit for bit what training produced there.
#pragma once

#include <imgui.h>

#include "app/state/document.h"
#include "app/state/lab.h"

namespace attnmd::gui {

// The scrubber's mapping between steps and x (screen pixels), over [x0, x1] for steps 0..n. The log
// scale spaces log10(1 + k) evenly, so the early steps, where selections change, get most of the bar.
float timelineX(long long step, long long n, bool logScale, float x0, float x1);
long long timelineStep(float x, long long n, bool logScale, float x0, float x1);  // exact integer, in [0, n]

struct TimelinePanel {
  void draw(Document& doc, Lab& lab, float scale);
  // One step back / forward of the cursor (Shift+S / S). Back from the live runs goes to the step
  // before the furthest; forward past the last recorded step trains one more step (as S always did).
  void stepBack(Lab& lab);
  void stepForward(Lab& lab);
  // Two rows: the buttons, then the bar.
  static float preferredHeight(float scale);

  bool logScale = true;  // the bar's scale (like the plots' log x)
  bool playing = false;  // playing back the recorded steps at `playSpeed` steps per second
  double playSpeed = 10;

  // Where the last frame put things (screen coordinates), for tests.
  struct Rect {
    ImVec2 min{0, 0}, max{0, 0};
    ImVec2 centre() const { return ImVec2((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f); }
  };
  struct Layout {
    Rect bar;  // the scrubber; steps map onto [bar.min.x, bar.max.x] with timelineX
    long long barSteps = 0;
    Rect prevEvent, back, play, forward, nextEvent, live, continueHere, scale;
  };
  const Layout& layout() const { return layout_; }

 private:
  void advancePlayback(Lab& lab);
  double playCarry_ = 0;  // fraction of a step the playback owes
  Layout layout_;
};

}  // namespace attnmd::gui
