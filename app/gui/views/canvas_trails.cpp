#include "app/gui/views/canvas_trails.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "app/gui/widgets/theme.h"

namespace attnmd::gui {

DirectionHistory directionHistory(const core::Scene& scene, const std::vector<long long>& steps,
                                  const std::vector<core::Params>& params) {
  DirectionHistory h;
  const int d = scene.dim;
  const bool prompt = scene.model.kind == core::ModelKind::Prompt;
  const Eigen::MatrixXd Mt =
      prompt ? Eigen::MatrixXd(scene.keyMatrixOrIdentity().transpose()) : Eigen::MatrixXd();
  for (std::size_t k = 0; k < params.size() && k < steps.size(); ++k) {
    const core::Params& P = params[k];
    if (prompt) {
      if (P.p.size() != d) continue;
      h.rays.push_back(Mt * P.p);  // docs/theory.md §2: a_it = (M x_it)^T p = x_it^T (M^T p)
    } else {
      Eigen::MatrixXd W;
      if (P.W.rows() == d && P.W.cols() == d)
        W = P.W;
      else if (P.K.rows() == d && P.Q.rows() == d && P.K.cols() == P.Q.cols())
        W = P.K * P.Q.transpose();
      else
        continue;
      std::vector<Eigen::VectorXd> q;
      for (int i = 0; i < scene.sequenceCount(); ++i) q.push_back(W * scene.queryOf(i));
      h.queries.push_back(std::move(q));
    }
    h.steps.push_back(steps[k]);
  }
  return h;
}

void appendDirectionFan(CanvasScene& out, const std::vector<Eigen::VectorXd>& directions,
                        const std::vector<long long>& steps, ImU32 colour,
                        const std::function<bool(const Eigen::VectorXd&, ImVec2&, ImVec2&)>& segment,
                        const DirectionFanOptions& o) {
  const std::size_t n = std::min(directions.size(), steps.size());
  if (n == 0 || o.maxRays <= 0) return;
  const long long last = std::max(1LL, steps[n - 1]);
  const double span = std::log1p(static_cast<double>(last));
  // Evenly in log(step): the direction turns most in the first steps.
  std::vector<std::size_t> chosen;
  double nextAt = -1;
  for (std::size_t k = 0; k < n; ++k) {
    const double at = std::log1p(static_cast<double>(std::max(0LL, steps[k])));
    if (at >= nextAt || k + 1 == n) {
      chosen.push_back(k);
      nextAt = at + span / o.maxRays;
    }
  }
  const float baseAlpha = static_cast<float>((colour >> IM_COL32_A_SHIFT) & 0xFF) / 255.f;
  for (std::size_t k : chosen) {
    const Eigen::VectorXd& dir = directions[k];
    if (!dir.allFinite() || !(dir.cwiseAbs().maxCoeff() > 0)) continue;  // theta = 0 has no direction
    ImVec2 a, b;
    if (!segment(dir, a, b)) continue;
    const double f = span > 0 ? std::log1p(static_cast<double>(std::max(0LL, steps[k]))) / span : 1.0;
    const float alpha = baseAlpha * (o.firstAlpha + (o.lastAlpha - o.firstAlpha) * static_cast<float>(f));
    CanvasShape line;
    line.kind = ShapeKind::Line;
    line.a = a;
    line.b = b;
    line.thickness = o.thickness * out.scale;
    line.color = (colour & ~IM_COL32_A_MASK) |
                 (static_cast<ImU32>(std::clamp(alpha, 0.f, 1.f) * 255.f + 0.5f) << IM_COL32_A_SHIFT);
    out.shapes.push_back(std::move(line));
  }
}

void addDirectionTrails(
    CanvasScene& out, const CanvasOverlay& ov,
    const std::function<bool(const Eigen::VectorXd&, ImVec2&, ImVec2&)>& ray,
    const std::function<bool(int, const Eigen::VectorXd&, ImVec2&, ImVec2&)>& queryArrow) {
  if (ov.trailSteps.empty()) return;
  if (ov.model == core::ModelKind::Prompt) {
    if (ov.paramRayTrail.size() != ov.trailSteps.size()) return;
    appendDirectionFan(out, ov.paramRayTrail, ov.trailSteps,
                       ov.runColour ? ov.runColour : palette(out.theme).foreground, ray);
    return;
  }
  if (ov.paramQueryTrail.size() != ov.trailSteps.size()) return;
  const std::size_t n = ov.paramQueryTrail.empty() ? 0 : ov.paramQueryTrail.front().size();
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<Eigen::VectorXd> dirs;
    std::vector<long long> steps;
    for (std::size_t k = 0; k < ov.paramQueryTrail.size(); ++k)
      if (i < ov.paramQueryTrail[k].size()) {
        dirs.push_back(ov.paramQueryTrail[k][i]);
        steps.push_back(ov.trailSteps[k]);
      }
    const int seq = static_cast<int>(i);
    appendDirectionFan(
        out, dirs, steps, ov.runColour ? ov.runColour : sequenceColour(out.theme, seq),
        [&](const Eigen::VectorXd& d, ImVec2& a, ImVec2& b) { return queryArrow(seq, d, a, b); });
  }
}

void addCanvasDirectionTrails(CanvasScene& out, const core::Scene& scene, const CanvasOverlay& ov,
                              const CanvasTransform& t) {
  const float len = 0.16f * std::min(t.max.x - t.min.x, t.max.y - t.min.y);  // as the canvas's arrows
  addDirectionTrails(
      out, ov, [&](const Eigen::VectorXd& d, ImVec2& a, ImVec2& b) { return clipRay(t, planar(d), a, b); },
      [&](int i, const Eigen::VectorXd& q, ImVec2& a, ImVec2& b) {
        if (i >= scene.sequenceCount()) return false;
        const Eigen::Vector2d d = planar(q);
        const double l = d.norm();
        if (!(l > 1e-300) || !std::isfinite(l)) return false;
        a = t.toScreen(planar(scene.queryOf(i)));
        b = ImVec2(a.x + len * static_cast<float>(d.x() / l), a.y - len * static_cast<float>(d.y() / l));
        return true;
      });
}

void addView3DDirectionTrails(CanvasScene& out, const core::Scene& scene, const CanvasOverlay& ov,
                              const Projection3D& P) {
  const double reach = sceneBounds(scene).reach;
  // The depths of each line's ends (canvas pixels towards the viewer, the depth layer's units), in the
  // order appendDirectionFan adds the lines: one per segment it is given.
  std::vector<std::pair<float, float>> ends;
  auto along = [&](const Eigen::Vector3d& from, const Eigen::VectorXd& q, double length, ImVec2& a,
                   ImVec2& b) {
    const Eigen::Vector3d d = spatial(q);
    const double big = d.cwiseAbs().maxCoeff();
    if (!(big > 0) || !std::isfinite(big)) return false;
    const Eigen::Vector3d u = (d / big).normalized(), to = from + length * u;
    a = P.toScreen(from);
    b = P.toScreen(to);
    ends.emplace_back(static_cast<float>(P.depth(from) * P.pixelsPerUnit),
                      static_cast<float>(P.depth(to) * P.pixelsPerUnit));
    return true;
  };
  const std::size_t first = out.shapes.size();
  addDirectionTrails(
      out, ov,
      [&](const Eigen::VectorXd& d, ImVec2& a, ImVec2& b) {
        return along(Eigen::Vector3d::Zero(), d, reach, a, b);
      },
      [&](int i, const Eigen::VectorXd& q, ImVec2& a, ImVec2& b) {
        if (i >= scene.sequenceCount()) return false;
        return along(spatial(scene.queryOf(i)), q, 0.25 * reach, a, b);
      });
  // The fan into the depth layer, like every other line of the 3D view: nearer tokens hide it, it
  // hides farther ones.
  if (out.shapes.size() - first != ends.size()) return;  // (not one line per segment: left flat)
  for (std::size_t k = 0; k < ends.size(); ++k) {
    DepthShape d;
    d.shape = std::move(out.shapes[first + k]);
    d.za = ends[k].first;
    d.zb = ends[k].second;
    out.depth.shapes.push_back(std::move(d));
  }
  out.shapes.resize(first);
}

}  // namespace attnmd::gui
