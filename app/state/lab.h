// The lab: every run of the document, trained side by side, and the timeline they are shown at.
//
// One dataset, 1 to core::kMaxRuns runs (Document::runCount()). Each run has its own Trainer (a worker
// thread stepping a core::Run and recording checkpoints) and its own LiveTheory (the SVM on display,
// solved on a thread of its own). The GUI calls sync() after edits and refresh() once per frame, then
// reads run(i): immutable snapshots and the overlay to draw. Nothing here trains or solves on the
// calling thread, except in synchronous mode (tests), where pump() does the queued work.
//
// The timeline: a cursor at step k (nullopt = follow the live runs). With a cursor every run is shown
// replayed to min(k, its furthest step), bit-identical to what training produced there
// (core/timeline.h); setting it pauses training. continueFromHere(i) drops run i's steps after the
// cursor; undoRewind() trains them again (the run is deterministic, so that gives the same steps back).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/state/document.h"
#include "app/state/theory.h"
#include "app/state/trainer.h"
#include "core/timeline.h"

namespace attnmd::gui {

// One run as the panels see it.
struct LabRun {
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<LiveTheory> theory;
  std::uint64_t revision = 0;                  // Document::runRevision it was started for
  std::uint64_t stateId = 0;                   // the latest Document::stateId it was current in
  std::shared_ptr<const core::Scene> scene;    // the scene it trains (null: see error)
  std::string error;                           // why it cannot train ("runs[1].optimizer.p: ...")
  std::shared_ptr<const TrainSnapshot> live;   // the latest trained step
  std::shared_ptr<const TrainSnapshot> shown;  // what is drawn: live, or the timeline's step
  const CanvasOverlay& overlay() const { return theory->overlay(); }

  // Overlay cache key: rebuilt only when one of these moves.
  std::shared_ptr<const TrainSnapshot> overlaySnap;
  std::uint64_t overlayDocRevision = 0;
  std::string overlayHint;
};

// A step where something happened in one run (its selected tokens changed, its attention saturated).
struct LabEvent {
  int run = 0;
  core::TimelineEvent event;
};

class Lab {
 public:
  explicit Lab(TrainerMode mode = TrainerMode::Threaded);

  // Matches the runs to the document: runs added or removed are created or dropped, a run whose scene
  // changed restarts (from its current parameters when the experiment says init "current"). A trained
  // run that an edit replaced is kept aside while undo can return to its state: undoing the edit brings
  // the run back as it was (its steps, history and timeline), not a restart at step 0.
  void sync(const Document& doc);
  // Restarts every run at step 0 (R, a new document); forgets the runs kept aside for undo.
  void restartAll(const Document& doc);
  // Takes the latest snapshots (live or at the cursor) and rebuilds the overlays that changed.
  void refresh(const Document& doc, const std::string& hint);

  int runCount() const { return static_cast<int>(runs_.size()); }
  const LabRun& run(int i) const { return *runs_[static_cast<std::size_t>(i)]; }
  Trainer& trainer(int i) { return *runs_[static_cast<std::size_t>(i)]->trainer; }

  // ---- every run at once (Space, S, the run panel)
  void setPlaying(bool playing);
  bool playing() const;  // any run plays
  void requestSteps(long long k);
  long long pendingSteps() const;  // the most any run has queued
  void setSpeed(double stepsPerSecond);
  void setStopCondition(const StopCondition& stop);
  bool busy() const;
  double stepsPerSecond() const;    // summed over the runs
  double workerCpuSeconds() const;  // summed over the runs' workers
  // Blocks until no run has work and no SVM is being solved (--steps/--exit, tests); false on timeout.
  bool waitIdle(double timeoutSeconds);
  // Synchronous mode: one round of queued work for every run (steps, views, rewinds). Returns the
  // steps taken in all.
  long long pump();
  TrainerMode mode() const { return mode_; }

  // ---- timeline
  long long furthestStep() const;  // the most steps any run has trained
  std::optional<long long> cursor() const { return cursor_; }
  // Moves the timeline to step k (clamped to [0, furthestStep()]; pauses training), or back to the
  // live runs (nullopt). Returns the step it was clamped to.
  std::optional<long long> setCursor(std::optional<long long> k);
  // True when every run shows the cursor's step (its replay is done).
  bool cursorSettled() const;
  // True while some run's SVM on display is not the one of its current step (a solve is running).
  bool theoryPending() const;
  // "Continue from here": run i drops its steps after the cursor (or does nothing without one).
  void continueFromHere(int run, const Document& doc);
  bool canUndoRewind(const Document& doc) const;
  void undoRewind();
  // Events of every run's history (for the timeline's marks), ascending in step.
  std::vector<LabEvent> events() const;

 private:
  void startRun(int i, const Document& doc, bool keepParameters);
  // A run with a new trainer, and `theory` (or a new one): the live theory stays with a run's place.
  std::unique_ptr<LabRun> newRun(std::unique_ptr<LiveTheory> theory = nullptr) const;
  // A run kept aside by an earlier edit that trains what run i of the document trains now (null: none).
  std::unique_ptr<LabRun> takeShelved(int i, const Document& doc);
  void shelve(std::unique_ptr<LabRun> run, const Document& doc);
  // Puts run i back in the document's frame: its revision, scene and error.
  void adopt(LabRun& r, int i, const Document& doc) const;

  TrainerMode mode_;
  std::vector<std::unique_ptr<LabRun>> runs_;
  std::optional<long long> cursor_;
  StopCondition stop_;
  double speed_ = 0;
  struct Rewind {
    int run = -1;
    long long from = 0;             // the steps the run had
    std::uint64_t docRevision = 0;  // the document's revision then: undo only while it is unchanged
    std::uint64_t runRevision = 0;
  };
  std::optional<Rewind> rewind_;
  // Trained runs replaced by an edit, newest last, while undo can return to their state (at most
  // kShelvedRuns: each holds its run's history and timeline, a few MB at a million steps).
  static constexpr std::size_t kShelvedRuns = 8;
  std::vector<std::unique_ptr<LabRun>> shelf_;
};

}  // namespace attnmd::gui
