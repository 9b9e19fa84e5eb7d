// The real `attnmd` with files, under Xvfb: an export bundle written from the GUI (2x PNGs with twice the
// pixels of the window, the SVGs valid XML, the scene re-opens), the recovery prompt shown at start
// after a session was killed (and nothing decided for the user), scripted runs that leave the user's
// folders alone, and a scene given without --scene. SKIPPED without a display.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "app/gui/export/gif_writer.h"
#include "app/gui/files/autosave.h"
#include "app/gui/platform/image_io.h"
#include "app/state/document_io.h"

#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::runShell;
using attnmd::testing::shellQuote;
using attnmd::testing::ShellResult;

namespace fs = std::filesystem;

struct Temp {
  fs::path path;
  Temp() {
    std::string t = (fs::temp_directory_path() / "attnmd-files-e2e-XXXXXX").string();
    path = mkdtemp(t.data());
  }
  ~Temp() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

class AppFilesE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* d = std::getenv("DISPLAY");
    if (!d || !*d) GTEST_SKIP() << "no DISPLAY: run under xvfb-run to test the GUI";
  }
  // The app with its user folders inside the temporary folder.
  std::string app(const std::string& args) const {
    return "XDG_CONFIG_HOME=" + shellQuote((tmp.path / "config").string()) +
           " XDG_STATE_HOME=" + shellQuote((tmp.path / "state").string()) + " " + shellQuote(ATTNMD_GUI_EXE) +
           " --size 1000x700 " + args;
  }
  Temp tmp;
};

TEST_F(AppFilesE2e, ExportBundleFromTheRealGui) {
  const fs::path out = tmp.path / "exports";
  const fs::path shot = tmp.path / "window.png";
  const ShellResult r = runShell(app("--steps 200 --screenshot " + shellQuote(shot.string()) +
                                     " --export-bundle " + shellQuote(out.string()) + " --exit"));
  ASSERT_EQ(r.code, 0) << r.output;
  std::vector<fs::path> bundles;
  for (const auto& e : fs::directory_iterator(out)) bundles.push_back(e.path());
  ASSERT_EQ(bundles.size(), 1u) << r.output;
  const fs::path b = bundles.front();
  EXPECT_NE(r.output.find(b.string()), std::string::npos) << "stdout says where the files went: " << r.output;
  Image window, canvas;
  ASSERT_EQ(readPng((b / "window@2x.png").string(), window), "");
  EXPECT_EQ(window.width, 2000) << "2x a 1000-point-wide window";
  EXPECT_EQ(window.height, 1400);
  // Real 2x pixels: the same layout as the window (the 2x image box-filtered to 1x is close to the 1x
  // screenshot), with detail a pixel-doubled copy cannot have (2x2 blocks that are not uniform, e.g.
  // in the menu bar's text, drawn from a font atlas rasterized at twice the size).
  Image one;
  ASSERT_EQ(readPng(shot.string(), one), "");
  ASSERT_EQ(one.width * 2, window.width);
  double diff = 0;
  int varied = 0, blocks = 0;
  for (int y = 0; y < one.height; ++y)
    for (int x = 0; x < one.width; ++x) {
      int lo = 255, hi = 0, sum = 0;
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx) {
          const int g = window.pixel(2 * x + dx, 2 * y + dy)[1];
          lo = std::min(lo, g);
          hi = std::max(hi, g);
          sum += g;
        }
      diff += std::abs(sum / 4.0 - one.pixel(x, y)[1]);
      if (y < 20) {  // the menu bar
        ++blocks;
        varied += hi - lo > 24;
      }
    }
  EXPECT_LT(diff / (one.width * one.height), 6.0) << "the 2x frame shows what the window shows";
  EXPECT_GT(varied, blocks / 50) << "text edges at 2x resolution, not doubled pixels";
  ASSERT_EQ(readPng((b / "canvas@2x.png").string(), canvas), "");
  EXPECT_GT(canvas.width, 400);
  const std::string readme = readText(b / "README.md");
  for (const char* f : {"scene.json", "canvas.svg", "loss.svg", "norm.svg", "alignment.svg", "sparsity.svg",
                        "margin.svg", "plots.csv", "metrics.csv", "plots@2x.png", "plot-loss@2x.png"}) {
    EXPECT_TRUE(fs::exists(b / f)) << f;
    EXPECT_NE(readme.find(std::string("`") + f + "`"), std::string::npos) << f;
  }
  EXPECT_NE(readme.find("step 200"), std::string::npos) << readme;
  if (std::system("xmllint --version > /dev/null 2>&1") == 0) {
    for (const char* f : {"canvas.svg", "loss.svg"})
      EXPECT_EQ(std::system(("xmllint --noout " + shellQuote((b / f).string())).c_str()), 0) << f;
  }
  const OpenedDocument scene = openDocumentFile((b / "scene.json").string());
  EXPECT_TRUE(scene.ok) << scene.error;
  const std::string metrics = readText(b / "metrics.csv");
  EXPECT_EQ(
      metrics.rfind(
          "iter,loss,norm_p,corr,bregman,min_selected_prob,log10_max_unselected_mass,margin,accuracy", 0),
      0u);
  EXPECT_NE(metrics.find("\n200,"), std::string::npos) << "the last row is the step the app was at";
  EXPECT_FALSE(fs::exists(tmp.path / "config")) << "a scripted run does not write preferences";
}

TEST_F(AppFilesE2e, RecoveryPromptAfterAKilledSession) {
  const std::string state = (tmp.path / "state" / "attnmd").string();
  // A session that autosaved a scene and was killed (as a crash would end it).
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    AutosaveSession s({state, 5.0});
    Document d(openDocumentFile(std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes/toy-joint.json").doc.state);
    if (!s.start().empty() || !s.saveNow(1, documentText(d), "/somewhere/joint.json").empty()) _exit(2);
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  const std::string autosave = state + "/autosave-" + std::to_string(pid) + ".json";
  ASSERT_TRUE(fs::exists(autosave));

  // A scripted run without --user-state neither shows it nor touches it.
  const fs::path layout1 = tmp.path / "l1.json", layout2 = tmp.path / "l2.json";
  ShellResult r = runShell(app("--screenshot " + shellQuote((tmp.path / "a.png").string()) +
                               " --layout-json " + shellQuote(layout1.string()) + " --exit"));
  ASSERT_EQ(r.code, 0) << r.output;
  auto j = nlohmann::json::parse(readText(layout1));
  EXPECT_FALSE(j["dialogs"]["recovery"].get<bool>());
  // With --user-state the start offers to restore it.
  r = runShell(app("--user-state --screenshot " + shellQuote((tmp.path / "recovery.png").string()) +
                   " --layout-json " + shellQuote(layout2.string()) + " --exit"));
  ASSERT_EQ(r.code, 0) << r.output;
  j = nlohmann::json::parse(readText(layout2));
  EXPECT_TRUE(j["dialogs"]["recovery"].get<bool>()) << j.dump();
  EXPECT_TRUE(fs::exists(autosave)) << "unanswered, the autosave stays for the next start";
  for (const auto& e : fs::directory_iterator(state))
    EXPECT_EQ(e.path().filename().string().find("session-" + std::to_string(getpid())), std::string::npos);
  EXPECT_TRUE(fs::exists(tmp.path / "config" / "attnmd" / "prefs.json")) << "--user-state writes preferences";
}

TEST_F(AppFilesE2e, AFileArgumentOpensIt) {
  const fs::path layout = tmp.path / "l.json";
  const std::string scene = std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes/toy-joint.json";
  const ShellResult r =
      runShell(app(shellQuote(scene) + " --screenshot " + shellQuote((tmp.path / "s.png").string()) +
                   " --layout-json " + shellQuote(layout.string()) + " --exit"));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(readText(layout));
  EXPECT_EQ(j["window_title"], "toy-joint.json \xE2\x80\x94 attnmd");
  EXPECT_EQ(j["markers"].size(), 6u) << "toy-joint has 3 sequences of 2 tokens";
  const ShellResult bad = runShell(app(
      "--scene " + shellQuote(std::string(ATTNMD_FIXTURES) + "/scenes/bad/version-newer.json") + " --exit"));
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.output.find("newer attnmd"), std::string::npos) << bad.output;
}

// Export > Animation from the command line: the timeline replayed into a looping GIF of the canvas,
// one frame per planned step, the last held; the frames change as the run trains.
TEST_F(AppFilesE2e, ExportAnimationGifFromTheRealGui) {
  const fs::path gif = tmp.path / "run.gif";
  const ShellResult r = runShell(
      app("--steps 300 --export-animation " + shellQuote(gif.string()) + " --animation-frames 6 --exit"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("wrote " + gif.string() + " (6 frames, steps 0 to 300)"), std::string::npos)
      << r.output;
  DecodedGif d;
  ASSERT_EQ(readGif(gif.string(), d), "");
  ASSERT_EQ(d.frames.size(), 6u);
  EXPECT_TRUE(d.loops);
  EXPECT_EQ(d.delaysCs, (std::vector<int>{8, 8, 8, 8, 8, 150}));
  // The canvas (with its legend strip), not the whole 1000x700 window.
  EXPECT_GT(d.width, 300);
  EXPECT_LT(d.width, 1000);
  EXPECT_LT(d.height, 700);
  // Step 0 and step 300 differ (the rays turn, the attention rings move): more than a few pixels.
  long long changed = 0;
  for (int y = 0; y < d.height; ++y)
    for (int x = 0; x < d.width; ++x)
      changed += !std::equal(d.frames[0].pixel(x, y), d.frames[0].pixel(x, y) + 3, d.frames[5].pixel(x, y));
  EXPECT_GT(changed, 200) << "first and last frames hardly differ";
}

TEST_F(AppFilesE2e, ExportAnimationBadRangeIsRefusedAndWithoutFfmpegWritesFrames) {
  const fs::path gif = tmp.path / "bad.gif";
  const ShellResult bad = runShell(
      app("--steps 50 --export-animation " + shellQuote(gif.string()) + " --animation-from 60 --exit"));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("must come before the last"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(gif));
  const fs::path mp4 = tmp.path / "run.mp4";
  const ShellResult r =
      runShell("ATTNMD_FFMPEG= " + app("--steps 50 --export-animation " + shellQuote(mp4.string()) +
                                       " --animation-frames 3 --animation-linear --exit"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("ffmpeg is not installed"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(tmp.path / "run-frames" / "frame-0003.png")) << r.output;
  EXPECT_FALSE(fs::exists(mp4));
}

}  // namespace
}  // namespace attnmd::gui
