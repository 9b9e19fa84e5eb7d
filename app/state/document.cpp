#include "app/state/document.h"

#include <algorithm>
#include <bit>
#include <iterator>
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

// Bitwise equality (not ==, which takes -0 for 0): undo must give back exactly the numbers it took.
bool sameBits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
template <class M>
bool sameBits(const M& a, const M& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!sameBits(a.data()[i], b.data()[i])) return false;
  return true;
}
bool sameRowBits(const Eigen::MatrixXd& a, Eigen::Index i, const Eigen::MatrixXd& b, Eigen::Index j) {
  for (Eigen::Index c = 0; c < a.cols(); ++c)
    if (!sameBits(a(i, c), b(j, c))) return false;
  return true;
}
bool identicalSequence(const core::Sequence& a, const core::Sequence& b) {
  return a.y == b.y && sameBits(a.tokens, b.tokens) && sameBits(a.z, b.z);
}
// Every field of core::Scene but the sequences, bit for bit (extend with sameScene in commands.cpp).
bool identicalHeader(const core::Scene& a, const core::Scene& b) {
  const auto &ma = a.model, &mb = b.model;
  const auto &oa = a.optimizer, &ob = b.optimizer;
  const auto &ia = a.init.given, &ib = b.init.given;
  return a.dim == b.dim && a.iterations == b.iterations && a.seed == b.seed && a.extrasJson == b.extrasJson &&
         ma.kind == mb.kind && ma.query == mb.query && ma.rank == mb.rank && ma.trainV == mb.trainV &&
         ma.loss == mb.loss && sameBits(ma.keyMatrix, mb.keyMatrix) && sameBits(ma.v, mb.v) &&
         oa.name == ob.name && sameBits(oa.p, ob.p) && sameBits(oa.lr, ob.lr) &&
         sameBits(oa.beta1, ob.beta1) && sameBits(oa.beta2, ob.beta2) && sameBits(oa.eps, ob.eps) &&
         sameBits(oa.momentum, ob.momentum) && a.init.kind == b.init.kind &&
         sameBits(a.init.scale, b.init.scale) && sameBits(ia.W, ib.W) && sameBits(ia.p, ib.p) &&
         sameBits(ia.K, ib.K) && sameBits(ia.Q, ib.Q) && sameBits(ia.v, ib.v);
}

// Bytes an entry's contents take (payload and the containers' own size; allocator overhead aside).
std::size_t matrixBytes(const Eigen::MatrixXd& m) {
  return static_cast<std::size_t>(m.size()) * sizeof(double);
}
std::size_t vectorBytes(const Eigen::VectorXd& v) {
  return static_cast<std::size_t>(v.size()) * sizeof(double);
}
std::size_t sequenceBytes(const core::Sequence& q) {
  return sizeof(core::Sequence) + matrixBytes(q.tokens) + vectorBytes(q.z);
}
std::size_t headerBytes(const core::Scene& s) {
  const core::Params& g = s.init.given;
  return sizeof(core::Scene) + s.extrasJson.capacity() + matrixBytes(s.model.keyMatrix) +
         vectorBytes(s.model.v) + matrixBytes(g.W) + vectorBytes(g.p) + matrixBytes(g.K) + matrixBytes(g.Q) +
         vectorBytes(g.v);
}
std::size_t runsBytes(const std::vector<core::RunPatch>& runs) {
  std::size_t n = 0;
  for (const core::RunPatch& r : runs)
    n += sizeof(core::RunPatch) + r.name.capacity() + r.colour.capacity() + r.patchJson.capacity();
  return n;
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

Document::Change Document::makeChange(const DocState& other, const DocState& current) {
  Change c;
  const auto& a = other.scene.sequences;
  const auto& b = current.scene.sequences;
  std::size_t head = 0;  // sequences equal at the start and at the end
  while (head < a.size() && head < b.size() && identicalSequence(a[head], b[head])) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         identicalSequence(a[a.size() - 1 - tail], b[b.size() - 1 - tail]))
    ++tail;
  const std::size_t na = a.size() - head - tail, nb = b.size() - head - tail;
  if (na == 1 && nb == 1 && a[head].tokens.cols() == b[head].tokens.cols()) {
    // One sequence changed: keep the tokens that differ (a move is one row), its label and query.
    const Eigen::MatrixXd& x = a[head].tokens;
    const Eigen::MatrixXd& y = b[head].tokens;
    Eigen::Index top = 0;
    while (top < x.rows() && top < y.rows() && sameRowBits(x, top, y, top)) ++top;
    Eigen::Index bottom = 0;
    while (bottom < x.rows() - top && bottom < y.rows() - top &&
           sameRowBits(x, x.rows() - 1 - bottom, y, y.rows() - 1 - bottom))
      ++bottom;
    c.kind = Change::Kind::Rows;
    c.seq = head;
    c.row = static_cast<std::size_t>(top);
    c.shown = static_cast<std::size_t>(y.rows() - top - bottom);
    c.rows.tokens = x.middleRows(top, x.rows() - top - bottom);
    c.rows.y = a[head].y;
    c.rows.z = a[head].z;
  } else if (na > 0 || nb > 0) {
    c.kind = Change::Kind::Sequences;
    c.seq = head;
    c.shown = nb;
    const auto first = a.begin() + static_cast<std::ptrdiff_t>(head);
    c.sequences.assign(first, first + static_cast<std::ptrdiff_t>(na));
  }
  if (!identicalHeader(other.scene, current.scene)) {
    core::Scene h = other.scene;  // copied whole (every field), then without its sequences
    h.sequences = {};
    c.header = std::move(h);
  }
  if (!(other.experiment == current.experiment)) c.experiment = other.experiment;
  if (!sameRuns(other.runs, current.runs)) c.runs = other.runs;
  return c;
}

void Document::swapChange(Change& c, DocState& st) {
  auto& seqs = st.scene.sequences;
  if (c.kind == Change::Kind::Sequences) {
    const auto first = seqs.begin() + static_cast<std::ptrdiff_t>(c.seq);
    const auto last = first + static_cast<std::ptrdiff_t>(c.shown);
    std::vector<core::Sequence> current(std::make_move_iterator(first), std::make_move_iterator(last));
    seqs.erase(first, last);
    seqs.insert(seqs.begin() + static_cast<std::ptrdiff_t>(c.seq),
                std::make_move_iterator(c.sequences.begin()), std::make_move_iterator(c.sequences.end()));
    c.shown = c.sequences.size();
    c.sequences = std::move(current);
  } else if (c.kind == Change::Kind::Rows) {
    core::Sequence& q = seqs[c.seq];
    const Eigen::MatrixXd& x = q.tokens;
    const auto row = static_cast<Eigen::Index>(c.row), shown = static_cast<Eigen::Index>(c.shown);
    const Eigen::Index other = c.rows.tokens.rows(), below = x.rows() - row - shown;
    Eigen::MatrixXd y(row + other + below, x.cols());
    y.topRows(row) = x.topRows(row);
    y.middleRows(row, other) = c.rows.tokens;
    y.bottomRows(below) = x.bottomRows(below);
    Eigen::MatrixXd current = x.middleRows(row, shown);
    q.tokens = std::move(y);
    c.rows.tokens = std::move(current);
    c.shown = static_cast<std::size_t>(other);
    std::swap(q.y, c.rows.y);
    std::swap(q.z, c.rows.z);
  }
  if (c.header) {
    c.header->sequences = std::move(seqs);  // the header takes the sequences, then trades places
    std::swap(st.scene, *c.header);
    c.header->sequences = {};
  }
  if (c.experiment) std::swap(st.experiment, *c.experiment);
  if (c.runs) std::swap(st.runs, *c.runs);
}

std::size_t Document::entryBytes(const Entry& e) {
  const Change& c = e.change;
  std::size_t n = sizeof(Entry) + e.name.capacity() + sequenceBytes(c.rows);
  for (const core::Sequence& q : c.sequences) n += sequenceBytes(q);
  if (c.header) n += headerBytes(*c.header);
  if (c.experiment) n += sizeof(Experiment) + c.experiment->pickedTokens.capacity() * sizeof(int);
  if (c.runs) n += runsBytes(*c.runs);
  return n;
}

void Document::dropFront(std::vector<Entry>& entries) {
  historyBytes_ -= entries.front().bytes;
  entries.erase(entries.begin());
}

void Document::trimHistory(bool keepUndo) {
  while (undo_.size() > kMaxUndo) dropFront(undo_);
  while (historyBytes_ > kMaxHistoryBytes && undo_.size() + redo_.size() > 1) {
    const bool dropUndo = undo_.size() > redo_.size() || (undo_.size() == redo_.size() && !keepUndo);
    dropFront(dropUndo ? undo_ : redo_);
  }
}

void Document::push(Entry e) {
  for (const Entry& r : redo_) historyBytes_ -= r.bytes;
  redo_.clear();
  e.bytes = entryBytes(e);
  historyBytes_ += e.bytes;
  undo_.push_back(std::move(e));
  trimHistory(true);
}

void Document::step(std::vector<Entry>& from, std::vector<Entry>& to, bool undoing) {
  Entry e = std::move(from.back());
  from.pop_back();
  DocState next = state_;
  swapChange(e.change, next);
  historyBytes_ -= e.bytes;
  e.bytes = entryBytes(e);
  historyBytes_ += e.bytes;
  const std::uint64_t id = undoing ? e.beforeId : e.afterId;
  to.push_back(std::move(e));
  setState(std::move(next), id);
  trimHistory(!undoing);
}

std::string Document::apply(const Command& command) {
  if (gesture_.active) return update(command);
  DocState next = state_;
  if (std::string error = applyCommand(next, command); !error.empty()) return error;
  if (sameState(next, state_)) return {};
  const std::uint64_t id = nextStateId_++;
  push(Entry{describe(command), makeChange(state_, next), stateId_, id});
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
  push(Entry{std::move(g.name), makeChange(g.before, state_), g.beforeId, stateId_});
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
  step(undo_, redo_, true);
  return true;
}

bool Document::redo() {
  if (!canRedo()) return false;
  step(redo_, undo_, false);
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
  historyBytes_ = 0;
  state.experiment.pickedTokens.resize(state.scene.sequences.size(), -1);
  const std::uint64_t id = nextStateId_++;
  setState(std::move(state), id, true);
  ++sceneRevision_;  // a new document always restarts training, even when it looks the same
  savedStateId_ = id;
  view_.refit();  // fit the new data
}

}  // namespace attnmd::gui
