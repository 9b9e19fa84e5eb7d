// The scene: dataset, model, optimizer and initialization (docs/scene-format.md, docs/theory.md §1-2).
// Plain data; loading/saving lives in scene_io.h, the math in model.h.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "core/enums.h"

namespace attnmd::core {

// docs/theory.md §1: one sequence X_i (T_i x d, rows are tokens), label Y_i and optional query z_i.
struct Sequence {
  int y = 1;               // label, +1 or -1
  Eigen::MatrixXd tokens;  // T_i x d, T_i >= 2
  Eigen::VectorXd z;       // query z_i when ModelSpec::query == Given; empty otherwise
};

struct ModelSpec {
  ModelKind kind = ModelKind::Query;   // prompt (p), query (W) or kq (K, Q)
  QueryKind query = QueryKind::First;  // query/kq: z_i = first token, or the sequence's given z
  Eigen::MatrixXd keyMatrix;           // prompt only: M (d x d); empty means identity
  int rank = 0;                        // kq only: m, columns of K and Q; 0 means d
  Eigen::VectorXd v;                   // decoder v (its start value when trainV)
  bool trainV = false;                 // train v jointly with the attention parameter
  LossKind loss = LossKind::Logistic;  // docs/theory.md §2
};

struct OptimizerSpec {
  OptimizerKind name = OptimizerKind::NMD;
  double p = 2.0;         // md/nmd: the l_p geometry, p > 1
  double lr = 0.1;        // step size eta > 0; for polyak the factor c
  double beta1 = 0.9;     // adam
  double beta2 = 0.999;   // adam
  double eps = 1e-8;      // adam
  double momentum = 0.9;  // heavy ball
};

// The trained tensors. Only those the model uses are non-empty; v is always set.
struct Params {
  Eigen::MatrixXd W;  // query: d x d
  Eigen::VectorXd p;  // prompt: d
  Eigen::MatrixXd K;  // kq: d x m
  Eigen::MatrixXd Q;  // kq: d x m
  Eigen::VectorXd v;  // decoder, d
};

struct InitSpec {
  InitKind kind = InitKind::Zeros;
  double scale = 1.0;  // gaussian: standard deviation
  Params given;        // given: W / p / K / Q as the model needs (v comes from ModelSpec::v)
};

struct Scene {
  int dim = 2;  // d
  ModelSpec model;
  std::vector<Sequence> sequences;
  OptimizerSpec optimizer;
  InitSpec init;
  long long iterations = 2000;  // steps a plain `attnmd-cli train` runs
  std::uint64_t seed = 0;       // every random draw in the scene comes from it
  std::string extrasJson;       // fields this version does not know (app view state, ...), kept verbatim

  int sequenceCount() const { return static_cast<int>(sequences.size()); }
  // z_i per docs/theory.md §1: the first token (self-attention) or the given query.
  Eigen::VectorXd queryOf(int i) const {
    const Sequence& s = sequences[static_cast<std::size_t>(i)];
    if (model.query == QueryKind::Given && s.z.size() == dim) return s.z;
    return s.tokens.row(0).transpose();
  }
  // M per docs/theory.md §2 (identity when not given).
  Eigen::MatrixXd keyMatrixOrIdentity() const {
    if (model.keyMatrix.rows() == dim && model.keyMatrix.cols() == dim) return model.keyMatrix;
    return Eigen::MatrixXd::Identity(dim, dim);
  }
  int rankOrDim() const { return model.rank > 0 ? model.rank : dim; }
};

}  // namespace attnmd::core
