// The optimizer family of math.md §4, one interface, applied per trained tensor.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/scene.h"

namespace attnmd::core {

// math.md §4: the l_p potential psi(theta) = (1/p) sum |theta_j|^p and its mirror map.
double lpNorm(const Eigen::Ref<const Eigen::MatrixXd>& x, double p);          // ||x||_p, entrywise
double lpPotential(const Eigen::Ref<const Eigen::MatrixXd>& x, double p);     // psi(x)
Eigen::MatrixXd mirrorMap(const Eigen::Ref<const Eigen::MatrixXd>& x, double p);         // sign|x|^{p-1}
Eigen::MatrixXd inverseMirrorMap(const Eigen::Ref<const Eigen::MatrixXd>& u, double p);  // sign|u|^{1/(p-1)}
// math.md §7: D_psi(A, B) = psi(A) - psi(B) - <grad psi(B), A - B>.
double bregmanDivergence(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                         double p);
// Directional form: D_psi(A/||A||_p, B/||B||_p); NaN when either is zero.
double directionalBregman(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                          double p);

// Per-tensor optimizer state (md/nmd: the dual variable; adam: moments; momentum: velocity).
struct TensorState {
  Eigen::MatrixXd dual;      // md/nmd: u = grad psi(theta)
  Eigen::MatrixXd m1, m2;    // adam
  Eigen::MatrixXd velocity;  // momentum
};

struct OptimizerState {
  std::vector<TensorState> tensors;  // one per trainedTensors() entry
  long long step = 0;                // steps taken (adam's bias correction)
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
StepResult optimizerStep(const Scene& scene, const OptimizerSpec& spec, double loss, const Params& grad,
                         Params& params, OptimizerState& state);

}  // namespace attnmd::core
