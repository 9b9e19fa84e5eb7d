// A next-token prediction scene open in the app (docs/theory.md §10): the scene, its sentence edits with
// undo and redo, and the run that trains it. The NTP screen (app/gui/ntp/ntp_screen.h) reads it and
// submits edits; nothing here knows about ImGui, so the unit tests drive it headless.
//
// Training runs on the UI thread in slices of a time budget per frame (advance()): an NTP scene is small
// (tens of words, a few hundred sentences), a step costs microseconds, and the run never races the edits.
// An edit restarts the run from step 0 with the edited scene, as the attention scenes' edits do.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/ntp_run.h"

namespace attnmd::gui {

// Sentence edits, with absolute values (as the attention document's commands.h).
namespace ntpcmd {
struct SetSentence {  // replaces sentence `index` (its tokens and its next token)
  int index = 0;
  core::NtpSentence sentence;
};
struct AddSentence {
  core::NtpSentence sentence;
  int at = -1;  // insert position; -1 = append
};
struct RemoveSentence {
  int index = 0;
};
}  // namespace ntpcmd

using NtpCommand = std::variant<ntpcmd::SetSentence, ntpcmd::AddSentence, ntpcmd::RemoveSentence>;

// A short name for the Edit menu ("change sentence 3").
std::string describe(const NtpCommand& command);

// Validates and applies to `scene`. Returns "" or why it was refused, naming the field
// ("sentences[3].tokens[1]: token 9 is outside the vocabulary (K = 6)"); then `scene` is unchanged.
std::string applyNtpCommand(core::NtpScene& scene, const NtpCommand& command);

class NtpSession {
 public:
  // `path`: the file it was opened from ("" for a preset: Save needs a path then).
  explicit NtpSession(core::NtpScene scene, std::string path = {});

  const core::NtpScene& scene() const { return scene_; }
  const std::string& path() const { return path_; }

  // ---- edits: each applied edit is one undo entry holding the edit and its inverse (a sentence or an
  // index), never a copy of the scene.
  std::string apply(const NtpCommand& command);
  bool canUndo() const { return !undo_.empty(); }
  bool canRedo() const { return !redo_.empty(); }
  const std::string& undoName() const;  // "" when none
  const std::string& redoName() const;
  bool undo();
  bool redo();
  std::size_t undoDepth() const { return undo_.size(); }
  static constexpr std::size_t kMaxUndo = 1000;
  bool modified() const { return editId_ != savedEditId_; }
  // Writes the scene to `path` atomically (core's saveNtpScene) and marks it saved. "" or why not.
  std::string save(const std::string& path);

  // ---- training
  const core::NtpRun& run() const { return *run_; }
  // The evaluation of the current parameters (attention per sentence and position, logits, loss).
  const core::NtpEvaluation& evaluation() const { return eval_; }
  // The run's metrics at the current parameters (losses, corr, attention left), refreshed with the
  // evaluation when the run moves, not every frame.
  const core::NtpPoint& metrics() const { return metrics_; }
  // Increments whenever the run moves or restarts (plots and the heat map rebuild on it).
  std::uint64_t runRevision() const { return runRevision_; }
  void restart();  // step 0, same scene
  void setPlaying(bool on) { playing_ = on; }
  bool playing() const { return playing_ && !finished(); }
  // Steps to take regardless of playing (S, --steps). Counted down by advance().
  void requestSteps(long long k) { pendingSteps_ += k > 0 ? k : 0; }
  long long pendingSteps() const { return finished() ? 0 : pendingSteps_; }
  // The run reached the scene's iterations or stopped on a failed step (run().stopReason()).
  bool finished() const;
  // Takes steps for up to `seconds` (pending steps first, then while playing); returns how many.
  long long advance(double seconds);
  // Steps per second of the last advance() that took steps.
  double stepsPerSecond() const { return stepsPerSecond_; }

 private:
  struct Entry {
    std::string name;
    NtpCommand forward;
    NtpCommand inverse;
    std::uint64_t beforeId = 0, afterId = 0;
  };
  void install(std::uint64_t id);  // the scene changed: new edit id, restart the run
  void refreshEvaluation();

  core::NtpScene scene_;
  std::string path_;
  std::vector<Entry> undo_, redo_;
  std::uint64_t editId_ = 1, nextEditId_ = 2, savedEditId_ = 1;
  std::unique_ptr<core::NtpRun> run_;
  core::NtpEvaluation eval_;
  core::NtpPoint metrics_;
  std::uint64_t runRevision_ = 1;
  bool playing_ = false;
  long long pendingSteps_ = 0;
  double stepsPerSecond_ = 0;
};

}  // namespace attnmd::gui
