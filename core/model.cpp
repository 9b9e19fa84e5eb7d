// Attention models, losses and exact gradients: docs/theory.md §2-3.
//
// [SECTION] losses
// [SECTION] initial parameters
// [SECTION] chunked loop over sequences (fixed chunks, ordered reductions)
// [SECTION] forward pass
// [SECTION] gradient
// [SECTION] trained tensors
#include "core/model.h"

#include "core/model_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <thread>
#include <type_traits>

// kernels::Vec4 values live in registers only (see model_kernels.h); GCC's note that passing one by
// value outside AVX code would change the ABI does not apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace attnmd::core {

namespace {

// Below e^-600 a quantity is kept as (value, log scale) instead of a plain double: e^-600 leaves ~100
// decades of headroom for the products with tokens, v and 1/n before the double range ends at 1e-308.
constexpr double kSafeLog = -600.0;
// What a deferred log holds until completeEvaluation() takes it (Evaluation::deferLogs).
constexpr double kDeferredLog = std::numeric_limits<double>::quiet_NaN();
// Evaluation::deferLogs: margins up to this keep n l(u) finite for any n < 2^31 (l(u) <= |u| + log 2).
constexpr double kDeferMarginMax = 1e290;
// Evaluation::deferLogs: a sequence whose S >= 2^eS and |l'(u)| >= 2^eL (binary exponents) with
// min(eS, 0) + eL - 1 >= this has log(1 - s_alpha) + log |l'(u)| - log n above kSafeLog + 1 (for any
// n < 2^31: log(1 - s_alpha) >= (min(eS, 0) - 1) log 2, as S/(1+S) >= S/2 for S <= 1 and > 1/2
// beyond; log n < 21.5): its gradient term keeps the whole gradient unscaled, without a logarithm.
constexpr int kCertainExponent = -833;

// The binary exponent of x > 0 (e with 2^e <= x), or a value below any bound for 0 and denormals.
ATTNMD_INLINE int binaryExponent(double x) {
  const int biased = static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff);
  return biased == 0 ? -2000 : biased - 1023;
}
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Sequences are processed in chunks of this many. The chunking never depends on the thread count,
// and partial sums are added in chunk order, so results are bit-identical with 1 or 16 threads.
constexpr Eigen::Index kChunk = 1024;
// Threads only pay off above this much work per pass (n * T * d multiply-adds).
constexpr double kParallelWork = 262144.0;

using StridedVector = Eigen::Map<const Eigen::VectorXd, 0, Eigen::InnerStride<>>;

// z_i per docs/theory.md §1 as a view (the first token is a strided row of the column-major token matrix).
StridedVector queryView(const Scene& scene, int i) {
  const Sequence& s = scene.sequences[static_cast<std::size_t>(i)];
  if (scene.model.query == QueryKind::Given && s.z.size() == scene.dim)
    return StridedVector(s.z.data(), scene.dim, Eigen::InnerStride<>(1));
  return StridedVector(s.tokens.data(), scene.dim, Eigen::InnerStride<>(s.tokens.rows()));
}

bool hasKeyMatrix(const Scene& scene) {
  return scene.model.keyMatrix.rows() == scene.dim && scene.model.keyMatrix.cols() == scene.dim;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] losses (docs/theory.md §2)
// ---------------------------------------------------------------------------------------------------

struct LossParts {
  double value;     // l(u)
  double slope;     // l'(u)
  double logSlope;  // log |l'(u)|
};

// One exp and one log1p give all three for the logistic loss; never overflows for finite u.
LossParts lossParts(LossKind kind, double u) {
  switch (kind) {
    case LossKind::Logistic: {
      const double e = std::exp(-std::abs(u));  // in (0, 1]
      const double l1p = std::log1p(e);
      if (u > 0) return {l1p, -e / (1.0 + e), -u - l1p};  // l = log(1+e^-u), l' = -e^-u/(1+e^-u)
      return {-u + l1p, -1.0 / (1.0 + e), -l1p};          // l = -u + log(1+e^u), l' = -1/(1+e^u)
    }
    case LossKind::Exponential: {
      const double e = std::exp(-u);  // overflows only for u < -709: a failed run, reported upstream
      return {e, -e, -u};
    }
    case LossKind::Correlation:
      return {-u, -1.0, 0.0};
  }
  return {0, 0, 0};
}

}  // namespace

double lossValue(LossKind kind, double u) {
  return lossParts(kind, u).value;
}
double lossDerivative(LossKind kind, double u) {
  return lossParts(kind, u).slope;
}
double lossLogDerivativeMagnitude(LossKind kind, double u) {
  return lossParts(kind, u).logSlope;
}
double lossLogValue(LossKind kind, double u) {
  switch (kind) {
    case LossKind::Logistic:
      // log(log1p(e^-u)) = -u + log1p(-e^-u / 2 + ...): the series once e^-u is below 1e-16.
      return u > 36 ? -u - 0.5 * std::exp(-u) : std::log(lossParts(kind, u).value);
    case LossKind::Exponential:
      return -u;
    case LossKind::Correlation:
      return u < 0 ? std::log(-u) : std::numeric_limits<double>::quiet_NaN();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] initial parameters
// ---------------------------------------------------------------------------------------------------

namespace {

// Portable N(0,1): mt19937_64 is specified bit for bit by the standard, std::normal_distribution is not.
class Gaussian {
 public:
  explicit Gaussian(std::uint64_t seed) : rng_(seed) {}
  double operator()() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;          // [0, 1)
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(a);
    hasSpare_ = true;
    return r * std::cos(a);
  }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0;
  bool hasSpare_ = false;
};

template <class M>
void fillGaussianRowMajor(M& x, Gaussian& g, double scale) {
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index c = 0; c < x.cols(); ++c) x(r, c) = scale * g();
}

template <class M>
void copyOrZero(M& dst, const M& given) {
  if (given.rows() == dst.rows() && given.cols() == dst.cols())
    dst = given;
  else
    dst.setZero();
}

}  // namespace

Params initialParams(const Scene& scene) {
  const int d = scene.dim;
  const int m = scene.rankOrDim();
  Params P;
  P.v = scene.model.v.size() == d ? scene.model.v : Eigen::VectorXd::Zero(d);
  switch (scene.model.kind) {
    case ModelKind::Prompt:
      P.p = Eigen::VectorXd::Zero(d);
      break;
    case ModelKind::Query:
      P.W = Eigen::MatrixXd::Zero(d, d);
      break;
    case ModelKind::KQ:
      P.K = Eigen::MatrixXd::Zero(d, m);
      P.Q = Eigen::MatrixXd::Zero(d, m);
      break;
  }
  if (scene.init.kind == InitKind::Gaussian) {
    Gaussian g(scene.seed);
    const double s = scene.init.scale;
    fillGaussianRowMajor(P.p, g, s);
    fillGaussianRowMajor(P.W, g, s);
    fillGaussianRowMajor(P.K, g, s);
    fillGaussianRowMajor(P.Q, g, s);
  } else if (scene.init.kind == InitKind::Given) {
    const Params& given = scene.init.given;
    if (P.p.size() > 0) copyOrZero(P.p, given.p);
    if (P.W.size() > 0) copyOrZero(P.W, given.W);
    if (P.K.size() > 0) copyOrZero(P.K, given.K);
    if (P.Q.size() > 0) copyOrZero(P.Q, given.Q);
  }
  return P;
}

Eigen::MatrixXd effectiveW(const Scene& scene, const Params& params) {
  switch (scene.model.kind) {
    case ModelKind::Query:
      return params.W;
    case ModelKind::KQ:
      return params.K * params.Q.transpose();
    case ModelKind::Prompt:
      break;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] chunked loop over sequences
// ---------------------------------------------------------------------------------------------------

namespace {

Eigen::Index chunkCount(Eigen::Index n) {
  return (n + kChunk - 1) / kChunk;
}

double workPerPass(const Scene& scene) {
  double tokens = 0;
  for (const Sequence& s : scene.sequences) tokens += static_cast<double>(s.tokens.rows());
  return tokens * static_cast<double>(scene.dim);
}

// The effective thread count for a requested one (0 = all hardware threads).
int effectiveThreads(int requested) {
  // hardware_concurrency() is a system call: ask once.
  static const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return requested > 0 ? std::min(requested, hw) : hw;
}

// Calls fn(chunk) for every chunk; on several threads when the pass is large. Each chunk writes only
// its own outputs, so the assignment of chunks to threads cannot change any result.
template <class F>
void forEachChunk(const Scene& scene, int requestedThreads, F&& fn) {
  const Eigen::Index chunks = chunkCount(scene.sequenceCount());
  if (chunks <= 1) {  // the common case: no thread query at all
    for (Eigen::Index c = 0; c < chunks; ++c) fn(c);
    return;
  }
  const int hw = effectiveThreads(requestedThreads);
  if (hw <= 1 || workPerPass(scene) < kParallelWork) {
    for (Eigen::Index c = 0; c < chunks; ++c) fn(c);
    return;
  }
  const Eigen::Index nt = std::min<Eigen::Index>(static_cast<Eigen::Index>(hw), chunks);
#if defined(_OPENMP)
  // OpenMP's threads stay alive between passes (a std::thread per pass cost about 50 us to start).
#pragma omp parallel for num_threads(static_cast <int>(nt)) schedule(static, 1)
  for (Eigen::Index c = 0; c < chunks; ++c) fn(c);
#else
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(nt - 1));
  for (Eigen::Index j = 1; j < nt; ++j)
    threads.emplace_back([&fn, j, nt, chunks] {
      for (Eigen::Index c = j; c < chunks; c += nt) fn(c);
    });
  for (Eigen::Index c = 0; c < chunks; c += nt) fn(c);
  for (auto& t : threads) t.join();
#endif
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] forward pass (docs/theory.md §2-3)
// ---------------------------------------------------------------------------------------------------

// Softmax, output and the centered derivative df/da for one sequence whose logits and values are set,
// in three steps that a chunk of sequences takes one step at a time, sequence after sequence (their
// chains of dependent operations then overlap instead of running one after another).
// With alpha = argmax and r_t = a_t - a_alpha <= 0, everything is expressed through
// e_t = exp(r_t - shift) (t != alpha), where shift = 0 normally and shift = max_{t != alpha} r_t once
// the sequence is saturated beyond e^-600, so that e_t never underflows as a whole.

// TT: the token count when every sequence of the chunk has it (known at compile time, a multiple of
// four: the loops over tokens are whole blocks of four), or 0 (any T, read from the sequence).

// Step 1: alpha, and the arguments r_t - shift of the exponentials into dOutput. Returns shift.
template <int TT = 0>
ATTNMD_INLINE double softmaxArguments(SequenceEval& se) {
  const Eigen::Index T = TT > 0 ? TT : se.logits.size();
  const double* __restrict logits = se.logits.data();
  double aA;
  int alpha = 0;
  if constexpr (TT > 0) {
    // All logits finite (the rule): alpha is the first index of the largest, as Eigen's maxCoeff finds
    // it (a later index only if strictly greater; +0 and -0 compare equal, so "first index equal to the
    // maximum" is the same index). m = max_{t != alpha} r_t is used only through the shift: with another
    // logit equal to the maximum it is +-0 (shift 0); else it is (the largest of the others) - a_alpha,
    // as rounding is monotone. a_alpha is taken as the maximum itself: the same value (a zero's sign
    // aside, which changes no exponential: exp(+-0) = 1, and alpha's own is set to 0), without waiting
    // for alpha. Otherwise (a logit NaN or infinite) the scalar loops below.
    using kernels::Vec4;
    Vec4 x[TT / 4];
    kernels::U4 nonFinite = {0, 0, 0, 0};
    for (int b = 0; b < TT / 4; ++b) {
      x[b] = kernels::load4(logits + 4 * b);
      nonFinite |= (kernels::U4)(x[b] - x[b]);
    }
    if (((nonFinite[0] | nonFinite[1]) | (nonFinite[2] | nonFinite[3])) == 0) {
      Vec4 mx = x[0];
      for (int b = 1; b < TT / 4; ++b) mx = mx > x[b] ? mx : x[b];
      const double top = std::max(std::max(mx[0], mx[1]), std::max(mx[2], mx[3]));
      Vec4 first = {TT, TT, TT, TT};
      for (int b = TT / 4 - 1; b >= 0; --b) {
        const Vec4 lane = Vec4{0, 1, 2, 3} + 4.0 * b;
        first = x[b] == top ? (lane < first ? lane : first) : first;
      }
      alpha = static_cast<int>(std::min(std::min(first[0], first[1]), std::min(first[2], first[3])));
      se.selected = alpha;
      aA = top;
      Vec4 below = {kNegInf, kNegInf, kNegInf, kNegInf}, ties = {0, 0, 0, 0};
      for (int b = 0; b < TT / 4; ++b) {
        below = x[b] == top ? below : (below > x[b] ? below : x[b]);
        ties += x[b] == top ? Vec4{1, 1, 1, 1} : Vec4{0, 0, 0, 0};
      }
      // The arguments (r_t - 0) = r_t first: the shift is 0 unless the sequence is saturated (rare), so
      // the exponentials need not wait for it.
      double* __restrict arg = se.dOutput.data();
      for (int b = 0; b < TT / 4; ++b) kernels::store4(arg + 4 * b, x[b] - aA);
      const double second = std::max(std::max(below[0], below[1]), std::max(below[2], below[3]));
      const double m = (ties[0] + ties[1]) + (ties[2] + ties[3]) >= 2.0 ? 0.0 : second - top;
      const double shift = m < kSafeLog ? m : 0.0;
      if (shift != 0.0)
        for (int b = 0; b < TT / 4; ++b) kernels::store4(arg + 4 * b, (x[b] - aA) - shift);
      return shift;
    }
    aA = logits[0];
    for (int t = 1; t < TT; ++t) {
      const bool greater = logits[t] > aA;
      aA = greater ? logits[t] : aA;
      alpha = greater ? t : alpha;
    }
  } else {
    Eigen::Index alphaIdx = 0;
    aA = se.logits.maxCoeff(&alphaIdx);
    alpha = static_cast<int>(alphaIdx);
  }
  se.selected = alpha;

  double m = kNegInf;  // max_{t != alpha} r_t
  for (Eigen::Index t = 0; t < T; ++t)
    if (t != alpha) m = std::max(m, logits[t] - aA);
  const double shift = m < kSafeLog ? m : 0.0;
  double* __restrict arg = se.dOutput.data();
  if constexpr (TT > 0) {
    for (int t = 0; t < TT; t += 4) kernels::store4(arg + t, (kernels::load4(logits + t) - aA) - shift);
  } else {
    for (Eigen::Index t = 0; t < T; ++t) arg[t] = (logits[t] - aA) - shift;
  }
  return shift;
}

// Step 2: e_t in place, one vectorized loop (e_alpha = 0 so the sums below skip it exactly), and
// sumE = sum_{t != alpha} e_t, deltaHat = sum_{t != alpha} e_t (h_t - h_alpha). Below e^-708 the result
// would be denormal (slow, and < 1e-108 of the leading term, which is at least e^-600 here):
// expNonPositive flushes it to 0.
template <int TT = 0>
ATTNMD_INLINE void softmaxExponentials(SequenceEval& se, double& sumEOut, double& deltaHatOut) {
  double* __restrict e = se.dOutput.data();
  const Eigen::Index T = TT > 0 ? TT : se.dOutput.size();
  if constexpr (TT > 0) {
    for (int t = 0; t < TT; t += 4) kernels::store4(e + t, kernels::expNonPositive4(kernels::load4(e + t)));
  } else {
    for (Eigen::Index t = 0; t < T; ++t) e[t] = kernels::expNonPositive(e[t]);
  }
  const int alpha = se.selected;
  e[alpha] = 0;
  const double hA = se.values[alpha];
  const double* __restrict h = se.values.data();
  double sumE = 0,
         deltaHat = 0;  // in registers (the outputs may alias nothing, but the compiler cannot know)
  if constexpr (TT > 0) {
    // Without the branch: alpha's terms are e_alpha = +0 and +0 * (h_alpha - h_alpha) = +0, and adding +0
    // leaves every partial sum as it is (a sum that starts at +0 is never -0), so these are the sums
    // below to the bit (for finite values; a non-finite h makes the output non-finite either way).
    for (int t = 0; t < TT; ++t) {
      sumE += e[t];
      deltaHat += e[t] * (h[t] - hA);
    }
  } else {
    for (Eigen::Index t = 0; t < T; ++t) {
      if (t == alpha) continue;
      sumE += e[t];
      deltaHat += e[t] * (h[t] - hA);
    }
  }
  sumEOut = sumE;
  deltaHatOut = deltaHat;
}

// Step 3 (over a chunk's arrays at once): log S with S = sum_{t != alpha} e^{r_t} = e^shift sumE, and
// log(1 + S); 1 - s_alpha = S / (1 + S) (docs/theory.md §3, log form). The loop vectorizes; the rare
// saturated sequences (shift != 0) and sequences of one token are redone one by one after it.
ATTNMD_INLINE void softmaxLogs(const Evaluation& out, int first, int count, const double* shift,
                               const double* sumE, double* __restrict logS, double* __restrict l1pS) {
  for (int k = 0; k < count; ++k) {
    logS[k] = shift[k] + kernels::logNormal(sumE[k]);
    l1pS[k] = kernels::log1pNonNegative(sumE[k]);
  }
  for (int k = 0; k < count; ++k) {
    if (out.seqs[static_cast<std::size_t>(first + k)].logits.size() <= 1) {
      logS[k] = kNegInf;
      l1pS[k] = 0;
    } else if (shift[k] != 0.0) {
      l1pS[k] = std::log1p(std::exp(logS[k]));
    }
  }
}

// Step 4: probabilities, df/da, output and margin.
template <int TT = 0>
ATTNMD_INLINE void softmaxFinish(int y, double shift, double sumE, double deltaHat, double logS, double l1pS,
                                 SequenceEval& se) {
  const Eigen::Index T = TT > 0 ? TT : se.logits.size();
  const int alpha = se.selected;
  const double hA = se.values[alpha];
  const double S = shift == 0.0 ? sumE : std::exp(logS);
  se.logSumOthers = logS;
  se.logUnselected = logS - l1pS;
  const double sA = 1.0 / (1.0 + S);

  double delta;  // sum_{t != alpha} s_t (h_t - h_alpha) = f - h_alpha
  if (shift == 0.0) {
    // Natural scale: s_t = e_t s_alpha; df/da_t = s_t((h_t - h_alpha) - delta), df/da_alpha = -s_alpha delta.
    delta = sA * deltaHat;
    if constexpr (TT > 0) {
      double* __restrict dOut = se.dOutput.data();
      double* __restrict probs = se.probs.data();
      const double* __restrict h = se.values.data();
      for (int t = 0; t < TT; t += 4) {
        const kernels::Vec4 s = kernels::load4(dOut + t) * sA;
        kernels::store4(probs + t, s);
        kernels::store4(dOut + t, s * ((kernels::load4(h + t) - hA) - delta));
      }
    } else {
      for (Eigen::Index t = 0; t < T; ++t) {
        const double s = se.dOutput[t] * sA;
        se.probs[t] = s;
        se.dOutput[t] = s * ((se.values[t] - hA) - delta);
      }
    }
    se.probs[alpha] = sA;
    se.dOutput[alpha] = -sA * delta;
    se.dOutputLogScale = 0;
  } else {
    // Saturated: s_t = e_t e^kappa with kappa = shift - log(1 + S) far below e^-600; keep
    // df/da = e^kappa * (e_t((h_t - h_alpha) - delta), -s_alpha deltaHat).
    const double kappa = shift - l1pS;
    const double scale = std::exp(kappa);  // may underflow: probs are for display only
    delta = scale * deltaHat;
    for (Eigen::Index t = 0; t < T; ++t) {
      const double e = se.dOutput[t];
      se.probs[t] = e * scale;
      se.dOutput[t] = e * ((se.values[t] - hA) - delta);
    }
    se.probs[alpha] = sA;
    se.dOutput[alpha] = -sA * deltaHat;
    se.dOutputLogScale = kappa;
  }
  // f = h_alpha + delta: exact to the last bit of delta even when delta << h_alpha.
  se.output = hA + delta;
  se.margin = static_cast<double>(y) * se.output;
}

// Step 5 (over a chunk's margins at once): the loss, l'(u) and log |l'(u)| into the chunk's entries of
// the Evaluation's columns. The logistic loss in one vectorized loop, exactly lossParts' formulas with
// the branch on the sign of u done by masks; margins beyond 708 (where e^-|u| is denormal) and the
// other losses go through lossParts itself.
ATTNMD_INLINE void lossPartsChunk(LossKind loss, const double* margin, int count, double* __restrict value,
                                  double* __restrict slope, double* __restrict logSlope) {
  if (loss == LossKind::Logistic) {
    for (int k = 0; k < count; ++k) {
      const double u = margin[k];
      const std::uint64_t ub = std::bit_cast<std::uint64_t>(u);
      const std::uint64_t negMask = std::uint64_t{0} - (ub >> 63);         // all ones when u <= -0
      const double a = std::bit_cast<double>(ub & 0x7fffffffffffffffULL);  // |u|
      const double e = kernels::expNonPositive(-a);                        // e^-|u| in (0, 1]
      const double l1p = kernels::log1pNonNegative(e);
      const double uNeg = std::bit_cast<double>(ub & negMask);   // u if u < 0, else +0
      const double uPos = std::bit_cast<double>(ub & ~negMask);  // u if u > 0, else -0
      const double num = std::bit_cast<double>((std::bit_cast<std::uint64_t>(e) & ~negMask) |
                                               (std::bit_cast<std::uint64_t>(1.0) & negMask));
      value[k] = l1p - uNeg;        // u > 0: log(1 + e^-u); u < 0: -u + log(1 + e^u)
      slope[k] = -num / (1.0 + e);  // -e^-u / (1 + e^-u), or -1 / (1 + e^u)
      logSlope[k] = -uPos - l1p;    // -u - log1p(e^-u), or -log1p(e^u)
    }
  }
  for (int k = 0; k < count; ++k) {
    if (loss == LossKind::Logistic && std::abs(margin[k]) <= 708.0) continue;
    const LossParts lp = lossParts(loss, margin[k]);
    value[k] = lp.value;
    slope[k] = lp.slope;
    logSlope[k] = lp.logSlope;
  }
}

// lossPartsChunk's logistic formulas on four margins at once (lane by lane the same operations).
ATTNMD_INLINE void logisticParts4(kernels::Vec4 u, kernels::Vec4& value, kernels::Vec4& slope,
                                  kernels::Vec4& logSlope) {
  using kernels::U4;
  const U4 ub = (kernels::U4)(u);
  const U4 negMask = U4{0, 0, 0, 0} - (ub >> 63);
  const kernels::Vec4 a = (kernels::Vec4)(ub & 0x7fffffffffffffffULL);
  const kernels::Vec4 e = kernels::expNonPositive4(-a);
  const kernels::Vec4 l1p = kernels::log1pNonNegative4(e);
  const kernels::Vec4 uNeg = (kernels::Vec4)(ub & negMask);
  const kernels::Vec4 uPos = (kernels::Vec4)(ub & ~negMask);
  const kernels::Vec4 num =
      (kernels::Vec4)(((kernels::U4)(e) & ~negMask) | (std::bit_cast<std::uint64_t>(1.0) & negMask));
  value = l1p - uNeg;
  slope = -num / (1.0 + e);
  logSlope = -uPos - l1p;
}

// logisticParts4's slope alone (the same operations, so the same bits): l'(u) without the logarithm.
ATTNMD_INLINE kernels::Vec4 logisticSlope4(kernels::Vec4 u) {
  using kernels::U4;
  const U4 ub = (kernels::U4)(u);
  const U4 negMask = U4{0, 0, 0, 0} - (ub >> 63);
  const kernels::Vec4 a = (kernels::Vec4)(ub & 0x7fffffffffffffffULL);
  const kernels::Vec4 e = kernels::expNonPositive4(-a);
  const kernels::Vec4 num =
      (kernels::Vec4)(((kernels::U4)(e) & ~negMask) | (std::bit_cast<std::uint64_t>(1.0) & negMask));
  return -num / (1.0 + e);
}

// lossPartsChunk for margins padded to whole blocks of four (margin[count, count4) readable): the
// logistic loss four at a time, the last partial block through a local copy (so value, slope and
// logSlope are written at [0, count) only); other losses and margins beyond 708 as lossPartsChunk.
ATTNMD_INLINE void lossPartsChunk4(LossKind loss, const double* margin, int count, double* __restrict value,
                                   double* __restrict slope, double* __restrict logSlope) {
  if (loss != LossKind::Logistic) {
    lossPartsChunk(loss, margin, count, value, slope, logSlope);
    return;
  }
  int k = 0;
  for (; k + 4 <= count; k += 4) {
    kernels::Vec4 v, sl, ls;
    logisticParts4(kernels::load4(margin + k), v, sl, ls);
    kernels::store4(value + k, v);
    kernels::store4(slope + k, sl);
    kernels::store4(logSlope + k, ls);
  }
  if (k < count) {
    alignas(32) double v[4], sl[4], ls[4];
    kernels::Vec4 v4, sl4, ls4;
    logisticParts4(kernels::load4(margin + k), v4, sl4, ls4);
    kernels::store4(v, v4);
    kernels::store4(sl, sl4);
    kernels::store4(ls, ls4);
    for (int j = 0; k + j < count; ++j) {
      value[k + j] = v[j];
      slope[k + j] = sl[j];
      logSlope[k + j] = ls[j];
    }
  }
  for (k = 0; k < count; ++k) {  // beyond 708 (e^-|u| denormal): lossParts itself, as lossPartsChunk
    if (std::abs(margin[k]) <= 708.0) continue;
    const LossParts lp = lossParts(loss, margin[k]);
    value[k] = lp.value;
    slope[k] = lp.slope;
    logSlope[k] = lp.logSlope;
  }
}

// Small dense kernels on raw column-major storage. At the sizes attnmd trains (T ~ 8, d ~ 10) Eigen's
// general GEMV dispatch costs more than the arithmetic; these loops vectorize over T or d as they are.

// y = A x for A (rows x cols, column-major) and x with stride `xs`.
ATTNMD_INLINE void matVec(const double* A, Eigen::Index rows, Eigen::Index cols, const double* x,
                          Eigen::Index xs, double* __restrict y) {
  // Rows in blocks of four held in a register across the columns; each y[r] = ((0 + A_r0 x_0) + A_r1 x_1) +
  // ...
  Eigen::Index r = 0;
  for (; r + 4 <= rows; r += 4) {
    kernels::Vec4 acc = {0, 0, 0, 0};
    for (Eigen::Index c = 0; c < cols; ++c) acc += kernels::load4(A + c * rows + r) * x[c * xs];
    kernels::store4(y + r, acc);
  }
  for (; r < rows; ++r) {
    double acc = 0;
    for (Eigen::Index c = 0; c < cols; ++c) acc += A[c * rows + r] * x[c * xs];
    y[r] = acc;
  }
}

// a = X k and h = X v in one pass over X (T x d), tokens in blocks of four (the same sums, in the same
// order, as one token at a time).
ATTNMD_INLINE void twoMatVec(const double* X, Eigen::Index T, Eigen::Index d, const double* k,
                             const double* v, double* __restrict a, double* __restrict h) {
  Eigen::Index t = 0;
  for (; t + 4 <= T; t += 4) {
    kernels::Vec4 a4 = {0, 0, 0, 0}, h4 = {0, 0, 0, 0};
    for (Eigen::Index j = 0; j < d; ++j) {
      const kernels::Vec4 x = kernels::load4(X + j * T + t);
      a4 += x * k[j];
      h4 += x * v[j];
    }
    kernels::store4(a + t, a4);
    kernels::store4(h + t, h4);
  }
  for (; t < T; ++t) {
    double at = 0, ht = 0;
    for (Eigen::Index j = 0; j < d; ++j) {
      at += X[j * T + t] * k[j];
      ht += X[j * T + t] * v[j];
    }
    a[t] = at;
    h[t] = ht;
  }
}

// r = X^T c for X (T x d): r_j = kernels::dot(X_j, c). With d known at compile time (D > 0), every
// column's four running sums stay in registers through one pass over the tokens.
template <int D>
ATTNMD_INLINE void matTVec(const double* X, Eigen::Index T, Eigen::Index d, const double* c,
                           double* __restrict r) {
  if constexpr (D > 0) {
    if (T >= 4) {
      kernels::Vec4 acc[D];
      const kernels::Vec4 c0 = kernels::load4(c);
      for (int j = 0; j < D; ++j) acc[j] = kernels::load4(X + j * T) * c0;
      Eigen::Index t = 4;
      for (; t + 4 <= T; t += 4) {
        const kernels::Vec4 ct = kernels::load4(c + t);
        for (int j = 0; j < D; ++j) acc[j] += kernels::load4(X + j * T + t) * ct;
      }
      for (int j = 0; j < D; ++j) {
        double s = (acc[j][0] + acc[j][1]) + (acc[j][2] + acc[j][3]);
        for (Eigen::Index u = t; u < T; ++u) s += X[j * T + u] * c[u];
        r[j] = s;
      }
      return;
    }
  }
  for (Eigen::Index j = 0; j < d; ++j) r[j] = kernels::dot(X + j * T, c, T);
}

// D > 0: the scene's d, known at compile time (the loops over d unroll); 0: any d.
// The logits, values and softmax step 1 of sequence i; returns its shift (see softmaxArguments).
template <int D>
ATTNMD_INLINE double evaluateSequenceStart(const Scene& scene, const Params& params,
                                           const Eigen::VectorXd& promptKey, int i, SequenceEval& se) {
  const Sequence& seq = scene.sequences[static_cast<std::size_t>(i)];
  const Eigen::MatrixXd& X = seq.tokens;
  const Eigen::Index T = X.rows(), d = D > 0 ? D : X.cols();
  se.logits.resize(T);
  se.probs.resize(T);
  se.values.resize(T);
  se.dOutput.resize(T);
  const double* key = promptKey.data();  // prompt: a_it = (M x_it)^T p = x_it^T (M^T p)
  if (scene.model.kind != ModelKind::Prompt) {
    const StridedVector z = queryView(scene, i);
    se.keyDir.resize(d);
    if (scene.model.kind == ModelKind::Query) {  // a_it = x_it^T (W z_i)
      matVec(params.W.data(), d, d, z.data(), z.innerStride(), se.keyDir.data());
    } else {  // kq: a_it = x_it^T K (Q^T z_i)
      se.keyDir.setZero();
      for (Eigen::Index j = 0; j < params.Q.cols(); ++j)
        se.keyDir += params.Q.col(j).dot(z) * params.K.col(j);
    }
    key = se.keyDir.data();
  }
  twoMatVec(X.data(), T, d, key, params.v.data(), se.logits.data(),
            se.values.data());  // a_it, h_it = v^T x_it
  return softmaxArguments(se);
}

// Sequence i's term of the gradient's partial sums: P += c r z^T (query, kq; P is d x d) or P += c r
// (prompt), and Pv += cv rv when Pv is set. gradientChunk and evaluateChunk add the same terms.
ATTNMD_INLINE void addSequenceGradient(double* __restrict P, double* __restrict Pv, const double* r,
                                       const double* z, const double* rv, double c, double cv, Eigen::Index d,
                                       bool prompt) {
  if (prompt) {
    kernels::axpy(P, r, c, d);
  } else {
    for (Eigen::Index j = 0; j < d; ++j) kernels::axpy(P + j * d, r, c * z[j], d);
  }
  if (Pv) kernels::axpy(Pv, rv, cv, d);
}

// Sequences [c kChunk, (c + 1) kChunk): their SequenceEval, and their entries of Evaluation::columns
// (r_i = X_i^T dOutput_i and X_i^T s_i formed while X_i is in cache).
// D: see evaluateSequenceStart. Compiled for the d of the GUI's scenes (2, 3), of the papers' (10) and
// any d (0): at these sizes the loop overheads of a run-time d cost as much as the arithmetic.
template <int D>
ATTNMD_HOT_CLONES void evaluateChunk(const Scene& scene, const Params& params, Evaluation& out,
                                     Eigen::Index c, bool /*reuseValues: recomputed here*/) {
  const int n = scene.sequenceCount();
  const Eigen::Index d = D > 0 ? D : scene.dim;
  const ModelKind kind = scene.model.kind;
  Evaluation::Columns& col = out.columns;
  bool finite = true;
  const int first = static_cast<int>(c * kChunk);
  const int end = static_cast<int>(std::min<Eigen::Index>(n, (c + 1) * kChunk));
  const int count = end - first;
  // Per sequence of the chunk: shift, sumE, deltaHat, log S, log(1 + S) (softmax steps 1-3), margin.
  double shift[kChunk], sumE[kChunk], deltaHat[kChunk], logS[kChunk], l1pS[kChunk], margin[kChunk];
  for (int k = 0; k < count; ++k)
    shift[k] = evaluateSequenceStart<D>(scene, params, out.promptKey, first + k,
                                        out.seqs[static_cast<std::size_t>(first + k)]);
  for (int k = 0; k < count; ++k)
    softmaxExponentials(out.seqs[static_cast<std::size_t>(first + k)], sumE[k], deltaHat[k]);
  softmaxLogs(out, first, count, shift, sumE, logS, l1pS);
  for (int k = 0; k < count; ++k) {
    SequenceEval& se = out.seqs[static_cast<std::size_t>(first + k)];
    softmaxFinish(scene.sequences[static_cast<std::size_t>(first + k)].y, shift[k], sumE[k], deltaHat[k],
                  logS[k], l1pS[k], se);
    margin[k] = se.margin;
  }
  lossPartsChunk(scene.model.loss, margin, count, col.loss.data() + first, col.lossSlope.data() + first,
                 col.logLossSlope.data() + first);
  const bool prompt = kind == ModelKind::Prompt, trainV = scene.model.trainV;
  Eigen::MatrixXd& P = col.partialAtt[static_cast<std::size_t>(c)];
  Eigen::VectorXd& Pv = col.partialV[static_cast<std::size_t>(c)];
  P.setZero(d, prompt ? 1 : d);
  if (trainV) Pv.setZero(d);
  bool unscaled = true;
  for (int i = first; i < end; ++i) {
    SequenceEval& se = out.seqs[static_cast<std::size_t>(i)];
    se.loss = col.loss[i];
    se.lossSlope = col.lossSlope[i];
    se.logLossSlope = col.logLossSlope[i];
    const Eigen::MatrixXd& X = scene.sequences[static_cast<std::size_t>(i)].tokens;
    matTVec<D>(X.data(), X.rows(), d, se.dOutput.data(), col.attGrad.col(i).data());
    if (scene.model.trainV) matTVec<D>(X.data(), X.rows(), d, se.probs.data(), col.vGrad.col(i).data());
    if (kind != ModelKind::Prompt) {
      const StridedVector z = queryView(scene, i);
      double* __restrict zc = col.queries.col(i).data();
      for (Eigen::Index j = 0; j < d; ++j) zc[j] = z[j];
    }
    col.logUnselected[i] = se.logUnselected;
    col.dOutputLogScale[i] = se.dOutputLogScale;
    finite = finite && std::isfinite(se.output) && !std::isnan(se.logUnselected) &&
             std::isfinite(se.logits[se.selected]);
    // The unscaled gradient term, exactly as gradient() would add it (see Columns::partialAtt).
    const double ci =
        col.lossSlope[i] * static_cast<double>(scene.sequences[static_cast<std::size_t>(i)].y) / n;
    addSequenceGradient(P.data(), trainV ? Pv.data() : nullptr, col.attGrad.col(i).data(),
                        prompt ? nullptr : col.queries.col(i).data(),
                        trainV ? col.vGrad.col(i).data() : nullptr, ci, ci, d, prompt);
    unscaled = unscaled && se.dOutputLogScale == 0.0;
  }
  col.chunkFinite[static_cast<std::size_t>(c)] = finite ? 1 : 0;
  col.chunkUnscaled[static_cast<std::size_t>(c)] = unscaled ? 1 : 0;
}

// [Fixed sizes] evaluateChunk for a chunk whose sequences all have TT tokens (a multiple of four) and d
// = D: every loop over tokens is whole blocks of four, every loop over d unrolled, and the dense sums
// over d run in blocks of four entries padded to DP = 4 ceil(D / 4) (the pad lanes hold zeros and are
// never stored). The same operations in the same order as evaluateChunk, lane by lane, so the same bits
// (tests/unit/test_fast_step.cpp); a chunk with another token count anywhere goes to evaluateChunk.

// y = A x for A (D x D, column-major) and x with stride xs, rows in blocks of four and a last pair
// (matVec's sums, lane by lane: y_r = ((0 + A_r0 x_0) + A_r1 x_1) + ...).
template <int D>
ATTNMD_INLINE void matVecFixed(const double* A, const double* x, Eigen::Index xs, double* __restrict y) {
  using Vec2 = double __attribute__((vector_size(16)));
  int r = 0;
  for (; r + 4 <= D; r += 4) {
    kernels::Vec4 acc = {0, 0, 0, 0};
    for (int c = 0; c < D; ++c) acc += kernels::load4(A + c * D + r) * x[c * xs];
    kernels::store4(y + r, acc);
  }
  if constexpr (D % 4 >= 2) {
    Vec2 acc = {0, 0};
    for (int c = 0; c < D; ++c) {
      Vec2 a;
      std::memcpy(&a, A + c * D + r, sizeof a);
      acc += a * x[c * xs];
    }
    std::memcpy(y + r, &acc, sizeof acc);
    r += 2;
  }
  for (; r < D; ++r) {
    double acc = 0;
    for (int c = 0; c < D; ++c) acc += A[c * D + r] * x[c * xs];
    y[r] = acc;
  }
}

// out = X^T c for X (TT x D) into DP entries (pad lanes 0): matTVec<D>'s sums (four running sums per
// column over the blocks of tokens, then (s0 + s1) + (s2 + s3)), reduced four columns at a time.
template <int D, int TT>
ATTNMD_INLINE void matTVecFixed(const double* X, const double* c, double* __restrict out) {
  constexpr int DP = 4 * ((D + 3) / 4);
  kernels::Vec4 acc[DP];
  for (int j = 0; j < D; ++j) acc[j] = kernels::load4(X + j * TT) * kernels::load4(c);
  for (int t = 4; t < TT; t += 4) {
    const kernels::Vec4 ct = kernels::load4(c + t);
    for (int j = 0; j < D; ++j) acc[j] += kernels::load4(X + j * TT + t) * ct;
  }
  for (int j = D; j < DP; ++j) acc[j] = kernels::Vec4{0, 0, 0, 0};
  for (int j = 0; j < DP; j += 4)
    kernels::store4(out + j, kernels::pairwiseSums4(acc[j], acc[j + 1], acc[j + 2], acc[j + 3]));
}

// Columns j0 .. j0 + J - 1 of the padded partial sum P (D x DP): P_j += cz[k][j] r_k for k = 0 .. m - 1 in
// order (start from zero when `fresh`), the 4 J (DP / 4) running sums in registers.
template <int D, int J, int B>
ATTNMD_INLINE void accumulateColumns(double* __restrict P, const double (*rb)[4 * ((D + 3) / 4)],
                                     const double (*cz)[B], int j0, int m, bool fresh) {
  constexpr int NB = (D + 3) / 4, DP = 4 * NB;
  kernels::Vec4 acc[J][NB];
  for (int j = 0; j < J; ++j)
    for (int b = 0; b < NB; ++b)
      acc[j][b] = fresh ? kernels::Vec4{0, 0, 0, 0} : kernels::load4(P + (j0 + j) * DP + 4 * b);
  for (int k = 0; k < m; ++k) {
    kernels::Vec4 r[NB];
    for (int b = 0; b < NB; ++b) r[b] = kernels::load4(rb[k] + 4 * b);
    for (int j = 0; j < J; ++j) {
      const double a = cz[k][j0 + j];
      for (int b = 0; b < NB; ++b) acc[j][b] += a * r[b];
    }
  }
  for (int j = 0; j < J; ++j)
    for (int b = 0; b < NB; ++b) kernels::store4(P + (j0 + j) * DP + 4 * b, acc[j][b]);
}

// dst[0, D) = src[0, D) (a padded column into a plain one).
template <int D>
ATTNMD_INLINE void copyColumn(const double* __restrict src, double* __restrict dst) {
  int j = 0;
  for (; j + 4 <= D; j += 4) kernels::store4(dst + j, kernels::load4(src + j));
  for (; j < D; ++j) dst[j] = src[j];
}

// The logs a deferred chunk skipped (Evaluation::deferLogs), for sequences [first, end) whose
// Columns::sumOthers and margins are set: evaluateChunkFixed's log S and log(1 + S) at shift 0 and
// lossPartsChunk4 (logistic), the same operations, so the same bits.
void completeChunkLogs(Evaluation& out, int first, int end) {
  using kernels::Vec4;
  Evaluation::Columns& col = out.columns;
  const int count = end - first, count4 = (count + 3) & ~3;
  alignas(32) double sumE[kChunk], margin[kChunk];
  for (int k = 0; k < count4; ++k) {  // pad entries: S = 1, u = 0
    sumE[k] = k < count ? col.sumOthers[first + k] : 1.0;
    margin[k] = k < count ? out.seqs[static_cast<std::size_t>(first + k)].margin : 0.0;
  }
  for (int k = 0; k < count4; k += 4) {
    const Vec4 s4 = kernels::load4(sumE + k);
    const Vec4 logS = Vec4{0, 0, 0, 0} + kernels::logNormal4(s4),
               logU = logS - kernels::log1pNonNegative4(s4);
    for (int j = 0; j < 4 && k + j < count; ++j) {
      SequenceEval& se = out.seqs[static_cast<std::size_t>(first + k + j)];
      se.logSumOthers = logS[j];
      se.logUnselected = logU[j];
      col.logUnselected[first + k + j] = logU[j];
    }
  }
  lossPartsChunk4(LossKind::Logistic, margin, count, col.loss.data() + first, col.lossSlope.data() + first,
                  col.logLossSlope.data() + first);
  for (int i = first; i < end; ++i) {
    SequenceEval& se = out.seqs[static_cast<std::size_t>(i)];
    se.loss = col.loss[i];
    se.lossSlope = col.lossSlope[i];
    se.logLossSlope = col.logLossSlope[i];
  }
}

// reuseValues: seqs[i].values and the queries column are those of this scene and v already (see
// Evaluation::sceneFixed).
template <int D, int TT>
ATTNMD_HOT_CLONES void evaluateChunkFixed(const Scene& scene, const Params& params, Evaluation& out,
                                          Eigen::Index c, bool reuseValues) {
  static_assert(D > 0 && TT > 0 && TT % 4 == 0);
  constexpr int DP = 4 * ((D + 3) / 4);  // d padded to whole blocks of four
  constexpr int kBatch = 32;             // sequences whose gradient terms are summed in registers at once
  using kernels::load4;
  using kernels::store4;
  using kernels::Vec4;
  const int n = scene.sequenceCount();
  const ModelKind kind = scene.model.kind;
  const bool prompt = kind == ModelKind::Prompt, query = kind == ModelKind::Query,
             trainV = scene.model.trainV;
  Evaluation::Columns& col = out.columns;
  const int first = static_cast<int>(c * kChunk);
  const int end = static_cast<int>(std::min<Eigen::Index>(n, (c + 1) * kChunk));
  const int count = end - first;
  for (int i = first; i < end; ++i) {
    if (scene.sequences[static_cast<std::size_t>(i)].tokens.rows() != TT) {
      evaluateChunk<D>(scene, params, out, c, false);
      return;
    }
  }
  // W with its columns padded to DP rows (zeros), so that every row block is a whole Vec4.
  alignas(32) double Wp[D * DP];
  if (query) {
    const double* W = params.W.data();
    for (int cc = 0; cc < D; ++cc) {
      int r = 0;
      for (; r + 4 <= D; r += 4) store4(Wp + cc * DP + r, load4(W + cc * D + r));
      for (; r < DP; ++r) Wp[cc * DP + r] = r < D ? W[cc * D + r] : 0.0;
    }
  }
  // z_i: the first token (a row of the column-major tokens, stride TT) unless the scene gives z.
  const bool zGiven = scene.model.query == QueryKind::Given;
  // Per sequence of the chunk: shift, sumE, deltaHat, log S, log(1 + S) (softmax steps 1-3), margin.
  double shift[kChunk], sumE[kChunk], deltaHat[kChunk], logS[kChunk], l1pS[kChunk], margin[kChunk];
  const double* v = params.v.data();
  for (int k = 0; k < count; ++k) {
    const int i = first + k;
    SequenceEval& se = out.seqs[static_cast<std::size_t>(i)];
    const double* X = scene.sequences[static_cast<std::size_t>(i)].tokens.data();
    if (!reuseValues) {  // else the last call left every vector at these sizes
      se.logits.resize(TT);
      se.probs.resize(TT);
      se.values.resize(TT);
      se.dOutput.resize(TT);
      if (!prompt) se.keyDir.resize(D);
    }
    alignas(32) double keyBuf[DP];
    const double* key = out.promptKey.data();  // prompt: a_it = (M x_it)^T p = x_it^T (M^T p)
    if (query) {  // a_it = x_it^T (W z_i): matVec's sums, y_r = ((0 + W_r0 z_0) + W_r1 z_1) + ...
      Vec4 acc[DP / 4];
      for (int b = 0; b < DP / 4; ++b) acc[b] = Vec4{0, 0, 0, 0};
      if (zGiven) {
        const StridedVector z = queryView(scene, i);
        for (int cc = 0; cc < D; ++cc)
          for (int b = 0; b < DP / 4; ++b) acc[b] += load4(Wp + cc * DP + 4 * b) * z[cc];
      } else {
        for (int cc = 0; cc < D; ++cc)
          for (int b = 0; b < DP / 4; ++b) acc[b] += load4(Wp + cc * DP + 4 * b) * X[cc * TT];
      }
      for (int b = 0; b < DP / 4; ++b) store4(keyBuf + 4 * b, acc[b]);
      copyColumn<D>(keyBuf, se.keyDir.data());
      key = keyBuf;
    } else if (!prompt) {  // kq: a_it = x_it^T K (Q^T z_i)
      const StridedVector z = queryView(scene, i);
      se.keyDir.setZero();
      for (Eigen::Index j = 0; j < params.Q.cols(); ++j)
        se.keyDir += params.Q.col(j).dot(z) * params.K.col(j);
      key = se.keyDir.data();
    }
    // a_it and h_it = v^T x_it (twoMatVec's sums).
    if (reuseValues) {
      for (int t = 0; t < TT; t += 4) {
        Vec4 a4 = {0, 0, 0, 0};
        for (int j = 0; j < D; ++j) a4 += load4(X + j * TT + t) * key[j];
        store4(se.logits.data() + t, a4);
      }
    } else {
      for (int t = 0; t < TT; t += 4) {
        Vec4 a4 = {0, 0, 0, 0}, h4 = {0, 0, 0, 0};
        for (int j = 0; j < D; ++j) {
          const Vec4 x = load4(X + j * TT + t);
          a4 += x * key[j];
          h4 += x * v[j];
        }
        store4(se.logits.data() + t, a4);
        store4(se.values.data() + t, h4);
      }
    }
    shift[k] = softmaxArguments<TT>(se);
  }
  for (int k = 0; k < count; ++k) {
    // softmaxExponentials: e_t in place with e_alpha = 0 (its lane cleared in the register), then the
    // two sums in order over t, alpha's +0 terms included (see softmaxExponentials<TT>: the same bits).
    SequenceEval& se = out.seqs[static_cast<std::size_t>(first + k)];
    double* __restrict e = se.dOutput.data();
    const double* __restrict h = se.values.data();
    const int alpha = se.selected;
    const double hA = h[alpha];
    alignas(32) double prod[TT];
    for (int t = 0; t < TT; t += 4) {
      const kernels::I4 lane = kernels::I4{0, 1, 2, 3} + t;
      const kernels::U4 isAlpha = (kernels::U4)(lane == static_cast<std::int64_t>(alpha));
      const Vec4 e4 = (kernels::Vec4)((kernels::U4)(kernels::expNonPositive4(load4(e + t))) & ~isAlpha);
      store4(e + t, e4);
      store4(prod + t, e4 * (load4(h + t) - hA));
    }
    double sE = 0, dH = 0;
    for (int t = 0; t < TT; ++t) {
      sE += e[t];
      dH += prod[t];
    }
    sumE[k] = sE;
    deltaHat[k] = dH;
  }
  // Evaluation::deferLogs: the logs below wait for completeEvaluation() when no sequence of the chunk
  // is saturated (the gradient then reads none of them) and the loss is the logistic one.
  bool defer = out.deferLogs && scene.model.loss == LossKind::Logistic;
  for (int k = 0; k < count && defer; ++k) defer = shift[k] == 0.0 && std::isfinite(sumE[k]);
  // softmaxLogs (every sequence has TT >= 4 tokens), four sequences at a time: the logarithms' divisions
  // four per instruction (the divider is the step's busiest unit). Pad entries: sumE = 1, shift = 0.
  const int count4 = (count + 3) & ~3;
  for (int k = count; k < count4; ++k) {
    sumE[k] = 1.0;
    shift[k] = 0.0;
  }
  if (defer) {  // completeChunkLogs takes them from S (shift 0), exactly as the loop below
    for (int k = 0; k < count; ++k) col.sumOthers[first + k] = sumE[k];
    std::fill(logS, logS + count4, kDeferredLog);
    std::fill(l1pS, l1pS + count4, kDeferredLog);
  } else {
    for (int k = 0; k < count4; k += 4) {
      const Vec4 s4 = load4(sumE + k);
      store4(logS + k, load4(shift + k) + kernels::logNormal4(s4));
      store4(l1pS + k, kernels::log1pNonNegative4(s4));
    }
    for (int k = 0; k < count; ++k)
      if (shift[k] != 0.0) l1pS[k] = std::log1p(std::exp(logS[k]));
  }
  for (int k = 0; k < count; ++k) {
    SequenceEval& se = out.seqs[static_cast<std::size_t>(first + k)];
    softmaxFinish<TT>(scene.sequences[static_cast<std::size_t>(first + k)].y, shift[k], sumE[k], deltaHat[k],
                      logS[k], l1pS[k], se);
    margin[k] = se.margin;
  }
  for (int k = count; k < count4; ++k) margin[k] = 0.0;
  bool certain = false;  // some sequence's gradient term certainly above e^-600 (Columns::chunkCertain)
  if (defer) {
    // Margins up to 1e290 keep the loss's sum finite (so `finite` is exact without it); beyond, or NaN,
    // the logs are taken now.
    for (int k = 0; k < count && defer; ++k) defer = std::abs(margin[k]) <= kDeferMarginMax;
    if (!defer) completeChunkLogs(out, first, end);
  } else {
    lossPartsChunk4(scene.model.loss, margin, count, col.loss.data() + first, col.lossSlope.data() + first,
                    col.logLossSlope.data() + first);
  }
  if (defer) {  // l'(u) alone (lossPartsChunk4's slope); l(u) and log |l'(u)| wait
    alignas(32) double slope[4];
    for (int k = 0; k < count4; k += 4) {
      store4(slope, logisticSlope4(load4(margin + k)));
      for (int j = 0; j < 4 && k + j < count; ++j) col.lossSlope[first + k + j] = slope[j];
    }
    for (int k = 0; k < count; ++k) {
      if (std::abs(margin[k]) > 708.0)
        col.lossSlope[first + k] = lossParts(scene.model.loss, margin[k]).slope;
      col.loss[first + k] = kDeferredLog;
      col.logLossSlope[first + k] = kDeferredLog;
      const int eS = binaryExponent(sumE[k]), eL = binaryExponent(std::abs(col.lossSlope[first + k]));
      certain = certain || std::min(eS, 0) + eL - 1 >= kCertainExponent;
    }
  }
  col.chunkPending[static_cast<std::size_t>(c)] = defer ? 1 : 0;
  col.chunkCertain[static_cast<std::size_t>(c)] = certain ? 1 : 0;

  // The chunk's partial sums (evaluateChunk's terms in the same order): P += c_i r_i z_i^T entry by
  // entry over the sequences in order, in padded columns held in registers over batches of sequences.
  const int pCols = prompt ? 1 : D;
  alignas(32) double Pa[D * DP], Pv[DP] = {};
  alignas(32) double rb[kBatch][DP], cz[kBatch][D];
  double rv[DP];
  bool finite = true, unscaled = true;
  for (int b0 = first; b0 < end; b0 += kBatch) {
    const int b1 = std::min(end, b0 + kBatch);
    for (int i = b0; i < b1; ++i) {
      const int k = i - b0;
      SequenceEval& se = out.seqs[static_cast<std::size_t>(i)];
      se.loss = col.loss[i];
      se.lossSlope = col.lossSlope[i];
      se.logLossSlope = col.logLossSlope[i];
      const double* X = scene.sequences[static_cast<std::size_t>(i)].tokens.data();
      double* r = rb[k];
      matTVecFixed<D, TT>(X, se.dOutput.data(), r);
      copyColumn<D>(r, col.attGrad.col(i).data());
      // The unscaled gradient's coefficient, exactly as gradient() forms it (see Columns::partialAtt).
      const double ci =
          col.lossSlope[i] * static_cast<double>(scene.sequences[static_cast<std::size_t>(i)].y) / n;
      if (trainV) {
        matTVecFixed<D, TT>(X, se.probs.data(), rv);
        copyColumn<D>(rv, col.vGrad.col(i).data());
        for (int j = 0; j < DP; j += 4) {
          const Vec4 add = ci * load4(rv + j);
          store4(Pv + j, i == first ? Vec4{0, 0, 0, 0} + add : load4(Pv + j) + add);
        }
      }
      if (prompt) {
        cz[k][0] = ci;
      } else {
        double* __restrict zc = col.queries.col(i).data();
        if (!reuseValues) {
          const StridedVector zv = queryView(scene, i);
          for (int j = 0; j < D; ++j) zc[j] = zv[j];
        }
        for (int j = 0; j < D; ++j) cz[k][j] = ci * zc[j];
      }
      col.logUnselected[i] = se.logUnselected;
      col.dOutputLogScale[i] = se.dOutputLogScale;
      // (Deferred, log S - log(1 + S) is not NaN: S is finite.)
      finite = finite & std::isfinite(se.output) & (defer || !std::isnan(se.logUnselected)) &
               std::isfinite(se.logits[se.selected]);
      unscaled = unscaled & (se.dOutputLogScale == 0.0);
    }
    const int m = b1 - b0;
    if (prompt) {
      accumulateColumns<D, 1>(Pa, rb, cz, 0, m, b0 == first);
    } else {
      int j = 0;
      for (; j + 3 <= D; j += 3) accumulateColumns<D, 3>(Pa, rb, cz, j, m, b0 == first);
      if (j < D) accumulateColumns<D, 1>(Pa, rb, cz, j, m, b0 == first);
    }
  }
  Eigen::MatrixXd& P = col.partialAtt[static_cast<std::size_t>(c)];
  P.resize(D, pCols);
  for (int j = 0; j < pCols; ++j) copyColumn<D>(Pa + j * DP, P.data() + j * D);
  if (trainV) {
    Eigen::VectorXd& PvOut = col.partialV[static_cast<std::size_t>(c)];
    PvOut.resize(D);
    copyColumn<D>(Pv, PvOut.data());
  }
  col.chunkFinite[static_cast<std::size_t>(c)] = finite ? 1 : 0;
  col.chunkUnscaled[static_cast<std::size_t>(c)] = unscaled ? 1 : 0;
}

// pick(std::integral_constant<int, D>) for the compiled D of d (see evaluateChunk), D = 0 otherwise.
template <class Pick>
auto forCompiledD(int d, Pick pick) {
  switch (d) {
    case 2:
      return pick(std::integral_constant<int, 2>{});
    case 3:
      return pick(std::integral_constant<int, 3>{});
    case 10:
      return pick(std::integral_constant<int, 10>{});
    default:
      return pick(std::integral_constant<int, 0>{});
  }
}

using EvaluateChunkFn = void (*)(const Scene&, const Params&, Evaluation&, Eigen::Index, bool);
// The fixed-size path for the papers' scenes (d = 10, T = 8) when the first sequence has 8 tokens (each
// chunk checks all of its own), else evaluateChunk for the compiled d.
EvaluateChunkFn evaluateChunkFor(const Scene& scene, bool fixedPaths) {
  if (!fixedPaths) return evaluateChunk<0>;
  if (scene.dim == 10 && !scene.sequences.empty() && scene.sequences.front().tokens.rows() == 8)
    return evaluateChunkFixed<10, 8>;
  return forCompiledD(scene.dim, [](auto D) -> EvaluateChunkFn { return evaluateChunk<decltype(D)::value>; });
}

}  // namespace

namespace {

// L = (1/n) sum_i l(u_i), an ordered reduction: the same sum whatever the threading.
double meanLoss(const Evaluation::Columns& col, int n) {
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += col.loss[i];
  return n > 0 ? sum / n : 0.0;
}

// The Evaluation's columns at the scene's sizes (no allocation when unchanged).
void sizeColumns(const Scene& scene, Evaluation::Columns& col) {
  const int n = scene.sequenceCount();
  const Eigen::Index d = scene.dim;
  col.attGrad.resize(d, n);
  col.vGrad.resize(scene.model.trainV ? d : 0, scene.model.trainV ? n : 0);
  col.queries.resize(scene.model.kind == ModelKind::Prompt ? 0 : d,
                     scene.model.kind == ModelKind::Prompt ? 0 : n);
  col.loss.resize(n);
  col.lossSlope.resize(n);
  col.logLossSlope.resize(n);
  col.logUnselected.resize(n);
  col.dOutputLogScale.resize(n);
  col.chunkFinite.resize(static_cast<std::size_t>(chunkCount(n)));
  col.chunkUnscaled.resize(static_cast<std::size_t>(chunkCount(n)));
  col.sumOthers.resize(n);
  col.chunkPending.resize(static_cast<std::size_t>(chunkCount(n)));
  col.chunkCertain.resize(static_cast<std::size_t>(chunkCount(n)));
  col.partialAtt.resize(static_cast<std::size_t>(chunkCount(n)));
  col.partialV.resize(static_cast<std::size_t>(chunkCount(n)));
}

}  // namespace

void evaluate(const Scene& scene, const Params& params, Evaluation& out) {
  const int n = scene.sequenceCount();
  // Values and queries from the last call (Evaluation::sceneFixed): same scene, same v, bit for bit.
  Evaluation::ValuesKey& key = out.valuesKey;
  const bool reuseValues = out.sceneFixed && key.scene == &scene &&
                           out.seqs.size() == static_cast<std::size_t>(n) &&
                           key.v.size() == params.v.size() &&
                           std::memcmp(key.v.data(), params.v.data(),
                                       static_cast<std::size_t>(params.v.size()) * sizeof(double)) == 0;
  key.scene = nullptr;                     // set again below once every sequence holds this call's values
  Evaluation::Columns& col = out.columns;  // sized here, filled by the chunks (no allocation when unchanged)
  if (!reuseValues) {                      // else the last call sized everything for this scene
    out.seqs.resize(static_cast<std::size_t>(n));
    sizeColumns(scene, col);
  }
  if (scene.model.kind == ModelKind::Prompt) {
    if (hasKeyMatrix(scene))
      out.promptKey.noalias() = scene.model.keyMatrix.transpose() * params.p;
    else
      out.promptKey = params.p;
  }
  const EvaluateChunkFn chunkFn = evaluateChunkFor(scene, out.fixedPaths);
  std::fill(col.chunkPending.begin(), col.chunkPending.end(), 0);  // (the general path defers nothing)
  std::fill(col.chunkCertain.begin(), col.chunkCertain.end(), 0);
  forEachChunk(scene, out.threads, [&](Eigen::Index c) { chunkFn(scene, params, out, c, reuseValues); });
  if (out.sceneFixed) {
    key.scene = &scene;
    if (!reuseValues) key.v = params.v;  // (equal already when reused)
  }
  bool finite = true;
  for (const unsigned char f : col.chunkFinite) finite = finite && f != 0;
  // Deferred logs stay deferred only when every chunk deferred them and some sequence certainly keeps
  // the gradient unscaled (so gradient() needs no log at all); otherwise they are taken now.
  bool pending = false, allPending = true, certain = false;
  for (std::size_t c = 0; c < col.chunkPending.size(); ++c) {
    pending = pending || col.chunkPending[c] != 0;
    allPending = allPending && col.chunkPending[c] != 0;
    certain = certain || col.chunkCertain[c] != 0;
  }
  out.logsPending = pending;
  if (pending && allPending && certain) {
    out.loss = kDeferredLog;
    out.finite = finite;  // every margin is below 1e290: the loss is finite
    return;
  }
  if (pending)
    completeEvaluation(scene, out);
  else
    out.loss = meanLoss(col, n);
  out.finite = finite && std::isfinite(out.loss);
}

void completeEvaluation(const Scene& scene, Evaluation& out) {
  if (!out.logsPending) return;
  Evaluation::Columns& col = out.columns;
  const int n = scene.sequenceCount();
  forEachChunk(scene, out.threads, [&](Eigen::Index c) {
    if (col.chunkPending[static_cast<std::size_t>(c)] == 0) return;
    completeChunkLogs(out, static_cast<int>(c * kChunk),
                      static_cast<int>(std::min<Eigen::Index>(n, (c + 1) * kChunk)));
    col.chunkPending[static_cast<std::size_t>(c)] = 0;
  });
  out.logsPending = false;
  out.loss = meanLoss(col, n);
}

Evaluation evaluate(const Scene& scene, const Params& params) {
  Evaluation e;
  evaluate(scene, params, e);
  return e;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] gradient (docs/theory.md §3)
// ---------------------------------------------------------------------------------------------------

namespace {

// One chunk's partial sums: P += c_i r_i z_i^T (query, kq) or P += c_i r_i (prompt), and, with
// trainV, Pv += c^v_i X_i^T s_i, from the columns evaluate() stored and the coefficients in work.
template <int D>
ATTNMD_HOT_CLONES void gradientChunk(const Scene& scene, const Evaluation& eval, Eigen::Index c,
                                     double* __restrict P, double* __restrict Pv) {
  const int n = scene.sequenceCount();
  const Eigen::Index d = D > 0 ? D : scene.dim;
  const bool prompt = scene.model.kind == ModelKind::Prompt;
  const Evaluation::Columns& col = eval.columns;
  const Evaluation::Workspace& w = eval.work;
  const int end = static_cast<int>(std::min<Eigen::Index>(n, (c + 1) * kChunk));
  for (int i = static_cast<int>(c * kChunk); i < end; ++i)  // r_i = X_i^T dOutput_i
    addSequenceGradient(P, Pv, col.attGrad.col(i).data(), prompt ? nullptr : col.queries.col(i).data(),
                        Pv ? col.vGrad.col(i).data() : nullptr, w.coefAtt[i], Pv ? w.coefV[i] : 0.0, d,
                        prompt);
}

using GradientChunkFn = void (*)(const Scene&, const Evaluation&, Eigen::Index, double*, double*);
GradientChunkFn gradientChunkFor(int d) {
  return forCompiledD(d, [](auto D) -> GradientChunkFn { return gradientChunk<decltype(D)::value>; });
}

}  // namespace

namespace {

// The gradient's partial sums per chunk into eval.work (partialAtt, partialV) with the coefficients
// of docs/theory.md §3 under the log scales sAtt and sV: the general pass, for when some part of the
// gradient is scaled (deep saturation), so evaluate()'s unscaled sums do not apply.
void gradientPartials(const Scene& scene, const Evaluation& eval, double sAtt, double sV, double logInvN) {
  const int n = scene.sequenceCount();
  const int d = scene.dim;
  const ModelKind kind = scene.model.kind;
  const bool trainV = scene.model.trainV;
  const Evaluation::Columns& col = eval.columns;
  Evaluation::Workspace& w = eval.work;
  w.coefAtt.resize(n);
  w.coefV.resize(n);
  for (int i = 0; i < n; ++i) {
    const double y = static_cast<double>(scene.sequences[static_cast<std::size_t>(i)].y);
    // l' < 0 for every loss, so the sign of l'(u_i) Y_i is -Y_i.
    if (sAtt == 0.0 && col.dOutputLogScale[i] == 0.0)
      w.coefAtt[i] = col.lossSlope[i] * y / n;
    else
      w.coefAtt[i] = -y * std::exp(col.logLossSlope[i] + logInvN + col.dOutputLogScale[i] - sAtt);
    w.coefV[i] = sV == 0.0 ? col.lossSlope[i] * y / n : -y * std::exp(col.logLossSlope[i] + logInvN - sV);
  }

  // Pass 2 (chunked): partial sums of the attention gradient (query/kq: sum_i c_i r_i z_i^T with
  // r_i = X_i^T dOutput_i; prompt: sum_i c_i r_i) and of the v gradient (sum_i c_i X_i^T s_i).
  const Eigen::Index chunks = chunkCount(n);
  const Eigen::Index attRows = d, attCols = kind == ModelKind::Prompt ? 1 : d;
  if (static_cast<Eigen::Index>(w.partialAtt.size()) < chunks)
    w.partialAtt.resize(static_cast<std::size_t>(chunks));
  if (static_cast<Eigen::Index>(w.partialV.size()) < chunks)
    w.partialV.resize(static_cast<std::size_t>(chunks));
  const GradientChunkFn chunkFn = eval.fixedPaths ? gradientChunkFor(d) : gradientChunk<0>;
  forEachChunk(scene, eval.threads, [&](Eigen::Index c) {
    Eigen::MatrixXd& P = w.partialAtt[static_cast<std::size_t>(c)];
    Eigen::VectorXd& Pv = w.partialV[static_cast<std::size_t>(c)];
    P.setZero(attRows, attCols);
    if (trainV) Pv.setZero(d);
    chunkFn(scene, eval, c, P.data(), trainV ? Pv.data() : nullptr);
  });
}

}  // namespace

double gradient(const Scene& scene, const Params& params, const Evaluation& eval, Params& grad,
                GradientScale* scale) {
  const int n = scene.sequenceCount();
  const int d = scene.dim;
  const ModelKind kind = scene.model.kind;
  const bool trainV = scene.model.trainV;
  Evaluation::Workspace& w = eval.work;

  // Pass 1 (serial, O(n)): the log scale of each part of the gradient. Sequence i contributes
  // l'(u_i) Y_i / n * e^{kappa_i} * (X_i^T dOutput_i) with magnitude ~ |l'(u_i)|/n * (1 - s_{i alpha}).
  const Evaluation::Columns& col = eval.columns;  // contiguous copies of the SequenceEval fields used here
  if (w.logInvNFor != n) {                        // a libm call per step otherwise
    w.logInvN = -std::log(static_cast<double>(std::max(n, 1)));
    w.logInvNFor = n;
  }
  const double logInvN = w.logInvN;
  double maxAtt = kNegInf, maxV = kNegInf;
  if (eval.logsPending) {  // deferred logs: some sequence's term is above kSafeLog (Columns::chunkCertain)
    maxAtt = maxV = 0.0;
  } else {
    for (int i = 0; i < n; ++i) {
      const double lw = col.logLossSlope[i] + logInvN;
      maxV = std::max(maxV, lw);
      maxAtt = std::max(maxAtt, lw + col.logUnselected[i]);
    }
  }
  const double sAtt = (maxAtt < kSafeLog && maxAtt > kNegInf) ? maxAtt : 0.0;
  const double sV = (maxV < kSafeLog && maxV > kNegInf) ? maxV : 0.0;

  // Without a log scale anywhere, evaluate() has already summed each chunk's share (Columns::partialAtt):
  // the same terms in the same order as the pass below.
  bool unscaled = sAtt == 0.0 && (!trainV || sV == 0.0);
  for (const unsigned char u : col.chunkUnscaled) unscaled = unscaled && u != 0;
  const Eigen::Index chunks = chunkCount(n);
  const std::vector<Eigen::MatrixXd>& partialAtt = unscaled ? col.partialAtt : w.partialAtt;
  const std::vector<Eigen::VectorXd>& partialV = unscaled ? col.partialV : w.partialV;
  if (!unscaled) gradientPartials(scene, eval, sAtt, sV, logInvN);

  // Ordered reduction into the trained tensors.
  const Eigen::Index attRows = d, attCols = kind == ModelKind::Prompt ? 1 : d;
  auto sumPartials = [&](Eigen::MatrixXd& dst) {
    if (chunks == 1) {  // the one partial sum is the sum (a copy; no allocation once sized)
      const Eigen::MatrixXd& src = partialAtt[0];
      if (dst.rows() == src.rows() && dst.cols() == src.cols())
        std::copy(src.data(), src.data() + src.size(), dst.data());  // a memmove (Eigen's loop costs more)
      else
        dst = src;
      return;
    }
    dst.setZero(attRows, attCols);
    for (Eigen::Index c = 0; c < chunks; ++c) dst += partialAtt[static_cast<std::size_t>(c)];
  };
  // Tensors the model does not train are left empty; the others keep their storage between calls.
  if (kind != ModelKind::Query) grad.W.resize(0, 0);
  if (kind != ModelKind::Prompt) grad.p.resize(0);
  if (kind != ModelKind::KQ) {
    grad.K.resize(0, 0);
    grad.Q.resize(0, 0);
  }
  switch (kind) {
    case ModelKind::Query:
      sumPartials(grad.W);
      break;
    case ModelKind::Prompt:
      sumPartials(w.G);
      if (hasKeyMatrix(scene)) {
        // a_it = (M x_it)^T p, so da_it/dp = M x_it and grad_p = M sum_i c_i X_i^T dOutput_i. (docs/theory.md
        // §3 prints M^T here, which holds only for symmetric M; finite differences confirm M.)
        grad.p.resize(d);
        grad.p.noalias() = scene.model.keyMatrix * w.G.col(0);
      } else {
        grad.p = w.G.col(0);
      }
      break;
    case ModelKind::KQ:  // docs/theory.md §3: grad_K = G Q, grad_Q = G^T K
      sumPartials(w.G);
      grad.K.resize(d, params.Q.cols());
      grad.Q.resize(d, params.K.cols());
      grad.K.noalias() = w.G * params.Q;
      grad.Q.noalias() = w.G.transpose() * params.K;
      break;
  }
  if (trainV) {
    grad.v.setZero(d);
    for (Eigen::Index c = 0; c < chunks; ++c) grad.v += partialV[static_cast<std::size_t>(c)];
  } else {
    grad.v.resize(0);
  }

  if (scale) {
    scale->attention = sAtt;
    scale->v = sV;
  } else {
    // Natural units (underflow to 0 where the true gradient does).
    if (sAtt != 0.0) {
      const double f = std::exp(sAtt);
      grad.W *= f;
      grad.p *= f;
      grad.K *= f;
      grad.Q *= f;
    }
    if (sV != 0.0) grad.v *= std::exp(sV);
  }
  return eval.loss;
}

double gradient(const Scene& scene, const Params& params, const Evaluation& eval, Params& grad) {
  return gradient(scene, params, eval, grad, nullptr);
}

double lossAndGradient(const Scene& scene, const Params& params, Params& grad) {
  const Evaluation e = evaluate(scene, params);
  return gradient(scene, params, e, grad);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] trained tensors
// ---------------------------------------------------------------------------------------------------

std::vector<Eigen::Map<Eigen::MatrixXd>> trainedTensors(const Scene& scene, Params& params) {
  std::vector<Eigen::Map<Eigen::MatrixXd>> out;
  switch (scene.model.kind) {
    case ModelKind::Query:
      out.emplace_back(params.W.data(), params.W.rows(), params.W.cols());
      break;
    case ModelKind::Prompt:
      out.emplace_back(params.p.data(), params.p.size(), 1);
      break;
    case ModelKind::KQ:
      out.emplace_back(params.K.data(), params.K.rows(), params.K.cols());
      out.emplace_back(params.Q.data(), params.Q.rows(), params.Q.cols());
      break;
  }
  if (scene.model.trainV) out.emplace_back(params.v.data(), params.v.size(), 1);
  return out;
}

std::vector<const char*> trainedTensorNames(const Scene& scene) {
  std::vector<const char*> out;
  switch (scene.model.kind) {
    case ModelKind::Query:
      out.push_back("W");
      break;
    case ModelKind::Prompt:
      out.push_back("p");
      break;
    case ModelKind::KQ:
      out.push_back("K");
      out.push_back("Q");
      break;
  }
  if (scene.model.trainV) out.push_back("v");
  return out;
}

}  // namespace attnmd::core

#pragma GCC diagnostic pop
// GCC 12 reports the four-lane kernels' returns once more at the end of the translation unit, where the
// pop above has re-enabled the note (the fixed-size path's target_clones copies are made there). The
// note concerns only calls that pass a Vec4 between separately compiled functions, which none do
// (every such function is always inlined): keep it off to the end of this file's translation unit.
#pragma GCC diagnostic ignored "-Wpsabi"
