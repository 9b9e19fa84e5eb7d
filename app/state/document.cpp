#include "app/state/document.h"

#include <algorithm>
#include <utility>

#include "core/scene_io.h"

namespace attnmd::gui {
namespace {
const std::string kEmpty;

bool sameState(const DocState& a, const DocState& b) {
  return a.experiment == b.experiment && sameScene(a.scene, b.scene) && sameRuns(a.runs, b.runs);
}

// The fields a run patch may change (core/run_patch.h makeRunPatch): copied from a parsed run scene
// onto a copy of the document's scene.
void copyExperiment(const core::Scene& from, core::Scene& to) {
  to.optimizer = from.optimizer;
  to.init = from.init;
  to.seed = from.seed;
  to.model.kind = from.model.kind;
  to.model.query = from.model.query;
  to.model.rank = from.model.rank;
  to.model.trainV = from.model.trainV;
  to.model.loss = from.model.loss;
}
// The scene's experiment fields alone (no data), to tell whether they changed.
core::Scene experimentOf(const core::Scene& s) {
  core::Scene e;
  copyExperiment(s, e);
  e.dim = s.dim;
  return e;
}

std::string defaultRunName(const core::Scene& s) {
  std::string name = core::enumName(s.optimizer.name);
  if (s.optimizer.name == core::OptimizerKind::MD || s.optimizer.name == core::OptimizerKind::NMD)
    name += ", p = " + core::formatDouble(s.optimizer.p);
  return name;
}
}  // namespace

Document::Document(DocState initial) : state_(std::move(initial)) {
  state_.experiment.pickedTokens.resize(state_.scene.sequences.size(), -1);
  refreshRunScenes(true);
}

void Document::setState(DocState next, std::uint64_t id, bool restartRuns) {
  const bool sceneMoved = !sameScene(state_.scene, next.scene);
  state_ = std::move(next);
  stateId_ = id;
  ++revision_;
  if (sceneMoved) ++sceneRevision_;
  refreshRunScenes(restartRuns);
  fixView();
}

void Document::refreshRunScenes(bool restartRuns) {
  const std::size_t count = std::max<std::size_t>(1, state_.runs.size());
  const core::Scene base = experimentOf(state_.scene);
  const bool baseSame = sameScene(base, runExperimentBase_);
  std::vector<std::shared_ptr<const core::Scene>> scenes(count);
  std::vector<std::string> errors(count), keys(count);
  std::vector<std::uint64_t> revisions(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string key = state_.runs.empty() ? std::string("{}") : state_.runs[i].patchJson;
    keys[i] = key;
    std::shared_ptr<const core::Scene> old = i < runScenes_.size() ? runScenes_[i] : nullptr;
    auto scene = std::make_shared<core::Scene>(state_.scene);
    if (key == "{}") {
      // No patch: the scene itself.
    } else if (old && baseSame && i < runPatchKeys_.size() && runPatchKeys_[i] == key) {
      copyExperiment(*old, *scene);  // same patch over the same experiment: only the data moved
    } else {
      core::Scene parsed;
      if (std::string e = gui::runScene(state_, static_cast<int>(i), parsed); !e.empty()) {
        errors[i] = e;
        scene = nullptr;
      } else {
        copyExperiment(parsed, *scene);
      }
    }
    const bool same = !restartRuns && old && scene && sameScene(*old, *scene) &&
                      (i < runErrors_.size() && runErrors_[i] == errors[i]);
    const bool bothFailed =
        !restartRuns && !old && !scene && i < runErrors_.size() && runErrors_[i] == errors[i];
    revisions[i] = (same || bothFailed) && i < runRevisions_.size() ? runRevisions_[i] : nextRunRevision_++;
    scenes[i] = scene && same ? old : std::shared_ptr<const core::Scene>(std::move(scene));
  }
  runScenes_ = std::move(scenes);
  runErrors_ = std::move(errors);
  runRevisions_ = std::move(revisions);
  runPatchKeys_ = std::move(keys);
  runExperimentBase_ = base;
}

core::RunPatch Document::runInfo(int i) const {
  core::RunPatch r;
  if (i >= 0 && i < static_cast<int>(state_.runs.size())) r = state_.runs[static_cast<std::size_t>(i)];
  if (r.name.empty()) {
    const auto scene = i >= 0 && i < runCount() ? runScene(i) : nullptr;
    r.name = scene ? defaultRunName(*scene) : "run " + std::to_string(i + 1);
  }
  if (r.colour.empty()) r.colour = defaultRunColour(i);
  return r;
}

std::shared_ptr<const core::Scene> Document::editedScene() const {
  const int i = std::clamp(view_.selectedRun, 0, runCount() - 1);
  const auto& scene = runScenes_[static_cast<std::size_t>(i)];
  return scene ? scene : std::make_shared<const core::Scene>(state_.scene);
}

std::string defaultRunColour(int i) {
  // Okabe-Ito (app/plot/palette.cpp, the plots' series colours), so a run has one colour everywhere;
  // the eighth is wine instead of black, which the canvas uses for its own rays.
  static constexpr const char* kColours[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                             "#e69f00", "#56b4e9", "#f0e442", "#882255"};
  return kColours[static_cast<std::size_t>(std::max(0, i)) % 8];
}

// Keeps the view's indices valid after any change of the data.
void Document::fixView() {
  view_.selectedRun = std::clamp(view_.selectedRun, 0, std::max(0, runCount() - 1));
  const int n = state_.scene.sequenceCount();
  view_.selectedSequence = std::clamp(view_.selectedSequence, 0, std::max(0, n - 1));
  TokenRef& a = view_.activeToken;
  if (a.valid() &&
      (a.seq >= n || a.token >= state_.scene.sequences[static_cast<std::size_t>(a.seq)].tokens.rows()))
    a = TokenRef{};
}

std::string Document::apply(const Command& command) {
  if (gesture_.active) return update(command);
  DocState next = state_;
  if (std::string error = applyCommand(next, command); !error.empty()) return error;
  if (sameState(next, state_)) return {};
  Entry e{describe(command), state_, next, stateId_, nextStateId_++};
  const std::uint64_t id = e.afterId;
  undo_.push_back(std::move(e));
  if (undo_.size() > kMaxUndo) undo_.erase(undo_.begin());
  redo_.clear();
  setState(std::move(next), id);
  return {};
}

void Document::beginGesture(std::string name) {
  if (gesture_.active) endGesture();
  gesture_ = Gesture{true, std::move(name), state_, stateId_};
}

std::string Document::update(const Command& command) {
  if (!gesture_.active) return apply(command);
  DocState next = state_;
  if (std::string error = applyCommand(next, command); !error.empty()) return error;
  if (sameState(next, state_)) return {};
  setState(std::move(next), nextStateId_++);
  return {};
}

void Document::endGesture() {
  if (!gesture_.active) return;
  Gesture g = std::move(gesture_);
  gesture_ = Gesture{};
  if (sameState(g.before, state_)) {
    stateId_ = g.beforeId;  // back where it started: the same state as before, not a new one
    return;
  }
  undo_.push_back(Entry{std::move(g.name), std::move(g.before), state_, g.beforeId, stateId_});
  if (undo_.size() > kMaxUndo) undo_.erase(undo_.begin());
  redo_.clear();
}

void Document::cancelGesture() {
  if (!gesture_.active) return;
  Gesture g = std::move(gesture_);
  gesture_ = Gesture{};
  if (!sameState(g.before, state_)) setState(std::move(g.before), g.beforeId);
  stateId_ = g.beforeId;
}

const std::string& Document::undoName() const {
  return undo_.empty() ? kEmpty : undo_.back().name;
}
const std::string& Document::redoName() const {
  return redo_.empty() ? kEmpty : redo_.back().name;
}

bool Document::undo() {
  if (!canUndo()) return false;
  Entry e = std::move(undo_.back());
  undo_.pop_back();
  setState(e.before, e.beforeId);
  redo_.push_back(std::move(e));
  return true;
}

bool Document::redo() {
  if (!canRedo()) return false;
  Entry e = std::move(redo_.back());
  redo_.pop_back();
  setState(e.after, e.afterId);
  undo_.push_back(std::move(e));
  return true;
}

bool Document::canReturnTo(std::uint64_t id) const {
  if (gesture_.active && gesture_.beforeId == id) return true;
  for (const std::vector<Entry>* entries : {&undo_, &redo_})
    for (const Entry& e : *entries)
      if (e.beforeId == id || e.afterId == id) return true;
  return false;
}

void Document::reset(DocState state) {
  if (gesture_.active) gesture_ = Gesture{};
  undo_.clear();
  redo_.clear();
  state.experiment.pickedTokens.resize(state.scene.sequences.size(), -1);
  const std::uint64_t id = nextStateId_++;
  setState(std::move(state), id, true);
  ++sceneRevision_;  // a new document always restarts training, even when it looks the same
  savedStateId_ = id;
  view_.refit();  // fit the new data
}

}  // namespace attnmd::gui
