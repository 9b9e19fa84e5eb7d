// Parameter-space geometry (core/param_geometry.h): the feasible set {A theta >= b} clipped to a box,
// the l_p ball that touches it at theta^mm, and the normalized trail. Checked against the definitions
// (every vertex feasible and on its face's plane, the ball's radius is the least norm over the region),
// on seeded random instances, with the seed printed on failure.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/param_geometry.h"
#include "tests/support/scenes.h"

using namespace attnmd::core;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// Every face vertex satisfies every row (to 1e-9 relative to the row's scale), lies in the box, and
// lies on its own face's plane (the row's, or the box side's).
void expectFacesConsistent(const MatrixXd& A, const VectorXd& b, const ParamBox& box, const FeasibleRegion& r,
                           const std::string& where) {
  for (const FeasibleFace& f : r.faces) {
    ASSERT_GE(f.vertices.size(), 2u) << where;
    if (r.dim == 3) {
      EXPECT_GE(f.vertices.size(), 3u) << where;
    }
    for (const VectorXd& v : f.vertices) {
      const double scale = box.hi.cwiseAbs().maxCoeff();
      for (Eigen::Index k = 0; k < A.rows(); ++k) {
        const double rowScale = A.row(k).norm() * scale;
        EXPECT_GE(A.row(k).dot(v), b[k] - 1e-9 * std::max(1.0, rowScale)) << where << " row " << k;
      }
      EXPECT_TRUE(((v - box.lo).array() >= -1e-9 * scale).all()) << where;
      EXPECT_TRUE(((box.hi - v).array() >= -1e-9 * scale).all()) << where;
      if (f.row >= 0) {
        const double rowScale = A.row(f.row).norm() * scale;
        EXPECT_NEAR(A.row(f.row).dot(v), b[f.row], 1e-9 * std::max(1.0, rowScale))
            << where << " face " << f.row;
      } else {
        const int side = -1 - f.row, axis = side / 2;
        const double plane = side % 2 == 0 ? box.lo[axis] : box.hi[axis];
        EXPECT_NEAR(v[axis], plane, 1e-9 * scale) << where << " box side " << side;
      }
    }
  }
}

// For d = 3: each face's loop is planar and turns counter-clockwise seen from outside (its normal points
// away from the region's centroid).
void expectOutwardLoops(const FeasibleRegion& r, const std::string& where) {
  Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
  int count = 0;
  for (const FeasibleFace& f : r.faces)
    for (const VectorXd& v : f.vertices) {
      centroid += Eigen::Vector3d(v);
      ++count;
    }
  centroid /= count;
  for (const FeasibleFace& f : r.faces) {
    Eigen::Vector3d n = Eigen::Vector3d::Zero(), c = Eigen::Vector3d::Zero();
    for (std::size_t j = 0; j < f.vertices.size(); ++j) {
      n += Eigen::Vector3d(f.vertices[j]).cross(Eigen::Vector3d(f.vertices[(j + 1) % f.vertices.size()]));
      c += Eigen::Vector3d(f.vertices[j]);
    }
    c /= static_cast<double>(f.vertices.size());
    EXPECT_GT(n.dot(c - centroid), 0) << where << " face " << f.row;
  }
}

MatrixXd randomRows(std::mt19937& rng, int m, int d) {
  std::normal_distribution<double> g;
  MatrixXd A(m, d);
  for (int k = 0; k < m; ++k)
    for (int j = 0; j < d; ++j) A(k, j) = g(rng);
  return A;
}

}  // namespace

TEST(ParamGeometry, LpNormIsScaleFree) {
  const VectorXd x = Eigen::Vector3d(3, -4, 0);
  EXPECT_NEAR(lpNormOf(x, 2), 5, 1e-15);
  EXPECT_NEAR(lpNormOf(x * 1e-300, 2), 5e-300, 1e-314);
  EXPECT_NEAR(lpNormOf(x * 1e300, 2) / 1e300, 5, 1e-14);
  EXPECT_NEAR(lpNormOf(x, 1.0), 7, 1e-14);
  EXPECT_EQ(lpNormOf(VectorXd::Zero(3), 3), 0);
  EXPECT_TRUE(std::isnan(lpNormOf(Eigen::Vector2d(1, NAN), 2)));
}

TEST(ParamGeometry, TwoDimensionalRegionOfTheTeachingScene) {
  const Scene scene = attnmd::testing::teachingScene();
  const std::vector<int> alpha = {0, 0, 1, 2};
  const ParamSpaceRows rows = paramSpaceRows(scene, alpha);
  ASSERT_TRUE(rows.ok) << rows.reason;
  ASSERT_EQ(rows.A.rows(), 8);
  const VectorXd b = VectorXd::Ones(rows.A.rows());
  for (double p : {1.1, 2.0, 3.0}) {
    const ParamBall ball = solveParamBall(rows.A, b, p);
    if (!ball.ok()) continue;  // this selection may be infeasible; the other test covers that
    const ParamBox box = boxAroundBall(2, ball.radius);
    const FeasibleRegion r = clipFeasibleRegion(rows.A, b, box);
    ASSERT_FALSE(r.empty);
    EXPECT_TRUE(r.clipped);  // b = 1 >= 0: the set is unbounded and the box must cut it
    expectFacesConsistent(rows.A, b, box, r, "p = " + std::to_string(p));
    // The polygon's edges are the faces, in order, and it turns counter-clockwise.
    ASSERT_EQ(r.polygon.size(), r.faces.size());
    double area2 = 0;
    for (std::size_t j = 0; j < r.polygon.size(); ++j) {
      const VectorXd& a = r.polygon[j];
      const VectorXd& c = r.polygon[(j + 1) % r.polygon.size()];
      area2 += a[0] * c[1] - a[1] * c[0];
      EXPECT_LT((r.faces[j].vertices[0] - a).norm(), 1e-12);
    }
    EXPECT_GT(area2, 0);
    // The ball touches the region at theta^mm: its norm is the radius, no vertex is inside the ball,
    // and theta^mm lies on the boundary (on an edge of a constraint face).
    EXPECT_NEAR(lpNormOf(ball.thetaMm, p), ball.radius, 1e-12 * ball.radius);
    for (const VectorXd& v : r.polygon) EXPECT_GE(lpNormOf(v, p), ball.radius * (1 - 1e-9)) << "p = " << p;
    double nearest = INFINITY;
    for (const FeasibleFace& f : r.faces) {
      if (f.onBox()) continue;
      const VectorXd e = f.vertices[1] - f.vertices[0];
      const double t = std::clamp((ball.thetaMm - f.vertices[0]).dot(e) / e.squaredNorm(), 0.0, 1.0);
      nearest = std::min(nearest, (f.vertices[0] + t * e - ball.thetaMm).norm());
    }
    EXPECT_LT(nearest, 1e-7 * ball.radius) << "p = " << p;
  }
}

TEST(ParamGeometry, RandomRegionsInTwoAndThreeDimensions) {
  for (int seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    const int d = 2 + seed % 2;
    const int m = 1 + seed % 7;
    MatrixXd A = randomRows(rng, m, d);
    // Keep the instances feasible: every row has a positive inner product with a common direction.
    const VectorXd dir = randomRows(rng, 1, d).row(0).transpose().normalized();
    for (int k = 0; k < m; ++k)
      if (A.row(k).dot(dir) < 0.2) A.row(k) += (0.2 - A.row(k).dot(dir)) * dir.transpose();
    const VectorXd b = VectorXd::Ones(m);
    const double p = seed % 3 == 0 ? 1.1 : (seed % 3 == 1 ? 2.0 : 3.0);
    const ParamBall ball = solveParamBall(A, b, p);
    ASSERT_TRUE(ball.ok()) << "seed " << seed << ": " << ball.reason;
    const ParamBox box = boxAroundBall(d, ball.radius);
    const FeasibleRegion r = clipFeasibleRegion(A, b, box);
    const std::string where = "seed " + std::to_string(seed);
    ASSERT_FALSE(r.empty) << where;
    EXPECT_TRUE(r.clipped) << where;
    expectFacesConsistent(A, b, box, r, where);
    if (d == 3) expectOutwardLoops(r, where);
    // Each row has at most one face, and the rows listed without one have none.
    std::vector<int> faceCount(static_cast<std::size_t>(m), 0);
    for (const FeasibleFace& f : r.faces)
      if (f.row >= 0) ++faceCount[static_cast<std::size_t>(f.row)];
    for (int k = 0; k < m; ++k) EXPECT_LE(faceCount[static_cast<std::size_t>(k)], 1) << where;
    for (int k : r.rowsWithoutFace) EXPECT_EQ(faceCount[static_cast<std::size_t>(k)], 0) << where;
    // The ball touches the region: theta^mm has the radius as its norm and every vertex of the region
    // is at least that far (theta^mm is the least-norm feasible point, docs/theory.md §5).
    EXPECT_NEAR(lpNormOf(ball.thetaMm, p), ball.radius, 1e-12 * ball.radius) << where;
    for (const FeasibleFace& f : r.faces)
      for (const VectorXd& v : f.vertices) EXPECT_GE(lpNormOf(v, p), ball.radius * (1 - 1e-9)) << where;
  }
}

TEST(ParamGeometry, RowsOfExtremeScale) {
  // Rows of 1e300 put theta^mm near 1e-300 and the reverse; the clipped faces scale with them.
  for (double s : {1e-300, 1e300}) {
    MatrixXd A(2, 2);
    A << 1, 0.2, 0.3, 1;
    A *= s;
    const VectorXd b = VectorXd::Ones(2);
    const ParamBox box = boxAroundBall(2, 1.0 / s);
    const FeasibleRegion r = clipFeasibleRegion(A, b, box);
    ASSERT_FALSE(r.empty) << s;
    int rowFaces = 0;
    for (const FeasibleFace& f : r.faces) {
      if (f.row < 0) continue;
      ++rowFaces;
      for (const VectorXd& v : f.vertices) EXPECT_NEAR(A.row(f.row).dot(v), 1, 1e-9) << s;
    }
    EXPECT_EQ(rowFaces, 2) << s;
  }
}

TEST(ParamGeometry, UnboundedSetIsClippedAndRedundantRowsHaveNoFace) {
  // theta_1 >= 1 with theta_1 >= 4: nothing of the box [-2, 2]^2 is left.
  MatrixXd A(2, 2);
  A << 1, 0,  //
      0.25, 0;
  {
    const FeasibleRegion r = clipFeasibleRegion(
        A, VectorXd::Ones(2), ParamBox{VectorXd::Constant(2, -2), VectorXd::Constant(2, 2)});
    EXPECT_TRUE(r.empty);
  }
  A.row(1) << 1, 1;  // theta_1 + theta_2 >= 1: cuts the strip's lower corner
  const ParamBox box{VectorXd::Constant(2, -2), VectorXd::Constant(2, 2)};
  const FeasibleRegion r = clipFeasibleRegion(A, VectorXd::Ones(2), box);
  ASSERT_FALSE(r.empty);
  EXPECT_TRUE(r.clipped);
  expectFacesConsistent(A, VectorXd::Ones(2), box, r, "strip");
  // Vertices (1, 0), (2, -1), (2, 2), (1, 2): faces theta_1 = 1 (row 0), the cut (row 1), and the box's
  // right and top sides.
  int rows = 0, boxSides = 0;
  for (const FeasibleFace& f : r.faces) (f.onBox() ? boxSides : rows) += 1;
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(boxSides, 2);
  // A row implied by the others (theta_1 >= 0.5) has no face.
  MatrixXd A3(3, 2);
  A3 << 1, 0, 1, 1, 2, 0;
  const FeasibleRegion r3 = clipFeasibleRegion(A3, Eigen::Vector3d(1, 1, 1), box);
  ASSERT_EQ(r3.rowsWithoutFace.size(), 1u);
  EXPECT_EQ(r3.rowsWithoutFace[0], 2);
}

TEST(ParamGeometry, InfeasibleSelectionHasNoRegion) {
  // docs/theory.md §5: a non-selected token equal to the selected one makes a zero row; opposite rows
  // a^T theta >= 1 and -a^T theta >= 1 cannot hold together.
  Scene scene = attnmd::testing::teachingScene();
  scene.sequences[0].tokens.row(1) = scene.sequences[0].tokens.row(0);
  const ParamSpaceRows rows = paramSpaceRows(scene, {0, 0, 0, 0});
  ASSERT_TRUE(rows.ok);
  const VectorXd b = VectorXd::Ones(rows.A.rows());
  const ParamBall ball = solveParamBall(rows.A, b, 2);
  EXPECT_EQ(ball.status, SvmStatus::Infeasible);
  EXPECT_FALSE(ball.reason.empty());
  EXPECT_TRUE(clipFeasibleRegion(rows.A, b, boxAroundBall(2, 10)).empty);

  MatrixXd A(2, 3);
  A << 1, 2, 0.5, -1, -2, -0.5;
  EXPECT_EQ(solveParamBall(A, VectorXd::Ones(2), 3).status, SvmStatus::Infeasible);
  EXPECT_TRUE(clipFeasibleRegion(A, VectorXd::Ones(2), boxAroundBall(3, 10)).empty);
}

TEST(ParamGeometry, ParameterSpaceOfEachModel) {
  Scene toy = attnmd::testing::maxMarginToy(false);
  ParamSpaceRows rows = paramSpaceRows(toy, {0});
  ASSERT_TRUE(rows.ok);
  // Prompt rows carry the key matrix: M(x_0 - x_t) with M = diag(1, 1, 0).
  EXPECT_NEAR(rows.A(0, 2), 0, 0);
  EXPECT_NEAR(rows.A(0, 0), -1.1, 1e-15);
  EXPECT_FALSE(rows.effectiveQuery);

  Scene q = toy;
  q.model.kind = ModelKind::Query;
  rows = paramSpaceRows(q, {0});
  ASSERT_TRUE(rows.ok);
  EXPECT_TRUE(rows.effectiveQuery);
  Params params;
  params.W = MatrixXd::Identity(3, 3) * 2;
  const VectorXd point = paramSpacePoint(q, params);
  EXPECT_TRUE(point.isApprox(2 * q.queryOf(0)));
  // The W-SVM's effective query W^mm z_0 is the l_p SVM in q (docs/theory.md §5, one sequence).
  for (double p : {1.5, 2.0, 3.0}) {
    const AttentionSvm w = solveAttentionSvm(q, {0}, SvmNorm::Lp, p);
    ASSERT_EQ(w.solution.status, SvmStatus::Optimal);
    const ParamBall ball = solveParamBall(rows.A, VectorXd::Ones(rows.A.rows()), p);
    ASSERT_TRUE(ball.ok());
    const VectorXd wz = w.direction.W * q.queryOf(0);
    EXPECT_LT((wz - ball.thetaMm).norm(), 1e-6 * ball.thetaMm.norm()) << "p = " << p;
  }

  Scene two = q;
  two.sequences.push_back(two.sequences[0]);
  EXPECT_FALSE(paramSpaceRows(two, {0, 0}).ok);
  Scene wide = toy;
  wide.dim = 4;
  EXPECT_FALSE(paramSpaceRows(wide, {0}).ok);
  EXPECT_FALSE(paramSpaceRows(toy, {5}).ok);  // a selection out of range says so
}

TEST(ParamGeometry, SpherePointsAndTrailLieOnTheSphere) {
  for (double p : {1.1, 1.5, 2.0, 3.0, 8.0}) {
    const double r = 0.7;
    for (const VectorXd& x : lpCircle(p, r, 96)) EXPECT_NEAR(lpNormOf(x, p), r, 1e-12) << p;
    const LpSphereMesh mesh = lpSphereMesh(p, r, 12, 24);
    ASSERT_EQ(mesh.points.size(), 13u * 24u);
    for (std::size_t k = 0; k < mesh.points.size(); ++k) {
      EXPECT_NEAR(lpNormOf(mesh.points[k], p), r, 1e-12) << p;
      EXPECT_NEAR(mesh.normals[k].norm(), 1, 1e-12);
      // Outward: the sphere is star-shaped around 0, so the normal and the point agree in sign.
      EXPECT_GT(mesh.normals[k].dot(mesh.points[k]), 0) << p;
    }
    // The trail: scaled iterates on the sphere, same direction; zero and NaN iterates left out.
    std::mt19937 rng(static_cast<unsigned>(p * 10));
    std::normal_distribution<double> g;
    std::vector<VectorXd> iterates = {VectorXd::Zero(3)};
    for (int k = 0; k < 20; ++k)
      iterates.push_back(Eigen::Vector3d(g(rng), g(rng), g(rng)) * std::pow(10.0, k * 30 - 300));
    iterates.push_back(Eigen::Vector3d(1, NAN, 0));
    const NormalizedTrail trail = normalizedTrail(iterates, p, r);
    EXPECT_EQ(trail.skipped, 2);
    ASSERT_EQ(trail.points.size(), 20u);
    for (std::size_t k = 0; k < trail.points.size(); ++k) {
      EXPECT_NEAR(lpNormOf(trail.points[k], p), r, 1e-12) << p;
      const VectorXd& src = iterates[static_cast<std::size_t>(trail.source[k])];
      // Divided by the largest entry first: squaring 1e-300 underflows.
      const VectorXd u = src / src.cwiseAbs().maxCoeff();
      const VectorXd w = trail.points[k] / trail.points[k].cwiseAbs().maxCoeff();
      EXPECT_NEAR(w.normalized().dot(u.normalized()), 1, 1e-12);
    }
  }
}
