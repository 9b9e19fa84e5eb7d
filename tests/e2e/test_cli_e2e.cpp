// The real attnmd-cli binary (ATTNMD_CLI_EXE) in a temporary folder: the files `train` writes, exit codes
// 0/2/3, --help, and `generate | train` through a pipe.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

using attnmd::testing::readText;
using attnmd::testing::shellQuote;

const std::string kExe = ATTNMD_CLI_EXE;
const std::string kScenes = std::string(ATTNMD_FIXTURES) + "/scenes";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "attnmd-cli-e2e-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct Outcome {
  int code = -1;
  std::string out, err;
};

// Runs `commandLine` (a shell command; EXE stands for the binary) in `dir`, capturing both streams.
Outcome shell(const TempDir& dir, const std::string& commandLine) {
  std::string cmd = commandLine;
  for (std::size_t at; (at = cmd.find("EXE")) != std::string::npos;) cmd.replace(at, 3, shellQuote(kExe));
  const fs::path out = dir.path / ".stdout", err = dir.path / ".stderr";
  const std::string full = "cd " + shellQuote(dir.path.string()) + " && ( " + cmd + " ) >" +
                           shellQuote(out.string()) + " 2>" + shellQuote(err.string()) + " </dev/null";
  const int status = std::system(full.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = readText(out);
  r.err = readText(err);
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

const char* const kRequiredColumns =
    "iter,loss,norm_p,corr,bregman,min_selected_prob,log10_max_unselected_mass,margin,accuracy";

TEST(CliE2e, GenerateThenTrainWritesTheContractFiles) {
  TempDir dir;
  Outcome gen = shell(dir, "EXE generate --preset toy-maxmargin > scene.json");
  ASSERT_EQ(gen.code, 0) << gen.err;
  Outcome train = shell(dir, "EXE train scene.json --iters 500 --out run");
  ASSERT_EQ(train.code, 0) << train.err;
  EXPECT_EQ(train.err.find('\r'), std::string::npos) << "no progress bar when stderr is not a terminal";

  const auto csv = lines(readText(dir.path / "run" / "metrics.csv"));
  ASSERT_GE(csv.size(), 3u);
  EXPECT_EQ(csv[0].rfind(kRequiredColumns, 0), 0u) << csv[0];
  EXPECT_EQ(csv[1].substr(0, 2), "0,");
  EXPECT_EQ(csv.back().substr(0, 4), "500,");

  const auto j = nlohmann::json::parse(readText(dir.path / "run" / "result.json"));
  for (const char* key : {"iterations", "status", "params", "v", "selected", "optimal", "metrics", "svm"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["iterations"], 500);
  EXPECT_EQ(j["status"], "ok");
  for (const char* key : {"loss", "norm_p", "corr", "bregman", "min_selected_prob"})
    EXPECT_TRUE(j["metrics"].contains(key)) << key;
}

TEST(CliE2e, GeneratePipedIntoTrain) {
  TempDir dir;
  Outcome r = shell(
      dir, "EXE generate --preset random --n 4 --T 5 --d 3 --seed 2 | EXE train - --iters 100 --out piped");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(readText(dir.path / "piped" / "result.json"));
  EXPECT_EQ(j["selected"].size(), 4u);
  EXPECT_EQ(j["params"]["W"].size(), 3u);
  // The piped scene is byte-identical to the same scene written to a file.
  Outcome file = shell(dir,
                       "EXE generate --preset random --n 4 --T 5 --d 3 --seed 2 --out s.json && "
                       "EXE train s.json --iters 100 --out fromfile");
  ASSERT_EQ(file.code, 0) << file.err;
  EXPECT_EQ(readText(dir.path / "piped" / "metrics.csv"), readText(dir.path / "fromfile" / "metrics.csv"));
}

TEST(CliE2e, ExitCodes) {
  TempDir dir;
  const std::string bad = kScenes + "/bad/unknown-optimizer.json";
  Outcome two = shell(dir, "EXE train " + shellQuote(bad) + " --out o");
  EXPECT_EQ(two.code, 2);
  EXPECT_EQ(two.err.rfind(bad + ":optimizer.name: unknown optimizer \"sgd\"", 0), 0u) << two.err;
  Outcome override =
      shell(dir, "EXE generate --preset toy-joint > t.json && EXE train t.json --lr -1 --out o");
  EXPECT_EQ(override.code, 2);
  EXPECT_NE(override.err.find("--lr"), std::string::npos) << override.err;
  Outcome usage = shell(dir, "EXE train");
  EXPECT_EQ(usage.code, 2);

  Outcome three = shell(dir, "EXE train " + shellQuote(kScenes + "/cli/diverges.json") + " --out d");
  EXPECT_EQ(three.code, 3) << three.err;
  const auto j = nlohmann::json::parse(readText(dir.path / "d" / "result.json"));
  EXPECT_EQ(j["status"], "stopped");
  EXPECT_TRUE(j.contains("reason"));

  for (const char* sub : {"train", "generate", "svm", "figure"}) {
    Outcome help = shell(dir, std::string("EXE ") + sub + " --help");
    EXPECT_EQ(help.code, 0) << sub;
    EXPECT_NE(help.out.find("Example:"), std::string::npos) << sub << ": " << help.out;
  }
}

TEST(CliE2e, FigureWritesValidSvgsAndCsv) {
  TempDir dir;
  Outcome r =
      shell(dir,
            "EXE generate --preset joint-wv-p175 > a.json && EXE generate --preset joint-wv-p3 > b.json && "
            "EXE figure a.json b.json --iters 300 --out fig");
  ASSERT_EQ(r.code, 0) << r.err;
  const bool haveXmllint = std::system("command -v xmllint >/dev/null 2>&1") == 0;
  for (const char* plot : {"loss", "norm", "alignment", "sparsity", "margin"}) {
    const fs::path svg = dir.path / "fig" / (std::string(plot) + ".svg");
    ASSERT_TRUE(fs::exists(svg)) << svg;
    if (haveXmllint) {
      Outcome lint = shell(dir, "xmllint --noout " + shellQuote(svg.string()));
      EXPECT_EQ(lint.code, 0) << plot << ": " << lint.err;
    }
  }
  const auto csv = lines(readText(dir.path / "fig" / "metrics.csv"));
  ASSERT_GE(csv.size(), 3u);
  EXPECT_EQ(csv[0].rfind(kRequiredColumns, 0), 0u) << csv[0];
  EXPECT_TRUE(fs::exists(dir.path / "fig" / "plots.csv"));
}

TEST(CliE2e, SvmPrintsJson) {
  TempDir dir;
  Outcome r = shell(dir, "EXE generate --preset toy-maxmargin | EXE svm - --tokens 0");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "optimal");
  EXPECT_EQ(j["tokens"], nlohmann::json::array({0}));
}

}  // namespace
