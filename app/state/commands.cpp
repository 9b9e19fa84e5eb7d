#include "app/state/commands.h"

#include <cmath>
#include <type_traits>

namespace attnmd::gui {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool sameMatrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.size() == 0 || (a.array() == b.array()).all());
}
bool sameVector(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.size() == b.size() && (a.size() == 0 || (a.array() == b.array()).all());
}

std::string seqName(int seq) {
  return "sequence " + std::to_string(seq);
}

std::string checkSeq(const core::Scene& s, int seq) {
  if (seq < 0 || seq >= s.sequenceCount()) return "there is no " + seqName(seq);
  return {};
}
std::string checkToken(const core::Scene& s, int seq, int token) {
  if (auto e = checkSeq(s, seq); !e.empty()) return e;
  if (token < 0 || token >= s.sequences[static_cast<std::size_t>(seq)].tokens.rows())
    return seqName(seq) + " has no token " + std::to_string(token);
  return {};
}
std::string checkPoint(const core::Scene& s, const Eigen::VectorXd& x, const char* what) {
  if (x.size() != s.dim)
    return std::string(what) + " needs " + std::to_string(s.dim) + " coordinates, got " +
           std::to_string(x.size());
  if (!x.allFinite()) return std::string(what) + " must be finite";
  return {};
}

core::Sequence& seqRef(DocState& st, int seq) {
  return st.scene.sequences[static_cast<std::size_t>(seq)];
}

// Keeps Experiment::pickedTokens one per sequence.
void fitPicks(DocState& st) {
  st.experiment.pickedTokens.resize(st.scene.sequences.size(), -1);
  for (std::size_t i = 0; i < st.scene.sequences.size(); ++i)
    if (st.experiment.pickedTokens[i] >= st.scene.sequences[i].tokens.rows())
      st.experiment.pickedTokens[i] = -1;
}

// Every sequence gets a z when the model uses given queries (scene-format.md: required then).
void fillQueries(core::Scene& s) {
  if (s.model.query != core::QueryKind::Given) return;
  for (auto& q : s.sequences)
    if (q.z.size() != s.dim) q.z = q.tokens.row(0).transpose();
}

std::string checkSequence(const core::Scene& s, const core::Sequence& q) {
  if (q.tokens.cols() != s.dim) return "tokens need " + std::to_string(s.dim) + " coordinates";
  if (q.tokens.rows() < 2) return "a sequence needs at least 2 tokens (docs/theory.md §1)";
  if (!q.tokens.allFinite()) return "token coordinates must be finite";
  if (q.y != 1 && q.y != -1) return "the label must be +1 or -1";
  if (q.z.size() != 0 && (q.z.size() != s.dim || !q.z.allFinite()))
    return "the query z needs d finite coordinates";
  return {};
}

std::string checkModel(const core::Scene& s, const core::ModelSpec& m) {
  if (m.v.size() != s.dim || !m.v.allFinite())
    return "v needs " + std::to_string(s.dim) + " finite coordinates";
  if (m.rank < 0 || m.rank > s.dim) return "the rank m must be between 1 and d = " + std::to_string(s.dim);
  if (m.keyMatrix.size() != 0 && (m.keyMatrix.rows() != s.dim || m.keyMatrix.cols() != s.dim))
    return "the key matrix M must be d x d";
  return {};
}

std::string checkOptimizer(const core::OptimizerSpec& o) {
  if (!(std::isfinite(o.lr) && o.lr > 0)) return "the step size must be a positive number";
  if (!(std::isfinite(o.p) && o.p > 1)) return "p must be greater than 1 (docs/theory.md §4)";
  if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.eps > 0)) return "bad Adam settings";
  if (!(o.momentum >= 0 && o.momentum < 1)) return "momentum must be in [0, 1)";
  return {};
}

std::string checkScene(const core::Scene& s) {
  if (s.dim < 1) return "the dimension d must be at least 1";
  if (s.sequences.empty()) return "a scene needs at least one sequence";
  for (int i = 0; i < s.sequenceCount(); ++i)
    if (auto e = checkSequence(s, s.sequences[static_cast<std::size_t>(i)]); !e.empty())
      return seqName(i) + ": " + e;
  if (auto e = checkModel(s, s.model); !e.empty()) return e;
  return checkOptimizer(s.optimizer);
}

std::string applyOne(DocState& st, const cmd::AddToken& c) {
  core::Scene& s = st.scene;
  if (auto e = checkSeq(s, c.seq); !e.empty()) return e;
  if (auto e = checkPoint(s, c.x, "a token"); !e.empty()) return e;
  Eigen::MatrixXd& X = seqRef(st, c.seq).tokens;
  const int T = static_cast<int>(X.rows());
  const int at = c.at < 0 || c.at > T ? T : c.at;
  Eigen::MatrixXd Y(T + 1, s.dim);
  Y.topRows(at) = X.topRows(at);
  Y.row(at) = c.x.transpose();
  Y.bottomRows(T - at) = X.bottomRows(T - at);
  X = std::move(Y);
  fitPicks(st);
  int& pick = st.experiment.pickedTokens[static_cast<std::size_t>(c.seq)];
  if (pick >= at) ++pick;
  return {};
}

std::string applyOne(DocState& st, const cmd::MoveToken& c) {
  if (auto e = checkToken(st.scene, c.seq, c.token); !e.empty()) return e;
  if (auto e = checkPoint(st.scene, c.x, "a token"); !e.empty()) return e;
  seqRef(st, c.seq).tokens.row(c.token) = c.x.transpose();
  return {};
}

std::string applyOne(DocState& st, const cmd::DeleteToken& c) {
  if (auto e = checkToken(st.scene, c.seq, c.token); !e.empty()) return e;
  Eigen::MatrixXd& X = seqRef(st, c.seq).tokens;
  const int T = static_cast<int>(X.rows());
  if (T <= 2)
    return "a sequence needs at least 2 tokens (docs/theory.md §1); remove the whole sequence instead";
  Eigen::MatrixXd Y(T - 1, X.cols());
  Y.topRows(c.token) = X.topRows(c.token);
  Y.bottomRows(T - 1 - c.token) = X.bottomRows(T - 1 - c.token);
  X = std::move(Y);
  st.experiment.pickedTokens.resize(st.scene.sequences.size(), -1);
  int& pick = st.experiment.pickedTokens[static_cast<std::size_t>(c.seq)];
  if (pick == c.token)
    pick = -1;
  else if (pick > c.token)
    --pick;
  fitPicks(st);
  return {};
}

std::string applyOne(DocState& st, const cmd::AddSequence& c) {
  if (auto e = checkSequence(st.scene, c.sequence); !e.empty()) return e;
  auto& seqs = st.scene.sequences;
  const int n = static_cast<int>(seqs.size());
  const int at = c.at < 0 || c.at > n ? n : c.at;
  fitPicks(st);
  seqs.insert(seqs.begin() + at, c.sequence);
  st.experiment.pickedTokens.insert(st.experiment.pickedTokens.begin() + at, -1);
  fillQueries(st.scene);
  return {};
}

std::string applyOne(DocState& st, const cmd::RemoveSequence& c) {
  if (auto e = checkSeq(st.scene, c.seq); !e.empty()) return e;
  if (st.scene.sequences.size() <= 1) return "a scene needs at least one sequence";
  fitPicks(st);
  st.scene.sequences.erase(st.scene.sequences.begin() + c.seq);
  st.experiment.pickedTokens.erase(st.experiment.pickedTokens.begin() + c.seq);
  return {};
}

std::string applyOne(DocState& st, const cmd::DuplicateSequence& c) {
  if (auto e = checkSeq(st.scene, c.seq); !e.empty()) return e;
  core::Sequence copy = st.scene.sequences[static_cast<std::size_t>(c.seq)];
  if (c.offset.size() != 0) {
    if (auto e = checkPoint(st.scene, c.offset, "the offset"); !e.empty()) return e;
    copy.tokens.rowwise() += c.offset.transpose();
    if (copy.z.size() == c.offset.size()) copy.z += c.offset;
  }
  return applyOne(st, cmd::AddSequence{std::move(copy), c.seq + 1});
}

std::string applyOne(DocState& st, const cmd::SetLabel& c) {
  if (auto e = checkSeq(st.scene, c.seq); !e.empty()) return e;
  if (c.y != 1 && c.y != -1) return "the label must be +1 or -1";
  seqRef(st, c.seq).y = c.y;
  return {};
}

std::string applyOne(DocState& st, const cmd::SetQueryKind& c) {
  st.scene.model.query = c.kind;
  if (c.kind == core::QueryKind::Given)
    fillQueries(st.scene);
  else
    for (auto& q : st.scene.sequences) q.z.resize(0);
  return {};
}

std::string applyOne(DocState& st, const cmd::MoveQuery& c) {
  if (auto e = checkSeq(st.scene, c.seq); !e.empty()) return e;
  if (st.scene.model.query != core::QueryKind::Given)
    return "queries are the first tokens; switch to free queries first";
  if (auto e = checkPoint(st.scene, c.z, "the query z"); !e.empty()) return e;
  seqRef(st, c.seq).z = c.z;
  return {};
}

std::string applyOne(DocState& st, const cmd::SetV& c) {
  if (auto e = checkPoint(st.scene, c.v, "v"); !e.empty()) return e;
  st.scene.model.v = c.v;
  return {};
}

// Experiment edits of one run: the edit is made on the run's scene, then stored back as the run's
// patch over the scene (so the patch never holds data). Without runs the scene itself is edited.
bool targetsRun(const DocState& st, int run) {
  return run >= 0 && !st.runs.empty();
}
template <class Edit>
std::string editRun(DocState& st, int run, Edit edit) {
  if (run >= static_cast<int>(st.runs.size())) return "there is no run " + std::to_string(run + 1);
  core::Scene scene;
  if (auto e = runScene(st, run, scene); !e.empty()) return e;
  if (auto e = edit(scene); !e.empty()) return e;
  st.runs[static_cast<std::size_t>(run)].patchJson = core::makeRunPatch(st.scene, scene);
  return {};
}

std::string applyOne(DocState& st, const cmd::SetModel& c) {
  if (targetsRun(st, c.run))
    return editRun(st, c.run, [&](core::Scene& s) {
      core::ModelSpec m = s.model;  // the run's data (v, M, queries) stay the scene's
      m.kind = c.model.kind;
      m.loss = c.model.loss;
      m.trainV = c.model.trainV;
      m.rank = c.model.rank;
      if (auto e = checkModel(s, m); !e.empty()) return e;
      s.model = m;
      return std::string();
    });
  if (auto e = checkModel(st.scene, c.model); !e.empty()) return e;
  st.scene.model = c.model;
  if (c.model.query == core::QueryKind::Given) fillQueries(st.scene);
  return {};
}

std::string applyOne(DocState& st, const cmd::SetOptimizer& c) {
  if (auto e = checkOptimizer(c.optimizer); !e.empty()) return e;
  if (targetsRun(st, c.run))
    return editRun(st, c.run, [&](core::Scene& s) {
      s.optimizer = c.optimizer;
      return std::string();
    });
  st.scene.optimizer = c.optimizer;
  return {};
}

std::string applyOne(DocState& st, const cmd::SetInit& c) {
  if (!(std::isfinite(c.init.scale) && c.init.scale > 0)) return "the initialization scale must be positive";
  st.experiment.continueFromCurrent = c.continueFromCurrent;
  if (targetsRun(st, c.run))
    return editRun(st, c.run, [&](core::Scene& s) {
      s.init = c.init;
      s.seed = c.seed;
      return std::string();
    });
  st.scene.init = c.init;
  st.scene.seed = c.seed;
  return {};
}

std::string applyOne(DocState& st, const cmd::SetRuns& c) {
  if (c.runs.size() > core::kMaxRuns)
    return "at most " + std::to_string(core::kMaxRuns) + " runs can be compared";
  DocState next = st;
  next.runs = c.runs;
  for (std::size_t i = 0; i < next.runs.size(); ++i) {
    core::Scene scene;
    if (auto e = runScene(next, static_cast<int>(i), scene); !e.empty()) return e;
  }
  st.runs = c.runs;
  return {};
}

std::string applyOne(DocState& st, const cmd::SetExperiment& c) {
  const Experiment& e = c.experiment;
  if (e.stop.steps < 1 || !(e.stop.unselectedBelow > 0) || !(e.stop.lossBelow > 0))
    return "stop thresholds must be positive";
  st.experiment = e;
  fitPicks(st);
  return {};
}

std::string applyOne(DocState& st, const cmd::PickSvmToken& c) {
  if (auto e = checkToken(st.scene, c.seq, c.token); !e.empty()) return e;
  fitPicks(st);
  st.experiment.pickedTokens[static_cast<std::size_t>(c.seq)] = c.token;
  st.experiment.svmTokens = SvmTokens::Picked;
  return {};
}

std::string applyOne(DocState& st, const cmd::ReplaceScene& c) {
  if (auto e = checkScene(c.scene); !e.empty()) return e;
  st.scene = c.scene;
  fillQueries(st.scene);
  if (c.runs) st.runs = *c.runs;
  if (c.experiment) {
    st.experiment = *c.experiment;
    fitPicks(st);
    return {};
  }
  st.experiment.pickedTokens.assign(st.scene.sequences.size(), -1);
  if (st.experiment.svmTokens == SvmTokens::Picked) st.experiment.svmTokens = SvmTokens::Selected;
  return {};
}

}  // namespace

std::string describe(const Command& command) {
  auto tok = [](int seq, int t) {
    return "token " + std::to_string(t) + " of sequence " + std::to_string(seq);
  };
  return std::visit(
      Overloaded{
          [&](const cmd::AddToken& c) { return "add a token to sequence " + std::to_string(c.seq); },
          [&](const cmd::MoveToken& c) { return "move " + tok(c.seq, c.token); },
          [&](const cmd::DeleteToken& c) { return "delete " + tok(c.seq, c.token); },
          [&](const cmd::AddSequence&) { return std::string("add a sequence"); },
          [&](const cmd::RemoveSequence& c) { return "remove sequence " + std::to_string(c.seq); },
          [&](const cmd::DuplicateSequence& c) { return "duplicate sequence " + std::to_string(c.seq); },
          [&](const cmd::SetLabel& c) { return "set the label of sequence " + std::to_string(c.seq); },
          [&](const cmd::SetQueryKind&) { return std::string("switch queries"); },
          [&](const cmd::MoveQuery& c) { return "move the query of sequence " + std::to_string(c.seq); },
          [&](const cmd::SetV&) { return std::string("set v"); },
          [&](const cmd::SetModel&) { return std::string("change the model"); },
          [&](const cmd::SetOptimizer&) { return std::string("change the optimizer"); },
          [&](const cmd::SetInit&) { return std::string("change the initialization"); },
          [&](const cmd::SetExperiment&) { return std::string("change the experiment settings"); },
          [&](const cmd::PickSvmToken& c) { return "pick the SVM " + tok(c.seq, c.token); },
          [&](const cmd::ReplaceScene& c) { return c.what; },
          [&](const cmd::SetRuns& c) { return c.what; },
      },
      command);
}

std::string applyCommand(DocState& state, const Command& command) {
  DocState next = state;  // validate-and-apply on a copy: a refused command leaves no trace
  std::string error = std::visit([&](const auto& c) { return applyOne(next, c); }, command);
  if (error.empty()) state = std::move(next);
  return error;
}

std::string runScene(const DocState& state, int run, core::Scene& out) {
  if (run < 0 || state.runs.empty()) {
    out = state.scene;
    return {};
  }
  if (run >= static_cast<int>(state.runs.size())) return "there is no run " + std::to_string(run + 1);
  const core::RunPatch& r = state.runs[static_cast<std::size_t>(run)];
  core::SceneLoadResult loaded = core::sceneForRun(state.scene, r, "runs[" + std::to_string(run) + "]");
  if (!loaded.ok()) return loaded.error();
  out = std::move(loaded.scene());
  return {};
}

bool sameRuns(const std::vector<core::RunPatch>& a, const std::vector<core::RunPatch>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].colour != b[i].colour || a[i].hidden != b[i].hidden ||
        a[i].patchJson != b[i].patchJson)
      return false;
  return true;
}

bool sameScene(const core::Scene& a, const core::Scene& b) {
  if (a.dim != b.dim || a.iterations != b.iterations || a.seed != b.seed || a.extrasJson != b.extrasJson)
    return false;
  const auto &ma = a.model, &mb = b.model;
  if (ma.kind != mb.kind || ma.query != mb.query || ma.rank != mb.rank || ma.trainV != mb.trainV ||
      ma.loss != mb.loss || !sameMatrix(ma.keyMatrix, mb.keyMatrix) || !sameVector(ma.v, mb.v))
    return false;
  const auto &oa = a.optimizer, &ob = b.optimizer;
  if (oa.name != ob.name || oa.p != ob.p || oa.lr != ob.lr || oa.beta1 != ob.beta1 || oa.beta2 != ob.beta2 ||
      oa.eps != ob.eps || oa.momentum != ob.momentum)
    return false;
  const auto &ia = a.init, &ib = b.init;
  if (ia.kind != ib.kind || ia.scale != ib.scale || !sameMatrix(ia.given.W, ib.given.W) ||
      !sameVector(ia.given.p, ib.given.p) || !sameMatrix(ia.given.K, ib.given.K) ||
      !sameMatrix(ia.given.Q, ib.given.Q) || !sameVector(ia.given.v, ib.given.v))
    return false;
  if (a.sequences.size() != b.sequences.size()) return false;
  for (std::size_t i = 0; i < a.sequences.size(); ++i) {
    const auto &qa = a.sequences[i], &qb = b.sequences[i];
    if (qa.y != qb.y || !sameMatrix(qa.tokens, qb.tokens) || !sameVector(qa.z, qb.z)) return false;
  }
  return true;
}

}  // namespace attnmd::gui
