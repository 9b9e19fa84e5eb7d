// Run patches: the "runs" array of a scene file (docs/scene-format.md), several runs of one
// dataset side by side. Each entry is a JSON merge patch (RFC 7386) over the scene, plus "name" and
// optionally "colour" ("#rrggbb") and "hidden" (bool), which are not scene fields:
//   "runs": [{"name": "p = 1.75", "optimizer": {"p": 1.75}}, {"name": "adam", "colour": "#0072b2",
//             "optimizer": {"name": "adam", "lr": 0.01}}]
// The loader keeps the array in Scene::extrasJson (an unknown field); the CLI's `figure` and the app
// read it through readSceneRuns. Headers hold JSON as text only (nlohmann-json stays in core's .cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/scene.h"
#include "core/scene_io.h"

namespace attnmd::core {

// Runs a scene may list; later entries are dropped with a warning (the app draws at most this many).
inline constexpr std::size_t kMaxRuns = 8;

struct RunPatch {
  std::string name;
  std::string colour;            // "#rrggbb", or "" for the palette's next colour
  bool hidden = false;           // listed but not drawn
  std::string patchJson = "{}";  // the merge patch body, without name/colour/hidden
};

struct SceneRuns {
  bool present = false;               // the scene has a "runs" field (even an invalid one)
  std::vector<RunPatch> runs;         // the valid entries, in file order, at most the limit
  std::vector<std::string> warnings;  // one per entry skipped or dropped, naming "runs[i].field"
  bool invalid = false;  // some entry (or the array itself) was invalid, not just over the limit:
                         // the CLI fails on it, the app skips the entry and shows the warning
};

// The runs of a scene. `where` prefixes the warnings ("compare.json" -> "compare.json:runs[2].optimizer.p:
// must be in (1, 20], got 0.5"; "" -> "runs[2].optimizer.p: ..."). An entry is skipped when it is not
// an object, when name/colour/hidden have the wrong type or form, or when the scene it makes is invalid
// (the message is parseScene's, with the field path under runs[i]). A "runs" field that is not a
// non-empty array gives one warning and no runs. Entries beyond `maxRuns` are dropped with a warning.
SceneRuns readSceneRuns(const Scene& scene, std::string_view where = "", std::size_t maxRuns = kMaxRuns);

// The scene of one run: `base` without its "runs" extra, merge-patched with run.patchJson and parsed
// with parseScene (`where` prefixes its errors, as in parseScene).
SceneLoadResult sceneForRun(const Scene& base, const RunPatch& run, std::string_view where = "<run>");

// The minimal merge patch turning `base` into `runScene` on the experiment settings only: optimizer,
// init (with given tensors), seed and the model's kind, query, rank, train_v and loss. Data (dim,
// sequences, model.v, model.key_matrix) and iterations never go into a patch. "{}" when they agree.
std::string makeRunPatch(const Scene& base, const Scene& runScene);

// Sets the "runs" array of scene.extrasJson to `runs` (removes it when `runs` is empty). Each entry is
// written as its patch with "name", and "colour"/"hidden" when set.
void writeSceneRuns(Scene& scene, const std::vector<RunPatch>& runs);

}  // namespace attnmd::core
