// Parameter-space geometry of the l_p max-margin SVM (docs/theory.md §5) for d = 2 or 3: the feasible
// set {theta : A theta >= b} clipped to a box (faces as vertex loops, each with its constraint row), the
// l_p sphere of radius ||theta^mm||_p that touches that set at theta^mm, and a run's iterates scaled onto
// that sphere. Pure functions, Eigen only; the app's geometry view draws what they return.
//
// [SECTION] parameter space of a scene: which rows, which point
// [SECTION] the feasible set clipped to a box
// [SECTION] the l_p sphere
// [SECTION] the normalized trail
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <vector>

#include "core/scene.h"
#include "core/svm.h"

namespace attnmd::core {

// ||x||_p for p >= 1 with the largest entry factored out, so entries of 1e-300 or 1e300 neither
// underflow nor overflow. 0 for an empty or zero vector; NaN when x has a non-finite entry.
double lpNormOf(const Eigen::Ref<const Eigen::VectorXd>& x, double p);

// [SECTION] parameter space of a scene

// The space the SVM rows live in, when it has d = 2 or 3 dimensions: the prompt vector p (rows
// (M(x_{i alpha_i} - x_it))^T), or, for the query model with a single sequence, the effective query
// q = W z_0 (rows (x_{0 alpha_0} - x_0t)^T: the rows constrain W only through W z_0, and
// min ||W||_p over W z_0 = q is ||q||_p / ||z_0||_{p/(p-1)}, so the W-SVM's q = W^mm z_0 solves the same
// l_p problem in q; docs/theory.md §5).
struct ParamSpaceRows {
  bool ok = false;
  std::string reason;  // why not (model, d, several sequences, a bad selection)
  Eigen::MatrixXd A;   // one row per (i, t != alpha_i), d columns
  std::vector<TokenPair> rows;
  bool effectiveQuery = false;  // the query model's q = W z_0 (else the prompt vector p)
};
ParamSpaceRows paramSpaceRows(const Scene& scene, const std::vector<int>& alpha);

// The point of parameter space for `params`: p (prompt) or W z_0 (query); empty when the parameters
// do not fit the scene.
Eigen::VectorXd paramSpacePoint(const Scene& scene, const Params& params);

// The l_p SVM in parameter space (docs/theory.md §5) with its ball: min ||theta||_p s.t. A theta >= b.
struct ParamBall {
  SvmStatus status = SvmStatus::Failed;
  std::string reason;                // why not optimal
  double p = 2;                      // the ball's p
  Eigen::VectorXd thetaMm;           // the SVM solution, the point where the ball touches the feasible set
  double radius = 0;                 // ||theta^mm||_p
  std::vector<int> certificateRows;  // Infeasible: rows that cannot hold together (SvmSolution's)
  bool ok() const { return status == SvmStatus::Optimal && radius > 0 && std::isfinite(radius); }
};
ParamBall solveParamBall(const Eigen::Ref<const Eigen::MatrixXd>& A,
                         const Eigen::Ref<const Eigen::VectorXd>& b, double p,
                         const SvmOptions& options = {});

// [SECTION] the feasible set clipped to a box

// An axis-aligned box lo <= theta <= hi.
struct ParamBox {
  Eigen::VectorXd lo, hi;
};
// The box [-h, h]^d with h = factor * radius: it holds the l_p ball of that radius for every p >= 1
// (|theta_j| <= ||theta||_p), and so the point where it touches the feasible set.
ParamBox boxAroundBall(int dim, double radius, double factor = 1.6);

// One face of the clipped set: for d = 2 an edge (its two ends), for d = 3 a convex polygon whose
// vertices run counter-clockwise seen from outside.
struct FeasibleFace {
  int row = -1;  // the constraint row it lies on; -1 - j for the box's side j = 2 * axis + (0: lo, 1: hi)
  std::vector<Eigen::VectorXd> vertices;
  bool onBox() const { return row < 0; }
};

struct FeasibleRegion {
  int dim = 0;
  bool empty = true;     // no point of the box satisfies every row (with volume)
  bool clipped = false;  // some face lies on the box: the set goes on beyond it (A theta >= b with b >= 0
                         // always does, as t theta stays feasible for t >= 1)
  std::vector<Eigen::VectorXd> polygon;  // d = 2: the region's vertices, counter-clockwise
  std::vector<FeasibleFace> faces;       // d = 2: edges, d = 3: polygons
  std::vector<int> rowsWithoutFace;      // rows that do not bound the region inside the box
};

// {theta in box : A theta >= b} for d = 2 or 3 (else empty): the box cut by each half-space in turn
// (Sutherland-Hodgman per face, a cap face on each cutting plane). Computed in coordinates scaled to
// the box, so rows of 1e300 or 1e-300 work as well as rows of 1.
FeasibleRegion clipFeasibleRegion(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                  const Eigen::Ref<const Eigen::VectorXd>& b, const ParamBox& box);

// [SECTION] the l_p sphere

// `count` points of the l_p circle ||x||_p = radius in R^2, counter-clockwise from (radius, 0):
// x = radius * (sign(c)|c|^{2/p}, sign(s)|s|^{2/p}) for (c, s) on the unit circle, so |x_1|^p + |x_2|^p
// = radius^p exactly.
std::vector<Eigen::VectorXd> lpCircle(double p, double radius, int count);

// The l_p sphere ||x||_p = radius in R^3 as a latitude-longitude grid: point(i, j) for i in
// [0, latitudes] (pole to pole) and j in [0, longitudes) (wrapping), each the image of the unit l_2
// sphere's point under u -> radius * sign(u)|u|^{2/p}.
struct LpSphereMesh {
  int latitudes = 0, longitudes = 0;
  std::vector<Eigen::Vector3d> points;
  std::vector<Eigen::Vector3d> normals;  // outward unit normals: grad ||x||_p ~ sign(x)|x|^{p-1}
  const Eigen::Vector3d& point(int i, int j) const {
    return points[static_cast<std::size_t>(i * longitudes + (j % longitudes))];
  }
  const Eigen::Vector3d& normal(int i, int j) const {
    return normals[static_cast<std::size_t>(i * longitudes + (j % longitudes))];
  }
};
LpSphereMesh lpSphereMesh(double p, double radius, int latitudes, int longitudes);

// The outward unit normal of the l_p sphere through x (x != 0).
Eigen::VectorXd lpSphereNormal(const Eigen::Ref<const Eigen::VectorXd>& x, double p);

// [SECTION] the normalized trail

// theta_k * radius / ||theta_k||_p for each iterate, the run's direction drawn on the ball. Iterates
// that are zero or not finite have no direction and are left out (`skipped` counts them).
struct NormalizedTrail {
  std::vector<Eigen::VectorXd> points;
  std::vector<int> source;  // index into the iterates of each point
  int skipped = 0;
};
NormalizedTrail normalizedTrail(const std::vector<Eigen::VectorXd>& iterates, double p, double radius);

}  // namespace attnmd::core
