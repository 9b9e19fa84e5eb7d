// What attnmd-cli writes (docs/scene-format.md "What attnmd-cli writes"): metrics.csv,
// result.json and the `svm` object. Pure functions of core results, so tests check them directly.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "app/plot/figure.h"
#include "app/plot/metrics_csv.h"
#include "core/history.h"
#include "core/scene.h"
#include "core/svm.h"

namespace attnmd::cli {

using Json = nlohmann::ordered_json;

// metrics.csv is written by the plot module (app/plot/metrics_csv.h), shared with the app's export.
using plot::kRequiredMetricsColumns;
using plot::metricsCsv;
using plot::MetricsRow;

// The trained tensors by name ("W" | "p" | "K", "Q"); v is not included (result.json has it apart).
Json paramsJson(const core::Scene& scene, const core::Params& params);
// The `svm` object: status, norm, p, tokens, solution, value, gap, violation, active (+ extras).
Json svmJson(const core::Scene& scene, const core::AttentionSvm& svm);
// The `v_svm` object: status, solution { v }, value (+ gap, violation, active sequences).
Json vSvmJson(const core::SvmSolution& solution);
// The metrics of one step as a JSON object with the csv's column names; NaN -> null.
Json metricsJson(const core::MetricsPoint& point);

Json vectorJson(const Eigen::VectorXd& v);
Json matrixJson(const Eigen::MatrixXd& m);
Json intsJson(const std::vector<int>& values);
Json numberJson(double x);  // NaN / inf -> null

// result.json's "status" and "reason": "ok", or "stopped" with why (the run's stop reason, or Ctrl-C
// at `iteration`).
void setRunStatus(Json& j, const std::string& stopReason, bool interrupted, long long iteration);

// Creates `dir` (and its parents) for a command's output files. "" or "cannot create the folder
// \"DIR\": why" (a file has that name, permission denied, ...).
std::string createOutputFolder(const std::string& dir);

// One SVG per plot of `figure` (plot name + ".svg") and plots.csv in `dir`, atomically; the SVG names
// are appended to `written`. "" or the first error.
std::string writeFigureFiles(const std::string& dir, const plot::Figure& figure,
                             std::vector<std::string>& written);

// Pretty text in the scene-file style (core::prettyJson), ending with a newline.
std::string jsonText(const Json& j);

// Writes one file attnmd-cli produces, atomically. A symlink at `path` is replaced, never written
// through: a result.json linked to some other file must not overwrite that file. "" or the message.
std::string writeOutputFile(const std::string& path, std::string_view text);

}  // namespace attnmd::cli
