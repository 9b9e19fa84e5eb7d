// Next-token prediction presets.
#include "core/ntp_generators.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/generators.h"

namespace attnmd::core {

namespace {

const NtpGeneratorInfo kNtpGenerators[] = {
    {"ntp-chain", "next-token prediction: K = 6 one-hot tokens, n(a) = a + 1 mod 6, six sentences", false},
    {"ntp-words-2d", "next-token prediction: six named words on a circle, two queries (draws well in 2D)",
     false},
    {"ntp-random", "next-token prediction: random realizable sentences (--K, --d, --n, --T, --seed)", true},
};

NtpScene base(int K, int d) {
  NtpScene s;
  s.dim = d;
  s.vocabulary.resize(static_cast<std::size_t>(K));
  s.schedule = NtpSchedule::TwoStage;
  s.optimizer.name = OptimizerKind::NGD;
  s.optimizer.lr = 0.1;
  s.init.kind = InitKind::Zeros;
  return s;
}

void oneHot(NtpScene& s) {
  for (int a = 0; a < s.vocabularySize(); ++a) {
    s.vocabulary[static_cast<std::size_t>(a)].embedding = Eigen::VectorXd::Unit(s.dim, a);
    s.vocabulary[static_cast<std::size_t>(a)].name = std::to_string(a);
  }
}

NtpScene chain() {
  NtpScene s = base(6, 6);
  oneHot(s);
  for (int a = 0; a < 6; ++a) s.collocation.emplace_back(a, (a + 1) % 6);
  s.sentences = {{{0, 1, 5}, 2}, {{1, 2, 5}, 3}, {{0, 2, 5}, 3},
                 {{0, 3, 4}, 4}, {{2, 0, 4}, 1}, {{3, 1, 2}, 4}};
  s.stage1Iterations = 2000;
  s.iterations = 7000;
  return s;
}

NtpScene words2d() {
  NtpScene s = base(6, 2);
  const char* names[] = {"the", "cat", "sat", "on", "a", "mat"};
  for (int a = 0; a < 6; ++a) {
    const double angle = a * M_PI / 3.0;
    s.vocabulary[static_cast<std::size_t>(a)] = {names[a], Eigen::Vector2d(std::cos(angle), std::sin(angle))};
  }
  for (int a = 0; a < 6; ++a) s.collocation.emplace_back(a, (a + 1) % 6);  // the -> cat -> sat -> ... -> the
  // Queries "cat" and "sat": independent directions, so their keys W_kq e_q are free to differ.
  s.sentences = {{{0, 4, 1}, 5}, {{3, 4, 1}, 5}, {{5, 0, 1}, 0},   // query cat: a, a, mat
                 {{0, 3, 2}, 1}, {{5, 4, 2}, 0}, {{1, 3, 2}, 2}};  // query sat: the, mat, cat
  s.stage1Iterations = 1000;
  s.iterations = 4000;
  return s;
}

NtpScene random(const NtpGeneratorOptions& o) {
  const int K = o.K, d = o.d == 0 ? o.K : o.d;
  NtpScene s = base(K, d);
  SeededRng rng(o.seed);
  s.seed = o.seed;
  if (d == K) {
    oneHot(s);
  } else {
    for (int a = 0; a < K; ++a) {
      Eigen::VectorXd e(d);
      do {
        for (Eigen::Index j = 0; j < d; ++j) e(j) = rng.normal();
      } while (!(e.norm() > 1e-6));
      s.vocabulary[static_cast<std::size_t>(a)] = {std::to_string(a), e / e.norm()};
    }
  }
  // The collocation: a random permutation, so each label has exactly one predecessor.
  std::vector<int> next(static_cast<std::size_t>(K));
  std::iota(next.begin(), next.end(), 0);
  for (int i = K - 1; i > 0; --i)
    std::swap(next[static_cast<std::size_t>(i)], next[static_cast<std::size_t>(rng.below(i + 1))]);
  for (int a = 0; a < K; ++a) {
    s.collocation.emplace_back(a, next[static_cast<std::size_t>(a)]);
  }
  // Per query a random ranking; a sentence's optimal token outranks every other token of it.
  std::vector<std::vector<int>> rank(static_cast<std::size_t>(K),
                                     std::vector<int>(static_cast<std::size_t>(K)));
  for (auto& r : rank) {
    std::iota(r.begin(), r.end(), 0);
    for (int i = K - 1; i > 0; --i)
      std::swap(r[static_cast<std::size_t>(i)], r[static_cast<std::size_t>(rng.below(i + 1))]);
  }
  for (int i = 0; i < o.n; ++i) {
    const int q = rng.below(K);
    const auto& r = rank[static_cast<std::size_t>(q)];
    std::vector<int> above;  // candidates for the optimal token: ranked above the query
    for (int a = 0; a < K; ++a)
      if (r[static_cast<std::size_t>(a)] > r[static_cast<std::size_t>(q)]) above.push_back(a);
    const int opt =
        above.empty() ? q : above[static_cast<std::size_t>(rng.below(static_cast<int>(above.size())))];
    std::vector<int> below;
    for (int a = 0; a < K; ++a)
      if (r[static_cast<std::size_t>(a)] < r[static_cast<std::size_t>(opt)]) below.push_back(a);
    NtpSentence sen;
    sen.tokens.push_back(opt);
    for (int t = 1; t < o.T - 1; ++t)
      sen.tokens.push_back(
          below.empty() ? opt : below[static_cast<std::size_t>(rng.below(static_cast<int>(below.size())))]);
    for (int t = static_cast<int>(sen.tokens.size()) - 1; t > 0; --t)
      std::swap(sen.tokens[static_cast<std::size_t>(t)],
                sen.tokens[static_cast<std::size_t>(rng.below(t + 1))]);
    sen.tokens.push_back(q);
    sen.next = next[static_cast<std::size_t>(opt)];
    s.sentences.push_back(std::move(sen));
  }
  s.stage1Iterations = 2000;
  s.iterations = 10000;
  return s;
}

}  // namespace

std::span<const NtpGeneratorInfo> ntpGenerators() {
  return kNtpGenerators;
}

const NtpGeneratorInfo* findNtpGenerator(std::string_view name) {
  for (const NtpGeneratorInfo& g : kNtpGenerators)
    if (name == g.name) return &g;
  return nullptr;
}

NtpScene generateNtpScene(std::string_view name, const NtpGeneratorOptions& o) {
  if (name == "ntp-chain") return chain();
  if (name == "ntp-words-2d") return words2d();
  if (name == "ntp-random") {
    if (o.K < 2 || o.K > 1000)
      throw std::invalid_argument("K must be in [2, 1000], got " + std::to_string(o.K));
    if (o.T < 2 || o.T > 1000)
      throw std::invalid_argument("T must be in [2, 1000], got " + std::to_string(o.T));
    if (o.n < 1 || o.n > 1000000)
      throw std::invalid_argument("n must be in [1, 1000000], got " + std::to_string(o.n));
    if (o.d < 0 || o.d > 1000)
      throw std::invalid_argument("d must be in [1, 1000] (0: one-hot, d = K), got " + std::to_string(o.d));
    if (static_cast<double>(o.n) * o.T + static_cast<double>(o.K) * (o.d == 0 ? o.K : o.d) > 1e8)
      throw std::invalid_argument("more than 10^8 numbers");
    return random(o);
  }
  throw std::invalid_argument("unknown preset \"" + std::string(name) + "\"");
}

}  // namespace attnmd::core
