// Next-token prediction: the data's structure, the model and its stable gradients (docs/theory.md §10).
//
// [SECTION] names and small helpers
// [SECTION] analysis: optimal tokens, realizability, partial orders
// [SECTION] the model, the losses in log form
// [SECTION] gradients
#include "core/ntp.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/generators.h"

namespace attnmd::core {

namespace {
constexpr double kNtpInf = std::numeric_limits<double>::infinity();
}

// =====================================================================================================
// [SECTION] names and small helpers
// =====================================================================================================

const char* ntpScheduleName(NtpSchedule s) {
  return s == NtpSchedule::Joint ? "joint" : "two_stage";
}

std::string NtpScene::wordName(int token) const {
  if (token >= 0 && token < vocabularySize() && !vocabulary[static_cast<std::size_t>(token)].name.empty())
    return vocabulary[static_cast<std::size_t>(token)].name;
  std::string s(1, '#');  // appended, not "#" + ...: GCC 12 warns falsely (-Wrestrict) on that form
  s += std::to_string(token);
  return s;
}

double logSumExp(const Eigen::Ref<const Eigen::VectorXd>& x) {
  if (x.size() == 0) return -kNtpInf;
  const double m = x.maxCoeff();
  if (!std::isfinite(m)) return m;  // all -inf, or some +inf/NaN
  return m + std::log((x.array() - m).exp().sum());
}

namespace {

// log(1 + e^x) without overflow.
double logOnePlusExp(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

// log sum_{k != skip} e^{x_k}, and e^{x_k - that} for k != skip into `share` (0 at skip; sized like x).
double logSumExcept(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Index skip,
                    Eigen::Ref<Eigen::VectorXd> share) {
  double m = -kNtpInf;
  for (Eigen::Index k = 0; k < x.size(); ++k)
    if (k != skip) m = std::max(m, x(k));
  double sum = 0;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    share(k) = k == skip ? 0.0 : std::exp(x(k) - m);
    sum += share(k);
  }
  share /= sum;
  return m + std::log(sum);
}

// One cross-entropy term CE(o, y) = logsumexp(o) - o_y, with log(1 - pi_y) and log CE exact in deep
// saturation, and (pi - u_y) / (1 - pi_y) in `direction` (entries pi_c / (1 - pi_y), and -1 at y).
struct CrossEntropy {
  double loss = 0, logLoss = 0, logError = 0;
};
CrossEntropy crossEntropy(const Eigen::Ref<const Eigen::VectorXd>& o, int y,
                          Eigen::Ref<Eigen::VectorXd> direction) {
  const double lseOthers = logSumExcept(o, y, direction);
  const double lse = logOnePlusExp(lseOthers - o(y)) + o(y);  // log(e^{o_y} + e^{lseOthers})
  CrossEntropy ce;
  ce.logError = lseOthers - lse;  // log(1 - pi_y) = log sum_{c != y} pi_c
  // CE = -log pi_y: direct while pi_y is small, -log1p(-(1 - pi_y)) once it is close to 1.
  ce.loss = ce.logError < std::log(0.5) ? -std::log1p(-std::exp(ce.logError)) : lse - o(y);
  ce.logLoss = ce.loss > 1e-300 ? std::log(ce.loss) : ce.logError;  // CE = (1 - pi_y)(1 + O(1 - pi_y))
  direction(y) = -1.0;
  return ce;
}

}  // namespace

// =====================================================================================================
// [SECTION] analysis
// =====================================================================================================

NtpAnalysis analyzeNtp(const NtpScene& scene) {
  NtpAnalysis a;
  const int K = scene.vocabularySize();
  a.successor.assign(static_cast<std::size_t>(K), -1);
  for (const auto& [from, to] : scene.collocation)
    if (from >= 0 && from < K) a.successor[static_cast<std::size_t>(from)] = to;

  std::map<int, NtpQueryOrder> orders;
  a.sentences.resize(scene.sentences.size());
  for (int i = 0; i < scene.sentenceCount(); ++i) {
    const NtpSentence& s = scene.sentences[static_cast<std::size_t>(i)];
    NtpSentenceInfo& info = a.sentences[static_cast<std::size_t>(i)];
    std::set<int> ids(s.tokens.begin(), s.tokens.end());
    std::vector<int> qualifying;
    for (int t : ids)
      if (t >= 0 && t < K && a.successor[static_cast<std::size_t>(t)] == s.next) qualifying.push_back(t);
    const std::string label =
        "sentence " + std::to_string(i) + " (next token " + scene.wordName(s.next) + ")";
    if (qualifying.empty()) {
      info.problem = label + ": none of its tokens is followed by " + scene.wordName(s.next) +
                     " in the collocation, so no attention can predict it";
    } else if (qualifying.size() > 1) {
      info.problem = label + ": " + scene.wordName(qualifying[0]) + " and " + scene.wordName(qualifying[1]) +
                     " are both followed by " + scene.wordName(s.next) +
                     ", so the sentence has no single optimal token";
      info.optimalToken = -1;
    } else {
      info.optimalToken = qualifying[0];
      info.realizable = true;
    }
    NtpQueryOrder& order = orders[s.query()];
    order.query = s.query();
    order.sentences.push_back(i);
    if (info.realizable) {
      for (int b : ids) {
        if (b == info.optimalToken) continue;
        const NtpPreference pref{info.optimalToken, b, i};
        const bool seen = std::any_of(order.preferences.begin(), order.preferences.end(), [&](const auto& p) {
          return p.winner == pref.winner && p.loser == pref.loser;
        });
        if (!seen) order.preferences.push_back(pref);
      }
    } else {
      a.realizable = false;
      a.warnings.push_back(info.problem);
    }
  }

  // Per query: the relation's transitive closure (a small Floyd-Warshall over the tokens it names),
  // a cycle if there is one, and the Hasse diagram (edges implied by no longer path).
  for (auto& [q, order] : orders) {
    std::vector<int> nodes;
    for (const NtpPreference& p : order.preferences) {
      nodes.push_back(p.winner);
      nodes.push_back(p.loser);
    }
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    const std::size_t m = nodes.size();
    auto at = [&](int token) {
      return static_cast<std::size_t>(std::lower_bound(nodes.begin(), nodes.end(), token) - nodes.begin());
    };
    std::vector<std::vector<char>> reach(m, std::vector<char>(m, 0));
    std::vector<std::vector<int>> next(m, std::vector<int>(m, -1));  // path reconstruction
    for (const NtpPreference& p : order.preferences) {
      reach[at(p.winner)][at(p.loser)] = 1;
      next[at(p.winner)][at(p.loser)] = static_cast<int>(at(p.loser));
    }
    for (std::size_t k = 0; k < m; ++k)
      for (std::size_t i = 0; i < m; ++i)
        if (reach[i][k])
          for (std::size_t j = 0; j < m; ++j)
            if (reach[k][j] && !reach[i][j]) {
              reach[i][j] = 1;
              next[i][j] = next[i][k];
            }
    for (std::size_t i = 0; i < m && order.cycle.empty(); ++i) {
      if (!reach[i][i]) continue;
      std::size_t u = i;
      do {
        order.cycle.push_back(nodes[u]);
        u = static_cast<std::size_t>(next[u][i]);
      } while (u != i && order.cycle.size() <= m);
      order.cycle.push_back(nodes[i]);
    }
    if (!order.cycle.empty()) {
      a.realizable = false;
      std::string chain;
      for (std::size_t k = 0; k < order.cycle.size(); ++k)
        chain += (k ? " > " : "") + scene.wordName(order.cycle[k]);
      a.warnings.push_back("query " + scene.wordName(q) + ": its sentences ask for " + chain +
                           ", a cycle no attention can satisfy (the data is not realizable)");
    } else {
      for (const NtpPreference& p : order.preferences) {
        const std::size_t i = at(p.winner), j = at(p.loser);
        bool implied = false;
        for (std::size_t k = 0; k < m && !implied; ++k)
          implied = k != i && k != j && reach[i][k] && reach[k][j];
        if (!implied) order.hasse.push_back(p);
      }
    }
    a.orders.push_back(std::move(order));
  }
  return a;
}

// =====================================================================================================
// [SECTION] the model
// =====================================================================================================

namespace {

// Attention of one sentence into segments of flat buffers: a_t, s_t and, for the gradient, the shares
// s_t / (1 - s_top) of the other positions (`rest`, 0 at top). Returns the top position (first of
// ties) and sets log(1 - s_top), exact far below 1e-16.
int attend(const NtpScene& scene, const NtpSentence& sen, const Eigen::Ref<const Eigen::VectorXd>& key,
           Eigen::Ref<Eigen::VectorXd> a, Eigen::Ref<Eigen::VectorXd> s, Eigen::Ref<Eigen::VectorXd> rest,
           double& logOneMinusTop) {
  const auto T = static_cast<Eigen::Index>(sen.tokens.size());
  for (Eigen::Index t = 0; t < T; ++t)
    a(t) = scene.embedding(sen.tokens[static_cast<std::size_t>(t)]).dot(key);
  Eigen::Index top = 0;
  a.maxCoeff(&top);
  const double l = logSumExcept(a, top, rest) - a(top);  // log sum_{t != top} e^{a_t - a_top}
  const double norm = logOnePlusExp(l);                  // log(1 + sum_{t != top} e^{a_t - a_top})
  logOneMinusTop = l - norm;
  for (Eigen::Index t = 0; t < T; ++t) s(t) = std::exp(a(t) - a(top) - norm);
  return static_cast<int>(top);
}

// The flat layout of every sentence's positions: sentence i owns [offset[i], offset[i + 1]).
std::vector<Eigen::Index> positionOffsets(const NtpScene& scene) {
  std::vector<Eigen::Index> off(scene.sentences.size() + 1, 0);
  for (std::size_t i = 0; i < scene.sentences.size(); ++i)
    off[i + 1] = off[i] + static_cast<Eigen::Index>(scene.sentences[i].tokens.size());
  return off;
}

}  // namespace

void evaluateNtp(const NtpScene& scene, const NtpParams& params, NtpEvaluation& out) {
  const int n = scene.sentenceCount();
  out.seqs.resize(static_cast<std::size_t>(n));
  Eigen::VectorXd logLosses(n);
  double sum = 0;
  int correct = 0;
  Eigen::VectorXd a, rest, direction(params.Wov.rows());
  for (int i = 0; i < n; ++i) {
    const NtpSentence& sen = scene.sentences[static_cast<std::size_t>(i)];
    NtpSentenceEval& e = out.seqs[static_cast<std::size_t>(i)];
    const auto T = static_cast<Eigen::Index>(sen.tokens.size());
    a.resize(T);
    rest.resize(T);
    e.attention.resize(T);
    e.top =
        attend(scene, sen, params.Wkq * scene.embedding(sen.query()), a, e.attention, rest, e.logOneMinusTop);
    Eigen::VectorXd r = Eigen::VectorXd::Zero(scene.dim);
    for (std::size_t t = 0; t < sen.tokens.size(); ++t)
      r += e.attention(static_cast<Eigen::Index>(t)) * scene.embedding(sen.tokens[t]);
    e.logits = params.Wov * r;
    const CrossEntropy ce = crossEntropy(e.logits, sen.next, direction);
    e.logError = ce.logError;
    e.logLoss = ce.logLoss;
    sum += ce.loss;
    logLosses(i) = ce.logLoss;
    Eigen::Index best = 0;
    e.logits.maxCoeff(&best);
    e.correct = best == sen.next && (e.logits.array() == e.logits(best)).count() == 1;
    correct += e.correct ? 1 : 0;
  }
  out.loss = n > 0 ? sum / n : 0.0;
  out.logLoss = n > 0 ? logSumExp(logLosses) - std::log(static_cast<double>(n)) : -kNtpInf;
  out.accuracy = n > 0 ? static_cast<double>(correct) / n : 0.0;
}

NtpCollocationLoss ntpCollocationLoss(const NtpScene& scene, const Eigen::MatrixXd& Wov) {
  NtpCollocationLoss out;
  const auto m = static_cast<Eigen::Index>(scene.collocation.size());
  if (m == 0) return out;
  Eigen::VectorXd logs(m), direction(Wov.rows());
  double sum = 0;
  for (Eigen::Index k = 0; k < m; ++k) {
    const auto& [a, b] = scene.collocation[static_cast<std::size_t>(k)];
    const CrossEntropy ce = crossEntropy(Wov * scene.embedding(a), b, direction);
    sum += ce.loss;
    logs(k) = ce.logLoss;
  }
  out.loss = sum / static_cast<double>(m);
  out.logLoss = logSumExp(logs) - std::log(static_cast<double>(m));
  return out;
}

// =====================================================================================================
// [SECTION] gradients
// =====================================================================================================

namespace {

// Weighs column i of `terms` by exp(logScale_i - max) and returns the max (per-sample gradients factored
// by their largest scale, so none underflows relative to the ones that matter); -inf for none.
double factorScales(Eigen::MatrixXd& terms, const Eigen::Ref<const Eigen::VectorXd>& logScale) {
  const double top = logScale.size() > 0 ? logScale.maxCoeff() : -kNtpInf;
  for (Eigen::Index i = 0; i < terms.cols(); ++i)
    terms.col(i) *= std::isfinite(top) ? std::exp(logScale(i) - top) : 0.0;
  return top;
}

// The tensor's gradient (1/count) terms * inputs^T with its log scale; exactly zero (scale 0) when no
// sample has one.
void finishGradient(const Eigen::MatrixXd& terms, const Eigen::MatrixXd& inputs, double top, double count,
                    Eigen::MatrixXd& g, double& logScale) {
  if (!std::isfinite(top)) {
    g.setZero();
    logScale = 0;
    return;
  }
  g.noalias() = terms * inputs.transpose();
  logScale = top - std::log(count);
}

}  // namespace

double ntpSentenceGradient(const NtpScene& scene, const NtpParams& params, NtpGradient& grad,
                           double* logLoss) {
  const int n = scene.sentenceCount();
  const int d = scene.dim;
  const Eigen::Index K = params.Wov.rows();
  grad.Wov.resize(K, d);
  grad.Wkq.resize(d, d);
  if (n == 0) {
    grad.Wov.setZero();
    grad.Wkq.setZero();
    grad.logScaleOv = grad.logScaleKq = 0;
    if (logLoss) *logLoss = -kNtpInf;
    return 0;
  }
  // Batched: the queries' keys, the attention outputs r_i, the logits and the backward products are
  // matrix products over all sentences at once; the per-sentence work is the softmaxes.
  const std::vector<Eigen::Index> off = positionOffsets(scene);
  NtpWorkspace& w = grad.work;
  Eigen::MatrixXd& queries = w.inputs;
  queries.resize(d, n);
  for (int i = 0; i < n; ++i)
    queries.col(i) = scene.embedding(scene.sentences[static_cast<std::size_t>(i)].query());
  Eigen::MatrixXd& keys = w.keys;
  keys.noalias() = params.Wkq * queries;
  Eigen::VectorXd &a = w.a, &s = w.s, &rest = w.rest, &logOneMinusTop = w.logOneMinusTop;
  a.resize(off.back());
  s.resize(off.back());
  rest.resize(off.back());
  logOneMinusTop.resize(n);
  std::vector<int>& top = w.top;
  top.resize(static_cast<std::size_t>(n));
  Eigen::MatrixXd& R = w.R;  // r_i = sum_t s_it e_t
  R.setZero(d, n);
  for (int i = 0; i < n; ++i) {
    const NtpSentence& sen = scene.sentences[static_cast<std::size_t>(i)];
    const Eigen::Index o = off[static_cast<std::size_t>(i)], T = static_cast<Eigen::Index>(sen.tokens.size());
    top[static_cast<std::size_t>(i)] = attend(scene, sen, keys.col(i), a.segment(o, T), s.segment(o, T),
                                              rest.segment(o, T), logOneMinusTop(i));
    for (Eigen::Index t = 0; t < T; ++t)
      R.col(i) += s(o + t) * scene.embedding(sen.tokens[static_cast<std::size_t>(t)]);
  }
  Eigen::MatrixXd& logits = w.logits;
  logits.noalias() = params.Wov * R;
  // dCE_i/do = (pi - u_y) = (1 - pi_y) * direction_i.
  Eigen::MatrixXd& directions = w.directions;
  directions.resize(K, n);
  Eigen::VectorXd &logError = w.logError, &logLosses = w.logLosses;
  logError.resize(n);
  logLosses.resize(n);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const CrossEntropy ce =
        crossEntropy(logits.col(i), scene.sentences[static_cast<std::size_t>(i)].next, directions.col(i));
    sum += ce.loss;
    logLosses(i) = ce.logLoss;
    logError(i) = ce.logError;
  }
  // dCE/da_t = s_t (g_t - sum_tau s_tau g_tau) with g_t = e_t^T W_ov^T (pi - u_y), centred at the top
  // position alpha: with eps = 1 - s_alpha and shares rest_t = s_t / eps (t != alpha),
  //   t != alpha: eps rest_t (h_t - eps D),   alpha: -eps s_alpha D,
  // where h_t = g_t - g_alpha and D = sum_{t != alpha} rest_t h_t, all times (1 - pi_y).
  Eigen::MatrixXd& V = w.V;  // column i: W_ov^T direction_i
  V.noalias() = params.Wov.transpose() * directions;
  Eigen::MatrixXd& keyGrads = w.keyGrads;  // column i: sum_t dA_t e_t, scaled
  keyGrads.setZero(d, n);
  for (int i = 0; i < n; ++i) {
    const NtpSentence& sen = scene.sentences[static_cast<std::size_t>(i)];
    const Eigen::Index o = off[static_cast<std::size_t>(i)], T = static_cast<Eigen::Index>(sen.tokens.size());
    const int tp = top[static_cast<std::size_t>(i)];
    auto embed = [&](Eigen::Index t) -> const Eigen::VectorXd& {
      return scene.embedding(sen.tokens[static_cast<std::size_t>(t)]);
    };
    const double gTop = embed(tp).dot(V.col(i));
    double D = 0;
    for (Eigen::Index t = 0; t < T; ++t)
      if (t != tp) D += rest(o + t) * (embed(t).dot(V.col(i)) - gTop);
    const double eps = std::exp(logOneMinusTop(i));
    for (Eigen::Index t = 0; t < T; ++t) {
      const double dA = t == tp ? -s(o + tp) * D : rest(o + t) * ((embed(t).dot(V.col(i)) - gTop) - eps * D);
      keyGrads.col(i) += dA * embed(t);
    }
  }
  w.rest.head(n) = logError + logOneMinusTop;  // rest is free again: the sentences' kq log scales
  const double topKq = factorScales(keyGrads, w.rest.head(n));
  const double topOv = factorScales(directions, logError);
  finishGradient(keyGrads, queries, topKq, n, grad.Wkq, grad.logScaleKq);
  finishGradient(directions, R, topOv, n, grad.Wov, grad.logScaleOv);
  if (logLoss) *logLoss = logSumExp(logLosses) - std::log(static_cast<double>(n));
  return sum / n;
}

double ntpCollocationGradient(const NtpScene& scene, const NtpParams& params, NtpGradient& grad,
                              double* logLoss) {
  const auto m = static_cast<Eigen::Index>(scene.collocation.size());
  const Eigen::Index K = params.Wov.rows();
  grad.Wov.resize(K, scene.dim);
  grad.Wkq.setZero(scene.dim, scene.dim);
  grad.logScaleKq = 0;
  if (m == 0) {
    grad.Wov.setZero();
    grad.logScaleOv = 0;
    if (logLoss) *logLoss = -kNtpInf;
    return 0;
  }
  NtpWorkspace& w = grad.work;
  Eigen::MatrixXd& inputs = w.inputs;
  inputs.resize(scene.dim, m);
  for (Eigen::Index k = 0; k < m; ++k)
    inputs.col(k) = scene.embedding(scene.collocation[static_cast<std::size_t>(k)].first);
  Eigen::MatrixXd& logits = w.logits;
  logits.noalias() = params.Wov * inputs;
  Eigen::MatrixXd& directions = w.directions;
  directions.resize(K, m);
  Eigen::VectorXd &logError = w.logError, &logs = w.logLosses;
  logError.resize(m);
  logs.resize(m);
  double sum = 0;
  for (Eigen::Index k = 0; k < m; ++k) {
    const CrossEntropy ce =
        crossEntropy(logits.col(k), scene.collocation[static_cast<std::size_t>(k)].second, directions.col(k));
    sum += ce.loss;
    logs(k) = ce.logLoss;
    logError(k) = ce.logError;
  }
  const double top = factorScales(directions, logError);
  finishGradient(directions, inputs, top, static_cast<double>(m), grad.Wov, grad.logScaleOv);
  if (logLoss) *logLoss = logSumExp(logs) - std::log(static_cast<double>(m));
  return sum / static_cast<double>(m);
}

NtpParams ntpInitialParams(const NtpScene& scene) {
  const int K = scene.vocabularySize(), d = scene.dim;
  NtpParams P{Eigen::MatrixXd::Zero(K, d), Eigen::MatrixXd::Zero(d, d)};
  if (scene.init.kind == InitKind::Gaussian) {
    SeededRng rng(scene.seed);
    for (Eigen::MatrixXd* m : {&P.Wov, &P.Wkq})
      for (Eigen::Index r = 0; r < m->rows(); ++r)
        for (Eigen::Index c = 0; c < m->cols(); ++c) (*m)(r, c) = scene.init.scale * rng.normal();
  } else if (scene.init.kind == InitKind::Given) {
    if (scene.init.given.Wov.rows() == K && scene.init.given.Wov.cols() == d) P.Wov = scene.init.given.Wov;
    if (scene.init.given.Wkq.rows() == d && scene.init.given.Wkq.cols() == d) P.Wkq = scene.init.given.Wkq;
  }
  return P;
}

}  // namespace attnmd::core
