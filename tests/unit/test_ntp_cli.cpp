// attnmd-cli on next-token prediction scenes: generate, train, svm and figure through the CLI's library,
// the files they write (docs/scene-format.md "NTP scenes"), and bad input (exit 2, the field path,
// nothing written).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "app/cli/ntp_commands.h"
#include "core/ntp_generators.h"
#include "core/scene_io.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

struct NtpCliResult {
  int code;
  std::string out, err;
};

NtpCliResult ntpCli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = attnmd::cli::runCli(args, out, err);
  return {code, out.str(), err.str()};
}

// The first data row whose `column` is `value`, as column -> cell.
std::vector<std::string> ntpCsvCells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

TEST(NtpCli, GenerateTrainAndSvmOnTheWorkedExample) {
  attnmd::testing::TempDir dir;
  const std::string scene = dir.str("chain.json");
  NtpCliResult r = ntpCli({"generate", "--preset", "ntp-chain", "--out", scene});
  ASSERT_EQ(r.code, 0) << r.err;
  r = ntpCli({"train", scene, "--out", dir.str("run")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("trained 7,000 steps"), std::string::npos) << r.out;

  const std::string csv = attnmd::testing::readText(dir.path / "run" / "metrics.csv");
  std::istringstream lines(csv);
  std::string header, line, last;
  std::getline(lines, header);
  const std::vector<std::string> columns = ntpCsvCells(header);
  // The required columns first, in order, then the NTP ones.
  const std::vector<std::string> required{
      "iter",   "loss",    "norm_p", "corr", "bregman", "min_selected_prob", "log10_max_unselected_mass",
      "margin", "accuracy"};
  ASSERT_GE(columns.size(), required.size() + 3);
  for (std::size_t k = 0; k < required.size(); ++k) EXPECT_EQ(columns[k], required[k]);
  EXPECT_EQ(columns[9], "stage");
  EXPECT_EQ(columns[10], "corr_ov");
  EXPECT_EQ(columns[11], "corr_kq");
  std::vector<std::string> first;
  while (std::getline(lines, line)) {
    if (first.empty()) first = ntpCsvCells(line);
    last = line;
  }
  EXPECT_EQ(first[0], "0");
  const std::vector<std::string> end = ntpCsvCells(last);
  ASSERT_EQ(end.size(), columns.size());
  EXPECT_EQ(end[0], "7000");
  EXPECT_EQ(end[9], "2");
  EXPECT_GT(std::stod(end[10]), 1 - 1e-12);
  EXPECT_GT(std::stod(end[11]), 0.99999);

  const auto result = nlohmann::json::parse(attnmd::testing::readText(dir.path / "run" / "result.json"));
  EXPECT_EQ(result["status"], "ok");
  EXPECT_EQ(result["params"]["W_ov"].size(), 6u);
  EXPECT_EQ(result["params"]["W_kq"].size(), 6u);
  EXPECT_EQ(result["svm"]["status"], "optimal");
  EXPECT_EQ(result["svm"]["tokens"], nlohmann::json({1, 1, 1, 1, 1, 0}));
  EXPECT_NEAR(result["svm"]["solution"]["W_kq"][2][5].get<double>(), 1.25, 1e-9);
  EXPECT_EQ(result["ov_svm"]["status"], "optimal");
  EXPECT_NEAR(result["ov_svm"]["solution"]["W_ov"][1][0].get<double>(), 5.0 / 6, 1e-9);

  r = ntpCli({"svm", scene});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto svm = nlohmann::json::parse(r.out);
  EXPECT_EQ(svm["svm"]["solution"], result["svm"]["solution"]);
  EXPECT_EQ(svm["ov_svm"]["status"], "optimal");
}

TEST(NtpCli, FigureDrawsBothCorrCurvesAndTheStageSwitch) {
  attnmd::testing::TempDir dir;
  const std::string scene = dir.str("words.json");
  ASSERT_EQ(ntpCli({"generate", "--preset", "ntp-words-2d", "--out", scene}).code, 0);
  const NtpCliResult r = ntpCli({"figure", scene, "--out", dir.str("fig")});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* f :
       {"loss.svg", "alignment.svg", "sparsity.svg", "norm.svg", "plots.csv", "metrics.csv", "result.json"})
    EXPECT_TRUE(fs::exists(dir.path / "fig" / f)) << f;
  const std::string align = attnmd::testing::readText(dir.path / "fig" / "alignment.svg");
  EXPECT_NE(align.find("corr(W_ov, W_ov^mm)"), std::string::npos);
  EXPECT_NE(align.find("corr(W_kq, W_kq^mm)"), std::string::npos);
  EXPECT_NE(attnmd::testing::readText(dir.path / "fig" / "loss.svg").find("stage 1 | stage 2"),
            std::string::npos);
}

TEST(NtpCli, NotRealizableDataWarnsAndStillTrains) {
  attnmd::testing::TempDir dir;
  attnmd::core::NtpScene s = attnmd::core::generateNtpScene("ntp-chain", {});
  s.sentences.push_back({{4, 0, 5}, 3});
  s.iterations = 300;
  s.stage1Iterations = 100;
  ASSERT_EQ(attnmd::core::saveNtpScene(s, dir.str("bad.json")), "");
  const NtpCliResult r = ntpCli({"train", dir.str("bad.json"), "--out", dir.str("run")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: sentence 6"), std::string::npos) << r.err;
  const auto result = nlohmann::json::parse(attnmd::testing::readText(dir.path / "run" / "result.json"));
  EXPECT_EQ(result["svm"]["status"], "infeasible");
  EXPECT_NE(result["svm"]["reason"].get<std::string>().find("sentence 6"), std::string::npos);
  EXPECT_EQ(result["realizable"], false);
}

TEST(NtpCli, BadInputExitsTwoWithTheFieldPathAndWritesNothing) {
  attnmd::testing::TempDir dir;
  const std::string good = attnmd::core::ntpSceneToJson(attnmd::core::generateNtpScene("ntp-chain", {}));
  struct Case {
    std::string from, to, want;
  };
  const std::vector<Case> cases = {
      {"[0, 3, 4]", "[0, 3, 7]", "sentences[3].tokens[2]: not a vocabulary index"},
      {"[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]", "[1.0, 0.0, 0.0]", "vocabulary[0].embedding: expected 6 numbers"},
      {"[2, 3]", "[1, 3]", "collocation[2][0]: token 1 has two successors"},
      {"[3, 1, 2]", "[3]", "sentences[5].tokens: a sentence needs at least 2 tokens"},
      {"\"stage1_iterations\": 2000", "\"stage1_iterations\": 8000", "model.stage1_iterations: stage 1"},
      {"\"lr\": 0.1", "\"lr\": -1", "optimizer.lr: must be > 0"},
  };
  for (const Case& c : cases) {
    std::string text = good;
    const std::size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    const std::string path = dir.str("case.json");
    ASSERT_EQ(attnmd::core::writeFileAtomic(path, text), "");
    const std::string out = dir.str("out-" + std::to_string(&c - cases.data()));
    for (const char* command : {"train", "figure"}) {
      const NtpCliResult r = ntpCli({command, path, "--out", out});
      EXPECT_EQ(r.code, 2) << command << " " << c.want;
      EXPECT_NE(r.err.find(path + ":" + c.want), std::string::npos) << command << ": " << r.err;
      EXPECT_FALSE(fs::exists(out)) << command << ": nothing may be written for " << c.want;
    }
    const NtpCliResult s = ntpCli({"svm", path});
    EXPECT_EQ(s.code, 2) << c.want;
    EXPECT_TRUE(s.out.empty());
  }
  // A K < 2 vocabulary; --K outside ntp-random.
  EXPECT_EQ(ntpCli({"generate", "--preset", "ntp-random", "--K", "1"}).code, 2);
  EXPECT_EQ(ntpCli({"generate", "--preset", "ntp-chain", "--K", "4"}).code, 2);
  const NtpCliResult g =
      ntpCli({"generate", "--preset", "ntp-random", "--K", "5", "--n", "7", "--T", "3", "--seed", "4"});
  ASSERT_EQ(g.code, 0) << g.err;
  auto loaded = attnmd::core::parseAnyScene(g.out);
  ASSERT_TRUE(loaded.isNtp()) << (loaded.ok() ? "" : loaded.error());
  EXPECT_EQ(loaded.ntpScene().vocabularySize(), 5);
  EXPECT_EQ(loaded.ntpScene().sentenceCount(), 7);
  EXPECT_TRUE(attnmd::core::analyzeNtp(loaded.ntpScene()).realizable);
}
