#include "app/state/document.h"

#include <algorithm>
#include <utility>

namespace attnmd::gui {
namespace {
const std::string kEmpty;

bool sameState(const DocState& a, const DocState& b) {
  return a.experiment == b.experiment && sameScene(a.scene, b.scene);
}
}  // namespace

Document::Document(DocState initial) : state_(std::move(initial)) {
  state_.experiment.pickedTokens.resize(state_.scene.sequences.size(), -1);
}

void Document::setState(DocState next, std::uint64_t id) {
  const bool sceneMoved = !sameScene(state_.scene, next.scene);
  state_ = std::move(next);
  stateId_ = id;
  ++revision_;
  if (sceneMoved) ++sceneRevision_;
  fixView();
}

// Keeps the view's indices valid after any change of the data.
void Document::fixView() {
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

void Document::reset(DocState state) {
  if (gesture_.active) gesture_ = Gesture{};
  undo_.clear();
  redo_.clear();
  state.experiment.pickedTokens.resize(state.scene.sequences.size(), -1);
  const std::uint64_t id = nextStateId_++;
  setState(std::move(state), id);
  ++sceneRevision_;  // a new document always restarts training, even when it looks the same
  savedStateId_ = id;
  view_.refit();  // fit the new data
}

}  // namespace attnmd::gui
