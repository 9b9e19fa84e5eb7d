#include "app/gui/files/autosave.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "app/gui/files/autosave_parse.h"
#include "app/gui/files/user_dirs.h"
#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;
constexpr const char* kMarkerPrefix = "session-";
constexpr const char* kMarkerSuffix = ".lock";
constexpr const char* kAutosavePrefix = "autosave-";
constexpr const char* kAutosaveSuffix = ".json";

std::string markerFile(const std::string& folder, long pid) {
  return (fs::path(folder) / (kMarkerPrefix + std::to_string(pid) + kMarkerSuffix)).string();
}
std::string autosaveFile(const std::string& folder, long pid) {
  return (fs::path(folder) / (kAutosavePrefix + std::to_string(pid) + kAutosaveSuffix)).string();
}

// The pid in "<prefix><pid><suffix>", or 0 when the name has another form.
long pidFromName(const std::string& name, const char* prefix, const char* suffix) {
  const std::string p = prefix, s = suffix;
  if (name.size() <= p.size() + s.size() || !name.starts_with(p) || !name.ends_with(s)) return 0;
  const std::string digits = name.substr(p.size(), name.size() - p.size() - s.size());
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  try {
    return std::stol(digits);
  } catch (const std::exception&) {
    return 0;
  }
}

// True when a live process holds the marker's lock. A marker that cannot be opened counts as not held.
bool markerHeld(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // also drops the shared lock we may have taken
  return held;
}

std::string readAll(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  ok = static_cast<bool>(in) || in.eof();
  return s.str();
}

}  // namespace

WallClock systemClock() {
  return [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
}

AutosaveSession::AutosaveSession(AutosaveOptions options, WallClock clock)
    : options_(std::move(options)), clock_(std::move(clock)), pid_(static_cast<long>(::getpid())) {}

AutosaveSession::~AutosaveSession() {
  if (lockFd_ >= 0) ::close(lockFd_);
}

std::string AutosaveSession::autosavePath() const {
  return autosaveFile(options_.folder, pid_);
}
std::string AutosaveSession::markerPath() const {
  return markerFile(options_.folder, pid_);
}

std::string AutosaveSession::start() {
  if (lockFd_ >= 0) return {};
  if (std::string e = ensureDir(options_.folder); !e.empty()) return lastError_ = "autosave is off: " + e;
  const std::string marker = markerPath();
  const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return lastError_ = "autosave is off: " + marker + ": " + std::strerror(errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    return lastError_ = "autosave is off: " + marker + ": cannot lock: " + std::strerror(err);
  }
  lockFd_ = fd;
  // The content is for people looking at the folder; the lock is what counts.
  const std::string info = "attnmd session, pid " + std::to_string(pid_) + "\n";
  if (::ftruncate(fd, 0) == 0 && ::write(fd, info.data(), info.size()) < 0) {
    // Harmless: the marker works through its lock, not its content.
  }

  // Markers of dead sessions with nothing to recover are just litter.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.folder, ec)) {
    const std::string name = entry.path().filename().string();
    const long pid = pidFromName(name, kMarkerPrefix, kMarkerSuffix);
    if (pid == 0 || pid == pid_) continue;
    std::error_code e2;
    if (!fs::exists(autosaveFile(options_.folder, pid), e2) && !markerHeld(entry.path().string()))
      fs::remove(entry.path(), e2);
  }
  lastError_.clear();
  return {};
}

std::vector<RecoverableSession> AutosaveSession::findRecoverable(std::vector<std::string>* problems) const {
  std::vector<RecoverableSession> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.folder, ec)) {
    const std::string name = entry.path().filename().string();
    const long pid = pidFromName(name, kAutosavePrefix, kAutosaveSuffix);
    if (pid == 0 || pid == pid_) continue;
    const std::string marker = markerFile(options_.folder, pid);
    if (markerHeld(marker)) continue;  // that session is still running
    RecoverableSession r;
    r.pid = pid;
    r.autosavePath = entry.path().string();
    r.markerPath = marker;
    bool ok = false;
    const std::string text = readAll(r.autosavePath, ok);
    AutosaveContents contents;
    const std::string problem = ok ? parseAutosave(text, contents) : "cannot read it";
    if (!problem.empty()) {
      if (problems) problems->push_back(r.autosavePath + ": " + problem + " (left in place)");
      continue;
    }
    r.savedAt = contents.savedAt;
    r.documentPath = std::move(contents.documentPath);
    r.sceneText = std::move(contents.sceneText);
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(),
            [](const RecoverableSession& a, const RecoverableSession& b) { return a.savedAt > b.savedAt; });
  return out;
}

bool AutosaveSession::tick(std::uint64_t revision, bool modified,
                           const std::function<std::string()>& sceneText, const std::string& documentPath) {
  if (lockFd_ < 0) return false;
  if (!modified) {
    if (haveFile_) {
      std::error_code ec;
      fs::remove(autosavePath(), ec);
      haveFile_ = false;
    }
    savedRevision_ = revision;
    return false;
  }
  if (revision == savedRevision_ && haveFile_) return false;
  const double now = clock_();
  if (now - lastAttempt_ < options_.intervalSeconds) return false;
  return saveNow(revision, sceneText(), documentPath).empty();
}

std::string AutosaveSession::saveNow(std::uint64_t revision, const std::string& sceneText,
                                     const std::string& documentPath) {
  if (lockFd_ < 0) return lastError_.empty() ? "autosave is off" : lastError_;
  const double now = clock_();
  lastAttempt_ = now;
  std::string error;
  const std::string text = autosaveToJson(AutosaveContents{now, documentPath, sceneText}, pid_, error);
  if (!error.empty()) return lastError_ = error;
  if (std::string e = core::writeFileAtomic(autosavePath(), text); !e.empty())
    return lastError_ = "autosave failed: " + e;
  haveFile_ = true;
  savedRevision_ = revision;
  lastSave_ = now;
  lastError_.clear();
  return {};
}

void AutosaveSession::finish() {
  if (lockFd_ < 0) return;
  std::error_code ec;
  fs::remove(autosavePath(), ec);
  fs::remove(markerPath(), ec);
  ::close(lockFd_);
  lockFd_ = -1;
  haveFile_ = false;
}

std::string removeSessionFiles(const RecoverableSession& s) {
  std::error_code ec;
  std::string err;
  for (const std::string& f : {s.autosavePath, s.markerPath}) {
    if (f.empty()) continue;
    fs::remove(f, ec);
    if (ec) err += std::string(err.empty() ? "" : "; ") + f + ": " + ec.message();
  }
  return err;
}

std::string describeSavedAt(double savedAt, double now) {
  // A time no clock gives (a damaged autosave may say "saved_at": 1e300) is unknown: converting it to
  // time_t would overflow, which is undefined (found by tests/fuzz/fuzz_autosave.cpp).
  constexpr double kLatest = 1e11;  // seconds: the year 5138
  const bool known = savedAt > 0 && savedAt < kLatest;
  std::tm tm{};
  char stamp[64] = "an unknown time";
  if (known) {
    const std::time_t t = static_cast<std::time_t>(savedAt);
    if (::localtime_r(&t, &tm)) std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  }
  const double ago = now - savedAt;
  std::string rel;
  if (!known || !(ago >= 0 && ago < kLatest)) {
    rel = "";
  } else if (ago < 60) {
    rel = "less than a minute ago";
  } else if (ago < 3600) {
    const int m = static_cast<int>(ago / 60);
    rel = std::to_string(m) + (m == 1 ? " minute ago" : " minutes ago");
  } else if (ago < 48 * 3600) {
    const int h = static_cast<int>(ago / 3600);
    rel = std::to_string(h) + (h == 1 ? " hour ago" : " hours ago");
  } else {
    rel = std::to_string(static_cast<int>(ago / 86400)) + " days ago";
  }
  return rel.empty() ? std::string(stamp) : std::string(stamp) + " (" + rel + ")";
}

}  // namespace attnmd::gui
