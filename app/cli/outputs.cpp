#include "app/cli/outputs.h"

#include <cmath>
#include <filesystem>

#include "app/plot/csv.h"
#include "app/plot/svg.h"
#include "core/scene_io.h"

namespace attnmd::cli {

Json numberJson(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json vectorJson(const Eigen::VectorXd& v) {
  Json a = Json::array();
  for (Eigen::Index k = 0; k < v.size(); ++k) a.push_back(numberJson(v(k)));
  return a;
}

Json matrixJson(const Eigen::MatrixXd& m) {
  Json a = Json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) a.push_back(vectorJson(m.row(r).transpose()));
  return a;
}

Json intsJson(const std::vector<int>& values) {
  Json a = Json::array();
  for (int v : values) a.push_back(v);
  return a;
}

Json paramsJson(const core::Scene& scene, const core::Params& params) {
  Json j = Json::object();
  switch (scene.model.kind) {
    case core::ModelKind::Prompt:
      j["p"] = vectorJson(params.p);
      break;
    case core::ModelKind::Query:
      j["W"] = matrixJson(params.W);
      break;
    case core::ModelKind::KQ:
      j["K"] = matrixJson(params.K);
      j["Q"] = matrixJson(params.Q);
      break;
  }
  return j;
}

Json svmJson(const core::Scene& scene, const core::AttentionSvm& svm) {
  const core::SvmSolution& s = svm.solution;
  Json j = Json::object();
  j["status"] = core::svmStatusName(s.status);
  if (s.status != core::SvmStatus::Optimal && !s.reason.empty()) j["reason"] = s.reason;
  j["norm"] = core::enumName(svm.norm);
  if (svm.norm == core::SvmNorm::Lp) j["p"] = svm.p;
  j["tokens"] = intsJson(svm.tokens);
  if (s.status == core::SvmStatus::Optimal) {
    Json sol = Json::object();
    if (scene.model.kind == core::ModelKind::Prompt)
      sol["p"] = vectorJson(svm.direction.p);
    else
      sol["W"] = matrixJson(svm.direction.W);
    j["solution"] = std::move(sol);
    j["value"] = numberJson(s.value);
    j["gap"] = numberJson(s.gap);
    j["violation"] = numberJson(s.violation);
    Json active = Json::array();
    for (const core::TokenPair& pair : svm.support) active.push_back(Json::array({pair.seq, pair.token}));
    j["active"] = std::move(active);
    j["dual_value"] = numberJson(s.dualValue);
    j["iterations"] = s.iterations;
  }
  return j;
}

Json vSvmJson(const core::SvmSolution& s) {
  Json j = Json::object();
  j["status"] = core::svmStatusName(s.status);
  if (s.status != core::SvmStatus::Optimal && !s.reason.empty()) j["reason"] = s.reason;
  if (s.status == core::SvmStatus::Optimal) {
    j["solution"] = Json::object({{"v", vectorJson(s.w)}});
    j["value"] = numberJson(s.value);
    j["gap"] = numberJson(s.gap);
    j["violation"] = numberJson(s.violation);
    j["active"] = intsJson(s.active);  // sequences whose constraint is tight (the v-SVM support vectors)
  }
  return j;
}

Json metricsJson(const core::MetricsPoint& m) {
  Json j = Json::object();
  for (const plot::MetricsColumn& c : plot::metricsValueColumns()) j[c.name] = numberJson(m.*(c.field));
  j["selected_is_optimal"] = m.selectedIsOptimal;
  return j;
}

std::string jsonText(const Json& j) {
  // nlohmann writes doubles in shortest round-trip form; prettyJson re-reads them exactly.
  return core::prettyJson(j.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string writeOutputFile(const std::string& path, std::string_view text) {
  return core::writeFileAtomic(path, text, core::Symlinks::Replace);
}

std::string createOutputFolder(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    return "cannot create the folder \"" + dir + "\": " + (ec ? ec.message() : "a file has that name");
  return {};
}

void setRunStatus(Json& j, const std::string& stopReason, bool interrupted, long long iteration) {
  if (!stopReason.empty()) {
    j["status"] = "stopped";
    j["reason"] = stopReason;
  } else if (interrupted) {
    j["status"] = "stopped";
    j["reason"] = "interrupted by the user (Ctrl-C) at step " + std::to_string(iteration);
  } else {
    j["status"] = "ok";
  }
}

std::string writeFigureFiles(const std::string& dir, const plot::Figure& figure,
                             std::vector<std::string>& written) {
  const std::filesystem::path folder(dir);
  for (std::size_t i = 0; i < figure.plots.size(); ++i) {
    const std::string file = (folder / (figure.plots[i].name + ".svg")).string();
    if (std::string e = writeOutputFile(file, plot::writeSvg(plot::singlePlot(figure, i))); !e.empty())
      return e;
    written.push_back(figure.plots[i].name + ".svg");
  }
  return writeOutputFile((folder / "plots.csv").string(), plot::writeCsv(figure));
}

}  // namespace attnmd::cli
