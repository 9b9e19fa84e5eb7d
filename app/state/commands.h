// Edits of the document, one struct per kind of edit (style.md: "edits are commands"). Every command
// holds absolute values (the new position, the new spec), so applying one twice is harmless and a
// gesture can re-apply the latest value every frame. applyCommand() validates first and either
// applies completely or refuses with a reason, leaving the state untouched.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/scene.h"

namespace attnmd::gui {

// Which token selection alpha the displayed SVM (rays, margin lines, support marks) is for.
enum class SvmTokens { Selected, Optimal, Picked };

// When the run pauses by itself (checked by the trainer after every chunk of steps).
struct StopCondition {
  bool atSteps = false;  // stop at `steps` iterations
  long long steps = 10000;
  bool atUnselected = false;  // stop when max_i (1 - s_{i alpha_i}) < unselectedBelow
  double unselectedBelow = 1e-12;
  bool atLoss = false;  // stop when the loss < lossBelow
  double lossBelow = 1e-6;
  bool operator==(const StopCondition&) const = default;
};

// App-side experiment settings, saved with the scene (as extras) and undoable like the scene.
struct Experiment {
  SvmTokens svmTokens = SvmTokens::Selected;
  std::vector<int> pickedTokens;     // svmTokens == Picked: alpha_i per sequence (-1: use the selected one)
  bool continueFromCurrent = false;  // init "current": edits restart from the current parameters
  StopCondition stop;
  bool operator==(const Experiment&) const = default;
};

// What the undo log snapshots: everything a user edits.
struct DocState {
  core::Scene scene;
  Experiment experiment;
};

namespace cmd {
struct AddToken {
  int seq = 0;
  Eigen::VectorXd x;  // d coordinates
  int at = -1;        // insert position; -1 = append
};
struct MoveToken {
  int seq = 0;
  int token = 0;
  Eigen::VectorXd x;
};
struct DeleteToken {
  int seq = 0;
  int token = 0;
};
struct AddSequence {
  core::Sequence sequence;
  int at = -1;  // -1 = append
};
struct RemoveSequence {
  int seq = 0;
};
struct DuplicateSequence {
  int seq = 0;
  Eigen::VectorXd offset;  // added to every token (and z) of the copy; empty = none
};
struct SetLabel {
  int seq = 0;
  int y = 1;
};
// Switches every sequence between z_i = first token and a free query point; switching to Given fills
// missing z_i with the first token (math.md §1).
struct SetQueryKind {
  core::QueryKind kind = core::QueryKind::First;
};
struct MoveQuery {
  int seq = 0;
  Eigen::VectorXd z;
};
struct SetV {
  Eigen::VectorXd v;
};
struct SetModel {
  core::ModelSpec model;
};
struct SetOptimizer {
  core::OptimizerSpec optimizer;
};
struct SetInit {
  core::InitSpec init;
  std::uint64_t seed = 0;
  bool continueFromCurrent = false;
};
struct SetExperiment {
  Experiment experiment;
};
// Picks alpha_i for the "picked" SVM and switches the SVM to picked tokens.
struct PickSvmToken {
  int seq = 0;
  int token = 0;
};
// Replaces the whole scene (generators, presets, pasted scenes). With `experiment` the experiment
// settings are replaced too (a preset's "app" fields); without, only the SVM picks are cleared.
struct ReplaceScene {
  core::Scene scene;
  std::string what = "replace scene";
  std::optional<Experiment> experiment;
};
}  // namespace cmd

using Command = std::variant<cmd::AddToken, cmd::MoveToken, cmd::DeleteToken, cmd::AddSequence,
                             cmd::RemoveSequence, cmd::DuplicateSequence, cmd::SetLabel, cmd::SetQueryKind,
                             cmd::MoveQuery, cmd::SetV, cmd::SetModel, cmd::SetOptimizer, cmd::SetInit,
                             cmd::SetExperiment, cmd::PickSvmToken, cmd::ReplaceScene>;

// A short name for menus and the undo list ("move token 2 of sequence 1").
std::string describe(const Command& command);

// Validates and applies. Returns "" or why it was refused (then `state` is unchanged).
std::string applyCommand(DocState& state, const Command& command);

// Structural equality of scenes (every field of core::Scene; extend with it).
bool sameScene(const core::Scene& a, const core::Scene& b);

}  // namespace attnmd::gui

namespace attnmd::core {
template <>
inline std::span<const EnumEntry<gui::SvmTokens>> enumTable<gui::SvmTokens>() {
  static constexpr EnumEntry<gui::SvmTokens> t[] = {{gui::SvmTokens::Selected, "selected", "selected tokens"},
                                                    {gui::SvmTokens::Optimal, "optimal", "optimal tokens"},
                                                    {gui::SvmTokens::Picked, "picked", "picked by clicking"}};
  return t;
}
}  // namespace attnmd::core
