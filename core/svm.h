// Max-margin SVM problems with duality certificates: docs/theory.md §5.
//
// Generic problems first (matrix A, right-hand side b), then the attention-level problems built from a
// scene and a token selection. Every solution carries its certificate: dual multipliers, relative
// duality gap, primal violation and active set. Infeasible problems are reported, never solved into
// a garbage direction.
#pragma once

#include <Eigen/Dense>
#include <atomic>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/scene.h"

namespace attnmd::core {

// Skipped: the problem is over the size limits below and was not attempted (the reason says why).
enum class SvmStatus { Optimal, Infeasible, Failed, Skipped };
const char* svmStatusName(SvmStatus s);  // "optimal", "infeasible", "failed", "skipped"

// [Size limits] The solvers are dense. With N unknowns (d for the prompt model, d^2 for W) and m
// constraint rows, the l_p solver's polish factors (N - m) x (N - m) matrices and its interior point
// N x N or m x m ones: time grows like N^3 = d^6 for W and memory like N^2 (d = 500 would need 500 GB).
// The nuclear-norm SVM first solves the l_2 problem on the same N = d^2 unknowns, then a semidefinite
// program on 2d x 2d matrices. Bigger problems are not attempted: status Skipped, with a reason naming
// the size and the limit. Measured on one of two busy cores (query model, random unit tokens):
//   n = 2, T = 3 (4 rows):  l_2 d = 20: 0.03 s, 30: 0.3 s, 40: 1.6 s, 50: 24 s;  l_3 d = 40: 8 s;
//                           l_20 d = 30: 3.5 s, 40: 33 s;  nuclear d = 30: 0.4 s, 40: 1.6 s
//   more rows (l_20):       d = 30 with 200 rows: 10 s, with 1,000: 51 s;  d = 10 with 5,000: 0.2 s
//   nuclear, more rows:     d = 30 with 220 rows: 1.3 s;  d = 14 with 1,000: 4.6 s;  d = 20 with 500: 1.6 s
// so every problem within the limits below takes seconds at most.
inline constexpr long long kSvmMaxVariables = 900;              // d <= 30 for W, d <= 900 for p
inline constexpr long long kSvmMaxRows = 5000;                  // constraint rows, sum_i (T_i - 1)
inline constexpr long long kSvmMaxVariablesTimesRows = 200000;  // the interior point's work per step

// The size of a max-margin problem: unknowns and constraint rows.
struct SvmSize {
  long long variables = 0;
  long long rows = 0;
};

// "" when the solvers take a problem of this size, else why not, with the size and the
// limit. solveLpSvm, solveNuclearSvm and the attention-level functions check it first.
std::string svmSizeProblem(SvmSize size);

// How far a running solve has got, written by the solver between iterations and read from any other
// thread (the app's status bar, the CLI's progress line while it waits).
struct SvmProgress {
  std::atomic<long long> iterations{0};  // interior-point, Newton and polish iterations so far, all stages
  // The latest interior-point iterate's largest relative residual (optimality, feasibility, duality
  // gap or complementarity): it falls towards SvmOptions::gapTolerance, where the polish takes over.
  // Infinity before the first iteration.
  std::atomic<double> residual{std::numeric_limits<double>::infinity()};
};

// "solving for 12 s: 340 iterations, residual 3.1e-07" (the residual left out before it is known): the
// app's status bar and the CLI's progress line.
std::string svmProgressText(double seconds, long long iterations, double residual);

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
  // Set from another thread (Ctrl+C in the CLI, a newer request in the app) to stop a solve between two
  // interior-point iterations: status Failed, reason "cancelled". Null: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
  // Null, or where the solver reports its iterations and residual as it goes (see SvmProgress).
  SvmProgress* progress = nullptr;
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

// docs/theory.md §5: min ||W||_*  s.t.  u_k^T W z_k >= b_k, W in R^{d x d}. `U` and `Z` hold u_k and z_k as
// rows. Dual: max b^T lambda s.t. lambda >= 0, ||sum_k lambda_k u_k z_k^T||_op <= 1. w is W flattened
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

// The size of the attention SVM of a scene (any selection): d or d^2 unknowns, sum_i (T_i - 1) rows.
SvmSize attentionSvmSize(const Scene& scene);
// Ahead of time, without building anything: "" when solveAttentionSvm (and core::solveReferenceSvm) will
// solve this scene's SVM in `norm`, else the reason it would return with status Skipped, e.g. "the
// W-SVM has 250000 variables (d = 500, W is d x d); attnmd solves up to 900 (d <= 30)". Callers that
// show an SVM (the app's overlay) ask this first instead of waiting for a result.
std::string attentionSvmSizeProblem(const Scene& scene, SvmNorm norm);

// query/kq: rows (x_{i alpha_i} - x_it)^T W z_i >= 1; prompt: (M(x_{i alpha_i} - x_it))^T p >= 1.
// Infeasible when a non-selected token equals the selected one, z_i = 0, or the rows cannot all be met.
// `warm` (optional) is a previous solution for the same scene shape; used when its rows match.
// `cancel` and `progress` (optional): see SvmOptions::cancel and SvmOptions::progress.
AttentionSvm solveAttentionSvm(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                               const AttentionSvm* warm = nullptr, const std::atomic<bool>* cancel = nullptr,
                               SvmProgress* progress = nullptr);

// docs/theory.md §5 v-SVM: min ||v||_p s.t. Y_i v^T x_{i alpha_i} >= 1. w is v.
SvmSolution solveVSvm(const Scene& scene, const std::vector<int>& alpha, double p);

// docs/theory.md §5 relaxed prompt SVM (joint p, v): rows of sequences that are support vectors of the v-SVM
// get >= 1, the others >= 0. Prompt model only.
AttentionSvm solveRelaxedPromptSvm(const Scene& scene, const std::vector<int>& alpha, double p);

}  // namespace attnmd::core
