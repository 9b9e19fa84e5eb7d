// Run history: dense early steps, a log-spaced grid and a thinning uniform buffer (docs/theory.md §7).
#include "core/history.h"

#include <algorithm>
#include <cmath>

namespace attnmd::core {

namespace {

long long logGridValue(long long j, int pointsPerDecade) {
  return std::llround(std::pow(10.0, static_cast<double>(j) / std::max(1, pointsPerDecade)));
}

bool byIter(const MetricsPoint& a, const MetricsPoint& b) {
  return a.iter < b.iter;
}

// Appends the points of two ascending lists with iter in [first, last], merged in ascending order.
void mergeRange(const std::vector<MetricsPoint>& a, const std::vector<MetricsPoint>& b, long long first,
                long long last, std::vector<MetricsPoint>& out) {
  MetricsPoint lo, hi;
  lo.iter = first;
  hi.iter = last;
  auto ai = std::lower_bound(a.begin(), a.end(), lo, byIter), ae = std::upper_bound(ai, a.end(), hi, byIter);
  auto bi = std::lower_bound(b.begin(), b.end(), lo, byIter), be = std::upper_bound(bi, b.end(), hi, byIter);
  out.reserve(static_cast<std::size_t>((ae - ai) + (be - bi)));
  std::merge(ai, ae, bi, be, std::back_inserter(out), byIter);
}

std::uint64_t hashSelection(const std::vector<int>& s) {
  std::uint64_t h = 1469598103934665603ull ^ s.size();  // FNV-1a over the indices
  for (int v : s) {
    h ^= static_cast<std::uint32_t>(v);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

History::History(HistoryOptions options) : options_(options) {
  clear();
}

void History::clear() {
  logSpaced_.clear();
  uniform_.clear();
  uniformStride_ = 1;
  lastIter_ = -1;
  selections_.clear();
  selectionIndex_.clear();
  lastSelection_ = 0;
  selectionInts_ = 0;
  options_.uniformCapacity = std::max(options_.uniformCapacity, 2);
  logGridIndex_ = 0;
  nextLogIter_ = 0;
  advanceLogGrid(std::max(options_.denseSteps, 0LL));
}

// Moves nextLogIter_ to the first grid value > past.
void History::advanceLogGrid(long long past) {
  while (nextLogIter_ <= past) nextLogIter_ = logGridValue(++logGridIndex_, options_.pointsPerDecade);
}

std::uint32_t History::internSelection(const std::vector<int>& selection) {
  if (!selections_.empty() && selections_[lastSelection_] == selection) return lastSelection_;
  std::vector<std::uint32_t>& bucket = selectionIndex_[hashSelection(selection)];
  for (std::uint32_t k : bucket)
    if (selections_[k] == selection) return lastSelection_ = k;
  if (selectionInts_ + static_cast<long long>(selection.size()) > options_.selectionBudget)
    return MetricsPoint::kNoSelection;
  selectionInts_ += static_cast<long long>(selection.size());
  selections_.push_back(selection);
  bucket.push_back(static_cast<std::uint32_t>(selections_.size() - 1));
  return lastSelection_ = bucket.back();
}

void History::record(const MetricsPoint& point, const std::vector<int>& selection) {
  if (point.iter <= lastIter_) return;
  lastIter_ = point.iter;
  MetricsPoint p = point;
  p.selection = internSelection(selection);
  if (p.iter <= options_.denseSteps || p.iter >= nextLogIter_) {
    logSpaced_.push_back(p);
    advanceLogGrid(p.iter);
    return;
  }
  uniform_.push_back(p);
  // Full: drop every point off the doubled stride (keeps the uniform sampling even).
  while (static_cast<int>(uniform_.size()) > options_.uniformCapacity) {
    uniformStride_ *= 2;
    const long long stride = uniformStride_;
    std::erase_if(uniform_, [stride](const MetricsPoint& q) { return q.iter % stride != 0; });
  }
}

void History::truncateAfter(long long iter) {
  const auto after = [iter](const MetricsPoint& p) { return p.iter > iter; };
  std::erase_if(logSpaced_, after);
  std::erase_if(uniform_, after);
  const MetricsPoint* newest = last();
  lastIter_ = newest ? newest->iter : -1;
  // clear()'s grid start, then past the newest log-spaced point (record() leaves nextLogIter_ at the
  // first grid value beyond the last log-spaced point it stored).
  logGridIndex_ = 0;
  nextLogIter_ = 0;
  advanceLogGrid(std::max(options_.denseSteps, logSpaced_.empty() ? 0LL : logSpaced_.back().iter));
}

std::vector<MetricsPoint> History::points() const {
  std::vector<MetricsPoint> out;
  mergeRange(logSpaced_, uniform_, std::numeric_limits<long long>::min(),
             std::numeric_limits<long long>::max(), out);
  return out;
}

std::vector<MetricsPoint> History::points(long long first, long long last) const {
  std::vector<MetricsPoint> out;
  mergeRange(logSpaced_, uniform_, first, last, out);
  return out;
}

const MetricsPoint* History::last() const {
  const MetricsPoint* a = logSpaced_.empty() ? nullptr : &logSpaced_.back();
  const MetricsPoint* b = uniform_.empty() ? nullptr : &uniform_.back();
  if (!a) return b;
  if (!b) return a;
  return a->iter > b->iter ? a : b;
}

std::size_t History::size() const {
  return logSpaced_.size() + uniform_.size();
}

std::size_t History::bytes() const {
  std::size_t b = sizeof(*this) + (logSpaced_.capacity() + uniform_.capacity()) * sizeof(MetricsPoint);
  for (const auto& s : selections_) b += sizeof(s) + s.capacity() * sizeof(int);
  b += selectionIndex_.size() * (sizeof(std::uint64_t) + sizeof(std::vector<std::uint32_t>) + 32);
  return b;
}

}  // namespace attnmd::core
