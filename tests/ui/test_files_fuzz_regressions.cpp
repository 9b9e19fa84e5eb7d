// The inputs the fuzz targets of the app's file readers found (tests/fixtures/fuzz/prefs-*, autosave-*)
// and their seeds, through the same checks as the targets (tests/fuzz/file_reader_checks.h), in every
// test run. The fuzz runs (scripts/dev.sh fuzz) replay them under ASan + UBSan too: they seed the corpora.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "app/gui/files/prefs.h"
#include "tests/fuzz/file_reader_checks.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

// Every file of `folder` whose name starts with `prefix`, sorted.
std::vector<fs::path> fuzzInputsStartingWith(const fs::path& folder, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FilesFuzzRegressions, FoundInputsAndSeedsPassTheFuzzChecks) {
  std::vector<fs::path> prefs = fuzzInputsStartingWith(ATTNMD_FIXTURES "/fuzz", "prefs-");
  for (const fs::path& p : fuzzInputsStartingWith(ATTNMD_SOURCE_DIR "/tests/fuzz/seeds/prefs", ""))
    prefs.push_back(p);
  ASSERT_FALSE(prefs.empty());
  for (const fs::path& p : prefs)
    EXPECT_EQ(fuzz::prefsProblem(::attnmd::testing::readText(p), core::enumTable<ThemeKind>()), "") << p;
  const std::vector<fs::path> autosaves = fuzzInputsStartingWith(ATTNMD_FIXTURES "/fuzz", "autosave-");
  ASSERT_FALSE(autosaves.empty());
  for (const fs::path& p : autosaves) {
    const ::attnmd::testing::TempDir state;
    EXPECT_EQ(fuzz::autosaveProblem(::attnmd::testing::readText(p), state.path), "") << p;
  }
}

// fuzz_autosave: "saved_at": 1e300 reached describeSavedAt, whose conversion to time_t overflowed
// (undefined behaviour). The session is still offered, at an unknown time.
TEST(FilesFuzzRegressions, AnAutosaveFromBeyondAnyClockIsOfferedAtAnUnknownTime) {
  AutosaveContents c;
  ASSERT_EQ(
      parseAutosave(::attnmd::testing::readText(ATTNMD_FIXTURES "/fuzz/autosave-saved-at-1e300.json"), c),
      "");
  EXPECT_EQ(c.savedAt, 1e300);
  const double now = 1.8e9;
  EXPECT_EQ(describeSavedAt(1e300, now), "an unknown time");
  EXPECT_EQ(describeSavedAt(-1e300, now), "an unknown time");
  EXPECT_EQ(describeSavedAt(1e11, now), "an unknown time");
  EXPECT_EQ(describeSavedAt(0, now), "an unknown time");
  EXPECT_NE(describeSavedAt(now - 120, now).find("2 minutes ago"), std::string::npos);
  EXPECT_EQ(describeSavedAt(1e-300, now).find("unknown"), std::string::npos) << "1970, but a time";
}

}  // namespace
}  // namespace attnmd::gui
