// Next-token prediction presets (docs/theory.md §10): the worked example, a 2D one with named words,
// and a random generator whose data is always realizable.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/ntp.h"

namespace attnmd::core {

struct NtpGeneratorOptions {
  int K = 8;               // vocabulary size
  int d = 0;               // embedding length; 0 or K: one-hot embeddings (the papers' setting)
  int n = 20;              // sentences
  int T = 4;               // tokens per sentence (the query included)
  std::uint64_t seed = 0;  // every draw comes from it
};

struct NtpGeneratorInfo {
  const char* name;
  const char* description;
  bool sized = false;  // K, d, n, T apply
};

//   ntp-chain     the worked example: K = 6 one-hot, n(a) = a + 1 mod 6, six sentences
//   ntp-words-2d  six named words on a circle, two queries, a two-stage run that draws well
//   ntp-random    random sentences over a random collocation (a permutation) and, per query, a random
//                 ranking of the tokens that every sentence respects: realizable by construction
std::span<const NtpGeneratorInfo> ntpGenerators();
const NtpGeneratorInfo* findNtpGenerator(std::string_view name);
// Throws std::invalid_argument on an unknown name or bad sizes (K < 2, T < 2, n < 1, d < 0,
// d in (0, K) for ntp-random is allowed: Gaussian unit embeddings instead of one-hot).
NtpScene generateNtpScene(std::string_view name, const NtpGeneratorOptions& options);

}  // namespace attnmd::core
