// attnmd-cli on next-token prediction scenes (docs/scene-format.md "NTP scenes"): train, svm, figure
// and generate take an NTP scene wherever they take an attention scene; these are their NTP halves,
// and what they write (metrics.csv with the stage and both corr columns, result.json with params,
// svm and ov_svm), as pure functions so tests check them directly.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "app/cli/outputs.h"
#include "app/plot/figure.h"
#include "core/ntp_run.h"

namespace attnmd::cli {

// Loads the SCENE argument ("-" for standard input) of either kind.
core::AnySceneLoadResult loadAnySceneArgument(const std::string& path);

// A trained NTP run and what the CLI writes of it.
struct TrainedNtpRun {
  std::optional<core::NtpRun> run;
  bool interrupted = false;
  double seconds = 0;
};
TrainedNtpRun trainNtpScene(const core::NtpScene& scene, bool progress, std::ostream& err);

// The columns of metrics.csv for NTP runs: the nine required ones (loss, norm_p, corr, bregman, margin
// and the attention columns describe W_kq and its SVM), then stage, corr_ov, corr_kq and the rest.
std::vector<std::string> ntpMetricsColumns();
std::string ntpMetricsCsv(const std::vector<core::NtpPoint>& points);
Json ntpMetricsJson(const core::NtpPoint& point);
Json ntpKqSvmJson(const core::NtpScene& scene, const core::NtpAnalysis& analysis, const core::NtpKqSvm& svm);
Json ntpOvSvmJson(const core::NtpOvSvm& svm);
Json ntpResultJson(const TrainedNtpRun& trained);

// The NTP halves of the commands (the scene already loaded).
int runTrainNtp(const TrainOptions& options, core::NtpScene scene, std::ostream& out, std::ostream& err);
int runSvmNtp(const SvmCommandOptions& options, const core::NtpScene& scene, std::ostream& out,
              std::ostream& err);
int runFigureNtp(const FigureOptions& options, core::NtpScene scene, std::ostream& out, std::ostream& err);

}  // namespace attnmd::cli
