// [SECTION] file-system logic: listing, typed paths, submit
// [SECTION] UI: the modal, the places column, the listing, the overwrite confirmation
#include "app/gui/files/file_browser.h"

#include <imgui_stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "app/gui/files/prefs.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

constexpr const char* kConfirmTitle = "Replace file?##filebrowser";

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string humanSize(std::uintmax_t bytes) {
  char buf[32];
  if (bytes < 1024)
    std::snprintf(buf, sizeof buf, "%ju B", bytes);
  else if (bytes < 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(bytes) / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string homeFolder() {
  const char* h = std::getenv("HOME");
  return h && *h ? std::string(h) : std::string();
}

}  // namespace

// =================================================================================================
// [SECTION] file-system logic
// =================================================================================================

FolderListing listFolder(const std::string& folder, const std::string& extension, bool showHidden,
                         bool includeFiles) {
  FolderListing out;
  std::error_code ec;
  fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    out.error = folder + ": " + ec.message();
    return out;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (!showHidden && !name.empty() && name[0] == '.') continue;
    std::error_code e2;
    const bool dir = it->is_directory(e2);  // follows symlinks: a link to a folder is a folder
    if (!dir) {
      if (!includeFiles || !it->is_regular_file(e2)) continue;
      if (!extension.empty() && !(name.size() > extension.size() && name.ends_with(extension))) continue;
    }
    FileEntry e{name, dir, 0};
    if (!dir) e.size = it->file_size(e2);
    out.entries.push_back(std::move(e));
  }
  if (ec) out.error = folder + ": " + ec.message();
  std::sort(out.entries.begin(), out.entries.end(), [](const FileEntry& a, const FileEntry& b) {
    if (a.isDir != b.isDir) return a.isDir;
    return a.name < b.name;
  });
  return out;
}

std::string resolveTyped(const std::string& folder, const std::string& typedIn) {
  const std::string typed = trim(typedIn);
  if (typed.empty()) return normalPath(folder);
  fs::path p;
  if (typed == "~" || typed.starts_with("~/"))
    p = fs::path(homeFolder()) / (typed.size() > 2 ? typed.substr(2) : std::string());
  else if (fs::path(typed).is_absolute())
    p = typed;
  else
    p = fs::path(folder) / typed;
  std::string s = normalPath(p.string());
  // "a/b/" normalizes to "a/b/"; keep folder paths without the trailing slash (except "/").
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string withDefaultExtension(const std::string& path, const std::string& extension) {
  const fs::path p(path);
  if (p.has_extension() || extension.empty()) return path;
  return path + extension;
}

void FileBrowser::open(FileBrowserMode mode, const std::string& startFolder, const std::string& suggestedName,
                       std::vector<std::string> recentFiles) {
  mode_ = mode;
  open_ = true;
  popupRequested_ = true;
  error_.clear();
  chosen_.clear();
  pendingOverwrite_.clear();
  name_ = suggestedName;
  recent_ = std::move(recentFiles);
  std::error_code ec;
  std::string start = startFolder;
  if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec).string();
  navigate(start);
  focusName_ = true;
}

void FileBrowser::close() {
  open_ = false;
  popupRequested_ = false;
  pendingOverwrite_.clear();
}

void FileBrowser::navigate(const std::string& folder) {
  const std::string target = normalPath(folder);
  FolderListing l = listFolder(target, showAll_ ? std::string() : kExtension, showHidden_,
                               mode_ != FileBrowserMode::Folder);
  if (!l.error.empty() && !folder_.empty()) {
    error_ = l.error;  // stay where we were
    folderField_ = folder_;
    return;
  }
  folder_ = target;
  while (folder_.size() > 1 && folder_.back() == '/') folder_.pop_back();
  folderField_ = folder_;
  listing_ = std::move(l);
  error_ = listing_.error;
  selected_ = -1;
}

void FileBrowser::up() {
  const fs::path p(folder_);
  if (p.has_parent_path() && p.parent_path() != p) navigate(p.parent_path().string());
}

void FileBrowser::refresh() {
  navigate(folder_);
}

void FileBrowser::setShowAll(bool all) {
  showAll_ = all;
  refresh();
}

FileBrowser::Outcome FileBrowser::submit() {
  error_.clear();
  chosen_.clear();
  const std::string typed = trim(name_);
  std::error_code ec;
  if (mode_ == FileBrowserMode::Folder) {
    // The folder on display, or a typed one (created when missing: "choose a new folder" in one step).
    const std::string path = typed.empty() ? folder_ : resolveTyped(folder_, typed);
    if (!fs::is_directory(path, ec)) {
      if (fs::exists(path, ec)) {
        error_ = path + ": exists and is not a folder";
        return Outcome::Error;
      }
      fs::create_directories(path, ec);
      if (ec) {
        error_ = path + ": cannot create the folder: " + ec.message();
        return Outcome::Error;
      }
    }
    if (::access(path.c_str(), W_OK) != 0) {
      error_ = "cannot write in " + path + ": " + std::strerror(errno);
      return Outcome::Error;
    }
    chosen_ = path;
    return Outcome::Chosen;
  }
  if (typed.empty()) {
    error_ = mode_ == FileBrowserMode::Open ? "pick a file to open" : "type a file name";
    return Outcome::None;
  }
  std::string path = resolveTyped(folder_, typed);
  if (fs::is_directory(path, ec)) {
    navigate(path);
    name_.clear();
    return error_.empty() ? Outcome::Navigated : Outcome::Error;
  }
  if (mode_ == FileBrowserMode::Open) {
    if (!fs::exists(path, ec)) {
      error_ = path + ": no such file";
      return Outcome::Error;
    }
    if (!fs::is_regular_file(path, ec)) {
      error_ = path + ": not a regular file";
      return Outcome::Error;
    }
    if (::access(path.c_str(), R_OK) != 0) {
      error_ = path + ": cannot be read: " + std::strerror(errno);
      return Outcome::Error;
    }
    chosen_ = path;
    return Outcome::Chosen;
  }
  path = withDefaultExtension(path, kExtension);
  if (fs::is_directory(path, ec)) {
    navigate(path);
    name_.clear();
    return error_.empty() ? Outcome::Navigated : Outcome::Error;
  }
  const std::string parent = fs::path(path).parent_path().string();
  if (!fs::is_directory(parent, ec)) {
    error_ = "the folder " + parent + " does not exist";
    return Outcome::Error;
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    error_ = "cannot save in " + parent + ": " + std::strerror(errno);
    return Outcome::Error;
  }
  if (fs::exists(path, ec)) {
    if (!fs::is_regular_file(path, ec)) {
      error_ = path + ": exists and is not a regular file";
      return Outcome::Error;
    }
    pendingOverwrite_ = path;
    return Outcome::ConfirmOverwrite;
  }
  chosen_ = path;
  return Outcome::Chosen;
}

FileBrowser::Outcome FileBrowser::confirmOverwrite() {
  if (pendingOverwrite_.empty()) return Outcome::None;
  chosen_ = std::exchange(pendingOverwrite_, std::string());
  return Outcome::Chosen;
}

void FileBrowser::cancelOverwrite() {
  pendingOverwrite_.clear();
}

// =================================================================================================
// [SECTION] UI
// =================================================================================================

const char* FileBrowser::title() const {
  switch (mode_) {
    case FileBrowserMode::Open:
      return "Open scene##filebrowser";
    case FileBrowserMode::SaveAs:
      return "Save scene as##filebrowser";
    case FileBrowserMode::Folder:
      return "Choose a folder##filebrowser";
  }
  return "##filebrowser";
}

void FileBrowser::drawOverwriteConfirm(float s, std::optional<std::string>& result) {
  if (!pendingOverwrite_.empty() && !ImGui::IsPopupOpen(kConfirmTitle)) ImGui::OpenPopup(kConfirmTitle);
  if (!ImGui::BeginPopupModal(kConfirmTitle, nullptr,
                              ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings))
    return;
  ImGui::Text("%s already exists.", fs::path(pendingOverwrite_).filename().string().c_str());
  ImGui::TextDisabled("%s", pendingOverwrite_.c_str());
  ImGui::Text("Replace it? Its current contents will be lost.");
  ImGui::Separator();
  if (ImGui::Button("Replace", ImVec2(120.f * s, 0))) {
    if (confirmOverwrite() == Outcome::Chosen) result = chosen_;
    ImGui::CloseCurrentPopup();
  }
  layout_.replaceMin = ImGui::GetItemRectMin();
  layout_.replaceMax = ImGui::GetItemRectMax();
  ImGui::SameLine();
  if (ImGui::Button("Cancel##replace", ImVec2(120.f * s, 0)) ||
      ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    cancelOverwrite();
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

std::optional<std::string> FileBrowser::draw(float s) {
  layout_ = Layout{};
  if (!open_) return std::nullopt;
  if (popupRequested_) {
    ImGui::OpenPopup(title());
    popupRequested_ = false;
  } else if (!ImGui::IsPopupOpen(title())) {
    open_ = false;  // closed from outside (another modal took over)
    return std::nullopt;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(
      ImVec2(std::min(780.f * s, vp->Size.x * 0.95f), std::min(540.f * s, vp->Size.y * 0.9f)),
      ImGuiCond_Appearing);
  std::optional<std::string> result;
  bool keepOpen = true;
  if (!ImGui::BeginPopupModal(title(), &keepOpen, ImGuiWindowFlags_NoSavedSettings)) {
    if (!keepOpen) close();
    return std::nullopt;
  }
  auto act = [&](Outcome o) {
    if (o == Outcome::Chosen) result = chosen_;
  };

  // ---- folder row
  if (ImGui::Button("Up")) up();
  layout_.upMin = ImGui::GetItemRectMin();
  layout_.upMax = ImGui::GetItemRectMax();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The parent folder");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::InputText("##folder", &folderField_, ImGuiInputTextFlags_EnterReturnsTrue))
    navigate(resolveTyped(folder_, folderField_));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Type a folder and press Enter");

  // ---- places | listing
  const float footer =
      ImGui::GetFrameHeightWithSpacing() * 2.f + ImGui::GetTextLineHeightWithSpacing() * 1.5f;
  const float bodyH = std::max(ImGui::GetContentRegionAvail().y - footer, 80.f * s);
  ImGui::BeginChild("##places", ImVec2(230.f * s, bodyH), true);
  ImGui::TextDisabled("Recent files");
  if (recent_.empty()) ImGui::TextDisabled("  (none yet)");
  for (std::size_t i = 0; i < recent_.size(); ++i) {
    const fs::path p(recent_[i]);
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::Selectable(p.filename().string().c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) {
      navigate(p.parent_path().string());
      name_ = p.filename().string();
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) act(submit());
    }
    layout_.recent.emplace_back(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", recent_[i].c_str());
    ImGui::PopID();
  }
  ImGui::Spacing();
  ImGui::TextDisabled("Places");
  if (const std::string home = homeFolder(); !home.empty() && ImGui::Selectable("Home")) navigate(home);
  std::error_code ec;
  if (const std::string cwd = fs::current_path(ec).string(); !ec && ImGui::Selectable("Working folder"))
    navigate(cwd);
  ImGui::EndChild();
  ImGui::SameLine();

  ImGui::BeginChild("##listing", ImVec2(0, bodyH), true);
  if (!listing_.error.empty()) ImGui::TextColored(ImVec4(0.85f, 0.3f, 0.1f, 1), "%s", listing_.error.c_str());
  if (listing_.entries.empty() && listing_.error.empty())
    ImGui::TextDisabled(mode_ == FileBrowserMode::Folder ? "(no subfolders)"
                        : showAll_                       ? "(empty folder)"
                                                         : "(no folders or .json files here)");
  const float sizeColumn = ImGui::GetContentRegionAvail().x - 80.f * s;
  std::string navigateTo;
  for (std::size_t i = 0; i < listing_.entries.size(); ++i) {
    const FileEntry& e = listing_.entries[i];
    ImGui::PushID(static_cast<int>(i));
    const std::string label = e.isDir ? e.name + "/" : e.name;
    if (ImGui::Selectable(label.c_str(), selected_ == static_cast<int>(i),
                          ImGuiSelectableFlags_AllowDoubleClick)) {
      selected_ = static_cast<int>(i);
      if (!e.isDir) name_ = e.name;
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        if (e.isDir)
          navigateTo = (fs::path(folder_) / e.name).string();
        else
          act(submit());
      }
    }
    layout_.entries.emplace_back(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    if (!e.isDir) {
      ImGui::SameLine(std::max(sizeColumn, ImGui::GetCursorPosX() + 10.f * s));
      ImGui::TextDisabled("%s", humanSize(e.size).c_str());
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
  if (!navigateTo.empty()) navigate(navigateTo);  // after the loop: navigate() replaces the listing

  // ---- name row, buttons
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(mode_ == FileBrowserMode::Folder ? "Folder" : "File name");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (focusName_) {
    ImGui::SetKeyboardFocusHere();
    focusName_ = false;
  }
  if (ImGui::InputText("##name", &name_, ImGuiInputTextFlags_EnterReturnsTrue)) act(submit());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(mode_ == FileBrowserMode::SaveAs ? "A name (\".json\" is added) or a full path"
                      : mode_ == FileBrowserMode::Folder
                          ? "Empty: this folder; a name: that folder (created if new)"
                          : "A name in this folder or a full path");
  bool all = showAll_;
  if (mode_ != FileBrowserMode::Folder && ImGui::Checkbox("Show all files", &all)) setShowAll(all);
  const float bw = 110.f * s;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX(),
                           ImGui::GetWindowContentRegionMax().x - 2 * bw - ImGui::GetStyle().ItemSpacing.x));
  const char* ok = mode_ == FileBrowserMode::Open     ? "Open"
                   : mode_ == FileBrowserMode::SaveAs ? "Save"
                                                      : "Choose";
  if (ImGui::Button(ok, ImVec2(bw, 0))) act(submit());
  layout_.okMin = ImGui::GetItemRectMin();
  layout_.okMax = ImGui::GetItemRectMax();
  ImGui::SameLine();
  bool cancel = ImGui::Button("Cancel", ImVec2(bw, 0));
  layout_.cancelMin = ImGui::GetItemRectMin();
  layout_.cancelMax = ImGui::GetItemRectMax();
  if (pendingOverwrite_.empty() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
    cancel = true;
  if (!error_.empty()) ImGui::TextColored(ImVec4(0.85f, 0.3f, 0.1f, 1), "%s", error_.c_str());

  drawOverwriteConfirm(s, result);
  if (result || cancel || !keepOpen) {
    ImGui::CloseCurrentPopup();
    open_ = false;
  }
  ImGui::EndPopup();
  return result;
}

}  // namespace attnmd::gui
