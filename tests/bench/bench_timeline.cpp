// The run timeline (core/timeline.h): how long a scrub takes and what the checkpoints cost.
//  - BM_Scrub: replayTo a random step k of a 10^6-step run of the papers' scene (query model, n = 6,
//    T = 8, d = 10, nmd p = 3, eta = 0.1; checkpoints with the default CheckpointOptions); counters:
//    mean and max ms per scrub, the log's bytes at 10^6 steps, and at 10^7 steps (the same log fed
//    copies of one real checkpoint at every step it wants: stepping 10^7 times would take ~25 s).
//    Target: max <= 30 ms, 10^7 steps <= 64 MB.
//  - BM_ScrubWorstCaseAt1e7: the longest replay at 10^7 steps (stride - 1 steps from a checkpoint).
//  - BM_StepCheckpointed: steps/s of that run with and without a checkpoint log (history on), the
//    cost of recording checkpoints while training.
//
//   build/bench_timeline
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/timeline.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;

namespace {

constexpr long long kLiveSteps = 1'000'000;

Scene papersScene() {
  Scene s = attnmd::testing::paperScene(1, 6, 8, 10);
  s.optimizer.name = OptimizerKind::NMD;
  s.optimizer.p = 3.0;
  s.optimizer.lr = 0.1;
  return s;
}

// The live run, trained once for every benchmark that needs it.
struct LiveRun {
  std::shared_ptr<CheckpointLog> log = std::make_shared<CheckpointLog>();
  Run run{std::make_shared<const Scene>(papersScene())};
  LiveRun() {
    run.attachCheckpoints(log);
    run.step(kLiveSteps);
  }
};

const LiveRun& liveRun() {
  static const LiveRun live;  // benchmark-process scope: built on first use, kept for the other runs
  return live;
}

// The log's bytes after `steps` steps, fed copies of a real checkpoint of the scene.
std::size_t syntheticLogBytes(const RunCheckpoint& real, long long steps, long long* stride) {
  CheckpointLog log;
  std::size_t peak = 0;
  for (long long it = 0; it <= steps; it = log.nextWanted(it)) {
    RunCheckpoint c = real;
    c.iteration = it;
    log.record(std::move(c));
    peak = std::max(peak, log.bytes());
  }
  *stride = log.stride();
  return peak;
}

void BM_Scrub(benchmark::State& state) {
  const LiveRun& live = liveRun();
  if (live.run.stopped()) state.SkipWithError(("run stopped: " + live.run.stopReason()).c_str());
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<long long> pick(0, kLiveSteps);
  double totalMs = 0, maxMs = 0;
  for (auto _ : state) {
    const long long k = pick(rng);
    const auto t0 = std::chrono::steady_clock::now();
    Run at = replayTo(live.run, *live.log, k);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(at.params().W.data());
    if (at.iteration() != k) state.SkipWithError("the replay did not reach k");
    totalMs += ms;
    maxMs = std::max(maxMs, ms);
  }
  long long stride7 = 0;
  const std::size_t bytes7 = syntheticLogBytes(live.run.checkpoint(), 10'000'000, &stride7);
  state.counters["mean_ms"] = totalMs / static_cast<double>(state.iterations());
  state.counters["max_ms"] = maxMs;
  state.counters["checkpoints_1e6"] = static_cast<double>(live.log->size());
  state.counters["stride_1e6"] = static_cast<double>(live.log->stride());
  state.counters["log_MB_1e6"] = static_cast<double>(live.log->bytes()) / (1 << 20);
  state.counters["log_MB_1e7"] = static_cast<double>(bytes7) / (1 << 20);  // peak over the run
  state.counters["stride_1e7"] = static_cast<double>(stride7);
  state.counters["checkpoint_B"] = static_cast<double>(live.run.checkpoint().bytes());
}
BENCHMARK(BM_Scrub)->Iterations(300)->Unit(benchmark::kMillisecond)->UseRealTime();

// The longest replay a 10^7-step run needs: stride_1e7 - 1 steps from a checkpoint (the step cost does
// not depend on where in the run the checkpoint is).
void BM_ScrubWorstCaseAt1e7(benchmark::State& state) {
  const LiveRun& live = liveRun();
  long long stride7 = 0;
  (void)syntheticLogBytes(live.run.checkpoint(), 10'000'000, &stride7);
  const RunCheckpoint from = live.run.checkpoint();
  for (auto _ : state) {
    Run at = live.run.forkAt(from, replayOptions());
    at.step(stride7 - 1);
    benchmark::DoNotOptimize(at.params().W.data());
  }
  state.counters["replayed_steps"] = static_cast<double>(stride7 - 1);
}
BENCHMARK(BM_ScrubWorstCaseAt1e7)->Unit(benchmark::kMillisecond)->UseRealTime();

// Args: checkpoints (0/1). 200,000 steps from scratch per iteration, as bench_core's BM_PaperRun.
void BM_StepCheckpointed(benchmark::State& state) {
  const bool checkpoints = state.range(0) != 0;
  const long long steps = 200000;
  const auto scene = std::make_shared<const Scene>(papersScene());
  std::size_t bytes = 0;
  for (auto _ : state) {
    Run run(scene);
    auto log = std::make_shared<CheckpointLog>();
    if (checkpoints) run.attachCheckpoints(log);
    if (run.step(steps) != steps) state.SkipWithError(("run stopped: " + run.stopReason()).c_str());
    bytes = log->bytes();
    benchmark::DoNotOptimize(run.params().W.data());
  }
  state.SetItemsProcessed(state.iterations() * steps);  // items/s = steps/s
  state.counters["log_KB"] = static_cast<double>(bytes) / 1024.0;
  state.SetLabel(checkpoints ? "checkpoints on" : "checkpoints off");
}
BENCHMARK(BM_StepCheckpointed)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
