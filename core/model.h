// Attention models, losses and exact gradients: math.md §2-3.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "core/scene.h"

namespace attnmd::core {

// math.md §2: loss value and derivative, stable for huge |u| (no overflow, no cancellation).
double lossValue(LossKind kind, double u);
double lossDerivative(LossKind kind, double u);  // l'(u)

// Per-sequence quantities at one parameter value (math.md §2-3).
struct SequenceEval {
  Eigen::VectorXd logits;  // a_it
  Eigen::VectorXd probs;   // s_it = softmax(a_i)
  Eigen::VectorXd values;  // h_it = v^T x_it
  int selected = 0;        // alpha_i = argmax_t s_it
  double logUnselected = 0;  // log(1 - s_{i alpha}), exact far below 1e-300 (math.md §3)
  double output = 0;         // f_i
  double margin = 0;         // u_i = Y_i f_i
};

struct Evaluation {
  double loss = 0;                  // L = (1/n) sum_i l(Y_i f_i)
  std::vector<SequenceEval> seqs;   // one per sequence
};

// Builds the initial parameters from scene.init (zeros / gaussian from scene.seed / given) and v.
Params initialParams(const Scene& scene);

// The effective key-query matrix W (query: W; kq: K Q^T); empty for the prompt model.
Eigen::MatrixXd effectiveW(const Scene& scene, const Params& params);

// Forward pass. Reuses `out`'s storage when called repeatedly (the hot loop allocates nothing).
void evaluate(const Scene& scene, const Params& params, Evaluation& out);
Evaluation evaluate(const Scene& scene, const Params& params);

// Exact gradient of L for every trained tensor (W; p; K and Q; v when trainV), math.md §3 with the
// saturation-stable centering. Tensors the model does not train are left empty in `grad`.
// `eval` must be evaluate(scene, params). Returns the loss.
double gradient(const Scene& scene, const Params& params, const Evaluation& eval, Params& grad);

// Convenience: evaluate + gradient.
double lossAndGradient(const Scene& scene, const Params& params, Params& grad);

// The trained tensors of a Params as matrix views, in a fixed order (W | p | K, Q) then v when trainV
// (vectors are d x 1 views). Optimizers step each one (math.md §4: "applied per trained tensor").
std::vector<Eigen::Map<Eigen::MatrixXd>> trainedTensors(const Scene& scene, Params& params);
// The names of those tensors, same order ("W", "p", "K", "Q", "v").
std::vector<const char*> trainedTensorNames(const Scene& scene);

}  // namespace attnmd::core
