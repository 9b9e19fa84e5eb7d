// What users read points at the project's own docs: README, docs/, the presets and lessons, the
// figures' SVGs, every string in the programs (messages, tooltips, help) and the CLI's --help. None
// may cite the developers' specification beside the checkout, an issue number, or a section number
// without its document; and every relative link in the Markdown files must lead to a file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.h"
#include "tests/support/user_text.h"

namespace attnmd {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = ATTNMD_SOURCE_DIR;

std::string wholeFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every file under `folder` (relative to the checkout) whose extension is one of `exts`.
std::vector<fs::path> filesUnder(const char* folder, std::initializer_list<const char*> exts) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / folder)) {
    if (!e.is_regular_file()) continue;
    for (const char* ext : exts)
      if (e.path().extension() == ext) out.push_back(e.path());
  }
  return out;
}

void expectClean(const std::string& where, const std::string& text) {
  for (const std::string& problem : testing::userTextProblems(text)) ADD_FAILURE() << where << " " << problem;
}

TEST(UserText, TheCheckFindsWhatItLooksFor) {
  EXPECT_EQ(testing::userTextProblems("see ../shared/docs/math.md").size(), 1u);
  EXPECT_EQ(testing::userTextProblems("the issue 6 toy").size(), 1u);
  EXPECT_EQ(testing::userTextProblems("as in §8.4").size(), 1u);
  EXPECT_EQ(testing::userTextProblems("second line\nmath.md §4").size(), 2u);
  EXPECT_TRUE(testing::userTextProblems("docs/theory.md §8.4, §8.5 and theory §5").empty());
  EXPECT_TRUE(testing::userTextProblems("colour #1f77b4, 6 issues fixed").empty());
  EXPECT_EQ(testing::stringLiterals("f(\"a\"); // \"issue 6\"\n/* \"b\" */ g('\"', \"c \\\" d\");"),
            "a\nc \\\" d\n");
  EXPECT_EQ(testing::stringLiterals("tip(\"x (docs/theory.md \\xC2\\xA7\" \"4)\")"),
            "x (docs/theory.md §\n4)\n");
}

TEST(UserText, DocsPresetsLessonsAndFiguresCiteOnlyWhatUsersHave) {
  std::vector<fs::path> files = filesUnder("docs", {".md", ".svg"});
  for (const fs::path& p : filesUnder("assets", {".md", ".json"})) files.push_back(p);
  files.push_back(kRoot / "README.md");
  ASSERT_GT(files.size(), 20u);
  for (const fs::path& p : files) {
    const std::string name = fs::relative(p, kRoot).string();
    std::string text = wholeFile(p);
    // The theory and the file format may number their own sections.
    if (name == "docs/theory.md" || name == "docs/scene-format.md")
      text = std::regex_replace(text, std::regex("§"), "theory §");
    expectClean(name, text);
  }
}

TEST(UserText, EveryRelativeLinkInTheMarkdownLeadsToAFile) {
  std::vector<fs::path> files = filesUnder("docs", {".md"});
  for (const fs::path& p : filesUnder("assets", {".md"})) files.push_back(p);
  files.push_back(kRoot / "README.md");
  const std::regex link(R"(\]\(([^)#\s]+)(#[^)]*)?\))");
  int links = 0;
  for (const fs::path& p : files) {
    const std::string text = wholeFile(p);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator(); ++it) {
      const std::string target = (*it)[1];
      if (target.find("://") != std::string::npos || target.rfind("mailto:", 0) == 0) continue;
      ++links;
      EXPECT_TRUE(fs::exists(p.parent_path() / target))
          << fs::relative(p, kRoot).string() << " links to " << target << ", which does not exist";
    }
  }
  EXPECT_GT(links, 10);
}

TEST(UserText, EveryMessageTooltipAndHelpInTheProgramsCitesOnlyWhatUsersHave) {
  std::vector<fs::path> sources = filesUnder("app", {".cpp", ".h"});
  for (const fs::path& p : filesUnder("core", {".cpp", ".h"})) sources.push_back(p);
  ASSERT_GT(sources.size(), 50u);
  for (const fs::path& p : sources)
    expectClean(fs::relative(p, kRoot).string() + " (string literals)",
                testing::stringLiterals(wholeFile(p)));
}

TEST(UserText, TheCliHelpCitesOnlyWhatUsersHave) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"--help"},
                                                                             {"train", "--help"},
                                                                             {"generate", "--help"},
                                                                             {"svm", "--help"},
                                                                             {"figure", "--help"}}) {
    std::ostringstream out, err;
    EXPECT_EQ(cli::runCli(args, out, err), 0);
    expectClean("attnmd-cli " + args.front() + " --help:", out.str() + err.str());
  }
}

}  // namespace
}  // namespace attnmd
