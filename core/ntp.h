// Next-token prediction (NTP): a one-layer transformer trained in two stages (docs/theory.md §10,
// after Huang, Liang and Yang, NeurIPS 2024).
//
// A vocabulary of K tokens with embeddings e_0..e_{K-1} in R^d, a collocation C (each token a has at
// most one successor n(a)), and sentences whose last token is the query q_i and whose label is the
// next token y_i. The model: attention a_it = e_{w_it}^T W_kq e_{q_i} over all positions (the query
// included), s_i = softmax(a_i), logits o_i = W_ov sum_t s_it e_{w_it}, cross-entropy loss.
//
// Plain data and free functions, like the rest of core: the scene (NtpScene), the data's structure
// (analyzeNtp: optimal tokens, realizability, the query-dependent partial orders), the model and its
// stable gradients (evaluateNtp, ntpSentenceGradient, ntpCollocationGradient). Training, SVMs and
// metrics live in ntp_run.h; files in scene_io.h.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/enums.h"
#include "core/scene.h"

namespace attnmd::core {

enum class NtpSchedule {
  TwoStage,  // stage 1: W_ov on the collocation loss; stage 2: W_kq on the sentence loss (W_ov frozen)
  Joint,     // both tensors on the sentence loss from the first step
};
const char* ntpScheduleName(NtpSchedule s);  // "two_stage", "joint"

struct NtpWord {
  std::string name;           // shown in the app and messages; defaults to the index
  Eigen::VectorXd embedding;  // e_a, d numbers
};

struct NtpSentence {
  std::vector<int> tokens;  // T >= 2 vocabulary indices; the last one is the query
  int next = 0;             // the label y: the vocabulary index of the next token
  int query() const { return tokens.back(); }
};

struct NtpParams {
  Eigen::MatrixXd Wov;  // K x d: logits o = W_ov r
  Eigen::MatrixXd Wkq;  // d x d: a_t = e_{w_t}^T W_kq e_q
};

struct NtpInit {
  InitKind kind = InitKind::Zeros;
  double scale = 1.0;  // gaussian: standard deviation
  NtpParams given;     // given: both tensors
};

struct NtpScene {
  int dim = 2;  // d, the embedding length
  std::vector<NtpWord> vocabulary;
  std::vector<std::pair<int, int>> collocation;  // (a, n(a)), each a at most once
  std::vector<NtpSentence> sentences;
  NtpSchedule schedule = NtpSchedule::TwoStage;
  long long stage1Iterations = 2000;  // two_stage: N_1, the steps of stage 1 (counted in `iterations`)
  OptimizerSpec optimizer{OptimizerKind::NGD, 2.0, 0.1};
  NtpInit init;
  long long iterations = 20000;
  std::uint64_t seed = 0;
  std::string extrasJson;  // unknown fields, kept verbatim (as Scene::extrasJson)

  int vocabularySize() const { return static_cast<int>(vocabulary.size()); }
  int sentenceCount() const { return static_cast<int>(sentences.size()); }
  const Eigen::VectorXd& embedding(int token) const {
    return vocabulary[static_cast<std::size_t>(token)].embedding;
  }
  std::string wordName(int token) const;  // the name, or "#<index>" when it has none
};

// ---------------------------------------------------------------------------------------------------
// The data's structure: docs/theory.md §10.1
// ---------------------------------------------------------------------------------------------------

// A relation of one query: `winner` must get more attention than `loser` (token ids).
struct NtpPreference {
  int winner = 0, loser = 0;
  int sentence = 0;  // the first sentence that implies it
  bool operator==(const NtpPreference&) const = default;
};

struct NtpQueryOrder {
  int query = 0;
  std::vector<int> sentences;              // the sentences with this query
  std::vector<NtpPreference> preferences;  // o_i > b for each sentence i and token id b != o_i of it
  std::vector<NtpPreference> hasse;        // the transitive reduction (the Hasse diagram's edges)
  std::vector<int> cycle;                  // non-empty: token ids a -> b -> ... -> a, each preferred
                                           // over the next: no attention can satisfy them all
};

struct NtpSentenceInfo {
  int optimalToken = -1;  // o_i: the token id of the sentence whose successor is the label; -1 if none
  bool realizable = false;
  std::string problem;  // why not realizable, in words naming the sentence (empty when realizable)
};

struct NtpAnalysis {
  std::vector<int> successor;              // n(a) per token, -1 when a has none
  std::vector<NtpSentenceInfo> sentences;  // per sentence
  std::vector<NtpQueryOrder> orders;       // one per distinct query, ascending token id
  std::vector<std::string> warnings;       // every problem, one line each (non-realizable, cycles)
  bool realizable = true;                  // every sentence realizable and no query order has a cycle
};
NtpAnalysis analyzeNtp(const NtpScene& scene);

// ---------------------------------------------------------------------------------------------------
// The model and its gradients: docs/theory.md §10.2-3
// ---------------------------------------------------------------------------------------------------

struct NtpSentenceEval {
  Eigen::VectorXd attention;  // s_t per position
  Eigen::VectorXd logits;     // o, K numbers
  int top = 0;                // alpha: the position with the largest a_t (first of ties)
  double logOneMinusTop = 0;  // log(1 - s_alpha), exact far below 1e-16
  double logError = 0;        // log(1 - pi_y), the probability the model does not give the label
  double logLoss = 0;         // log CE_i, exact far below 1e-300
  bool correct = false;       // argmax o = y
};

struct NtpEvaluation {
  std::vector<NtpSentenceEval> seqs;
  double loss = 0;     // L = (1/n) sum_i CE_i (0 once it underflows)
  double logLoss = 0;  // log L (-inf for no sentences)
  double accuracy = 0;
};
void evaluateNtp(const NtpScene& scene, const NtpParams& params, NtpEvaluation& out);

// Collocation loss L_C = (1/|C|) sum CE(W_ov e_a, n(a)) and its log (0 and -inf without pairs).
struct NtpCollocationLoss {
  double loss = 0;
  double logLoss = -1.0 / 0.0;
};
NtpCollocationLoss ntpCollocationLoss(const NtpScene& scene, const Eigen::MatrixXd& Wov);

// Gradients with their scale: the true gradient is exp(logScale) * grad, so directions survive when
// the loss is far below 1e-300 (docs/theory.md §3, §10.3).
// Buffers the gradients reuse from step to step (sized by the first call): allocating them afresh each
// step cost more than the arithmetic (page faults as the heap grew and shrank).
struct NtpWorkspace {
  Eigen::MatrixXd inputs, keys, R, logits, directions, V, keyGrads;
  Eigen::VectorXd a, s, rest, logOneMinusTop, logError, logLosses;
  std::vector<int> top;
};

struct NtpGradient {
  Eigen::MatrixXd Wov, Wkq;
  double logScaleOv = 0, logScaleKq = 0;
  NtpWorkspace work;
  Eigen::MatrixXd trueWov() const { return std::exp(logScaleOv) * Wov; }
  Eigen::MatrixXd trueWkq() const { return std::exp(logScaleKq) * Wkq; }
};
// Gradient of the sentence loss L in both tensors; returns L and sets *logLoss (when non-null).
double ntpSentenceGradient(const NtpScene& scene, const NtpParams& params, NtpGradient& grad,
                           double* logLoss = nullptr);
// Gradient of the collocation loss in W_ov (grad.Wov, grad.logScaleOv; W_kq's entries are zero).
double ntpCollocationGradient(const NtpScene& scene, const NtpParams& params, NtpGradient& grad,
                              double* logLoss = nullptr);

// The starting parameters: zeros, gaussian (from scene.seed: W_ov then W_kq, row-major), or given.
NtpParams ntpInitialParams(const NtpScene& scene);

// log(sum_k exp(x_k)) of a non-empty list, with -inf entries allowed.
double logSumExp(const Eigen::Ref<const Eigen::VectorXd>& x);

}  // namespace attnmd::core
