// The preferences file's text, read and written without ImGui, GL or the file system: what prefs.h
// (files, paths, the theme's names from widgets/theme.h) builds on, and what tests/fuzz/fuzz_prefs.cpp
// runs on arbitrary bytes. The format is described in prefs.h.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/enums.h"

namespace attnmd::gui {

enum class ThemeKind;  // app/gui/widgets/theme.h: Light (0), Dark

inline constexpr std::size_t kMaxRecentFiles = 10;

struct UserPrefs {
  float uiScale = 0.f;                   // 1 to 3; 0 = never chosen: follow the monitor's content scale
  ThemeKind theme = ThemeKind{};         // ThemeKind::Light
  std::vector<std::string> recentFiles;  // absolute paths, most recent first, at most kMaxRecentFiles
  std::string lastFolder;                // where the file browser opens; "" = the working directory
  std::string exportFolder;  // where exports go; "" = the document's folder (or the working directory)
  bool operator==(const UserPrefs&) const = default;
};

struct PrefsLoad {
  UserPrefs prefs;
  std::string message;  // "" when the file was missing or fully understood; else what was wrong
};

// The themes by name: core::enumTable<ThemeKind>() (widgets/theme.h) in the app.
using ThemeNames = std::span<const core::EnumEntry<ThemeKind>>;

// Tolerant: text that is not a JSON object gives the defaults and a message starting with
// `sourceName` that says "not a JSON object"; unknown or unreadable fields are skipped and named.
PrefsLoad parsePrefs(const std::string& text, const std::string& sourceName, ThemeNames themes);
std::string prefsToJson(const UserPrefs& prefs, ThemeNames themes);

}  // namespace attnmd::gui
