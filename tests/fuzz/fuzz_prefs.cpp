// libFuzzer target: the preferences reader (app/gui/files/prefs_parse.h, what loadPrefs runs on a
// prefs.json) on arbitrary bytes (tests/fuzz/build_and_run.sh builds and runs it). Beyond "no crash, no
// sanitizer report", the checks of file_reader_checks.h (prefsProblem).
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/file_reader_checks.h"
#include "tests/fuzz/fuzz_check.h"

const char* const attnmd::fuzz::kTargetName = "fuzz_prefs";

namespace {

using attnmd::gui::ThemeKind;

// The app's table is core::enumTable<ThemeKind>() in widgets/theme.h (ImGui); the same names here.
const attnmd::core::EnumEntry<ThemeKind> kThemes[] = {{ThemeKind{0}, "light", "light"},
                                                      {ThemeKind{1}, "dark", "dark"}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (std::string problem = attnmd::fuzz::prefsProblem(text, kThemes); !problem.empty())
    attnmd::fuzz::broken("a broken promise", problem);
  return 0;
}
