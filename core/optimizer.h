// The optimizer family of docs/theory.md §4, one interface, applied per trained tensor.
#pragma once

#include <Eigen/Dense>
#include <limits>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/scene.h"

namespace attnmd::core {

// docs/theory.md §4: the l_p potential psi(theta) = (1/p) sum |theta_j|^p and its mirror map.
// Powers are exact special cases for p = 2 (identity), p = 3 (squares and square roots) and integer
// exponents (p = 1.1 -> |u|^10), vectorized exp/log otherwise; entries whose power leaves the double
// range come out as 0 or inf, never as a clamped finite value.
double lpNorm(const Eigen::Ref<const Eigen::MatrixXd>& x, double p);       // ||x||_p, entrywise (no overflow)
double lpPotential(const Eigen::Ref<const Eigen::MatrixXd>& x, double p);  // psi(x)
Eigen::MatrixXd mirrorMap(const Eigen::Ref<const Eigen::MatrixXd>& x, double p);         // sign|x|^{p-1}
Eigen::MatrixXd inverseMirrorMap(const Eigen::Ref<const Eigen::MatrixXd>& u, double p);  // sign|u|^{1/(p-1)}
// docs/theory.md §7: D_psi(A, B) = psi(A) - psi(B) - <grad psi(B), A - B>.
double bregmanDivergence(const Eigen::Ref<const Eigen::MatrixXd>& a,
                         const Eigen::Ref<const Eigen::MatrixXd>& b, double p);
// Directional form: D_psi(A/||A||_p, B/||B||_p); NaN when either is zero.
double directionalBregman(const Eigen::Ref<const Eigen::MatrixXd>& a,
                          const Eigen::Ref<const Eigen::MatrixXd>& b, double p);

// Per-tensor optimizer state (md/nmd: the dual variable; adam: moments; momentum: velocity).
struct TensorState {
  Eigen::MatrixXd dual;      // md/nmd: u = grad psi(theta)
  Eigen::MatrixXd m1, m2;    // adam
  Eigen::MatrixXd velocity;  // momentum
  // Scratch (the candidate step, committed only when every entry is finite); reused, never shrunk.
  Eigen::MatrixXd next, nextState, nextState2, work;
  // nmd at p = 3: the exponent of max|g| at the last step (a guess that saves a pass over g when it
  // holds; results never depend on it).
  int normExponent = std::numeric_limits<int>::min();
};

struct OptimizerState {
  std::vector<TensorState> tensors;  // one per trainedTensors() entry
  long long step = 0;                // steps taken (adam's bias correction)
  // What the state was built for: a different optimizer or p rebuilds it from the current params.
  // After changing params outside optimizerStep, reset the state (`state = {}`): md/nmd derive theta
  // from their dual variable.
  bool initialized = false;
  OptimizerKind kind = OptimizerKind::GD;
  double p = 2.0;
};

// What one step reports. ok == false: the step was NOT applied (params unchanged) and `reason`
// says why in words a user can act on (e.g. "step 1,204 produced inf in W; try nmd or a smaller step").
struct StepResult {
  bool ok = true;
  std::string reason;
  double stepSize = 0;  // the eta actually used (polyak: eta_k)
};

// Applies one optimizer step to `params` given the gradient `grad` (same shapes, from gradient())
// and the current loss (polyak uses it). Initializes `state` on first use.
//
// Per tensor (docs/theory.md §4 "for every trained tensor"): ngd and nmd normalize each trained tensor's
// gradient by its own norm (W alone; K and Q each; v on its own), so joint training of v cannot
// starve the attention parameter. Polyak's eta_k = c (L - 0)/||g||_F^2 uses the norm of the whole
// gradient (all tensors together): per-tensor Polyak steps would each zero the linearized loss and
// overshoot together. adam and momentum are entrywise.
StepResult optimizerStep(const Scene& scene, const OptimizerSpec& spec, double loss, const Params& grad,
                         Params& params, OptimizerState& state);
// The same for a scaled gradient from gradient(..., &scale): the true gradient is exp(scale) * grad.
// Normalized methods (ngd, nmd) use only its direction, so they keep working in deep saturation.
// `logLoss` (log L, from the margins) lets Polyak keep stepping once L underflows to 0 in float64
// (deep in training with joint v, or at huge margins): eta_k = c exp(logLoss) / ||g||^2 in log form.
// Without it (NaN) such a step cannot be sized, and the step fails with the reason.
StepResult optimizerStep(const Scene& scene, const OptimizerSpec& spec, double loss, const Params& grad,
                         Params& params, OptimizerState& state, const GradientScale& scale,
                         double logLoss = std::numeric_limits<double>::quiet_NaN());

// The same step on any list of tensors (at most 5), for models outside Scene (the next-token model
// of core/ntp.h trains W_ov and W_kq). Each tensor's true gradient is exp(logScale) * grad; `name`
// appears in failure reasons. `state` belongs to this list: the same tensors, in the same order, each
// step (a different count or shape rebuilds it from the current values).
struct TensorSlot {
  Eigen::MatrixXd* theta = nullptr;
  const Eigen::MatrixXd* grad = nullptr;
  double logScale = 0;
  const char* name = "";
};
StepResult optimizerStepTensors(const OptimizerSpec& spec, double loss,
                                const std::vector<TensorSlot>& tensors, OptimizerState& state,
                                double logLoss = std::numeric_limits<double>::quiet_NaN());

// Undoes the state change (dual, moments, velocity, step count) of the last successful
// optimizerStep. Valid only right after a successful step.
void optimizerUndoState(OptimizerState& state);
// Undoes the last successful optimizerStep entirely: the parameters too, bit for bit (a step leaves
// the previous parameters in TensorState::next; a matrix's storage changes places with it, so after a
// step params.W may live at another address). A Run calls it when the new parameters overflow the
// model's logits or loss. Valid only right after a successful step.
void optimizerUndoStep(const Scene& scene, Params& params, OptimizerState& state);

// Tests and benchmarks: pins the instruction set of the optimizer's vector kernels (the p = 3 steps'
// square roots, max|g|, the finiteness checks): 0 SSE2, 1 AVX2, 2 AVX-512, capped at what this CPU
// has; -1 the best it has (the default). Every level gives the same bits (tests/unit/test_fast_step.cpp).
// Returns the level now in use. Not to be called while another thread steps.
int setOptimizerKernelLevel(int level);

}  // namespace attnmd::core
