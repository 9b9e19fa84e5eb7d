// Crash safety under SIGKILL at random moments: a child process edits a document (one token move about
// every millisecond), ticks its autosave as the app does every frame and saves the file every 10th edit,
// and is killed 100 times at random. After each kill the saved file is the old or a new version, never
// torn, and the dead session's autosave holds every edit older than 2 s. The child's clock moves 50 ms
// per edit (autosave reads only the injected clock), so 100 sessions of several simulated seconds take
// seconds, and a loaded machine that starves the child changes how far it gets, not what it must keep.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "app/gui/files/autosave.h"
#include "app/gui/files/file_session.h"
#include "app/state/document_io.h"
#include "core/scene_io.h"
#include "tests/support/scenes.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

constexpr double kSecondsPerEdit = 0.05;  // the child's clock: simulated seconds per edit

// The edit counter a document holds: edit k moves token 0 of sequence 0 to (k, 0).
long editOf(const core::Scene& scene) {
  return std::lround(scene.sequences[0].tokens(0, 0));
}

struct EditRecord {
  long k = 0;
  double at = 0;  // simulated seconds when edit k was applied
};

[[noreturn]] void editingSession(const std::string& state, const std::string& file, int reportFd) {
  double now = 1.7e9;  // the injected clock: moves with the edits
  AutosaveSession autosave({state, FileSessionOptions{}.autosaveSeconds}, [&now] { return now; });
  if (!autosave.start().empty()) ::_exit(3);
  Document doc(DocState{::attnmd::testing::teachingScene(), {}});
  for (long k = 1;; ++k) {
    Eigen::VectorXd x(2);
    x << static_cast<double>(k), 0.0;
    now += kSecondsPerEdit;
    if (!doc.apply(cmd::MoveToken{0, 0, x}).empty()) ::_exit(4);
    const EditRecord r{k, static_cast<double>(k) * kSecondsPerEdit};
    if (::write(reportFd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) ::_exit(5);
    autosave.tick(
        doc.revision(), doc.modified(), [&] { return documentText(doc); }, file);
    if (k % 10 == 0 && !saveDocumentFile(doc, file).empty()) ::_exit(6);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST(CrashSafety, HundredKillsWhileEditingAndSavingLoseNothingOlderThanTwoSeconds) {
  ASSERT_LE(FileSessionOptions{}.autosaveSeconds, 2.0)
      << "the app's autosave interval must keep edits older than 2 s";
  attnmd::testing::TempDir dir;
  const std::string file = dir.str("scene.json");
  std::mt19937 rng(20261206);
  std::uniform_int_distribution<int> killAfterMs(60, 200);
  int checkedAutosaves = 0;
  std::set<std::string> interruptedSaves;  // temporary files left by saves the kill interrupted
  long lastSaved = 0;                      // the edit the file held before this session
  for (int trial = 0; trial < 100; ++trial) {
    const std::string state = dir.str("state-" + std::to_string(trial));
    int pipeFds[2];
    ASSERT_EQ(::pipe(pipeFds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(pipeFds[0]);
      editingSession(state, file, pipeFds[1]);
    }
    ::close(pipeFds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(killAfterMs(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child failed on its own: " << status;
    std::vector<EditRecord> edits;
    EditRecord r;
    while (::read(pipeFds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r)) edits.push_back(r);
    ::close(pipeFds[0]);
    const long lastEdit = edits.empty() ? 0 : edits.back().k;
    // The clock at the kill: at most one more edit (applied, not yet reported) moved it.
    const double killedAt = static_cast<double>(lastEdit + 1) * kSecondsPerEdit;

    // The saved file: a whole document, the one before this session or one this session saved.
    if (fs::exists(file)) {
      const OpenedDocument saved = openDocumentFile(file);
      ASSERT_TRUE(saved.ok) << "trial " << trial << ": a torn file: " << saved.error;
      const long k = editOf(saved.doc.state.scene);
      EXPECT_TRUE(k == lastSaved || (k % 10 == 0 && k <= lastEdit + 1))
          << "trial " << trial << ": the file holds edit " << k << " (before: " << lastSaved << ", last edit "
          << lastEdit << ")";
      lastSaved = k;
      // A leftover temporary file of an interrupted save is allowed; the file itself never is torn.
      for (const auto& e : fs::directory_iterator(dir.path))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
          interruptedSaves.insert(e.path().filename().string());
    }

    // The autosave: every edit applied 2 s (simulated) before the kill is in it.
    long mustHave = 0;
    for (const EditRecord& e : edits)
      if (e.at <= killedAt - 2.0) mustHave = e.k;
    AutosaveSession next({state, 5.0});
    ASSERT_EQ(next.start(), "");
    const std::vector<RecoverableSession> found = next.findRecoverable();
    if (mustHave > 0) {
      ASSERT_EQ(found.size(), 1u) << "trial " << trial << ": no autosave after " << edits.size() << " edits";
      const core::SceneLoadResult scene = core::parseScene(found[0].sceneText, "autosave");
      ASSERT_TRUE(scene.ok()) << "trial " << trial << ": " << scene.error();
      EXPECT_GE(editOf(scene.scene()), mustHave)
          << "trial " << trial << ": the autosave lost an edit older than 2 s (killed at " << killedAt
          << " s)";
      ++checkedAutosaves;
    }
    next.finish();
    for (const RecoverableSession& s : found) removeSessionFiles(s);
  }
  // Most kills came late enough for the 2 s rule to bind.
  EXPECT_GE(checkedAutosaves, 50);
  std::printf("[ crash    ] 100 kills: %d autosaves checked, %d temporary files of interrupted saves seen\n",
              checkedAutosaves, static_cast<int>(interruptedSaves.size()));
}

}  // namespace
}  // namespace attnmd::gui
