// Which tokens (docs/theory.md §6): optimal tokens by score, selected tokens by attention, the support tokens
// of a selection's SVM, and whether a selection is locally or globally optimal. Independent of the
// training code: logits are computed here from the parameters (docs/theory.md §2).
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/scene.h"
#include "core/svm.h"

namespace attnmd::core {

// docs/theory.md §6: gamma_it = Y_i v^T x_it, one vector per sequence.
std::vector<Eigen::VectorXd> tokenScores(const Scene& scene, const Eigen::Ref<const Eigen::VectorXd>& v);

// docs/theory.md §6: opt_i = argmax_t gamma_it (the lowest index among ties). `v` defaults to scene.model.v.
std::vector<int> optimalTokens(const Scene& scene, const Eigen::Ref<const Eigen::VectorXd>& v);
std::vector<int> optimalTokens(const Scene& scene);

// docs/theory.md §2: attention logits a_it. prompt: (M x_it)^T p; query: x_it^T W z_i; kq: W = K Q^T.
// Empty vectors when the parameters the model needs are missing or have the wrong shape.
std::vector<Eigen::VectorXd> attentionLogits(const Scene& scene, const Params& params);

// docs/theory.md §6: alpha_i = argmax_t s_it = argmax_t a_it (the lowest index among ties; -1 for a sequence
// whose logits are missing or not finite).
std::vector<int> selectedTokens(const Scene& scene, const Params& params);

// The support tokens of an SVM per sequence: supportBySequence[i] lists the t of its active rows.
std::vector<std::vector<int>> supportBySequence(const Scene& scene, const AttentionSvm& svm);

// docs/theory.md §6 for one selection alpha and its SVM (the l_p or nuclear SVM the caller asks for).
struct SelectionAnalysis {
  std::vector<int> tokens;                // alpha
  std::vector<int> optimal;               // opt (at the v used)
  AttentionSvm svm;                       // the SVM of alpha: solution, support, direction
  std::vector<std::vector<int>> support;  // support tokens per sequence
  bool feasible = false;                  // the SVM of alpha has a solution
  bool locallyOptimal = false;   // feasible, and gamma_{i alpha_i} > gamma_it for every support token t
  bool globallyOptimal = false;  // gamma_{i alpha_i} = max_t gamma_it for every i (alpha = opt up to ties)
  // Sequences that break local optimality: some support token scores at least as high as alpha_i.
  std::vector<int> blockingSequences;
  std::string explanation;  // one sentence for the UI / CLI
};

// `v` defaults to scene.model.v. `warm` is passed on to solveAttentionSvm (a previous SVM of the same
// selection, e.g. while a token is dragged).
SelectionAnalysis analyzeSelection(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                                   const Eigen::Ref<const Eigen::VectorXd>& v,
                                   const AttentionSvm* warm = nullptr);
SelectionAnalysis analyzeSelection(const Scene& scene, const std::vector<int>& alpha, SvmNorm norm, double p,
                                   const AttentionSvm* warm = nullptr);

}  // namespace attnmd::core
