// Max-margin SVM problems with duality certificates: docs/theory.md §5.
//
// Generic problems first (matrix A, right-hand side b), then the attention-level problems built from a
// scene and a token selection. Every solution carries its certificate: dual multipliers, relative
// duality gap, primal violation and active set. Infeasible problems are reported, never solved into
// a garbage direction.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

#include "core/scene.h"

namespace attnmd::core {

enum class SvmStatus { Optimal, Infeasible, Failed };
const char* svmStatusName(SvmStatus s);  // "optimal", "infeasible", "failed"

struct SvmOptions {
  // Interior-point stopping tolerance (relative residuals and complementarity) before the active-set
  // Newton polish, which then goes to rounding level. Default 1e-10.
  double gapTolerance = 1e-10;
  // Status Optimal needs max_k max(0, b_k - a_k^T w) <= feasibilityTolerance * max(1, max_k ||a_k|| ||w||)
  // (w is scaled to be exactly feasible, so this only absorbs rounding). Default 1e-12.
  double feasibilityTolerance = 1e-12;
  // Status Optimal needs |gap| <= acceptableGap. The solvers normally certify ~1e-14 (worst seen in
  // tests/unit/test_svm*.cpp: 1e-10; degenerate hand-made scenes at p = 20 rarely ~1e-7). Default 1e-6.
  double acceptableGap = 1e-6;
  int maxIterations = 200;  // interior-point iterations per strategy
  // A previous dual solution for the same rows (e.g. one token moved), or null. l_p: Newton on its
  // active set first (no interior point when the support is unchanged); nuclear: the starting y.
  const Eigen::VectorXd* warmStartLambda = nullptr;
};

struct SvmSolution {
  SvmStatus status = SvmStatus::Failed;
  std::string reason;       // why not optimal, in words a user can act on
  Eigen::VectorXd w;        // primal solution (flattened; see the attention-level wrappers for shapes)
  Eigen::VectorXd lambda;   // dual multipliers, one per constraint row, >= 0
  double value = 0;         // primal objective: the optimal norm ||w||
  double dualValue = 0;     // dual objective at lambda (a certified lower bound on value)
  double gap = 0;           // relative duality gap (value - dualValue) / value
  double violation = 0;     // max over rows of max(0, b_k - a_k^T w)
  std::vector<int> active;  // rows with a_k^T w - b_k <= 1e-7 max(1, |b_k|) (support constraints)
  std::vector<int> certificateRows;  // Infeasible: the rows that cannot hold together (a zero row, or
                                     // rows with a nonnegative combination that vanishes: Farkas)
  int iterations = 0;                // interior-point iterations (0: the warm start's Newton polish sufficed)
};

// docs/theory.md §5: min ||w||_p  s.t.  A w >= b, for p in (1, 20]. Rows of A are constraints; b entries are
// typically 1 (hard margin) or 0 (relaxed rows). Dual: max b^T lambda s.t. lambda >= 0, ||A^T lambda||_q
// <= 1.
SvmSolution solveLpSvm(const Eigen::Ref<const Eigen::MatrixXd>& A, const Eigen::Ref<const Eigen::VectorXd>& b,
                       double p, const SvmOptions& options = {});

// docs/theory.md §5: min ||W||_*  s.t.  u_k^T W z_k >= b_k, W in R^{d x d}. `U` and `Z` hold u_k and z_k as rows.
// Dual: max b^T lambda s.t. lambda >= 0, ||sum_k lambda_k u_k z_k^T||_op <= 1. w is W flattened
// column-major.
SvmSolution solveNuclearSvm(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::MatrixXd>& Z,
                            const Eigen::Ref<const Eigen::VectorXd>& b, const SvmOptions& options = {});

// One constraint row of an attention SVM: sequence i, non-selected token t (docs/theory.md §5).
struct TokenPair {
  int seq = 0;
  int token = 0;
  bool operator==(const TokenPair&) const = default;
};

// The attention SVM for a token selection alpha (one index per sequence), in model terms.
struct AttentionSvm {
  SvmSolution solution;  // certificate and status
  SvmNorm norm = SvmNorm::Lp;
  double p = 2;                    // the l_p of the problem (ignored for nuclear)
  std::vector<int> tokens;         // alpha
  std::vector<TokenPair> rows;     // constraint k <-> (i, t)
  Params direction;                // the solution as W (query/kq) or p (prompt); other tensors empty
  std::vector<TokenPair> support;  // rows of solution.active, as (i, t)
};

// The constraint rows of docs/theory.md §5 for a selection alpha: one row per (i, t != alpha_i), sequences in
// order, tokens ascending. query/kq: row k of A is vec((x_{i alpha_i} - x_it) z_i^T) (W flattened
// column-major, so a_k^T vec(W) = (x_{i alpha_i} - x_it)^T W z_i); U and Z hold x_{i alpha_i} - x_it
// and z_i as rows (the nuclear form). prompt: row k is (M(x_{i alpha_i} - x_it))^T; U = A, Z empty.
// Throws std::invalid_argument when alpha does not fit the scene (size, or an index out of range).
struct AttentionRows {
  Eigen::MatrixXd A;
  Eigen::MatrixXd U, Z;
  std::vector<TokenPair> rows;
};
AttentionRows attentionRows(const Scene& scene, const std::vector<int>& alpha);

// query/kq: rows (x_{i alpha_i} - x_it)^T W z_i >= 1; prompt: (M(x_{i alpha_i} - x_it))^T p >= 1.
// Infeasible when a non-selected token equals the selected one, z_i = 0, or the rows cannot all be met.
// `warm` (optional) is a previous solution for the same scene shape; used when its rows match.
AttentionSvm solveAttentionSvm(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                               const AttentionSvm* warm = nullptr);

// docs/theory.md §5 v-SVM: min ||v||_p s.t. Y_i v^T x_{i alpha_i} >= 1. w is v.
SvmSolution solveVSvm(const Scene& scene, const std::vector<int>& alpha, double p);

// docs/theory.md §5 relaxed prompt SVM (joint p, v): rows of sequences that are support vectors of the v-SVM
// get >= 1, the others >= 0. Prompt model only.
AttentionSvm solveRelaxedPromptSvm(const Scene& scene, const std::vector<int>& alpha, double p);

}  // namespace attnmd::core
