// The nuclear-norm max-margin problem  min ||W||_*  s.t.  u_k^T W z_k >= b_k  (math.md §5).
#include "core/svm.h"

namespace attnmd::core {

SvmSolution solveNuclearSvm(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::MatrixXd>& Z,
                            const Eigen::Ref<const Eigen::VectorXd>& b, const SvmOptions& options) {
  (void)U;
  (void)Z;
  (void)b;
  (void)options;
  SvmSolution sol;
  sol.status = SvmStatus::Failed;
  sol.reason = "not implemented yet";
  return sol;
}

}  // namespace attnmd::core
