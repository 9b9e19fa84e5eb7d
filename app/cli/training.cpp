// Training one scene for the CLI: the step loop (progress bar, Ctrl-C), the rows of metrics.csv and
// result.json (docs/scene-format.md "What attnmd-cli writes").
#include "app/cli/training.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <ostream>

#include "app/cli/progress.h"
#include "core/scene_io.h"

namespace attnmd::cli {
namespace {

// A signal handler can only touch a lock-free atomic, hence this one namespace-scope flag.
std::atomic<bool> gInterrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onInterrupt(int) {
  gInterrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// The history's stored points plus the first (step 0) and last (final) steps, ascending.
std::vector<MetricsRow> collectRows(const core::Run& run, const MetricsRow& initial) {
  const core::History& h = run.history();
  std::vector<MetricsRow> rows = plot::metricsRows(h.points(), h.selections());
  if (rows.empty() || rows.front().point.iter > 0) rows.insert(rows.begin(), initial);
  if (rows.back().point.iter < run.iteration()) {
    MetricsRow last{run.currentMetrics(), run.selectedTokens()};
    last.point.iter = run.iteration();
    rows.push_back(std::move(last));
  }
  return rows;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  gInterrupted.store(false);
  previous_ = std::signal(SIGINT, onInterrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
}

const std::atomic<bool>& InterruptGuard::flag() const {
  return gInterrupted;
}

TrainedRun trainScene(std::shared_ptr<const core::Scene> scene, bool progress, std::ostream& err) {
  TrainedRun t;
  const long long total = scene->iterations;
  core::Run& run = t.run.emplace(std::move(scene));
  MetricsRow initial{run.currentMetrics(), run.selectedTokens()};
  initial.point.iter = 0;

  const auto start = std::chrono::steady_clock::now();
  {
    InterruptGuard guard;
    ProgressBar bar(err, total, progress);
    // Chunks of about 25-100 ms keep the bar live without costing the hot loop anything.
    long long chunk = 256;
    while (run.iteration() < total && !run.stopped()) {
      const auto t0 = std::chrono::steady_clock::now();
      const long long want = std::min(chunk, total - run.iteration());
      const long long took = run.step(want, &gInterrupted);
      bar.update(run.iteration());
      if (gInterrupted.load()) {
        t.interrupted = true;
        break;
      }
      if (took < want) break;  // stopped
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (ms < 25) chunk = std::min<long long>(chunk * 2, 1 << 22);
      if (ms > 100 && chunk > 1) chunk /= 2;
    }
    bar.finish();
  }
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.rows = collectRows(run, initial);
  return t;
}

Json resultJson(const TrainedRun& trained) {
  const core::Run& run = *trained.run;
  const core::Scene& scene = run.scene();
  Json j = Json::object();
  j["iterations"] = run.iteration();
  setRunStatus(j, run.stopReason(), trained.interrupted, run.iteration());
  j["params"] = paramsJson(scene, run.params());
  j["v"] = vectorJson(run.params().v);
  const std::vector<int> selected = run.selectedTokens();
  j["selected"] = intsJson(selected);
  j["optimal"] = intsJson(run.optimalTokens());
  j["metrics"] = metricsJson(trained.rows.back().point);

  // The SVM of the final selection in the geometry the run is compared with.
  const core::SvmNorm norm = core::svmNormFor(scene);
  const double p = core::svmPFor(scene);
  auto cached = run.selectedSvm();
  if (cached && cached->tokens == selected && cached->norm == norm && cached->p == p) {
    j["svm"] = svmJson(scene, *cached);
  } else {
    j["svm"] = svmJson(scene, core::solveAttentionSvm(scene, selected, norm, p));
  }
  if (scene.model.trainV) {
    j["v_svm"] = vSvmJson(core::solveVSvm(scene, selected, p));
    // docs/theory.md §5/§8.5: with v trained, the prompt converges to the relaxed prompt SVM.
    if (scene.model.kind == core::ModelKind::Prompt)
      j["svm_relaxed"] = svmJson(scene, core::solveRelaxedPromptSvm(scene, selected, p));
  }
  // Provenance beyond the contract: the optimizer and seed actually used (after command-line overrides).
  j["optimizer"] = Json::object(
      {{"name", core::enumName(scene.optimizer.name)}, {"p", scene.optimizer.p}, {"lr", scene.optimizer.lr}});
  j["seed"] = scene.seed;
  j["seconds"] = trained.seconds;
  return j;
}

std::string writeRunFiles(const std::string& dir, const TrainedRun& trained) {
  namespace fs = std::filesystem;
  if (std::string e = createOutputFolder(dir); !e.empty()) return e;
  if (std::string e = writeOutputFile((fs::path(dir) / "metrics.csv").string(), metricsCsv(trained.rows));
      !e.empty())
    return e;
  return writeOutputFile((fs::path(dir) / "result.json").string(), jsonText(resultJson(trained)));
}

}  // namespace attnmd::cli
