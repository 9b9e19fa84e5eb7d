#include "app/state/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <semaphore>
#include <thread>

#include "app/state/text_format.h"

#include <ctime>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace attnmd::gui {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

constexpr double kPublishInterval = 1.0 / 90;  // snapshots per second while stepping fast
constexpr double kChunkSeconds = 0.004;        // target duration of one chunk of steps

// Every trainer of the process steps under one of these permits: all cores but one. Several runs then
// share the training cores by chunks instead of each taking a core, and the UI and the renderer keep
// one: with 4 runs on 2 cores and no cap, the frame rate fell from ~60 to ~22 fps (--bench-frames,
// 200 tokens, llvmpipe), the UI thread waiting for a core at every frame.
std::counting_semaphore<1024>& trainingCores() {
  static std::counting_semaphore<1024> cores(
      static_cast<std::ptrdiff_t>(std::clamp(std::thread::hardware_concurrency(), 2u, 1025u) - 1));
  return cores;
}

// log10 max_i (1 - s_{i alpha_i}) from the evaluation's log form (docs/theory.md §3), exact far below 1e-16.
double log10MaxUnselected(const core::Evaluation& eval) {
  double m = -INFINITY;
  for (const auto& q : eval.seqs) m = std::max(m, q.logUnselected);
  return m / std::log(10.0);
}

}  // namespace

std::shared_ptr<TrainSnapshot> makeSnapshot(const core::Run& run, std::uint64_t generation,
                                            const TrainSnapshot* previous) {
  auto s = std::make_shared<TrainSnapshot>();
  s->generation = generation;
  s->scene = run.sharedScene();
  s->iteration = run.iteration();
  s->params = run.params();
  s->evaluation = run.evaluation();
  s->selected = run.selectedTokens();
  s->optimal = run.optimalTokens();
  const core::MetricsPoint* last = run.history().last();
  s->metrics = last && last->iter == run.iteration() ? *last : run.currentMetrics();
  s->history = std::make_shared<const std::vector<core::MetricsPoint>>(run.history().points());
  const auto& table = run.history().selections();
  if (previous && previous->generation == generation && previous->selections &&
      previous->selections->size() == table.size())
    s->selections = previous->selections;
  else
    s->selections = std::make_shared<const std::vector<std::vector<int>>>(table);
  s->selectedSvm = run.selectedSvm();
  s->failure = run.stopReason();
  s->trainedSteps = s->iteration;
  return s;
}

std::shared_ptr<TrainSnapshot> makeViewSnapshot(const core::Run& replayed, const TrainSnapshot& live) {
  auto s = std::make_shared<TrainSnapshot>();
  s->generation = live.generation;
  s->scene = replayed.sharedScene();
  s->iteration = replayed.iteration();
  s->params = replayed.params();
  s->evaluation = replayed.evaluation();
  s->selected = replayed.selectedTokens();
  s->optimal = replayed.optimalTokens();
  s->metrics = replayed.currentMetrics();
  s->history = live.history;
  s->selections = live.selections;
  s->selectedSvm = replayed.selectedSvm();
  s->failure = replayed.stopReason();
  s->trainedSteps = live.trainedSteps;
  s->replayed = true;
  return s;
}

std::string stopConditionMet(const StopCondition& stop, long long iteration, const core::Evaluation& eval) {
  char buf[160];
  if (stop.atSteps && iteration >= stop.steps) return "reached " + groupedInt(stop.steps) + " steps";
  if (stop.atLoss && eval.loss < stop.lossBelow) {
    std::snprintf(buf, sizeof buf, "loss < %.3g at step %s", stop.lossBelow, groupedInt(iteration).c_str());
    return buf;
  }
  if (stop.atUnselected && !eval.seqs.empty() &&
      log10MaxUnselected(eval) < std::log10(stop.unselectedBelow)) {
    std::snprintf(buf, sizeof buf, "max 1 \xE2\x88\x92 s < %.3g at step %s", stop.unselectedBelow,
                  groupedInt(iteration).c_str());
    return buf;
  }
  return {};
}

Trainer::Trainer(TrainerMode mode) : mode_(mode) {
  if (mode_ == TrainerMode::Threaded) thread_ = std::thread([this] { work(); });
}

Trainer::~Trainer() {
  {
    std::lock_guard lk(mutex_);
    quit_ = true;
    cancel_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Trainer::restart(std::shared_ptr<const core::Scene> scene) {
  // Step 0 on this thread, so the new state is visible in this frame: the evaluation at the initial
  // parameters, without the SVM metrics (svmMetrics off: nothing is solved here).
  core::RunOptions preview;
  preview.svmMetrics = false;
  const core::Run first(scene, preview);
  auto snap = makeSnapshot(first, 0);
  {
    std::lock_guard lk(mutex_);
    snap->generation = ++generation_;
    runStopped_ = first.stopped();
    if (runStopped_) playing_ = false;
    stopUnpublished_ = false;
    snapshot_ = std::move(snap);
    incoming_ = std::move(scene);
    checkpoints_.reset();
    pending_ = 0;
    view_.reset();
    viewRequest_.reset();
    rewindRequest_.reset();
    cancel_ = true;  // the chunk in flight belongs to the old run
  }
  wake_.notify_all();
  idle_.notify_all();
}

void Trainer::setPlaying(bool playing) {
  {
    std::lock_guard lk(mutex_);
    playing_ = playing && !runStopped_;
    stopUnpublished_ = false;
  }
  wake_.notify_all();
}

bool Trainer::playing() const {
  std::lock_guard lk(mutex_);
  // A run that just stopped counts as playing until the snapshot saying why is out, so whoever sees
  // it paused also sees the reason.
  return playing_ || stopUnpublished_;
}

void Trainer::requestSteps(long long k) {
  {
    std::lock_guard lk(mutex_);
    if (runStopped_) return;
    pending_ += std::max(0LL, k);
  }
  wake_.notify_all();
}

long long Trainer::pendingSteps() const {
  std::lock_guard lk(mutex_);
  return pending_;
}

void Trainer::setSpeed(double stepsPerSecond) {
  {
    std::lock_guard lk(mutex_);
    speed_ = stepsPerSecond;
  }
  wake_.notify_all();
}

void Trainer::setStopCondition(const StopCondition& stop) {
  std::lock_guard lk(mutex_);
  stop_ = stop;
}

std::shared_ptr<const TrainSnapshot> Trainer::snapshot() const {
  std::lock_guard lk(mutex_);
  return snapshot_;
}

std::shared_ptr<const TrainSnapshot> Trainer::viewSnapshot() const {
  std::lock_guard lk(mutex_);
  return view_;
}

void Trainer::requestView(std::optional<long long> k) {
  {
    std::lock_guard lk(mutex_);
    if (!k) view_.reset();
    viewRequest_ = k;
  }
  wake_.notify_all();
}

void Trainer::requestRewind(long long k) {
  {
    std::lock_guard lk(mutex_);
    rewindRequest_ = std::max(0LL, k);
    playing_ = false;
    stopUnpublished_ = false;
    pending_ = 0;
  }
  wake_.notify_all();
}

std::size_t Trainer::checkpointBytes() const {
  std::lock_guard lk(mutex_);
  return checkpoints_ ? checkpoints_->bytes() : 0;
}

std::shared_ptr<const core::CheckpointLog> Trainer::checkpointLog() const {
  std::lock_guard lk(mutex_);
  return checkpoints_;
}

double Trainer::stepsPerSecond() const {
  std::lock_guard lk(mutex_);
  return stepsPerSecond_;
}

double Trainer::workerCpuSeconds() const {
  std::lock_guard lk(mutex_);
  return workerCpuSeconds_;
}

bool Trainer::busy() const {
  std::lock_guard lk(mutex_);
  return hasWorkLocked() || workerStepping_ || (incoming_ != nullptr) || viewRequest_.has_value() ||
         rewindRequest_.has_value();
}

bool Trainer::hasWorkLocked() const {
  return !runStopped_ && (pending_ > 0 || playing_);
}

bool Trainer::waitIdle(double timeoutSeconds) {
  if (mode_ == TrainerMode::Synchronous) {
    setPlaying(false);
    while (busy()) pump();
    return true;
  }
  std::unique_lock lk(mutex_);
  return idle_.wait_for(lk, std::chrono::duration<double>(timeoutSeconds), [&] {
    return runStopped_ || (pending_ == 0 && !workerStepping_ && !(incoming_ != nullptr) &&
                           !viewRequest_.has_value() && !rewindRequest_.has_value());
  });
}

void Trainer::serveRequests(core::Run& run, std::uint64_t gen, std::unique_lock<std::mutex>& lk) {
  if (rewindRequest_) {
    const long long k = *rewindRequest_;
    rewindRequest_.reset();
    const std::shared_ptr<core::CheckpointLog> log = checkpoints_;
    lk.unlock();
    // Replay to exactly k, then move the live run back to that state: history and checkpoints after
    // k are dropped, so the next steps continue the same trajectory from k.
    const core::Run at = core::replayTo(run, *log, k);
    run.rewindTo(at.checkpoint());
    auto snap = makeSnapshot(run, gen);
    lk.lock();
    if (gen == generation_) {
      runStopped_ = run.stopped();
      snapshot_ = std::move(snap);
      view_.reset();
    }
  }
  if (viewRequest_) {
    const std::optional<long long> k = *viewRequest_;
    viewRequest_.reset();
    if (!k) {
      view_.reset();
      return;
    }
    const std::shared_ptr<core::CheckpointLog> log = checkpoints_;
    const std::shared_ptr<const TrainSnapshot> live = snapshot_;
    lk.unlock();
    std::shared_ptr<const TrainSnapshot> view;
    if (*k >= run.iteration()) {
      view = makeSnapshot(run, gen);  // the furthest step is the live run itself
    } else {
      const core::Run replayed = core::replayTo(run, *log, *k);
      view = makeViewSnapshot(replayed, *makeSnapshot(run, gen, live.get()));
    }
    lk.lock();
    if (gen == generation_ && !viewRequest_) view_ = std::move(view);
  }
}

long long Trainer::stepChunk(core::Run& run, std::uint64_t gen, long long k, bool single,
                             std::unique_lock<std::mutex>& lk, std::string& reason) {
  const StopCondition stop = stop_;
  long long taken = 0;
  workerStepping_ = true;
  if (k > 0) {
    lk.unlock();
    {
      struct Permit {  // released however step() returns
        Permit() { trainingCores().acquire(); }
        ~Permit() { trainingCores().release(); }
      } permit;
      taken = run.step(k, &cancel_);
    }
    lk.lock();
  }
  if (gen != generation_) {  // replaced while stepping: discard
    workerStepping_ = false;
    stopUnpublished_ = false;
    idle_.notify_all();
    return 0;
  }
  if (single) pending_ = std::max(0LL, pending_ - taken);
  if (run.stopped()) {
    runStopped_ = true;
    stopUnpublished_ = playing_;
    playing_ = false;
    pending_ = 0;
  }
  // Playing: the stop condition is checked after every chunk (cheap: reads the run's evaluation).
  if (playing_ && !single) {
    reason = stopConditionMet(stop, run.iteration(), run.evaluation());
    if (!reason.empty()) {
      playing_ = false;
      stopUnpublished_ = true;
    }
  }
  return taken;
}

bool Trainer::takeIncoming(std::optional<core::Run>& run, std::uint64_t& gen,
                           std::unique_lock<std::mutex>& lk) {
  const std::shared_ptr<const core::Scene> scene = std::move(incoming_);
  incoming_.reset();
  const std::uint64_t g = generation_;
  run.reset();
  workerStepping_ = true;
  lk.unlock();
  std::optional<core::Run> built;
  auto log = std::make_shared<core::CheckpointLog>();
  std::shared_ptr<TrainSnapshot> snap;
  try {
    built.emplace(scene);  // step-0 metrics: may solve the run's SVM (off the UI thread)
    built->attachCheckpoints(log);
    snap = makeSnapshot(*built, g);
  } catch (const std::exception&) {
    built.reset();  // restart() built the same scene, so this is not expected; keep the preview
  }
  lk.lock();
  workerStepping_ = false;
  if (generation_ != g || incoming_) return false;  // restarted again meanwhile
  if (!built) return false;
  run = std::move(built);
  gen = g;
  checkpoints_ = std::move(log);
  snapshot_ = std::move(snap);
  cancel_ = false;
  return true;
}

long long Trainer::pump() {
  if (mode_ != TrainerMode::Synchronous) return 0;
  std::unique_lock lk(mutex_);
  if (incoming_) {
    syncRun_.reset();
    takeIncoming(syncRun_, syncGen_, lk);
  }
  if (!syncRun_) return 0;
  core::Run& run = *syncRun_;
  serveRequests(run, syncGen_, lk);
  if (!hasWorkLocked()) return 0;
  const bool single = pending_ > 0;
  long long k = single ? pending_ : kPumpSteps;
  if (!single && stop_.atSteps) k = std::max(0LL, std::min(k, stop_.steps - run.iteration()));
  std::string reason;
  const long long taken = stepChunk(run, syncGen_, k, single, lk, reason);
  const std::shared_ptr<const TrainSnapshot> previous = snapshot_;
  auto snap = makeSnapshot(run, syncGen_, previous.get());
  snap->pauseReason = reason;
  snapshot_ = std::move(snap);
  workerStepping_ = false;
  stopUnpublished_ = false;
  return taken;
}

// The worker runs at the lowest scheduling priority (nice +19): training takes the cycles the frame leaves.
// With a software renderer on 2 cores, a worker at equal priority halves the frame rate (measured
// with --bench-frames: ~30 fps instead of ~50 with 200 tokens at 1600x1000); on an idle machine the
// worker still gets every cycle the UI does not use.
constexpr int kWorkerNice = 19;

static void lowerWorkerPriority() {
#if defined(__linux__)
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)),
              kWorkerNice);  // threads have own nice on Linux
#endif
}

void Trainer::work() {
  lowerWorkerPriority();
  std::optional<core::Run> run;
  std::uint64_t gen = 0;
  long long chunk = 1;  // steps per chunk, adapted so a chunk takes about kChunkSeconds
  double budget = 0;    // rate-limited play: steps owed
  Clock::time_point lastTick = Clock::now(), lastPublish = Clock::now(), rateStart = Clock::now();
  long long rateSteps = 0;

  std::unique_lock lk(mutex_);
  for (;;) {
    wake_.wait(lk, [&] {
      return quit_ || (incoming_ != nullptr) ||
             (run && (hasWorkLocked() || viewRequest_.has_value() || rewindRequest_.has_value()));
    });
    if (quit_) return;
    if (incoming_) {
      takeIncoming(run, gen, lk);
      budget = 0;
      lastTick = Clock::now();
      idle_.notify_all();
      continue;
    }
    if (viewRequest_ || rewindRequest_) {
      workerStepping_ = true;
      serveRequests(*run, gen, lk);
      workerStepping_ = false;
      idle_.notify_all();
      continue;
    }

    // How many steps now.
    const bool single = pending_ > 0;
    long long k = single ? std::min(pending_, chunk) : chunk;
    const auto now = Clock::now();
    if (!single && speed_ > 0) {
      budget = std::min(budget + speed_ * seconds(now - lastTick), std::max(1.0, speed_ * 0.25));
      lastTick = now;
      if (budget < 1) {
        const double wait = (1 - budget) / speed_;
        wake_.wait_for(lk, std::chrono::duration<double>(std::min(wait, 0.05)));
        continue;
      }
      k = std::min(k, static_cast<long long>(budget));
      budget -= static_cast<double>(k);
    } else {
      lastTick = now;
    }
    if (!single && stop_.atSteps) k = std::min(k, stop_.steps - run->iteration());

    // workerStepping_ stays set until this chunk's snapshot is published, so waitIdle() returns only
    // once the UI can see the final state.
    const auto t0 = Clock::now();
    std::string reason;
    const long long taken = stepChunk(*run, gen, k, single, lk, reason);
    if (gen != generation_) continue;
    const double dt = seconds(Clock::now() - t0);
    if (taken > 0 && dt > 0)
      chunk = std::clamp<long long>(static_cast<long long>(static_cast<double>(taken) * kChunkSeconds / dt),
                                    1, 1 << 20);
    timespec cpu{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
      workerCpuSeconds_ = static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec);

    rateSteps += taken;
    const auto t = Clock::now();
    if (seconds(t - rateStart) >= 0.5) {
      stepsPerSecond_ = static_cast<double>(rateSteps) / seconds(t - rateStart);
      rateSteps = 0;
      rateStart = t;
    }
    const bool stillWorking = hasWorkLocked();
    if (!stillWorking) stepsPerSecond_ = 0;
    if (!stillWorking || seconds(t - lastPublish) >= kPublishInterval) {
      const std::shared_ptr<const TrainSnapshot> previous = snapshot_;
      lk.unlock();
      auto snap = makeSnapshot(*run, gen, previous.get());
      lk.lock();
      if (gen == generation_) {
        snap->pauseReason = reason;
        snapshot_ = std::move(snap);
        lastPublish = Clock::now();
      }
    }
    workerStepping_ = false;
    stopUnpublished_ = false;
    idle_.notify_all();
  }
}

}  // namespace attnmd::gui
