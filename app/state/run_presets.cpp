#include "app/state/run_presets.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/scene_io.h"

namespace attnmd::gui {

namespace {

bool isMirror(core::OptimizerKind k) {
  return k == core::OptimizerKind::MD || k == core::OptimizerKind::NMD;
}

// The name the strip shows, as Document::runInfo's default ("nmd, p = 2", "adam"), written into the
// patch so it survives a later edit of the optimizer only by a rename.
std::string runName(const core::OptimizerSpec& o) {
  std::string name = core::enumName(o.name);
  if (isMirror(o.name)) name += ", p = " + core::formatDouble(o.p);
  return name;
}

// The scene the selected run trains (the scene itself when its patch fails).
core::Scene selectedScene(const Document& doc) {
  return *doc.editedScene();
}

core::RunPatch patchFor(const Document& doc, const core::Scene& runScene) {
  core::RunPatch r;
  r.name = runName(runScene.optimizer);
  r.patchJson = core::makeRunPatch(doc.scene(), runScene);
  return r;
}

}  // namespace

std::vector<core::RunPatch> materializedRuns(const Document& doc) {
  if (!doc.state().runs.empty()) return doc.state().runs;
  core::RunPatch r;
  r.name = doc.runInfo(0).name;
  return {r};
}

double nextP(double p) {
  static constexpr double kCycle[] = {1.1, 2.0, 3.0};
  for (double c : kCycle)
    if (c > p + 1e-9) return c;
  return kCycle[0];
}

core::RunPatch duplicateWithNextP(const Document& doc, int run) {
  const int i = std::clamp(run, 0, std::max(0, doc.runCount() - 1));
  const auto scene = doc.runScene(i);
  core::Scene s = scene ? *scene : doc.scene();
  // Only md/nmd have a geometry p; the others become nmd, the papers' default.
  if (!isMirror(s.optimizer.name)) s.optimizer.name = core::OptimizerKind::NMD;
  s.optimizer.p = nextP(s.optimizer.p);
  return patchFor(doc, s);
}

std::vector<core::RunPatch> presetRuns(const Document& doc, RunPreset preset) {
  const core::Scene base = selectedScene(doc);
  std::vector<core::RunPatch> out;
  auto add = [&](const core::OptimizerSpec& o) {
    core::Scene s = base;
    s.optimizer = o;
    out.push_back(patchFor(doc, s));
  };
  core::OptimizerSpec o = base.optimizer;
  switch (preset) {
    case RunPreset::P_1_1_2_3: {
      if (!isMirror(o.name)) {
        o = core::OptimizerSpec{};  // nmd with the default step: the other optimizers' lr means other things
        o.name = core::OptimizerKind::NMD;
      }
      for (double p : {1.1, 2.0, 3.0}) {
        o.p = p;
        add(o);
      }
      break;
    }
    case RunPreset::GD_NGD_Polyak: {
      // Adam's lr is a per-coordinate step, far smaller than what gd/ngd need: use the default then.
      const double lr = o.name == core::OptimizerKind::Adam ? core::OptimizerSpec{}.lr : o.lr;
      for (core::OptimizerKind k :
           {core::OptimizerKind::GD, core::OptimizerKind::NGD, core::OptimizerKind::Polyak}) {
        core::OptimizerSpec g = o;
        g.name = k;
        g.lr = lr;
        add(g);
      }
      break;
    }
    case RunPreset::MD_Adam: {
      core::OptimizerSpec md = o;
      md.name = core::OptimizerKind::MD;
      md.p = 1.1;
      if (o.name == core::OptimizerKind::Adam) md.lr = core::OptimizerSpec{}.lr;
      add(md);
      core::OptimizerSpec adam = o;
      adam.name = core::OptimizerKind::Adam;
      // Adam moves every coordinate by about lr per step whatever the gradient's size, so the step sizes
      // of the (normalized) md/gd family, 0.1 by default, make it jump across the region where the
      // selection is decided and oscillate there. Keep an Adam run's own lr, and any lr already in
      // Adam's usual range; otherwise take 0.01, the usual Adam step.
      const bool suitable = o.name == core::OptimizerKind::Adam || (o.lr >= 1e-4 && o.lr <= 0.02);
      if (!suitable) adam.lr = 0.01;
      add(adam);
      break;
    }
  }
  return out;
}

std::vector<int> disagreeingSequences(const Lab& lab, const Document& doc) {
  std::vector<const std::vector<int>*> shown;
  const int n = std::min(lab.runCount(), doc.runCount());
  for (int i = 0; i < n; ++i) {
    const auto& snap = lab.run(i).shown;
    if (!snap || !lab.run(i).scene || doc.runInfo(i).hidden) continue;
    shown.push_back(&snap->selected);
  }
  std::vector<int> out;
  if (shown.size() < 2) return out;
  std::size_t seqs = shown.front()->size();
  for (const auto* s : shown) seqs = std::min(seqs, s->size());
  for (std::size_t q = 0; q < seqs; ++q) {
    const int first = (*shown.front())[q];
    if (std::any_of(shown.begin() + 1, shown.end(), [&](const auto* s) { return (*s)[q] != first; }))
      out.push_back(static_cast<int>(q));
  }
  return out;
}

std::vector<RunSummary> summarizeRuns(const Lab& lab, const Document& doc) {
  std::vector<RunSummary> out;
  for (int i = 0; i < doc.runCount(); ++i) {
    const core::RunPatch info = doc.runInfo(i);
    RunSummary r;
    r.name = info.name;
    r.colour = info.colour;
    r.hidden = info.hidden;
    r.error = doc.runError(i);
    r.corr = std::numeric_limits<double>::quiet_NaN();
    if (i < lab.runCount()) {
      const LabRun& run = lab.run(i);
      if (r.error.empty()) r.error = run.error;
      if (run.shown && run.scene) {
        r.step = run.shown->iteration;
        r.selected = run.shown->selected;
        r.corr = run.shown->metrics.corr;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace attnmd::gui
