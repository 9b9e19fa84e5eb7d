#include "app/gui/files/prefs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kPrefsVersion = 1;

void note(std::string& message, const std::string& what) {
  message += std::string(message.empty() ? "" : "; ") + what;
}

}  // namespace

std::string prefsPath(const UserDirs& dirs) {
  return dirs.config.empty() ? std::string() : (fs::path(dirs.config) / "prefs.json").string();
}

std::string normalPath(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  return p.lexically_normal().string();
}

PrefsLoad parsePrefs(const std::string& text, const std::string& sourceName) {
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
    const auto theme = it->is_string() ? core::enumFromName<ThemeKind>(it->get<std::string>()) : std::nullopt;
    if (theme)
      r.prefs.theme = *theme;
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

PrefsLoad loadPrefs(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return {};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    PrefsLoad r;
    r.message = path + ": cannot read the preferences; using the defaults";
    return r;
  }
  PrefsLoad r = parsePrefs(text.str(), path);
  if (!r.message.empty() && r.message.find("not a JSON object") != std::string::npos) {
    // Keep what the user had: the next save writes over `path`.
    const std::string backup = path + ".bad";
    if (core::writeFileAtomic(backup, text.str()).empty())
      r.message += " (the unreadable file was copied to " + backup + ")";
  }
  return r;
}

std::string prefsToJson(const UserPrefs& p) {
  Json j = Json::object();
  j["format"] = "attnmd-prefs";
  j["version"] = kPrefsVersion;
  if (p.uiScale > 0) j["ui_scale"] = p.uiScale;
  j["theme"] = core::enumName(p.theme);
  j["recent_files"] = p.recentFiles;
  j["last_folder"] = p.lastFolder;
  j["export_folder"] = p.exportFolder;
  return core::prettyJson(j.dump());
}

std::string savePrefs(const UserPrefs& prefs, const std::string& path) {
  if (path.empty()) return "no folder for preferences: neither XDG_CONFIG_HOME nor HOME is set";
  if (std::string e = ensureDir(fs::path(path).parent_path().string()); !e.empty()) return e;
  return core::writeFileAtomic(path, prefsToJson(prefs));
}

void addRecentFile(UserPrefs& prefs, const std::string& path) {
  const std::string p = normalPath(path);
  if (p.empty()) return;
  auto& r = prefs.recentFiles;
  r.erase(std::remove(r.begin(), r.end(), p), r.end());
  r.insert(r.begin(), p);
  if (r.size() > kMaxRecentFiles) r.resize(kMaxRecentFiles);
}

void removeRecentFile(UserPrefs& prefs, const std::string& path) {
  const std::string p = normalPath(path);
  auto& r = prefs.recentFiles;
  r.erase(std::remove_if(r.begin(), r.end(), [&](const std::string& f) { return f == p || f == path; }),
          r.end());
}

std::vector<std::string> existingRecentFiles(const UserPrefs& prefs) {
  std::vector<std::string> out;
  for (const std::string& f : prefs.recentFiles) {
    std::error_code ec;
    if (fs::is_regular_file(f, ec)) out.push_back(f);
  }
  return out;
}

}  // namespace attnmd::gui
