// Scene files from the app's side (app/state/document_io.h): save -> open -> save is byte-stable with the
// app's fields, undo/redo sequences land exactly on earlier states and agree with modified(), saving is
// atomic even when the writer is killed mid-write, and bad input everywhere (unreadable path, a file
// from a newer attnmd, a read-only folder, a full disk) gives a clear message and loses nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "app/gui/files/prefs.h"
#include "app/state/document_io.h"
#include "core/scene_io.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;

const std::string kAssets = std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes";
const std::string kFixtures = std::string(ATTNMD_FIXTURES) + "/scenes";

core::Scene smallScene() {
  const core::SceneLoadResult r = core::loadScene(kFixtures + "/good/minimal-prompt.json");
  EXPECT_TRUE(r.ok()) << r.error();
  return r.scene();
}

// Limits the size of files this process may write (a full disk, as far as write(2) can tell), and
// ignores SIGXFSZ so writes fail with EFBIG instead of killing the test. Restored on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit l = saved_;
    l.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &l);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*old_)(int) = SIG_DFL;
};

// =================================================================================================
// Round trips
// =================================================================================================

TEST(DocumentFile, SaveOpenSaveIsByteStableWithTheAppFields) {
  TempDir dir;
  Document doc(DocState{smallScene(), {}});
  ASSERT_EQ(doc.apply(cmd::MoveToken{0, 1, Eigen::Vector2d(0.1 + 0.2, -1.0 / 3.0)}), "");
  Experiment e = doc.experiment();
  e.svmTokens = SvmTokens::Optimal;
  e.stop.atSteps = true;
  e.stop.steps = 1234;
  ASSERT_EQ(doc.apply(cmd::SetExperiment{e}), "");
  doc.view().canvas = CanvasView{0.25, -1.5, 123.5};
  doc.view().layers.marginLines = false;
  ASSERT_TRUE(doc.modified());

  const std::string path = dir.str("demo.json");
  ASSERT_EQ(saveDocumentFile(doc, path), "");
  EXPECT_FALSE(doc.modified()) << "saving marks the document saved";
  const std::string first = readText(path);

  const OpenedDocument opened = openDocumentFile(path);
  ASSERT_TRUE(opened.ok) << opened.error;
  EXPECT_EQ(opened.doc.warning, "");
  EXPECT_TRUE(sameScene(opened.doc.state.scene, doc.scene()));
  EXPECT_EQ(opened.doc.state.experiment, doc.experiment());
  EXPECT_EQ(opened.doc.view.canvas.pixelsPerUnit, 123.5);
  EXPECT_FALSE(opened.doc.view.layers.marginLines);

  Document again(opened.doc.state);
  again.view() = opened.doc.view;
  ASSERT_EQ(saveDocumentFile(again, dir.str("again.json")), "");
  EXPECT_EQ(readText(dir.str("again.json")), first) << "open -> save reproduces the file byte for byte";
}

TEST(DocumentFile, EveryPresetRoundTripsByteStable) {
  TempDir dir;
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kAssets)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const OpenedDocument a = openDocumentFile(entry.path().string());
    ASSERT_TRUE(a.ok) << a.error;
    Document doc(a.doc.state);
    doc.view() = a.doc.view;
    const std::string p1 = dir.str("1.json"), p2 = dir.str("2.json");
    ASSERT_EQ(saveDocumentFile(doc, p1), "");
    const OpenedDocument b = openDocumentFile(p1);
    ASSERT_TRUE(b.ok) << b.error;
    Document doc2(b.doc.state);
    doc2.view() = b.doc.view;
    ASSERT_EQ(saveDocumentFile(doc2, p2), "");
    EXPECT_EQ(readText(p1), readText(p2));
    // Unknown fields (notes, a figure's "runs") survive the app.
    const auto original = nlohmann::json::parse(readText(entry.path()));
    const auto saved = nlohmann::json::parse(readText(p1));
    for (const char* key : {"notes", "runs"}) {
      if (original.contains(key)) {
        EXPECT_EQ(saved.at(key), original.at(key)) << key;
      }
    }
    ++n;
  }
  EXPECT_GE(n, 10);
}

TEST(DocumentFile, ClipboardTextGoesThroughTheSameLoader) {
  Document doc(DocState{smallScene(), {}});
  const std::string text = documentText(doc);
  const OpenedDocument ok = openDocumentText(text, "<clipboard>");
  ASSERT_TRUE(ok.ok) << ok.error;
  EXPECT_TRUE(sameScene(ok.doc.state.scene, doc.scene()));
  const OpenedDocument bad =
      openDocumentText("{\"format\": \"attnmd-scene\", \"version\": 1}", "<clipboard>");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.rfind("<clipboard>:", 0), 0u) << bad.error;
  EXPECT_FALSE(openDocumentText("hello, not a scene", "<clipboard>").ok);
}

// =================================================================================================
// Undo / redo against the document state
// =================================================================================================

TEST(DocumentUndo, RandomEditSequencesUndoAndRedoExactly) {
  const unsigned seed = 20240601;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> coord(-3, 3);
  Document doc(DocState{smallScene(), {}});
  std::vector<std::string> states{documentText(doc)};  // states[k]: after k edits
  std::size_t savedAt = 0;
  for (int k = 0; k < 60; ++k) {
    const core::Scene& s = doc.scene();
    const int seq = static_cast<int>(rng() % static_cast<unsigned>(s.sequenceCount()));
    const int T = static_cast<int>(s.sequences[static_cast<std::size_t>(seq)].tokens.rows());
    std::string refused;
    switch (rng() % 5) {
      case 0:
        refused = doc.apply(cmd::AddToken{seq, Eigen::Vector2d(coord(rng), coord(rng)), -1});
        break;
      case 1:
        refused = doc.apply(cmd::MoveToken{seq, static_cast<int>(rng() % static_cast<unsigned>(T)),
                                           Eigen::Vector2d(coord(rng), coord(rng))});
        break;
      case 2:
        refused = doc.apply(cmd::DeleteToken{seq, static_cast<int>(rng() % static_cast<unsigned>(T))});
        break;
      case 3:
        refused = doc.apply(
            cmd::SetLabel{seq, doc.scene().sequences[static_cast<std::size_t>(seq)].y > 0 ? -1 : 1});
        break;
      case 4: {
        // A drag: many updates, one entry.
        doc.beginGesture("drag");
        for (int f = 0; f < 5; ++f) doc.update(cmd::SetV{Eigen::Vector2d(coord(rng), coord(rng))});
        doc.endGesture();
        break;
      }
    }
    if (!refused.empty()) continue;  // refused edits leave no entry (tested in test_document)
    states.push_back(documentText(doc));
    ASSERT_EQ(doc.undoDepth(), states.size() - 1);
    if (k == 30) {
      doc.markSaved();
      savedAt = states.size() - 1;
    }
  }
  for (std::size_t k = states.size() - 1; k > 0; --k) {
    EXPECT_EQ(doc.modified(), k != savedAt) << "at " << k;
    ASSERT_TRUE(doc.undo());
    ASSERT_EQ(documentText(doc), states[k - 1]) << "undo to state " << k - 1;
  }
  EXPECT_FALSE(doc.undo());
  for (std::size_t k = 1; k < states.size(); ++k) {
    ASSERT_TRUE(doc.redo());
    ASSERT_EQ(documentText(doc), states[k]) << "redo to state " << k;
  }
  EXPECT_FALSE(doc.redo());
}

// =================================================================================================
// Atomic save and bad input
// =================================================================================================

TEST(AtomicSave, KillingTheWriterMidWriteLeavesTheOldFileIntact) {
  TempDir dir;
  const std::string path = dir.str("scene.json");
  const std::string old = documentText(Document(DocState{smallScene(), {}}));
  writeText(path, old);
  const std::string big(48u << 20, 'x');  // 48 MB: long enough to be caught in the middle
  int caught = 0;
  for (int trial = 0; trial < 5 && caught == 0; ++trial) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const char c = 'g';
      if (::write(ready[1], &c, 1) != 1) ::_exit(2);
      core::writeFileAtomic(path, big);
      ::_exit(0);
    }
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    // Kill as soon as the temporary file shows up, i.e. while the data is being written.
    bool sawTemp = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!sawTemp && std::chrono::steady_clock::now() < deadline) {
      for (const auto& e : fs::directory_iterator(dir.path))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) sawTemp = true;
      if (!sawTemp) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    const std::string now = readText(path);
    ASSERT_TRUE(now == old || now == big)
        << "the file is the old one or the new one, never a mix (" << now.size() << " bytes)";
    if (sawTemp && WIFSIGNALED(status) && now == old) ++caught;
    if (now == big) writeText(path, old);
  }
  EXPECT_GT(caught, 0) << "the writer was never caught mid-write; the test proved nothing";
  EXPECT_EQ(readText(path), old);
  // The next save works (the abandoned temporary file does not get in the way).
  Document doc(DocState{smallScene(), {}});
  ASSERT_EQ(saveDocumentFile(doc, path), "");
  EXPECT_EQ(readText(path), documentText(doc));
}

TEST(BadInput, UnreadableAndMissingPathsNameTheFile) {
  TempDir dir;
  const OpenedDocument missing = openDocumentFile(dir.str("nope.json"));
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("nope.json"), std::string::npos) << missing.error;
  const OpenedDocument folder = openDocumentFile(dir.str());
  EXPECT_FALSE(folder.ok);
  EXPECT_NE(folder.error, "");
  if (!attnmd::testing::runningAsRoot()) {
    writeText(dir.path / "locked.json", documentText(Document(DocState{smallScene(), {}})));
    fs::permissions(dir.path / "locked.json", fs::perms::none);
    const OpenedDocument locked = openDocumentFile(dir.str("locked.json"));
    EXPECT_FALSE(locked.ok);
    EXPECT_NE(locked.error.find("locked.json"), std::string::npos) << locked.error;
  }
}

TEST(BadInput, AFileFromANewerVersionIsRefusedWithAMessage) {
  const OpenedDocument r = openDocumentFile(kFixtures + "/bad/version-newer.json");
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("newer attnmd"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("version-newer.json"), std::string::npos) << r.error;
}

TEST(BadInput, EveryBadFixtureIsRefusedWithoutCrashing) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures + "/bad")) {
    const OpenedDocument r = openDocumentFile(entry.path().string());
    EXPECT_FALSE(r.ok) << entry.path();
    EXPECT_NE(r.error.find(entry.path().filename().string()), std::string::npos) << r.error;
    ++n;
  }
  EXPECT_GT(n, 40);
}

TEST(BadInput, SavingIntoAMissingOrReadOnlyFolderKeepsTheDocumentModified) {
  TempDir dir;
  Document doc(DocState{smallScene(), {}});
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  std::string e = saveDocumentFile(doc, dir.str("no/such/folder/x.json"));
  EXPECT_NE(e.find("does not exist"), std::string::npos) << e;
  EXPECT_TRUE(doc.modified()) << "a failed save is not a save";
  writeText(dir.path / "plainfile", "x");
  e = saveDocumentFile(doc, dir.str("plainfile/x.json"));
  EXPECT_NE(e, "");
  if (attnmd::testing::runningAsRoot()) GTEST_SKIP() << "root ignores folder permissions";
  fs::create_directories(dir.path / "ro");
  writeText(dir.path / "ro" / "keep.json", "precious");
  fs::permissions(dir.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  e = saveDocumentFile(doc, dir.str("ro/keep.json"));
  EXPECT_NE(e.find("ermission"), std::string::npos) << e;
  EXPECT_EQ(readText(dir.path / "ro" / "keep.json"), "precious");
  EXPECT_TRUE(doc.modified());
}

TEST(BadInput, AFullDiskLeavesTheOldFileAndSaysSo) {
  TempDir dir;
  const std::string path = dir.str("scene.json");
  writeText(path, "the previous version");
  core::Scene big = smallScene();
  big.sequences[0].tokens = Eigen::MatrixXd::Random(4000, 2);  // ~100 kB of text
  Document doc(DocState{big, {}});
  ASSERT_EQ(doc.apply(cmd::SetLabel{0, -1}), "");
  std::string e;
  {
    FileSizeLimit limit(16 * 1024);
    e = saveDocumentFile(doc, path);
  }
  EXPECT_NE(e, "");
  EXPECT_NE(e.find("unchanged"), std::string::npos) << e;
  EXPECT_EQ(readText(path), "the previous version");
  EXPECT_TRUE(doc.modified());
  for (const auto& entry : fs::directory_iterator(dir.path))
    EXPECT_EQ(entry.path().filename().string(), "scene.json") << "no temporary file is left behind";
  // Preferences under the same limit: a message, the old file kept.
  const std::string prefs = dir.str("prefs.json");
  writeText(prefs, "{\"theme\": \"dark\"}");
  UserPrefs p;
  for (int k = 0; k < 10; ++k) {
    std::string longPath(4001, static_cast<char>('a' + k));
    longPath[0] = '/';
    p.recentFiles.push_back(longPath);
  }
  {
    FileSizeLimit limit(1024);
    EXPECT_NE(savePrefs(p, prefs), "");
  }
  EXPECT_EQ(readText(prefs), "{\"theme\": \"dark\"}");
}

}  // namespace
}  // namespace attnmd::gui
