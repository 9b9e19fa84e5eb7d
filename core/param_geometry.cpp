#include "core/param_geometry.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace attnmd::core {

using Eigen::MatrixXd;
using Eigen::VectorXd;

double lpNormOf(const Eigen::Ref<const VectorXd>& x, double p) {
  if (x.size() == 0) return 0;
  if (!x.allFinite()) return std::numeric_limits<double>::quiet_NaN();
  const double big = x.cwiseAbs().maxCoeff();
  if (!(big > 0)) return 0;
  double sum = 0;
  for (Eigen::Index j = 0; j < x.size(); ++j) sum += std::pow(std::abs(x[j]) / big, p);
  return big * std::pow(sum, 1.0 / p);
}

// [SECTION] parameter space of a scene

ParamSpaceRows paramSpaceRows(const Scene& scene, const std::vector<int>& alpha) {
  ParamSpaceRows out;
  if (scene.dim != 2 && scene.dim != 3) {
    out.reason =
        "parameter space has d = " + std::to_string(scene.dim) + " dimensions; it is drawn for d = 2 or 3";
    return out;
  }
  const ModelKind kind = scene.model.kind;
  if (kind == ModelKind::Query && scene.sequenceCount() != 1) {
    out.reason =
        "the query model's W is d x d; with one sequence only its W z lives in R^d (this scene has " +
        std::to_string(scene.sequenceCount()) + " sequences)";
    return out;
  }
  if (kind != ModelKind::Prompt && kind != ModelKind::Query) {
    out.reason = "drawn for the prompt model and the single-sequence query model only";
    return out;
  }
  if (scene.sequenceCount() == 0) {
    out.reason = "the scene has no sequences";
    return out;
  }
  AttentionRows rows;
  try {
    rows = attentionRows(scene, alpha);
  } catch (const std::invalid_argument& e) {
    out.reason = e.what();
    return out;
  }
  out.effectiveQuery = kind == ModelKind::Query;
  out.A = rows.U;  // prompt: M(x_alpha - x_t); query: x_alpha - x_t (docs/theory.md §5)
  out.rows = std::move(rows.rows);
  out.ok = true;
  return out;
}

VectorXd paramSpacePoint(const Scene& scene, const Params& params) {
  if (scene.model.kind == ModelKind::Prompt) return params.p.size() == scene.dim ? params.p : VectorXd();
  if (scene.model.kind == ModelKind::Query && scene.sequenceCount() >= 1 && params.W.rows() == scene.dim &&
      params.W.cols() == scene.dim)
    return params.W * scene.queryOf(0);
  return VectorXd();
}

ParamBall solveParamBall(const Eigen::Ref<const MatrixXd>& A, const Eigen::Ref<const VectorXd>& b, double p,
                         const SvmOptions& options) {
  ParamBall out;
  out.p = p;
  const SvmSolution s = solveLpSvm(A, b, p, options);
  out.status = s.status;
  out.reason = s.reason;
  out.certificateRows = s.certificateRows;
  if (s.status != SvmStatus::Optimal) return out;
  out.thetaMm = s.w;
  out.radius = lpNormOf(s.w, p);
  if (!(out.radius > 0) || !std::isfinite(out.radius)) {
    out.status = SvmStatus::Failed;
    out.reason = "the SVM solution has no finite, positive norm";
  }
  return out;
}

// [SECTION] the feasible set clipped to a box

ParamBox boxAroundBall(int dim, double radius, double factor) {
  const double h = factor * radius;
  return ParamBox{VectorXd::Constant(dim, -h), VectorXd::Constant(dim, h)};
}

namespace {

// A half-space n^T u >= c in the box's scaled coordinates u = (theta - centre) / scale, with |n| = 1.
struct ScaledHalfSpace {
  VectorXd n;
  double c = 0;
  bool valid = false;  // false: the row is zero (or not finite) after scaling
};

// Snaps values within the tolerance to 0, so a vertex on the plane counts as on it, not on a side.
constexpr double kOnPlane = 1e-11;

double snapped(double h) {
  return std::abs(h) < kOnPlane ? 0.0 : h;
}

// The point where h changes sign between a (h_a) and b (h_b).
VectorXd crossing(const VectorXd& a, const VectorXd& b, double ha, double hb) {
  const double t = ha / (ha - hb);
  return a + t * (b - a);
}

struct LabelledVertex {
  VectorXd at;
  int edgeLabel = 0;  // label of the edge from this vertex to the next
};

// 2D: the convex polygon (counter-clockwise, edges labelled) cut by n^T u >= c; `label` names the new edge.
std::vector<LabelledVertex> clipPolygon2(const std::vector<LabelledVertex>& poly, const ScaledHalfSpace& h,
                                         int label) {
  std::vector<LabelledVertex> out;
  const std::size_t m = poly.size();
  std::vector<double> hv(m);
  for (std::size_t j = 0; j < m; ++j) hv[j] = snapped(h.n.dot(poly[j].at) - h.c);
  for (std::size_t j = 0; j < m; ++j) {
    const std::size_t k = (j + 1) % m;
    const bool curIn = hv[j] >= 0, nextIn = hv[k] >= 0;
    if (curIn && nextIn) {
      out.push_back(poly[j]);
    } else if (curIn && !nextIn) {
      if (hv[j] == 0) {
        out.push_back({poly[j].at, label});  // leaves along the cutting line from this vertex
      } else {
        out.push_back(poly[j]);
        out.push_back({crossing(poly[j].at, poly[k].at, hv[j], hv[k]), label});
      }
    } else if (!curIn && nextIn) {
      if (hv[k] != 0) out.push_back({crossing(poly[j].at, poly[k].at, hv[j], hv[k]), poly[j].edgeLabel});
    }
  }
  // Drop repeated vertices (a cut through a vertex): the edge that leaves the last copy survives.
  std::vector<LabelledVertex> clean;
  for (std::size_t j = 0; j < out.size(); ++j) {
    const LabelledVertex& v = out[j];
    const LabelledVertex& next = out[(j + 1) % out.size()];
    if (out.size() > 1 && (v.at - next.at).norm() < 1e-12) continue;
    clean.push_back(v);
  }
  if (clean.size() < 3) clean.clear();
  return clean;
}

struct Face3 {
  int label = 0;
  std::vector<VectorXd> loop;
};

double polygonArea3(const std::vector<VectorXd>& loop) {
  Eigen::Vector3d s = Eigen::Vector3d::Zero();
  for (std::size_t j = 0; j < loop.size(); ++j) {
    const Eigen::Vector3d a = loop[j], b = loop[(j + 1) % loop.size()];
    s += a.cross(b);
  }
  return 0.5 * s.norm();
}

// 3D: the convex polyhedron (faces counter-clockwise from outside) cut by n^T u >= c; the cap face on
// the cutting plane gets `label`.
std::vector<Face3> clipPolyhedron3(const std::vector<Face3>& faces, const ScaledHalfSpace& h, int label) {
  std::vector<Face3> out;
  std::vector<VectorXd> cap;
  bool coplanarFace = false;
  for (const Face3& f : faces) {
    const std::size_t m = f.loop.size();
    std::vector<double> hv(m);
    bool allOn = true;
    for (std::size_t j = 0; j < m; ++j) {
      hv[j] = snapped(h.n.dot(f.loop[j]) - h.c);
      allOn = allOn && hv[j] == 0;
    }
    if (allOn) {  // the face lies on the plane (a repeated row, or a row along the box): keep it
      coplanarFace = true;
      out.push_back(f);
      continue;
    }
    Face3 g;
    g.label = f.label;
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t k = (j + 1) % m;
      const bool curIn = hv[j] >= 0, nextIn = hv[k] >= 0;
      if (curIn) {
        g.loop.push_back(f.loop[j]);
        if (hv[j] == 0) cap.push_back(f.loop[j]);
      }
      if (curIn != nextIn && hv[j] != 0 && hv[k] != 0) {
        g.loop.push_back(crossing(f.loop[j], f.loop[k], hv[j], hv[k]));
        cap.push_back(g.loop.back());
      }
    }
    std::vector<VectorXd> clean;
    for (std::size_t j = 0; j < g.loop.size(); ++j)
      if ((g.loop[j] - g.loop[(j + 1) % g.loop.size()]).norm() >= 1e-12) clean.push_back(g.loop[j]);
    g.loop = std::move(clean);
    if (g.loop.size() >= 3 && polygonArea3(g.loop) > 1e-20) out.push_back(std::move(g));
  }
  if (coplanarFace || cap.size() < 3) return out;
  // The cap: the cut points ordered by angle around their centroid in the plane, counter-clockwise
  // seen from outside (the outward normal is -n).
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  for (const VectorXd& q : cap) centre += Eigen::Vector3d(q);
  centre /= static_cast<double>(cap.size());
  const Eigen::Vector3d outward = -Eigen::Vector3d(h.n);
  const Eigen::Vector3d e1 = outward.unitOrthogonal(), e2 = outward.cross(e1);
  std::vector<std::pair<double, VectorXd>> byAngle;
  for (const VectorXd& q : cap) {
    const Eigen::Vector3d r = Eigen::Vector3d(q) - centre;
    byAngle.emplace_back(std::atan2(r.dot(e2), r.dot(e1)), q);
  }
  std::sort(byAngle.begin(), byAngle.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  Face3 capFace;
  capFace.label = label;
  for (const auto& [angle, q] : byAngle)
    if (capFace.loop.empty() ||
        ((q - capFace.loop.back()).norm() >= 1e-12 && (q - capFace.loop.front()).norm() >= 1e-12))
      capFace.loop.push_back(q);
  if (capFace.loop.size() >= 3 && polygonArea3(capFace.loop) > 1e-20) out.push_back(std::move(capFace));
  return out;
}

}  // namespace

FeasibleRegion clipFeasibleRegion(const Eigen::Ref<const MatrixXd>& A, const Eigen::Ref<const VectorXd>& b,
                                  const ParamBox& box) {
  FeasibleRegion out;
  const int d = static_cast<int>(box.lo.size());
  out.dim = d;
  if ((d != 2 && d != 3) || box.hi.size() != d || A.cols() != d || A.rows() != b.size()) return out;
  // Scaled coordinates: theta = centre + scale * u with u in [-1, 1]^d (a box of any size or place).
  const VectorXd centre = 0.5 * (box.lo + box.hi);
  const VectorXd half = 0.5 * (box.hi - box.lo);
  if (!centre.allFinite() || !half.allFinite() || !(half.minCoeff() > 0)) return out;
  const Eigen::Index m = A.rows();
  std::vector<ScaledHalfSpace> hs(static_cast<std::size_t>(m));
  for (Eigen::Index k = 0; k < m; ++k) {
    // a^T theta >= b  <=>  (a .* half)^T u >= b - a^T centre; both sides divided by |a .* half|.
    VectorXd n = A.row(k).transpose().cwiseProduct(half);
    const double big = n.cwiseAbs().maxCoeff();
    ScaledHalfSpace& h = hs[static_cast<std::size_t>(k)];
    if (!(big > 0) || !std::isfinite(big)) continue;
    const VectorXd nb = n / big;  // pre-scaled so the norm neither overflows nor underflows
    const double len = nb.norm();
    h.n = nb / len;
    h.c = (b[k] / big - (A.row(k).transpose() / big).dot(centre)) / len;
    h.valid = std::isfinite(h.c) && h.n.allFinite();
    if (!std::isfinite(h.c) && b[k] / big <= 0) h.valid = false;
  }
  // A zero row with b > 0 can never hold: the region is empty.
  for (Eigen::Index k = 0; k < m; ++k)
    if (!hs[static_cast<std::size_t>(k)].valid && b[k] > 0) return out;

  auto toTheta = [&](const VectorXd& u) -> VectorXd { return centre + half.cwiseProduct(u); };
  std::vector<char> hasFace(static_cast<std::size_t>(m), 0);
  if (d == 2) {
    // Counter-clockwise box; the edge from vertex j is box side: bottom (y lo), right (x hi), top, left.
    std::vector<LabelledVertex> poly = {{VectorXd(Eigen::Vector2d(-1, -1)), -1 - 2},
                                        {VectorXd(Eigen::Vector2d(1, -1)), -1 - 1},
                                        {VectorXd(Eigen::Vector2d(1, 1)), -1 - 3},
                                        {VectorXd(Eigen::Vector2d(-1, 1)), -1 - 0}};
    for (Eigen::Index k = 0; k < m && !poly.empty(); ++k)
      if (hs[static_cast<std::size_t>(k)].valid)
        poly = clipPolygon2(poly, hs[static_cast<std::size_t>(k)], static_cast<int>(k));
    if (poly.empty()) return out;
    out.empty = false;
    for (std::size_t j = 0; j < poly.size(); ++j) {
      out.polygon.push_back(toTheta(poly[j].at));
      FeasibleFace f;
      f.row = poly[j].edgeLabel;
      f.vertices = {toTheta(poly[j].at), toTheta(poly[(j + 1) % poly.size()].at)};
      if (f.row >= 0)
        hasFace[static_cast<std::size_t>(f.row)] = 1;
      else
        out.clipped = true;
      out.faces.push_back(std::move(f));
    }
  } else {
    std::vector<Face3> faces;
    // The unit cube's six faces, counter-clockwise seen from outside; side j = 2 * axis + (0 lo, 1 hi).
    for (int axis = 0; axis < 3; ++axis)
      for (int side = 0; side < 2; ++side) {
        const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
        const double s = side == 0 ? -1 : 1;
        Face3 f;
        f.label = -1 - (2 * axis + side);
        // (a1, a2) spans the face; for the hi side (outward +axis) the order a1 -> a2 is counter-clockwise.
        const double corners[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
        for (int c = 0; c < 4; ++c) {
          Eigen::Vector3d q;
          q[axis] = s;
          q[a1] = corners[c][0];
          q[a2] = side == 1 ? corners[c][1] : -corners[c][1];
          f.loop.push_back(q);
        }
        faces.push_back(std::move(f));
      }
    for (Eigen::Index k = 0; k < m && !faces.empty(); ++k)
      if (hs[static_cast<std::size_t>(k)].valid)
        faces = clipPolyhedron3(faces, hs[static_cast<std::size_t>(k)], static_cast<int>(k));
    if (faces.size() < 4) return out;  // no volume left
    out.empty = false;
    for (Face3& f : faces) {
      FeasibleFace g;
      g.row = f.label;
      for (const VectorXd& u : f.loop) g.vertices.push_back(toTheta(u));
      if (g.row >= 0)
        hasFace[static_cast<std::size_t>(g.row)] = 1;
      else
        out.clipped = true;
      out.faces.push_back(std::move(g));
    }
  }
  for (Eigen::Index k = 0; k < m; ++k)
    if (!hasFace[static_cast<std::size_t>(k)]) out.rowsWithoutFace.push_back(static_cast<int>(k));
  return out;
}

// [SECTION] the l_p sphere

namespace {

double signedPower(double u, double e) {
  return std::copysign(std::pow(std::abs(u), e), u);
}

}  // namespace

std::vector<VectorXd> lpCircle(double p, double radius, int count) {
  std::vector<VectorXd> out;
  out.reserve(static_cast<std::size_t>(std::max(count, 0)));
  const double e = 2.0 / p;
  for (int k = 0; k < count; ++k) {
    const double phi = 2 * std::numbers::pi * k / count;
    out.push_back(radius *
                  VectorXd(Eigen::Vector2d(signedPower(std::cos(phi), e), signedPower(std::sin(phi), e))));
  }
  return out;
}

VectorXd lpSphereNormal(const Eigen::Ref<const VectorXd>& x, double p) {
  // grad ||x||_p is proportional to sign(x)|x|^{p-1}; divided by the largest entry first (scale-free).
  const double big = x.cwiseAbs().maxCoeff();
  VectorXd g(x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) g[j] = signedPower(x[j] / big, p - 1);
  return g.normalized();
}

LpSphereMesh lpSphereMesh(double p, double radius, int latitudes, int longitudes) {
  LpSphereMesh out;
  out.latitudes = latitudes;
  out.longitudes = longitudes;
  const double e = 2.0 / p;
  for (int i = 0; i <= latitudes; ++i) {
    const double theta = std::numbers::pi * i / latitudes;  // from the +x3 pole
    for (int j = 0; j < longitudes; ++j) {
      const double phi = 2 * std::numbers::pi * j / longitudes;
      const Eigen::Vector3d u(std::sin(theta) * std::cos(phi), std::sin(theta) * std::sin(phi),
                              std::cos(theta));
      const Eigen::Vector3d x(radius * signedPower(u[0], e), radius * signedPower(u[1], e),
                              radius * signedPower(u[2], e));
      out.points.push_back(x);
      // At a pole or where the normal's formula degenerates, the l_2 normal u is the right limit.
      Eigen::Vector3d n = x.cwiseAbs().maxCoeff() > 0 ? Eigen::Vector3d(lpSphereNormal(x, p)) : u;
      if (!n.allFinite()) n = u;
      out.normals.push_back(n);
    }
  }
  return out;
}

// [SECTION] the normalized trail

NormalizedTrail normalizedTrail(const std::vector<VectorXd>& iterates, double p, double radius) {
  NormalizedTrail out;
  for (std::size_t k = 0; k < iterates.size(); ++k) {
    const VectorXd& x = iterates[k];
    const double n = lpNormOf(x, p);
    if (!(n > 0) || !std::isfinite(n)) {
      ++out.skipped;
      continue;
    }
    // x * (radius / n) could overflow for x ~ 1e300 and radius ~ 1: divide by the norm first.
    out.points.push_back((x / n) * radius);
    out.source.push_back(static_cast<int>(k));
  }
  return out;
}

}  // namespace attnmd::core
