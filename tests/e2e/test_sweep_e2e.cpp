// The real attnmd-cli binary (ATTNMD_CLI_EXE) sweeping: the preset's files, and Ctrl-C (SIGINT) in the
// middle of a sweep, which must exit 130 and keep every finished run in runs.csv.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace {

const std::string kSweepExe = ATTNMD_CLI_EXE;
const std::string kSweepPreset = std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes/fig-8.7-random-p.json";

std::size_t sweepLines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST(SweepE2e, ThePresetSweepsItsThreeValuesOfP) {
  attnmd::testing::TempDir dir;
  const auto r = attnmd::testing::runShell(kSweepExe + " sweep " + attnmd::testing::shellQuote(kSweepPreset) +
                                           " --seeds 2 --iters 300 --jobs 2 --out " +
                                           attnmd::testing::shellQuote(dir.str("out")));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("swept 6 runs (3 grid points x 2 seeds"), std::string::npos) << r.output;
  for (const char* f : {"sweep.json", "runs.csv", "curves.csv", "summary.csv", "bregman.svg", "corr.svg",
                        "sparsity.svg", "bregman.csv", "corr.csv", "sparsity.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir.path / "out" / f)) << f;
  EXPECT_EQ(sweepLines(attnmd::testing::readText(dir.path / "out" / "runs.csv")), 7u);

  const auto help = attnmd::testing::runShell(kSweepExe + " sweep --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("docs/sweeps.md"), std::string::npos) << help.output;
}

TEST(SweepE2e, CtrlCKeepsEveryFinishedRun) {
  attnmd::testing::TempDir dir;
  const std::string out = dir.str("out"), log = dir.str("log.txt");
  // 600 runs of 20,000 steps: minutes of work, so the signal always comes in the middle.
  std::vector<std::string> args = {kSweepExe, "sweep",  kSweepPreset, "--seeds",       "200",   "--iters",
                                   "20000",   "--jobs", "2",          "--no-progress", "--out", out};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, kSweepExe.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string output = attnmd::testing::readText(log);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 130) << output;
  EXPECT_NE(output.find("interrupted:"), std::string::npos) << output;
  // Every finished run is written, in run-id order; the runs cut short are not.
  const std::string runs = attnmd::testing::readText(std::filesystem::path(out) / "runs.csv");
  ASSERT_GE(sweepLines(runs), 1u);
  EXPECT_LT(sweepLines(runs), 601u);
  EXPECT_EQ(runs.rfind("run,point,name,seed,status,", 0), 0u);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out) / "summary.csv"));
}
