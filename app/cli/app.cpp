// The command line: CLI11 definitions of every subcommand, and dispatch to the run* functions.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <limits>
#include <ostream>

#include "app/cli/cli.h"
#include "core/enums.h"
#include "core/generators.h"
#include "core/ntp_generators.h"
#include "core/scene_io.h"
#include "core/version.h"

namespace attnmd::cli {

std::optional<long long> parseCount(const std::string& text) {
  // Whole grammar first: digits, an optional fraction and an optional exponent ("1e6", "2.5e3"). strtod
  // and strtoll alone accept much more ("0x10", " 5", "+5", "inf") and strtoll stops silently at the
  // first non-digit, so "0x10" used to run 0 steps.
  std::string digits;
  for (char c : text)
    if (c != '_' && c != '\'') digits += c;  // "2_000_000"
  const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  const auto skipDigits = [&] {
    const std::size_t start = i;
    while (i < digits.size() && isDigit(digits[i])) ++i;
    return i > start;
  };
  if (!skipDigits()) return std::nullopt;
  if (i < digits.size() && digits[i] == '.') {
    ++i;
    if (!skipDigits()) return std::nullopt;
  }
  if (i < digits.size() && (digits[i] == 'e' || digits[i] == 'E')) {
    ++i;
    if (i < digits.size() && digits[i] == '+') ++i;
    if (!skipDigits()) return std::nullopt;
  }
  if (i != digits.size()) return std::nullopt;

  if (digits.find_first_of(".eE") == std::string::npos) {  // plain integers: exact beyond 2^53
    long long v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;  // overflow
    return v;
  }
  errno = 0;
  const double x = std::strtod(digits.c_str(), nullptr);
  if (errno != 0 || !(x >= 0) || x != std::floor(x) || x >= 0x1p63) return std::nullopt;
  return static_cast<long long>(x);
}

std::optional<std::uint64_t> parseSeed(const std::string& text) {
  // from_chars, unlike strtoull and CLI11's unsigned options, refuses a sign: "-1" must not become
  // 2^64 - 1.
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::vector<int>> parseTokenList(const std::string& text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty() || item.size() > 9 || item.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    out.push_back(std::stoi(item));
    start = comma + 1;
  }
  return out;
}

core::SceneLoadResult loadSceneArgument(const std::string& path) {
  if (path != "-") return core::loadScene(path);
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return core::parseScene(text, "<stdin>");
}

namespace {

std::string presetList() {
  std::string s;
  for (const core::GeneratorInfo& g : core::generators()) {
    std::string name = g.name;
    name.resize(std::max<std::size_t>(name.size(), 21), ' ');
    s += "  " + name + " " + g.description + "\n";
  }
  for (const core::NtpGeneratorInfo& g : core::ntpGenerators()) {
    std::string name = g.name;
    name.resize(std::max<std::size_t>(name.size(), 21), ' ');
    s += "  " + name + " " + g.description + "\n";
  }
  return s;
}

// --iters: a count of steps the scene's `iterations` field could hold too; else the message on `err`.
std::optional<long long> readItersFlag(const std::string& text, std::ostream& err) {
  const std::optional<long long> n = parseCount(text);
  if (n && *n <= core::kMaxIterations) return n;
  err << "--iters: expected a whole number of steps from 0 to " << core::kMaxIterations
      << " (1e10), such as 5000 or 1e6; got \"" << text << "\"\n";
  return std::nullopt;
}

std::optional<std::uint64_t> readSeedFlag(const std::string& text, std::ostream& err) {
  const std::optional<std::uint64_t> seed = parseSeed(text);
  if (!seed)
    err << "--seed: expected a whole number from 0 to " << std::numeric_limits<std::uint64_t>::max()
        << ", got \"" << text << "\"\n";
  return seed;
}

std::string optimizerNames() {
  std::string s;
  for (const auto& e : core::enumTable<core::OptimizerKind>())
    s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

}  // namespace

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, bool interactive) {
  CLI::App app{
      "attnmd-cli: train attention models, sweep them over seeds and solve max-margin SVMs without a "
      "display.",
      "attnmd-cli"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("attnmd-cli ") + core::version());
  app.footer(
      "Examples:\n"
      "  attnmd-cli generate --preset random --seed 1 > scene.json\n"
      "  attnmd-cli train scene.json --optimizer nmd --p 3 --iters 20000 --out runs/p3\n"
      "  attnmd-cli svm scene.json --tokens optimal\n"
      "  attnmd-cli figure scene.json --out figures/scene\n"
      "  attnmd-cli sweep scene.json --grid optimizer.p=1.75,2,3 --seeds 100 --iters 2000 --out sweeps/p\n"
      "Exit codes: 0 ok, 2 bad input (the message names the file and field), 3 numerical failure.\n"
      "Run `attnmd-cli SUBCOMMAND --help` for each subcommand's options.");

  // ---- train
  TrainOptions train;
  std::string trainOptimizer, trainIters;
  double trainP = 0, trainLr = 0;
  std::string trainSeed;
  bool noProgress = false;
  CLI::App* trainCmd =
      app.add_subcommand("train", "train a scene; write DIR/metrics.csv and DIR/result.json");
  trainCmd->add_option("scene", train.scenePath, "scene file (JSON, see docs/scene-format.md); - reads stdin")
      ->required();
  trainCmd->add_option("--out,-o", train.outDir, "output folder (created if missing)")->required();
  CLI::Option* optOptimizer =
      trainCmd->add_option("--optimizer", trainOptimizer, "override optimizer.name: " + optimizerNames());
  CLI::Option* optP =
      trainCmd->add_option("--p", trainP, "override optimizer.p, the l_p geometry, in (1, 20]");
  CLI::Option* optLr = trainCmd->add_option("--lr", trainLr, "override optimizer.lr, the step size eta > 0");
  CLI::Option* optIters = trainCmd->add_option("--iters", trainIters,
                                               "steps to run (default: the scene's iterations); 1e6 is fine");
  CLI::Option* optSeed =
      trainCmd->add_option("--seed", trainSeed, "override the scene's seed (gaussian init), 0 to 2^64 - 1");
  trainCmd->add_flag("--no-progress", noProgress, "never draw the progress bar");
  trainCmd->add_flag("--quiet,-q", train.quiet, "print no summary");
  trainCmd->footer(
      "Command-line values win over the scene's and are checked like the file.\n"
      "Example:\n"
      "  attnmd-cli train assets/scenes/toy-maxmargin.json --optimizer md --p 1.5 --iters 1e5 --out "
      "runs/toy\n"
      "Exit codes: 0 ok, 2 bad input, 3 the run stopped on a numerical failure (result.json says why),\n"
      "130 interrupted (results so far are written).");

  // ---- generate
  GenerateOptions gen;
  int genN = 0, genT = 0, genD = 0, genK = 0;
  bool listPresets = false;
  CLI::App* genCmd =
      app.add_subcommand("generate", "print a preset scene (random data, clusters, the paper toys)");
  genCmd->add_option("--preset", gen.preset, "preset name (see below)");
  CLI::Option* optN =
      genCmd->add_option("-n,--n", genN, "sequences (random, clusters) or sentences (ntp-random)");
  CLI::Option* optT = genCmd->add_option("-T,--T", genT, "tokens per sequence or sentence");
  CLI::Option* optD = genCmd->add_option("-d,--d", genD, "token dimension (ntp-random: default K, one-hot)");
  CLI::Option* optK = genCmd->add_option("-K,--K", genK, "vocabulary size (ntp-random)");
  std::string genSeed;
  CLI::Option* optGenSeed =
      genCmd->add_option("--seed", genSeed, "seed of every random draw, 0 to 2^64 - 1 (default 0)");
  genCmd->add_flag("--cross-attention", gen.crossAttention, "random: a separate query z_i per sequence");
  genCmd->add_option("--out,-o", gen.outFile, "save to this file instead of printing");
  genCmd->add_flag("--list", listPresets, "list the presets and exit");
  genCmd->footer("Presets:\n" + presetList() +
                 "Example:\n"
                 "  attnmd-cli generate --preset random --n 6 --T 8 --d 10 --seed 3 > random.json");

  // ---- svm
  SvmCommandOptions svm;
  double svmP = 0;
  std::string svmNorm;
  CLI::App* svmCmd = app.add_subcommand("svm", "solve the attention SVM of a scene for a token selection");
  svmCmd->add_option("scene", svm.scenePath, "scene file (JSON); - reads stdin")->required();
  CLI::Option* optSvmP =
      svmCmd->add_option("--p", svmP, "l_p of the SVM (default: the scene's run geometry)");
  svmCmd->add_option(
      "--tokens", svm.tokens,
      "selected (at the scene's initialization, default), optimal, or i0,i1,... (one per sequence)");
  CLI::Option* optNorm =
      svmCmd->add_option("--norm", svmNorm, "lp or nuclear (default: nuclear for kq, else lp)");
  svmCmd->footer(
      "Prints one `svm` object (docs/scene-format.md). Exit 0 when optimal or infeasible (see status),\n"
      "3 when the solver failed.\n"
      "Example:\n"
      "  attnmd-cli svm assets/scenes/toy-maxmargin.json --tokens 0 --p 2");

  // ---- figure
  FigureOptions fig;
  std::string figIters;
  bool figNoProgress = false;
  CLI::App* figCmd =
      app.add_subcommand("figure", "train a scene's runs and write the app's plots as SVG + CSV");
  figCmd->add_option("scenes", fig.scenePaths, "scene files (JSON); each is one run, or several (see below)")
      ->required();
  figCmd->add_option("--out,-o", fig.outDir, "output folder (created if missing)")->required();
  CLI::Option* optFigIters = figCmd->add_option("--iters", figIters, "steps per run (default: each scene's)");
  figCmd->add_option("--x-scale", fig.xScale, "iteration axis: log (default) or linear");
  figCmd->add_flag("--no-progress", figNoProgress, "never draw the progress bar");
  figCmd->add_flag("--quiet,-q", fig.quiet, "print no summary");
  figCmd->footer(
      "Writes loss.svg, norm.svg, alignment.svg, sparsity.svg, margin.svg, plots.csv and metrics.csv.\n"
      "Several scenes (or a scene with a \"runs\" array of merge patches, e.g.\n"
      "  \"runs\": [{\"name\": \"p = 1.75\", \"optimizer\": {\"p\": 1.75}}, {\"optimizer\": {\"p\": 3}}])\n"
      "are overlaid in the same plots, one colour per run.\n"
      "Example:\n"
      "  attnmd-cli figure assets/scenes/joint-wv-p175.json assets/scenes/joint-wv-p2.json \\\n"
      "      assets/scenes/joint-wv-p3.json --iters 5000 --out figures/joint-wv");

  // ---- sweep
  SweepOptions sweep;
  std::string sweepIters;
  bool sweepNoProgress = false;
  CLI::App* sweepCmd = app.add_subcommand(
      "sweep",
      "train every grid point x seed of a scene in parallel; mean +/- std over seeds (docs/sweeps.md)");
  sweepCmd->add_option("scene", sweep.scenePath, "scene file (JSON, see docs/scene-format.md); - reads stdin")
      ->required();
  sweepCmd
      ->add_option("--grid", sweep.grid,
                   "KEY=V1,V2,...: a scene field path and its values, e.g. optimizer.p=1.75,2,3 "
                   "(repeatable: the product is swept; default: the scene's \"runs\")")
      ->allow_extra_args(false);
  sweepCmd->add_option("--seeds", sweep.seeds,
                       "N (seeds 0 to N-1) or A..B; each redraws the scene's data when it has a "
                       "\"generator\" field, else the gaussian init (default 1)");
  CLI::Option* optSweepIters =
      sweepCmd->add_option("--iters", sweepIters, "steps per run (default: the scene's iterations)");
  sweepCmd->add_option("--out,-o", sweep.outDir, "output folder (created if missing)")->required();
  sweepCmd->add_option("--jobs,-j", sweep.jobs, "runs trained at once (default 0: all cores)");
  sweepCmd->add_option("--shard", sweep.shard, "i/N: run only the i-th of N slices (merge with sweep-merge)");
  sweepCmd->add_flag("--no-progress", sweepNoProgress, "never draw the progress bar");
  sweepCmd->add_flag("--quiet,-q", sweep.quiet, "print no summary");
  sweepCmd->footer(
      "Writes runs.csv (one row per run), curves.csv, summary.csv (mean, std, min, max per grid point),\n"
      "sweep.json, and band plots bregman/corr/sparsity .svg + .csv. Results are identical for any --jobs.\n"
      "Examples:\n"
      "  attnmd-cli sweep assets/scenes/fig-8.7-random-p.json --seeds 100 --iters 20000 --out sweeps/fig\n"
      "  attnmd-cli sweep scene.json --grid optimizer.name=gd,ngd --grid optimizer.lr=0.1,1 --seeds 20 \\\n"
      "      --out sweeps/lr\n"
      "  attnmd-cli sweep scene.json --seeds 100 --shard 2/4 --out shards/2   # then sweep-merge\n"
      "Exit codes: 0 ok, 2 bad input, 3 a run stopped on a numerical failure, 130 interrupted (finished\n"
      "runs are written).");

  // ---- sweep-merge
  SweepMergeOptions merge;
  CLI::App* mergeCmd =
      app.add_subcommand("sweep-merge", "join the shards of a sweep (identical to the sweep run unsharded)");
  mergeCmd->add_option("dirs", merge.dirs, "the shards' output folders")->required();
  mergeCmd->add_option("--out,-o", merge.outDir, "output folder (created if missing)")->required();
  mergeCmd->add_flag("--quiet,-q", merge.quiet, "print no summary");
  mergeCmd->footer(
      "Example:\n"
      "  attnmd-cli sweep-merge shards/1 shards/2 shards/3 shards/4 --out sweeps/fig\n"
      "Exit codes: 0 ok, 2 bad input (shards of different sweeps, missing or repeated runs).");

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(std::move(reversed));
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help, --version
    std::string where = "attnmd-cli";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    err << where << ": " << e.what() << "\nRun `" << where << " --help` for the options.\n";
    return kExitBadInput;
  }

  if (*trainCmd) {
    if (*optOptimizer) train.optimizer = trainOptimizer;
    if (*optP) train.p = trainP;
    if (*optLr) train.lr = trainLr;
    if (*optSeed) {
      train.seed = readSeedFlag(trainSeed, err);
      if (!train.seed) return kExitBadInput;
    }
    if (*optIters) {
      train.iterations = readItersFlag(trainIters, err);
      if (!train.iterations) return kExitBadInput;
    }
    train.progress = interactive && !noProgress;
    return runTrain(train, out, err);
  }
  if (*genCmd) {
    if (listPresets) {
      out << presetList();
      return kExitOk;
    }
    if (gen.preset.empty()) {
      err << "attnmd-cli generate: --preset is required; the presets are:\n" << presetList();
      return kExitBadInput;
    }
    if (*optGenSeed) {
      const std::optional<std::uint64_t> seed = readSeedFlag(genSeed, err);
      if (!seed) return kExitBadInput;
      gen.seed = *seed;
    }
    if (*optN) gen.n = genN;
    if (*optT) gen.T = genT;
    if (*optD) gen.d = genD;
    if (*optK) gen.K = genK;
    return runGenerate(gen, out, err);
  }
  if (*svmCmd) {
    if (*optSvmP) svm.p = svmP;
    if (*optNorm) svm.norm = svmNorm;
    svm.progress = interactive;
    return runSvm(svm, out, err);
  }
  if (*figCmd) {
    if (*optFigIters) {
      fig.iterations = readItersFlag(figIters, err);
      if (!fig.iterations) return kExitBadInput;
    }
    fig.progress = interactive && !figNoProgress;
    return runFigure(fig, out, err);
  }
  if (*sweepCmd) {
    if (*optSweepIters) {
      sweep.iterations = readItersFlag(sweepIters, err);
      if (!sweep.iterations) return kExitBadInput;
    }
    sweep.progress = interactive && !sweepNoProgress;
    return runSweep(sweep, out, err);
  }
  if (*mergeCmd) return runSweepMerge(merge, out, err);
  out << app.help();
  return kExitOk;
}

int runCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return runCli(args, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1);
}

}  // namespace attnmd::cli
