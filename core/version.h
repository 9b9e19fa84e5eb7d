#pragma once
// The program's version (CMake's project version), for --version and the "written_by" field of saved
// scenes.

namespace attnmd::core {

// "0.1.0"
const char* version();

}  // namespace attnmd::core
