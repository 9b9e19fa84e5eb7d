// Dataset generators with a seed: the papers' random setting, Gaussian clusters and the toys of
// docs/theory.md §8. Each returns a complete, valid Scene (model, optimizer and init included).
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "core/scene.h"

namespace attnmd::core {

struct GeneratorOptions {
  int n = 6;                    // sequences
  int T = 8;                    // tokens per sequence
  int d = 10;                   // token dimension
  std::uint64_t seed = 0;       // every draw comes from it; also the scene's seed (gaussian init)
  bool crossAttention = false;  // random: draw a separate query z_i per sequence (model.query = given)
};

struct GeneratorInfo {
  const char* name;           // CLI/preset name
  const char* description;    // one line for --help and the UI
  bool sized = false;         // n, T and d apply (random, clusters); the toys have a fixed size
  GeneratorOptions defaults;  // the preset's own n, T, d (use these when the user gives none)
};

// All generators:
//   random                 docs/theory.md §8.7: unit-norm tokens and v, random labels, query model, nmd p=2
//   clusters               Gaussian clusters for 2D/3D teaching (prompt model, one signal token each)
//   toy-maxmargin          docs/theory.md §8.4 single-sequence toy, global max-margin direction
//   toy-maxmargin-local    docs/theory.md §8.4 with token (0,0,0) and p(0) = (0,-1,0): a locally optimal α
//   toy-joint              docs/theory.md §8.5 joint (p, v) toy
//   toy-joint-relaxed      docs/theory.md §8.5 with X_2 = [(0,0),(0.5,1.5)]: the relaxed prompt SVM
//   joint-wv-p175/-p2/-p3  issue 6's joint (W, v) toy, where the selected token depends on p
std::span<const GeneratorInfo> generators();
// The entry of that name, or null.
const GeneratorInfo* findGenerator(std::string_view name);

// Builds the named scene; throws std::invalid_argument on an unknown name or bad options
// (n < 1, T < 2, d < 1, clusters with d < 2, more than 10^8 numbers).
Scene generateScene(std::string_view name, const GeneratorOptions& options);

// Deterministic random numbers for scenes and inits. std::mt19937_64's output sequence is fixed by
// the C++ standard, but std:: distributions are not portable between standard libraries, so the
// transforms are ours: 53-bit uniforms and Box-Muller normals (both values of each pair are used).
class SeededRng {
 public:
  explicit SeededRng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  double uniform();  // in [0, 1)
  double normal();   // N(0, 1)
  int sign();        // +1 or -1, each with probability 1/2
  int below(int n);  // uniform in [0, n), n >= 1 (rejection sampling, no modulo bias)

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool hasSpare_ = false;
};

}  // namespace attnmd::core
