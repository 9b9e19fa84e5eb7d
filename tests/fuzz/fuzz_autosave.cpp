// libFuzzer target: the crash-recovery reader on arbitrary bytes (tests/fuzz/build_and_run.sh builds
// and runs it): parseAutosave (app/gui/files/autosave_parse.h) and AutosaveSession::findRecoverable on
// a temporary state folder, with the checks of file_reader_checks.h (autosaveProblem). Set TMPDIR to a
// tmpfs (build_and_run.sh uses /dev/shm) or each input waits on the disk.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/file_reader_checks.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/temp_dir.h"

const char* const attnmd::fuzz::kTargetName = "fuzz_autosave";

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const attnmd::testing::TempDir folder;  // a state folder of our own, removed at exit
  if (folder.path.empty()) attnmd::fuzz::broken("cannot create a temporary folder", "");
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (std::string problem = attnmd::fuzz::autosaveProblem(text, folder.path); !problem.empty())
    attnmd::fuzz::broken("a broken promise", problem);
  return 0;
}
