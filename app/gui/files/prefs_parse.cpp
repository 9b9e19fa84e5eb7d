#include "app/gui/files/prefs_parse.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kPrefsVersion = 1;

void note(std::string& message, const std::string& what) {
  message += std::string(message.empty() ? "" : "; ") + what;
}

const core::EnumEntry<ThemeKind>* themeByName(ThemeNames themes, const std::string& name) {
  for (const auto& t : themes)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

PrefsLoad parsePrefs(const std::string& text, const std::string& sourceName, ThemeNames themes) {
  PrefsLoad r;
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r.message = sourceName + ": not a JSON object; using the default preferences";
    return r;
  }
  std::string skipped;
  if (auto it = j.find("ui_scale"); it != j.end()) {
    if (it->is_number() && it->get<double>() >= 1.0 && it->get<double>() <= 3.0)
      r.prefs.uiScale = it->get<float>();
    else
      note(skipped, "ui_scale (expected a number in [1, 3])");
  }
  if (auto it = j.find("theme"); it != j.end()) {
    const auto theme = it->is_string() ? themeByName(themes, it->get<std::string>()) : nullptr;
    if (theme)
      r.prefs.theme = theme->value;
    else
      note(skipped, "theme (expected \"light\" or \"dark\")");
  }
  if (auto it = j.find("recent_files"); it != j.end()) {
    if (it->is_array()) {
      for (const Json& f : *it)
        if (f.is_string() && !f.get<std::string>().empty() && r.prefs.recentFiles.size() < kMaxRecentFiles &&
            std::find(r.prefs.recentFiles.begin(), r.prefs.recentFiles.end(), f.get<std::string>()) ==
                r.prefs.recentFiles.end())
          r.prefs.recentFiles.push_back(f.get<std::string>());
    } else {
      note(skipped, "recent_files (expected an array of paths)");
    }
  }
  if (auto it = j.find("last_folder"); it != j.end()) {
    if (it->is_string())
      r.prefs.lastFolder = it->get<std::string>();
    else
      note(skipped, "last_folder (expected a path)");
  }
  if (auto it = j.find("export_folder"); it != j.end()) {
    if (it->is_string())
      r.prefs.exportFolder = it->get<std::string>();
    else
      note(skipped, "export_folder (expected a path)");
  }
  if (!skipped.empty()) r.message = sourceName + ": ignored " + skipped;
  return r;
}

std::string prefsToJson(const UserPrefs& p, ThemeNames themes) {
  Json j = Json::object();
  j["format"] = "attnmd-prefs";
  j["version"] = kPrefsVersion;
  if (p.uiScale > 0) j["ui_scale"] = p.uiScale;
  for (const auto& t : themes)
    if (t.value == p.theme) j["theme"] = t.name;
  j["recent_files"] = p.recentFiles;
  j["last_folder"] = p.lastFolder;
  j["export_folder"] = p.exportFolder;
  return core::prettyJson(j.dump());
}

}  // namespace attnmd::gui
