// Dataset generators with a seed: the papers' random setting, Gaussian clusters and the toys of
// math.md §8. Each returns a complete, valid Scene (model, optimizer and init included).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/scene.h"

namespace attnmd::core {

struct GeneratorOptions {
  int n = 6;               // sequences
  int T = 8;               // tokens per sequence
  int d = 10;              // token dimension
  std::uint64_t seed = 0;  // every draw comes from it
  bool crossAttention = false;  // random: draw a separate query z_i per sequence (model.query = given)
};

struct GeneratorInfo {
  const char* name;         // CLI/preset name
  const char* description;  // one line for --help and the UI
};

// All generator names, e.g. "random", "clusters", "toy-maxmargin", "toy-maxmargin-local",
// "toy-joint", "toy-joint-relaxed", "toy-joint-p" (math.md §8 and issue 6's joint (W, v) toy).
std::span<const GeneratorInfo> generators();

// Builds the named scene; throws std::invalid_argument on an unknown name or bad options.
Scene generateScene(std::string_view name, const GeneratorOptions& options);

}  // namespace attnmd::core
