// Training one scene for the CLI (train and figure share it): progress bar, Ctrl-C, the metrics rows
// and result.json of docs/scene-format.md.
#pragma once

#include <atomic>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/outputs.h"
#include "core/run.h"

namespace attnmd::cli {

// Ctrl-C stops a run between steps; what was trained so far is still written. While a guard lives,
// SIGINT sets flag() (pass it to Run::step as the cancel flag); a second Ctrl-C ends the process.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  const std::atomic<bool>& flag() const;

 private:
  void (*previous_)(int) = nullptr;
};

struct TrainedRun {
  std::optional<core::Run> run;  // always set after trainScene
  std::vector<MetricsRow> rows;  // step 0, the stored steps, the final step; ascending
  bool interrupted = false;      // Ctrl-C
  double seconds = 0;            // wall time of the steps
};

// Runs scene.iterations steps (stops early on a numerical failure or Ctrl-C). `progress`: draw the bar
// on `err` if the run takes more than a second.
TrainedRun trainScene(std::shared_ptr<const core::Scene> scene, bool progress, std::ostream& err);

// result.json of a trained run.
Json resultJson(const TrainedRun& trained);

// Writes DIR/metrics.csv and DIR/result.json (atomically). Returns "" or the error message.
std::string writeRunFiles(const std::string& dir, const TrainedRun& trained);

}  // namespace attnmd::cli
