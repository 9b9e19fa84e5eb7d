// Autosave and crash recovery (issue 6 §3).
//
// Each running attnmd holds a session marker, $XDG_STATE_HOME/attnmd/session-<pid>.lock, locked with
// flock(2) for as long as the process lives: the kernel drops the lock when the process dies, however it
// dies (crash, SIGKILL, power loss), so "marker present but not locked" means "that session did not
// exit cleanly", with no guessing from pids that may have been reused. While the document has unsaved
// changes, it is written every few seconds (only when it changed) to autosave-<pid>.json beside the
// marker, with the atomic writer. A clean exit (finish()) removes both files.
//
// At the next start, findRecoverable() lists the dead sessions that left an autosave; the app offers
// to restore the newest (RecoveryPrompt) and discards or adopts it. Nothing here needs a GUI: the clock
// and the folder are injected, so tests simulate crashes with fork + SIGKILL.
//
// autosave-<pid>.json:
//   { "format": "attnmd-autosave", "version": 1, "saved_at": 1717171717.25, "pid": 4242,
//     "document_path": "/home/me/demo.json", "scene": { ...a scene file... } }
// (read and written by autosave_parse.h, which needs no folder).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace attnmd::gui {

// Seconds since the Unix epoch (wall time: the recovery prompt shows when a file was saved).
using WallClock = std::function<double()>;
WallClock systemClock();

struct AutosaveOptions {
  std::string folder;          // the state folder (UserDirs::state); created when needed
  double intervalSeconds = 5;  // at most one write per interval
};

// What a session that did not exit cleanly left behind.
struct RecoverableSession {
  long pid = 0;
  double savedAt = 0;        // Unix seconds of the last autosave
  std::string documentPath;  // the file that session had open; "" for an untitled scene
  std::string sceneText;     // the scene (a scene file's JSON) to parse with core::parseScene
  std::string autosavePath;  // files to remove once the user decided
  std::string markerPath;
};

class AutosaveSession {
 public:
  explicit AutosaveSession(AutosaveOptions options, WallClock clock = systemClock());
  // Releases the lock but leaves the files: only finish() marks a clean exit.
  ~AutosaveSession();
  AutosaveSession(const AutosaveSession&) = delete;
  AutosaveSession& operator=(const AutosaveSession&) = delete;

  // Creates the folder and takes this process's marker; removes markers of dead sessions that left no
  // autosave. Returns "" or why autosave is off (then tick() does nothing).
  std::string start();
  bool active() const { return lockFd_ >= 0; }

  // Dead sessions with an autosave, newest first (ours and live ones are skipped). Unreadable autosave
  // files are skipped too and named in `problems` (when given), never deleted.
  std::vector<RecoverableSession> findRecoverable(std::vector<std::string>* problems = nullptr) const;

  // Once per frame. While `modified`, writes `sceneText()` when `revision` differs from the last
  // autosaved one and the interval has passed since the last write; when not modified (just saved or
  // opened), removes the autosave (the file on disk is the user's copy). Returns true when it wrote.
  // A failed write is retried at the next interval; lastError() says why.
  bool tick(std::uint64_t revision, bool modified, const std::function<std::string()>& sceneText,
            const std::string& documentPath);
  // Writes now, whatever the interval (e.g. before a risky operation). "" or the error.
  std::string saveNow(std::uint64_t revision, const std::string& sceneText, const std::string& documentPath);

  // Clean exit: removes this session's autosave and marker, and releases the lock.
  void finish();

  const std::string& lastError() const { return lastError_; }
  double lastSaveTime() const { return lastSave_; }  // clock() of the last write; < 0 before any
  std::string autosavePath() const;
  std::string markerPath() const;

 private:
  AutosaveOptions options_;
  WallClock clock_;
  long pid_ = 0;
  int lockFd_ = -1;
  bool haveFile_ = false;  // our autosave file exists
  std::uint64_t savedRevision_ = 0;
  double lastSave_ = -1;
  double lastAttempt_ = -1e300;
  std::string lastError_;
};

// Removes a dead session's files (after Restore, once the restored scene is in the document, or on
// Discard). Returns "" or a message.
std::string removeSessionFiles(const RecoverableSession& session);

// "2024-06-01 14:03:12 (5 minutes ago)", in local time; "an unknown time" for a time no clock gives
// (not positive, or past the year 5138).
std::string describeSavedAt(double savedAt, double now);

}  // namespace attnmd::gui
