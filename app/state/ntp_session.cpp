#include "app/state/ntp_session.h"

#include <algorithm>
#include <chrono>

#include "core/scene_io.h"

namespace attnmd::gui {

namespace {

template <class... F>
struct EditVisitor : F... {
  using F::operator()...;
};
template <class... F>
EditVisitor(F...) -> EditVisitor<F...>;

// The run's history: dense at the start, log-spaced after, and a linear grid over the planned steps so
// the plots' linear iteration axis shows both stages evenly (as `attnmd-cli figure` records it).
core::NtpRunOptions sessionRunOptions(const core::NtpScene& scene) {
  core::NtpRunOptions o;
  o.plannedSteps = scene.iterations;
  return o;
}

}  // namespace

std::string describe(const NtpCommand& command) {
  return std::visit(
      EditVisitor{
          [](const ntpcmd::SetSentence& c) { return "change sentence " + std::to_string(c.index); },
          [](const ntpcmd::AddSentence&) { return std::string("add a sentence"); },
          [](const ntpcmd::RemoveSentence& c) { return "remove sentence " + std::to_string(c.index); },
      },
      command);
}

std::string applyNtpCommand(core::NtpScene& scene, const NtpCommand& command) {
  const int n = scene.sentenceCount();
  // The edited sentence list is checked by the scene's own validator (the same field paths as a file's
  // errors); only the sentences are copied, not the vocabulary.
  std::vector<core::NtpSentence> sentences = scene.sentences;
  std::string refused =
      std::visit(EditVisitor{
                     [&](const ntpcmd::SetSentence& c) -> std::string {
                       if (c.index < 0 || c.index >= n) return "no sentence " + std::to_string(c.index);
                       sentences[static_cast<std::size_t>(c.index)] = c.sentence;
                       return {};
                     },
                     [&](const ntpcmd::AddSentence& c) -> std::string {
                       const int at = c.at < 0 ? n : c.at;
                       if (at > n) return "no position " + std::to_string(at) + " to insert a sentence at";
                       sentences.insert(sentences.begin() + at, c.sentence);
                       return {};
                     },
                     [&](const ntpcmd::RemoveSentence& c) -> std::string {
                       if (c.index < 0 || c.index >= n) return "no sentence " + std::to_string(c.index);
                       if (n == 1)
                         return "the last sentence cannot be removed: an NTP scene needs at least one";
                       sentences.erase(sentences.begin() + c.index);
                       return {};
                     },
                 },
                 command);
  if (!refused.empty()) return refused;
  std::swap(scene.sentences, sentences);
  if (std::string problem = core::validateNtpScene(scene); !problem.empty()) {
    std::swap(scene.sentences, sentences);
    return problem;
  }
  return {};
}

NtpSession::NtpSession(core::NtpScene scene, std::string path)
    : scene_(std::move(scene)), path_(std::move(path)) {
  restart();
}

const std::string& NtpSession::undoName() const {
  static const std::string none;
  return undo_.empty() ? none : undo_.back().name;
}

const std::string& NtpSession::redoName() const {
  static const std::string none;
  return redo_.empty() ? none : redo_.back().name;
}

std::string NtpSession::apply(const NtpCommand& command) {
  // The inverse, from the scene before the edit.
  NtpCommand inverse = std::visit(
      EditVisitor{
          [&](const ntpcmd::SetSentence& c) -> NtpCommand {
            if (c.index < 0 || c.index >= scene_.sentenceCount()) return c;  // refused below
            return ntpcmd::SetSentence{c.index, scene_.sentences[static_cast<std::size_t>(c.index)]};
          },
          [&](const ntpcmd::AddSentence& c) -> NtpCommand {
            return ntpcmd::RemoveSentence{c.at < 0 ? scene_.sentenceCount() : c.at};
          },
          [&](const ntpcmd::RemoveSentence& c) -> NtpCommand {
            if (c.index < 0 || c.index >= scene_.sentenceCount()) return c;  // refused below
            return ntpcmd::AddSentence{scene_.sentences[static_cast<std::size_t>(c.index)], c.index};
          },
      },
      command);
  if (const auto* set = std::get_if<ntpcmd::SetSentence>(&command);
      set && set->index >= 0 && set->index < scene_.sentenceCount()) {
    const core::NtpSentence& now = scene_.sentences[static_cast<std::size_t>(set->index)];
    if (now.tokens == set->sentence.tokens && now.next == set->sentence.next) return {};  // nothing changes
  }
  if (std::string refused = applyNtpCommand(scene_, command); !refused.empty()) return refused;
  Entry e{describe(command), command, std::move(inverse), editId_, nextEditId_++};
  undo_.push_back(std::move(e));
  if (undo_.size() > kMaxUndo) undo_.erase(undo_.begin());
  redo_.clear();
  install(undo_.back().afterId);
  return {};
}

bool NtpSession::undo() {
  if (undo_.empty()) return false;
  Entry e = std::move(undo_.back());
  undo_.pop_back();
  // The inverse of an edit that was applied to this very state always applies.
  applyNtpCommand(scene_, e.inverse);
  const std::uint64_t id = e.beforeId;
  redo_.push_back(std::move(e));
  install(id);
  return true;
}

bool NtpSession::redo() {
  if (redo_.empty()) return false;
  Entry e = std::move(redo_.back());
  redo_.pop_back();
  applyNtpCommand(scene_, e.forward);
  const std::uint64_t id = e.afterId;
  undo_.push_back(std::move(e));
  install(id);
  return true;
}

std::string NtpSession::save(const std::string& path) {
  if (std::string e = core::saveNtpScene(scene_, path); !e.empty()) return e;
  path_ = path;
  savedEditId_ = editId_;
  return {};
}

void NtpSession::install(std::uint64_t id) {
  editId_ = id;
  restart();
}

void NtpSession::restart() {
  run_ = std::make_unique<core::NtpRun>(scene_, sessionRunOptions(scene_));
  pendingSteps_ = 0;
  ++runRevision_;
  refreshEvaluation();
}

bool NtpSession::finished() const {
  return run_->stopped() || run_->iteration() >= scene_.iterations;
}

long long NtpSession::advance(double seconds) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(std::max(0.0, seconds));
  long long taken = 0;
  // Small chunks, so the budget is kept even in stage 2 (a step of a big scene is ~1 ms).
  constexpr long long kChunk = 16;
  while (!finished() && (pendingSteps_ > 0 || playing_) && Clock::now() < deadline) {
    const long long want = std::min(kChunk, scene_.iterations - run_->iteration());
    const long long k = run_->step(pendingSteps_ > 0 ? std::min(want, pendingSteps_) : want);
    if (pendingSteps_ > 0) pendingSteps_ -= std::min(pendingSteps_, k);
    taken += k;
    if (k == 0) break;
  }
  if (taken > 0) {
    if (finished()) run_->recordNow();
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (s > 0) stepsPerSecond_ = static_cast<double>(taken) / s;
    ++runRevision_;
    refreshEvaluation();
  }
  if (finished()) pendingSteps_ = 0;
  return taken;
}

void NtpSession::refreshEvaluation() {
  core::evaluateNtp(scene_, run_->params(), eval_);
  metrics_ = run_->metrics();
}

}  // namespace attnmd::gui
