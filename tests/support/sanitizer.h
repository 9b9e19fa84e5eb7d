// Whether the tests run under AddressSanitizer (scripts/dev.sh's second stage). Long loops that check
// numbers, not memory, run shorter there: the release stage runs them in full, and CI's time is bounded.
#pragma once

namespace attnmd::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

// `full` steps in a release build, a fifth of them (at least 50) under the sanitizers.
constexpr long long stepsForBuild(long long full) {
  return kSanitizedBuild ? (full / 5 > 50 ? full / 5 : 50) : full;
}

}  // namespace attnmd::testing
