// attnmd-cli on next-token prediction scenes: train, svm and figure (docs/scene-format.md "NTP scenes").
#include "app/cli/ntp_commands.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <ostream>

#include "app/cli/progress.h"
#include "app/cli/training.h"
#include "app/plot/csv.h"
#include "app/plot/format.h"
#include "app/plot/ntp_plots.h"
#include "app/plot/svg.h"
#include "core/scene_io.h"

namespace attnmd::cli {

namespace fs = std::filesystem;

core::AnySceneLoadResult loadAnySceneArgument(const std::string& path) {
  if (path != "-") return core::loadAnyScene(path);
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return core::parseAnyScene(text, "<stdin>");
}

// =====================================================================================================
// Training
// =====================================================================================================

TrainedNtpRun trainNtpScene(const core::NtpScene& scene, bool progress, std::ostream& err) {
  TrainedNtpRun t;
  const long long total = scene.iterations;
  core::NtpRunOptions options;
  options.plannedSteps = total;
  core::NtpRun& run = t.run.emplace(scene, options);
  const auto start = std::chrono::steady_clock::now();
  {
    InterruptGuard guard;
    ProgressBar bar(err, total, progress);
    while (run.iteration() < total && !run.stopped()) {
      const long long want = std::min<long long>(1024, total - run.iteration());
      const long long took = run.step(want, &guard.flag());
      bar.update(run.iteration());
      if (guard.flag().load()) {
        t.interrupted = true;
        break;
      }
      if (took < want) break;  // stopped
    }
    bar.finish();
  }
  run.recordNow();
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return t;
}

// =====================================================================================================
// metrics.csv and result.json
// =====================================================================================================

namespace {

struct NtpColumn {
  const char* name;
  double core::NtpPoint::*field;
};

// The required columns first (docs/scene-format.md), then the NTP ones.
constexpr NtpColumn kNtpColumns[] = {
    {"loss", &core::NtpPoint::loss},
    {"norm_p", &core::NtpPoint::normKq},
    {"corr", &core::NtpPoint::corrKq},
    {"bregman", &core::NtpPoint::bregmanKq},
    {"min_selected_prob", &core::NtpPoint::minOptimalAttention},
    {"log10_max_unselected_mass", &core::NtpPoint::log10MaxNonOptimal},
    {"margin", &core::NtpPoint::marginKq},
    {"accuracy", &core::NtpPoint::accuracy},
    {"corr_ov", &core::NtpPoint::corrOv},
    {"corr_kq", &core::NtpPoint::corrKq},
    {"bregman_ov", &core::NtpPoint::bregmanOv},
    {"bregman_kq", &core::NtpPoint::bregmanKq},
    {"log10_loss", &core::NtpPoint::log10Loss},
    {"loss_sentences", &core::NtpPoint::sentenceLoss},
    {"log10_loss_sentences", &core::NtpPoint::log10SentenceLoss},
    {"loss_collocation", &core::NtpPoint::collocationLoss},
    {"log10_loss_collocation", &core::NtpPoint::log10CollocationLoss},
    {"norm_ov", &core::NtpPoint::normOv},
    {"margin_ov", &core::NtpPoint::marginOv},
    {"step_size", &core::NtpPoint::stepSize},
};
constexpr std::size_t kRequiredBeforeStage = 8;  // "stage" follows the required columns

}  // namespace

std::vector<std::string> ntpMetricsColumns() {
  std::vector<std::string> names{"iter"};
  for (std::size_t k = 0; k < std::size(kNtpColumns); ++k) {
    if (k == kRequiredBeforeStage) names.emplace_back("stage");
    names.emplace_back(kNtpColumns[k].name);
  }
  return names;
}

std::string ntpMetricsCsv(const std::vector<core::NtpPoint>& points) {
  // Appended piece by piece ("," + std::string trips GCC 12's false -Wrestrict warning).
  std::string csv;
  for (const std::string& name : ntpMetricsColumns()) {
    if (!csv.empty()) csv += ',';
    csv += name;
  }
  csv += '\n';
  for (const core::NtpPoint& p : points) {
    csv += std::to_string(p.iter);
    for (std::size_t k = 0; k < std::size(kNtpColumns); ++k) {
      if (k == kRequiredBeforeStage) {
        csv += ',';
        csv += std::to_string(p.stage);
      }
      csv += ',';
      csv += plot::formatCsv(p.*kNtpColumns[k].field);
    }
    csv += '\n';
  }
  return csv;
}

Json ntpMetricsJson(const core::NtpPoint& p) {
  Json j = Json::object();
  j["iter"] = p.iter;
  for (std::size_t k = 0; k < std::size(kNtpColumns); ++k) {
    if (k == kRequiredBeforeStage) j["stage"] = p.stage;
    j[kNtpColumns[k].name] = numberJson(p.*kNtpColumns[k].field);
  }
  return j;
}

namespace {

Json solutionFields(Json j, const core::SvmSolution& s) {
  j["value"] = numberJson(s.value);
  j["gap"] = numberJson(s.gap);
  j["violation"] = numberJson(s.violation);
  j["dual_value"] = numberJson(s.dualValue);
  j["iterations"] = s.iterations;
  return j;
}

}  // namespace

Json ntpKqSvmJson(const core::NtpScene& scene, const core::NtpAnalysis& analysis, const core::NtpKqSvm& svm) {
  const core::SvmSolution& s = svm.solution;
  Json j = Json::object();
  j["status"] = core::svmStatusName(s.status);
  if (s.status != core::SvmStatus::Optimal && !s.reason.empty()) j["reason"] = s.reason;
  j["norm"] = "lp";
  j["p"] = svm.p;
  // Each sentence's optimal position (its first occurrence of the optimal token; -1: none).
  Json tokens = Json::array();
  for (int i = 0; i < scene.sentenceCount(); ++i) {
    const auto& sen = scene.sentences[static_cast<std::size_t>(i)];
    const int o = analysis.sentences[static_cast<std::size_t>(i)].optimalToken;
    const auto it = std::find(sen.tokens.begin(), sen.tokens.end(), o);
    tokens.push_back(o < 0 || it == sen.tokens.end() ? -1 : static_cast<int>(it - sen.tokens.begin()));
  }
  j["tokens"] = std::move(tokens);
  j["optimal_tokens"] = [&] {
    Json ids = Json::array();
    for (const core::NtpSentenceInfo& info : analysis.sentences) ids.push_back(info.optimalToken);
    return ids;
  }();
  if (s.status == core::SvmStatus::Optimal) {
    j["solution"] = Json::object({{"W_kq", matrixJson(svm.W)}});
    j = solutionFields(std::move(j), s);
    Json active = Json::array();  // [query, winner, loser] of each tight row
    for (int k : s.active) {
      const core::NtpPreference& r = svm.rows[static_cast<std::size_t>(k)];
      active.push_back(Json::array({svm.queries[static_cast<std::size_t>(k)], r.winner, r.loser}));
    }
    j["active"] = std::move(active);
  }
  return j;
}

Json ntpOvSvmJson(const core::NtpOvSvm& svm) {
  const core::SvmSolution& s = svm.solution;
  Json j = Json::object();
  j["status"] = core::svmStatusName(s.status);
  if (s.status != core::SvmStatus::Optimal && !s.reason.empty()) j["reason"] = s.reason;
  j["norm"] = "lp";
  j["p"] = svm.p;
  if (s.status == core::SvmStatus::Optimal) {
    j["solution"] = Json::object({{"W_ov", matrixJson(svm.W)}});
    j = solutionFields(std::move(j), s);
    Json active = Json::array();  // [collocation index, competing class] of each tight row
    for (int k : s.active) {
      const auto& [pair, c] = svm.rows[static_cast<std::size_t>(k)];
      active.push_back(Json::array({pair, c}));
    }
    j["active"] = std::move(active);
  }
  return j;
}

Json ntpResultJson(const TrainedNtpRun& trained) {
  const core::NtpRun& run = *trained.run;
  const core::NtpScene& scene = run.scene();
  Json j = Json::object();
  j["iterations"] = run.iteration();
  setRunStatus(j, run.stopReason(), trained.interrupted, run.iteration());
  j["model"] = "ntp";
  j["schedule"] = core::ntpScheduleName(scene.schedule);
  if (scene.schedule == core::NtpSchedule::TwoStage) j["stage1_iterations"] = scene.stage1Iterations;
  j["params"] =
      Json::object({{"W_ov", matrixJson(run.params().Wov)}, {"W_kq", matrixJson(run.params().Wkq)}});
  j["realizable"] = run.analysis().realizable;
  Json warnings = Json::array();
  for (const std::string& w : run.analysis().warnings) warnings.push_back(w);
  j["warnings"] = std::move(warnings);
  j["metrics"] = ntpMetricsJson(run.history().empty() ? run.metrics() : run.history().back());
  j["svm"] = ntpKqSvmJson(scene, run.analysis(), run.kqSvm());
  j["ov_svm"] = ntpOvSvmJson(run.ovSvm());
  j["optimizer"] = Json::object(
      {{"name", core::enumName(scene.optimizer.name)}, {"p", scene.optimizer.p}, {"lr", scene.optimizer.lr}});
  j["seed"] = scene.seed;
  j["seconds"] = trained.seconds;
  return j;
}

// =====================================================================================================
// The figure
// =====================================================================================================

// =====================================================================================================
// The commands
// =====================================================================================================

namespace {

// Applies train's overrides to an NTP scene; "" or the message.
std::string applyNtpOverrides(const TrainOptions& o, core::NtpScene& scene) {
  if (o.optimizer) {
    auto kind = core::enumFromName<core::OptimizerKind>(*o.optimizer);
    if (!kind) return "--optimizer: unknown optimizer \"" + *o.optimizer + "\"";
    scene.optimizer.name = *kind;
  }
  if (o.p) scene.optimizer.p = *o.p;
  if (o.lr) scene.optimizer.lr = *o.lr;
  if (o.iterations) scene.iterations = *o.iterations;
  if (o.seed) scene.seed = *o.seed;
  if (std::string problem = core::validateNtpScene(scene); !problem.empty())
    return o.scenePath + ":" + problem;
  return {};
}

std::string writeNtpRunFiles(const std::string& dir, const TrainedNtpRun& t) {
  if (std::string e =
          writeOutputFile((fs::path(dir) / "metrics.csv").string(), ntpMetricsCsv(t.run->history()));
      !e.empty())
    return e;
  return writeOutputFile((fs::path(dir) / "result.json").string(), jsonText(ntpResultJson(t)));
}

void warnAboutData(const core::NtpRun& run, const std::string& source, std::ostream& err) {
  for (const std::string& w : run.analysis().warnings) err << source << ": warning: " << w << '\n';
}

}  // namespace

int runTrainNtp(const TrainOptions& o, core::NtpScene scene, std::ostream& out, std::ostream& err) {
  if (std::string problem = applyNtpOverrides(o, scene); !problem.empty()) {
    err << problem << '\n';
    return kExitBadInput;
  }
  if (o.outDir.empty()) {
    err << "--out: an output folder is required\n";
    return kExitBadInput;
  }
  if (std::string e = createOutputFolder(o.outDir); !e.empty()) {
    err << "--out: " << e << '\n';
    return kExitBadInput;
  }
  const TrainedNtpRun t = trainNtpScene(scene, o.progress, err);
  const core::NtpRun& run = *t.run;
  warnAboutData(run, o.scenePath, err);
  if (std::string e = writeNtpRunFiles(o.outDir, t); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  if (run.stopped()) {
    err << o.scenePath << ": the run stopped at step " << run.iteration() << ": " << run.stopReason() << '\n';
    return kExitNumericalFailure;
  }
  if (t.interrupted) {
    err << "interrupted at step " << run.iteration() << "; results so far are in " << o.outDir << '\n';
    return kExitInterrupted;
  }
  if (!o.quiet) {
    const core::NtpPoint& m = run.history().back();
    char line[256];
    std::snprintf(line, sizeof line, "in %.3g s (loss %.6g, corr_ov %.6g, corr_kq %.6g)", t.seconds, m.loss,
                  m.corrOv, m.corrKq);
    out << "trained " << groupThousands(run.iteration()) << " steps " << line << "\n"
        << "wrote " << (fs::path(o.outDir) / "metrics.csv").string() << " (" << run.history().size()
        << " rows) and " << (fs::path(o.outDir) / "result.json").string() << '\n';
  }
  return kExitOk;
}

int runSvmNtp(const SvmCommandOptions& o, const core::NtpScene& scene, std::ostream& out, std::ostream& err) {
  if (o.norm && *o.norm != "lp") {
    err << "--norm: an NTP scene's SVMs are l_p problems; got \"" << *o.norm << "\"\n";
    return kExitBadInput;
  }
  if (o.tokens != "selected" && o.tokens != "optimal") {
    err << "--tokens: an NTP scene's SVM always uses each sentence's optimal token; got \"" << o.tokens
        << "\"\n";
    return kExitBadInput;
  }
  const double p = o.p ? *o.p : core::ntpSvmP(scene);
  if (!(p > 1 && p <= 20)) {
    err << "--p: must be in (1, 20], got " << core::formatDouble(p) << '\n';
    return kExitBadInput;
  }
  const core::NtpAnalysis analysis = core::analyzeNtp(scene);
  for (const std::string& w : analysis.warnings) err << o.scenePath << ": warning: " << w << '\n';
  const core::NtpKqSvm kq = core::solveNtpKqSvm(scene, analysis, p);
  const core::NtpOvSvm ov = core::solveNtpOvSvm(scene, p);
  Json j = Json::object();
  j["svm"] = ntpKqSvmJson(scene, analysis, kq);
  j["ov_svm"] = ntpOvSvmJson(ov);
  out << jsonText(j);
  for (const auto* s : {&kq.solution, &ov.solution})
    if (s->status == core::SvmStatus::Failed) {
      err << o.scenePath << ": the SVM solver failed: " << s->reason << '\n';
      return kExitNumericalFailure;
    }
  return kExitOk;
}

int runFigureNtp(const FigureOptions& o, core::NtpScene scene, std::ostream& out, std::ostream& err) {
  if (o.iterations) {
    if (*o.iterations < 0 || *o.iterations > core::kMaxIterations) {
      err << "--iters: must be in [0, " << core::kMaxIterations << "], got " << *o.iterations << "\n";
      return kExitBadInput;
    }
    scene.iterations = *o.iterations;
    if (std::string problem = core::validateNtpScene(scene); !problem.empty()) {
      err << "--iters (overriding iterations of " << o.scenePaths.front() << "): " << problem << '\n';
      return kExitBadInput;
    }
  }
  if (std::string e = createOutputFolder(o.outDir); !e.empty()) {
    err << "--out: " << e << '\n';
    return kExitBadInput;
  }
  const TrainedNtpRun t = trainNtpScene(scene, o.progress, err);
  const core::NtpRun& run = *t.run;
  warnAboutData(run, o.scenePaths.front(), err);
  if (std::string e = writeNtpRunFiles(o.outDir, t); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  // Always a linear iteration axis: the claim to see is a straight line per stage on it (--x-scale
  // applies to attention scenes).
  const plot::Figure figure =
      plot::ntpFigure(run.scene(), run.history(), run.iteration(), plot::AxisScale::Linear);
  std::vector<std::string> written;
  if (std::string e = writeFigureFiles(o.outDir, figure, written); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  if (!o.quiet) {
    out << "wrote";
    for (const std::string& w : written) out << ' ' << w;
    out << " plots.csv metrics.csv result.json in " << o.outDir << '\n';
  }
  if (run.stopped()) {
    err << o.scenePaths.front() << ": the run stopped at step " << run.iteration() << ": " << run.stopReason()
        << '\n';
    return kExitNumericalFailure;
  }
  return t.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace attnmd::cli
