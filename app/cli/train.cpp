// `attnmd-cli train`: load a scene, apply the command line's overrides, run core::Run, write
// DIR/metrics.csv and DIR/result.json (../shared/docs/scene-format.md "What attnmd-cli writes").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "app/cli/cli.h"
#include "app/cli/outputs.h"
#include "app/cli/progress.h"
#include "core/run.h"
#include "core/scene_io.h"

namespace attnmd::cli {
namespace {

// Ctrl-C stops the run between steps; what was trained so far is still written. A signal handler can
// only touch a lock-free atomic, hence this one namespace-scope flag.
std::atomic<bool> gInterrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onInterrupt(int) {
  gInterrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// Installs the handler for the duration of a run.
class InterruptGuard {
 public:
  InterruptGuard() {
    gInterrupted.store(false);
    previous_ = std::signal(SIGINT, onInterrupt);
  }
  ~InterruptGuard() { std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_)(int) = SIG_DFL;
};

// Maps a scene field changed by an override back to its flag, for error messages.
const char* flagOf(const std::string& validationError, const TrainOptions& o) {
  auto starts = [&](const char* field) { return validationError.rfind(field, 0) == 0; };
  if (o.p && starts("optimizer.p:")) return "--p";
  if (o.lr && starts("optimizer.lr:")) return "--lr";
  if (o.iterations && starts("iterations:")) return "--iters";
  if (o.optimizer && starts("optimizer.")) return "--optimizer";
  return nullptr;
}

// Applies the overrides; returns "" or the message (naming the flag and the file).
std::string applyOverrides(const TrainOptions& o, core::Scene& scene) {
  if (o.optimizer) {
    auto kind = core::enumFromName<core::OptimizerKind>(*o.optimizer);
    if (!kind) {
      std::string names;
      for (const auto& e : core::enumTable<core::OptimizerKind>())
        names += (names.empty() ? "" : ", ") + std::string(e.name);
      return "--optimizer: unknown optimizer \"" + *o.optimizer + "\" (expected one of " + names + ")";
    }
    scene.optimizer.name = *kind;
  }
  if (o.p) scene.optimizer.p = *o.p;
  if (o.lr) scene.optimizer.lr = *o.lr;
  if (o.iterations) scene.iterations = *o.iterations;
  if (o.seed) scene.seed = *o.seed;
  if (std::string problem = core::validateScene(scene); !problem.empty()) {
    if (const char* flag = flagOf(problem, o))
      return std::string(flag) + " (overriding " + problem.substr(0, problem.find(':')) + " of " +
             o.scenePath + "):" + problem.substr(problem.find(':') + 1);
    return o.scenePath + ":" + problem;
  }
  return {};
}

// The history's stored points plus the first (step 0) and last (final) steps, ascending.
std::vector<MetricsRow> collectRows(const core::Run& run, const MetricsRow& initial) {
  std::vector<MetricsRow> rows;
  const core::History& h = run.history();
  const auto& selections = h.selections();
  for (const core::MetricsPoint& p : h.points()) {
    MetricsRow r{p, {}};
    if (p.selection < selections.size()) r.selected = selections[p.selection];
    rows.push_back(std::move(r));
  }
  if (rows.empty() || rows.front().point.iter > 0) rows.insert(rows.begin(), initial);
  if (rows.back().point.iter < run.iteration()) {
    MetricsRow last{run.currentMetrics(), run.selectedTokens()};
    last.point.iter = run.iteration();
    rows.push_back(std::move(last));
  }
  return rows;
}

Json resultJson(const core::Run& run, const std::vector<MetricsRow>& rows, bool interrupted) {
  const core::Scene& scene = run.scene();
  Json j = Json::object();
  j["iterations"] = run.iteration();
  if (run.stopped()) {
    j["status"] = "stopped";
    j["reason"] = run.stopReason();
  } else if (interrupted) {
    j["status"] = "stopped";
    j["reason"] = "interrupted by the user (Ctrl-C) at step " + std::to_string(run.iteration());
  } else {
    j["status"] = "ok";
  }
  j["params"] = paramsJson(scene, run.params());
  j["v"] = vectorJson(run.params().v);
  const std::vector<int> selected = run.selectedTokens();
  j["selected"] = intsJson(selected);
  j["optimal"] = intsJson(run.optimalTokens());
  j["metrics"] = metricsJson(rows.back().point);

  // The SVM of the final selection in the geometry the run is compared with.
  const core::SvmNorm norm = core::svmNormFor(scene);
  const double p = core::svmPFor(scene);
  auto cached = run.selectedSvm();
  if (cached && cached->tokens == selected && cached->norm == norm) {
    j["svm"] = svmJson(scene, *cached);
  } else {
    j["svm"] = svmJson(scene, core::solveAttentionSvm(scene, selected, norm, p));
  }
  if (scene.model.trainV) {
    j["v_svm"] = vSvmJson(core::solveVSvm(scene, selected, p));
    // math.md §5/§8.5: with v trained, the prompt converges to the relaxed prompt SVM.
    if (scene.model.kind == core::ModelKind::Prompt)
      j["svm_relaxed"] = svmJson(scene, core::solveRelaxedPromptSvm(scene, selected, p));
  }
  // Provenance beyond the contract: the optimizer and seed actually used (after command-line overrides).
  j["optimizer"] = Json::object(
      {{"name", core::enumName(scene.optimizer.name)}, {"p", scene.optimizer.p}, {"lr", scene.optimizer.lr}});
  j["seed"] = scene.seed;
  return j;
}

}  // namespace

int runTrain(const TrainOptions& o, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  core::SceneLoadResult loaded = loadSceneArgument(o.scenePath);
  if (!loaded.ok()) {
    err << loaded.error() << '\n';
    return kExitBadInput;
  }
  core::Scene scene = std::move(loaded.scene());
  if (std::string problem = applyOverrides(o, scene); !problem.empty()) {
    err << problem << '\n';
    return kExitBadInput;
  }
  if (o.outDir.empty()) {
    err << "--out: an output folder is required\n";
    return kExitBadInput;
  }
  {
    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec || !fs::is_directory(o.outDir)) {
      err << "--out: cannot create the folder \"" << o.outDir
          << "\": " << (ec ? ec.message() : "not a folder") << '\n';
      return kExitBadInput;
    }
  }

  const long long total = scene.iterations;
  core::Run run(std::make_shared<const core::Scene>(std::move(scene)));
  MetricsRow initial{run.currentMetrics(), run.selectedTokens()};
  initial.point.iter = 0;

  const auto start = std::chrono::steady_clock::now();
  bool interrupted = false;
  {
    InterruptGuard guard;
    ProgressBar bar(err, total, o.progress);
    // Chunks of about 50 ms keep the bar live without costing the hot loop anything.
    long long chunk = 256;
    while (run.iteration() < total && !run.stopped()) {
      const auto t0 = std::chrono::steady_clock::now();
      const long long want = std::min(chunk, total - run.iteration());
      const long long took = run.step(want, &gInterrupted);
      bar.update(run.iteration());
      if (gInterrupted.load()) {
        interrupted = true;
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
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::vector<MetricsRow> rows = collectRows(run, initial);
  const fs::path dir(o.outDir);
  const std::string csvPath = (dir / "metrics.csv").string(), resultPath = (dir / "result.json").string();
  if (std::string e = core::writeFileAtomic(csvPath, metricsCsv(rows)); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  if (std::string e = core::writeFileAtomic(resultPath, jsonText(resultJson(run, rows, interrupted)));
      !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }

  if (run.stopped()) {
    err << o.scenePath << ": the run stopped at step " << run.iteration() << ": " << run.stopReason() << '\n';
    return kExitNumericalFailure;
  }
  if (interrupted) {
    err << "interrupted at step " << run.iteration() << "; results so far are in " << o.outDir << '\n';
    return kExitInterrupted;
  }
  if (!o.quiet) {
    const core::MetricsPoint& m = rows.back().point;
    char line[256];
    std::snprintf(line, sizeof line, "in %.3g s (loss %.6g, min selected prob %.6g, corr %.6g)", seconds,
                  m.loss, m.minSelectedProb, m.corr);
    out << "trained " << groupThousands(run.iteration()) << " steps " << line << "\n"
        << "wrote " << csvPath << " (" << rows.size() << " rows) and " << resultPath << '\n';
  }
  return kExitOk;
}

}  // namespace attnmd::cli
