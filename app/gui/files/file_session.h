// The document's life as a file (issue 6 §1, §3): which file it is, File > New / Open / Save / Save As,
// recent files, drag-and-drop, Copy / Paste scene through the clipboard, the unsaved-changes prompt
// before New / Open / Quit, autosave with crash recovery at start, and the preferences file.
//
// The app owns one FileSession and calls it from its menu bar, its shortcuts and once per frame
// (frame(): prompts, the file browser, autosave). It knows the Document and nothing else of the app;
// the app learns about replaced documents through `documentReplaced` and shows `notify` messages in the
// status bar. Everything is testable with a null-backend ImGui context and temporary XDG folders.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/gui/files/autosave.h"
#include "app/gui/files/file_browser.h"
#include "app/gui/files/prefs.h"
#include "app/gui/files/recovery_prompt.h"
#include "app/gui/files/unsaved_prompt.h"
#include "app/gui/files/user_dirs.h"
#include "app/state/doc_extras.h"
#include "app/state/document.h"

namespace attnmd::gui {

struct FileSessionOptions {
  UserDirs dirs = userDirs();  // preferences and autosave folders
  bool autosave = true;        // false: no marker, no autosave, no recovery (scripted runs)
  // At most one autosave per this many seconds: short enough that a crash loses no edit older than 2 s
  // (tests/ui/test_crash_safety.cpp kills an editing session 100 times to check it).
  double autosaveSeconds = 1.5;
  WallClock clock = systemClock();
};

class FileSession {
 public:
  explicit FileSession(FileSessionOptions options = {});

  // Loads the preferences, takes the autosave marker and queues dead sessions' autosaves in the
  // recovery prompt. Returns messages worth showing (corrupt preferences, autosave off, ...).
  std::vector<std::string> start();
  // Clean exit: saves the preferences and removes this session's autosave and marker.
  void finish();

  UserPrefs& prefs() { return prefs_; }
  const UserPrefs& prefs() const { return prefs_; }
  // Writes the preferences now; "" or the message (also notified).
  std::string savePrefs();

  const std::string& path() const { return path_; }  // the document's file; "" while untitled
  // The app opened `path` before the first frame (--scene): it becomes the document's file.
  void setOpened(const std::string& path);
  std::string displayName() const;  // "demo.json", "untitled", or "clusters-2d (new)" from a preset
  // The name exports and Save As start from: the file's stem, a preset's or generator's name, or
  // "untitled".
  std::string documentStem() const;
  std::string windowTitle(const Document& doc) const;  // "demo.json • (modified) — attnmd"
  // Where exports go: the chosen export folder, else the document's folder, else the working folder.
  std::string exportFolder() const;

  // ---- actions (menus, shortcuts, drag-and-drop); those that would drop unsaved changes ask first
  void newScene(Document& doc);
  void open(Document& doc);                               // the file browser
  void openPath(Document& doc, const std::string& path);  // a recent file, a dropped file
  // A preset or generated scene as a new untitled document named `name` (asking first if needed):
  // Save never writes it over the file that was open.
  void openNew(Document& doc, LoadedDocument scene, const std::string& name);
  // Dropped files: opens the first *.json (asking first if needed); says so when there is none.
  void openDropped(Document& doc, const std::vector<std::string>& paths);
  bool save(Document& doc);  // Save As when untitled; false when not saved (yet)
  void saveAs(Document& doc);
  void chooseExportFolder();
  void copyScene(const Document& doc);
  void pasteScene(Document& doc);                        // the clipboard's text
  bool pasteText(Document& doc, std::string_view text);  // one undoable "paste scene" edit
  void requestQuit(Document& doc);
  bool quitApproved() const { return quitApproved_; }

  // The File menu's items (call between BeginMenu("File") and EndMenu()).
  void fileMenuItems(Document& doc);
  // Ctrl+N, Ctrl+O, Ctrl+S, Ctrl+Shift+S, Ctrl+Shift+C, Ctrl+Shift+V.
  void handleShortcuts(Document& doc);
  // Once per frame after the app's windows: the prompts, the file browser, autosave.
  void frame(Document& doc, float scale);
  // A prompt or the file browser is on screen (the app's own keys wait).
  bool modalOpen() const;

  std::function<void(const std::string&)> notify;  // a status-bar message
  std::function<DocState()> newDocument;           // what File > New starts from
  std::function<void()> documentReplaced;          // after New / Open / restore: reset run, fit view
  // A file the document cannot open: true when the app opened it as another kind of scene (NTP); false
  // with `error` set when it is that kind but cannot be opened (the field that is wrong).
  std::function<bool(const std::string& path, std::string& error)> openOtherKind;

  // For tests and the app's screenshots of the dialogs.
  FileBrowser& browser() { return browser_; }
  const FileBrowser& browser() const { return browser_; }
  UnsavedPrompt& unsavedPrompt() { return unsaved_; }
  const UnsavedPrompt& unsavedPrompt() const { return unsaved_; }
  RecoveryPrompt& recoveryPrompt() { return recovery_; }
  const RecoveryPrompt& recoveryPrompt() const { return recovery_; }
  AutosaveSession* autosave() { return autosave_.get(); }

 private:
  enum class Pending { None, New, OpenBrowser, OpenPath, OpenNew, Quit };
  enum class BrowserFor { None, OpenScene, SaveScene, ExportFolder };

  void say(const std::string& message) const;
  // Runs `what` now when the document has no unsaved changes, else asks first.
  void guarded(Document& doc, Pending what, std::string path = {});
  void perform(Document& doc, Pending what, const std::string& path);
  bool saveTo(Document& doc, const std::string& path);
  void install(Document& doc, LoadedDocument loaded, const std::string& path);
  void restore(Document& doc, const RecoverableSession& session);
  std::string startFolder() const;

  FileSessionOptions options_;
  UserPrefs prefs_;
  std::string prefsPath_;
  std::unique_ptr<AutosaveSession> autosave_;
  std::string path_;
  FileBrowser browser_;
  BrowserFor browserFor_ = BrowserFor::None;
  UnsavedPrompt unsaved_;
  RecoveryPrompt recovery_;
  Pending pending_ = Pending::None;  // waiting for the unsaved-changes answer (or a Save As)
  std::string pendingPath_;          // OpenPath: the file; OpenNew: the new document's name
  LoadedDocument pendingScene_;      // OpenNew: the scene waiting for the unsaved-changes answer
  std::string newName_;              // an untitled document's name from its preset or generator
  bool quitApproved_ = false;
  std::string autosaveError_;  // last autosave failure already reported
};

}  // namespace attnmd::gui
