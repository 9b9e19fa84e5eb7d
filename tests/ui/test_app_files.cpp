// Files and exports through the whole main screen (null ImGui backend, temporary XDG folders): the
// File and Export menus exist, the file shortcuts reach the session, an opened file replaces the run,
// a bad file leaves everything as it was and says why in the status bar, autosave follows edits, quit
// asks about unsaved changes, and the export sources describe what is on screen.
#include <gtest/gtest.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui_internal.h>  // FindWindowByName

#include "app/gui/app.h"
#include "app/plot/format.h"
#include "app/state/document_io.h"
#include "core/scene_io.h"
#include "imgui_harness.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
using testing::ImGuiHarness;
namespace fs = std::filesystem;

DocState preset(const std::string& name) {
  const OpenedDocument d = openDocumentFile(std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes/" + name);
  EXPECT_TRUE(d.ok) << d.error;
  return d.doc.state;
}

struct AppFiles : ::testing::Test {
  TempDir dir;
  ImGuiHarness ui;
  App app{preset("default.json"), Preferences{}};
  void SetUp() override {
    FileSessionOptions o;
    o.dirs = UserDirs{dir.str("config"), dir.str("state")};
    const auto messages = app.startSession(o);
    EXPECT_TRUE(messages.empty()) << messages.front();
  }
  std::function<void()> fn() {
    return [this] { app.frame(); };
  }
  void chord(std::initializer_list<int> modifiers, int key) {
    for (int m : modifiers) {
      if (m == GLFW_KEY_LEFT_CONTROL) ui.ctrl(true);
      if (m == GLFW_KEY_LEFT_SHIFT) ui.shift(true);
    }
    ui.tap(key, fn());
    ui.ctrl(false);
    ui.shift(false);
    ui.frame(fn());
  }
};

TEST_F(AppFiles, MenuBarHasFileFirstAndExport) {
  ui.frame(fn());
  ImGuiWindow* bar = ImGui::FindWindowByName("##MainMenuBar");
  ASSERT_NE(bar, nullptr);
  // The File menu's popup id exists once it is opened: open it the way --show does.
  app.show("file-menu");
  ui.frame(fn());
  ui.frame(fn());
  EXPECT_NE(ImGui::FindWindowByName("##Menu_00"), nullptr) << "a menu popup is open";
}

TEST_F(AppFiles, OpeningAFileReplacesTheSceneAndRestartsTheRun) {
  ui.frame(fn());
  app.lab().requestSteps(20);
  ASSERT_TRUE(app.lab().waitIdle(10));
  ui.frame(fn());
  ASSERT_GT(app.snapshot()->iteration, 0);
  Document other(preset("toy-joint.json"));
  ASSERT_EQ(saveDocumentFile(other, dir.str("joint.json")), "");
  app.session().openPath(app.document(), dir.str("joint.json"));
  ui.frame(fn());
  ui.frame(fn());
  EXPECT_TRUE(sameScene(app.document().scene(), other.scene()));
  EXPECT_EQ(app.snapshot()->iteration, 0) << "a new scene starts a new run";
  EXPECT_FALSE(app.document().modified());
  EXPECT_EQ(app.windowTitle(), "joint.json \xE2\x80\x94 attnmd");
  EXPECT_NE(app.statusText().find("opened"), std::string::npos) << app.statusText();
}

TEST_F(AppFiles, ABadFileChangesNothingAndTheStatusBarSaysWhy) {
  ui.frame(fn());
  const std::string before = documentText(app.document());
  app.session().openPath(app.document(), std::string(ATTNMD_FIXTURES) + "/scenes/bad/version-newer.json");
  ui.frame(fn());
  EXPECT_EQ(documentText(app.document()), before);
  EXPECT_NE(app.statusText().find("newer attnmd"), std::string::npos) << app.statusText();
}

TEST_F(AppFiles, ShortcutsReachTheSession) {
  ui.frame(fn());
  chord({GLFW_KEY_LEFT_CONTROL}, GLFW_KEY_S);  // untitled: Save opens Save As
  EXPECT_TRUE(app.session().browser().isOpen());
  EXPECT_EQ(app.session().browser().mode(), FileBrowserMode::SaveAs);
  ui.tap(GLFW_KEY_SPACE, fn());
  EXPECT_FALSE(app.lab().playing()) << "keys go to the dialog, not to the app";
  app.session().browser().close();
  ui.frame(fn());
  chord({GLFW_KEY_LEFT_CONTROL, GLFW_KEY_LEFT_SHIFT}, GLFW_KEY_C);
  const char* clip = ImGui::GetClipboardText();
  ASSERT_NE(clip, nullptr);
  EXPECT_EQ(std::string(clip), documentText(app.document()));
  // Paste a different scene: one undoable edit.
  ImGui::SetClipboardText(documentText(Document(preset("clusters-2d.json"))).c_str());
  chord({GLFW_KEY_LEFT_CONTROL, GLFW_KEY_LEFT_SHIFT}, GLFW_KEY_V);
  EXPECT_TRUE(sameScene(app.document().scene(), preset("clusters-2d.json").scene));
  EXPECT_EQ(app.document().undoName(), "paste scene");
  chord({GLFW_KEY_LEFT_CONTROL}, GLFW_KEY_Z);
  EXPECT_TRUE(sameScene(app.document().scene(), preset("default.json").scene));
}

TEST_F(AppFiles, EditsAreAutosavedAndQuitAsksFirst) {
  ui.frame(fn());
  ASSERT_NE(app.session().autosave(), nullptr);
  const std::string autosave = app.session().autosave()->autosavePath();
  EXPECT_FALSE(fs::exists(autosave));
  ASSERT_EQ(app.document().apply(cmd::SetLabel{0, -1}), "");
  ui.frame(fn());
  ASSERT_TRUE(fs::exists(autosave));
  app.requestQuit();
  EXPECT_FALSE(app.quitApproved());
  ui.frame(fn());
  ui.frame(fn());
  const UnsavedPrompt& p = app.session().unsavedPrompt();
  ASSERT_TRUE(p.open);
  ui.click(0, ImVec2((p.discardMin.x + p.discardMax.x) / 2, (p.discardMin.y + p.discardMax.y) / 2), fn());
  EXPECT_TRUE(app.quitApproved());
  app.session().finish();
  EXPECT_FALSE(fs::exists(autosave)) << "a clean exit removes the autosave";
  EXPECT_TRUE(fs::exists(dir.path / "config" / "prefs.json")) << "preferences are written at exit";
}

TEST_F(AppFiles, ThemeAndScaleChangesAreRemembered) {
  ui.frame(fn());
  app.setTheme(ThemeKind::Dark);
  app.setUiScale(1.5f);
  const PrefsLoad p = loadPrefs(dir.str("config/prefs.json"));
  EXPECT_EQ(p.prefs.theme, ThemeKind::Dark);
  EXPECT_EQ(p.prefs.uiScale, 1.5f);
}

TEST_F(AppFiles, ExportSourcesDescribeTheScreen) {
  ui.frame(fn());
  ui.frame(fn());
  const ExportSources src = app.exportSources();
  EXPECT_GT(src.canvas.max.x, src.canvas.min.x + 100);
  EXPECT_GT(src.plotsMax.x, src.plotsMin.x + 100);
  ASSERT_EQ(src.plotRects.size(), 5u);
  EXPECT_EQ(src.plotRects.front().first, "loss");
  for (const auto& [name, r] : src.plotRects) {
    EXPECT_GE(r.first.x, src.plotsMin.x - 1) << name;
    EXPECT_LE(r.second.x, src.plotsMax.x + 1) << name;
  }
  EXPECT_EQ(src.sceneName, "untitled");
  EXPECT_FALSE(src.summary.empty());
  EXPECT_TRUE(openDocumentText(src.sceneJson, "<export>").ok);
  // The SVG of the canvas comes from the same description the screen was painted with.
  ExportSources here = src;
  here.folder = dir.str();
  const ExportReport r = app.exports().canvasSvg(here);
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string svg = readText(dir.path / r.written.front());
  EXPECT_NE(svg.find("width=\"" + plot::formatCoord(src.canvas.max.x - src.canvas.min.x) + "\""),
            std::string::npos);
}

}  // namespace
}  // namespace attnmd::gui
