// Live theory: turns core state (a run snapshot, the SVM solvers of core/svm.h) into the plain
// CanvasOverlay the canvas and heat map draw. No math of its own: values come from core::Evaluation,
// directions from core::Params and AttentionSvm.
//
// The SVM is solved on a thread of its own, never on the UI thread: when the data, v, the model or the
// token choice changes, update() asks for a solve (warm-started from the previous solution) and keeps
// showing the previous SVM until the new one is there (a frame or two later; poll() says when). A
// newer request replaces one not yet started, so a drag solves for the latest position only. SVMs
// with more constraint rows than kMaxSvmRows are not solved (the Run's own limit), and say so.
// Synchronous mode (tests): update() solves at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "app/state/document.h"
#include "app/state/overlay.h"
#include "app/state/trainer.h"
#include "core/run.h"
#include "core/svm.h"

namespace attnmd::gui {

// The Run's row limit (core::RunOptions::svmMaxRows): above it neither the run nor the overlay solves.
inline constexpr long long kMaxSvmRows = core::RunOptions{}.svmMaxRows;

class LiveTheory {
 public:
  explicit LiveTheory(TrainerMode mode = TrainerMode::Threaded);
  ~LiveTheory();
  LiveTheory(const LiveTheory&) = delete;
  LiveTheory& operator=(const LiveTheory&) = delete;

  // Rebuilds the overlay for `scene` (revision `sceneRevision`: a new value means new data) at the
  // snapshot's parameters, with the SVM of the experiment's token choice. `hint` is shown on the canvas.
  const CanvasOverlay& update(const core::Scene& scene, std::uint64_t sceneRevision,
                              const Experiment& experiment, const TrainSnapshot& snap, std::string hint = {});
  // The document's scene (one run): update(doc.scene(), doc.sceneRevision(), doc.experiment(), ...).
  const CanvasOverlay& update(const Document& doc, const TrainSnapshot& snap, std::string hint = {});
  // True once after a solve finished that the overlay does not show yet (call update() again).
  bool poll();
  // True while the SVM shown is not the one of the current data and tokens (a solve is running).
  bool pending() const;
  // How long the running solve has taken so far, in seconds (0 when none runs): the status bar shows
  // long ones, which the user can cancel.
  double solvingSeconds() const;
  // The running solve's iterations so far and its latest residual (core::SvmProgress), for the same
  // status line; meaningful while solvingSeconds() > 0.
  long long solvingIterations() const { return progress_.iterations.load(std::memory_order_relaxed); }
  double solvingResidual() const { return progress_.residual.load(std::memory_order_relaxed); }
  // Stops the running solve (Esc in the app): its SVM shows as failed, "cancelled", until the data or
  // the tokens change.
  void cancel();
  // Blocks until no solve is running (tests, --steps/--exit); false on timeout.
  bool waitIdle(double timeoutSeconds);

  const CanvasOverlay& overlay() const { return overlay_; }
  // The SVM on display (null before the first update); its certificate for the status bar.
  const core::AttentionSvm* svm() const { return shown_.svm.get(); }
  double lastSolveMilliseconds() const { return lastSolveMs_; }
  int solves() const { return solves_; }  // how many times the SVM was solved (tests)

 private:
  // One solved SVM and what it was solved for.
  struct Solved {
    std::uint64_t sceneRevision = 0;
    std::vector<int> alpha;
    std::shared_ptr<const core::AttentionSvm> svm;
    std::vector<double> hardRows;  // per sequence: the SVM rows' right-hand side (1, or 0 when relaxed)
    double milliseconds = 0;
  };
  struct Request {
    std::shared_ptr<const core::Scene> scene;
    std::uint64_t sceneRevision = 0;
    std::vector<int> alpha;
    std::shared_ptr<const core::AttentionSvm> warm;
  };
  // `cancel`: set when a newer request makes this solve useless (or the app quits).
  static Solved solve(const Request& request, const std::atomic<bool>* cancel = nullptr,
                      core::SvmProgress* progress = nullptr);
  void work();

  TrainerMode mode_;
  Solved shown_;  // the SVM the overlay shows (possibly of older data while a solve runs)
  CanvasOverlay overlay_;
  double lastSolveMs_ = 0;
  int solves_ = 0;
  // Worker state, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::thread thread_;
  bool quit_ = false;
  bool solving_ = false;
  // Stops the running solve between two interior-point iterations: a newer request replaced it (a
  // drag of a big scene solves for the latest position, not every one), or the app quits.
  std::atomic<bool> cancelSolve_{false};
  core::SvmProgress progress_;                        // of the running solve, reset when one starts
  std::chrono::steady_clock::time_point solveStart_;  // of the running solve
  std::optional<Request> request_;                    // waiting to be solved
  std::optional<Solved> result_;                      // solved, not yet taken by update()
  std::uint64_t requestedRevision_ = 0;  // what was last asked for (not asked again while it runs)
  std::vector<int> requestedAlpha_;
  bool requested_ = false;
};

// Whether the displayed SVM is the relaxed prompt SVM (prompt model with v trained jointly, docs/theory.md
// §5).
bool relaxedFor(const core::Scene& scene);

// The token selection the experiment asks the SVM for (selected, optimal, or picked with the selected
// token where no pick was made).
std::vector<int> svmTokenChoice(const Experiment& experiment, const std::vector<int>& selected,
                                const std::vector<int>& optimal);

// Whether a sequence's attention has not picked a token yet: every token has the same score (to 1e-12
// relative), as at a zero init.
bool attentionTied(const Eigen::VectorXd& probs);

}  // namespace attnmd::gui
