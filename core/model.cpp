// Attention models, losses and exact gradients: docs/theory.md §2-3.
//
// [SECTION] losses
// [SECTION] initial parameters
// [SECTION] chunked loop over sequences (fixed chunks, ordered reductions)
// [SECTION] forward pass
// [SECTION] gradient
// [SECTION] trained tensors
#include "core/model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <thread>

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

// Softmax, output and the centered derivative df/da for one sequence whose logits and values are set.
// With alpha = argmax and r_t = a_t - a_alpha <= 0, everything is expressed through
// e_t = exp(r_t - shift) (t != alpha), where shift = 0 normally and shift = max_{t != alpha} r_t once
// the sequence is saturated beyond e^-600, so that e_t never underflows as a whole.
void softmaxAndDerivative(LossKind loss, int y, SequenceEval& se) {
  const Eigen::Index T = se.logits.size();
  Eigen::Index alphaIdx = 0;
  const double aA = se.logits.maxCoeff(&alphaIdx);
  const int alpha = static_cast<int>(alphaIdx);
  se.selected = alpha;
  const double hA = se.values[alpha];

  double m = kNegInf;  // max_{t != alpha} r_t
  for (Eigen::Index t = 0; t < T; ++t)
    if (t != alpha) m = std::max(m, se.logits[t] - aA);
  const double shift = m < kSafeLog ? m : 0.0;

  // e_t into dOutput (e_alpha = 0 so the sums below skip it exactly).
  double sumE = 0, deltaHat = 0;  // sum_{t != alpha} e_t and sum_{t != alpha} e_t (h_t - h_alpha)
  for (Eigen::Index t = 0; t < T; ++t) {
    if (t == alpha) {
      se.dOutput[t] = 0;
      continue;
    }
    // Below e^-708 the result would be denormal (slow, and < 1e-108 of the leading term, which is at
    // least e^-600 here): flush to 0.
    const double arg = (se.logits[t] - aA) - shift;
    const double e = arg < -708.0 ? 0.0 : std::exp(arg);
    se.dOutput[t] = e;
    sumE += e;
    deltaHat += e * (se.values[t] - hA);
  }

  // log S with S = sum_{t != alpha} e^{r_t}; 1 - s_alpha = S / (1 + S) (docs/theory.md §3, log form).
  const double logS = T > 1 ? shift + std::log(sumE) : kNegInf;
  const double S = shift == 0.0 ? sumE : std::exp(logS);
  const double l1pS = std::log1p(S);
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
  const LossParts lp = lossParts(loss, se.margin);
  se.loss = lp.value;
  se.lossSlope = lp.slope;
  se.logLossSlope = lp.logSlope;
}

// Small dense kernels on raw column-major storage. At the sizes attnmd trains (T ~ 8, d ~ 10) Eigen's
// general GEMV dispatch costs more than the arithmetic; these loops vectorize over T or d as they are.

// y = A x for A (rows x cols, column-major) and x with stride `xs`.
inline void matVec(const double* A, Eigen::Index rows, Eigen::Index cols, const double* x, Eigen::Index xs,
                   double* __restrict y) {
  for (Eigen::Index r = 0; r < rows; ++r) y[r] = 0;
  for (Eigen::Index c = 0; c < cols; ++c) {
    const double xc = x[c * xs];
    const double* __restrict col = A + c * rows;
    for (Eigen::Index r = 0; r < rows; ++r) y[r] += col[r] * xc;
  }
}

// a = X k and h = X v in one pass over X (T x d).
inline void twoMatVec(const double* X, Eigen::Index T, Eigen::Index d, const double* k, const double* v,
                      double* __restrict a, double* __restrict h) {
  for (Eigen::Index t = 0; t < T; ++t) a[t] = h[t] = 0;
  for (Eigen::Index j = 0; j < d; ++j) {
    const double kj = k[j], vj = v[j];
    const double* __restrict col = X + j * T;
    for (Eigen::Index t = 0; t < T; ++t) {
      a[t] += col[t] * kj;
      h[t] += col[t] * vj;
    }
  }
}

// r = X^T c for X (T x d).
inline void matTVec(const double* X, Eigen::Index T, Eigen::Index d, const double* c, double* __restrict r) {
  for (Eigen::Index j = 0; j < d; ++j) {
    const double* __restrict col = X + j * T;
    double acc = 0;
    for (Eigen::Index t = 0; t < T; ++t) acc += col[t] * c[t];
    r[j] = acc;
  }
}

void evaluateSequence(const Scene& scene, const Params& params, const Eigen::VectorXd& promptKey, int i,
                      SequenceEval& se) {
  const Sequence& seq = scene.sequences[static_cast<std::size_t>(i)];
  const Eigen::MatrixXd& X = seq.tokens;
  const Eigen::Index T = X.rows(), d = X.cols();
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
  softmaxAndDerivative(scene.model.loss, seq.y, se);
}

}  // namespace

void evaluate(const Scene& scene, const Params& params, Evaluation& out) {
  const int n = scene.sequenceCount();
  out.seqs.resize(static_cast<std::size_t>(n));
  if (scene.model.kind == ModelKind::Prompt) {
    if (hasKeyMatrix(scene))
      out.promptKey.noalias() = scene.model.keyMatrix.transpose() * params.p;
    else
      out.promptKey = params.p;
  }
  forEachChunk(scene, out.threads, [&](Eigen::Index c) {
    const int end = static_cast<int>(std::min<Eigen::Index>(n, (c + 1) * kChunk));
    for (int i = static_cast<int>(c * kChunk); i < end; ++i)
      evaluateSequence(scene, params, out.promptKey, i, out.seqs[static_cast<std::size_t>(i)]);
  });
  // Ordered reduction: the same sum whatever the threading.
  double sum = 0;
  bool finite = true;
  for (const SequenceEval& se : out.seqs) {
    sum += se.loss;
    finite = finite && std::isfinite(se.output) && !std::isnan(se.logUnselected) &&
             std::isfinite(se.logits[se.selected]);
  }
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

double gradient(const Scene& scene, const Params& params, const Evaluation& eval, Params& grad,
                GradientScale* scale) {
  const int n = scene.sequenceCount();
  const int d = scene.dim;
  const ModelKind kind = scene.model.kind;
  const bool trainV = scene.model.trainV;
  Evaluation::Workspace& w = eval.work;

  // Pass 1 (serial, O(n)): the log scale of each part of the gradient. Sequence i contributes
  // l'(u_i) Y_i / n * e^{kappa_i} * (X_i^T dOutput_i) with magnitude ~ |l'(u_i)|/n * (1 - s_{i alpha}).
  const double logInvN = -std::log(static_cast<double>(std::max(n, 1)));
  double maxAtt = kNegInf, maxV = kNegInf;
  for (const SequenceEval& se : eval.seqs) {
    const double lw = se.logLossSlope + logInvN;
    maxV = std::max(maxV, lw);
    maxAtt = std::max(maxAtt, lw + se.logUnselected);
  }
  const double sAtt = (maxAtt < kSafeLog && maxAtt > kNegInf) ? maxAtt : 0.0;
  const double sV = (maxV < kSafeLog && maxV > kNegInf) ? maxV : 0.0;

  w.coefAtt.resize(n);
  w.coefV.resize(n);
  for (int i = 0; i < n; ++i) {
    const SequenceEval& se = eval.seqs[static_cast<std::size_t>(i)];
    const double y = static_cast<double>(scene.sequences[static_cast<std::size_t>(i)].y);
    // l' < 0 for every loss, so the sign of l'(u_i) Y_i is -Y_i.
    if (sAtt == 0.0 && se.dOutputLogScale == 0.0)
      w.coefAtt[i] = se.lossSlope * y / n;
    else
      w.coefAtt[i] = -y * std::exp(se.logLossSlope + logInvN + se.dOutputLogScale - sAtt);
    w.coefV[i] = sV == 0.0 ? se.lossSlope * y / n : -y * std::exp(se.logLossSlope + logInvN - sV);
  }

  // Pass 2 (chunked): partial sums of the attention gradient (query/kq: sum_i c_i r_i z_i^T with
  // r_i = X_i^T dOutput_i; prompt: sum_i c_i r_i) and of the v gradient (sum_i c_i X_i^T s_i).
  const Eigen::Index chunks = chunkCount(n);
  const Eigen::Index attRows = d, attCols = kind == ModelKind::Prompt ? 1 : d;
  if (static_cast<Eigen::Index>(w.partialAtt.size()) < chunks)
    w.partialAtt.resize(static_cast<std::size_t>(chunks));
  if (static_cast<Eigen::Index>(w.partialV.size()) < 2 * chunks)
    w.partialV.resize(static_cast<std::size_t>(2 * chunks));
  forEachChunk(scene, eval.threads, [&](Eigen::Index c) {
    Eigen::MatrixXd& P = w.partialAtt[static_cast<std::size_t>(c)];
    Eigen::VectorXd& Pv = w.partialV[static_cast<std::size_t>(2 * c)];
    Eigen::VectorXd& r = w.partialV[static_cast<std::size_t>(2 * c + 1)];  // scratch for r_i
    P.setZero(attRows, attCols);
    if (trainV) Pv.setZero(d);
    r.resize(d);
    const int end = static_cast<int>(std::min<Eigen::Index>(n, (c + 1) * kChunk));
    for (int i = static_cast<int>(c * kChunk); i < end; ++i) {
      const SequenceEval& se = eval.seqs[static_cast<std::size_t>(i)];
      const Eigen::MatrixXd& X = scene.sequences[static_cast<std::size_t>(i)].tokens;
      matTVec(X.data(), X.rows(), d, se.dOutput.data(), r.data());  // r_i = X_i^T dOutput_i
      const double ca = w.coefAtt[i];
      if (kind == ModelKind::Prompt) {
        P.col(0) += ca * r;
      } else {  // P += c_i r_i z_i^T, column by column
        const StridedVector z = queryView(scene, i);
        for (Eigen::Index col = 0; col < d; ++col) {
          const double zc = ca * z[col];
          double* __restrict pc = P.data() + col * d;
          for (Eigen::Index row = 0; row < d; ++row) pc[row] += r[row] * zc;
        }
      }
      if (trainV) {
        matTVec(X.data(), X.rows(), d, se.probs.data(), r.data());
        Pv += w.coefV[i] * r;
      }
    }
  });

  // Ordered reduction into the trained tensors.
  auto sumPartials = [&](Eigen::MatrixXd& dst) {
    dst.setZero(attRows, attCols);
    for (Eigen::Index c = 0; c < chunks; ++c) dst += w.partialAtt[static_cast<std::size_t>(c)];
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
    for (Eigen::Index c = 0; c < chunks; ++c) grad.v += w.partialV[static_cast<std::size_t>(2 * c)];
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
