// What the fuzz targets for the app's file readers check on one input, as functions that say what is
// wrong ("" when nothing): tests/fuzz/fuzz_prefs.cpp and fuzz_autosave.cpp stop on it, and
// tests/ui/test_files_fuzz_regressions.cpp runs the same checks on the inputs they found
// (tests/fixtures/fuzz/prefs-*, autosave-*). Header-only, without ImGui.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "app/gui/files/autosave.h"
#include "app/gui/files/autosave_parse.h"
#include "app/gui/files/prefs_parse.h"
#include "tests/support/temp_dir.h"

namespace attnmd::fuzz {

// parsePrefs on arbitrary text: a message names its source; what is read is in range (scale 0 or in
// [1, 3], a theme of `themes`, at most kMaxRecentFiles distinct non-empty recent files); it survives
// save -> load unchanged and save -> load -> save byte for byte.
inline std::string prefsProblem(const std::string& text, gui::ThemeNames themes) {
  using namespace attnmd::gui;
  const PrefsLoad r = parsePrefs(text, "<fuzz>", themes);
  if (!r.message.empty() && r.message.rfind("<fuzz>: ", 0) != 0)
    return "a message that does not name its source: " + r.message;
  const UserPrefs& p = r.prefs;
  if (p.uiScale != 0.f && !(p.uiScale >= 1.f && p.uiScale <= 3.f))
    return "a UI scale out of range: " + std::to_string(p.uiScale);
  if (std::none_of(themes.begin(), themes.end(), [&](const auto& t) { return t.value == p.theme; }))
    return "an unknown theme";
  if (p.recentFiles.size() > kMaxRecentFiles) return "too many recent files";
  for (auto it = p.recentFiles.begin(); it != p.recentFiles.end(); ++it) {
    if (it->empty()) return "an empty recent file";
    if (std::find(p.recentFiles.begin(), it, *it) != it) return "a recent file listed twice: " + *it;
  }
  const std::string saved = prefsToJson(p, themes);
  const PrefsLoad again = parsePrefs(saved, "<saved>", themes);
  if (!again.message.empty())
    return "saved preferences that do not load cleanly: " + again.message + "\n" + saved;
  if (!(again.prefs == p)) return "save -> load changes the preferences:\n" + saved;
  if (prefsToJson(again.prefs, themes) != saved)
    return "save -> load -> save is not byte-identical:\n" + saved;
  return {};
}

// One autosave file's bytes, read twice: by parseAutosave, and written into `folder` (a state folder of
// its own) as a dead session's autosave-1.json, by AutosaveSession::findRecoverable, the code the app
// runs at start-up. Both agree (the file is offered exactly when it parses, with the same fields;
// otherwise it is named as a problem and left in place); the recovery prompt's describeSavedAt formats
// the time; an accepted scene is a JSON object; what is accepted survives write -> read unchanged.
inline std::string autosaveProblem(const std::string& text, const std::filesystem::path& folder) {
  using namespace attnmd::gui;
  AutosaveContents c;
  const std::string problem = parseAutosave(text, c);
  // pid 1 is never this process, and no marker is there: a session that died and left an autosave.
  const std::filesystem::path file = folder / "autosave-1.json";
  ::attnmd::testing::writeText(file, text);
  std::vector<std::string> problems;
  const std::vector<RecoverableSession> found =
      AutosaveSession({folder.string(), 5.0}).findRecoverable(&problems);
  if (!problem.empty()) {
    if (!found.empty() || problems.size() != 1) return "a refused file was offered, or not named: " + problem;
    if (problems[0].find(problem) == std::string::npos)
      return "the folder reader names another problem: " + problems[0];
    if (!std::filesystem::exists(file)) return "a refused file was removed";
    return {};
  }
  if (found.size() != 1 || !problems.empty()) return "an accepted file was not offered";
  const RecoverableSession& s = found[0];
  if (s.pid != 1 || s.savedAt != c.savedAt || s.documentPath != c.documentPath || s.sceneText != c.sceneText)
    return "the folder reader read other fields:\n" + s.sceneText;
  if (describeSavedAt(c.savedAt, 1.8e9).empty()) return "no time for the recovery prompt";
  std::string error;
  const std::string written = autosaveToJson(c, 42, error);
  if (!error.empty()) return "an accepted scene that is not a JSON object:\n" + c.sceneText;
  AutosaveContents again;
  if (std::string e = parseAutosave(written, again); !e.empty())
    return "a written autosave that does not read: " + e;
  if (again.savedAt != c.savedAt || again.documentPath != c.documentPath || again.sceneText != c.sceneText)
    return "write -> read changes the contents:\n" + written;
  return {};
}

}  // namespace attnmd::fuzz
