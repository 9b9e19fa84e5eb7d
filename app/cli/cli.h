// attnmd-cli's subcommands as functions, so tests call them without spawning the binary.
//
// Each command takes a plain options struct and two streams and returns the process exit code.
// runCli() parses a command line with CLI11 and dispatches; main.cpp only forwards argv to it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "core/scene_io.h"

namespace attnmd::cli {

// Exit codes (docs/scene-format.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;          // the message on stderr names the file and field
inline constexpr int kExitNumericalFailure = 3;  // a run that stopped, or an SVM solver that failed
inline constexpr int kExitInterrupted = 130;  // Ctrl-C during `train` (results so far are written) or `svm`

// `attnmd-cli train SCENE.json [--optimizer NAME] [--p P] [--lr ETA] [--iters N] [--seed S] --out DIR`.
// Unset overrides keep the scene's values; set ones win and are validated like the file.
struct TrainOptions {
  std::string scenePath;
  std::string outDir;
  std::optional<std::string> optimizer;  // gd, ngd, md, nmd, polyak, adam, momentum
  std::optional<double> p;               // optimizer.p, in (1, 20]
  std::optional<double> lr;              // optimizer.lr, > 0
  std::optional<long long> iterations;   // steps to run, in [0, core::kMaxIterations] (default: the scene's)
  std::optional<std::uint64_t> seed;     // the scene's seed (gaussian init)
  bool progress = false;                 // draw a progress bar on `err` for runs longer than a second
  bool quiet = false;                    // no summary on `out`
};
int runTrain(const TrainOptions& options, std::ostream& out, std::ostream& err);

// `attnmd-cli generate --preset NAME [--n N --T T --d D --seed S] [--cross-attention] [--out FILE]`:
// prints the scene to `out`, or saves it atomically to `outFile`.
struct GenerateOptions {
  std::string preset;
  std::optional<int> n, T, d;  // only for presets with a size (random, clusters, ntp-random)
  std::optional<int> K;        // ntp-random: the vocabulary size
  std::uint64_t seed = 0;
  bool crossAttention = false;  // random only: a separate query z_i per sequence
  std::string outFile;          // empty: print to `out`
};
int runGenerate(const GenerateOptions& options, std::ostream& out, std::ostream& err);

// `attnmd-cli svm SCENE.json [--p P] [--tokens selected|optimal|i0,i1,...] [--norm lp|nuclear]`:
// prints one `svm` object (scene-format.md). Defaults: the geometry the scene's run is compared with
// (core::svmNormFor / svmPFor) and the tokens selected at the scene's initialization. Exit 0 for an
// optimal or infeasible problem (the status says which), 3 when the solver failed, 2 (before solving)
// when the SVM is over the solvers' size limits (core::attentionSvmSizeProblem says why).
struct SvmCommandOptions {
  std::string scenePath;
  std::optional<double> p;
  std::string tokens = "selected";
  std::optional<std::string> norm;  // lp or nuclear
  bool progress = false;            // say on stderr that the solve runs and that Ctrl-C cancels it
};
int runSvm(const SvmCommandOptions& options, std::ostream& out, std::ostream& err);

// `attnmd-cli figure SCENE.json... --out DIR [--iters N] [--x-scale log|linear]` (issue 6): trains each
// scene's runs and writes one SVG per plot (loss.svg, norm.svg, alignment.svg, sparsity.svg,
// margin.svg), plots.csv, and metrics.csv + result.json (one run) or one folder of them per run plus
// a combined metrics.csv with a trailing `run` column (several). A scene's top-level "runs" array, if
// present, lists its runs as merge patches over the scene ({"name": "p = 3", "optimizer": {"p": 3}}).
struct FigureOptions {
  std::vector<std::string> scenePaths;
  std::string outDir;
  std::optional<long long> iterations;  // overrides every run's iterations
  std::string xScale = "log";           // the shared iteration axis
  bool progress = false;
  bool quiet = false;
};
int runFigure(const FigureOptions& options, std::ostream& out, std::ostream& err);

// `attnmd-cli sweep SCENE.json [--grid KEY=V1,V2,...]... [--seeds N|A..B] [--iters K] --out DIR
// [--jobs J] [--shard i/N]` (docs/sweeps.md): every grid point x seed trained, in parallel; writes
// runs.csv, curves.csv, summary.csv, sweep.json and band plots (mean ± std over seeds). Without --grid,
// the scene's "runs" array is the grid. --seeds redraws the data when the scene has a "generator" field,
// else the gaussian init. A shard (i of N) writes sweep.json, runs.csv and curves.csv of its runs only.
struct SweepOptions {
  std::string scenePath;
  std::vector<std::string> grid;        // "KEY=V1,V2,..." flags, e.g. "optimizer.p=1.75,2,3"
  std::string seeds = "1";              // "N" (seeds 0 .. N-1) or "A..B" (inclusive)
  std::optional<long long> iterations;  // steps per run (default: the scene's)
  std::string outDir;
  int jobs = 0;               // runs trained at once; 0: all cores (results are the same for any value)
  std::string shard = "1/1";  // "i/N": the i-th of N deterministic slices of the runs
  bool progress = false;
  bool quiet = false;
};
int runSweep(const SweepOptions& options, std::ostream& out, std::ostream& err);

// `attnmd-cli sweep-merge DIR... --out DIR`: joins the shards of one sweep; the result is byte-identical
// to the sweep run unsharded. Shards of different sweeps (their sweep ids differ) or missing runs: exit 2.
struct SweepMergeOptions {
  std::vector<std::string> dirs;
  std::string outDir;
  bool quiet = false;
};
int runSweepMerge(const SweepMergeOptions& options, std::ostream& out, std::ostream& err);

// Parses `args` (without the program name) and runs the subcommand. `interactive`: stderr is a
// terminal (progress bars allowed).
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           bool interactive = false);
// main(): forwards argv, with interactive = isatty(stderr).
int runCli(int argc, char** argv);

// Loads the SCENE argument of train/svm: a file path, or "-" for standard input ("<stdin>" in messages).
core::SceneLoadResult loadSceneArgument(const std::string& path);

// Parses "--iters" values: digits, also written as "1e6", "2.5e3" or "2_000_000"; nullopt for anything
// else (signs, spaces, "0x10", "inf"), for non-integers and for values from 2^63 on. The caller checks
// the upper limit (core::kMaxIterations).
std::optional<long long> parseCount(const std::string& text);
// Parses "--seed" values: decimal digits only, 0 to 2^64 - 1; nullopt otherwise (so "-1" never wraps).
std::optional<std::uint64_t> parseSeed(const std::string& text);
// Parses "--tokens i0,i1,...": nullopt on anything but comma-separated non-negative integers.
std::optional<std::vector<int>> parseTokenList(const std::string& text);

}  // namespace attnmd::cli
