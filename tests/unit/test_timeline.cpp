// The run timeline (core/timeline.h): replays from checkpoints are bit for bit the live run for every
// optimizer and model, rewinding and continuing equals never rewinding (run, history and checkpoint
// log), the checkpoint log stays within its memory bound for 10^7 steps, and timeline events.
//
// [SECTION] helpers
// [SECTION] replay is bit-identical
// [SECTION] rewind and continue
// [SECTION] the checkpoint log's bounds
// [SECTION] events
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "core/timeline.h"
#include "tests/support/sanitizer.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;
// Inside TEST bodies `Run` names testing::Test::Run; this alias names ours.
using TrainRun = attnmd::core::Run;

namespace {

// ---------------------------------------------------------------------------------------------------
// [SECTION] helpers
// ---------------------------------------------------------------------------------------------------

// Fixed, so a failure reproduces; printed with every failure (SCOPED_TRACE).
constexpr std::uint64_t kSeed = 20240611;

bool sameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

template <class M>
bool sameBits(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||  // empty: data() may be null, which memcmp must not see
          std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0);
}

struct Config {
  const char* name;
  ModelKind model;
  OptimizerKind optimizer;
  double p = 2.0;
  double lr = 0.1;
  bool trainV = false;
};

Scene sceneFor(const Config& c, std::uint64_t seed) {
  Scene s = attnmd::testing::paperScene(seed, 6, 8, 10, c.model);
  s.model.trainV = c.trainV;
  s.optimizer.name = c.optimizer;
  s.optimizer.p = c.p;
  s.optimizer.lr = c.lr;
  return s;
}

// Small samplings, so a few thousand steps go through several thinnings of the periodic checkpoints.
CheckpointOptions smallLog() {
  CheckpointOptions o;
  o.denseSteps = 4;
  o.pointsPerDecade = 5;
  o.initialStride = 3;
  o.capacity = 8;
  return o;
}

// What a step of a run is: iteration, parameters, optimizer state, evaluation, selection.
struct Snapshot {
  RunCheckpoint state;
  Evaluation eval;
  std::vector<int> selected;
  double stepSize = 0;
};

Snapshot snapshotOf(const TrainRun& r) {
  return {r.checkpoint(), r.evaluation(), r.selectedTokens(), r.currentMetrics().stepSize};
}

void expectSameParams(const Params& a, const Params& b) {
  EXPECT_TRUE(sameBits(a.W, b.W));
  EXPECT_TRUE(sameBits(a.p, b.p));
  EXPECT_TRUE(sameBits(a.K, b.K));
  EXPECT_TRUE(sameBits(a.Q, b.Q));
  EXPECT_TRUE(sameBits(a.v, b.v));
}

void expectSameStep(const Snapshot& live, const TrainRun& replay) {
  const Snapshot r = snapshotOf(replay);
  ASSERT_EQ(live.state.iteration, r.state.iteration);
  expectSameParams(live.state.params, r.state.params);
  const OptimizerState &a = live.state.optimizer, &b = r.state.optimizer;
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.initialized, b.initialized);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_TRUE(sameBits(a.tensors[i].dual, b.tensors[i].dual)) << "tensor " << i;
    EXPECT_TRUE(sameBits(a.tensors[i].m1, b.tensors[i].m1)) << "tensor " << i;
    EXPECT_TRUE(sameBits(a.tensors[i].m2, b.tensors[i].m2)) << "tensor " << i;
    EXPECT_TRUE(sameBits(a.tensors[i].velocity, b.tensors[i].velocity)) << "tensor " << i;
  }
  EXPECT_TRUE(sameBits(live.stepSize, r.stepSize));
  EXPECT_TRUE(sameBits(live.eval.loss, r.eval.loss));
  ASSERT_EQ(live.eval.seqs.size(), r.eval.seqs.size());
  for (std::size_t i = 0; i < live.eval.seqs.size(); ++i) {
    const SequenceEval &x = live.eval.seqs[i], &y = r.eval.seqs[i];
    EXPECT_TRUE(sameBits(x.logits, y.logits)) << "sequence " << i;
    EXPECT_TRUE(sameBits(x.probs, y.probs)) << "sequence " << i;
    EXPECT_TRUE(sameBits(x.logUnselected, y.logUnselected)) << "sequence " << i;
    EXPECT_TRUE(sameBits(x.margin, y.margin)) << "sequence " << i;
  }
  EXPECT_EQ(live.selected, r.selected);
}

const Config kConfigs[] = {
    {"query gd", ModelKind::Query, OptimizerKind::GD},
    {"query ngd", ModelKind::Query, OptimizerKind::NGD},
    {"query md p=1.1", ModelKind::Query, OptimizerKind::MD, 1.1, 0.01},
    {"query md p=3", ModelKind::Query, OptimizerKind::MD, 3.0},
    {"query nmd p=3", ModelKind::Query, OptimizerKind::NMD, 3.0},
    {"query nmd p=1.1", ModelKind::Query, OptimizerKind::NMD, 1.1},
    {"query joint v, polyak", ModelKind::Query, OptimizerKind::Polyak, 2.0, 0.5, true},
    // Fixed v: the loss cannot reach Polyak's L* = 0, the step blows up at step ~10 and the run stops.
    {"query polyak (stops)", ModelKind::Query, OptimizerKind::Polyak, 2.0, 0.5},
    {"query adam", ModelKind::Query, OptimizerKind::Adam, 2.0, 0.01},
    {"query momentum", ModelKind::Query, OptimizerKind::Momentum, 2.0, 0.05},
    {"prompt nmd p=3", ModelKind::Prompt, OptimizerKind::NMD, 3.0},
    {"prompt joint v, md p=1.5", ModelKind::Prompt, OptimizerKind::MD, 1.5, 0.05, true},
    {"kq nmd p=3", ModelKind::KQ, OptimizerKind::NMD, 3.0},
    {"kq adam", ModelKind::KQ, OptimizerKind::Adam, 2.0, 0.01},
    {"query joint v, nmd p=3", ModelKind::Query, OptimizerKind::NMD, 3.0, 0.1, true},
    {"query joint v, momentum", ModelKind::Query, OptimizerKind::Momentum, 2.0, 0.02, true},
};

const Config& configNamed(std::string_view name) {
  for (const Config& c : kConfigs)
    if (name == c.name) return c;
  throw std::invalid_argument("no config " + std::string(name));
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] replay is bit-identical
// ---------------------------------------------------------------------------------------------------

TEST(Timeline, ReplayToRandomStepsIsBitIdenticalToTheLiveRun) {
  constexpr long long kSteps = attnmd::testing::stepsForBuild(3000);
  for (std::size_t ci = 0; ci < std::size(kConfigs); ++ci) {
    const Config& config = kConfigs[ci];
    const std::uint64_t seed = kSeed + ci;
    SCOPED_TRACE(std::string(config.name) + ", seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    // Random steps to compare at, plus the edges (0, the first thinned ones, the end).
    std::vector<long long> ks = {0, 1, 5, 17, kSteps};
    std::uniform_int_distribution<long long> pick(0, kSteps);
    for (int j = 0; j < 12; ++j) ks.push_back(pick(rng));
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());

    TrainRun live(sceneFor(config, seed));
    auto log = std::make_shared<CheckpointLog>(smallLog());
    live.attachCheckpoints(log);
    std::vector<Snapshot> seen;
    for (std::size_t j = 0; j < ks.size(); ++j) {
      live.step(ks[j] - live.iteration());
      if (live.stopped()) {  // polyak blows up once the gradient vanishes: compare up to the stop
        ks[j] = live.iteration();
        ks.resize(j + 1);
      }
      seen.push_back(snapshotOf(live));
    }
    if (!live.stopped()) {
      EXPECT_GT(log->stride(), smallLog().initialStride) << "the periodic checkpoints were never thinned";
    }

    for (std::size_t j = 0; j < ks.size(); ++j) {
      SCOPED_TRACE("k = " + std::to_string(ks[j]));
      expectSameStep(seen[j], replayTo(live, *log, ks[j]));
      // History and SVM metrics only read the trajectory: any options replay it alike.
      RunOptions other;
      other.history = true;
      other.svmMetrics = (j % 2) == 0;
      expectSameStep(seen[j], replayTo(live, *log, ks[j], other));
    }
  }
}

TEST(Timeline, ReplayClampsTheStepAndStartsFromTheSceneWithoutCheckpoints) {
  const Scene scene = sceneFor(configNamed("query nmd p=3"), kSeed);
  TrainRun live(scene);
  live.step(500);
  const CheckpointLog empty;
  EXPECT_EQ(replayTo(live, empty, -5).iteration(), 0);
  const TrainRun end = replayTo(live, empty, 10'000);
  EXPECT_EQ(end.iteration(), 500);
  expectSameStep(snapshotOf(live), end);
}

TEST(Timeline, AForkSharesTheLiveRunsSvmCacheAndRecordsItsStartWhenAskedTo) {
  TrainRun live(sceneFor(configNamed("query nmd p=3"), kSeed));
  live.step(300);
  const auto svm = live.selectedSvm();
  ASSERT_NE(svm, nullptr);
  RunOptions withHistory;
  const TrainRun fork = live.forkAt(live.checkpoint(), withHistory);
  EXPECT_EQ(fork.selectedSvm().get(), svm.get()) << "the fork solved the SVM again";
  ASSERT_EQ(fork.history().size(), 1u);
  EXPECT_EQ(fork.history().last()->iter, 300);
  EXPECT_EQ(fork.checkpointLog(), nullptr);
  EXPECT_EQ(replayTo(live, CheckpointLog{}, 0).history().size(), 0u) << "replays keep no history";
}

TEST(Timeline, ACheckpointHoldsNoOptimizerScratch) {
  TrainRun live(sceneFor(configNamed("query adam"), kSeed));  // adam: two moments per tensor
  live.step(10);
  const RunCheckpoint c = live.checkpoint();
  ASSERT_EQ(c.optimizer.tensors.size(), 1u);
  const TensorState& t = c.optimizer.tensors[0];
  EXPECT_EQ(t.next.size() + t.nextState.size() + t.nextState2.size() + t.work.size(), 0);
  EXPECT_EQ(t.m1.size(), 100);
  // W, v and adam's two moments (4 x 10 x 10 doubles: W, m1, m2; v is 10) plus bookkeeping.
  EXPECT_GE(c.bytes(), (300u + 10u) * sizeof(double));
  EXPECT_LE(c.bytes(), (300u + 10u) * sizeof(double) + 1024u);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] rewind and continue
// ---------------------------------------------------------------------------------------------------

TEST(Timeline, RewindThenContinueEqualsAnUninterruptedRun) {
  for (const char* name : {"query nmd p=3", "query adam", "kq adam"}) {
    const Config& config = configNamed(name);
    SCOPED_TRACE(config.name);
    const auto scene = std::make_shared<const Scene>(sceneFor(config, kSeed));
    HistoryOptions ho;
    ho.denseSteps = 20;
    ho.pointsPerDecade = 10;
    ho.uniformCapacity = 16;  // thinned several times
    RunOptions options;
    options.historyOptions = ho;

    TrainRun straight(scene, options);
    auto straightLog = std::make_shared<CheckpointLog>(smallLog());
    straight.attachCheckpoints(straightLog);
    straight.step(6000);

    TrainRun rewound(scene, options);
    auto log = std::make_shared<CheckpointLog>(smallLog());
    rewound.attachCheckpoints(log);
    rewound.step(4000);
    const auto at = log->atOrBefore(1234);
    ASSERT_NE(at, nullptr);
    rewound.rewindTo(*at);
    EXPECT_EQ(rewound.iteration(), at->iteration);
    EXPECT_LE(rewound.history().last()->iter, at->iteration);
    EXPECT_EQ(log->lastIteration(), at->iteration);
    rewound.step(6000 - rewound.iteration());

    expectSameStep(snapshotOf(straight), rewound);
    const auto a = straight.history().points(), b = rewound.history().points();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t j = 0; j < a.size(); ++j) {
      ASSERT_EQ(a[j].iter, b[j].iter) << "point " << j;
      EXPECT_TRUE(sameBits(a[j].loss, b[j].loss)) << a[j].iter;
      EXPECT_TRUE(sameBits(a[j].corr, b[j].corr)) << a[j].iter;
      EXPECT_EQ(a[j].selection, b[j].selection) << a[j].iter;
    }
    EXPECT_EQ(straightLog->size(), log->size());
    EXPECT_EQ(straightLog->stride(), log->stride());
    for (long long k = 0; k <= 6000; k += 37)
      EXPECT_EQ(straightLog->atOrBefore(k)->iteration, log->atOrBefore(k)->iteration);
  }
}

TEST(Timeline, RewindClearsTheStopReason) {
  // Plain gd with a huge step on the exponential loss overflows within a few steps (test_run.cpp).
  Scene s = sceneFor(configNamed("query gd"), kSeed);
  s.model.loss = LossKind::Exponential;
  s.model.trainV = true;
  s.optimizer.lr = 1e6;
  TrainRun r(s);
  const RunCheckpoint start = r.checkpoint();
  r.step(1000);
  ASSERT_TRUE(r.stopped());
  const long long stoppedAt = r.iteration();
  r.rewindTo(start);
  EXPECT_FALSE(r.stopped());
  EXPECT_EQ(r.iteration(), 0);
  r.step(1000);
  EXPECT_TRUE(r.stopped());
  EXPECT_EQ(r.iteration(), stoppedAt) << "the same trajectory stops at the same step";
}

TEST(History, TruncateAfterThenContinuingRecordsWhatAnUninterruptedHistoryRecords) {
  HistoryOptions o;
  o.denseSteps = 50;
  o.pointsPerDecade = 20;
  o.uniformCapacity = 64;
  const auto point = [](long long it) {
    MetricsPoint p;
    p.iter = it;
    p.loss = 1.0 / (1.0 + static_cast<double>(it));
    return p;
  };
  const auto selection = [](long long it) { return std::vector<int>{static_cast<int>((it / 7919) % 5), 1}; };
  const auto fill = [&](History& h, long long from, long long to) {
    for (long long it = from; it <= to; ++it)
      if (h.wants(it)) h.record(point(it), selection(it));
  };
  const long long reached = 200000;
  for (long long cut : {0LL, 37LL, 50LL, 51LL, 999LL, 4096LL, 65537LL, 199999LL}) {
    for (long long end : {reached, 3 * reached}) {
      SCOPED_TRACE("cut " + std::to_string(cut) + ", end " + std::to_string(end));
      History straight(o), cutback(o);
      fill(straight, 0, end);
      fill(cutback, 0, reached);
      cutback.truncateAfter(cut);
      for (const MetricsPoint& p : cutback.points()) ASSERT_LE(p.iter, cut);
      fill(cutback, cut + 1, end);
      const auto a = straight.points(), b = cutback.points();
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t j = 0; j < a.size(); ++j) {
        ASSERT_EQ(a[j].iter, b[j].iter) << "point " << j;
        ASSERT_EQ(straight.selections()[a[j].selection], cutback.selections()[b[j].selection]);
      }
      EXPECT_EQ(straight.uniformStride(), cutback.uniformStride());
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] the checkpoint log's bounds
// ---------------------------------------------------------------------------------------------------

// 10^7 steps of the papers' scene (nmd, p = 3) with the default options, fed as copies of one real
// checkpoint (stepping 10^7 times would take ~25 s): the memory bound and the replay distance bound.
TEST(CheckpointLog, TenMillionStepsOfThePapersSceneStayUnder64MBWithShortReplays) {
  TrainRun run(sceneFor(configNamed("query nmd p=3"), kSeed));
  run.step(3);
  const RunCheckpoint real = run.checkpoint();
  CheckpointLog log;
  const long long N = 10'000'000;
  std::size_t peakBytes = 0;
  long long recorded = 0;
  for (long long it = 0; it <= N; it = log.nextWanted(it)) {
    RunCheckpoint c = real;
    c.iteration = it;
    log.record(std::move(c));
    ++recorded;
    peakBytes = std::max(peakBytes, log.bytes());
  }
  const CheckpointOptions& o = log.options();
  std::cout << "10^7 steps: " << log.size() << " checkpoints of " << real.bytes() << " B, " << log.bytes()
            << " B held (peak " << peakBytes << " B), stride " << log.stride() << ", " << recorded
            << " recorded\n";
  EXPECT_LE(peakBytes, 64u << 20);
  EXPECT_LE(log.size(), o.capacity + 200u);  // periodic + log-spaced (~20 a decade)
  EXPECT_LE(log.stride(), 8192);             // <= ~20 ms of replay at ~400k steps/s
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<long long> pick(0, N);
  for (int j = 0; j < 2000; ++j) {
    const long long k = pick(rng);
    const auto c = log.atOrBefore(k);
    ASSERT_NE(c, nullptr);
    ASSERT_LE(c->iteration, k);
    ASSERT_LT(k - c->iteration, log.stride()) << "k = " << k << ", seed " << kSeed;
  }
}

TEST(CheckpointLog, ABytesBudgetThinsLargeCheckpointsSooner) {
  TrainRun run(sceneFor(configNamed("query nmd p=3"), kSeed));
  const RunCheckpoint real = run.checkpoint();
  CheckpointOptions o;
  o.maxBytes = 200 * real.bytes();
  CheckpointLog log(o);
  for (long long it = 0; it <= 1'000'000; it = log.nextWanted(it)) {
    RunCheckpoint c = real;
    c.iteration = it;
    log.record(std::move(c));
  }
  EXPECT_LE(log.bytes(), o.maxBytes + 200 * 100);  // + the slots and control blocks
  EXPECT_LT(log.size(), 200u);
}

TEST(CheckpointLog, NextWantedIsTheFirstStepItWantsAndTruncationResumesTheGrid) {
  CheckpointOptions o = smallLog();
  CheckpointLog log(o);
  TrainRun run(sceneFor(configNamed("query nmd p=3"), kSeed));
  const RunCheckpoint real = run.checkpoint();
  for (long long it = 0; it <= 3000; ++it) {
    if (!log.wants(it)) continue;
    RunCheckpoint c = real;
    c.iteration = it;
    log.record(std::move(c));
    long long next = it + 1;
    while (!log.wants(next)) ++next;
    ASSERT_EQ(log.nextWanted(it), next) << it;
  }
  log.truncateAfter(700);
  EXPECT_LE(log.lastIteration(), 700);
  long long next = 701;
  while (!log.wants(next)) ++next;
  EXPECT_EQ(log.nextWanted(700), next);
}

TEST(CheckpointLog, AReaderThreadScrubsWhileTheRunSteps) {
  const auto scene = std::make_shared<const Scene>(sceneFor(configNamed("query nmd p=3"), kSeed));
  TrainRun live(scene, replayOptions());
  auto log = std::make_shared<CheckpointLog>(smallLog());
  live.attachCheckpoints(log);
  std::atomic<bool> done{false};
  std::thread worker([&] {
    live.step(20000);
    done = true;
  });
  long long reads = 0;
  while (!done) {
    const long long last = log->lastIteration();
    if (auto c = log->atOrBefore(last / 2)) {
      ASSERT_LE(c->iteration, last / 2);
    }
    (void)log->bytes();
    ++reads;
  }
  worker.join();
  EXPECT_GT(reads, 0);
  EXPECT_LE(log->lastIteration(), live.iteration());
  EXPECT_GT(log->lastIteration(), live.iteration() - log->stride());
  expectSameStep(snapshotOf(live), replayTo(live, *log, live.iteration()));
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] events
// ---------------------------------------------------------------------------------------------------

TEST(Timeline, EventsNameSelectionChangesAndTheFirstSaturation) {
  History h;
  const auto at = [](long long it, double log10U) {
    MetricsPoint p;
    p.iter = it;
    p.log10MaxUnselected = log10U;
    return p;
  };
  h.record(at(0, -0.5), {0, 1, 2, 3, 4});
  h.record(at(1, -1), {0, 1, 2, 3, 4});
  h.record(at(2, -2), {0, 1, 2, 2, 4});  // sequence 3 -> token 2
  h.record(at(3, -7), {1, 0, 0, 0, 4});  // four change; saturated
  h.record(at(4, -5), {1, 0, 0, 0, 4});  // not saturated again: no second event
  h.record(at(5, -8), {0, 1, 2, 3, 4});  // back to the first selection (an earlier index)
  const std::vector<TimelineEvent> e = timelineEvents(h);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].iter, 2);
  EXPECT_EQ(e[0].kind, TimelineEventKind::SelectionChange);
  EXPECT_EQ(e[0].text, "selection changes: sequence 3 now token 2");
  EXPECT_EQ(e[1].iter, 3);
  EXPECT_EQ(
      e[1].text,
      "selection changes: sequence 0 now token 1, sequence 1 now token 0, sequence 2 now token 0 and 1 more");
  EXPECT_EQ(e[2].iter, 3);
  EXPECT_EQ(e[2].kind, TimelineEventKind::Saturation);
  EXPECT_EQ(e[2].text, "attention saturates: max 1 \u2212 s < 1e-6");
  EXPECT_EQ(e[3].iter, 5);
  EXPECT_EQ(e[3].kind, TimelineEventKind::SelectionChange);
}

TEST(Timeline, EventsOfARealRunMatchItsHistory) {
  TrainRun r(sceneFor(configNamed("query nmd p=3"), kSeed));
  r.step(20000);
  const auto points = r.history().points();
  const auto events = timelineEvents(r.history());
  const auto saturation = std::find_if(events.begin(), events.end(), [](const TimelineEvent& e) {
    return e.kind == TimelineEventKind::Saturation;
  });
  const auto firstSaturated = std::find_if(points.begin(), points.end(), [](const MetricsPoint& p) {
    return p.log10MaxUnselected < kSaturationLog10;
  });
  ASSERT_NE(firstSaturated, points.end()) << "20,000 nmd steps saturate the papers' scene";
  ASSERT_NE(saturation, events.end());
  EXPECT_EQ(saturation->iter, firstSaturated->iter);
  std::size_t changes = 0;
  for (std::size_t j = 1; j < points.size(); ++j) changes += points[j].selection != points[j - 1].selection;
  EXPECT_EQ(changes,
            static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [](const TimelineEvent& e) {
              return e.kind == TimelineEventKind::SelectionChange;
            })));
}
