#include "app/gui/files/prefs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;
static_assert(ThemeKind{} == ThemeKind::Light, "UserPrefs::theme defaults to the light theme");

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
  return parsePrefs(text, sourceName, core::enumTable<ThemeKind>());
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
  return prefsToJson(p, core::enumTable<ThemeKind>());
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
