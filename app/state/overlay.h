// What the canvas and the heat map show on top of the data: per-token attention values, token roles
// and the directions of the trained parameter and of the SVM. Plain data, filled by theory.cpp from
// core state (model.h, svm.h) each frame; panels only draw it, so they can be tested with hand-made
// overlays and never compute any math themselves.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "core/enums.h"

namespace attnmd::gui {

struct TokenValues {
  double s = 0;      // s_it, softmax weight (docs/theory.md §2)
  double gamma = 0;  // gamma_it = Y_i v^T x_it (docs/theory.md §1)
  double logit = 0;  // a_it
};

struct CanvasOverlay {
  // Per-token values at the displayed parameters; empty when they are not available (then markers
  // have a neutral size). Indexed [sequence][token], shaped like the scene.
  std::vector<std::vector<TokenValues>> tokens;
  std::vector<int> selected;  // alpha_i = argmax_t s_it, per sequence; -1 at a tie (empty: not evaluated)
  std::vector<int> optimal;   // opt_i = argmax_t gamma_it

  core::ModelKind model = core::ModelKind::Prompt;
  // Prompt model: directions in token space that rank the tokens, M^T p (trained) and M^T p^mm (SVM).
  Eigen::VectorXd paramRay;
  Eigen::VectorXd svmRay;
  // Query / kq models: the effective queries W z_i and W^mm z_i per sequence.
  std::vector<Eigen::VectorXd> paramQueries;
  std::vector<Eigen::VectorXd> svmQueries;

  // The SVM shown (for the token choice of the experiment panel).
  bool svmOk = false;          // a solution exists: rays, margin lines, support marks
  std::string svmMessage;      // why not ("infeasible: token 1 of sequence 2 equals ...")
  std::vector<int> svmTokens;  // the alpha the SVM is for
  int tiedSequences = 0;       // sequences whose attention has not picked a token yet (a
                               // tie): their SVM token is the optimal one; when that SVM
                               // is infeasible too, no SVM and no error (svmMessage "")
  bool relaxedSvm = false;     // the relaxed prompt SVM of joint (p, v) training (docs/theory.md §5)
  std::vector<std::vector<char>> support;  // [seq][token]: an active constraint of the SVM
  // Margin line of sequence i: {x : n_i^T x = c_i} with n_i = q_i and c_i = x_{i alpha_i}^T q_i - 1,
  // where q_i = M^T p^mm (prompt) or W^mm z_i (query/kq), docs/theory.md §5.
  std::vector<Eigen::VectorXd> marginNormal;
  std::vector<double> marginOffset;

  Eigen::VectorXd trainedV;  // the current v when v is trained (else empty)

  // Comparing runs: the colour of this run's rays (0: the theme's colours, one run), and in the
  // overlay view every other visible run's rays in its colour (ABGR as ImU32, 0xAABBGGRR).
  std::uint32_t runColour = 0;
  struct OtherRun {
    std::string name;
    std::uint32_t colour = 0;
    Eigen::VectorXd paramRay, svmRay;                       // prompt model (svmRay empty: no SVM)
    std::vector<Eigen::VectorXd> paramQueries, svmQueries;  // query / kq models
  };
  std::vector<OtherRun> otherRuns;

  // The direction trails (canvas_trails.h): this run's M^T p (prompt) or W z_i (query / kq) at recorded
  // steps up to the one shown, oldest first; empty when nothing is recorded yet.
  std::vector<long long> trailSteps;
  std::vector<Eigen::VectorXd> paramRayTrail;
  std::vector<std::vector<Eigen::VectorXd>> paramQueryTrail;  // [k][i]

  std::string hint;  // short text shown on the canvas (e.g. "press Space to train")
  long long iteration = 0;
};

// Whether the overlay has values (attention, scores) for token `token` of sequence `seq`: a token
// just added has none until the next snapshot.
inline bool hasValues(const CanvasOverlay& ov, int seq, int token) {
  return seq < static_cast<int>(ov.tokens.size()) &&
         token < static_cast<int>(ov.tokens[static_cast<std::size_t>(seq)].size());
}

// "#rrggbb" as an opaque ImU32 (0xffBBGGRR); 0 when it is not that form.
std::uint32_t parseRunColour(const std::string& hex);

}  // namespace attnmd::gui
