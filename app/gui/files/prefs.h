// User preferences (UI scale, theme, recent files, the file browser's last folder), kept apart from
// scenes (style.md: Tracy's Config vs ViewData) in $XDG_CONFIG_HOME/attnmd/prefs.json:
//
//   { "format": "attnmd-prefs", "version": 1, "ui_scale": 1.5, "theme": "dark",
//     "recent_files": ["/home/me/demo.json", ...], "last_folder": "/home/me", "export_folder": "" }
//
// Reading is tolerant: a missing file gives the defaults silently; a corrupt one gives the defaults, a
// message, and a copy of the bad file (prefs.json.bad) so nothing the user wrote by hand is lost when the
// app saves over it; unknown or unreadable fields are skipped. Saving is atomic.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "app/gui/files/prefs_parse.h"  // UserPrefs, PrefsLoad: the text without ImGui
#include "app/gui/files/user_dirs.h"
#include "app/gui/widgets/theme.h"

namespace attnmd::gui {

// DIRS.config/prefs.json, or "" when there is no config folder.
std::string prefsPath(const UserDirs& dirs);

PrefsLoad loadPrefs(const std::string& path);
// parsePrefs and prefsToJson of prefs_parse.h with the app's themes.
PrefsLoad parsePrefs(const std::string& text, const std::string& sourceName);
std::string prefsToJson(const UserPrefs& prefs);
// Creates the folder when needed and writes atomically. Returns "" or a message.
std::string savePrefs(const UserPrefs& prefs, const std::string& path);

// Moves `path` (made absolute and normal) to the front of the recent files, dropping the oldest beyond
// kMaxRecentFiles.
void addRecentFile(UserPrefs& prefs, const std::string& path);
void removeRecentFile(UserPrefs& prefs, const std::string& path);
// The recent files that still exist as regular files, in order (menus show these; the list itself is
// kept, so a file on an unmounted drive comes back when the drive does).
std::vector<std::string> existingRecentFiles(const UserPrefs& prefs);

// The absolute, lexically normal form of a path ("" stays "").
std::string normalPath(const std::string& path);

}  // namespace attnmd::gui
