// The document: everything a user edits (the scene plus the app's experiment settings), changed only
// through commands (commands.h), with an undo/redo log. View state (pan/zoom, selection, overlay
// toggles) lives beside it and is not part of undo.
//
// Who uses it:
//  - panels submit commands: doc.apply(cmd), or for a drag/slider gesture beginGesture() /
//    update(cmd) each frame / endGesture(), which logs ONE undo entry for the whole gesture;
//  - the trainer and the live theory watch sceneRevision() and restart / re-solve when it moves;
//  - persistence (issue 6: files, autosave, recovery) reads state() + view(), calls reset() after
//    opening a file, markSaved() after saving, and asks modified() before New/Open/Quit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/state/commands.h"
#include "core/scene.h"

namespace attnmd::gui {

// Pan/zoom of the 2D canvas. World coordinates are token coordinates (x_1 right, x_2 up).
struct CanvasView {
  double centerX = 0;  // world point at the canvas centre
  double centerY = 0;
  double pixelsPerUnit = 0;  // zoom; 0 = not set yet: fit the data on the next frame
  // The view is the canvas's automatic fit, not panned or zoomed since. Saved with the document, so
  // that it opens fitted to the canvas it then has (another window size) instead of a stale view.
  bool fitted = false;
};

// The 3D view's orbit camera (scenes with d >= 3, view3d.h): orthographic, looking at `target` from the
// direction yaw (about the x_3 axis) and pitch (above the x_1-x_2 plane); x_3 points up on screen.
struct Camera3D {
  double yaw = 0.55;  // radians
  double pitch = 0.40;
  double targetX = 0, targetY = 0, targetZ = 0;
  double pixelsPerUnit = 0;  // zoom; 0 = not set yet: fit the data on the next frame
};

// What the canvas draws on top of the tokens (View menu).
struct CanvasLayers {
  bool grid = true;
  bool marginLines = true;  // (x_alpha - x)^T q_i = 1 per sequence
  bool supportMarks = true;
  bool optimalMarks = true;
  bool legend = true;
};

// How several runs are shown: every run on one canvas, or one canvas per run (2 to 4) with one camera.
enum class CompareView { Overlay, Grid };

struct TokenRef {
  int seq = -1;
  int token = -1;
  bool valid() const { return seq >= 0 && token >= 0; }
  bool operator==(const TokenRef&) const = default;
};

// App-side view state. Not undoable; issue 6 may save it with the scene as extras.
struct ViewState {
  CanvasView canvas;
  Camera3D camera;
  bool space = true;      // d >= 3: the 3D view; false: the x_1-x_2 plane (the 2D canvas)
  bool geometry = false;  // the geometry view (parameter space) instead of either, where it applies
  CanvasLayers layers;
  int selectedSequence = 0;    // where canvas double-clicks add tokens; the data table's current row
  TokenRef activeToken;        // last clicked token (Delete removes it)
  bool pickSvmTokens = false;  // canvas clicks pick the SVM token of a sequence instead of editing
  int selectedRun = 0;         // the run experiment edits go to and whose attention the markers show
  CompareView compare = CompareView::Overlay;  // how several runs share the canvas area

  // Both views fit the data on the next frame (new data, F); the 3D view keeps its angles.
  void refit() {
    canvas.pixelsPerUnit = 0;
    camera.pixelsPerUnit = 0;
  }
};

// The colour of run i when it names none ("#rrggbb", the plots' palette by index).
std::string defaultRunColour(int i);

class Document {
 public:
  explicit Document(DocState initial = {});

  const DocState& state() const { return state_; }
  const core::Scene& scene() const { return state_.scene; }
  const Experiment& experiment() const { return state_.experiment; }

  // ---- runs: 1 to core::kMaxRuns (DocState::runs empty = one run of the scene as it is)
  int runCount() const { return static_cast<int>(runScenes_.size()); }
  // The scene run i trains (null when its patch does not give a valid scene: runError(i) says why).
  std::shared_ptr<const core::Scene> runScene(int i) const { return runScenes_[static_cast<std::size_t>(i)]; }
  const std::string& runError(int i) const { return runErrors_[static_cast<std::size_t>(i)]; }
  // Increments when run i's scene changes (data edits move every run's, experiment edits one).
  std::uint64_t runRevision(int i) const { return runRevisions_[static_cast<std::size_t>(i)]; }
  // Name, colour (#rrggbb) and visibility of run i, with defaults filled in (name from the optimizer,
  // colour from the palette by index).
  core::RunPatch runInfo(int i) const;
  // The run experiment edits go to: view().selectedRun clamped, or -1 without explicit runs.
  int editedRun() const { return state_.runs.empty() ? -1 : view_.selectedRun; }
  // The scene experiment panels show and edit: the selected run's (the scene itself without runs).
  // Never null (a run whose patch fails shows the scene itself).
  std::shared_ptr<const core::Scene> editedScene() const;
  ViewState& view() { return view_; }
  const ViewState& view() const { return view_; }

  // Applies one command as one undo entry. Returns "" or why it was refused (state untouched).
  // A command that changes nothing adds no entry.
  std::string apply(const Command& command);

  // A gesture (drag, slider): begin, then update() with the latest absolute value every frame (each
  // applies at once, so the canvas, run and theory follow live), then end: one undo entry named
  // `name`, or none if nothing changed. cancel restores the state from before the gesture.
  void beginGesture(std::string name);
  std::string update(const Command& command);
  void endGesture();
  void cancelGesture();
  bool inGesture() const { return gesture_.active; }

  bool canUndo() const { return !undo_.empty() && !gesture_.active; }
  bool canRedo() const { return !redo_.empty() && !gesture_.active; }
  const std::string& undoName() const;  // "" when none
  const std::string& redoName() const;
  bool undo();
  bool redo();
  std::size_t undoDepth() const { return undo_.size(); }
  std::size_t redoDepth() const { return redo_.size(); }

  // Replaces everything (File > New / Open): clears undo/redo and marks the document saved.
  void reset(DocState state);

  // Increments whenever state() changes; sceneRevision() only when the scene (data, model, optimizer,
  // init) changes, which is what restarts training.
  std::uint64_t revision() const { return revision_; }
  std::uint64_t sceneRevision() const { return sceneRevision_; }

  // Whether the state differs from the one last marked saved (undoing back to it counts as saved).
  bool modified() const { return stateId_ != savedStateId_; }
  // The state's identity: undo and redo return to earlier ids, a new document never reuses one.
  std::uint64_t stateId() const { return stateId_; }
  // Whether undo or redo (or cancelling the gesture in progress) can bring state `id` back.
  bool canReturnTo(std::uint64_t id) const;
  void markSaved() { savedStateId_ = stateId_; }

  static constexpr std::size_t kMaxUndo = 1000;  // oldest entries are dropped beyond this
  // The undo and redo logs together stay under this many bytes whatever the scene's size: the entries
  // farthest from the current state are dropped first, the nearest one is always kept.
  static constexpr std::size_t kMaxHistoryBytes = 64'000'000;
  // What the undo and redo logs hold, estimated from their contents (payload plus bookkeeping).
  std::size_t historyBytes() const { return historyBytes_; }

 private:
  // What one edit changed, on the side that is not current: an entry on the undo log holds the state
  // before the edit where it differs from the current one; undo swaps that into the state (the entry
  // then holds the "after" side, for redo) and redo swaps it back. Only what differs is kept, bit for
  // bit: the rows of one sequence for token edits, a range of sequences for sequence edits, the scene's
  // other fields, the experiment settings and the runs only when they changed (ReplaceScene: all).
  struct Change {
    enum class Kind { None, Sequences, Rows };
    Kind kind = Kind::None;
    std::size_t seq = 0;                    // Sequences: the range's first sequence; Rows: the sequence
    std::size_t row = 0;                    // Rows: the range's first token
    std::size_t shown = 0;                  // sequences (Rows: tokens) the range spans in the current state
    std::vector<core::Sequence> sequences;  // Sequences: the range on the other side
    core::Sequence rows;                    // Rows: the other side's tokens in the range, its y and z
    std::optional<core::Scene> header;      // the scene's other fields (no sequences), when they differ
    std::optional<Experiment> experiment;
    std::optional<std::vector<core::RunPatch>> runs;
  };
  struct Entry {
    std::string name;
    Change change;
    std::uint64_t beforeId = 0;
    std::uint64_t afterId = 0;
    std::size_t bytes = 0;  // estimated, for kMaxHistoryBytes
  };
  struct Gesture {
    bool active = false;
    std::string name;
    DocState before;
    std::uint64_t beforeId = 0;
  };
  static Change makeChange(const DocState& other, const DocState& current);
  static void swapChange(Change& change, DocState& state);
  static std::size_t entryBytes(const Entry& e);
  // Logs a new entry (the state is already its "after" side or becomes it next): clears redo, trims.
  void push(Entry e);
  // Moves the top entry of `from` to `to`, swapping its change into the state.
  void step(std::vector<Entry>& from, std::vector<Entry>& to, bool undoing);
  // Drops entries beyond kMaxUndo and kMaxHistoryBytes, farthest from the current state first,
  // never the one adjacent to it on the side `keepUndo` names (true: undo's top, false: redo's).
  void trimHistory(bool keepUndo);
  void dropFront(std::vector<Entry>& entries);
  // Installs `next` as the state (id `id`), bumping the revisions that moved.
  void setState(DocState next, std::uint64_t id, bool restartRuns = false);
  void fixView();
  void refreshRunScenes(bool restartRuns);

  DocState state_;
  ViewState view_;
  // Run scenes, rebuilt when the state changes. A run's scene is the document's scene with the run's
  // experiment fields; those come from parsing the patch only when the patch or the scene's own
  // experiment changed, so a drag of a token in a big scene costs a copy per run, not a JSON round trip.
  std::vector<std::shared_ptr<const core::Scene>> runScenes_;
  std::vector<std::string> runErrors_;
  std::vector<std::uint64_t> runRevisions_;
  std::vector<std::string> runPatchKeys_;  // the patch each run scene's experiment was parsed from
  core::Scene runExperimentBase_;          // the scene's experiment fields they were parsed against
  std::uint64_t nextRunRevision_ = 1;
  std::vector<Entry> undo_;
  std::vector<Entry> redo_;
  std::size_t historyBytes_ = 0;
  Gesture gesture_;
  std::uint64_t revision_ = 1;
  std::uint64_t sceneRevision_ = 1;
  std::uint64_t stateId_ = 1;  // identifies a state; undo/redo return to earlier ids
  std::uint64_t nextStateId_ = 2;
  std::uint64_t savedStateId_ = 1;
};

}  // namespace attnmd::gui
