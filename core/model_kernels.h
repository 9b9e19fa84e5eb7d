// Small kernels of the training step (docs/theory.md §2-4) written so that loops over them vectorize:
// exp and log with fdlibm's reductions and polynomials (under 1 ulp, no table, no call), and the
// attribute that compiles a hot function twice, for AVX2 and for baseline x86-64, chosen once at load
// time. The build targets baseline x86-64 (SSE2, two doubles per instruction); the AVX2 copy does
// the same operations four at a time. Neither copy contracts a * b + c into an FMA (ISO C++ mode:
// -ffp-contract=off) nor reorders a sum, so both give the same bits.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

// GCC's function multiversioning (ifunc). Not under AddressSanitizer, whose start-up runs after the
// ifunc resolvers; not on other compilers or architectures (one portable copy there); not with
// -DATTNMD_NO_CLONES (one copy for the build's own target: how each copy's bits are checked).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(ATTNMD_NO_CLONES)
#define ATTNMD_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ATTNMD_HOT_CLONES
#endif
// A helper that must be inlined into such a function (so that it, too, gets the wider instructions).
#define ATTNMD_INLINE [[gnu::always_inline]] inline

namespace attnmd::core::kernels {

// Below this exp(x) would be denormal: the model flushes those terms to 0 (docs/theory.md §3 keeps
// every saturating quantity in log form instead).
constexpr double kExpFlush = -708.0;

// e^x for x <= 0 (fdlibm's __ieee754_exp: x = k ln2 + r, |r| <= ln2/2, a rational approximation of
// e^r; error below 1 ulp). Returns 0 for x < kExpFlush (-inf included) and NaN for NaN. Branch-free
// (the default -ftrapping-math keeps GCC from if-converting a select on doubles, which would stop the
// loop from vectorizing): out-of-range lanes are computed and then masked to 0.
ATTNMD_INLINE double expNonPositive(double x) {
  constexpr double invLn2 = 1.44269504088896338700e+00;
  constexpr double ln2Hi = 6.93147180369123816490e-01;  // ln 2 with 32 trailing zero bits: k ln2Hi is exact
  constexpr double ln2Lo = 1.90821492927058770002e-10;
  constexpr double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                   P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                   P5 = 4.13813679705723846039e-08;
  constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
  double kd = x * invLn2 + shifter;
  const std::uint64_t kbits = std::bit_cast<std::uint64_t>(kd);
  kd -= shifter;  // k = round(x / ln 2), in [-1022, 0] where the result is kept
  const double hi = x - kd * ln2Hi, lo = kd * ln2Lo, r = hi - lo;
  const double t = r * r;
  const double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  // 2^k: the low 12 bits of kbits + 1023 are k + 1023 (the shifter's own bits are a multiple of 4096).
  const double scale = std::bit_cast<double>((kbits + 1023u) << 52);
  const std::uint64_t keep = std::uint64_t{0} - static_cast<std::uint64_t>(!(x < kExpFlush));  // NaN kept
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(y * scale) & keep);
}

// log x for normal x > 0 (fdlibm's __ieee754_log: x = 2^k (1 + f), sqrt(2)/2 <= 1 + f < sqrt(2);
// error below 1 ulp). NaN for NaN and inf; zero and denormals are not handled (callers route them
// elsewhere).
ATTNMD_INLINE double logNormal(double x) {
  constexpr double ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                   Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                   Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const std::uint64_t ix = std::bit_cast<std::uint64_t>(x);
  const std::uint64_t mant = ix & 0x000fffffffffffffULL;
  // i = 2^52 when the mantissa is above sqrt(2): then 1 + f is scaled by 1/2 and k grows by one.
  const std::uint64_t i = (mant + 0x00095f6400000000ULL) & 0x0010000000000000ULL;
  const double xr = std::bit_cast<double>(mant | (i ^ 0x3ff0000000000000ULL));
  // k as a double without an int64 -> double conversion (none in AVX2): the biased exponent e in the
  // mantissa of 2^52, minus 2^52.
  const double e = std::bit_cast<double>(0x4330000000000000ULL | ((ix >> 52) + (i >> 52))) - 0x1p52;
  const double dk = e - 1023.0;
  const double f = xr - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s, w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  // + (x - x): 0 for finite x, NaN for NaN (and inf), so NaN propagates as it does through std::log.
  return (dk * ln2Hi - ((hfsq - (s * (hfsq + R) + dk * ln2Lo)) - f)) + (x - x);
}

// log(1 + x) for x >= 0 finite: log u with u = 1 + x rounded, corrected by (x - (u - 1)) / u (the
// part of x the rounding of u dropped), so it keeps full relative accuracy for tiny x.
ATTNMD_INLINE double log1pNonNegative(double x) {
  const double u = 1.0 + x;
  return logNormal(u) + (x - (u - 1.0)) / u;
}

// Four doubles as one value (GCC's vector extension): one AVX2 register in the AVX2 copy of a
// function, two SSE2 registers otherwise. Arithmetic on it is lane by lane, the same operations as
// the scalar code, so short loops of known length vectorize without relying on the auto-vectorizer
// (which gives up on fully unrolled loops of 10).
using Vec4 = double __attribute__((vector_size(32)));
using U4 = std::uint64_t __attribute__((vector_size(32)));  // its bits
using I4 = std::int64_t __attribute__((vector_size(32)));   // shuffle indices

// Passing a Vec4 by value outside AVX code changes the calling convention (GCC notes it with
// -Wpsabi); these helpers are always inlined, so no call ever passes one.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

ATTNMD_INLINE Vec4 load4(const double* p) {
  Vec4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
ATTNMD_INLINE void store4(double* p, Vec4 v) {
  std::memcpy(p, &v, sizeof v);
}

// y[i] += a x[i] for i < n.
ATTNMD_INLINE void axpy(double* __restrict y, const double* __restrict x, double a, std::ptrdiff_t n) {
  std::ptrdiff_t i = 0;
  for (; i + 4 <= n; i += 4) store4(y + i, load4(y + i) + a * load4(x + i));
  for (; i < n; ++i) y[i] += a * x[i];
}

// sum_i x[i] y[i]: four running sums (lanes i mod 4 of the blocks of four), added pairwise, then the
// remaining entries in order. A fixed order, so the result does not depend on the instruction set.
ATTNMD_INLINE double dot(const double* __restrict x, const double* __restrict y, std::ptrdiff_t n) {
  std::ptrdiff_t i = 0;
  double s = 0;
  if (n >= 4) {
    Vec4 acc = load4(x) * load4(y);
    for (i = 4; i + 4 <= n; i += 4) acc += load4(x + i) * load4(y + i);
    s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  }
  for (; i < n; ++i) s += x[i] * y[i];
  return s;
}

// Whether every x[i] is finite: x - x is +0 (all bits zero) for a finite x and NaN for inf and NaN, so
// the bits of x - x or-ed together are zero exactly when every x[i] is finite (an integer or, with no
// chain of dependent floating-point adds or compares).
// Two-lane vectors: one SSE2 register, so the accumulators stay in registers in baseline code too.
ATTNMD_INLINE bool allFinite(const double* x, std::ptrdiff_t n) {
  using V2 = double __attribute__((vector_size(16)));
  using U2 = std::uint64_t __attribute__((vector_size(16)));
  std::ptrdiff_t i = 0;
  U2 acc0 = {0, 0}, acc1 = {0, 0};
  for (; i + 4 <= n; i += 4) {
    V2 a, b;
    std::memcpy(&a, x + i, sizeof a);
    std::memcpy(&b, x + i + 2, sizeof b);
    acc0 |= (U2)(a - a);
    acc1 |= (U2)(b - b);
  }
  const U2 acc = acc0 | acc1;
  std::uint64_t bits = acc[0] | acc[1];
  for (; i < n; ++i) bits |= std::bit_cast<std::uint64_t>(x[i] - x[i]);
  return bits == 0;
}

// [Four lanes at once] The functions above on a Vec4, lane by lane: the same operations in the same
// order as the scalar forms, so every lane gives the scalar form's bits (tested).

// (U4)(x) and (Vec4)(x) reinterpret a vector's bits (GCC's vector casts), lane by lane as std::bit_cast.

// expNonPositive on four lanes.
ATTNMD_INLINE Vec4 expNonPositive4(Vec4 x) {
  constexpr double invLn2 = 1.44269504088896338700e+00;
  constexpr double ln2Hi = 6.93147180369123816490e-01;
  constexpr double ln2Lo = 1.90821492927058770002e-10;
  constexpr double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                   P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                   P5 = 4.13813679705723846039e-08;
  constexpr double shifter = 0x1.8p52;
  Vec4 kd = x * invLn2 + shifter;
  const U4 kbits = (U4)(kd);
  kd -= shifter;
  const Vec4 hi = x - kd * ln2Hi, lo = kd * ln2Lo, r = hi - lo;
  const Vec4 t = r * r;
  const Vec4 c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const Vec4 y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  const Vec4 scale = (Vec4)((kbits + 1023u) << 52);
  const U4 keep = ~(U4)(x < kExpFlush);  // all ones unless x < -708 (NaN kept)
  return (Vec4)((U4)(y * scale) & keep);
}

// logNormal on four lanes.
ATTNMD_INLINE Vec4 logNormal4(Vec4 x) {
  constexpr double ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                   Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                   Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const U4 ix = (U4)(x);
  const U4 mant = ix & 0x000fffffffffffffULL;
  const U4 i = (mant + 0x00095f6400000000ULL) & 0x0010000000000000ULL;
  const Vec4 xr = (Vec4)(mant | (i ^ 0x3ff0000000000000ULL));
  const Vec4 e = (Vec4)(0x4330000000000000ULL | ((ix >> 52) + (i >> 52))) - 0x1p52;
  const Vec4 dk = e - 1023.0;
  const Vec4 f = xr - 1.0;
  const Vec4 s = f / (2.0 + f);
  const Vec4 z = s * s, w = z * z;
  const Vec4 t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const Vec4 t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const Vec4 R = t2 + t1;
  const Vec4 hfsq = 0.5 * f * f;
  return (dk * ln2Hi - ((hfsq - (s * (hfsq + R) + dk * ln2Lo)) - f)) + (x - x);
}

// log1pNonNegative on four lanes.
ATTNMD_INLINE Vec4 log1pNonNegative4(Vec4 x) {
  const Vec4 u = 1.0 + x;
  return logNormal4(u) + (x - (u - 1.0)) / u;
}

// For four vectors a, b, c, d: ((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3), ...), each lane the sum
// kernels::dot forms from its four running sums (the same additions in the same order).
ATTNMD_INLINE Vec4 pairwiseSums4(Vec4 a, Vec4 b, Vec4 c, Vec4 d) {
  const Vec4 ab = __builtin_shufflevector(a, b, 0, 4, 2, 6) + __builtin_shufflevector(a, b, 1, 5, 3, 7);
  const Vec4 cd = __builtin_shufflevector(c, d, 0, 4, 2, 6) + __builtin_shufflevector(c, d, 1, 5, 3, 7);
  return __builtin_shufflevector(ab, cd, 0, 1, 4, 5) + __builtin_shufflevector(ab, cd, 2, 3, 6, 7);
}

#pragma GCC diagnostic pop

}  // namespace attnmd::core::kernels
