// Autosave and crash recovery (app/gui/files/autosave.h, recovery_prompt.h): writes only when changed and at
// most once per interval (injected clock), a killed session's autosave is offered at the next start
// (fork + SIGKILL, the real thing), a live session's is not, a clean exit leaves nothing, bad files are
// reported and left alone, and the prompt's buttons give the answer.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/gui/files/autosave.h"
#include "app/gui/files/recovery_prompt.h"
#include "core/scene_io.h"
#include "imgui_harness.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;

const char* kScene = R"({"format": "attnmd-scene", "version": 1, "dim": 2,
  "model": {"kind": "prompt", "v": [0.0, 1.0], "loss": "logistic"},
  "sequences": [{"y": 1, "tokens": [[1.0, 2.0], [3.0, -4.5]]}],
  "optimizer": {"name": "nmd", "p": 2.0, "lr": 0.1}, "init": {"kind": "zeros"}, "app": {"svm_tokens": "optimal"}})";

struct FakeClock {
  double now = 1.7e9;
  WallClock fn() {
    return [this] { return now; };
  }
};

std::size_t filesIn(const std::string& folder) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(folder)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

// Runs `body` in a child process that then dies by SIGKILL (no destructors, no atexit: a real crash).
void crashAfter(const std::function<void()>& body) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    body();
    ::kill(::getpid(), SIGKILL);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(Autosave, WritesOnlyWhenChangedAndAtMostOncePerInterval) {
  TempDir dir;
  FakeClock clock;
  AutosaveSession s({dir.str("state"), 5.0}, clock.fn());
  ASSERT_EQ(s.start(), "");
  int texts = 0;
  auto text = [&] {
    ++texts;
    return std::string(kScene);
  };
  EXPECT_FALSE(s.tick(1, false, text, "")) << "an unmodified document needs no autosave";
  EXPECT_FALSE(fs::exists(s.autosavePath()));
  EXPECT_TRUE(s.tick(2, true, text, "/x/demo.json")) << "the first change is saved at once";
  EXPECT_TRUE(fs::exists(s.autosavePath()));
  clock.now += 1;
  EXPECT_FALSE(s.tick(3, true, text, "/x/demo.json")) << "within the interval";
  clock.now += 4;
  EXPECT_TRUE(s.tick(3, true, text, "/x/demo.json"));
  clock.now += 60;
  EXPECT_FALSE(s.tick(3, true, text, "/x/demo.json")) << "unchanged since the last autosave";
  EXPECT_EQ(texts, 2) << "the scene is serialized only when written";
  EXPECT_FALSE(s.tick(3, false, text, "/x/demo.json")) << "saved by the user: the autosave goes";
  EXPECT_FALSE(fs::exists(s.autosavePath()));
  EXPECT_EQ(s.lastSaveTime(), 1.7e9 + 5);
  s.finish();
  EXPECT_EQ(filesIn(dir.str("state")), 0u) << "a clean exit leaves nothing behind";
}

TEST(Autosave, KilledSessionIsOfferedAtTheNextStart) {
  TempDir dir;
  const std::string folder = dir.str("state");
  crashAfter([&] {
    FakeClock clock{1234567890.5};
    AutosaveSession s({folder, 5.0}, clock.fn());
    if (!s.start().empty() || !s.saveNow(7, kScene, "/home/me/demo.json").empty()) ::_exit(3);
  });
  AutosaveSession next({folder, 5.0});
  ASSERT_EQ(next.start(), "");
  std::vector<std::string> problems;
  const std::vector<RecoverableSession> found = next.findRecoverable(&problems);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(found[0].savedAt, 1234567890.5);
  EXPECT_EQ(found[0].documentPath, "/home/me/demo.json");
  const core::SceneLoadResult restored = core::parseScene(found[0].sceneText, "<autosave>");
  ASSERT_TRUE(restored.ok()) << restored.error();
  const core::SceneLoadResult original = core::parseScene(kScene);
  EXPECT_EQ(core::sceneToJson(restored.scene()), core::sceneToJson(original.scene()))
      << "the restored scene is the one that was autosaved, app fields included";

  ASSERT_EQ(removeSessionFiles(found[0]), "");
  EXPECT_TRUE(next.findRecoverable().empty()) << "decided once, never offered again";
  next.finish();
  EXPECT_EQ(filesIn(folder), 0u);
}

TEST(Autosave, SessionEndedWithoutFinishIsACrashToo) {
  TempDir dir;
  {
    AutosaveSession s({dir.str(), 5.0});
    ASSERT_EQ(s.start(), "");
    ASSERT_EQ(s.saveNow(1, kScene, ""), "");
  }  // destroyed without finish(): e.g. an exception unwound main
  // Same pid here, so look from a session that pretends to be another process: its files differ by pid.
  // A fresh session in this process would skip "its own" pid, so read the folder the way the next
  // process would, by renaming the files to another pid.
  const long other = static_cast<long>(::getpid()) + 100000;
  fs::rename(dir.path / ("autosave-" + std::to_string(::getpid()) + ".json"),
             dir.path / ("autosave-" + std::to_string(other) + ".json"));
  fs::rename(dir.path / ("session-" + std::to_string(::getpid()) + ".lock"),
             dir.path / ("session-" + std::to_string(other) + ".lock"));
  AutosaveSession next({dir.str(), 5.0});
  ASSERT_EQ(next.start(), "");
  const auto found = next.findRecoverable();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].pid, other);
  EXPECT_EQ(found[0].documentPath, "");
}

TEST(Autosave, LiveSessionIsNotOfferedUntilItDies) {
  TempDir dir;
  const std::string folder = dir.str();
  int ready[2], hold[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(hold), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    AutosaveSession s({folder, 5.0});
    const char ok = s.start().empty() && s.saveNow(1, kScene, "").empty() ? 'y' : 'n';
    if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
    char c;
    (void)!::read(hold[0], &c, 1);  // blocks until the parent kills us
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  AutosaveSession me({folder, 5.0});
  ASSERT_EQ(me.start(), "");
  EXPECT_TRUE(me.findRecoverable().empty()) << "another running attnmd owns that autosave";
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(me.findRecoverable().size(), 1u) << "once it is dead, its work is offered";
  for (int fd : {ready[0], ready[1], hold[0], hold[1]}) ::close(fd);
}

TEST(Autosave, BadAutosaveFilesAreReportedAndLeftAlone) {
  TempDir dir;
  writeText(dir.path / "autosave-999991.json", "{ not json");
  writeText(dir.path / "autosave-999992.json",
            R"({"format": "attnmd-autosave", "version": 99, "scene": {}})");
  writeText(dir.path / "autosave-999993.json", R"({"format": "something-else", "version": 1})");
  writeText(dir.path / "autosave-notapid.json", "{}");
  AutosaveSession s({dir.str(), 5.0});
  ASSERT_EQ(s.start(), "");
  std::vector<std::string> problems;
  EXPECT_TRUE(s.findRecoverable(&problems).empty());
  ASSERT_EQ(problems.size(), 3u);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("newer attnmd"), std::string::npos) << all;
  EXPECT_TRUE(fs::exists(dir.path / "autosave-999991.json")) << "never delete what we cannot read";
  EXPECT_TRUE(fs::exists(dir.path / "autosave-999992.json"));
}

TEST(Autosave, StaleMarkersWithoutAutosaveAreCleanedUp) {
  TempDir dir;
  writeText(dir.path / "session-999994.lock", "attnmd session\n");
  AutosaveSession s({dir.str(), 5.0});
  ASSERT_EQ(s.start(), "");
  EXPECT_FALSE(fs::exists(dir.path / "session-999994.lock"));
  EXPECT_TRUE(fs::exists(s.markerPath()));
}

TEST(Autosave, UnwritableFolderTurnsAutosaveOffWithAMessage) {
  TempDir dir;
  writeText(dir.path / "file", "x");
  AutosaveSession s({dir.str("file/state"), 5.0});  // a folder under a regular file can never exist
  const std::string e = s.start();
  EXPECT_NE(e, "");
  EXPECT_NE(e.find("autosave is off"), std::string::npos) << e;
  EXPECT_FALSE(s.active());
  EXPECT_FALSE(s.tick(
      2, true, [] { return std::string(kScene); }, ""));
}

TEST(Autosave, DescribesWhenItWasSaved) {
  const double t = 1.7e9;
  EXPECT_NE(describeSavedAt(t, t + 30).find("less than a minute ago"), std::string::npos);
  EXPECT_NE(describeSavedAt(t, t + 300).find("5 minutes ago"), std::string::npos);
  EXPECT_NE(describeSavedAt(t, t + 7200).find("2 hours ago"), std::string::npos);
  EXPECT_NE(describeSavedAt(t, t + 5 * 86400).find("5 days ago"), std::string::npos);
  EXPECT_EQ(describeSavedAt(t, t).substr(0, 2), "20");
}

TEST(RecoveryPrompt, ShowsTheNewestAndReturnsTheAnswer) {
  testing::ImGuiHarness ui;
  RecoveryPrompt prompt;
  RecoverableSession a, b;
  a.pid = 1;
  a.savedAt = 1.7e9;
  a.documentPath = "/home/me/demo.json";
  b.pid = 2;
  b.savedAt = 1.6e9;
  prompt.pending = {a, b};
  RecoveryPrompt::Choice got = RecoveryPrompt::Choice::None;
  auto frame = [&] {
    const auto c = prompt.draw(1.7e9 + 120, 1.f);
    if (c != RecoveryPrompt::Choice::None) got = c;
  };
  ui.frame(frame);
  ui.frame(frame);  // the modal appears over two frames
  ASSERT_GT(prompt.restoreMax.x, prompt.restoreMin.x) << "the Restore button was drawn";
  const ImVec2 r((prompt.restoreMin.x + prompt.restoreMax.x) / 2,
                 (prompt.restoreMin.y + prompt.restoreMax.y) / 2);
  ui.click(0, r, frame);
  EXPECT_EQ(got, RecoveryPrompt::Choice::Restore);
  EXPECT_EQ(prompt.take().pid, 1);
  ASSERT_TRUE(prompt.visible()) << "the older session is asked about next";
  got = RecoveryPrompt::Choice::None;
  ui.frame(frame);
  ui.frame(frame);
  const ImVec2 d((prompt.discardMin.x + prompt.discardMax.x) / 2,
                 (prompt.discardMin.y + prompt.discardMax.y) / 2);
  ui.click(0, d, frame);
  EXPECT_EQ(got, RecoveryPrompt::Choice::Discard);
  EXPECT_EQ(prompt.take().pid, 2);
  EXPECT_FALSE(prompt.visible());
}

}  // namespace
}  // namespace attnmd::gui
