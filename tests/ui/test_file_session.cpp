// The document's life as a file (app/gui/files/file_session.h) in a null-backend ImGui context with temporary
// XDG folders: the unsaved-changes prompt guards New / Open / Quit, a bad file leaves the scene
// untouched, Save As on an untitled scene goes through the browser, paste is one undoable edit, dropped
// files open, autosave follows the document, and a killed session's work is restored at the next start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/gui/files/file_session.h"
#include "app/state/document_io.h"
#include "core/scene_io.h"
#include "imgui_harness.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;

core::Scene sceneWith(double x) {
  const core::SceneLoadResult r =
      core::loadScene(std::string(ATTNMD_FIXTURES) + "/scenes/good/minimal-prompt.json");
  EXPECT_TRUE(r.ok()) << r.error();
  core::Scene s = r.scene();
  s.sequences[0].tokens(0, 0) = x;
  return s;
}

struct Session : ::testing::Test {
  TempDir dir;
  testing::ImGuiHarness ui;
  Document doc{DocState{sceneWith(1.0), {}}};
  std::unique_ptr<FileSession> session;
  std::vector<std::string> messages;
  int replaced = 0;
  double now = 1.7e9;

  FileSessionOptions options() {
    FileSessionOptions o;
    o.dirs = UserDirs{dir.str("config/attnmd"), dir.str("state/attnmd")};
    o.clock = [this] { return now; };
    return o;
  }
  void startSession() {
    session = std::make_unique<FileSession>(options());
    session->notify = [this](const std::string& m) { messages.push_back(m); };
    session->newDocument = [] { return DocState{sceneWith(-7.0), {}}; };
    session->documentReplaced = [this] { ++replaced; };
    const auto m = session->start();
    messages.insert(messages.end(), m.begin(), m.end());
  }
  void SetUp() override { startSession(); }

  std::function<void()> fn() {
    return [this] { session->frame(doc, 1.f); };
  }
  void settle() {
    ui.frame(fn());
    ui.frame(fn());
  }
  void clickAt(ImVec2 a, ImVec2 b) {
    ASSERT_GT(b.x, a.x) << "the button was not drawn";
    ui.click(0, testing::centre(a, b), fn());
  }
  std::string file(const std::string& name, double x) {
    Document d(DocState{sceneWith(x), {}});
    const std::string p = dir.str(name);
    EXPECT_EQ(saveDocumentFile(d, p), "");
    return p;
  }
  bool said(const std::string& part) const {
    for (const auto& m : messages)
      if (m.find(part) != std::string::npos) return true;
    return false;
  }
};

TEST_F(Session, OpenAsksFirstWhenModifiedAndCancelKeepsEverything) {
  const std::string other = file("other.json", 5.0);
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  const core::Scene before = doc.scene();
  session->openPath(doc, other);
  settle();
  ASSERT_TRUE(session->unsavedPrompt().open);
  EXPECT_NE(session->unsavedPrompt().action.find("other.json"), std::string::npos);
  clickAt(session->unsavedPrompt().cancelMin, session->unsavedPrompt().cancelMax);
  EXPECT_TRUE(sameScene(doc.scene(), before));
  EXPECT_TRUE(doc.modified());
  EXPECT_EQ(replaced, 0);

  session->openPath(doc, other);
  settle();
  clickAt(session->unsavedPrompt().discardMin, session->unsavedPrompt().discardMax);
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 5.0);
  EXPECT_FALSE(doc.modified());
  EXPECT_EQ(doc.undoDepth(), 0u) << "a new file starts a new undo history";
  EXPECT_EQ(session->path(), other);
  EXPECT_EQ(replaced, 1);
  EXPECT_EQ(session->prefs().recentFiles.front(), other);
  EXPECT_NE(readText(dir.str("config/attnmd/prefs.json")).find("other.json"), std::string::npos)
      << "recent files are remembered at once";
  EXPECT_EQ(session->windowTitle(doc), "other.json \xE2\x80\x94 attnmd");
}

TEST_F(Session, ABadFileLeavesTheSceneUntouchedAndSaysWhy) {
  writeText(dir.path / "bad.json", R"({"format": "attnmd-scene", "version": 1, "dim": 2})");
  const std::string before = documentText(doc);
  session->openPath(doc, dir.str("bad.json"));
  EXPECT_EQ(documentText(doc), before);
  EXPECT_TRUE(said("not opened: ")) << "messages: " << (messages.empty() ? "" : messages.back());
  EXPECT_TRUE(said("bad.json:")) << "the loader's message names the file";
  session->openPath(doc, std::string(ATTNMD_FIXTURES) + "/scenes/bad/version-newer.json");
  EXPECT_TRUE(said("newer attnmd"));
  EXPECT_EQ(documentText(doc), before);
  EXPECT_EQ(replaced, 0);
}

// A lecturer opened their file, then a preset: Ctrl+S must not write the preset over their file.
TEST_F(Session, APresetOpensAsANewUntitledSceneAndSaveNeverOverwritesTheOpenFile) {
  const std::string mine = file("mine.json", 3.0);
  session->openPath(doc, mine);
  ASSERT_EQ(session->path(), mine);
  const std::string before = readText(mine);
  session->openNew(doc, documentFromScene(sceneWith(9.0)), "clusters-2d");
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 9.0);
  EXPECT_EQ(session->path(), "") << "the preset is not the open file";
  EXPECT_EQ(session->displayName(), "clusters-2d (new)");
  EXPECT_EQ(session->documentStem(), "clusters-2d") << "exports are named after the preset";
  EXPECT_TRUE(said("clusters-2d"));
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  EXPECT_FALSE(session->save(doc)) << "Ctrl+S asks where (Save As)";
  ASSERT_TRUE(session->browser().isOpen());
  EXPECT_EQ(session->browser().mode(), FileBrowserMode::SaveAs);
  EXPECT_EQ(session->browser().name(), "clusters-2d.json");
  EXPECT_EQ(readText(mine), before) << "the user's file is untouched";
}

// The unsaved-changes prompt guards the old document before a preset replaces it.
TEST_F(Session, APresetAsksFirstWhenTheSceneHasUnsavedChanges) {
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  const core::Scene before = doc.scene();
  session->openNew(doc, documentFromScene(sceneWith(9.0)), "compare-p");
  settle();
  ASSERT_TRUE(session->unsavedPrompt().open);
  EXPECT_NE(session->unsavedPrompt().action.find("compare-p"), std::string::npos);
  clickAt(session->unsavedPrompt().cancelMin, session->unsavedPrompt().cancelMax);
  EXPECT_TRUE(sameScene(doc.scene(), before));
  EXPECT_TRUE(doc.modified());
  session->openNew(doc, documentFromScene(sceneWith(9.0)), "compare-p");
  settle();
  clickAt(session->unsavedPrompt().discardMin, session->unsavedPrompt().discardMax);
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 9.0);
  EXPECT_FALSE(doc.modified());
  EXPECT_EQ(replaced, 1);
}

TEST_F(Session, SaveOnAnUntitledSceneGoesThroughSaveAs) {
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  EXPECT_FALSE(session->save(doc));
  ASSERT_TRUE(session->browser().isOpen());
  EXPECT_EQ(session->browser().mode(), FileBrowserMode::SaveAs);
  session->browser().navigate(dir.str());
  session->browser().setName("mine");
  settle();
  clickAt(session->browser().layout().okMin, session->browser().layout().okMax);
  EXPECT_EQ(session->path(), dir.str("mine.json"));
  EXPECT_FALSE(doc.modified());
  EXPECT_EQ(readText(dir.str("mine.json")), documentText(doc));
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, 1}), "");
  EXPECT_TRUE(session->save(doc)) << "now it has a file: Ctrl+S saves at once";
  EXPECT_EQ(readText(dir.str("mine.json")), documentText(doc));
}

TEST_F(Session, SaveInThePromptOfAnUntitledSceneSavesThenGoesOn) {
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  const std::string edited = documentText(doc);
  session->newScene(doc);
  settle();
  clickAt(session->unsavedPrompt().saveMin, session->unsavedPrompt().saveMax);
  ASSERT_TRUE(session->browser().isOpen()) << "untitled: where to save it?";
  session->browser().navigate(dir.str());
  session->browser().setName("kept.json");
  settle();
  clickAt(session->browser().layout().okMin, session->browser().layout().okMax);
  EXPECT_EQ(readText(dir.str("kept.json")), edited);
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), -7.0) << "then File > New happened";
  EXPECT_EQ(session->path(), "");
  EXPECT_FALSE(doc.modified());
}

TEST_F(Session, QuitAsksOnlyWhenThereAreUnsavedChanges) {
  session->requestQuit(doc);
  EXPECT_TRUE(session->quitApproved());
  startSession();
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  session->requestQuit(doc);
  EXPECT_FALSE(session->quitApproved());
  settle();
  clickAt(session->unsavedPrompt().cancelMin, session->unsavedPrompt().cancelMax);
  EXPECT_FALSE(session->quitApproved());
  session->requestQuit(doc);
  settle();
  clickAt(session->unsavedPrompt().discardMin, session->unsavedPrompt().discardMax);
  EXPECT_TRUE(session->quitApproved());
}

TEST_F(Session, PasteIsOneUndoableEditThroughTheLoader) {
  const std::string text = documentText(Document(DocState{sceneWith(3.5), {}}));
  EXPECT_TRUE(session->pasteText(doc, text));
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 3.5);
  EXPECT_EQ(doc.undoName(), "paste scene");
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 1.0);
  const std::string before = documentText(doc);
  EXPECT_FALSE(session->pasteText(doc, "definitely not a scene"));
  EXPECT_EQ(documentText(doc), before);
  EXPECT_TRUE(said("<clipboard>"));
  // Copy puts the document on the clipboard (ImGui's own clipboard without a backend).
  session->copyScene(doc);
  const char* clip = ImGui::GetClipboardText();
  ASSERT_NE(clip, nullptr);
  EXPECT_EQ(std::string(clip), documentText(doc));
}

TEST_F(Session, DroppedScenesOpenOtherFilesAreRefused) {
  const std::string other = file("dropped.json", 9.0);
  session->openDropped(doc, {dir.str("picture.png")});
  EXPECT_TRUE(said("drop a scene file"));
  session->openDropped(doc, {dir.str("picture.png"), other});
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 9.0);
  EXPECT_EQ(session->path(), other);
}

TEST_F(Session, AutosaveFollowsTheDocument) {
  AutosaveSession* a = session->autosave();
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->active()) << (messages.empty() ? "" : messages.back());
  ui.frame(fn());
  EXPECT_FALSE(fs::exists(a->autosavePath())) << "nothing to protect yet";
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  ui.frame(fn());
  ASSERT_TRUE(fs::exists(a->autosavePath()));
  EXPECT_NE(readText(a->autosavePath()).find("\"y\": -1"), std::string::npos);
  session->openPath(doc, file("x.json", 2.0));  // unsaved: asks
  settle();
  clickAt(session->unsavedPrompt().saveMin, session->unsavedPrompt().saveMax);  // untitled -> Save As
  session->browser().navigate(dir.str());
  session->browser().setName("saved.json");
  settle();
  clickAt(session->browser().layout().okMin, session->browser().layout().okMax);
  ui.frame(fn());
  EXPECT_FALSE(fs::exists(a->autosavePath())) << "saved: the file is the user's copy";
  session->finish();
  EXPECT_TRUE(fs::is_empty(dir.path / "state" / "attnmd")) << "a clean exit leaves nothing";
}

TEST_F(Session, AKilledSessionIsRestoredAtTheNextStart) {
  const std::string path = file("work.json", 1.0);
  session.reset();  // this process's session ends (cleanly enough: no autosave was written)
  const FileSessionOptions o = options();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FileSession s(o);
    s.start();
    Document d(DocState{sceneWith(4.25), {}});
    s.setOpened(path);
    if (d.apply(cmd::SetLabel{0, -1}) != "") ::_exit(2);
    testing::ImGuiHarness h;
    h.frame([&] { s.frame(d, 1.f); });  // the autosave is written here
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child should have been killed";

  startSession();  // the next start
  ASSERT_TRUE(session->recoveryPrompt().visible());
  ASSERT_EQ(session->recoveryPrompt().pending.size(), 1u);
  EXPECT_EQ(session->recoveryPrompt().pending[0].documentPath, path);
  EXPECT_TRUE(session->modalOpen());
  settle();
  clickAt(session->recoveryPrompt().restoreMin, session->recoveryPrompt().restoreMax);
  EXPECT_EQ(doc.scene().sequences[0].tokens(0, 0), 4.25);
  EXPECT_EQ(doc.scene().sequences[0].y, -1);
  EXPECT_TRUE(doc.modified()) << "restored work is unsaved work";
  EXPECT_EQ(session->path(), path) << "Ctrl+S saves it where it came from";
  EXPECT_EQ(doc.undoName(), "restore autosave");
  EXPECT_EQ(replaced, 1);
  EXPECT_FALSE(session->recoveryPrompt().visible());
  std::size_t others = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "state" / "attnmd"))
    others += e.path().filename().string().find(std::to_string(pid)) != std::string::npos;
  EXPECT_EQ(others, 0u) << "the dead session's files are gone once restored";
}

TEST_F(Session, ACorruptPreferencesFileIsReportedAndDefaultsUsed) {
  session.reset();
  fs::create_directories(dir.path / "config" / "attnmd");
  writeText(dir.path / "config" / "attnmd" / "prefs.json", "{{{");
  messages.clear();
  startSession();
  EXPECT_TRUE(said("default preferences")) << (messages.empty() ? "(none)" : messages.front());
  EXPECT_EQ(session->prefs(), UserPrefs{});
}

}  // namespace
}  // namespace attnmd::gui
