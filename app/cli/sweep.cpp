// `attnmd-cli sweep`: every grid point x seed of a scene trained in parallel (OpenMP, one thread per
// run), summarized as mean ± std over seeds (docs/sweeps.md). Results are stored by run id, never in
// completion order, so the files are the same for any --jobs; Ctrl-C stops the runs in flight and
// writes every finished one.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <ostream>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "app/cli/cli.h"
#include "app/cli/progress.h"
#include "app/cli/sweep.h"
#include "app/cli/training.h"
#include "core/scene_io.h"

namespace attnmd::cli {
namespace {

int allCores() {
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
#endif
}

std::string shortNumber(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

}  // namespace

int runSweep(const SweepOptions& o, std::ostream& out, std::ostream& err) {
  // [SECTION] the command line, before any work
  std::vector<GridAxis> axes;
  for (const std::string& g : o.grid) {
    std::string error;
    std::optional<GridAxis> axis = parseGridFlag(g, error);
    if (!axis) {
      err << error << '\n';
      return kExitBadInput;
    }
    axes.push_back(std::move(*axis));
  }
  const std::optional<std::vector<std::uint64_t>> seeds = parseSeeds(o.seeds);
  if (!seeds) {
    err << "--seeds: expected N (seeds 0 to N-1, N >= 1) or A..B (A <= B, at most 10^6 seeds), got \""
        << o.seeds << "\"\n";
    return kExitBadInput;
  }
  const std::optional<Shard> shard = parseShard(o.shard);
  if (!shard) {
    err << "--shard: expected i/N with 1 <= i <= N (the i-th of N slices), got \"" << o.shard << "\"\n";
    return kExitBadInput;
  }
  if (o.jobs < 0) {
    err << "--jobs: expected a number of threads >= 1 (0: all cores), got " << o.jobs << '\n';
    return kExitBadInput;
  }
  if (o.outDir.empty()) {
    err << "--out: an output folder is required\n";
    return kExitBadInput;
  }
  core::SceneLoadResult loaded = loadSceneArgument(o.scenePath);
  if (!loaded.ok()) {
    err << loaded.error() << '\n';
    return kExitBadInput;
  }
  std::string error;
  const std::optional<SweepPlan> plan =
      planSweep(loaded.scene(), o.scenePath, axes, *seeds, o.iterations, error);
  if (!plan) {
    err << error << '\n';
    return kExitBadInput;
  }
  if (std::string e = createOutputFolder(o.outDir); !e.empty()) {  // fail before training, not after
    err << "--out: " << e << '\n';
    return kExitBadInput;
  }

  // [SECTION] the runs, in parallel
  const std::vector<int> ids = shardRuns(plan->runCount(), *shard);
  const int n = static_cast<int>(ids.size());
  const int jobs = o.jobs > 0 ? o.jobs : allCores();
  std::vector<RunRecord> records(ids.size());
  std::vector<char> finished(ids.size(), 0);
  long long doneRuns = 0;
  std::string failure;
  const auto start = std::chrono::steady_clock::now();
  {
    InterruptGuard guard;  // Ctrl-C: the runs in flight stop, the finished ones are written
    const std::atomic<bool>& interruptedFlag = guard.flag();
    ProgressBar bar(err, static_cast<long long>(n) * plan->iterations, o.progress);
#pragma omp parallel for schedule(dynamic, 1) num_threads(jobs)
    for (int k = 0; k < n; ++k) {
      if (interruptedFlag.load()) continue;
      try {
        bool interrupted = false;
        RunRecord r = runOne(*plan, ids[static_cast<std::size_t>(k)], &interruptedFlag, interrupted);
        if (!interrupted) {
          records[static_cast<std::size_t>(k)] = std::move(r);  // by run id: the order never depends on J
          finished[static_cast<std::size_t>(k)] = 1;
        }
      } catch (const std::exception& e) {
#pragma omp critical(sweep_failure)
        if (failure.empty())
          failure = "run " + std::to_string(ids[static_cast<std::size_t>(k)]) + ": " + e.what();
      }
#pragma omp critical(sweep_progress)
      {
        ++doneRuns;
        bar.update(doneRuns * plan->iterations);
      }
    }
    bar.finish();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!failure.empty()) {
    err << failure << '\n';
    return kExitNumericalFailure;
  }

  std::vector<RunRecord> kept;
  for (std::size_t k = 0; k < records.size(); ++k)
    if (finished[k]) kept.push_back(std::move(records[k]));
  const bool interrupted = kept.size() < ids.size();
  if (std::string e = writeSweepFiles(o.outDir, *plan, *shard, kept, shard->count == 1); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }

  // [SECTION] what happened
  int stopped = 0;
  for (const RunRecord& r : kept)
    if (r.status != "ok") ++stopped;
  if (!o.quiet) {
    char line[160];
    std::snprintf(line, sizeof line, "in %.3g s on %d thread%s", seconds, jobs, jobs == 1 ? "" : "s");
    out << "swept " << kept.size() << " run" << (kept.size() == 1 ? "" : "s") << " (" << plan->points.size()
        << " grid point" << (plan->points.size() == 1 ? "" : "s") << " x " << plan->seeds.size() << " seed"
        << (plan->seeds.size() == 1 ? "" : "s") << ", " << groupThousands(plan->iterations) << " steps each"
        << (shard->count > 1 ? ", shard " + o.shard : std::string()) << ") " << line << '\n';
    if (shard->count == 1) {
      for (std::size_t p = 0; p < plan->points.size(); ++p) {
        double sumB = 0, sumC = 0;
        int count = 0, optimal = 0;
        for (const RunRecord& r : kept)
          if (plan->pointOf(r.id) == static_cast<int>(p)) {
            sumB += r.bregman;
            sumC += r.corr;
            optimal += r.selectedIsOptimal;
            ++count;
          }
        if (count == 0) continue;
        out << "  " << plan->points[p].name << ": mean Bregman " << shortNumber(sumB / count)
            << ", mean corr " << shortNumber(sumC / count) << ", optimal tokens in " << optimal << "/"
            << count << '\n';
      }
    }
    out << "wrote sweep.json runs.csv curves.csv"
        << (shard->count == 1 ? " summary.csv bregman/corr/sparsity .svg + .csv" : "") << " in " << o.outDir
        << '\n';
  }
  if (interrupted) {
    err << "interrupted: " << kept.size() << " of " << ids.size() << " runs finished; they are in "
        << o.outDir << '\n';
    return kExitInterrupted;
  }
  if (stopped > 0) {
    err << stopped << " run" << (stopped == 1 ? "" : "s")
        << " stopped on a numerical failure (runs.csv's status says why)\n";
    return kExitNumericalFailure;
  }
  return kExitOk;
}

}  // namespace attnmd::cli
