// Preferences (app/gui/files/prefs.h) and the XDG folders (user_dirs.h): defaults, round trip, a corrupt file
// gives the defaults and a message and keeps a copy, recent files are capped, deduplicated and pruned.
#include <gtest/gtest.h>

#include <map>

#include "app/gui/files/prefs.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(UserDirs, FollowXdgAndFallBackToHome) {
  UserDirs d = userDirs(envOf({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "/cfg"}, {"XDG_STATE_HOME", "/st"}}));
  EXPECT_EQ(d.config, "/cfg/attnmd");
  EXPECT_EQ(d.state, "/st/attnmd");
  d = userDirs(envOf({{"HOME", "/home/u"}}));
  EXPECT_EQ(d.config, "/home/u/.config/attnmd");
  EXPECT_EQ(d.state, "/home/u/.local/state/attnmd");
  // The spec: relative or empty XDG values are ignored.
  d = userDirs(envOf({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "rel/cfg"}, {"XDG_STATE_HOME", ""}}));
  EXPECT_EQ(d.config, "/home/u/.config/attnmd");
  EXPECT_EQ(d.state, "/home/u/.local/state/attnmd");
  d = userDirs(envOf({}));
  EXPECT_EQ(d.config, "");
  EXPECT_NE(ensureDir(d.config), "");
  EXPECT_NE(savePrefs(UserPrefs{}, prefsPath(d)), "") << "no folder: a message, not a crash";
}

TEST(Prefs, MissingFileGivesDefaultsSilently) {
  TempDir dir;
  const PrefsLoad r = loadPrefs(dir.str("nope/prefs.json"));
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.prefs, UserPrefs{});
}

TEST(Prefs, SaveLoadRoundTripCreatesTheFolder) {
  TempDir dir;
  UserPrefs p;
  p.uiScale = 1.75f;
  p.theme = ThemeKind::Dark;
  p.recentFiles = {"/a/b.json", "/c d/e.json"};
  p.lastFolder = "/a";
  p.exportFolder = "/a/exports";
  const std::string path = prefsPath(UserDirs{dir.str("cfg/attnmd"), ""});
  ASSERT_EQ(savePrefs(p, path), "");
  const PrefsLoad r = loadPrefs(path);
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.prefs, p);
  EXPECT_EQ(prefsToJson(r.prefs), readText(path)) << "saving what was loaded changes nothing";
}

TEST(Prefs, CorruptFileGivesDefaultsAMessageAndKeepsACopy) {
  TempDir dir;
  const std::string path = dir.str("prefs.json");
  writeText(path, "{\"ui_scale\": 2, \"theme\": ");
  const PrefsLoad r = loadPrefs(path);
  EXPECT_EQ(r.prefs, UserPrefs{});
  EXPECT_NE(r.message.find("prefs.json"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("default"), std::string::npos) << r.message;
  EXPECT_EQ(readText(path + ".bad"), "{\"ui_scale\": 2, \"theme\": ") << "the user's text survives";
}

TEST(Prefs, BadFieldsAreSkippedOthersKept) {
  const PrefsLoad r = parsePrefs(
      R"({"ui_scale": 9, "theme": "purple", "recent_files": ["/x.json", 3, "/x.json", "/y.json"],
          "last_folder": "/tmp", "from_the_future": {"a": 1}, "version": 7})",
      "p.json");
  EXPECT_EQ(r.prefs.uiScale, 0.f);
  EXPECT_EQ(r.prefs.theme, ThemeKind::Light);
  EXPECT_EQ(r.prefs.recentFiles, (std::vector<std::string>{"/x.json", "/y.json"}));
  EXPECT_EQ(r.prefs.lastFolder, "/tmp");
  EXPECT_NE(r.message.find("ui_scale"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("theme"), std::string::npos) << r.message;
}

TEST(Prefs, RecentFilesMostRecentFirstCappedAndDeduplicated) {
  UserPrefs p;
  for (int k = 0; k < 14; ++k) addRecentFile(p, "/scenes/s" + std::to_string(k) + ".json");
  ASSERT_EQ(p.recentFiles.size(), kMaxRecentFiles);
  EXPECT_EQ(p.recentFiles.front(), "/scenes/s13.json");
  EXPECT_EQ(p.recentFiles.back(), "/scenes/s4.json");
  addRecentFile(p, "/scenes/./x/../s8.json");  // the same file, spelled differently
  EXPECT_EQ(p.recentFiles.front(), "/scenes/s8.json");
  EXPECT_EQ(p.recentFiles.size(), kMaxRecentFiles);
  EXPECT_EQ(std::count(p.recentFiles.begin(), p.recentFiles.end(), "/scenes/s8.json"), 1);
  removeRecentFile(p, "/scenes/s8.json");
  EXPECT_EQ(std::count(p.recentFiles.begin(), p.recentFiles.end(), "/scenes/s8.json"), 0);
  addRecentFile(p, "relative.json");
  EXPECT_TRUE(fs::path(p.recentFiles.front()).is_absolute());
}

TEST(Prefs, MissingRecentFilesArePrunedAtDisplayButKept) {
  TempDir dir;
  UserPrefs p;
  writeText(dir.path / "a.json", "{}");
  writeText(dir.path / "c.json", "{}");
  fs::create_directories(dir.path / "folder.json");
  addRecentFile(p, dir.str("c.json"));
  addRecentFile(p, dir.str("b.json"));  // never existed
  addRecentFile(p, dir.str("folder.json"));
  addRecentFile(p, dir.str("a.json"));
  EXPECT_EQ(existingRecentFiles(p), (std::vector<std::string>{dir.str("a.json"), dir.str("c.json")}));
  EXPECT_EQ(p.recentFiles.size(), 4u);
}

}  // namespace
}  // namespace attnmd::gui
