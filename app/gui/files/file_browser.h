// A small file browser in ImGui (the stack has no native dialog library): a modal with the folder's
// subfolders and *.json files, folder navigation (Up, double click, a typed path), the recent files,
// a file-name field, Open / Save As modes and an overwrite confirmation.
//
// The file-system logic (listing, resolving a typed name, what Open / Save would do) is plain functions
// and FileBrowser::submit(), so tests drive it with no ImGui frame; draw() is the thin UI over it.
// All state is UI-local and lives in the struct (no function-level statics: tests run several contexts).
#pragma once

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnmd::gui {

// Open: an existing *.json file. SaveAs: a file name (".json" added), confirming overwrites. Folder: a
// folder (the current one, or a typed name, created when missing), e.g. where exports go.
enum class FileBrowserMode { Open, SaveAs, Folder };

struct FileEntry {
  std::string name;  // file name only
  bool isDir = false;
  std::uintmax_t size = 0;  // bytes, files only
};

struct FolderListing {
  std::vector<FileEntry> entries;  // folders first, then files; each group sorted by name
  std::string error;               // the folder could not be read (entries empty)
};

// Subfolders and files ending in `extension` (all files when it is empty; none when !includeFiles) of
// `folder`. Hidden entries (leading dot) only when `showHidden`.
FolderListing listFolder(const std::string& folder, const std::string& extension, bool showHidden,
                         bool includeFiles = true);

// What the user typed, as an absolute, normal path: absolute paths as they are, "~/..." under $HOME,
// anything else relative to `folder`.
std::string resolveTyped(const std::string& folder, const std::string& typed);

// Appends `extension` when `path`'s file name has no extension at all ("demo" -> "demo.json").
std::string withDefaultExtension(const std::string& path, const std::string& extension);

class FileBrowser {
 public:
  // Opens the modal. `startFolder` "" or missing: the working directory. `suggestedName` fills the
  // name field (Save As: the current file's name).
  void open(FileBrowserMode mode, const std::string& startFolder, const std::string& suggestedName = {},
            std::vector<std::string> recentFiles = {});
  void close();
  bool isOpen() const { return open_; }

  // Draws the modal while open. Returns the chosen path (absolute) in the frame the user confirms it,
  // then the browser closes itself; nullopt otherwise (also on Cancel).
  std::optional<std::string> draw(float scale);

  // ---- the logic under the UI (tests call these directly)
  enum class Outcome {
    None,              // nothing typed
    Navigated,         // the text named a folder: now showing it
    Chosen,            // a file to open / a path to save to: chosen() has it
    ConfirmOverwrite,  // Save As onto an existing file: confirmOverwrite() or cancelOverwrite()
    Error              // error() says why (missing file, read-only folder, ...)
  };
  // Acts on the name field as the Open / Save button does.
  Outcome submit();
  Outcome confirmOverwrite();
  void cancelOverwrite();
  void navigate(const std::string& folder);  // shows `folder` (an error when it cannot be read)
  void up();                                 // the parent folder
  void refresh();                            // re-reads the folder
  void setName(std::string name) { name_ = std::move(name); }
  void setShowAll(bool all);  // all files instead of *.json

  FileBrowserMode mode() const { return mode_; }
  const std::string& folder() const { return folder_; }
  const std::string& name() const { return name_; }
  const FolderListing& listing() const { return listing_; }
  const std::string& error() const { return error_; }
  const std::string& chosen() const { return chosen_; }
  const std::string& pendingOverwrite() const { return pendingOverwrite_; }
  const std::vector<std::string>& recentFiles() const { return recent_; }

  // Screen rectangles of the last frame's controls, for ui tests that click them.
  struct Layout {
    ImVec2 okMin, okMax;          // Open / Save
    ImVec2 cancelMin, cancelMax;  // Cancel
    ImVec2 upMin, upMax;
    std::vector<std::pair<ImVec2, ImVec2>> entries;  // one per listing entry, in order (visible ones)
    std::vector<std::pair<ImVec2, ImVec2>> recent;   // one per recent file shown
    ImVec2 replaceMin, replaceMax;                   // the overwrite confirmation's Replace button
  };
  const Layout& layout() const { return layout_; }

  static constexpr const char* kExtension = ".json";

 private:
  const char* title() const;
  void drawOverwriteConfirm(float scale, std::optional<std::string>& result);

  bool open_ = false;
  bool popupRequested_ = false;
  FileBrowserMode mode_ = FileBrowserMode::Open;
  std::string folder_;
  std::string folderField_;  // the editable folder path above the list
  std::string name_;
  bool showAll_ = false;
  bool showHidden_ = false;
  FolderListing listing_;
  std::vector<std::string> recent_;
  std::string error_;
  std::string chosen_;
  std::string pendingOverwrite_;
  int selected_ = -1;  // index into listing_.entries
  bool focusName_ = false;
  Layout layout_;
};

}  // namespace attnmd::gui
