// The ImGui file browser (app/gui/files/file_browser.h): listing and filtering, typed paths, what Open and
// Save As do with every kind of input (missing file, folder, no extension, existing file -> overwrite
// confirmation), and the modal driven with simulated clicks in a null-backend ImGui context.
#include <gtest/gtest.h>

#include "app/gui/files/file_browser.h"
#include "imgui_harness.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;
using Outcome = FileBrowser::Outcome;

struct Tree {
  TempDir dir;
  Tree() {
    fs::create_directories(dir.path / "scenes" / "deep");
    fs::create_directories(dir.path / "b-folder");
    fs::create_directories(dir.path / ".hidden-folder");
    writeText(dir.path / "z.json", "{}");
    writeText(dir.path / "a.json", "{}");
    writeText(dir.path / "notes.txt", "x");
    writeText(dir.path / ".secret.json", "{}");
    writeText(dir.path / "scenes" / "demo.json", "{}");
  }
  std::string p(const std::string& rel = {}) const { return dir.str(rel); }
};

std::vector<std::string> names(const FolderListing& l) {
  std::vector<std::string> n;
  for (const FileEntry& e : l.entries) n.push_back(e.isDir ? e.name + "/" : e.name);
  return n;
}

TEST(FileBrowserLogic, ListsFoldersFirstThenJsonFilesSorted) {
  Tree t;
  EXPECT_EQ(names(listFolder(t.p(), ".json", false)),
            (std::vector<std::string>{"b-folder/", "scenes/", "a.json", "z.json"}));
  EXPECT_EQ(names(listFolder(t.p(), "", false)),
            (std::vector<std::string>{"b-folder/", "scenes/", "a.json", "notes.txt", "z.json"}));
  EXPECT_EQ(names(listFolder(t.p(), ".json", true)),
            (std::vector<std::string>{".hidden-folder/", "b-folder/", "scenes/", ".secret.json", "a.json",
                                      "z.json"}));
  const FolderListing missing = listFolder(t.p("nope"), ".json", false);
  EXPECT_TRUE(missing.entries.empty());
  EXPECT_NE(missing.error.find("nope"), std::string::npos) << missing.error;
}

TEST(FileBrowserLogic, TypedPathsResolveAgainstTheFolder) {
  EXPECT_EQ(resolveTyped("/data/scenes", "demo.json"), "/data/scenes/demo.json");
  EXPECT_EQ(resolveTyped("/data/scenes", "../x/./y.json"), "/data/x/y.json");
  EXPECT_EQ(resolveTyped("/data/scenes", "/abs/z.json"), "/abs/z.json");
  EXPECT_EQ(resolveTyped("/data/scenes", "  spaced.json  "), "/data/scenes/spaced.json");
  EXPECT_EQ(resolveTyped("/data/scenes", "sub/"), "/data/scenes/sub");
  if (const char* home = std::getenv("HOME"); home && *home) {
    EXPECT_EQ(resolveTyped("/data", "~/a.json"), (fs::path(home) / "a.json").lexically_normal().string());
  }
  EXPECT_EQ(withDefaultExtension("/x/demo", ".json"), "/x/demo.json");
  EXPECT_EQ(withDefaultExtension("/x/demo.scene", ".json"), "/x/demo.scene");
}

TEST(FileBrowserLogic, OpenModeOutcomes) {
  Tree t;
  FileBrowser b;
  b.open(FileBrowserMode::Open, t.p());
  EXPECT_EQ(b.folder(), t.p());
  b.setName("");
  EXPECT_EQ(b.submit(), Outcome::None);
  EXPECT_NE(b.error(), "");
  b.setName("missing.json");
  EXPECT_EQ(b.submit(), Outcome::Error);
  EXPECT_NE(b.error().find("no such file"), std::string::npos) << b.error();
  b.setName("scenes");
  EXPECT_EQ(b.submit(), Outcome::Navigated);
  EXPECT_EQ(b.folder(), t.p("scenes"));
  EXPECT_EQ(names(b.listing()), (std::vector<std::string>{"deep/", "demo.json"}));
  b.setName("demo.json");
  EXPECT_EQ(b.submit(), Outcome::Chosen);
  EXPECT_EQ(b.chosen(), t.p("scenes/demo.json"));
  b.up();
  EXPECT_EQ(b.folder(), t.p());
  b.setName(t.p("a.json"));
  EXPECT_EQ(b.submit(), Outcome::Chosen) << "a full path works from any folder";
  b.navigate(t.p("does-not-exist"));
  EXPECT_EQ(b.folder(), t.p()) << "a folder that cannot be read leaves the browser where it was";
  EXPECT_NE(b.error(), "");
}

TEST(FileBrowserLogic, SaveAsAddsTheExtensionAndConfirmsOverwrite) {
  Tree t;
  FileBrowser b;
  b.open(FileBrowserMode::SaveAs, t.p(), "untitled.json");
  EXPECT_EQ(b.name(), "untitled.json");
  b.setName("fresh");
  EXPECT_EQ(b.submit(), Outcome::Chosen);
  EXPECT_EQ(b.chosen(), t.p("fresh.json"));
  b.setName("a");
  EXPECT_EQ(b.submit(), Outcome::ConfirmOverwrite);
  EXPECT_EQ(b.pendingOverwrite(), t.p("a.json"));
  EXPECT_EQ(b.chosen(), "");
  b.cancelOverwrite();
  EXPECT_EQ(b.pendingOverwrite(), "");
  EXPECT_EQ(b.submit(), Outcome::ConfirmOverwrite);
  EXPECT_EQ(b.confirmOverwrite(), Outcome::Chosen);
  EXPECT_EQ(b.chosen(), t.p("a.json"));
  b.setName("no/such/folder/x.json");
  EXPECT_EQ(b.submit(), Outcome::Error);
  EXPECT_NE(b.error().find("does not exist"), std::string::npos) << b.error();
  b.setName("b-folder");
  EXPECT_EQ(b.submit(), Outcome::Navigated);
}

TEST(FileBrowserLogic, SaveIntoAReadOnlyFolderIsRefusedUpFront) {
  if (attnmd::testing::runningAsRoot()) GTEST_SKIP() << "root ignores folder permissions";
  Tree t;
  fs::permissions(t.dir.path / "b-folder", fs::perms::owner_read | fs::perms::owner_exec);
  FileBrowser b;
  b.open(FileBrowserMode::SaveAs, t.p("b-folder"));
  b.setName("x.json");
  EXPECT_EQ(b.submit(), Outcome::Error);
  EXPECT_NE(b.error().find("cannot save in"), std::string::npos) << b.error();
}

TEST(FileBrowserLogic, FolderModeChoosesOrCreatesAFolder) {
  Tree t;
  FileBrowser b;
  b.open(FileBrowserMode::Folder, t.p());
  EXPECT_EQ(names(b.listing()), (std::vector<std::string>{"b-folder/", "scenes/"})) << "folders only";
  b.setName("");
  EXPECT_EQ(b.submit(), Outcome::Chosen);
  EXPECT_EQ(b.chosen(), t.p());
  b.setName("exports/today");
  EXPECT_EQ(b.submit(), Outcome::Chosen);
  EXPECT_EQ(b.chosen(), t.p("exports/today"));
  EXPECT_TRUE(fs::is_directory(t.dir.path / "exports" / "today"));
  b.setName("a.json");
  EXPECT_EQ(b.submit(), Outcome::Error) << "a file is not a folder";
}

struct BrowserUi : ::testing::Test {
  testing::ImGuiHarness ui;
  Tree t;
  FileBrowser b;
  std::optional<std::string> result;
  std::function<void()> fn() {
    return [this] {
      if (auto r = b.draw(1.f)) result = r;
    };
  }
  void settle() {
    ui.frame(fn());
    ui.frame(fn());
  }
};

TEST_F(BrowserUi, ClickAFileThenOpen) {
  b.open(FileBrowserMode::Open, t.p(), {}, {t.p("z.json")});
  settle();
  ASSERT_EQ(b.layout().entries.size(), 4u) << "b-folder/, scenes/, a.json, z.json";
  ASSERT_EQ(b.layout().recent.size(), 1u);
  ui.click(0, testing::centre(b.layout().entries[2].first, b.layout().entries[2].second), fn());
  EXPECT_EQ(b.name(), "a.json");
  ASSERT_GT(b.layout().okMax.x, b.layout().okMin.x);
  ui.click(0, testing::centre(b.layout().okMin, b.layout().okMax), fn());
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, t.p("a.json"));
  EXPECT_FALSE(b.isOpen());
}

TEST_F(BrowserUi, DoubleClickAFolderNavigatesAndUpReturns) {
  b.open(FileBrowserMode::Open, t.p());
  settle();
  const ImVec2 scenes = testing::centre(b.layout().entries[1].first, b.layout().entries[1].second);
  ui.click(0, scenes, fn());
  ui.click(0, scenes, fn());  // the second click within the double-click time
  EXPECT_EQ(b.folder(), t.p("scenes"));
  ui.frame(fn());
  ui.click(0, testing::centre(b.layout().upMin, b.layout().upMax), fn());
  EXPECT_EQ(b.folder(), t.p());
  EXPECT_FALSE(result.has_value());
  EXPECT_TRUE(b.isOpen());
}

TEST_F(BrowserUi, RecentFileClickShowsItsFolder) {
  b.open(FileBrowserMode::Open, t.p(), {}, {t.p("scenes/demo.json")});
  settle();
  ASSERT_EQ(b.layout().recent.size(), 1u);
  ui.click(0, testing::centre(b.layout().recent[0].first, b.layout().recent[0].second), fn());
  EXPECT_EQ(b.folder(), t.p("scenes"));
  EXPECT_EQ(b.name(), "demo.json");
}

TEST_F(BrowserUi, SaveOverAnExistingFileAsksFirst) {
  b.open(FileBrowserMode::SaveAs, t.p(), "z");
  settle();
  ui.click(0, testing::centre(b.layout().okMin, b.layout().okMax), fn());
  EXPECT_FALSE(result.has_value()) << "not before the user confirmed";
  EXPECT_EQ(b.pendingOverwrite(), t.p("z.json"));
  settle();
  ASSERT_GT(b.layout().replaceMax.x, b.layout().replaceMin.x) << "the confirmation is on screen";
  ui.click(0, testing::centre(b.layout().replaceMin, b.layout().replaceMax), fn());
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, t.p("z.json"));
}

TEST_F(BrowserUi, CancelClosesWithoutAResult) {
  b.open(FileBrowserMode::SaveAs, t.p(), "new");
  settle();
  ui.click(0, testing::centre(b.layout().cancelMin, b.layout().cancelMax), fn());
  EXPECT_FALSE(b.isOpen());
  EXPECT_FALSE(result.has_value());
}

}  // namespace
}  // namespace attnmd::gui
