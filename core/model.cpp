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
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(nt - 1));
  for (Eigen::Index j = 1; j < nt; ++j)
    threads.emplace_back([&fn, j, nt, chunks] {
      for (Eigen::Index c = j; c < chunks; c += nt) fn(c);
    });
  for (Eigen::Index c = 0; c < chunks; c += nt) fn(c);
  for (auto& t : threads) t.join();
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

// Step 1: alpha, and the arguments r_t - shift of the exponentials into dOutput. Returns shift.
ATTNMD_INLINE double softmaxArguments(SequenceEval& se) {
  const Eigen::Index T = se.logits.size();
  Eigen::Index alphaIdx = 0;
  const double aA = se.logits.maxCoeff(&alphaIdx);
  const int alpha = static_cast<int>(alphaIdx);
  se.selected = alpha;

  double m = kNegInf;  // max_{t != alpha} r_t
  for (Eigen::Index t = 0; t < T; ++t)
    if (t != alpha) m = std::max(m, se.logits[t] - aA);
  const double shift = m < kSafeLog ? m : 0.0;
  double* __restrict arg = se.dOutput.data();
  const double* __restrict logits = se.logits.data();
  for (Eigen::Index t = 0; t < T; ++t) arg[t] = (logits[t] - aA) - shift;
  return shift;
}

// Step 2: e_t in place, one vectorized loop (e_alpha = 0 so the sums below skip it exactly), and
// sumE = sum_{t != alpha} e_t, deltaHat = sum_{t != alpha} e_t (h_t - h_alpha). Below e^-708 the result
// would be denormal (slow, and < 1e-108 of the leading term, which is at least e^-600 here):
// expNonPositive flushes it to 0.
ATTNMD_INLINE void softmaxExponentials(SequenceEval& se, double& sumEOut, double& deltaHatOut) {
  double* __restrict e = se.dOutput.data();
  const Eigen::Index T = se.dOutput.size();
  for (Eigen::Index t = 0; t < T; ++t) e[t] = kernels::expNonPositive(e[t]);
  const int alpha = se.selected;
  e[alpha] = 0;
  const double hA = se.values[alpha];
  const double* __restrict h = se.values.data();
  double sumE = 0,
         deltaHat = 0;  // in registers (the outputs may alias nothing, but the compiler cannot know)
  for (Eigen::Index t = 0; t < T; ++t) {
    if (t == alpha) continue;
    sumE += e[t];
    deltaHat += e[t] * (h[t] - hA);
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
ATTNMD_INLINE void softmaxFinish(int y, double shift, double sumE, double deltaHat, double logS, double l1pS,
                                 SequenceEval& se) {
  const Eigen::Index T = se.logits.size();
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
    for (Eigen::Index t = 0; t < T; ++t) {
      const double s = se.dOutput[t] * sA;
      se.probs[t] = s;
      se.dOutput[t] = s * ((se.values[t] - hA) - delta);
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
                                     Eigen::Index c) {
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

using EvaluateChunkFn = void (*)(const Scene&, const Params&, Evaluation&, Eigen::Index);
EvaluateChunkFn evaluateChunkFor(int d) {
  return forCompiledD(d, [](auto D) -> EvaluateChunkFn { return evaluateChunk<decltype(D)::value>; });
}

}  // namespace

void evaluate(const Scene& scene, const Params& params, Evaluation& out) {
  const int n = scene.sequenceCount();
  const Eigen::Index d = scene.dim;
  out.seqs.resize(static_cast<std::size_t>(n));
  Evaluation::Columns& col = out.columns;  // sized here, filled by the chunks (no allocation when unchanged)
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
  col.partialAtt.resize(static_cast<std::size_t>(chunkCount(n)));
  col.partialV.resize(static_cast<std::size_t>(chunkCount(n)));
  if (scene.model.kind == ModelKind::Prompt) {
    if (hasKeyMatrix(scene))
      out.promptKey.noalias() = scene.model.keyMatrix.transpose() * params.p;
    else
      out.promptKey = params.p;
  }
  const EvaluateChunkFn chunkFn = evaluateChunkFor(scene.dim);
  forEachChunk(scene, out.threads, [&](Eigen::Index c) { chunkFn(scene, params, out, c); });
  // Ordered reduction: the same sum whatever the threading.
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += col.loss[i];
  bool finite = true;
  for (const unsigned char f : col.chunkFinite) finite = finite && f != 0;
  out.loss = n > 0 ? sum / n : 0.0;
  out.finite = finite && std::isfinite(out.loss);
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
  const GradientChunkFn chunkFn = gradientChunkFor(d);
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
  const double logInvN = -std::log(static_cast<double>(std::max(n, 1)));
  double maxAtt = kNegInf, maxV = kNegInf;
  for (int i = 0; i < n; ++i) {
    const double lw = col.logLossSlope[i] + logInvN;
    maxV = std::max(maxV, lw);
    maxAtt = std::max(maxAtt, lw + col.logUnselected[i]);
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
      dst = partialAtt[0];
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
