// `attnmd-cli figure`: train a scene's runs and write the app's plots without a display (issue 6 §5):
// one SVG per plot named after it (loss.svg, norm.svg, ...), plots.csv (the plotted series), and
// metrics.csv / result.json of the runs.
//
// The runs: each SCENE argument is one run, or several when the scene has a top-level "runs" array
// (an unknown field to the scene format, kept by the loader): each entry is a JSON merge patch over the
// scene (RFC 7386), e.g. {"name": "p = 3", "optimizer": {"p": 3}}, validated like a scene file
// (core/run_patch.h, shared with the app).
#include <cctype>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli/cli.h"
#include "app/cli/ntp_commands.h"
#include "app/cli/training.h"
#include "app/plot/csv.h"
#include "app/plot/run_plots.h"
#include "app/plot/svg.h"
#include "core/run_patch.h"
#include "core/scene_io.h"

namespace attnmd::cli {
namespace {

namespace fs = std::filesystem;

struct RunSpec {
  std::string name;
  core::Scene scene;
};

std::string defaultRunName(const core::Scene& s) {
  std::string name = core::enumName(s.optimizer.name);
  if (s.optimizer.name == core::OptimizerKind::MD || s.optimizer.name == core::OptimizerKind::NMD)
    name += ", p = " + core::formatDouble(s.optimizer.p);
  return name;
}

// The runs of one scene file; "" or an error message. The CLI fails on the first bad entry (the app
// skips it with a warning) and keeps every run (no kMaxRuns limit: figures have room for them).
std::string expandRuns(const std::string& path, const core::Scene& scene, bool manyFiles,
                       std::vector<RunSpec>& out) {
  const std::string stem = path == "-" ? "stdin" : fs::path(path).stem().string();
  const core::SceneRuns runs = core::readSceneRuns(scene, path, std::numeric_limits<std::size_t>::max());
  if (!runs.present) {
    out.push_back({manyFiles ? stem : defaultRunName(scene), scene});
    return {};
  }
  if (runs.invalid) return runs.warnings.front();
  for (std::size_t k = 0; k < runs.runs.size(); ++k) {
    const core::RunPatch& run = runs.runs[k];
    core::SceneLoadResult r = core::sceneForRun(scene, run, path + ":runs[" + std::to_string(k) + "]");
    if (!r.ok()) return r.error();  // readSceneRuns checked it; kept for safety
    const std::string name =
        run.name.empty() ? (manyFiles ? stem + ": " : std::string()) + defaultRunName(r.scene()) : run.name;
    out.push_back({name, std::move(r.scene())});
  }
  return {};
}

std::string slug(const std::string& name, std::size_t index) {
  std::string s = std::to_string(index) + "-";
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '_';
  return s;
}

}  // namespace

int runFigure(const FigureOptions& o, std::ostream& out, std::ostream& err) {
  if (o.scenePaths.empty()) {
    err << "figure: at least one scene file is needed\n";
    return kExitBadInput;
  }
  const auto scale = core::enumFromName<plot::AxisScale>(o.xScale);
  if (!scale) {
    err << "--x-scale: expected log or linear, got \"" << o.xScale << "\"\n";
    return kExitBadInput;
  }
  std::vector<RunSpec> specs;
  for (const std::string& path : o.scenePaths) {
    core::AnySceneLoadResult loaded = loadAnySceneArgument(path);
    if (!loaded.ok()) {
      err << loaded.error() << '\n';
      return kExitBadInput;
    }
    if (loaded.isNtp()) {
      if (o.scenePaths.size() > 1) {
        err << path << ": a next-token prediction scene is drawn on its own; give it as the only scene\n";
        return kExitBadInput;
      }
      return runFigureNtp(o, std::move(loaded.ntpScene()), out, err);
    }
    if (std::string e = expandRuns(path, loaded.scene(), o.scenePaths.size() > 1, specs); !e.empty()) {
      err << e << '\n';
      return kExitBadInput;
    }
  }
  if (o.iterations) {
    if (*o.iterations < 0 || *o.iterations > core::kMaxIterations) {
      err << "--iters: must be in [0, " << core::kMaxIterations << "], got " << *o.iterations << "\n";
      return kExitBadInput;
    }
    for (RunSpec& s : specs) s.scene.iterations = *o.iterations;
  }
  if (std::string e = createOutputFolder(o.outDir); !e.empty()) {
    err << "--out: " << e << '\n';
    return kExitBadInput;
  }
  const fs::path dir(o.outDir);

  std::vector<plot::RunPlotInput> inputs;
  std::vector<MetricsRow> allRows;
  std::vector<std::string> rowRun;  // run name of each row of the combined metrics.csv
  bool anyStopped = false, interrupted = false;
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (specs.size() > 1 && !o.quiet) out << "training " << specs[k].name << " ...\n";
    TrainedRun t = trainScene(std::make_shared<const core::Scene>(specs[k].scene), o.progress, err);
    const core::Run& run = *t.run;
    if (run.stopped()) {
      err << specs[k].name << ": the run stopped at step " << run.iteration() << ": " << run.stopReason()
          << '\n';
      anyStopped = true;
    }
    const std::string runDir = specs.size() == 1 ? o.outDir : (dir / slug(specs[k].name, k)).string();
    if (std::string e = writeRunFiles(runDir, t); !e.empty()) {
      err << e << '\n';
      return kExitBadInput;
    }
    plot::RunPlotInput in;
    in.name = specs[k].name;
    for (const MetricsRow& r : t.rows) in.points.push_back(r.point);
    // The margin plot's reference line: 1/||theta^mm||_p of the final selection's SVM.
    const Json svm = resultJson(t)["svm"];
    if (svm.value("status", "") == "optimal" && svm.contains("value") && svm["value"].is_number() &&
        svm["value"].get<double>() > 0)
      in.svmMargin = 1.0 / svm["value"].get<double>();
    inputs.push_back(std::move(in));
    for (const MetricsRow& r : t.rows) {
      allRows.push_back(r);
      rowRun.push_back(specs[k].name);
    }
    if (t.interrupted) {
      interrupted = true;
      break;
    }
  }

  plot::RunPlotOptions plotOptions;
  plotOptions.iterationScale = *scale;
  const plot::Figure figure = plot::buildRunFigure(inputs, plotOptions);
  std::vector<std::string> written;
  if (std::string e = writeFigureFiles(o.outDir, figure, written); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  if (specs.size() > 1) {
    // One table of every run: the train columns, then the run's name.
    std::string csv = metricsCsv(allRows);
    std::string merged;
    std::size_t line = 0, start = 0;
    while (start < csv.size()) {
      const std::size_t end = csv.find('\n', start);
      merged += csv.substr(start, end - start);
      merged += line == 0 ? ",run" : "," + plot::csvField(rowRun[line - 1]);
      merged += '\n';
      start = end + 1;
      ++line;
    }
    if (std::string e = writeOutputFile((dir / "metrics.csv").string(), merged); !e.empty()) {
      err << e << '\n';
      return kExitBadInput;
    }
  }
  if (!o.quiet) {
    out << "wrote";
    for (const std::string& w : written) out << ' ' << w;
    out << " plots.csv metrics.csv" << (specs.size() == 1 ? " result.json" : " and one folder per run")
        << " in " << o.outDir << '\n';
  }
  if (anyStopped) return kExitNumericalFailure;
  if (interrupted) return kExitInterrupted;
  return kExitOk;
}

}  // namespace attnmd::cli
