// [SECTION] runs: creation, restarts
// [SECTION] every run at once
// [SECTION] timeline
#include "app/state/lab.h"

#include <algorithm>
#include <chrono>

namespace attnmd::gui {

// =================================================================================================
// [SECTION] runs
// =================================================================================================

Lab::Lab(TrainerMode mode) : mode_(mode) {}

std::uint32_t parseRunColour(const std::string& hex) {
  if (hex.size() != 7 || hex[0] != '#') return 0;
  unsigned rgb = 0;
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = hex[i];
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (d < 0) return 0;
    rgb = rgb * 16 + static_cast<unsigned>(d);
  }
  const unsigned r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  return 0xff000000u | (b << 16) | (g << 8) | r;
}

std::unique_ptr<LabRun> Lab::newRun(std::unique_ptr<LiveTheory> theory) const {
  auto r = std::make_unique<LabRun>();
  r->trainer = std::make_unique<Trainer>(mode_);
  r->trainer->setSpeed(speed_);
  r->trainer->setStopCondition(stop_);
  r->theory = theory ? std::move(theory) : std::make_unique<LiveTheory>(mode_);
  return r;
}

std::unique_ptr<LabRun> Lab::takeShelved(int i, const Document& doc) {
  const std::shared_ptr<const core::Scene> want = doc.runScene(i);
  if (!want) return nullptr;
  for (auto it = shelf_.begin(); it != shelf_.end(); ++it)
    if ((*it)->scene && sameScene(*(*it)->scene, *want)) {
      std::unique_ptr<LabRun> r = std::move(*it);
      shelf_.erase(it);
      return r;
    }
  return nullptr;
}

// Only a run with steps worth keeping (a restart at step 0 is as good as the original), and only while
// undo can return to a state it was current in: never the states in the middle of a drag.
namespace {
bool worthKeepingForUndo(const LabRun& run, const Document& doc) {
  return run.live && run.live->trainedSteps > 0 && run.scene && doc.canReturnTo(run.stateId);
}
}  // namespace

void Lab::shelve(std::unique_ptr<LabRun> run, const Document& doc) {
  if (!worthKeepingForUndo(*run, doc)) return;
  run->trainer->setPlaying(false);
  run->theory.reset();  // the theory stays with the run's place; a run back from the shelf re-solves
  std::erase_if(shelf_, [&](const std::unique_ptr<LabRun>& s) { return !doc.canReturnTo(s->stateId); });
  shelf_.push_back(std::move(run));
  if (shelf_.size() > kShelvedRuns) shelf_.erase(shelf_.begin());
}

void Lab::adopt(LabRun& r, int i, const Document& doc) const {
  r.revision = doc.runRevision(i);
  r.stateId = doc.stateId();
  r.scene = doc.runScene(i);
  r.error = doc.runError(i);
  r.live = r.trainer->snapshot();
  r.shown = r.live;
  r.overlaySnap = nullptr;
  if (!r.theory) r.theory = std::make_unique<LiveTheory>(mode_);
  r.trainer->setSpeed(speed_);  // changed while it was aside
  r.trainer->setStopCondition(stop_);
}

void Lab::sync(const Document& doc) {
  const int want = doc.runCount();
  bool added = false;
  while (runCount() > want) {
    shelve(std::move(runs_.back()), doc);
    runs_.pop_back();
  }
  while (runCount() < want) {
    const int i = runCount();
    std::unique_ptr<LabRun> back = takeShelved(i, doc);
    if (back) adopt(*back, i, doc);
    runs_.push_back(back ? std::move(back) : newRun());
    added = true;
  }
  for (int i = 0; i < runCount(); ++i) {
    std::unique_ptr<LabRun>& slot = runs_[static_cast<std::size_t>(i)];
    if (slot->trainer->snapshot() && slot->revision == doc.runRevision(i)) {
      slot->stateId = doc.stateId();
      continue;
    }
    const bool wasPlaying = slot->trainer->playing();
    // Undo (or redo) to a scene whose trained run was kept aside: that run comes back as it was.
    if (std::unique_ptr<LabRun> back = takeShelved(i, doc)) {
      back->theory = std::move(slot->theory);
      std::unique_ptr<LabRun> replaced = std::move(slot);
      slot = std::move(back);
      adopt(*slot, i, doc);
      if (wasPlaying) slot->trainer->setPlaying(true);
      shelve(std::move(replaced), doc);
      if (rewind_ && rewind_->run == i) rewind_.reset();
      continue;
    }
    // The trained run the edit replaces goes aside (undo may want it back); its successor starts
    // from its parameters when the experiment says init "current".
    if (worthKeepingForUndo(*slot, doc)) {
      std::unique_ptr<LabRun> fresh = newRun(std::move(slot->theory));
      fresh->live = slot->live;  // what startRun continues from
      std::unique_ptr<LabRun> replaced = std::move(slot);
      slot = std::move(fresh);
      shelve(std::move(replaced), doc);
    }
    startRun(i, doc, doc.experiment().continueFromCurrent);
    LabRun& started = *slot;
    // A new run joins the others' state: playing when they play.
    if (added && playing())
      started.trainer->setPlaying(true);
    else if (wasPlaying)
      started.trainer->setPlaying(true);
  }
  if (cursor_) setCursor(cursor_);  // restarted runs show the cursor's step too
}

void Lab::restartAll(const Document& doc) {
  cursor_.reset();
  shelf_.clear();
  for (int i = 0; i < runCount(); ++i) {
    runs_[static_cast<std::size_t>(i)]->trainer->setPlaying(false);
    startRun(i, doc, false);
  }
  rewind_.reset();
}

// Builds run i from its scene; with keepParameters (init "current") it starts from the parameters on
// screen when they fit the new scene (same model, dimension and rank).
void Lab::startRun(int i, const Document& doc, bool keepParameters) {
  LabRun& r = *runs_[static_cast<std::size_t>(i)];
  r.revision = doc.runRevision(i);
  r.stateId = doc.stateId();
  r.error = doc.runError(i);
  const std::shared_ptr<const core::Scene> runScene = doc.runScene(i);
  if (!runScene) {
    r.trainer->setPlaying(false);
    r.scene = nullptr;
    return;
  }
  auto scene = std::make_shared<core::Scene>(*runScene);
  const std::shared_ptr<const TrainSnapshot> snap = r.live;
  if (keepParameters && snap && snap->scene) {
    const core::Scene& old = *snap->scene;
    const bool fits =
        old.model.kind == scene->model.kind && old.dim == scene->dim && old.rankOrDim() == scene->rankOrDim();
    if (fits) {
      scene->init.kind = core::InitKind::Given;
      scene->init.given = snap->params;
      // A trained v continues too, unless v itself was just edited.
      if (scene->model.trainV && old.model.trainV && old.model.v.size() == scene->model.v.size() &&
          old.model.v == scene->model.v && snap->params.v.size() == scene->dim)
        scene->model.v = snap->params.v;
    }
  }
  r.scene = runScene;
  try {
    r.trainer->restart(std::shared_ptr<const core::Scene>(std::move(scene)));
  } catch (const std::exception& e) {
    r.error = std::string("cannot train this scene: ") + e.what();
    r.trainer->setPlaying(false);
  }
  r.live = r.trainer->snapshot();
  r.shown = r.live;
  if (rewind_ && rewind_->run == i) rewind_.reset();
}

void Lab::refresh(const Document& doc, const std::string& hint) {
  for (int i = 0; i < runCount(); ++i) {
    LabRun& r = *runs_[static_cast<std::size_t>(i)];
    r.live = r.trainer->snapshot();
    if (!r.live) continue;
    r.shown = r.live;
    if (cursor_) {
      // The replayed view when it is there; until then the last one shown (never a jump to live).
      if (auto view = r.trainer->viewSnapshot())
        r.shown = view;
      else if (r.overlaySnap && r.overlaySnap->generation == r.live->generation)
        r.shown = r.overlaySnap;
    }
    const bool solved = r.theory->poll();
    if (!solved && r.shown == r.overlaySnap && doc.revision() == r.overlayDocRevision &&
        hint == r.overlayHint)
      continue;
    r.overlaySnap = r.shown;
    r.overlayDocRevision = doc.revision();
    r.overlayHint = hint;
    const std::shared_ptr<const core::Scene>& scene = r.shown->scene;
    // The run's own scene (its data equal the document's: the run restarts in the frame of an edit).
    if (scene && r.scene) r.theory->update(*r.scene, r.revision, doc.experiment(), *r.shown, hint);
  }
}

// =================================================================================================
// [SECTION] every run at once
// =================================================================================================

void Lab::setPlaying(bool playing) {
  if (playing) cursor_.reset();  // training goes on from the live runs
  if (playing)
    for (auto& r : runs_) r->trainer->requestView(std::nullopt);
  for (auto& r : runs_) r->trainer->setPlaying(playing && r->scene);
}

bool Lab::playing() const {
  return std::any_of(runs_.begin(), runs_.end(), [](const auto& r) { return r->trainer->playing(); });
}

void Lab::requestSteps(long long k) {
  if (cursor_) setCursor(std::nullopt);
  for (auto& r : runs_) r->trainer->requestSteps(k);
}

long long Lab::pendingSteps() const {
  long long m = 0;
  for (const auto& r : runs_) m = std::max(m, r->trainer->pendingSteps());
  return m;
}

// The app hands speed and stop condition over every frame: the trainers' locks are taken only when
// they change (a worker holding its lock can be descheduled; the UI must not wait on it each frame).
void Lab::setSpeed(double stepsPerSecond) {
  if (stepsPerSecond == speed_) return;
  speed_ = stepsPerSecond;
  for (auto& r : runs_) r->trainer->setSpeed(stepsPerSecond);
}

void Lab::setStopCondition(const StopCondition& stop) {
  if (stop == stop_) return;
  stop_ = stop;
  for (auto& r : runs_) r->trainer->setStopCondition(stop);
}

bool Lab::theoryPending() const {
  return std::any_of(runs_.begin(), runs_.end(), [](const auto& r) { return r->theory->pending(); });
}

bool Lab::busy() const {
  return std::any_of(runs_.begin(), runs_.end(), [](const auto& r) { return r->trainer->busy(); });
}

double Lab::stepsPerSecond() const {
  double s = 0;
  for (const auto& r : runs_) s += r->trainer->stepsPerSecond();
  return s;
}

double Lab::workerCpuSeconds() const {
  double s = 0;
  for (const auto& r : runs_) s += r->trainer->workerCpuSeconds();
  return s;
}

bool Lab::waitIdle(double timeoutSeconds) {
  if (mode_ == TrainerMode::Synchronous) {
    for (auto& r : runs_) r->trainer->waitIdle(timeoutSeconds);
    return true;
  }
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
  for (auto& r : runs_) {
    const double left = std::chrono::duration<double>(end - std::chrono::steady_clock::now()).count();
    if (!r->trainer->waitIdle(std::max(0.0, left))) return false;
  }
  for (auto& r : runs_) {
    const double left = std::chrono::duration<double>(end - std::chrono::steady_clock::now()).count();
    if (!r->theory->waitIdle(std::max(0.0, left))) return false;
  }
  return true;
}

long long Lab::pump() {
  long long taken = 0;
  for (auto& r : runs_) taken += r->trainer->pump();
  return taken;
}

// =================================================================================================
// [SECTION] timeline
// =================================================================================================

long long Lab::furthestStep() const {
  long long m = 0;
  for (const auto& r : runs_)
    if (auto s = r->trainer->snapshot()) m = std::max(m, s->trainedSteps);
  return m;
}

std::optional<long long> Lab::setCursor(std::optional<long long> k) {
  if (!k) {
    cursor_.reset();
    for (auto& r : runs_) r->trainer->requestView(std::nullopt);
    return cursor_;
  }
  for (auto& r : runs_) r->trainer->setPlaying(false);
  cursor_ = std::clamp(*k, 0LL, furthestStep());
  for (auto& r : runs_) r->trainer->requestView(cursor_);
  return cursor_;
}

bool Lab::cursorSettled() const {
  if (!cursor_) return true;
  for (const auto& r : runs_) {
    const auto live = r->trainer->snapshot();
    if (!live || !r->scene) continue;
    const auto view = r->trainer->viewSnapshot();
    if (!view || view->iteration != std::min(*cursor_, live->trainedSteps)) return false;
  }
  return true;
}

void Lab::continueFromHere(int run, const Document& doc) {
  if (!cursor_ || run < 0 || run >= runCount()) return;
  LabRun& r = *runs_[static_cast<std::size_t>(run)];
  const auto live = r.trainer->snapshot();
  if (!live || *cursor_ >= live->trainedSteps) return;
  rewind_ = Rewind{run, live->trainedSteps, doc.revision(), r.revision};
  r.trainer->requestRewind(*cursor_);
  r.trainer->requestView(cursor_);
}

bool Lab::canUndoRewind(const Document& doc) const {
  return rewind_ && rewind_->run < runCount() && doc.revision() == rewind_->docRevision &&
         runs_[static_cast<std::size_t>(rewind_->run)]->revision == rewind_->runRevision;
}

void Lab::undoRewind() {
  if (!rewind_ || rewind_->run >= runCount()) return;
  Trainer& t = *runs_[static_cast<std::size_t>(rewind_->run)]->trainer;
  const auto live = t.snapshot();
  if (live && rewind_->from > live->trainedSteps) t.requestSteps(rewind_->from - live->trainedSteps);
  rewind_.reset();
}

std::vector<LabEvent> Lab::events() const {
  std::vector<LabEvent> out;
  for (int i = 0; i < runCount(); ++i) {
    const auto live = runs_[static_cast<std::size_t>(i)]->live;
    if (!live || !live->history) continue;
    static const std::vector<std::vector<int>> kNone;
    for (core::TimelineEvent& e :
         core::timelineEvents(*live->history, live->selections ? *live->selections : kNone))
      out.push_back({i, std::move(e)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LabEvent& a, const LabEvent& b) { return a.event.iter < b.event.iter; });
  return out;
}

}  // namespace attnmd::gui
