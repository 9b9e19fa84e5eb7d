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

#include "core/run_patch.h"
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
//
// Runs: one dataset, 1 to core::kMaxRuns runs. `runs` empty means one implicit run that trains
// `scene` as it is (a scene file without a "runs" array). Otherwise run i trains `scene` merge-patched
// with runs[i] (core/run_patch.h): the patch holds only experiment settings (optimizer, init, model
// kind, loss, train_v, ...), so data edits of `scene` reach every run.
struct DocState {
  core::Scene scene;  // the data and the experiment settings every run starts from
  Experiment experiment;
  std::vector<core::RunPatch> runs = {};
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
// missing z_i with the first token (docs/theory.md §1).
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
// Experiment edits go to one run: `run` indexes DocState::runs (-1, or no runs: the scene itself).
// Only the experiment fields of `model` are taken for a run (kind, loss, train_v, rank); its data
// (v, M, the query kind) stay the scene's.
struct SetModel {
  core::ModelSpec model;
  int run = -1;
};
struct SetOptimizer {
  core::OptimizerSpec optimizer;
  int run = -1;
};
struct SetInit {
  core::InitSpec init;
  std::uint64_t seed = 0;
  bool continueFromCurrent = false;
  int run = -1;
};
// Replaces the list of runs (add, delete, rename, colour, hide, solo, the one-click sets): the whole
// list, so one command is one undo entry whatever changed. `what` names it in the undo menu.
struct SetRuns {
  std::vector<core::RunPatch> runs = {};
  std::string what = "change the runs";
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
  std::optional<std::vector<core::RunPatch>> runs;  // a file's runs; without, the runs are kept
};
}  // namespace cmd

using Command = std::variant<cmd::AddToken, cmd::MoveToken, cmd::DeleteToken, cmd::AddSequence,
                             cmd::RemoveSequence, cmd::DuplicateSequence, cmd::SetLabel, cmd::SetQueryKind,
                             cmd::MoveQuery, cmd::SetV, cmd::SetModel, cmd::SetOptimizer, cmd::SetInit,
                             cmd::SetExperiment, cmd::PickSvmToken, cmd::ReplaceScene, cmd::SetRuns>;

// A short name for menus and the undo list ("move token 2 of sequence 1").
std::string describe(const Command& command);

// Validates and applies. Returns "" or why it was refused (then `state` is unchanged).
std::string applyCommand(DocState& state, const Command& command);

// Structural equality of scenes (every field of core::Scene; extend with it).
bool sameScene(const core::Scene& a, const core::Scene& b);
bool sameRuns(const std::vector<core::RunPatch>& a, const std::vector<core::RunPatch>& b);

// The scene run `run` trains: the scene itself without runs (or for run < 0), else the scene
// merge-patched with runs[run]. "" or why the patch does not give a valid scene.
std::string runScene(const DocState& state, int run, core::Scene& out);

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
