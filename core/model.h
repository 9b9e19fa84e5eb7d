// Attention models, losses and exact gradients: docs/theory.md §2-3.
//
// Saturation (docs/theory.md §3): once attention saturates, 1 - s_{i alpha} and with it the whole attention
// gradient fall far below the double range (1e-300 and less), while its DIRECTION is what normalized
// methods (ngd, nmd) follow. So the forward pass keeps every saturating quantity in log form and the
// gradient can be returned as (scaled gradient, log scale): the true gradient is exp(scale) * grad.
// Plain callers that ask for the gradient without a scale get it in natural units (it then underflows
// to 0 exactly when the true value does).
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "core/scene.h"

namespace attnmd::core {

// docs/theory.md §2: loss value and derivative, stable for huge |u| (no overflow, no cancellation).
double lossValue(LossKind kind, double u);
double lossDerivative(LossKind kind, double u);  // l'(u)
// log |l'(u)|, finite where l'(u) itself underflows (logistic: -softplus(u); exponential: -u).
double lossLogDerivativeMagnitude(LossKind kind, double u);
// log l(u), finite where l(u) itself underflows to 0 (logistic: about -u for u > 36; exponential: -u);
// NaN for the correlation loss where l(u) <= 0.
double lossLogValue(LossKind kind, double u);

// Per-sequence quantities at one parameter value (docs/theory.md §2-3).
struct SequenceEval {
  Eigen::VectorXd logits;    // a_it
  Eigen::VectorXd probs;     // s_it = softmax(a_i) (non-selected entries underflow to 0 when saturated)
  Eigen::VectorXd values;    // h_it = v^T x_it
  int selected = 0;          // alpha_i = argmax_t s_it (first index on ties)
  double logUnselected = 0;  // log(1 - s_{i alpha}), exact far below 1e-300 (docs/theory.md §3)
  double output = 0;         // f_i
  double margin = 0;         // u_i = Y_i f_i

  // Extensions (attnmd core; used by gradient() and the run metrics).
  double logSumOthers = 0;     // log sum_{t != alpha} exp(a_t - a_alpha)  (= log S; 1 - s_alpha = S/(1+S))
  double loss = 0;             // l(u_i)
  double lossSlope = 0;        // l'(u_i)
  double logLossSlope = 0;     // log |l'(u_i)|
  Eigen::VectorXd keyDir;      // k_i with a_i = X_i k_i (query: W z_i; kq: K Q^T z_i; prompt: unused)
  Eigen::VectorXd dOutput;     // df_i/da_it = s_it (h_it - f_i) times exp(-dOutputLogScale), computed
                               // with the saturation-stable centering of docs/theory.md §3
  double dOutputLogScale = 0;  // 0 unless sequence i is saturated beyond e^-600
};

struct Evaluation {
  double loss = 0;                 // L = (1/n) sum_i l(Y_i f_i)
  std::vector<SequenceEval> seqs;  // one per sequence

  // Extensions: storage reused between calls so the training loop allocates nothing.
  Eigen::VectorXd promptKey;  // prompt: M^T p (a_i = X_i M^T p)
  struct Workspace {
    std::vector<Eigen::MatrixXd> partialAtt;  // per chunk of sequences: partial attention gradient
    std::vector<Eigen::VectorXd> partialV;    // per chunk: partial v gradient
    Eigen::VectorXd coefAtt, coefV;           // per sequence multipliers
    Eigen::MatrixXd G;                        // kq: gradient with respect to W = K Q^T
    int logInvNFor = -1;                      // the n that logInvN is -log(n) of (-1: none yet)
    double logInvN = 0;
  };
  mutable Workspace work;  // scratch for gradient(); not shared between threads
  // The per-sequence inputs gradient() needs, in contiguous storage, written by evaluate() while each
  // sequence's tokens are in cache: the gradient then never reads the tokens again (at n = 100,000 the
  // tokens are 64 MB, one pass over memory instead of two). Column / entry i is sequence i.
  struct Columns {
    Eigen::MatrixXd attGrad;        // d x n: r_i = X_i^T dOutput_i (query, kq: times z_i^T; prompt: alone)
    Eigen::MatrixXd vGrad;          // d x n when trainV: X_i^T s_i; else empty
    Eigen::MatrixXd queries;        // d x n (query, kq): z_i; else empty
    Eigen::VectorXd loss;           // l(u_i), summed in order into Evaluation::loss
    Eigen::VectorXd lossSlope;      // l'(u_i)
    Eigen::VectorXd logLossSlope;   // log |l'(u_i)|
    Eigen::VectorXd logUnselected;  // log(1 - s_{i alpha})
    Eigen::VectorXd dOutputLogScale;
    std::vector<unsigned char> chunkFinite;  // per chunk of sequences: every value finite
    // Per chunk: its share of the gradient with the unscaled coefficients c_i = l'(u_i) Y_i / n
    // (attention: sum_i c_i r_i z_i^T, or sum_i c_i r_i for the prompt model; v: sum_i c_i X_i^T s_i),
    // summed while r_i is formed. It is the gradient's own partial sum whenever no part of the gradient
    // needs a log scale (docs/theory.md §3), which gradient() checks before using it.
    std::vector<Eigen::MatrixXd> partialAtt;
    std::vector<Eigen::VectorXd> partialV;
    std::vector<unsigned char> chunkUnscaled;  // per chunk: every dOutputLogScale is 0
    // Deferred logs (see deferLogs): S = sum_{t != alpha} e^{r_t} per sequence, and per chunk whether
    // its logs are still to be taken, and whether some sequence of it certainly keeps the gradient
    // unscaled (its log term log(1 - s_alpha) + log |l'(u)| - log n is above -600 by a bound from the
    // binary exponents of S and l'(u), no logarithm taken).
    Eigen::VectorXd sumOthers;
    std::vector<unsigned char> chunkPending, chunkCertain;
  } columns;
  // Threads evaluate() and gradient() may use for large scenes (n*T*d above ~2.5e5): 0 = all hardware
  // threads, 1 = never spawn. Set per run (RunOptions::threads); results never depend on it: chunking is
  // fixed and partial sums are added in order.
  int threads = 0;
  bool finite = true;  // false when a logit, output or the loss is NaN/inf (overflowed parameters)

  // Set by a caller whose scene never changes between calls with this Evaluation (a Run: its scene is
  // shared and immutable). evaluate() then keeps what depends on the scene and v alone from its last
  // call with the same scene and the same v (bit for bit): the values h_it = v^T x_it (SequenceEval::
  // values) and the queries column. Off by default: a caller that edits a scene in place (the app's
  // token drags) gets everything recomputed.
  bool sceneFixed = false;
  // Tests: false sends every chunk through the general (run-time size) path, which the fixed-size
  // paths match bit for bit.
  bool fixedPaths = true;
  // Set by a caller that will not read this evaluation's loss and log forms before the next call (a
  // Run between the steps nobody records; not Polyak, whose step needs L). On the common path
  // (logistic loss, no sequence saturated beyond e^-600, margins below 1e290, some sequence whose
  // gradient term is certainly above e^-600) evaluate() then skips the logarithms that only the loss
  // and the metrics use (log S, log(1 + S), l(u), log |l'(u)|): they are NaN, loss is NaN and
  // logsPending is true until completeEvaluation() takes them, to the same bits. Everything the
  // gradient and the optimizer read is complete either way, and finite is exact (the skipped values
  // are finite there).
  bool deferLogs = false;
  bool logsPending = false;
  struct ValuesKey {
    const Scene* scene = nullptr;  // the scene and v that seqs[i].values and columns.queries belong to
    Eigen::VectorXd v;
  } valuesKey;
};

// Log scales of a gradient: the true gradient of a tensor is exp(scale) * (the returned values).
// Both are 0 unless that part of the gradient is below e^-600 (saturated attention, huge margins).
struct GradientScale {
  double attention = 0;  // W; p; K and Q
  double v = 0;          // v
};

// Builds the initial parameters from scene.init (zeros / gaussian from scene.seed / given) and v.
// Gaussian draws use a portable generator (mt19937_64 + Box-Muller), row-major per tensor, in the
// order p | W | K then Q, so a scene and seed give the same start on every platform.
Params initialParams(const Scene& scene);

// The effective key-query matrix W (query: W; kq: K Q^T); empty for the prompt model.
Eigen::MatrixXd effectiveW(const Scene& scene, const Params& params);

// Forward pass. Reuses `out`'s storage when called repeatedly (the hot loop allocates nothing).
// Large scenes (n*T*d above ~2.5e5) are split across out.threads threads in fixed chunks; results do
// not depend on the thread count.
void evaluate(const Scene& scene, const Params& params, Evaluation& out);
Evaluation evaluate(const Scene& scene, const Params& params);
// Takes the logs an evaluate() with deferLogs skipped (Evaluation::logsPending); nothing otherwise.
void completeEvaluation(const Scene& scene, Evaluation& out);

// Exact gradient of L for every trained tensor (W; p; K and Q; v when trainV), docs/theory.md §3 with the
// saturation-stable centering. Tensors the model does not train are left empty in `grad`.
// `eval` must be evaluate(scene, params). Returns the loss (NaN while eval.logsPending).
double gradient(const Scene& scene, const Params& params, const Evaluation& eval, Params& grad);
// The same, with the gradient scaled so it stays representable in deep saturation: true gradient =
// exp(scale->attention) * grad.{W,p,K,Q} and exp(scale->v) * grad.v.
double gradient(const Scene& scene, const Params& params, const Evaluation& eval, Params& grad,
                GradientScale* scale);

// Convenience: evaluate + gradient.
double lossAndGradient(const Scene& scene, const Params& params, Params& grad);

// The trained tensors of a Params as matrix views, in a fixed order (W | p | K, Q) then v when trainV
// (vectors are d x 1 views). Optimizers step each one (docs/theory.md §4: "applied per trained tensor").
std::vector<Eigen::Map<Eigen::MatrixXd>> trainedTensors(const Scene& scene, Params& params);
// The names of those tensors, same order ("W", "p", "K", "Q", "v").
std::vector<const char*> trainedTensorNames(const Scene& scene);

}  // namespace attnmd::core
