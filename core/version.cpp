#include "core/version.h"

#ifndef ATTNMD_VERSION
#error "ATTNMD_VERSION is set by CMakeLists.txt (the project's version)"
#endif

namespace attnmd::core {

const char* version() {
  return ATTNMD_VERSION;
}

}  // namespace attnmd::core
