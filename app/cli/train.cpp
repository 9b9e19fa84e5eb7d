// `attnmd-cli train`: load a scene, apply the command line's overrides, train it, write
// DIR/metrics.csv and DIR/result.json (docs/scene-format.md "What attnmd-cli writes").
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "app/cli/cli.h"
#include "app/cli/ntp_commands.h"
#include "app/cli/progress.h"
#include "app/cli/training.h"
#include "core/run.h"
#include "core/scene_io.h"

namespace attnmd::cli {
namespace {

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
      for (const auto& e : core::enumTable<core::OptimizerKind>()) {
        if (!names.empty()) names += ", ";
        names += e.name;
      }
      return "--optimizer: unknown optimizer \"" + *o.optimizer + "\" (expected one of " + names + ")";
    }
    scene.optimizer.name = *kind;
  }
  if (o.p) scene.optimizer.p = *o.p;
  if (o.lr) scene.optimizer.lr = *o.lr;
  if (o.iterations) scene.iterations = *o.iterations;
  if (o.seed) scene.seed = *o.seed;
  if (std::string problem = core::validateScene(scene); !problem.empty()) {
    const std::size_t colon = problem.find(':');
    if (const char* flag = flagOf(problem, o))
      return std::string(flag) + " (overriding " + problem.substr(0, colon) + " of " + o.scenePath +
             "):" + problem.substr(colon + 1);
    return o.scenePath + ":" + problem;
  }
  return {};
}

}  // namespace

int runTrain(const TrainOptions& o, std::ostream& out, std::ostream& err) {
  core::AnySceneLoadResult loaded = loadAnySceneArgument(o.scenePath);
  if (!loaded.ok()) {
    err << loaded.error() << '\n';
    return kExitBadInput;
  }
  if (loaded.isNtp()) return runTrainNtp(o, std::move(loaded.ntpScene()), out, err);
  core::Scene scene = std::move(loaded.scene());
  if (std::string problem = applyOverrides(o, scene); !problem.empty()) {
    err << problem << '\n';
    return kExitBadInput;
  }
  if (o.p && scene.optimizer.name != core::OptimizerKind::MD &&
      scene.optimizer.name != core::OptimizerKind::NMD)
    err << "note: --p only changes md and nmd; " << core::enumName(scene.optimizer.name)
        << " trains and is compared in l_2\n";
  if (o.outDir.empty()) {
    err << "--out: an output folder is required\n";
    return kExitBadInput;
  }
  if (std::string e = createOutputFolder(o.outDir); !e.empty()) {  // fail before training, not after
    err << "--out: " << e << '\n';
    return kExitBadInput;
  }

  // Training is O(n T d^2) a step and fine at any size the file holds; the SVM is not (result.json then
  // says "skipped" with this reason).
  if (std::string tooLarge = core::attentionSvmSizeProblem(scene, core::svmNormFor(scene)); !tooLarge.empty())
    err << "note: the SVM is not solved (result.json says so): " << tooLarge << '\n';
  const TrainedRun trained =
      trainScene(std::make_shared<const core::Scene>(std::move(scene)), o.progress, err);
  if (std::string e = writeRunFiles(o.outDir, trained); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }

  const core::Run& run = *trained.run;
  if (run.stopped()) {
    err << o.scenePath << ": the run stopped at step " << run.iteration() << ": " << run.stopReason() << '\n';
    return kExitNumericalFailure;
  }
  if (trained.interrupted) {
    err << "interrupted at step " << run.iteration() << "; results so far are in " << o.outDir << '\n';
    return kExitInterrupted;
  }
  if (!o.quiet) {
    const core::MetricsPoint& m = trained.rows.back().point;
    char line[256];
    std::snprintf(line, sizeof line, "in %.3g s (loss %.6g, min selected prob %.6g, corr %.6g)",
                  trained.seconds, m.loss, m.minSelectedProb, m.corr);
    const std::filesystem::path dir(o.outDir);
    out << "trained " << groupThousands(run.iteration()) << " steps " << line << "\n"
        << "wrote " << (dir / "metrics.csv").string() << " (" << trained.rows.size() << " rows) and "
        << (dir / "result.json").string() << '\n';
  }
  return kExitOk;
}

}  // namespace attnmd::cli
