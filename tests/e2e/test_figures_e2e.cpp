// The paper figures end to end: scripts/make_figures.sh runs the real attnmd-cli (ATTNMD_CLI_EXE) on
// every assets/scenes/fig-*.json into a temporary folder. Every figure gets its SVGs (valid XML), its
// CSVs with the contract's columns, and each run's result.json shows the fact the figure is about
// (docs/theory.md §8.4-8.7, the joint (W, v) toy).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
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
using Json = nlohmann::json;

namespace {

using attnmd::testing::readText;
using attnmd::testing::shellQuote;

// Runs make_figures.sh once for the whole suite (about a few seconds of training).
class Figures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "attnmd-figures-XXXXXX").string();
    out_ = new fs::path(mkdtemp(tmpl.data()));
    const std::string cmd = "ATTNMD_CLI=" + shellQuote(ATTNMD_CLI_EXE) + " " +
                            shellQuote(std::string(ATTNMD_SOURCE_DIR) + "/scripts/make_figures.sh") +
                            " --out " + shellQuote(out_->string()) + " --no-screenshots > " +
                            shellQuote((*out_ / "log.txt").string()) + " 2>&1";
    status_ = std::system(cmd.c_str());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*out_, ec);
    delete out_;
  }
  static fs::path dir(const std::string& figure) { return *out_ / figure; }
  // result.json of each run of a figure, in run order (folders are named "<index>-<run name>").
  static std::vector<Json> results(const std::string& figure) {
    std::vector<fs::path> runs;
    for (const auto& e : fs::directory_iterator(dir(figure)))
      if (e.is_directory()) runs.push_back(e.path());
    std::sort(runs.begin(), runs.end(), [](const fs::path& a, const fs::path& b) {
      return std::stoi(a.filename().string()) < std::stoi(b.filename().string());
    });
    std::vector<Json> out;
    for (const fs::path& r : runs) out.push_back(Json::parse(readText(r / "result.json")));
    return out;
  }
  static std::vector<std::string> figureNames() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes"))
      if (e.path().filename().string().rfind("fig-", 0) == 0) names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  static fs::path* out_;
  static int status_;
};
fs::path* Figures::out_ = nullptr;
int Figures::status_ = -1;

double cosine(const Json& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t k = 0; k < b.size(); ++k) {
    const double x = a.at(k).get<double>();
    ab += x * b[k];
    aa += x * x;
    bb += b[k] * b[k];
  }
  return ab / std::sqrt(aa * bb);
}

TEST_F(Figures, ScriptWritesEveryFigureWithValidSvgsAndCsvs) {
  ASSERT_TRUE(WIFEXITED(status_) && WEXITSTATUS(status_) == 0) << readText(*out_ / "log.txt");
  const std::vector<std::string> names = figureNames();
  ASSERT_GE(names.size(), 5u);
  const bool xmllint = std::system("xmllint --version > /dev/null 2>&1") == 0;
  const std::string index = readText(*out_ / "README.md");
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    EXPECT_NE(index.find("## " + name), std::string::npos);
    for (const char* plot : {"loss", "norm", "alignment", "sparsity", "margin"}) {
      const fs::path svg = dir(name) / (std::string(plot) + ".svg");
      ASSERT_TRUE(fs::exists(svg)) << svg;
      EXPECT_NE(index.find(name + "/" + plot + ".svg"), std::string::npos);
      if (xmllint) {
        EXPECT_EQ(std::system(("xmllint --noout " + shellQuote(svg.string())).c_str()), 0) << svg;
      }
    }
    const std::string metrics = readText(dir(name) / "metrics.csv");
    EXPECT_EQ(
        metrics.rfind(
            "iter,loss,norm_p,corr,bregman,min_selected_prob,log10_max_unselected_mass,margin,accuracy", 0),
        0u);
    const std::string header = metrics.substr(0, metrics.find('\n'));
    EXPECT_TRUE(header.ends_with(",run")) << "several runs: the run's name is the last column";
    EXPECT_EQ(readText(dir(name) / "plots.csv").rfind("iteration", 0), 0u)
        << readText(dir(name) / "plots.csv").substr(0, 80);
    EXPECT_GE(results(name).size(), 2u) << "each figure compares runs";
  }
}

// docs/theory.md §8.4: with the third token at 0, ngd from (0,-1,0) or (0,-1.5,0) ends on the locally optimal
// direction (1,0,0) (token 1), from the other four starts on the global one, (-0.1,1,0)/1.01 (token 0).
TEST_F(Figures, MaxMarginInitsSplitBetweenLocalAndGlobal) {
  const std::vector<Json> r = results("fig-8.4-maxmargin-inits");
  ASSERT_EQ(r.size(), 6u);
  for (std::size_t k = 0; k < r.size(); ++k) {
    SCOPED_TRACE("run " + std::to_string(k));
    const bool local = k < 2;
    EXPECT_EQ(r[k]["selected"][0].get<int>(), local ? 1 : 0);
    EXPECT_GT(
        cosine(r[k]["params"]["p"], local ? std::vector<double>{1, 0, 0} : std::vector<double>{-0.1, 1, 0}),
        0.999);
  }
}

// docs/theory.md §8.5: p^mm = (4/3, 1/3); the relaxed variant's p turns to (1, 0).
TEST_F(Figures, JointPromptToy) {
  const std::vector<Json> r = results("fig-8.5-joint-pv");
  ASSERT_EQ(r.size(), 2u);
  const Json& mm = r[0]["svm"]["solution"]["p"];
  EXPECT_NEAR(mm[0].get<double>(), 4.0 / 3.0, 1e-6);
  EXPECT_NEAR(mm[1].get<double>(), 1.0 / 3.0, 1e-6);
  EXPECT_GT(cosine(r[0]["params"]["p"], {4.0 / 3.0, 1.0 / 3.0}), 0.999);
  EXPECT_GT(cosine(r[1]["params"]["p"], {1, 0}), 0.999);
  EXPECT_GT(std::abs(r[0]["v"][1].get<double>()), 10 * std::abs(r[0]["v"][0].get<double>())) << "v ~ (0, 1)";
}

// docs/theory.md §8.6: ngd grows ||p|| like eta k (0.1 * 2000 = 200); gd only logarithmically.
TEST_F(Figures, NgdGrowsTheNormLinearlyGdLogarithmically) {
  const std::vector<Json> r = results("fig-8.6-ngd-speed");
  ASSERT_EQ(r.size(), 2u);
  const double gd = r[0]["metrics"]["norm_p"].get<double>(), ngd = r[1]["metrics"]["norm_p"].get<double>();
  EXPECT_GT(ngd, 0.8 * 0.1 * 2000);
  EXPECT_LT(ngd, 1.0001 * 0.1 * 2000);
  EXPECT_LT(gd, 0.1 * ngd);
  EXPECT_GT(r[1]["metrics"]["min_selected_prob"].get<double>(), 0.999999);
}

// docs/theory.md §8.7: each p's run approaches its own l_p SVM.
TEST_F(Figures, RandomRunsApproachTheirOwnSvm) {
  const std::vector<Json> r = results("fig-8.7-random-p");
  ASSERT_EQ(r.size(), 3u);
  const double ps[] = {1.75, 2.0, 3.0};
  for (std::size_t k = 0; k < 3; ++k) {
    SCOPED_TRACE("p = " + std::to_string(ps[k]));
    EXPECT_EQ(r[k]["svm"]["p"].get<double>(), ps[k]);
    EXPECT_EQ(r[k]["svm"]["status"], "optimal");
    EXPECT_LT(r[k]["metrics"]["bregman"].get<double>(), 0.05);
  }
}

// The joint (W, v) toy: which token each sequence selects depends on p.
TEST_F(Figures, JointWvSelectionDependsOnP) {
  const std::vector<Json> r = results("fig-joint-wv-p");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["svm"]["p"].get<double>(), 1.75);
  EXPECT_EQ(r[2]["svm"]["p"].get<double>(), 3.0);
  EXPECT_NE(r[0]["selected"], r[2]["selected"]) << r[0]["selected"] << " vs " << r[2]["selected"];
}

}  // namespace
