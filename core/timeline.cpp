// A run's timeline: the checkpoint log, replays and events (core/timeline.h).
//
// [SECTION] the checkpoint log
// [SECTION] replay
// [SECTION] events
#include "core/timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnmd::core {

// ---------------------------------------------------------------------------------------------------
// [SECTION] the checkpoint log
// ---------------------------------------------------------------------------------------------------

namespace {

// The log grid: round(10^(j / pointsPerDecade)), j = 0, 1, ... (History's grid).
long long logGridValue(long long j, int pointsPerDecade) {
  return std::llround(std::pow(10.0, static_cast<double>(j) / std::max(1, pointsPerDecade)));
}

// The newest entry with iteration <= k, or null.
std::shared_ptr<const RunCheckpoint> newestAtOrBefore(
    const std::vector<std::shared_ptr<const RunCheckpoint>>& v, long long k) {
  // First entry with iteration > k, then one back.
  auto it = std::partition_point(v.begin(), v.end(), [k](const auto& e) { return e->iteration <= k; });
  return it == v.begin() ? nullptr : *(it - 1);
}

}  // namespace

CheckpointLog::CheckpointLog(CheckpointOptions options) : options_(options) {
  stride_ = std::max(1LL, options_.initialStride);
  resetLogGrid(-1);
}

// Moves the log grid to its first value > max(denseSteps, past).
void CheckpointLog::resetLogGrid(long long past) {
  logGridIndex_ = 0;
  nextLogIter_ = 1;
  const long long beyond = std::max(options_.denseSteps, past);
  while (nextLogIter_ <= beyond) nextLogIter_ = logGridValue(++logGridIndex_, options_.pointsPerDecade);
}

bool CheckpointLog::wantsLocked(long long iter) const {
  return iter <= options_.denseSteps || iter >= nextLogIter_ || iter % stride_ == 0;
}

bool CheckpointLog::wants(long long iter) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return wantsLocked(iter);
}

long long CheckpointLog::nextWanted(long long after) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const long long next = after + 1;
  if (next <= options_.denseSteps) return next;
  const long long periodic = (after / stride_ + 1) * stride_;  // first multiple of stride > after
  return std::min(std::max(nextLogIter_, next), periodic);
}

void CheckpointLog::record(RunCheckpoint c) {
  auto entry = std::make_shared<const RunCheckpoint>(std::move(c));
  const long long iter = entry->iteration;
  std::lock_guard<std::mutex> lock(mutex_);
  if (iter <= lastIter_) return;
  lastIter_ = iter;
  checkpointBytes_ += entry->bytes();
  // Each step once: the log-spaced sampling first (as History does), the periodic one otherwise.
  if (iter <= options_.denseSteps || iter >= nextLogIter_) {
    logSpaced_.push_back(std::move(entry));
    while (nextLogIter_ <= iter) nextLogIter_ = logGridValue(++logGridIndex_, options_.pointsPerDecade);
    return;
  }
  periodic_.push_back(std::move(entry));
  thinPeriodic();
}

// Over capacity (count or bytes): drop every checkpoint off the doubled stride, until it fits. The
// log-spaced checkpoints are few (~pointsPerDecade per decade) and never thinned.
void CheckpointLog::thinPeriodic() {
  const std::size_t capacity = std::max<std::size_t>(options_.capacity, 2);
  while (periodic_.size() > 1 && (periodic_.size() > capacity || checkpointBytes_ > options_.maxBytes)) {
    stride_ *= 2;
    const long long stride = stride_;
    std::erase_if(periodic_, [&](const Entry& e) {
      if (e->iteration % stride == 0) return false;
      checkpointBytes_ -= e->bytes();
      return true;
    });
  }
}

std::shared_ptr<const RunCheckpoint> CheckpointLog::atOrBefore(long long k) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto a = newestAtOrBefore(logSpaced_, k), b = newestAtOrBefore(periodic_, k);
  if (!a) return b;
  if (!b) return a;
  return a->iteration >= b->iteration ? a : b;
}

void CheckpointLog::truncateAfter(long long k) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto drop = [&](std::vector<Entry>& v) {
    auto it = std::partition_point(v.begin(), v.end(), [k](const Entry& e) { return e->iteration <= k; });
    for (auto j = it; j != v.end(); ++j) checkpointBytes_ -= (*j)->bytes();
    v.erase(it, v.end());
  };
  drop(logSpaced_);
  drop(periodic_);
  lastIter_ = std::max(logSpaced_.empty() ? -1 : logSpaced_.back()->iteration,
                       periodic_.empty() ? -1 : periodic_.back()->iteration);
  // The stride stays (the kept periodic checkpoints are on it); the log grid resumes after the
  // newest kept log-spaced checkpoint, as if the later ones had never been recorded.
  resetLogGrid(logSpaced_.empty() ? -1 : logSpaced_.back()->iteration);
}

long long CheckpointLog::lastIteration() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lastIter_;
}

long long CheckpointLog::stride() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stride_;
}

std::size_t CheckpointLog::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  // Each entry: the checkpoint, its shared_ptr control block (make_shared: ~16 bytes) and the slot.
  const std::size_t entries = logSpaced_.size() + periodic_.size();
  return sizeof(*this) + checkpointBytes_ + entries * 16 +
         (logSpaced_.capacity() + periodic_.capacity()) * sizeof(Entry);
}

std::size_t CheckpointLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return logSpaced_.size() + periodic_.size();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] replay
// ---------------------------------------------------------------------------------------------------

Run replayTo(const Run& live, const CheckpointLog& log, long long k, RunOptions options) {
  k = std::clamp(k, 0LL, live.iteration());
  std::shared_ptr<const RunCheckpoint> c = log.atOrBefore(k);
  // No checkpoint (an empty log): from the scene's start, which is what the live run began with
  // (forked, so the replay still shares the live run's SVM cache).
  Run run = c ? live.forkAt(*c, options)
              : live.forkAt(Run(live.sharedScene(), replayOptions()).checkpoint(), options);
  run.step(k - run.iteration());
  return run;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] events
// ---------------------------------------------------------------------------------------------------

namespace {

// "sequence 3 now token 2" for each sequence whose selected token differs (at most 3 named).
std::string describeSelectionChange(const std::vector<int>& before, const std::vector<int>& after) {
  constexpr int kMaxNamed = 3;
  std::string named;
  int changed = 0;
  for (std::size_t i = 0; i < after.size() && i < before.size(); ++i) {
    if (before[i] == after[i]) continue;
    if (++changed <= kMaxNamed)
      named += (named.empty() ? "" : ", ") + std::string("sequence ") + std::to_string(i) + " now token " +
               std::to_string(after[i]);
  }
  if (changed == 0) return "selection changes";
  if (changed > kMaxNamed) named += " and " + std::to_string(changed - kMaxNamed) + " more";
  return "selection changes: " + named;
}

}  // namespace

std::vector<TimelineEvent> timelineEvents(const History& history) {
  return timelineEvents(history.points(), history.selections());
}

std::vector<TimelineEvent> timelineEvents(const std::vector<MetricsPoint>& points,
                                          const std::vector<std::vector<int>>& selections) {
  std::vector<TimelineEvent> events;
  const auto known = [&](std::uint32_t s) {
    return s != MetricsPoint::kNoSelection && s < selections.size();
  };
  bool saturated = false;
  for (std::size_t j = 0; j < points.size(); ++j) {
    const MetricsPoint& p = points[j];
    // Indices into the selections table are equal exactly when the selections are (it interns them);
    // a point past the table's budget (kNoSelection) cannot be compared.
    if (j > 0 && known(p.selection) && known(points[j - 1].selection) &&
        p.selection != points[j - 1].selection) {
      events.push_back(
          {p.iter, TimelineEventKind::SelectionChange,
           describeSelectionChange(selections[points[j - 1].selection], selections[p.selection])});
    }
    if (!saturated && p.log10MaxUnselected < kSaturationLog10) {
      saturated = true;
      events.push_back(
          {p.iter, TimelineEventKind::Saturation,
           "attention saturates: max 1 \u2212 s < 1e" + std::to_string(static_cast<int>(kSaturationLog10))});
    }
  }
  return events;
}

}  // namespace attnmd::core
