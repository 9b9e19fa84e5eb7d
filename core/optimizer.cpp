// The optimizer family of docs/theory.md §4.
//
// [SECTION] powers |x|^e with exact special cases
// [SECTION] norms, potential, mirror map, Bregman divergence
// [SECTION] the step
#include "core/optimizer.h"

#include "core/model_kernels.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <limits>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ATTNMD_SQRT_SIMD 1
// The AVX-512 copies use GCC's vector builtins and its optimize attribute (clang, which builds the fuzz
// targets, uses the AVX2 copies on such CPUs).
#if defined(__clang__)
#define ATTNMD_AVX512_KERNELS 0
#else
#define ATTNMD_AVX512_KERNELS 1
#endif
#else
#define ATTNMD_SQRT_SIMD 0
#endif

// kernels::Vec4 stays in registers (see core/model_kernels.h): GCC's ABI note does not apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace attnmd::core {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------------
// [SECTION] powers |x|^e
// ---------------------------------------------------------------------------------------------------

// pow is slow and the mirror map raises every entry to p-1 or 1/(p-1) each step, so the common
// exponents get exact cheaper forms: 1 (p = 2), 2 and 1/2 (p = 3), 3/2 (q at p = 3), integers
// (p = 1.1 -> 10, q = 11; p = 1.01 -> 100), and a vectorized exp(e log|x|) otherwise.
enum class PowKind { One, Two, Half, ThreeHalves, Three, Integer, General };

struct Exponent {
  PowKind kind = PowKind::General;
  double e = 1;
  unsigned k = 0;  // Integer
};

Exponent classify(double e) {
  Exponent x;
  x.e = e;
  if (e == 1.0) {
    x.kind = PowKind::One;
  } else if (e == 2.0) {
    x.kind = PowKind::Two;
  } else if (e == 0.5) {
    x.kind = PowKind::Half;
  } else if (e == 1.5) {
    x.kind = PowKind::ThreeHalves;
  } else if (e == 3.0) {
    x.kind = PowKind::Three;
  } else {
    // 1/(p-1) is an integer up to rounding for p = 1 + 1/k (1.1 gives 9.999999999999991): use the
    // integer; the difference (~1e-15 relative in the exponent) is far below every tolerance.
    const double r = std::round(e);
    if (r >= 2 && r <= 128 && std::abs(e - r) <= 1e-12 * r) {
      x.kind = PowKind::Integer;
      x.k = static_cast<unsigned>(r);
    }
  }
  return x;
}

double powIntAbs(double a, unsigned k) {
  a = std::abs(a);
  double r = 1.0;
  while (k) {
    if (k & 1u) r *= a;
    k >>= 1u;
    if (k) a *= a;
  }
  return r;
}

// The square roots of p = 3 (|g|^{3/2} in ||g||_q, and the inverse mirror map sign(u)|u|^{1/2}), which
// are most of an nmd step: a plain std::sqrt loop does not vectorize (it keeps errno), so these use
// the SIMD square root, four entries at a time where the CPU has AVX2 (two otherwise). Square roots
// are correctly rounded in every form, so the result is the same bits either way.
enum class SqrtOp { ThreeHalves, SignedHalf };  // |x| sqrt|x|, and sign(x) sqrt|x| (the sign bit copied)

inline double sqrtOpScalar(SqrtOp op, double x) {
  const double a = std::abs(x);
  return op == SqrtOp::ThreeHalves ? a * std::sqrt(a) : std::copysign(std::sqrt(a), x);
}

#if ATTNMD_SQRT_SIMD
__attribute__((target("avx2"))) void sqrtOpAvx2(SqrtOp op, const double* x, Eigen::Index n, double* out) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_loadu_pd(x + i);
    const __m256d a = _mm256_andnot_pd(sign, v);
    const __m256d r = _mm256_sqrt_pd(a);
    _mm256_storeu_pd(
        out + i, op == SqrtOp::ThreeHalves ? _mm256_mul_pd(a, r) : _mm256_or_pd(r, _mm256_and_pd(sign, v)));
  }
  for (; i < n; ++i) out[i] = sqrtOpScalar(op, x[i]);
}

#endif

// out = op(x) entrywise (out may alias x). Without AVX2, Eigen's array square root (SSE2 on x86-64).
void sqrtOp(SqrtOp op, const double* x, Eigen::Index n, double* out) {
#if ATTNMD_SQRT_SIMD
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    sqrtOpAvx2(op, x, n, out);
    return;
  }
#endif
  Eigen::Map<const Eigen::ArrayXd> X(x, n);
  Eigen::Map<Eigen::ArrayXd> O(out, n);
  if (op == SqrtOp::ThreeHalves) {
    O = X.abs() * X.abs().sqrt();
    return;
  }
  O = X.abs().sqrt();
  for (Eigen::Index i = 0; i < n; ++i) out[i] = std::copysign(out[i], x[i]);
}

// sum_i |x_i|^{3/2} (work: n entries of scratch): four running sums (entries i mod 4 of the blocks of
// four), added pairwise, then the remaining entries in order: one fixed order on every CPU.
ATTNMD_HOT_CLONES double sumThreeHalves(const double* x, Eigen::Index n, double* work) {
  sqrtOp(SqrtOp::ThreeHalves, x, n, work);
  Eigen::Index i = 0;
  kernels::Vec4 acc = {0, 0, 0, 0};
  for (; i + 4 <= n; i += 4) acc += kernels::load4(work + i);
  double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; i < n; ++i) s += work[i];
  return s;
}

// [p = 3 in one pass] The nmd step's kernels, each one loop over the tensor: max|g|, the scaled sum of
// ||g||_q, and the mirror step with its finiteness check; and the gradient's finiteness check. The
// same operations in the same order as the plain forms (g.cwiseAbs().maxCoeff(); work = g * scale then
// sumThreeHalves; u' = u - c g then signedPow's square roots, then kernels::allFinite), in an AVX2 and
// an SSE2 version chosen once (square roots are correctly rounded in both).
struct HalfKernels {
  double (*maxAbsOrInf)(const double* x, Eigen::Index n);  // max |x_i|; +inf when any x_i is not finite
  double (*sumThreeHalvesScaled)(const double* x, Eigen::Index n, double scale);  // sum |x_i scale|^{3/2}
  // u' = u - c g and theta = sign(u') sqrt|u'|; returns whether every u'_i is finite
  // (theta_i is finite exactly when u'_i is).
  bool (*dualStep)(const double* __restrict u, const double* __restrict g, double c, Eigen::Index n,
                   double* __restrict uNext, double* __restrict theta);
  bool (*allFinite)(const double* x, Eigen::Index n);  // kernels::allFinite (any optimizer's gradient check)
  // maxAbsOrInf and sumThreeHalvesScaled in one pass: returns the first, writes the second to sum.
  double (*maxAbsAndSum)(const double* x, Eigen::Index n, double scale, double& sum);
};

// maxAbsAndSum as its two kernels one after the other (where no fused copy is written).
template <double (*MaxAbs)(const double*, Eigen::Index), double (*Sum)(const double*, Eigen::Index, double)>
double maxAbsAndSumOf(const double* x, Eigen::Index n, double scale, double& sum) {
  sum = Sum(x, n, scale);
  return MaxAbs(x, n);
}

bool allFiniteBaseline(const double* x, Eigen::Index n) {
  return kernels::allFinite(x, n);
}

// Bits of x - x: all zero exactly when x is finite.
inline std::uint64_t nonFiniteBits(double x) {
  return std::bit_cast<std::uint64_t>(x - x);
}

// The mirror step on entries [i, n) one at a time (the vector kernels' last entries): the or of the
// new dual entries' nonFiniteBits.
inline std::uint64_t dualStepTail(const double* __restrict u, const double* __restrict g, double c,
                                  Eigen::Index i, Eigen::Index n, double* __restrict uNext,
                                  double* __restrict theta) {
  std::uint64_t badBits = 0;
  for (; i < n; ++i) {
    uNext[i] = u[i] - c * g[i];
    theta[i] = sqrtOpScalar(SqrtOp::SignedHalf, uNext[i]);
    badBits |= nonFiniteBits(uNext[i]);
  }
  return badBits;
}

// The fused max|x| and sum |x scale|^{3/2} on entries [i, n) one at a time, from the vector part's
// max r, finiteness bits and sum s: writes the sum, returns the max (+inf when an entry is not finite).
inline double maxAbsAndSumTail(const double* x, Eigen::Index i, Eigen::Index n, double scale, double r,
                               std::uint64_t badBits, double s, double& sum) {
  for (; i < n; ++i) {
    r = std::max(r, std::abs(x[i]));
    badBits |= nonFiniteBits(x[i]);
    s += sqrtOpScalar(SqrtOp::ThreeHalves, x[i] * scale);
  }
  sum = s;
  return badBits ? std::numeric_limits<double>::infinity() : r;
}

#if ATTNMD_SQRT_SIMD
double maxAbsOrInfSse2(const double* x, Eigen::Index n) {
  const __m128d sign = _mm_set1_pd(-0.0);
  __m128d m0 = _mm_setzero_pd(), m1 = _mm_setzero_pd(), bad = _mm_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128d a = _mm_loadu_pd(x + i), b = _mm_loadu_pd(x + i + 2);
    m0 = _mm_max_pd(m0, _mm_andnot_pd(sign, a));
    m1 = _mm_max_pd(m1, _mm_andnot_pd(sign, b));
    bad = _mm_or_pd(bad, _mm_or_pd(_mm_sub_pd(a, a), _mm_sub_pd(b, b)));
  }
  alignas(16) double mm[2], bb[2];
  _mm_store_pd(mm, _mm_max_pd(m0, m1));
  _mm_store_pd(bb, bad);
  double m = std::max(mm[0], mm[1]);
  std::uint64_t badBits = std::bit_cast<std::uint64_t>(bb[0]) | std::bit_cast<std::uint64_t>(bb[1]);
  for (; i < n; ++i) {
    m = std::max(m, std::abs(x[i]));
    badBits |= nonFiniteBits(x[i]);
  }
  return badBits ? std::numeric_limits<double>::infinity() : m;
}

double sumThreeHalvesScaledSse2(const double* x, Eigen::Index n, double scale) {
  const __m128d sign = _mm_set1_pd(-0.0), sc = _mm_set1_pd(scale);
  __m128d lo = _mm_setzero_pd(), hi = _mm_setzero_pd();  // lanes i mod 4 = 0, 1 and 2, 3
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128d a = _mm_andnot_pd(sign, _mm_mul_pd(_mm_loadu_pd(x + i), sc));
    const __m128d b = _mm_andnot_pd(sign, _mm_mul_pd(_mm_loadu_pd(x + i + 2), sc));
    lo = _mm_add_pd(lo, _mm_mul_pd(a, _mm_sqrt_pd(a)));
    hi = _mm_add_pd(hi, _mm_mul_pd(b, _mm_sqrt_pd(b)));
  }
  alignas(16) double l[2], h[2];
  _mm_store_pd(l, lo);
  _mm_store_pd(h, hi);
  double s = (l[0] + l[1]) + (h[0] + h[1]);
  for (; i < n; ++i) s += sqrtOpScalar(SqrtOp::ThreeHalves, x[i] * scale);
  return s;
}

bool dualStepSse2(const double* __restrict u, const double* __restrict g, double c, Eigen::Index n,
                  double* __restrict uNext, double* __restrict theta) {
  const __m128d sign = _mm_set1_pd(-0.0), cc = _mm_set1_pd(c);
  __m128d bad = _mm_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 2 <= n; i += 2) {
    const __m128d v = _mm_sub_pd(_mm_loadu_pd(u + i), _mm_mul_pd(cc, _mm_loadu_pd(g + i)));
    _mm_storeu_pd(uNext + i, v);
    _mm_storeu_pd(theta + i, _mm_or_pd(_mm_sqrt_pd(_mm_andnot_pd(sign, v)), _mm_and_pd(sign, v)));
    bad = _mm_or_pd(bad, _mm_sub_pd(v, v));
  }
  alignas(16) double bb[2];
  _mm_store_pd(bb, bad);
  std::uint64_t badBits = std::bit_cast<std::uint64_t>(bb[0]) | std::bit_cast<std::uint64_t>(bb[1]);
  return (badBits | dualStepTail(u, g, c, i, n, uNext, theta)) == 0;
}

__attribute__((target("avx2"))) bool allFiniteAvx2(const double* x, Eigen::Index n) {
  __m256d bad0 = _mm256_setzero_pd(), bad1 = _mm256_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);
    bad0 = _mm256_or_pd(bad0, _mm256_sub_pd(a, a));
    bad1 = _mm256_or_pd(bad1, _mm256_sub_pd(b, b));
  }
  alignas(32) double bb[4];
  _mm256_store_pd(bb, _mm256_or_pd(bad0, bad1));
  std::uint64_t badBits = 0;
  for (double b : bb) badBits |= std::bit_cast<std::uint64_t>(b);
  for (; i < n; ++i) badBits |= nonFiniteBits(x[i]);
  return badBits == 0;
}

__attribute__((target("avx2"))) double maxAbsOrInfAvx2(const double* x, Eigen::Index n) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  __m256d m = _mm256_setzero_pd(), bad = _mm256_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d a = _mm256_loadu_pd(x + i);
    m = _mm256_max_pd(m, _mm256_andnot_pd(sign, a));
    bad = _mm256_or_pd(bad, _mm256_sub_pd(a, a));
  }
  alignas(32) double mm[4], bb[4];
  _mm256_store_pd(mm, m);
  _mm256_store_pd(bb, bad);
  double r = std::max(std::max(mm[0], mm[1]), std::max(mm[2], mm[3]));
  std::uint64_t badBits = 0;
  for (double b : bb) badBits |= std::bit_cast<std::uint64_t>(b);
  for (; i < n; ++i) {
    r = std::max(r, std::abs(x[i]));
    badBits |= nonFiniteBits(x[i]);
  }
  return badBits ? std::numeric_limits<double>::infinity() : r;
}

__attribute__((target("avx2"))) double sumThreeHalvesScaledAvx2(const double* x, Eigen::Index n,
                                                                double scale) {
  const __m256d sign = _mm256_set1_pd(-0.0), sc = _mm256_set1_pd(scale);
  __m256d acc = _mm256_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d a = _mm256_andnot_pd(sign, _mm256_mul_pd(_mm256_loadu_pd(x + i), sc));
    acc = _mm256_add_pd(acc, _mm256_mul_pd(a, _mm256_sqrt_pd(a)));
  }
  alignas(32) double l[4];
  _mm256_store_pd(l, acc);
  double s = (l[0] + l[1]) + (l[2] + l[3]);
  for (; i < n; ++i) s += sqrtOpScalar(SqrtOp::ThreeHalves, x[i] * scale);
  return s;
}

// maxAbsOrInfAvx2 and sumThreeHalvesScaledAvx2 in one loop (each value as there).
__attribute__((target("avx2"))) double maxAbsAndSumAvx2(const double* x, Eigen::Index n, double scale,
                                                        double& sum) {
  const __m256d sign = _mm256_set1_pd(-0.0), sc = _mm256_set1_pd(scale);
  __m256d m = _mm256_setzero_pd(), bad = _mm256_setzero_pd(), acc = _mm256_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d x4 = _mm256_loadu_pd(x + i);
    m = _mm256_max_pd(m, _mm256_andnot_pd(sign, x4));
    bad = _mm256_or_pd(bad, _mm256_sub_pd(x4, x4));
    const __m256d a = _mm256_andnot_pd(sign, _mm256_mul_pd(x4, sc));
    acc = _mm256_add_pd(acc, _mm256_mul_pd(a, _mm256_sqrt_pd(a)));
  }
  alignas(32) double mm[4], bb[4], l[4];
  _mm256_store_pd(mm, m);
  _mm256_store_pd(bb, bad);
  _mm256_store_pd(l, acc);
  double r = std::max(std::max(mm[0], mm[1]), std::max(mm[2], mm[3]));
  double s = (l[0] + l[1]) + (l[2] + l[3]);
  std::uint64_t badBits = 0;
  for (double b : bb) badBits |= std::bit_cast<std::uint64_t>(b);
  return maxAbsAndSumTail(x, i, n, scale, r, badBits, s, sum);
}

__attribute__((target("avx2"))) bool dualStepAvx2(const double* __restrict u, const double* __restrict g,
                                                  double c, Eigen::Index n, double* __restrict uNext,
                                                  double* __restrict theta) {
  const __m256d sign = _mm256_set1_pd(-0.0), cc = _mm256_set1_pd(c);
  __m256d bad = _mm256_setzero_pd();
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_sub_pd(_mm256_loadu_pd(u + i), _mm256_mul_pd(cc, _mm256_loadu_pd(g + i)));
    _mm256_storeu_pd(uNext + i, v);
    _mm256_storeu_pd(theta + i,
                     _mm256_or_pd(_mm256_sqrt_pd(_mm256_andnot_pd(sign, v)), _mm256_and_pd(sign, v)));
    bad = _mm256_or_pd(bad, _mm256_sub_pd(v, v));
  }
  alignas(32) double bb[4];
  _mm256_store_pd(bb, bad);
  std::uint64_t badBits = 0;
  for (double b : bb) badBits |= std::bit_cast<std::uint64_t>(b);
  return (badBits | dualStepTail(u, g, c, i, n, uNext, theta)) == 0;
}
#if ATTNMD_AVX512_KERNELS
// AVX-512: eight entries per square root instruction (twice the rate of AVX2 where the CPU has a full
// 512-bit square root unit, e.g. AMD Zen 4). Written with GCC's vector types; the square root is the
// builtin with a defined pass-through (the intrinsic's undefined one trips -Wuninitialized in GCC 12).
// AVX-512 brings FMA, so these functions forbid contracting a * b + c (the other copies have no FMA):
// the same roundings as everywhere else. Sums stay in sumThreeHalves' four lanes and order (each
// block of eight is added as its two halves, low then high).
using Vec8 = double __attribute__((vector_size(64)));
using U8 = std::uint64_t __attribute__((vector_size(64)));
#define ATTNMD_AVX512 __attribute__((target("avx512f"), optimize("fp-contract=off")))

ATTNMD_AVX512 inline Vec8 load8(const double* p) {
  Vec8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
ATTNMD_AVX512 inline Vec8 sqrt8(Vec8 x) {
  return __builtin_ia32_sqrtpd512_mask(x, x, static_cast<__mmask8>(0xff), _MM_FROUND_CUR_DIRECTION);
}
ATTNMD_AVX512 inline kernels::Vec4 sqrt4(kernels::Vec4 x) {
  return __builtin_ia32_sqrtpd256(x);
}
// The or of the lanes, by halves (vector ors, then two lanes).
ATTNMD_AVX512 inline std::uint64_t orLanes(U8 x) {
  const kernels::U4 h = __builtin_shufflevector(x, x, 0, 1, 2, 3) | __builtin_shufflevector(x, x, 4, 5, 6, 7);
  using U2 = std::uint64_t __attribute__((vector_size(16)));
  const U2 q = __builtin_shufflevector(h, h, 0, 1) | __builtin_shufflevector(h, h, 2, 3);
  return q[0] | q[1];
}
constexpr std::uint64_t kSignBit = 0x8000000000000000ULL;

ATTNMD_AVX512 bool allFiniteAvx512(const double* x, Eigen::Index n) {
  U8 bad = {};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    const Vec8 a = load8(x + i);
    bad |= (U8)(a - a);
  }
  std::uint64_t badBits = orLanes(bad);
  for (; i < n; ++i) badBits |= nonFiniteBits(x[i]);
  return badBits == 0;
}

ATTNMD_AVX512 double maxAbsOrInfAvx512(const double* x, Eigen::Index n) {
  Vec8 m = {};
  U8 bad = {};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    const Vec8 a = load8(x + i);
    const Vec8 absA = (Vec8)((U8)(a) & ~kSignBit);
    m = m > absA ? m : absA;
    bad |= (U8)(a - a);
  }
  // A maximum of finite values (any order); halves, then the last block of four, then pairs.
  kernels::Vec4 m4 = __builtin_shufflevector(m, m, 0, 1, 2, 3);
  const kernels::Vec4 hi = __builtin_shufflevector(m, m, 4, 5, 6, 7);
  m4 = m4 > hi ? m4 : hi;
  if (i + 4 <= n) {
    const kernels::Vec4 a = kernels::load4(x + i);
    const kernels::Vec4 absA = (kernels::Vec4)((kernels::U4)(a) & ~kSignBit);
    m4 = m4 > absA ? m4 : absA;
    const kernels::U4 b4 = (kernels::U4)(a - a);
    bad |= U8{b4[0], b4[1], b4[2], b4[3], 0, 0, 0, 0};
    i += 4;
  }
  double r = std::max(std::max(m4[0], m4[1]), std::max(m4[2], m4[3]));
  std::uint64_t badBits = orLanes(bad);
  for (; i < n; ++i) {
    r = std::max(r, std::abs(x[i]));
    badBits |= nonFiniteBits(x[i]);
  }
  return badBits ? std::numeric_limits<double>::infinity() : r;
}

ATTNMD_AVX512 double sumThreeHalvesScaledAvx512(const double* x, Eigen::Index n, double scale) {
  kernels::Vec4 acc = {0, 0, 0, 0};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    const Vec8 a = (Vec8)((U8)(load8(x + i) * scale) & ~kSignBit);
    const Vec8 t = a * sqrt8(a);
    acc += kernels::Vec4{t[0], t[1], t[2], t[3]};
    acc += kernels::Vec4{t[4], t[5], t[6], t[7]};
  }
  if (i + 4 <= n) {  // one more block of four
    const kernels::Vec4 a = (kernels::Vec4)((kernels::U4)(kernels::load4(x + i) * scale) & ~kSignBit);
    acc += a * sqrt4(a);
    i += 4;
  }
  double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; i < n; ++i) s += sqrtOpScalar(SqrtOp::ThreeHalves, x[i] * scale);
  return s;
}

// maxAbsOrInfAvx512 and sumThreeHalvesScaledAvx512 in one loop (each value as there).
ATTNMD_AVX512 double maxAbsAndSumAvx512(const double* x, Eigen::Index n, double scale, double& sum) {
  Vec8 m = {};
  U8 bad = {};
  kernels::Vec4 acc = {0, 0, 0, 0};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    const Vec8 x8 = load8(x + i);
    const Vec8 absX = (Vec8)((U8)(x8) & ~kSignBit);
    m = m > absX ? m : absX;
    bad |= (U8)(x8 - x8);
    const Vec8 a = (Vec8)((U8)(x8 * scale) & ~kSignBit);
    const Vec8 t = a * sqrt8(a);
    acc += kernels::Vec4{t[0], t[1], t[2], t[3]};
    acc += kernels::Vec4{t[4], t[5], t[6], t[7]};
  }
  kernels::Vec4 m4 = __builtin_shufflevector(m, m, 0, 1, 2, 3);
  const kernels::Vec4 hi = __builtin_shufflevector(m, m, 4, 5, 6, 7);
  m4 = m4 > hi ? m4 : hi;
  if (i + 4 <= n) {  // one more block of four
    const kernels::Vec4 x4 = kernels::load4(x + i);
    const kernels::Vec4 absX = (kernels::Vec4)((kernels::U4)(x4) & ~kSignBit);
    m4 = m4 > absX ? m4 : absX;
    const kernels::U4 b4 = (kernels::U4)(x4 - x4);
    bad |= U8{b4[0], b4[1], b4[2], b4[3], 0, 0, 0, 0};
    const kernels::Vec4 a = (kernels::Vec4)((kernels::U4)(x4 * scale) & ~kSignBit);
    acc += a * sqrt4(a);
    i += 4;
  }
  double r = std::max(std::max(m4[0], m4[1]), std::max(m4[2], m4[3]));
  double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  std::uint64_t badBits = orLanes(bad);
  return maxAbsAndSumTail(x, i, n, scale, r, badBits, s, sum);
}

ATTNMD_AVX512 bool dualStepAvx512(const double* __restrict u, const double* __restrict g, double c,
                                  Eigen::Index n, double* __restrict uNext, double* __restrict theta) {
  U8 bad = {};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    const Vec8 v = load8(u + i) - c * load8(g + i);
    std::memcpy(uNext + i, &v, sizeof v);
    const U8 vb = (U8)(v);
    const U8 r = (U8)(sqrt8((Vec8)(vb & ~kSignBit))) | (vb & kSignBit);
    std::memcpy(theta + i, &r, sizeof r);
    bad |= (U8)(v - v);
  }
  std::uint64_t badBits = orLanes(bad);
  if (i + 4 <= n) {  // one more block of four
    const kernels::Vec4 v = kernels::load4(u + i) - c * kernels::load4(g + i);
    kernels::store4(uNext + i, v);
    const kernels::U4 vb = (kernels::U4)(v);
    kernels::store4(theta + i,
                    (kernels::Vec4)((kernels::U4)(sqrt4((kernels::Vec4)(vb & ~kSignBit))) | (vb & kSignBit)));
    const kernels::U4 b4 = (kernels::U4)(v - v);
    badBits |= (b4[0] | b4[1]) | (b4[2] | b4[3]);
    i += 4;
  }
  return (badBits | dualStepTail(u, g, c, i, n, uNext, theta)) == 0;
}
#undef ATTNMD_AVX512
#endif  // ATTNMD_AVX512_KERNELS
#else
// Other targets: plain loops in the same orders.
double maxAbsOrInfPortable(const double* x, Eigen::Index n) {
  double m = 0;
  std::uint64_t badBits = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    m = std::max(m, std::abs(x[i]));
    badBits |= nonFiniteBits(x[i]);
  }
  return badBits ? std::numeric_limits<double>::infinity() : m;
}

double sumThreeHalvesScaledPortable(const double* x, Eigen::Index n, double scale) {
  double acc[4] = {0, 0, 0, 0};
  Eigen::Index i = 0;
  for (; i + 4 <= n; i += 4)
    for (int l = 0; l < 4; ++l) acc[l] += sqrtOpScalar(SqrtOp::ThreeHalves, x[i + l] * scale);
  double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; i < n; ++i) s += sqrtOpScalar(SqrtOp::ThreeHalves, x[i] * scale);
  return s;
}

bool dualStepPortable(const double* __restrict u, const double* __restrict g, double c, Eigen::Index n,
                      double* __restrict uNext, double* __restrict theta) {
  return dualStepTail(u, g, c, 0, n, uNext, theta) == 0;
}
#endif

// The kernels of each instruction set (level: setOptimizerKernelLevel's).
HalfKernels kernelsOfLevel(int level) {
#if ATTNMD_SQRT_SIMD
  switch (level) {
#if ATTNMD_AVX512_KERNELS
    case 2:
      return {maxAbsOrInfAvx512, sumThreeHalvesScaledAvx512, dualStepAvx512, allFiniteAvx512,
              maxAbsAndSumAvx512};
#endif
    case 1:
      return {maxAbsOrInfAvx2, sumThreeHalvesScaledAvx2, dualStepAvx2, allFiniteAvx2, maxAbsAndSumAvx2};
    default:
      return {maxAbsOrInfSse2, sumThreeHalvesScaledSse2, dualStepSse2, allFiniteBaseline,
              maxAbsAndSumOf<maxAbsOrInfSse2, sumThreeHalvesScaledSse2>};
  }
#else
  (void)level;
  return {maxAbsOrInfPortable, sumThreeHalvesScaledPortable, dualStepPortable, allFiniteBaseline,
          maxAbsAndSumOf<maxAbsOrInfPortable, sumThreeHalvesScaledPortable>};
#endif
}

int bestKernelLevel() {
#if ATTNMD_SQRT_SIMD
  static const int best = ATTNMD_AVX512_KERNELS && __builtin_cpu_supports("avx512f") ? 2
                          : __builtin_cpu_supports("avx2")                           ? 1
                                                                                     : 0;
  return best;
#else
  return 0;
#endif
}

// The kernels in use: the best the CPU has, chosen once (setOptimizerKernelLevel may pin another).
HalfKernels& kernelSlot() {
  static HalfKernels k = kernelsOfLevel(bestKernelLevel());
  return k;
}
const HalfKernels& halfKernels() {
  return kernelSlot();
}

// 2^k exactly (ldexp(1, k)), without a call where 2^k is a normal double.
inline double pow2(int k) {
  if (k >= -1022 && k <= 1023) return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
  return std::ldexp(1.0, k);
}

// out = |x|^e entrywise (out may alias x). Plain loops, so that the AVX2 copy of this function does
// four entries per instruction (square roots are most of an nmd step at p = 3).
ATTNMD_HOT_CLONES void powAbs(const double* x, Eigen::Index n, const Exponent& ex, double* out) {
  Eigen::Map<const Eigen::ArrayXd> X(x, n);
  Eigen::Map<Eigen::ArrayXd> O(out, n);
  switch (ex.kind) {
    case PowKind::One:
      for (Eigen::Index i = 0; i < n; ++i) out[i] = std::abs(x[i]);
      return;
    case PowKind::Two:
      for (Eigen::Index i = 0; i < n; ++i) out[i] = x[i] * x[i];
      return;
    case PowKind::Half:
      O = X.abs().sqrt();
      return;
    case PowKind::ThreeHalves:
      sqrtOp(SqrtOp::ThreeHalves, x, n, out);
      return;
    case PowKind::Three:
      for (Eigen::Index i = 0; i < n; ++i) {
        const double a = std::abs(x[i]);
        out[i] = a * a * a;
      }
      return;
    case PowKind::Integer: {
      // Square-and-multiply on blocks of 16 entries, so the inner loops vectorize.
      constexpr Eigen::Index B = 16;
      for (Eigen::Index i0 = 0; i0 < n; i0 += B) {
        const Eigen::Index m = std::min(B, n - i0);
        if (m < B) {
          for (Eigen::Index j = 0; j < m; ++j) out[i0 + j] = powIntAbs(x[i0 + j], ex.k);
          break;
        }
        double base[B], res[B];
        for (Eigen::Index j = 0; j < B; ++j) {
          base[j] = std::abs(x[i0 + j]);
          res[j] = 1.0;
        }
        for (unsigned k = ex.k;;) {
          if (k & 1u)
            for (Eigen::Index j = 0; j < B; ++j) res[j] *= base[j];
          k >>= 1u;
          if (!k) break;
          for (Eigen::Index j = 0; j < B; ++j) base[j] *= base[j];
        }
        for (Eigen::Index j = 0; j < B; ++j) out[i0 + j] = res[j];
      }
      return;
    }
    case PowKind::General:
      break;
  }
  // Eigen's vectorized log/exp clamp denormal inputs and out-of-range results to finite values;
  // redo those few entries with std::pow so overflow is inf and underflow is 0, as it must be.
  O = (ex.e * X.abs().log()).exp();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double a = std::abs(x[i]);
    if (a == 0.0)
      out[i] = 0.0;
    else if (a < DBL_MIN || !(out[i] < 1e300) || out[i] < 1e-300)
      out[i] = std::pow(a, ex.e);
  }
}

// out = sign(x) |x|^e (out must not alias x); e == 1 copies exactly (p = 2: the mirror map is the
// identity, which keeps md(p = 2) bit for bit equal to gd). The sign is copied bit for bit (a zero
// keeps its sign), in a loop without a branch so that it vectorizes.
ATTNMD_HOT_CLONES void signedPow(const double* __restrict x, Eigen::Index n, const Exponent& ex,
                                 double* __restrict out) {
  if (ex.kind == PowKind::One) {
    std::copy(x, x + n, out);
    return;
  }
  if (ex.kind == PowKind::Half) {  // p = 3: the inverse mirror map, one square root per entry
    sqrtOp(SqrtOp::SignedHalf, x, n, out);
    return;
  }
  powAbs(x, n, ex, out);
  for (Eigen::Index i = 0; i < n; ++i) out[i] = std::copysign(out[i], x[i]);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] norms, potential, mirror map, Bregman divergence (docs/theory.md §4, §7)
// ---------------------------------------------------------------------------------------------------

// ||g||_F without overflow or underflow of the squares: the plain sum when safe, else rescaled by
// max|g|. ngd and nmd(p = 2) share this function, so they normalize bit for bit alike.
double frobeniusNorm(const Eigen::Ref<const Eigen::MatrixXd>& g) {
  const double s = g.squaredNorm();
  if (s > 1e-290 && s < 1e290) return std::sqrt(s);
  if (!g.allFinite()) return kNaN;
  const double m = g.cwiseAbs().maxCoeff();
  if (m == 0.0) return 0.0;
  return m * (g / m).norm();
}

// ||g||_q = 2^e (sum_i |g_i 2^-e|^q)^(1/q), `work` as scratch (same size as g), with 2^e <= max|g| < 2^(e+1).
// Scaling by a power of two is exact and keeps the sum between 1 and n 2^q, which matters for more than
// range (q = 101 at p = 1.01 underflows for any |g| below ~0.001): the power q and the root 1/q are
// rounded separately (and at p = 1 + 1/k the power is the integer k + 1, the root 1/q with q a hair
// below it), so the unscaled form returned about |g|^(1 + d) with d ~ 1e-16 to 1e-15, a bias of
// d ln|g| in every nmd step that grew as the gradient shrank (-1e-15 mean, 4.5e-14 worst at p = 1.1;
// +2.7e-15 mean at p = 1.75). With the sum near 1 the same d costs less than 1e-16.
// maxAbs: max|g_i| when the caller has it already (HalfKernels::maxAbsOrInf of g), else NaN. At p = 3 the
// caller may also pass the sum this function would take if e = ilogb(max|g|) were guessE (sumAtGuess =
// sumThreeHalvesScaled(g, 2^-guessE)), and learn the e it used (*usedE).
struct NormGuess {
  int guessE = std::numeric_limits<int>::min();  // none
  double sumAtGuess = 0;
  int* usedE = nullptr;
};
double qNorm(const Eigen::Ref<const Eigen::MatrixXd>& g, double q, const Exponent& eq, Eigen::MatrixXd& work,
             double maxAbs = kNaN, const NormGuess& guess = {}) {
  if (q == 2.0) return frobeniusNorm(g);
  // Contiguous g (every caller's): max|g| and, at p = 3, the scaled sum in one pass each (HalfKernels:
  // the same values as the Eigen forms; a non-finite entry gives NaN here as there).
  const bool flat = g.cols() <= 1 || g.outerStride() == g.rows();
  const double m = g.size() == 0                 ? 0.0
                   : flat && !std::isnan(maxAbs) ? maxAbs
                   : flat                        ? halfKernels().maxAbsOrInf(g.data(), g.size())
                                                 : g.cwiseAbs().maxCoeff();
  if (std::isnan(m) || std::isinf(m)) return kNaN;
  if (m == 0.0) return 0.0;
  const int e = std::ilogb(m);
  if (e < -1022) {  // subnormal max|g|: 2^-e is not a double; divide instead (rounded, but rare)
    work.resize(g.rows(), g.cols());
    work = g / m;
    powAbs(work.data(), work.size(), eq, work.data());
    return m * std::pow(work.sum(), 1.0 / q);
  }
  if (guess.usedE) *guess.usedE = e;
  double s;
  if (eq.kind == PowKind::ThreeHalves && flat && e == guess.guessE) {  // p = 3, the caller's sum
    s = guess.sumAtGuess;
  } else if (eq.kind == PowKind::ThreeHalves && flat) {  // p = 3
    s = halfKernels().sumThreeHalvesScaled(g.data(), g.size(), pow2(-e));
  } else {
    work.resize(g.rows(), g.cols());
    work = g * pow2(-e);
    if (eq.kind == PowKind::ThreeHalves) {
      s = sumThreeHalves(work.data(), work.size(), work.data());
    } else {
      powAbs(work.data(), work.size(), eq, work.data());
      s = work.sum();
    }
  }
  // The root undoes the power actually taken: 1/k for the integer k, else 1/q.
  const double root = eq.kind == PowKind::Integer ? 1.0 / eq.k : 1.0 / q;
  // ldexp(r, e) as a product: r >= 1 (the largest term of s is at least 1) and e >= -1022, so the
  // product is normal (exact) or overflows to inf, as ldexp does.
  return std::pow(s, root) * pow2(e);
}

// The exponent of theta -> u = sign(theta)|theta|^(p-1). Where the inverse map raises to an integer k
// (p = 1 + 1/k up to rounding, see classify), this raises to 1/k, so the two maps stay inverses.
Exponent toDualExponent(double p) {
  const Exponent back = classify(1.0 / (p - 1.0));
  return back.kind == PowKind::Integer ? classify(1.0 / back.k) : classify(p - 1.0);
}

}  // namespace

double lpNorm(const Eigen::Ref<const Eigen::MatrixXd>& x, double p) {
  Eigen::MatrixXd work;
  return qNorm(x, p, classify(p), work);
}

double lpPotential(const Eigen::Ref<const Eigen::MatrixXd>& x, double p) {
  Eigen::MatrixXd work(x.rows(), x.cols());
  powAbs(x.data(), x.size(), classify(p), work.data());
  return work.sum() / p;
}

Eigen::MatrixXd mirrorMap(const Eigen::Ref<const Eigen::MatrixXd>& x, double p) {
  Eigen::MatrixXd out(x.rows(), x.cols());
  signedPow(x.data(), x.size(), toDualExponent(p), out.data());
  return out;
}

Eigen::MatrixXd inverseMirrorMap(const Eigen::Ref<const Eigen::MatrixXd>& u, double p) {
  Eigen::MatrixXd out(u.rows(), u.cols());
  signedPow(u.data(), u.size(), classify(1.0 / (p - 1.0)), out.data());
  return out;
}

double bregmanDivergence(const Eigen::Ref<const Eigen::MatrixXd>& a,
                         const Eigen::Ref<const Eigen::MatrixXd>& b, double p) {
  return lpPotential(a, p) - lpPotential(b, p) - (mirrorMap(b, p).array() * (a - b).array()).sum();
}

double directionalBregman(const Eigen::Ref<const Eigen::MatrixXd>& a,
                          const Eigen::Ref<const Eigen::MatrixXd>& b, double p) {
  if (a.size() == 0 || a.rows() != b.rows() || a.cols() != b.cols()) return kNaN;
  const double na = lpNorm(a, p), nb = lpNorm(b, p);
  if (!(na > 0) || !(nb > 0) || !std::isfinite(na) || !std::isfinite(nb)) return kNaN;
  const Eigen::MatrixXd A = a / na, B = b / nb;
  return bregmanDivergence(A, B, p);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] the step (docs/theory.md §4)
// ---------------------------------------------------------------------------------------------------

namespace {

struct Slot {
  double* theta = nullptr;
  const double* g = nullptr;
  Eigen::Index rows = 0, cols = 0;
  double logScale = 0;  // true gradient = exp(logScale) * g
  const char* name = "";
  Eigen::MatrixXd* owner = nullptr;  // the matrix theta is the storage of, if it is one (W, K, Q; NTP's)
};

// The trained tensors in trainedTensors() order, without allocating. Returns the count, or -1 when
// the gradient's shapes do not match the parameters'.
template <class P, class G>
bool addSlot(std::array<Slot, 5>& s, int& n, P& theta, const G& g, double logScale, const char* name) {
  if (g.rows() != theta.rows() || g.cols() != theta.cols()) return false;
  Eigen::MatrixXd* owner = nullptr;
  if constexpr (std::is_same_v<P, Eigen::MatrixXd>) owner = &theta;
  s[static_cast<std::size_t>(n++)] =
      Slot{theta.data(), g.data(), theta.rows(), theta.cols(), logScale, name, owner};
  return true;
}

// Commits a slot's step: its parameters and ts.next (the new values) trade places, so the previous
// parameters stay in ts.next until the next step (optimizerUndoStep puts them back the same way). A
// matrix trades its storage (no copy); a vector its entries. Doing it twice restores both exactly.
void exchangeNext(const Slot& s, TensorState& ts) {
  if (s.owner)
    s.owner->swap(ts.next);
  else
    std::swap_ranges(s.theta, s.theta + s.rows * s.cols, ts.next.data());
}

int collectSlots(const Scene& scene, Params& params, const Params& grad, const GradientScale& sc,
                 std::array<Slot, 5>& s) {
  int n = 0;
  bool ok = true;
  switch (scene.model.kind) {
    case ModelKind::Query:
      ok = addSlot(s, n, params.W, grad.W, sc.attention, "W");
      break;
    case ModelKind::Prompt:
      ok = addSlot(s, n, params.p, grad.p, sc.attention, "p");
      break;
    case ModelKind::KQ:
      ok = addSlot(s, n, params.K, grad.K, sc.attention, "K") &&
           addSlot(s, n, params.Q, grad.Q, sc.attention, "Q");
      break;
  }
  if (ok && scene.model.trainV) ok = addSlot(s, n, params.v, grad.v, sc.v, "v");
  return ok ? n : -1;
}

bool usesDual(OptimizerKind k) {
  return k == OptimizerKind::MD || k == OptimizerKind::NMD;
}

void ensureState(const OptimizerSpec& spec, const std::array<Slot, 5>& slots, int n, OptimizerState& st) {
  bool fresh = !st.initialized || st.kind != spec.name || static_cast<int>(st.tensors.size()) != n ||
               (usesDual(spec.name) && st.p != spec.p);
  for (int i = 0; !fresh && i < n; ++i) {
    const Slot& s = slots[static_cast<std::size_t>(i)];
    const Eigen::MatrixXd& next = st.tensors[static_cast<std::size_t>(i)].next;
    fresh = next.rows() != s.rows || next.cols() != s.cols;
  }
  if (!fresh) return;
  st = OptimizerState{};
  st.initialized = true;
  st.kind = spec.name;
  st.p = spec.p;
  st.tensors.resize(static_cast<std::size_t>(n));
  const Exponent toDual = toDualExponent(spec.p);
  for (int i = 0; i < n; ++i) {
    const Slot& s = slots[static_cast<std::size_t>(i)];
    TensorState& ts = st.tensors[static_cast<std::size_t>(i)];
    const Eigen::Map<const Eigen::MatrixXd> theta(s.theta, s.rows, s.cols);
    switch (spec.name) {
      case OptimizerKind::MD:
      case OptimizerKind::NMD:  // u = grad psi(theta); an exact copy at p = 2
        ts.dual.resize(s.rows, s.cols);
        signedPow(theta.data(), theta.size(), toDual, ts.dual.data());
        break;
      case OptimizerKind::Adam:
        ts.m1.setZero(s.rows, s.cols);
        ts.m2.setZero(s.rows, s.cols);
        break;
      case OptimizerKind::Momentum:
        ts.velocity.setZero(s.rows, s.cols);
        break;
      default:
        break;
    }
    ts.next.resize(s.rows, s.cols);
    ts.nextState.resize(s.rows, s.cols);
    ts.nextState2.resize(s.rows, s.cols);
    ts.work.resize(s.rows, s.cols);
  }
}

// 1204 -> "1,204" (built digit by digit: GCC 12 warns falsely on std::string::insert at -O3).
std::string withCommas(long long v) {
  const std::string digits = std::to_string(v < 0 ? -v : v);
  std::string s = v < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string advice(const OptimizerSpec& spec) {
  switch (spec.name) {
    case OptimizerKind::GD:
    case OptimizerKind::Momentum:
    case OptimizerKind::Adam:
      return "try a smaller step (lr) or a normalized optimizer (ngd, nmd)";
    case OptimizerKind::MD:
      return spec.p < 2
                 ? "p near 1 raises the dual to the power 1/(p-1): try a smaller step, a larger p or nmd"
                 : "try a smaller step (lr) or nmd";
    case OptimizerKind::NGD:
      return "try a smaller step (lr) or fewer iterations";
    case OptimizerKind::NMD:
      return spec.p < 2 ? "the parameter outgrew the double range (p near 1 raises the dual to the power "
                          "1/(p-1)); stop earlier, use a smaller step or a larger p"
                        : "try a smaller step (lr) or fewer iterations";
    case OptimizerKind::Polyak:
      return "the Polyak step c*L/||g||^2 blew up (the gradient vanished while the loss did not reach "
             "L* = 0); try ngd or nmd, or a smaller c";
  }
  return "try a smaller step";
}

StepResult failure(const std::string& what) {
  StepResult r;
  r.ok = false;
  r.reason = what;
  return r;
}

// Exchanges the optimizer's state tensors with the ones the step just computed (nextState, nextState2).
// Used to commit a step, and again to undo it: the previous state still sits in nextState(2).
void swapStateIn(TensorState& ts, OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::MD:
    case OptimizerKind::NMD:
      ts.dual.swap(ts.nextState);
      break;
    case OptimizerKind::Adam:
      ts.m1.swap(ts.nextState);
      ts.m2.swap(ts.nextState2);
      break;
    case OptimizerKind::Momentum:
      ts.velocity.swap(ts.nextState);
      break;
    default:
      break;
  }
}

StepResult stepSlots(const OptimizerSpec& spec, double loss, const std::array<Slot, 5>& slots, int n,
                     OptimizerState& state, double logLoss);

}  // namespace

StepResult optimizerStep(const Scene& scene, const OptimizerSpec& spec, double loss, const Params& grad,
                         Params& params, OptimizerState& state) {
  return optimizerStep(scene, spec, loss, grad, params, state, GradientScale{});
}

StepResult optimizerStep(const Scene& scene, const OptimizerSpec& spec, double loss, const Params& grad,
                         Params& params, OptimizerState& state, const GradientScale& scale, double logLoss) {
  std::array<Slot, 5> slots;
  const int n = collectSlots(scene, params, grad, scale, slots);
  if (n < 0) return failure("the gradient does not have the shape of the trained parameters");
  return stepSlots(spec, loss, slots, n, state, logLoss);
}

StepResult optimizerStepTensors(const OptimizerSpec& spec, double loss,
                                const std::vector<TensorSlot>& tensors, OptimizerState& state,
                                double logLoss) {
  std::array<Slot, 5> slots;
  if (tensors.empty() || tensors.size() > slots.size())
    return failure("an optimizer step trains 1 to 5 tensors at once");
  int n = 0;
  for (const TensorSlot& t : tensors) {
    if (!t.theta || !t.grad || !addSlot(slots, n, *t.theta, *t.grad, t.logScale, t.name))
      return failure("the gradient does not have the shape of the trained parameters");
  }
  return stepSlots(spec, loss, slots, n, state, logLoss);
}

namespace {

StepResult stepSlots(const OptimizerSpec& spec, double loss, const std::array<Slot, 5>& slots, int n,
                     OptimizerState& state, double logLoss) {
  const long long stepNo = state.step + 1;
  if (!(spec.lr > 0) || !std::isfinite(spec.lr))
    return failure("the step size lr must be a positive finite number");
  if (usesDual(spec.name) && !(spec.p > 1.0 && spec.p <= 1000.0))
    return failure("md/nmd need p > 1 (the l_p geometry); got p = " + std::to_string(spec.p));
  // nmd with q != 2 needs max|g| for ||g||_q: that pass checks finiteness too (inf when an entry is not
  // finite), so it replaces the plain check.
  // At p = 3 that pass also takes ||g||_{3/2}'s sum at the last step's exponent of max|g|
  // (TensorState::normExponent): qNorm uses it when the exponent is unchanged (nearly every step).
  const bool wantMax = spec.name == OptimizerKind::NMD && spec.p / (spec.p - 1.0) != 2.0;
  const bool threeHalves = wantMax && spec.p / (spec.p - 1.0) == 1.5;
  std::array<double, 5> gMax{};
  std::array<NormGuess, 5> guess{};
  for (int i = 0; i < n; ++i) {
    const Slot& s = slots[static_cast<std::size_t>(i)];
    const std::size_t k = static_cast<std::size_t>(i);
    bool finite;
    if (threeHalves && k < state.tensors.size() && state.tensors[k].normExponent >= -1022 &&
        state.tensors[k].normExponent <= 1023) {
      guess[k].guessE = state.tensors[k].normExponent;
      gMax[k] = halfKernels().maxAbsAndSum(s.g, s.rows * s.cols, pow2(-guess[k].guessE), guess[k].sumAtGuess);
      finite = !std::isinf(gMax[k]);
    } else if (wantMax) {
      gMax[k] = halfKernels().maxAbsOrInf(s.g, s.rows * s.cols);
      finite = !std::isinf(gMax[k]);
    } else {
      finite = halfKernels().allFinite(s.g, s.rows * s.cols);
    }
    if (!finite || std::isnan(s.logScale))
      return failure("step " + withCommas(stepNo) + ": the gradient of " + s.name +
                     " is not finite (the loss or the logits overflowed); " + advice(spec));
  }
  ensureState(spec, slots, n, state);

  const double eta = spec.lr;
  StepResult result;
  result.stepSize = eta;

  // Polyak (docs/theory.md §4): eta_k = c (L - 0) / ||g||_F^2 over all trained tensors. With scaled
  // gradients, ||g||^2 = sum_s e^{2 scale_s} ||g_s||^2 is accumulated in log form.
  double polyakLogCoef = 0;  // log(c L / ||g||^2)
  bool polyakMove = true;
  if (spec.name == OptimizerKind::Polyak) {
    if (!std::isfinite(loss))
      return failure("step " + withCommas(stepNo) + ": the loss is not finite; " + advice(spec));
    if (loss < 0)
      return failure(
          "the Polyak step needs a loss >= 0 (it assumes L* = 0), but the loss is negative "
          "(correlation loss?); use another optimizer or the logistic/exponential loss");
    double maxLog = -std::numeric_limits<double>::infinity();
    std::array<double, 5> logSq{};
    for (int i = 0; i < n; ++i) {
      const Slot& s = slots[static_cast<std::size_t>(i)];
      const double nrm = frobeniusNorm(Eigen::Map<const Eigen::MatrixXd>(s.g, s.rows, s.cols));
      logSq[static_cast<std::size_t>(i)] =
          nrm > 0 ? 2.0 * (std::log(nrm) + s.logScale) : -std::numeric_limits<double>::infinity();
      maxLog = std::max(maxLog, logSq[static_cast<std::size_t>(i)]);
    }
    if (!std::isfinite(maxLog)) {
      polyakMove = false;  // zero gradient: a stationary point, nothing to do
      result.stepSize = 0;
    } else if (loss == 0 && !std::isfinite(logLoss)) {
      // L underflowed and its log is unknown: the step c L/||g||^2 would be 0 and the run would stand
      // still while reporting progress. Say so instead.
      return failure("step " + withCommas(stepNo) +
                     ": the loss underflowed to 0 in float64, so the Polyak step c*L/||g||^2 cannot be "
                     "sized; the run has gone as far as this optimizer can take it");
    } else {
      double sum = 0;
      for (int i = 0; i < n; ++i) sum += std::exp(logSq[static_cast<std::size_t>(i)] - maxLog);
      const double logNormSq = maxLog + std::log(sum);
      // Once L underflows, log L from the margins keeps the step going (in log form, like the gradient).
      polyakLogCoef = (loss > 0 ? std::log(eta * loss) : std::log(eta) + logLoss) - logNormSq;
      result.stepSize = std::exp(polyakLogCoef);
    }
  }

  const double q = spec.p / (spec.p - 1.0);
  const Exponent eq = classify(q);
  const Exponent fromDual = classify(1.0 / (spec.p - 1.0));
  const double t = static_cast<double>(stepNo);
  // Per slot: 1 when the step's kernel checked that its new state and parameters are finite (p = 3),
  // 2 when it found them not finite, 0 when the commit below checks.
  std::array<unsigned char, 5> checked{};

  for (int i = 0; i < n; ++i) {
    const Slot& s = slots[static_cast<std::size_t>(i)];
    TensorState& ts = state.tensors[static_cast<std::size_t>(i)];
    const Eigen::Map<const Eigen::MatrixXd> theta(s.theta, s.rows, s.cols);
    const Eigen::Map<const Eigen::MatrixXd> g(s.g, s.rows, s.cols);
    // eta times the gradient's scale (1 unless deep saturation): gd and md(p = 2) share it exactly.
    const double etaEff = s.logScale == 0.0 ? eta : eta * std::exp(s.logScale);
    switch (spec.name) {
      case OptimizerKind::GD:  // theta <- theta - eta g
        ts.next = theta - etaEff * g;
        break;
      case OptimizerKind::NGD: {  // theta <- theta - eta g / ||g||_F, per tensor
        const double nrm = frobeniusNorm(g);
        if (nrm > 0)
          ts.next = theta - (eta / nrm) * g;
        else
          ts.next = theta;
        break;
      }
      case OptimizerKind::MD:                  // u <- u - eta g; theta <- (grad psi)^-1(u)
        if (fromDual.kind == PowKind::Half) {  // p = 3
          checked[static_cast<std::size_t>(i)] =
              halfKernels().dualStep(ts.dual.data(), g.data(), etaEff, g.size(), ts.nextState.data(),
                                     ts.next.data())
                  ? 1
                  : 2;
          break;
        }
        ts.nextState = ts.dual - etaEff * g;
        signedPow(ts.nextState.data(), ts.nextState.size(), fromDual, ts.next.data());
        break;
      case OptimizerKind::NMD: {  // u <- u - eta g / ||g||_q; theta <- (grad psi)^-1(u), per tensor
        NormGuess& ng = guess[static_cast<std::size_t>(i)];
        ng.usedE = &ts.normExponent;
        const double nrm = qNorm(g, q, eq, ts.work, gMax[static_cast<std::size_t>(i)], ng);
        if (fromDual.kind == PowKind::Half) {  // p = 3 (c = 0: u' = u exactly)
          checked[static_cast<std::size_t>(i)] =
              halfKernels().dualStep(ts.dual.data(), g.data(), nrm > 0 ? eta / nrm : 0.0, g.size(),
                                     ts.nextState.data(), ts.next.data())
                  ? 1
                  : 2;
          break;
        }
        if (nrm > 0)
          ts.nextState = ts.dual - (eta / nrm) * g;
        else
          ts.nextState = ts.dual;
        signedPow(ts.nextState.data(), ts.nextState.size(), fromDual, ts.next.data());
        break;
      }
      case OptimizerKind::Polyak:
        if (polyakMove)
          ts.next = theta - std::exp(polyakLogCoef + s.logScale) * g;
        else
          ts.next = theta;
        break;
      case OptimizerKind::Adam: {  // standard Adam with bias correction, on the true gradient
        const double c = s.logScale == 0.0 ? 1.0 : std::exp(s.logScale);
        ts.nextState = spec.beta1 * ts.m1 + ((1.0 - spec.beta1) * c) * g;
        ts.nextState2 = spec.beta2 * ts.m2 + ((1.0 - spec.beta2) * c * c) * g.cwiseAbs2();
        const double bc1 = 1.0 - std::pow(spec.beta1, t);
        const double bc2 = 1.0 - std::pow(spec.beta2, t);
        ts.next = theta.array() -
                  eta * (ts.nextState.array() / bc1) / ((ts.nextState2.array() / bc2).sqrt() + spec.eps);
        break;
      }
      case OptimizerKind::Momentum:  // heavy ball: vel <- mu vel - eta g; theta <- theta + vel
        ts.nextState = spec.momentum * ts.velocity - etaEff * g;
        ts.next = theta + ts.nextState;
        break;
    }
  }

  // Commit only a fully finite step (docs/theory.md §4: never let a step produce NaN/inf silently).
  for (int i = 0; i < n; ++i) {
    const Slot& s = slots[static_cast<std::size_t>(i)];
    const TensorState& ts = state.tensors[static_cast<std::size_t>(i)];
    const bool stateUsed = spec.name != OptimizerKind::GD && spec.name != OptimizerKind::NGD &&
                           spec.name != OptimizerKind::Polyak;
    const auto finite = [](const Eigen::MatrixXd& m) { return kernels::allFinite(m.data(), m.size()); };
    const unsigned char pre = checked[static_cast<std::size_t>(i)];
    const bool bad = pre ? pre == 2
                         : !finite(ts.next) || (stateUsed && !finite(ts.nextState)) ||
                               (spec.name == OptimizerKind::Adam && !finite(ts.nextState2));
    if (bad) {
      const bool nan = ts.next.hasNaN() || (stateUsed && ts.nextState.hasNaN());
      return failure("step " + withCommas(stepNo) + " produced " + (nan ? "NaN" : "inf") + " in " + s.name +
                     "; " + advice(spec));
    }
  }
  for (int i = 0; i < n; ++i) {
    const Slot& s = slots[static_cast<std::size_t>(i)];
    TensorState& ts = state.tensors[static_cast<std::size_t>(i)];
    exchangeNext(s, ts);
    swapStateIn(ts, spec.name);
  }
  ++state.step;
  return result;
}

}  // namespace

void optimizerUndoState(OptimizerState& state) {
  if (state.step <= 0) return;
  // The commit above swapped each new state tensor in; the previous one still sits in nextState(2).
  for (TensorState& ts : state.tensors) swapStateIn(ts, state.kind);
  --state.step;
}

int setOptimizerKernelLevel(int level) {
  const int best = bestKernelLevel();
  const int use = level < 0 ? best : std::min(level, best);
  kernelSlot() = kernelsOfLevel(use);
  return use;
}

void optimizerUndoStep(const Scene& scene, Params& params, OptimizerState& state) {
  if (state.step <= 0) return;
  std::array<Slot, 5> slots;
  const int n = collectSlots(scene, params, params, GradientScale{}, slots);  // shapes only: theta's
  if (n == static_cast<int>(state.tensors.size()))
    for (int i = 0; i < n; ++i)
      exchangeNext(slots[static_cast<std::size_t>(i)], state.tensors[static_cast<std::size_t>(i)]);
  optimizerUndoState(state);
}

}  // namespace attnmd::core

#pragma GCC diagnostic pop
