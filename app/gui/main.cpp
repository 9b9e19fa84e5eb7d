// attnmd: the GLFW + ImGui desktop app. Flags are parsed in options.cpp, the loop lives in
// run_app.cpp, the screen in app.cpp.
#include <iostream>

#include "app/gui/options.h"
#include "app/gui/run_app.h"
#include "core/version.h"

int main(int argc, char** argv) {
  const attnmd::gui::ParsedOptions parsed = attnmd::gui::parseAppOptions(argc, argv);
  if (parsed.options.help) {
    std::cout << attnmd::gui::appUsage();
    return 0;
  }
  if (parsed.options.version) {
    std::cout << "attnmd " << attnmd::core::version() << '\n';
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "attnmd: " << parsed.error << '\n';
    return 2;
  }
  return attnmd::gui::runApp(parsed.options);
}
