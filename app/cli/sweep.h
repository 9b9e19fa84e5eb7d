// `attnmd-cli sweep` and `sweep-merge`: many small runs of one scene (a grid of field values times
// seeds), in parallel on every core (OpenMP) or in shards across machines, summarized as mean ± std
// over seeds (docs/sweeps.md).
//
// The pieces, one file each:
//   sweep_grid.cpp    --grid / --seeds / --shard parsing, the grid's expansion into runs, the sweep id
//   sweep_run.cpp     one run: train, then the record of runs.csv and its band samples
//   sweep_output.cpp  runs.csv, curves.csv, summary.csv, sweep.json and the band plots; reading them back
//   sweep.cpp         the `sweep` command: the runs in parallel, progress, Ctrl-C
//   sweep_merge.cpp   the `sweep-merge` command
//
// Determinism: run k's scene depends only on (scene file, grid, seed), each run is single-threaded, and
// results are stored by run id, so the files are byte-identical whatever --jobs and however the runs
// are split into shards. Every number is written in its shortest round-trip form, so merging parsed
// shards recomputes exactly the summary of the unsharded sweep.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/cli/cli.h"
#include "core/scene.h"

namespace attnmd::cli {

// [SECTION] grid, seeds, shards

// One --grid flag: a scene field path and its values, e.g. optimizer.p=1.75,2,3.
struct GridAxis {
  std::string key;                  // "optimizer.p"
  std::vector<std::string> values;  // as written: "1.75", "2", "3"
};

// "KEY=V1,V2,..." -> the axis, or the message (naming the flag) in `error`.
std::optional<GridAxis> parseGridFlag(const std::string& text, std::string& error);

// "N" (seeds 0..N-1) or "A..B" (A to B inclusive); nullopt when malformed, empty or over 10^6 seeds.
std::optional<std::vector<std::uint64_t>> parseSeeds(const std::string& text);

// "i/N" with 1 <= i <= N; nullopt otherwise ("3/2", "0/2", "1/0").
struct Shard {
  int index = 1;  // 1-based
  int count = 1;
};
std::optional<Shard> parseShard(const std::string& text);

// The runs of shard `s` among `total` runs: ids with id % count == index - 1, ascending.
std::vector<int> shardRuns(int total, const Shard& s);

// One point of the grid: a merge patch over the scene (RFC 7386) and its label.
struct GridPoint {
  std::string name;                 // "optimizer.p=1.75, optimizer.lr=0.1", or the run's name
  std::vector<std::string> values;  // one per grid key (empty for points from a "runs" array)
  std::string patchJson;            // {"optimizer":{"p":1.75}}
};

// How a seed makes a run's scene: redraw the data with a generator preset (the scene's "generator"
// field: {"preset": "random", "n": 6, "T": 8, "d": 10}), or only the scene's seed (the gaussian init).
struct SeedMode {
  std::string preset;  // empty: only scene.seed changes
  int n = 0, T = 0, d = 0;
  bool crossAttention = false;
};

// A sweep fully expanded: the grid points, the seeds and, for each run id = point * seeds + seed
// index, the scene it trains.
struct SweepPlan {
  std::vector<std::string> keys;  // grid keys (columns of runs.csv); empty for a "runs" array grid
  std::vector<GridPoint> points;
  std::vector<std::uint64_t> seeds;
  SeedMode seedMode;
  long long iterations = 0;
  std::vector<double> pValues;       // distinct l_p geometries of the points (ascending), for cross SVMs
  std::vector<long long> bandIters;  // the band plots' iterations (log-spaced, 1 .. iterations)
  std::string
      sweepId;       // 16 hex digits: a hash of the version, the scene, the grid, the seeds, the iterations
  core::Scene base;  // the scene file as loaded (runScene builds each run's scene from it)

  int runCount() const { return static_cast<int>(points.size() * seeds.size()); }
  int pointOf(int run) const { return run / static_cast<int>(seeds.size()); }
  std::uint64_t seedOf(int run) const { return seeds[static_cast<std::size_t>(run) % seeds.size()]; }
};

// Builds the plan of `scene` (loaded from `scenePath`): the grid from `axes`, or from the scene's "runs"
// array when `axes` is empty, or the scene as it is; every run's scene validated. `iterations`: unset
// keeps the scene's. "" or the message (naming the flag or the field path) in `error`.
std::optional<SweepPlan> planSweep(const core::Scene& scene, const std::string& scenePath,
                                   const std::vector<GridAxis>& axes, const std::vector<std::uint64_t>& seeds,
                                   std::optional<long long> iterations, std::string& error);

// The scene of one run: seed seedOf(run)'s scene merge-patched with grid point pointOf(run).
core::Scene runScene(const SweepPlan& plan, int run);

// [SECTION] one run

// What runs.csv says about one run, plus its samples at plan.bandIters.
struct RunRecord {
  int id = -1;
  std::string status;  // "ok", "stopped: <reason>"
  long long iterations = 0;
  double loss = 0, norm = 0, corr = 0, bregman = 0, corrOptimal = 0, bregmanOptimal = 0;
  double minSelectedProb = 0, log10MaxUnselected = 0, margin = 0, accuracy = 0;
  std::vector<int> selected, optimal;
  bool selectedIsOptimal = false;
  double stepsCorr = 0;                         // first recorded step with corr >= 0.99 (NaN: never)
  double stepsSparse = 0;                       // first recorded step with 1 - s <= 1e-6 (NaN: never)
  std::vector<double> crossCorr, crossBregman;  // against the SVM of plan.pValues[j] (same tokens)
  // At plan.bandIters: Bregman to its own SVM, corr, log10(1 - s) (NaN past a stopped run's end).
  std::vector<double> bandBregman, bandCorr, bandLog10Sparsity;
};

// Trains run `id` of the plan (single-threaded); `cancel` stops it (the record is then not complete:
// `interrupted` is set and the record must be dropped).
RunRecord runOne(const SweepPlan& plan, int id, const std::atomic<bool>* cancel, bool& interrupted);

// [SECTION] files

// The file texts (deterministic functions of the plan and the records, ordered by id).
std::string sweepJsonText(const SweepPlan& plan, const Shard& shard);
std::string runsCsv(const SweepPlan& plan, const std::vector<RunRecord>& records);
std::string curvesCsv(const SweepPlan& plan, const std::vector<RunRecord>& records);
std::string summaryCsv(const SweepPlan& plan, const std::vector<RunRecord>& records);

// Writes DIR/sweep.json, runs.csv and curves.csv, and, when the records are the whole sweep,
// summary.csv and the band plots (bregman/corr/sparsity .svg + .csv). Atomic files. "" or the message.
std::string writeSweepFiles(const std::string& dir, const SweepPlan& plan, const Shard& shard,
                            const std::vector<RunRecord>& records, bool complete);

// The band plots' files: {file name, text}.
std::vector<std::pair<std::string, std::string>> bandPlotFiles(const SweepPlan& plan,
                                                               const std::vector<RunRecord>& records);

// [SECTION] pieces shared by sweep and sweep-merge (sweep_output.cpp)

// Numbers in CSV: the shortest text that reads back as the same double ("" for NaN), and back.
std::string csvNumber(double x);
double parseCsvNumber(std::string_view text);
std::vector<std::string> splitCsvLine(std::string_view line);  // RFC 4180 quoting, one line
std::vector<std::string> splitLines(const std::string& text);

// runs.csv: the numeric columns summary.csv summarizes, and their values for one run.
std::vector<std::string> summaryColumns(const SweepPlan& plan);
std::vector<double> summaryValues(const RunRecord& record);
std::string runsCsvHeader(const SweepPlan& plan);
std::string runsCsvRow(const SweepPlan& plan, const RunRecord& record);
std::string curvesCsvHeader();
std::string curvesCsvRows(const SweepPlan& plan, const RunRecord& record);
// summary.csv from runs in id order (ids[r], values[r] = summaryValues of run ids[r]).
std::string summaryCsvFromValues(const SweepPlan& plan, const std::vector<int>& ids,
                                 const std::vector<std::vector<double>>& values);

// The band metrics of runs in id order: values[r][metric][k], metric 0 Bregman, 1 corr, 2 log10(1 - s),
// k indexing plan.bandIters.
struct BandCurves {
  std::vector<int> ids;
  std::vector<std::vector<std::vector<double>>> values;
};
std::vector<std::pair<std::string, std::string>> bandPlotFilesFromCurves(const SweepPlan& plan,
                                                                         const BandCurves& curves);
// Writes {file name, text} pairs into `dir` (created if missing), each atomically. "" or the message.
std::string writeSweepFolder(const std::string& dir,
                             const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace attnmd::cli
