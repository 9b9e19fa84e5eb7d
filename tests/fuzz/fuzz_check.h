// What the libFuzzer targets of tests/fuzz share: stopping at a broken promise with a message that
// libFuzzer keeps beside the crashing input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace attnmd::fuzz {

// The target's name in its messages; each target defines it.
extern const char* const kTargetName;

[[noreturn]] inline void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n%s\n", kTargetName, what, detail.c_str());
  std::abort();
}

}  // namespace attnmd::fuzz
