#include "app/cli/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace attnmd::cli {

std::string groupThousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out += ',';
    out += digits[k];
  }
  return value < 0 ? "-" + out : out;
}

namespace {

std::string shortRate(double perSecond) {
  char buf[32];
  if (perSecond >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", perSecond / 1e6);
  else if (perSecond >= 1e3)
    std::snprintf(buf, sizeof buf, "%.0fk", perSecond / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", perSecond);
  return buf;
}

std::string shortDuration(double seconds) {
  char buf[32];
  if (seconds < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", std::ceil(seconds));
  else if (seconds < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(seconds) / 3600,
                  (static_cast<int>(seconds) % 3600) / 60);
  return buf;
}

}  // namespace

std::string progressLine(long long done, long long total, double seconds, int barWidth) {
  const double fraction =
      total > 0 ? std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(fraction * barWidth);
  std::string line = "[";
  line.append(static_cast<std::size_t>(filled), '#');
  line.append(static_cast<std::size_t>(barWidth - filled), '.');
  line += ']';
  char pct[16];
  std::snprintf(pct, sizeof pct, " %3d%%  ", static_cast<int>(fraction * 100));
  line += pct;
  line += groupThousands(done) + "/" + groupThousands(total) + " steps";
  if (seconds > 0 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    line += "  " + shortRate(rate) + " steps/s";
    if (done < total) line += "  ETA " + shortDuration(static_cast<double>(total - done) / rate);
  }
  return line;
}

ProgressBar::ProgressBar(std::ostream& err, long long total, bool enabled)
    : err_(err), total_(total), enabled_(enabled), start_(Clock::now()), lastDraw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(long long done) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  const std::string line = progressLine(done, total_, std::chrono::duration<double>(now - start_).count());
  err_ << '\r' << line;
  if (line.size() < lastWidth_) err_ << std::string(lastWidth_ - line.size(), ' ');
  err_.flush();
  lastWidth_ = line.size();
  lastDraw_ = now;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  err_ << '\r' << std::string(lastWidth_, ' ') << '\r';
  err_.flush();
  drawn_ = false;
}

}  // namespace attnmd::cli
