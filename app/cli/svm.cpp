// `attnmd-cli svm`: the attention SVM (docs/theory.md §5) of a scene for a token selection, as one `svm`
// object (docs/scene-format.md).
#include <chrono>
#include <future>
#include <ostream>

#include "app/cli/cli.h"
#include "app/cli/ntp_commands.h"
#include "app/cli/outputs.h"
#include "app/cli/training.h"
#include "core/run.h"
#include "core/scene_io.h"

namespace attnmd::cli {

int runSvm(const SvmCommandOptions& o, std::ostream& out, std::ostream& err) {
  core::AnySceneLoadResult loaded = loadAnySceneArgument(o.scenePath);
  if (!loaded.ok()) {
    err << loaded.error() << '\n';
    return kExitBadInput;
  }
  if (loaded.isNtp()) return runSvmNtp(o, loaded.ntpScene(), out, err);
  const core::Scene& scene = loaded.scene();

  core::SvmNorm norm = core::svmNormFor(scene);
  if (o.norm) {
    auto parsed = core::enumFromName<core::SvmNorm>(*o.norm);
    if (!parsed) {
      err << "--norm: unknown norm \"" << *o.norm << "\" (expected lp or nuclear)\n";
      return kExitBadInput;
    }
    norm = *parsed;
  }
  if (norm == core::SvmNorm::Nuclear && scene.model.kind == core::ModelKind::Prompt) {
    err << "--norm nuclear: needs a matrix parameter (query or kq model); " << o.scenePath
        << ":model.kind is \"prompt\"\n";
    return kExitBadInput;
  }
  const double p = o.p ? *o.p : core::svmPFor(scene);
  if (!(p > 1 && p <= 20)) {
    err << "--p: must be in (1, 20], got " << core::formatDouble(p) << '\n';
    return kExitBadInput;
  }

  // Ahead of time, before the selection is computed: an SVM over the size limits is refused, never
  // attempted (its dense matrices alone could exhaust memory).
  if (std::string tooLarge = core::attentionSvmSizeProblem(scene, norm); !tooLarge.empty()) {
    err << o.scenePath << ": the SVM is too large to solve: " << tooLarge << '\n';
    return kExitBadInput;
  }

  std::vector<int> alpha;
  if (o.tokens == "selected" || o.tokens == "optimal") {
    // The tokens the scene's own initialization selects (or the optimal ones): no training, no history.
    core::RunOptions quiet;
    quiet.history = false;
    quiet.svmMetrics = false;
    const core::Run atInit(scene, quiet);
    alpha = o.tokens == "selected" ? atInit.selectedTokens() : atInit.optimalTokens();
  } else {
    auto list = parseTokenList(o.tokens);
    if (!list) {
      err << "--tokens: expected selected, optimal or a comma-separated list of token indices, got \""
          << o.tokens << "\"\n";
      return kExitBadInput;
    }
    if (list->size() != scene.sequences.size()) {
      err << "--tokens: got " << list->size() << (list->size() == 1 ? " index" : " indices") << " but "
          << o.scenePath << " has " << scene.sequences.size()
          << (scene.sequences.size() == 1 ? " sequence" : " sequences") << "; give one index per sequence\n";
      return kExitBadInput;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto T = scene.sequences[i].tokens.rows();
      if ((*list)[i] >= T) {
        err << "--tokens: index " << (*list)[i] << " for sequence " << i << " is out of range ("
            << o.scenePath << ":sequences[" << i << "] has " << T << " tokens, 0-based)\n";
        return kExitBadInput;
      }
    }
    alpha = std::move(*list);
  }

  // Ctrl-C stops the solve between two interior-point iterations (exit 130, nothing printed); the
  // size limits keep a solve to about a minute at most, which is long enough to want to stop it.
  InterruptGuard interrupt;
  core::SvmProgress progress;
  auto solve = [&] {
    return core::solveAttentionSvm(scene, alpha, norm, p, nullptr, &interrupt.flag(), &progress);
  };
  core::AttentionSvm svm;
  if (o.progress) {
    // On a terminal the solve runs beside a line that says, twice a second, how far it has got.
    const std::string name = std::string("the ") + core::enumName(norm) + " SVM";
    err << "solving " << name << " (Ctrl-C cancels) ..." << std::flush;
    const auto start = std::chrono::steady_clock::now();
    auto solving = std::async(std::launch::async, solve);
    while (solving.wait_for(std::chrono::milliseconds(500)) != std::future_status::ready) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      err << "\r\033[K" << name << ": "
          << core::svmProgressText(seconds, progress.iterations.load(), progress.residual.load())
          << " (Ctrl-C cancels)" << std::flush;
    }
    svm = solving.get();
    err << "\r\033[K" << name << ": done\n";
  } else {
    svm = solve();
  }
  if (interrupt.flag().load()) {
    err << o.scenePath << ": the SVM solve was cancelled (Ctrl-C)\n";
    return kExitInterrupted;
  }
  out << jsonText(svmJson(scene, svm));
  if (svm.solution.status == core::SvmStatus::Failed) {
    err << o.scenePath << ": the SVM solver failed: " << svm.solution.reason << '\n';
    return kExitNumericalFailure;
  }
  return kExitOk;
}

}  // namespace attnmd::cli
