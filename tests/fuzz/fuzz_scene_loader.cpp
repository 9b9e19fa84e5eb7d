// libFuzzer target: core::parseAnyScene (attention and next-token prediction scenes) on arbitrary bytes
// (tests/fuzz/build_and_run.sh builds and runs it).
//
// Beyond "no crash, no sanitizer report", it checks what scene-format.md promises: a refused text gets a
// message that starts with the source name, and an accepted one validates and survives
// save -> load -> save byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/scene_io.h"
#include "tests/fuzz/fuzz_check.h"

const char* const attnmd::fuzz::kTargetName = "fuzz_scene_loader";

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnmd::core;
  using attnmd::fuzz::broken;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  AnySceneLoadResult r = parseAnyScene(text, "<fuzz>");
  if (!r.ok()) {
    if (r.error().rfind("<fuzz>", 0) != 0) broken("an error that does not name its source", r.error());
    return 0;
  }
  if (r.isNtp()) {
    if (std::string problem = validateNtpScene(r.ntpScene()); !problem.empty())
      broken("a loaded NTP scene that does not validate", problem);
    const std::string saved = ntpSceneToJson(r.ntpScene());
    AnySceneLoadResult again = parseAnyScene(saved, "<saved>");
    if (!again.ok() || !again.isNtp()) broken("a saved NTP scene that does not load", saved);
    if (ntpSceneToJson(again.ntpScene()) != saved)
      broken("save -> load -> save is not byte-identical", saved);
    return 0;
  }
  if (std::string problem = validateScene(r.scene()); !problem.empty())
    broken("a loaded scene that does not validate", problem);
  const std::string saved = sceneToJson(r.scene());
  const SceneLoadResult again = parseScene(saved, "<saved>");
  if (!again.ok()) broken("a saved scene that does not load", again.error() + "\n" + saved);
  if (sceneToJson(again.scene()) != saved) broken("save -> load -> save is not byte-identical", saved);
  return 0;
}
