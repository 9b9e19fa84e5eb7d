// Runs as the runs strip edits them: the list made explicit, a duplicate with the next p, the one-click
// comparison sets, and what the strip shows per run (its step, selected tokens, corr) and across runs
// (the sequences where visible runs select different tokens). No ImGui: the unit tests drive it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "app/state/document.h"
#include "app/state/lab.h"
#include "core/enums.h"
#include "core/run_patch.h"

namespace attnmd::gui {

// DocState::runs, or, when it is empty (one implicit run), that run made explicit: {its name, colour
// "" (the palette's), patch "{}"}, so an edit can add a second run beside it.
std::vector<core::RunPatch> materializedRuns(const Document& doc);

// The p after `p` in the cycle 1.1 -> 2 -> 3 -> 1.1 (anything else goes to the next one above it).
double nextP(double p);

// A copy of run `run` with the optimizer's p moved to nextP (an optimizer other than md/nmd becomes
// nmd), named like "nmd, p = 2", colour "" (the palette's colour for its index).
core::RunPatch duplicateWithNextP(const Document& doc, int run);

// The one-click comparison sets, each three or two runs over the selected run's settings.
enum class RunPreset {
  P_1_1_2_3,      // p = 1.1 / 2 / 3 (md or nmd, as the selected run uses; else nmd)
  GD_NGD_Polyak,  // gd / ngd / polyak
  MD_Adam,        // md p = 1.1 / adam
};

// The runs of a preset (replace DocState::runs with them: one cmd::SetRuns).
std::vector<core::RunPatch> presetRuns(const Document& doc, RunPreset preset);

// Sequences (ascending) where the visible runs (not hidden, with a snapshot) select different tokens
// at the step they show. Empty with fewer than two such runs.
std::vector<int> disagreeingSequences(const Lab& lab, const Document& doc);

// What the runs strip shows for one run.
struct RunSummary {
  std::string name, colour;  // with defaults filled in (Document::runInfo)
  bool hidden = false;
  long long step = 0;         // the step shown (live or the timeline's); 0 without a snapshot
  std::vector<int> selected;  // alpha_i at that step
  double corr = 0;            // corr(theta, theta^mm) for its selected tokens (NaN when no SVM)
  std::string error;          // why the run cannot train ("" when it trains)
};
std::vector<RunSummary> summarizeRuns(const Lab& lab, const Document& doc);

}  // namespace attnmd::gui

namespace attnmd::core {
template <>
inline std::span<const EnumEntry<gui::RunPreset>> enumTable<gui::RunPreset>() {
  static constexpr EnumEntry<gui::RunPreset> t[] = {
      {gui::RunPreset::P_1_1_2_3, "p-1.1-2-3", "p = 1.1 / 2 / 3"},
      {gui::RunPreset::GD_NGD_Polyak, "gd-ngd-polyak", "GD / NGD / Polyak"},
      {gui::RunPreset::MD_Adam, "md-adam", "MD p = 1.1 / Adam"}};
  return t;
}
}  // namespace attnmd::core
