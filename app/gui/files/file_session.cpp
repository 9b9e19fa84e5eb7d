// [SECTION] start, finish, names
// [SECTION] actions: new, open, save, clipboard, quit
// [SECTION] menu, shortcuts, per-frame prompts and autosave
#include "app/gui/files/file_session.h"

#include <GLFW/glfw3.h>  // key codes only: the 1.86 GLFW backend indexes io.KeysDown by GLFW keys
#include <imgui.h>

#include <filesystem>
#include <system_error>

#include "app/state/document_io.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

std::string fileName(const std::string& path) {
  return fs::path(path).filename().string();
}

}  // namespace

// =================================================================================================
// [SECTION] start, finish, names
// =================================================================================================

FileSession::FileSession(FileSessionOptions options) : options_(std::move(options)) {}

std::vector<std::string> FileSession::start() {
  std::vector<std::string> messages;
  prefsPath_ = prefsPath(options_.dirs);
  PrefsLoad loaded = loadPrefs(prefsPath_);
  prefs_ = std::move(loaded.prefs);
  if (!loaded.message.empty()) messages.push_back(loaded.message);
  if (options_.autosave) {
    autosave_ = std::make_unique<AutosaveSession>(
        AutosaveOptions{options_.dirs.state, options_.autosaveSeconds}, options_.clock);
    if (std::string e = options_.dirs.state.empty() ? "autosave is off: no state folder (HOME is not set)"
                                                    : autosave_->start();
        !e.empty()) {
      messages.push_back(e);
    } else {
      std::vector<std::string> problems;
      recovery_.pending = autosave_->findRecoverable(&problems);
      messages.insert(messages.end(), problems.begin(), problems.end());
    }
  }
  return messages;
}

void FileSession::finish() {
  savePrefs();
  if (autosave_) autosave_->finish();
}

std::string FileSession::savePrefs() {
  if (prefsPath_.empty()) return {};
  std::string e = gui::savePrefs(prefs_, prefsPath_);
  if (!e.empty()) say("preferences not saved: " + e);
  return e;
}

void FileSession::setOpened(const std::string& path) {
  path_ = normalPath(path);
  newName_.clear();
  if (!path_.empty()) {
    addRecentFile(prefs_, path_);
    prefs_.lastFolder = fs::path(path_).parent_path().string();
  }
}

std::string FileSession::displayName() const {
  if (!path_.empty()) return fileName(path_);
  return newName_.empty() ? std::string("untitled") : newName_ + " (new)";
}

std::string FileSession::documentStem() const {
  if (!path_.empty()) return fs::path(path_).stem().string();
  return newName_.empty() ? std::string("untitled") : newName_;
}

std::string FileSession::windowTitle(const Document& doc) const {
  return displayName() + (doc.modified() ? " \xE2\x80\xA2 (modified)" : "") + " \xE2\x80\x94 attnmd";
}

std::string FileSession::exportFolder() const {
  std::error_code ec;
  if (!prefs_.exportFolder.empty() && fs::is_directory(prefs_.exportFolder, ec)) return prefs_.exportFolder;
  if (!path_.empty()) return fs::path(path_).parent_path().string();
  return fs::current_path(ec).string();
}

std::string FileSession::startFolder() const {
  std::error_code ec;
  if (!path_.empty()) return fs::path(path_).parent_path().string();
  if (!prefs_.lastFolder.empty() && fs::is_directory(prefs_.lastFolder, ec)) return prefs_.lastFolder;
  return fs::current_path(ec).string();
}

void FileSession::say(const std::string& message) const {
  if (notify) notify(message);
}

// =================================================================================================
// [SECTION] actions
// =================================================================================================

void FileSession::guarded(Document& doc, Pending what, std::string path) {
  if (!doc.modified()) {
    perform(doc, what, path);
    return;
  }
  pending_ = what;
  pendingPath_ = std::move(path);
  std::string action;
  switch (what) {
    case Pending::New:
      action = "starting a new scene";
      break;
    case Pending::OpenBrowser:
      action = "opening another scene";
      break;
    case Pending::OpenPath:
      action = "opening " + fileName(pendingPath_);
      break;
    case Pending::OpenNew:
      action = "opening " + pendingPath_;
      break;
    case Pending::Quit:
      action = "quitting";
      break;
    case Pending::None:
      return;
  }
  unsaved_.ask(path_.empty() ? "the " + displayName() + " scene" : fileName(path_), action);
}

// What loading skipped, as " (...)" after "opened ..."; "" when everything loaded.
namespace {
std::string loadNotes(const LoadedDocument& loaded) {
  std::string notes = loaded.warning;
  if (!loaded.runWarnings.empty()) notes += (notes.empty() ? "" : "; ") + loaded.runWarnings;
  return notes.empty() ? std::string() : " (" + notes + ")";
}
}  // namespace

void FileSession::perform(Document& doc, Pending what, const std::string& path) {
  pending_ = Pending::None;
  switch (what) {
    case Pending::None:
      break;
    case Pending::New: {
      DocState fresh = newDocument ? newDocument() : DocState{};
      doc.reset(std::move(fresh));
      doc.view() = ViewState{};
      path_.clear();
      newName_.clear();
      if (documentReplaced) documentReplaced();
      say("new scene");
      break;
    }
    case Pending::OpenBrowser:
      browserFor_ = BrowserFor::OpenScene;
      browser_.open(FileBrowserMode::Open, startFolder(), {}, existingRecentFiles(prefs_));
      break;
    case Pending::OpenPath: {
      OpenedDocument opened = openDocumentFile(path);
      if (!opened.ok && openOtherKind) {  // the document stays as it is
        std::string otherError;
        if (openOtherKind(path, otherError)) {
          addRecentFile(prefs_, path);
          savePrefs();
          return;
        }
        if (!otherError.empty()) opened.error = otherError;
      }
      if (!opened.ok) {
        say("not opened: " + opened.error);  // the current scene is untouched
        return;
      }
      install(doc, std::move(opened.doc), path);
      break;
    }
    case Pending::OpenNew: {
      LoadedDocument loaded = std::move(pendingScene_);
      pendingScene_ = {};
      doc.reset(std::move(loaded.state));
      doc.view() = loaded.view;
      path_.clear();
      newName_ = path;
      if (documentReplaced) documentReplaced();
      say("opened " + newName_ + " as a new scene" + loadNotes(loaded));
      break;
    }
    case Pending::Quit:
      quitApproved_ = true;
      break;
  }
}

void FileSession::install(Document& doc, LoadedDocument loaded, const std::string& path) {
  doc.reset(std::move(loaded.state));
  doc.view() = loaded.view;
  setOpened(path);
  savePrefs();
  if (documentReplaced) documentReplaced();
  say("opened " + path_ + loadNotes(loaded));
}

void FileSession::newScene(Document& doc) {
  guarded(doc, Pending::New);
}

void FileSession::openNew(Document& doc, LoadedDocument scene, const std::string& name) {
  pendingScene_ = std::move(scene);
  guarded(doc, Pending::OpenNew, name);
}

void FileSession::open(Document& doc) {
  guarded(doc, Pending::OpenBrowser);
}

void FileSession::openPath(Document& doc, const std::string& path) {
  guarded(doc, Pending::OpenPath, normalPath(path));
}

void FileSession::openDropped(Document& doc, const std::vector<std::string>& paths) {
  for (const std::string& p : paths)
    if (fs::path(p).extension() == ".json") {
      openPath(doc, p);
      return;
    }
  say(paths.empty() ? std::string("nothing was dropped")
                    : "not opened: drop a scene file (.json); got " + fileName(paths.front()));
}

bool FileSession::saveTo(Document& doc, const std::string& path) {
  if (std::string e = saveDocumentFile(doc, path); !e.empty()) {
    say("not saved: " + e);
    return false;
  }
  setOpened(path);
  savePrefs();
  // The file now holds this state: the autosave is no longer needed (tick removes it).
  if (autosave_)
    autosave_->tick(
        doc.revision(), doc.modified(), [] { return std::string(); }, path_);
  say("saved " + path_);
  return true;
}

bool FileSession::save(Document& doc) {
  if (path_.empty()) {
    saveAs(doc);
    return false;
  }
  return saveTo(doc, path_);
}

void FileSession::saveAs(Document& doc) {
  (void)doc;
  browserFor_ = BrowserFor::SaveScene;
  browser_.open(FileBrowserMode::SaveAs, startFolder(), documentStem() + ".json",
                existingRecentFiles(prefs_));
}

void FileSession::chooseExportFolder() {
  browserFor_ = BrowserFor::ExportFolder;
  browser_.open(FileBrowserMode::Folder, exportFolder());
}

void FileSession::copyScene(const Document& doc) {
  ImGui::SetClipboardText(documentText(doc).c_str());
  say("copied the scene to the clipboard (paste it into a text editor, or with Ctrl+Shift+V)");
}

void FileSession::pasteScene(Document& doc) {
  const char* text = ImGui::GetClipboardText();
  pasteText(doc, text ? std::string_view(text) : std::string_view());
}

bool FileSession::pasteText(Document& doc, std::string_view text) {
  OpenedDocument opened = openDocumentText(text, "<clipboard>");
  if (!opened.ok) {
    say("not pasted: " + opened.error);
    return false;
  }
  // An edit of this document (one undo entry), not a new document: the file stays the same.
  const std::string refused = doc.apply(cmd::ReplaceScene{
      opened.doc.state.scene, "paste scene", opened.doc.state.experiment, opened.doc.state.runs});
  if (!refused.empty()) {
    say("not pasted: " + refused);
    return false;
  }
  doc.view() = opened.doc.view;
  say("pasted a scene from the clipboard (Ctrl+Z undoes it)");
  return true;
}

void FileSession::requestQuit(Document& doc) {
  if (quitApproved_ || unsaved_.open) return;
  guarded(doc, Pending::Quit);
}

void FileSession::restore(Document& doc, const RecoverableSession& s) {
  OpenedDocument opened = openDocumentText(s.sceneText, "<autosave>");
  if (!opened.ok) {
    say("the autosave could not be restored (kept at " + s.autosavePath + "): " + opened.error);
    return;
  }
  // One undoable edit on top of what was opened: the restored work is unsaved, and Ctrl+Z goes back.
  const std::string refused = doc.apply(cmd::ReplaceScene{
      opened.doc.state.scene, "restore autosave", opened.doc.state.experiment, opened.doc.state.runs});
  if (!refused.empty()) {
    say("the autosave could not be restored (kept at " + s.autosavePath + "): " + refused);
    return;
  }
  doc.view() = opened.doc.view;
  path_ = s.documentPath;
  if (documentReplaced) documentReplaced();
  removeSessionFiles(s);
  say("restored unsaved work from " + describeSavedAt(s.savedAt, options_.clock()) +
      (path_.empty() ? std::string() : " (" + fileName(path_) + "): save it to keep it"));
}

// =================================================================================================
// [SECTION] menu, shortcuts, frame
// =================================================================================================

void FileSession::fileMenuItems(Document& doc) {
  if (ImGui::MenuItem("New (blank scene)", "Ctrl+N")) newScene(doc);
  if (ImGui::MenuItem("Open...", "Ctrl+O")) open(doc);
  const std::vector<std::string> recent = existingRecentFiles(prefs_);
  if (ImGui::BeginMenu("Open recent", !recent.empty())) {
    for (const std::string& f : recent)
      if (ImGui::MenuItem(fileName(f).c_str(), nullptr, f == path_)) openPath(doc, f);
    ImGui::Separator();
    if (ImGui::MenuItem("Clear the list")) {
      prefs_.recentFiles.clear();
      savePrefs();
    }
    ImGui::EndMenu();
  }
  ImGui::Separator();
  if (ImGui::MenuItem("Save", "Ctrl+S")) save(doc);
  if (ImGui::MenuItem("Save as...", "Ctrl+Shift+S")) saveAs(doc);
  ImGui::Separator();
  if (ImGui::MenuItem("Copy scene", "Ctrl+Shift+C")) copyScene(doc);
  if (ImGui::MenuItem("Paste scene", "Ctrl+Shift+V")) pasteScene(doc);
  ImGui::Separator();
  if (ImGui::MenuItem("Quit", "Ctrl+Q")) requestQuit(doc);
}

void FileSession::handleShortcuts(Document& doc) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.KeyCtrl || modalOpen()) return;
  auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
  if (io.KeyShift) {
    if (pressed(GLFW_KEY_S)) saveAs(doc);
    if (io.WantTextInput) return;  // Ctrl+Shift+C/V in a text field copy and paste text, not scenes
    if (pressed(GLFW_KEY_C)) copyScene(doc);
    if (pressed(GLFW_KEY_V)) pasteScene(doc);
    return;
  }
  if (pressed(GLFW_KEY_N)) newScene(doc);
  if (pressed(GLFW_KEY_O)) open(doc);
  if (pressed(GLFW_KEY_S)) save(doc);
  if (pressed(GLFW_KEY_Q)) requestQuit(doc);
}

bool FileSession::modalOpen() const {
  return browser_.isOpen() || unsaved_.open || recovery_.visible();
}

void FileSession::frame(Document& doc, float scale) {
  // Recovery first: it is asked once, at start, before anything else.
  if (recovery_.visible()) {
    const RecoveryPrompt::Choice c = recovery_.draw(options_.clock(), scale);
    if (c == RecoveryPrompt::Choice::Restore) restore(doc, recovery_.take());
    if (c == RecoveryPrompt::Choice::Discard) {
      const RecoverableSession s = recovery_.take();
      if (std::string e = removeSessionFiles(s); !e.empty()) say(e);
    }
  } else if (unsaved_.open) {
    switch (unsaved_.draw(scale)) {
      case UnsavedPrompt::Choice::Save:
        // Saved to its file: go on. Untitled: Save As first, then go on (see the browser below).
        if (path_.empty())
          saveAs(doc);
        else if (saveTo(doc, path_))
          perform(doc, pending_, pendingPath_);
        else
          pending_ = Pending::None;
        break;
      case UnsavedPrompt::Choice::Discard:
        perform(doc, pending_, pendingPath_);
        break;
      case UnsavedPrompt::Choice::Cancel:
        pending_ = Pending::None;
        break;
      case UnsavedPrompt::Choice::None:
        break;
    }
  }
  if (browser_.isOpen()) {
    if (std::optional<std::string> chosen = browser_.draw(scale)) {
      prefs_.lastFolder = browser_.folder();
      switch (browserFor_) {
        case BrowserFor::OpenScene:
          perform(doc, Pending::OpenPath, *chosen);
          break;
        case BrowserFor::SaveScene:
          if (saveTo(doc, *chosen) && pending_ != Pending::None) perform(doc, pending_, pendingPath_);
          break;
        case BrowserFor::ExportFolder:
          prefs_.exportFolder = *chosen;
          savePrefs();
          say("exports go to " + *chosen);
          break;
        case BrowserFor::None:
          break;
      }
      browserFor_ = BrowserFor::None;
    } else if (!browser_.isOpen()) {
      // Cancelled: a Save As that was to precede New/Open/Quit cancels that too.
      if (browserFor_ == BrowserFor::SaveScene) pending_ = Pending::None;
      browserFor_ = BrowserFor::None;
    }
  }
  if (autosave_ && autosave_->active()) {
    autosave_->tick(
        doc.revision(), doc.modified(), [&] { return documentText(doc); }, path_);
    if (autosave_->lastError() != autosaveError_) {
      autosaveError_ = autosave_->lastError();
      if (!autosaveError_.empty()) say(autosaveError_);
    }
  }
}

}  // namespace attnmd::gui
