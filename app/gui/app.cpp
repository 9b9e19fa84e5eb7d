// [SECTION] construction, run management
// [SECTION] frame: shortcuts, layout, panels
// [SECTION] menu bar, status bar
#include "app/gui/app.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes only: the 1.86 GLFW backend indexes io.KeysDown by GLFW keys
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "app/common/assets.h"
#include "app/gui/views/canvas_paint.h"
#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d_scene.h"
#include "app/gui/widgets/ui_util.h"
#include "app/state/document_io.h"
#include "app/state/run_presets.h"
#include "core/ntp_generators.h"
#include "core/run.h"
#include "core/scene_io.h"

namespace attnmd::gui {

// File > New: the smallest scene a file can hold (one sequence of two tokens; the format needs at
// least one), for building a dataset from scratch. The teaching scene is Generate > Default scene.
core::Scene blankScene() {
  core::Scene s;
  s.dim = 2;
  s.model.kind = core::ModelKind::Prompt;
  s.model.v = Eigen::Vector2d(0, 1);
  core::Sequence q;
  q.y = 1;
  q.tokens.resize(2, 2);
  q.tokens << 1, 1, 1, -1;
  s.sequences.push_back(q);
  s.optimizer.name = core::OptimizerKind::NMD;
  s.optimizer.lr = 0.1;
  s.extrasJson =
      R"({"notes": "A blank scene: double-click empty canvas to add a token to the selected sequence, drag tokens, )"
      R"(add sequences in the Data tab, then press Space."})";
  return s;
}

namespace {

// An SVM solve longer than this shows in the status bar, with Esc to cancel it.
constexpr double kLongSolveSeconds = 0.5;

// The next window fills `r` (the fixed panels of the main screen).
void place(const Rect& r) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
}

}  // namespace

// =================================================================================================
// [SECTION] construction, run management
// =================================================================================================

App::App(DocState initial, Preferences preferences, ViewState view, TrainerMode mode)
    : doc_(std::move(initial)), prefs_(preferences), lab_(mode) {
  doc_.view() = view;
  prefs_.uiScale = std::clamp(prefs_.uiScale, kMinUiScale, kMaxUiScale);
  FileSessionOptions inert;
  inert.dirs = UserDirs{};
  inert.autosave = false;
  session_ = std::make_unique<FileSession>(inert);
  wireSession();
  syncRun();
}

std::vector<std::string> App::startSession(FileSessionOptions options) {
  session_ = std::make_unique<FileSession>(std::move(options));
  wireSession();
  return session_->start();
}

void App::wireSession() {
  session_->notify = [this](const std::string& m) { notify(m); };
  exports_.notify = [this](const std::string& m) { notify(m); };
  session_->newDocument = [] { return DocState{blankScene(), {}}; };
  session_->documentReplaced = [this] {
    trainedOnce_ = false;  // a new scene: the start hint again
    resetRun();
    // An attention scene opened (dropped, recovered) while an NTP scene is shown: show it, unless the
    // NTP scene has unsaved edits (then it says where the file went).
    if (ntp_ && !ntp_->session().modified())
      ntp_.reset();
    else if (ntp_)
      ntp_->notify("the attention scene opened underneath: File > Close NTP scene shows it");
  };
  // File > Open and drag-and-drop of a next-token prediction scene: its own screen.
  session_->openOtherKind = [this](const std::string& path, std::string& error) {
    return openNtpFile(path, error);
  };
}

void App::requestQuit() {
  // Unsaved sentence edits of an NTP scene: the first request only warns (as closing it does).
  if (ntp_ && !ntp_->requestClose()) return;
  session_->requestQuit(doc_);
}

void App::openNtp(core::NtpScene scene, std::string path) {
  if (ntp_ && ntp_->session().modified()) {
    notify("the open NTP scene has unsaved edits: save or close it first");
    return;
  }
  lab_.setPlaying(false);
  ntp_ = std::make_unique<NtpScreen>(NtpSession(std::move(scene), std::move(path)));
  for (const std::string& w : ntp_->session().run().analysis().warnings) ntp_->notify(w);
}

bool App::openNtpFile(const std::string& path, std::string& error) {
  core::AnySceneLoadResult loaded = core::loadAnyScene(path);
  if (!loaded.ok()) {
    // The attention loader refused the file too: when this loader's reason differs, the file is an NTP
    // scene and this is its problem; the same reason is the attention scene's own.
    const std::string& why = std::get<core::LoadError>(loaded.value).message;
    const core::SceneLoadResult attention = core::loadScene(path);
    if (!attention.ok() && attention.error() != why) error = why;
    return false;
  }
  if (!loaded.isNtp()) return false;
  openNtp(std::get<core::NtpScene>(std::move(loaded.value)), path);
  return true;
}

void App::drawNtpExamplesMenu() {
  if (!ImGui::BeginMenu("Next-token prediction")) return;
  for (const core::NtpGeneratorInfo& g : core::ntpGenerators()) {
    if (ImGui::MenuItem(g.name)) openNtp(core::generateNtpScene(g.name, core::NtpGeneratorOptions{}), {});
    tip(g.description);
  }
  ImGui::EndMenu();
}

void App::show(const std::string& what) {
  if (what == "file-menu") forceMenu_ = "File";
  if (what == "export-menu") forceMenu_ = "Export";
  if (what == "open") session_->open(doc_);
  if (what == "save-as") session_->saveAs(doc_);
  if (what == "unsaved") session_->unsavedPrompt().ask(session_->displayName(), "opening another scene");
  if (what == "help") help_.open = true;
  if (what == "animation") animationDialog_.open = true;
}

std::vector<std::string> App::stateSummary() const {
  const core::Scene& sc = doc_.scene();
  int tokens = 0;
  for (const auto& q : sc.sequences) tokens += static_cast<int>(q.tokens.rows());
  std::vector<std::string> lines;
  lines.push_back(std::string(core::enumName(sc.model.kind)) + " model, " + core::enumName(sc.model.loss) +
                  " loss" + (sc.model.trainV ? ", v trained" : "") +
                  "; n = " + std::to_string(sc.sequenceCount()) + " sequences, " + std::to_string(tokens) +
                  " tokens, d = " + std::to_string(sc.dim));
  std::string opt = std::string("optimizer ") + core::enumName(sc.optimizer.name) + ", step size " +
                    core::formatDouble(sc.optimizer.lr);
  if (sc.optimizer.name == core::OptimizerKind::MD || sc.optimizer.name == core::OptimizerKind::NMD)
    opt += ", p = " + core::formatDouble(sc.optimizer.p);
  lines.push_back(opt);
  if (snap_) {
    lines.push_back("step " + groupedInt(snap_->iteration) + ", loss " +
                    prettyNumber(snap_->metrics.loss, "%.4g"));
    if (!snap_->failure.empty()) lines.push_back("the run stopped: " + snap_->failure);
  }
  if (lab_.runCount() > 1)
    for (int i = 0; i < lab_.runCount(); ++i) {
      const LabRun& r = lab_.run(i);
      const core::RunPatch info = doc_.runInfo(i);
      std::string line = "run " + std::to_string(i + 1) +
                         " "
                         " + info.name + "
                         " (" +
                         info.colour + ")";
      if (r.shown)
        line += ": step " + groupedInt(r.shown->iteration) + ", corr " +
                prettyNumber(r.shown->metrics.corr, "%.6f");
      if (!r.error.empty()) line += ": " + r.error;
      lines.push_back(line);
    }
  if (const core::AttentionSvm* sv = theory().svm())
    lines.push_back(std::string("SVM (") + core::enumName(doc_.experiment().svmTokens) +
                    " tokens): " + core::svmStatusName(sv->solution.status) +
                    (sv->solution.status == core::SvmStatus::Optimal
                         ? ", norm " + core::formatDouble(sv->solution.value)
                         : std::string()));
  if (!session_->path().empty()) lines.push_back("scene file: " + session_->path());
  return lines;
}

ExportSources App::exportSources() const {
  ExportSources src;
  src.doc = &doc_;
  src.snap = snap_;
  src.figure = &plots_.figure;
  src.overlay = &canvasOverlay_;
  src.canvas = canvasLayout().transform;
  src.canvasTop = gridRuns_.size() >= 2 ? -1.f : canvasTop_;
  src.space = showsSpace();
  src.projection = view3d_.projection();
  src.style = CanvasStyle{prefs_.theme, prefs_.uiScale, true, nullptr};
  if (showsGeometry())  // the geometry view exports its own description (the SVG of what is on screen)
    src.geometryScene = [this, style = src.style](const CanvasSceneOptions& o) {
      return geometry_.exportScene(o, style);
    };
  src.fontSize = fontSize_;
  src.plotsMin = plotsMin_;
  src.plotsMax = plotsMax_;
  src.heatmapMin = heatmapMin_;
  src.heatmapMax = heatmapMax_;
  const PlotView& pv = plots_.view;
  for (const plot::PlotFrame& pf : pv.frame.plots)
    if (pf.plot < plots_.figure.plots.size())
      src.plotRects.push_back({plots_.figure.plots[pf.plot].name,
                               {pv.toScreen(plot::Point{pf.outer.x, pf.outer.y}),
                                pv.toScreen(plot::Point{pf.outer.x + pf.outer.w, pf.outer.y + pf.outer.h})}});
  src.sceneName = session_->documentStem();
  src.folder = session_->exportFolder();
  src.sceneJson = documentText(doc_);
  src.summary = stateSummary();
  src.now = systemClock()();
  return src;
}

void App::setUiScale(float scale) {
  changeUiScale(scale, true);
}

std::string App::startAnimation(const AnimationOptions& options) {
  const std::string error = animation_.start(options, lab_.furthestStep(), lab_.cursor());
  if (!error.empty()) notify("animation: " + error);  // the status bar counts the frames otherwise
  return error;
}

void App::changeUiScale(float scale, bool remember) {
  scale = std::clamp(std::round(scale * 4.f) / 4.f, kMinUiScale, kMaxUiScale);
  if (scale == prefs_.uiScale) return;
  prefs_.uiScale = scale;
  styleDirty_ = true;
  fontRebuild_ = true;
  if (!remember) return;
  session_->prefs().uiScale = scale;  // remembered for the next start
  session_->savePrefs();
}

void App::setPresenting(bool on) {
  if (on == presenting_) return;
  presenting_ = on;
  fullscreenRequest_ = on;
  if (on) {
    panelsBeforePresenting_ = panels_;
    scaleBeforePresenting_ = prefs_.uiScale;
    panels_.showControls = false;
    panels_.showHeatmap = false;
    panels_.showPlots = true;
    panels_.plotsWidth = 0;     // presentation's default: wide enough for one plot and its legend
    canvas_.releaseDrag(doc_);  // a gesture in progress ends here: the canvas is locked from now on
    view3d_.releaseDrag(doc_);
    changeUiScale(std::min(kMaxUiScale, prefs_.uiScale + 0.5f), false);  // for this talk only
    notify("presentation mode: Space plays, S steps, Esc or F11 leaves");
  } else {
    panels_ = panelsBeforePresenting_;
    changeUiScale(scaleBeforePresenting_, false);
  }
}

bool App::openLesson(const std::string& name) {
  auto parsed = bundledLesson(name);
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    notify(*error);
    return false;
  }
  lesson_.emplace(std::get<Lesson>(std::move(parsed)));
  enterLessonStep();
  return true;
}

void App::lessonStep(int delta) {
  if (!lesson_) return;
  const int last = static_cast<int>(lesson_->lesson.steps.size()) - 1;
  const int to = std::clamp(lesson_->step + delta, 0, last);
  if (to == lesson_->step) return;
  lesson_->step = to;
  enterLessonStep();
}

void App::enterLessonStep() {
  const LessonStep& step = lesson_->current();
  if (step.scene.empty()) return;
  const std::optional<std::string> text = readAsset(step.scene);
  OpenedDocument d = openDocumentText(text.value_or(""), step.scene);
  if (!d.ok) {
    notify("lesson: " + d.error);
    return;
  }
  std::string name = step.scene.substr(step.scene.find_last_of('/') + 1);
  if (name.ends_with(".json")) name.resize(name.size() - 5);
  session_->openNew(doc_, std::move(d.doc), name);
}

LessonFacts App::lessonFacts() const {
  LessonFacts f;
  f.runs = lab_.runCount();
  f.runsDisagree = f.runs >= 2 && !disagreeingSequences(lab_, doc_).empty();
  for (const core::Sequence& q : doc_.scene().sequences)
    f.tokens.push_back(static_cast<int>(q.tokens.rows()));
  if (!snap_) return f;
  const core::MetricsPoint& m = snap_->metrics;
  f.step = snap_->iteration;
  f.loss = m.loss;
  f.corr = m.corr;
  f.corrOptimal = m.corrOptimal;
  f.sparsity = std::pow(10.0, m.log10MaxUnselected);
  f.margin = m.margin;
  f.accuracy = m.accuracy;
  // As the canvas shows them: a sequence whose tokens all tie has no selected token (-1).
  const CanvasOverlay& ov = canvasOverlay_;
  f.selected = ov.selected.size() == snap_->selected.size() ? ov.selected : snap_->selected;
  f.optimal = snap_->optimal;
  return f;
}

void App::setTheme(ThemeKind theme) {
  prefs_.theme = theme;
  styleDirty_ = true;
  if (session_->prefs().theme != theme) {
    session_->prefs().theme = theme;
    session_->savePrefs();
  }
}

std::vector<ClearRegion> App::clearRegions() const {
  std::vector<ClearRegion> r;
  r.push_back({ImVec2(0, 0), ImVec2(0, 0), ImGui::GetStyle().Colors[ImGuiCol_WindowBg]});
  if (canvasMax_.x > canvasMin_.x && canvasMax_.y > canvasMin_.y)
    r.push_back(
        {canvasMin_, canvasMax_, ImGui::ColorConvertU32ToFloat4(palette(prefs_.theme).canvasBackground)});
  return r;
}

bool App::takeFontRebuild() {
  return std::exchange(fontRebuild_, false);
}

void App::notify(std::string message) {
  if (ntp_ && ImGui::GetCurrentContext()) ntp_->notify(message);  // its status bar is the one on screen
  message_ = std::move(message);
  messageTime_ = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0.0;
}

bool App::animating() const {
  if (ntp_) return ntp_->animating();
  bool camera = view3d_.cameraMoving();  // the 3D view's camera gliding after a zoom or fit
  for (const View3DPanel& v : gridViews_) camera = camera || v.cameraMoving();
  return lab_.busy() || doc_.inGesture() || lab_.playing() || camera;
}

std::vector<int> App::visibleRuns(int most) const {
  std::vector<int> runs;
  for (int i = 0; i < lab_.runCount() && static_cast<int>(runs.size()) < most; ++i)
    if (!doc_.runInfo(i).hidden) runs.push_back(i);
  return runs;
}

// The runs the grid view shows: the visible ones, at most kGridCells, in document order; fewer than
// two means no grid.
std::vector<int> App::gridRuns() const {
  if (doc_.view().compare != CompareView::Grid) return {};
  return visibleRuns(kGridCells);
}

// Grid: one canvas per run (2 or 4 cells), every cell with its run's attention, rings, SVM and margin
// lines. The cells share the document's camera (pan, zoom, orbit in one move all); edits in any cell
// change the data of every run. The selected run's cell is the one exports and layouts report.
void App::drawGrid(bool space, const CanvasStyle& style) {
  // One legend strip above the grid, not one per cell: every cell draws the same marks, and at a
  // projector's size four strips of three rows left each cell a sliver of canvas.
  if (doc_.view().layers.legend) {
    const bool relaxed = lab_.run(gridRuns_.front()).overlay().relaxedSvm;
    CanvasScene legend;
    legend.scale = style.scale;
    legend.fontSize = ImGui::GetFontSize();
    legend.theme = style.theme;
    legend.legend = space ? view3DLegend(doc_.scene().model.kind, relaxed)
                          : canvasLegend(doc_.scene().model.kind, relaxed);
    paintLegendStrip(legend, style);
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  gridMin_ = origin;
  gridMax_ = ImVec2(origin.x + avail.x, origin.y + avail.y);
  const int cells = static_cast<int>(gridRuns_.size());
  const int cols = 2, rows = cells > 2 ? 2 : 1;
  const float gap = 2.f * prefs_.uiScale;
  const ImVec2 cell((avail.x - gap * (cols - 1)) / cols, (avail.y - gap * (rows - 1)) / rows);
  runRays_.clear();
  for (int c = 0; c < cells; ++c) {
    const int run = gridRuns_[static_cast<std::size_t>(c)];
    CanvasOverlay ov = lab_.run(run).overlay();
    ov.runColour = parseRunColour(doc_.runInfo(run).colour);
    ImGui::SetCursorScreenPos(ImVec2(origin.x + static_cast<float>(c % cols) * (cell.x + gap),
                                     origin.y + static_cast<float>(c / cols) * (cell.y + gap)));
    ImGui::BeginChild(
        ImGui::GetID(reinterpret_cast<const void*>(static_cast<std::intptr_t>(c + 1))), cell, false,
        ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground);
    CanvasPanel& canvas = gridCanvases_[static_cast<std::size_t>(c)];
    View3DPanel& view = gridViews_[static_cast<std::size_t>(c)];
    // The first click into another run's cell only selects that run: it must not also add a token
    // (and so restart every run). The click is consumed before the canvas sees it.
    const bool selects =
        run != selectedRun() && ImGui::IsWindowHovered() &&
        (ImGui::IsMouseClicked(ImGuiMouseButton_Left) || ImGui::IsMouseClicked(ImGuiMouseButton_Right));
    if (selects) doc_.view().selectedRun = run;
    view.editsLocked = canvas.editsLocked = presenting_;  // as on the single canvas
    view.showLegend = canvas.showLegend = false;          // the grid's strip above says it once
    if (space)
      view.interact(doc_, ov, style, !selects && !animation_.active());
    else
      canvas.interact(doc_, ov, style, !selects && !animation_.active());
    syncRun();
    refreshOverlay();
    ov = lab_.run(run).overlay();
    ov.runColour = parseRunColour(doc_.runInfo(run).colour);
    if (space)
      view.render(doc_, ov, style);
    else
      canvas.render(doc_, ov, style);
    const CanvasLayout& layout = space ? view.layout() : canvas.layout();
    for (const CanvasLayout::RunRay& r : layout.runRays)
      if (r.run == 0) runRays_.push_back({run, r.svm, r.colour, r.from, r.to});
    // The run's name in its colour, top right of its cell (the legend takes the top left).
    const std::string name = doc_.runInfo(run).name + (run == selectedRun() ? "  \xE2\x97\x8F" : "");
    const ImVec2 sz = ImGui::CalcTextSize(name.c_str());
    const ImVec2 wp = ImGui::GetWindowPos();
    const float pad = 4.f * prefs_.uiScale;
    // On a plate of the canvas colour, above the x axis's tick labels it would otherwise cover.
    const ImVec2 at(wp.x + cell.x - sz.x - 2.f * pad,
                    wp.y + cell.y - sz.y - ImGui::GetFontSize() - 4.f * pad);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(at.x - pad, at.y - pad), ImVec2(at.x + sz.x + pad, at.y + sz.y + pad),
                      palette(prefs_.theme).canvasBackground, 3.f * prefs_.uiScale);
    dl->AddRect(ImVec2(at.x - pad, at.y - pad), ImVec2(at.x + sz.x + pad, at.y + sz.y + pad),
                ov.runColour ? ov.runColour : palette(prefs_.theme).axis, 3.f * prefs_.uiScale);
    dl->AddText(at, ov.runColour ? ov.runColour : palette(prefs_.theme).text, name.c_str());
    ImGui::EndChild();
  }
}

// Heat maps: with several visible runs, one per run (at most four) side by side, each titled with its
// run's name in its colour and with a mark on the rows where the runs disagree on the selected token;
// the colour bar and its legend once, beside the last.
void App::drawHeatmaps() {
  const std::vector<int> runs = lab_.runCount() >= 2 ? visibleRuns(kGridCells) : std::vector<int>{};
  if (runs.size() < 2) {
    heatmap_.draw(doc_, canvasOverlay_, prefs_.theme, prefs_.uiScale);
    return;
  }
  std::vector<bool> disagree(static_cast<std::size_t>(std::max(doc_.scene().sequenceCount(), 0)), false);
  for (int q : disagreeingSequences(lab_, doc_))
    if (q < static_cast<int>(disagree.size())) disagree[static_cast<std::size_t>(q)] = true;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = 8.f * prefs_.uiScale;
  const float legendW = HeatmapPanel::legendWidth(prefs_.uiScale);
  const float w =
      (avail.x - legendW - gap * static_cast<float>(runs.size() - 1)) / static_cast<float>(runs.size());
  for (std::size_t c = 0; c < runs.size(); ++c) {
    if (c > 0) ImGui::SameLine(0, gap);
    const bool last = c + 1 == runs.size();
    ImGui::BeginChild(ImGui::GetID(reinterpret_cast<const void*>(static_cast<std::intptr_t>(runs[c] + 1))),
                      ImVec2(last ? w + legendW : w, avail.y), false, ImGuiWindowFlags_NoBackground);
    HeatmapOptions options;
    options.title = doc_.runInfo(runs[c]).name;
    options.titleColour = parseRunColour(doc_.runInfo(runs[c]).colour);
    options.legend = last;
    options.disagree = disagree;
    heatmap_.draw(doc_, lab_.run(runs[c]).overlay(), prefs_.theme, prefs_.uiScale, options);
    ImGui::EndChild();
  }
}

// Every visible run's snapshot as shown (at the timeline's cursor, or live), in its colour.
std::vector<PlotRun> App::plotRuns() const {
  std::vector<PlotRun> runs;
  for (int r : visibleRuns(8)) {
    const core::RunPatch info = doc_.runInfo(r);
    const std::uint32_t c = parseRunColour(info.colour);
    runs.push_back(
        {info.name,
         plot::Color{static_cast<std::uint8_t>(c & 0xff), static_cast<std::uint8_t>((c >> 8) & 0xff),
                     static_cast<std::uint8_t>((c >> 16) & 0xff), 255},
         lab_.run(r).shown});
  }
  if (runs.empty() && lab_.runCount() > 0) runs.push_back({doc_.runInfo(selectedRun()).name, {}, snap_});
  return runs;
}

void App::syncRun() {
  lab_.sync(doc_);
}

void App::deleteToken() {
  if (showsSpace())
    view3d_.deleteHoveredOrActive(doc_);
  else
    canvas_.deleteHoveredOrActive(doc_);
}

void App::resetRun() {
  lastPause_.clear();
  lab_.restartAll(doc_);
  refreshOverlay();
}

void App::pushRunSettings() {
  lab_.setSpeed(controls_.stepsPerSecond());
  lab_.setStopCondition(doc_.experiment().stop);
}

void App::refreshOverlay() {
  if (lab_.mode() == TrainerMode::Synchronous) lab_.pump();
  lab_.refresh(doc_, hint());
  const int sel = selectedRun();
  if (lab_.runCount() == 0) return;
  snap_ = lab_.run(sel).shown;
  if (!snap_) return;
  if (snap_->iteration > 0 || lab_.playing()) trainedOnce_ = true;
  canvasOverlay_ = compareOverlay(sel);
  if (snap_ != trailSnap_) {  // the direction trails follow the shown step
    trailSnap_ = snap_;
    const RecordedParams recorded = recordedParams(lab_.run(sel));
    trail_ =
        snap_->scene ? directionHistory(*snap_->scene, recorded.steps, recorded.params) : DirectionHistory{};
  }
  canvasOverlay_.trailSteps = trail_.steps;
  canvasOverlay_.paramRayTrail = trail_.rays;
  canvasOverlay_.paramQueryTrail = trail_.queries;
}

CanvasOverlay App::compareOverlay(int run) {
  CanvasOverlay ov = lab_.run(run).overlay();
  overlayRuns_.clear();
  if (lab_.runCount() < 2) return ov;
  ov.runColour = parseRunColour(doc_.runInfo(run).colour);
  if (doc_.view().compare != CompareView::Overlay) return ov;
  for (int i = 0; i < lab_.runCount(); ++i) {
    const core::RunPatch info = doc_.runInfo(i);
    if (i == run || info.hidden) continue;
    const CanvasOverlay& o = lab_.run(i).overlay();
    CanvasOverlay::OtherRun other;
    other.name = info.name;
    other.colour = parseRunColour(info.colour);
    other.paramRay = o.paramRay;
    other.paramQueries = o.paramQueries;
    if (o.svmOk) {
      other.svmRay = o.svmRay;
      other.svmQueries = o.svmQueries;
    }
    ov.otherRuns.push_back(std::move(other));
    overlayRuns_.push_back(i);
  }
  return ov;
}

std::string App::hint() const {
  if (trainedOnce_) return {};
  return "Press Space to train \xC2\xB7 drag tokens or the tip of v \xC2\xB7 F1 for help";
}

// =================================================================================================
// [SECTION] frame
// =================================================================================================

void App::handleShortcuts() {
  ImGuiIO& io = ImGui::GetIO();
  auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
  const bool ctrl = io.KeyCtrl;
  if (session_->modalOpen()) return;  // a dialog has the keyboard (Space, Enter, letters in a name)
  if (animation_.active()) {          // an export moves the timeline: only Esc (cancel) is taken
    if (pressed(GLFW_KEY_ESCAPE)) animation_.cancel();
    return;
  }
  session_->handleShortcuts(doc_);  // Ctrl+N/O/S/Q, Ctrl+Shift+S/C/V
  if (session_->modalOpen()) return;
  if (pressed(GLFW_KEY_F1)) help_.open = !help_.open;
  if (pressed(GLFW_KEY_F11) || (presenting_ && pressed(GLFW_KEY_ESCAPE))) setPresenting(!presenting_);
  if (lesson_ && pressed(GLFW_KEY_PAGE_DOWN)) lessonStep(+1);
  if (lesson_ && pressed(GLFW_KEY_PAGE_UP)) lessonStep(-1);
  if (ctrl && (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD))) setUiScale(prefs_.uiScale + 0.25f);
  if (ctrl && (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT))) setUiScale(prefs_.uiScale - 0.25f);
  if (io.WantTextInput) return;  // typing a number: letters and Ctrl+Z belong to the text field
  if (ctrl && !io.KeyShift && pressed(GLFW_KEY_Z)) {
    // "Continue from here" is undone first while nothing was edited since: the run trains the dropped
    // steps again (deterministic, so they come back bit for bit).
    if (lab_.canUndoRewind(doc_)) {
      lab_.undoRewind();
      notify("the dropped steps are trained again");
    } else if (!doc_.undo())
      notify("nothing to undo");
  } else if (ctrl && (pressed(GLFW_KEY_Y) || (io.KeyShift && pressed(GLFW_KEY_Z)))) {
    if (!doc_.redo()) notify("nothing to redo");
  }
  if (ctrl) return;
  if (pressed(GLFW_KEY_SPACE)) lab_.setPlaying(!lab_.playing());
  // S trains one step (or moves the timeline's cursor one step on); Shift+S steps the timeline back.
  if (pressed(GLFW_KEY_S) && io.KeyShift)
    timeline_.stepBack(lab_);
  else if (pressed(GLFW_KEY_S))
    timeline_.stepForward(lab_);
  if (pressed(GLFW_KEY_R)) resetRun();
  if (pressed(GLFW_KEY_F)) doc_.view().refit();
  if (!presenting_ && (pressed(GLFW_KEY_DELETE) || pressed(GLFW_KEY_BACKSPACE))) deleteToken();
  if (pressed(GLFW_KEY_ESCAPE)) {
    doc_.view().pickSvmTokens = false;
    // A long SVM solve (the status bar counts its seconds): stop it. The theory objects are the lab's;
    // cancelling touches only their own flag.
    for (int i = 0; i < lab_.runCount(); ++i)
      if (lab_.run(i).theory->solvingSeconds() > kLongSolveSeconds) lab_.run(i).theory->cancel();
  }
}

void App::frame() {
  ImGuiIO& io = ImGui::GetIO();
  const float s = prefs_.uiScale;
  fontSize_ = ImGui::GetFontSize();
  if (styleDirty_) {
    applyTheme(prefs_.theme, s, ImGui::GetStyle());
    styleDirty_ = false;
  }
  if (ntp_) {  // a next-token prediction scene has the screen; the document waits under it
    ntp_->frame(prefs_.theme, s);
    if (ntp_->closeRequested()) {
      ntp_.reset();
      notify("the NTP scene is closed; back to the attention scene");
    }
    session_->frame(doc_, s);  // prompts (quit), autosave of the document
    return;
  }
  // The worker reads speed and stop condition between chunks: hand them over before anything can
  // start it (Space below), and again after the panels that edit them.
  pushRunSettings();
  handleShortcuts();
  pushRunSettings();
  syncRun();
  refreshOverlay();
  if (snap_ && !snap_->pauseReason.empty()) lastPause_ = snap_->pauseReason;
  if (lab_.playing()) lastPause_.clear();

  drawMenuBar();
  const float menuH = ImGui::GetFrameHeight();
  const float statusH = ImGui::GetFrameHeight() + 6.f * s;
  const float W = io.DisplaySize.x, H = io.DisplaySize.y;
  LayoutInput li;
  li.width = W;
  li.height = H;
  li.menuHeight = menuH;
  li.statusHeight = statusH;
  li.scale = s;
  // Several runs' heat maps carry a title line (the run's name) above their grids.
  const float heatTitle =
      lab_.runCount() >= 2 && visibleRuns(2).size() >= 2 ? ImGui::GetTextLineHeightWithSpacing() : 0.f;
  li.heatmapPreferred = HeatmapPanel::preferredHeight(doc_.scene().sequenceCount(), s) + heatTitle;
  // The runs strip and the timeline: two rows of buttons each, whatever the font.
  const ImGuiStyle& st = ImGui::GetStyle();
  const float twoRows = 2.f * ImGui::GetFrameHeightWithSpacing() + 2.f * st.WindowPadding.y;
  li.runsHeight = std::max(RunsPanel::preferredHeight(s), twoRows + st.ScrollbarSize);
  li.timelineHeight = std::max(TimelinePanel::preferredHeight(s), twoRows);
  if (presenting_ && lab_.runCount() < 2) li.runsHeight = 0;  // one run: nothing to choose between
  li.presenting = presenting_;
  li.panels = panels_;
  layout_ = layoutScreen(li);
  const ScreenLayout& lay = layout_;
  // Fixed panels without backgrounds of their own: clearRegions() paints them (see there).
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground;
  const CanvasStyle canvasStyle{prefs_.theme, s, false, &sprites_};

  // ---- left: run controls, then Experiment / Data / Generate
  if (!lay.controls.empty()) {
    place(lay.controls);
    ImGui::Begin("Run and experiment", nullptr, fixed | ImGuiWindowFlags_NoTitleBar);
    if (runPanel_.draw(doc_, lab_, controls_, *snap_, s)) resetRun();
    ImGui::Spacing();
    if (ImGui::BeginTabBar("left")) {
      if (ImGui::BeginTabItem("Experiment")) {
        ImGui::BeginChild("experiment");
        experimentPanel_.draw(doc_, theory().svm(), theory().lastSolveMilliseconds(), s);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Data")) {
        dataPanel_.draw(doc_, canvasOverlay_, prefs_.theme, s);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Generate")) {
        if (std::optional<NewSceneRequest> r = generatorPanel_.draw(s))
          session_->openNew(doc_, std::move(r->scene), r->name);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    ImGui::End();
  }
  pushRunSettings();
  syncRun();
  refreshOverlay();

  // ---- centre: runs strip, canvas, timeline, heat map
  if (!lay.runs.empty()) {
    place(lay.runs);
    if (ImGui::Begin("Runs", nullptr,
                     fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_HorizontalScrollbar)) {
      runsPanel_.draw(doc_, lab_, s);
      if (std::string m = runsPanel_.takeMessage(); !m.empty()) notify(m);
    }
    ImGui::End();
  }
  syncRun();
  refreshOverlay();

  place(lay.canvas);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  if (ImGui::Begin("Canvas", nullptr,
                   fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar |
                       ImGuiWindowFlags_NoScrollWithMouse)) {
    const bool space = viewModeBar(doc_, view3d_, s, geometryViewProblem(doc_.scene()).empty());
    canvasTop_ = ImGui::GetCursorScreenPos().y;  // the legend strip starts here (canvas PNG exports)
    if (space != shownSpace_) {                  // the hidden panel must not keep a gesture open
      if (space)
        canvas_.releaseDrag(doc_);
      else
        view3d_.releaseDrag(doc_);
      shownSpace_ = space;
    }
    gridRuns_ = gridRuns();
    if (showsGeometry()) {  // every run on one picture of parameter space
      canvas_.releaseDrag(doc_);
      view3d_.releaseDrag(doc_);
      gridRuns_.clear();
      geometry_.draw(geometryInputs(doc_, lab_, selectedRun()), canvasStyle, !animation_.active());
    } else if (gridRuns_.size() >= 2) {
      drawGrid(space, canvasStyle);
    } else {
      // Presenting locks edits (a stray click in front of a class changes nothing) but keeps zoom, pan
      // and orbit; an animation export moving the timeline takes no mouse input at all.
      view3d_.editsLocked = canvas_.editsLocked = presenting_;
      if (space)
        view3d_.interact(doc_, canvasOverlay_, canvasStyle, !animation_.active());
      else
        canvas_.interact(doc_, canvasOverlay_, canvasStyle, !animation_.active());
      syncRun();  // an edit on the canvas shows in this frame: run restarted, SVM re-solved
      refreshOverlay();
      if (space)
        view3d_.render(doc_, canvasOverlay_, canvasStyle);
      else
        canvas_.render(doc_, canvasOverlay_, canvasStyle);
      runRays_.clear();
      for (const CanvasLayout::RunRay& r : canvasLayout().runRays) {
        const int k = r.run - 1;
        const int docRun = r.run == 0 ? selectedRun()
                                      : (k < static_cast<int>(overlayRuns_.size())
                                             ? overlayRuns_[static_cast<std::size_t>(k)]
                                             : -1);
        if (docRun >= 0) runRays_.push_back({docRun, r.svm, r.colour, r.from, r.to});
      }
    }
    canvasMin_ = canvasLayout().transform.min;
    canvasMax_ = canvasLayout().transform.max;
    if (gridRuns_.size() >= 2) {  // the background under every cell
      canvasMin_ = gridMin_;
      canvasMax_ = gridMax_;
    }
    for (std::string m : {canvas_.takeMessage(), view3d_.takeMessage()})
      if (!m.empty()) notify(m);
    for (auto& c : gridCanvases_)
      if (std::string m = c.takeMessage(); !m.empty()) notify(m);
    for (auto& c : gridViews_)
      if (std::string m = c.takeMessage(); !m.empty()) notify(m);
  }
  ImGui::End();
  ImGui::PopStyleVar();

  place(lay.timeline);
  if (ImGui::Begin("Timeline", nullptr, fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
    timeline_.draw(doc_, lab_, s);
  }
  ImGui::End();
  syncRun();  // "continue from here" restarts a run's history; the cursor shows replayed runs
  refreshOverlay();

  heatmapMin_ = heatmapMax_ = ImVec2(0, 0);
  if (!lay.heatmap.empty()) {
    place(lay.heatmap);
    if (ImGui::Begin("Attention weights s (sequences \xC3\x97 tokens)", nullptr, fixed)) drawHeatmaps();
    heatmapMin_ = ImGui::GetWindowPos();
    heatmapMax_ = ImVec2(heatmapMin_.x + ImGui::GetWindowWidth(), heatmapMin_.y + ImGui::GetWindowHeight());
    ImGui::End();
  }

  // ---- right: plots
  plotsMin_ = plotsMax_ = ImVec2(0, 0);
  if (!lay.plots.empty()) {
    place(lay.plots);
    if (ImGui::Begin("Plots", nullptr, fixed)) {
      plots_.onlyPlot = presenting_ ? presentationPlot : -1;
      plots_.draw(plotRuns(), lab_.cursor(), s);
      plotsMin_ = ImGui::GetWindowPos();
      plotsMax_ = ImVec2(plotsMin_.x + ImGui::GetWindowWidth(), plotsMin_.y + ImGui::GetWindowHeight());
    }
    ImGui::End();
  }

  drawSplitters(lay);

  if (lesson_) {
    lesson_->update(lessonFacts());
    // Over the top of the plots (they scroll); without them, the canvas's top-right corner.
    const float w = lay.plots.empty() ? std::min(400.f * s, 0.45f * lay.canvas.w) : lay.plots.w - 8.f * s;
    const float x = lay.plots.empty() ? lay.canvas.right() - w - 8.f * s : lay.plots.x + 4.f * s;
    const float y = (lay.plots.empty() ? lay.canvas.y : lay.plots.y) + 8.f * s;
    switch (lessonPanel_.draw(*lesson_, s, x, y, w)) {
      case LessonAction::Back:
        lessonStep(-1);
        break;
      case LessonAction::Next:
        lessonStep(+1);
        break;
      case LessonAction::Reopen:
        enterLessonStep();
        break;
      case LessonAction::Close:
        lesson_.reset();
        break;
      case LessonAction::None:
        break;
    }
  }

  drawStatusBar(H - statusH, statusH);
  help_.draw(s);
  if (!animation_.capturing())
    if (std::optional<AnimationOptions> o =
            animationDialog_.draw(session_->exportFolder(), session_->documentStem(), lab_.furthestStep(), s))
      startAnimation(*o);
  // Prompts, the file browser and autosave last: they sit on top, and a file opened or restored here
  // is on screen from the next frame.
  session_->frame(doc_, s);
}

// =================================================================================================
// [SECTION] menu bar, status bar, splitters
// =================================================================================================

void App::drawSplitters(const ScreenLayout& lay) {
  const ImGuiIO& io = ImGui::GetIO();
  const float s = prefs_.uiScale;
  struct Handle {
    const char* id;
    Rect rect;
    Splitter which;
    float anchor;  // the panel's far edge: its size is the pointer's distance from there
    float grow;    // +1: the panel grows to the right (or down) of the anchor, -1: to the left (up)
  };
  const Handle handles[] = {
      {"##split-controls", lay.controlsSplitter, Splitter::Controls, lay.controls.x, 1},
      {"##split-plots", lay.plotsSplitter, Splitter::Plots, lay.plots.right(), -1},
      {"##split-heatmap", lay.heatmapSplitter, Splitter::Heatmap, lay.heatmap.bottom(), -1},
  };
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowMinSize, ImVec2(1, 1));
  for (const Handle& h : handles) {
    if (h.rect.empty()) continue;
    place(h.rect);
    if (ImGui::Begin(h.id, nullptr, flags)) {
      const bool vertical = h.which != Splitter::Heatmap;
      ImGui::InvisibleButton("grab", ImVec2(h.rect.w, h.rect.h));
      const bool hot = ImGui::IsItemHovered() || ImGui::IsItemActive();
      if (hot) {
        ImGui::SetMouseCursor(vertical ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        const ImU32 c =
            ImGui::GetColorU32(ImGui::IsItemActive() ? ImGuiCol_SeparatorActive : ImGuiCol_SeparatorHovered);
        if (vertical)
          ImGui::GetForegroundDrawList()->AddLine(ImVec2(0.5f * (a.x + b.x), a.y),
                                                  ImVec2(0.5f * (a.x + b.x), b.y), c, 2.f * s);
        else
          ImGui::GetForegroundDrawList()->AddLine(ImVec2(a.x, 0.5f * (a.y + b.y)),
                                                  ImVec2(b.x, 0.5f * (a.y + b.y)), c, 2.f * s);
        ImGui::SetTooltip(
            "Drag to resize, drag to the edge to hide (View menu shows it again); double-click: "
            "default size");
      }
      if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        if (h.which == Splitter::Controls) panels_.controlsWidth = 0;
        if (h.which == Splitter::Plots) panels_.plotsWidth = 0;
        if (h.which == Splitter::Heatmap) panels_.heatmapHeight = 0;
      } else if (ImGui::IsItemActive() && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
        const float pointer = vertical ? io.MousePos.x : io.MousePos.y;
        panels_ = dragSplitter(panels_, h.which, h.grow * (pointer - h.anchor), s);
      }
    }
    ImGui::End();
  }
  ImGui::PopStyleVar(2);
}

void App::drawMenuBar() {
  if (!ImGui::BeginMainMenuBar()) return;
  // --show file-menu / export-menu hold a menu open for a screenshot.
  auto forced = [&](const char* name) {
    if (forceMenu_ == name && !ImGui::IsPopupOpen(name)) ImGui::OpenPopup(name);
  };
  forced("File");
  if (ImGui::BeginMenu("File")) {
    session_->fileMenuItems(doc_);
    ImGui::Separator();
    drawNtpExamplesMenu();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Edit")) {
    const std::string undo = doc_.canUndo() ? "Undo " + doc_.undoName() : std::string("Undo");
    const std::string redo = doc_.canRedo() ? "Redo " + doc_.redoName() : std::string("Redo");
    if (ImGui::MenuItem(undo.c_str(), "Ctrl+Z", false, doc_.canUndo())) doc_.undo();
    if (ImGui::MenuItem(redo.c_str(), "Ctrl+Y", false, doc_.canRedo())) doc_.redo();
    ImGui::Separator();
    if (ImGui::MenuItem("Delete token", "Delete", false, doc_.view().activeToken.valid())) deleteToken();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Run")) {
    if (ImGui::MenuItem(lab_.playing() ? "Pause" : "Play", "Space")) lab_.setPlaying(!lab_.playing());
    if (ImGui::MenuItem("Step", "S")) timeline_.stepForward(lab_);
    if (ImGui::MenuItem("Step back (timeline)", "Shift+S")) timeline_.stepBack(lab_);
    if (ImGui::MenuItem("Reset", "R")) resetRun();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    CanvasLayers& l = doc_.view().layers;
    if (ImGui::MenuItem("Fit canvas to data", "F")) doc_.view().refit();
    const bool spatial = doc_.scene().dim >= 3;
    if (ImGui::MenuItem("3D view", nullptr, showsSpace(), spatial)) doc_.view().space = !doc_.view().space;
    tip("For scenes with d \xE2\x89\xA5 3: tokens in space (drag to orbit) instead of the "
        "x\xE2\x82\x81\xE2\x80\x93x\xE2\x82\x82 plane.");
    if (ImGui::MenuItem("Reset 3D view", nullptr, false, showsSpace())) view3d_.resetView(doc_);
    tip("Back to the default angles, fitted to the data.");
    ImGui::Separator();
    // Several runs: one canvas for all, or one each (saved with the scene).
    const bool several = lab_.runCount() >= 2;
    CompareView& compare = doc_.view().compare;
    if (ImGui::MenuItem("Runs on one canvas (overlay)", nullptr, compare == CompareView::Overlay, several))
      compare = CompareView::Overlay;
    tip("Every visible run's ray (or queries) and dashed SVM ray in its colour on one canvas; the markers "
        "show the selected run's attention.");
    if (ImGui::MenuItem("One canvas per run (grid)", nullptr, compare == CompareView::Grid, several))
      compare = CompareView::Grid;
    tip("Up to four canvases side by side, one per visible run, moved by one camera. Click a cell to "
        "select its run.");
    ImGui::Separator();
    ImGui::MenuItem("Grid lines", nullptr, &l.grid);
    tip("Coordinate grid and axes of the x\xE2\x82\x81\xE2\x80\x93x\xE2\x82\x82 plane (in the 3D view: the "
        "floor grid and each token's drop line to it).");
    ImGui::MenuItem("Margin lines (planes in 3D)", nullptr, &l.marginLines);
    tip("Per sequence, the line (x_\xCE\xB1 \xE2\x88\x92 x)\xE1\xB5\x80q_i = 1 of the SVM (a plane in the 3D "
        "view): support tokens lie on it, the others beyond.");
    ImGui::MenuItem("Support tokens", nullptr, &l.supportMarks);
    tip("Mark the tokens whose SVM constraint is active (a diamond at the lower left).");
    ImGui::MenuItem("Optimal tokens", nullptr, &l.optimalMarks);
    tip("Star the token with the highest score \xCE\xB3_it = Y_i v\xE1\xB5\x80x_it in each sequence.");
    ImGui::MenuItem("Legend", nullptr, &l.legend);
    tip("The strip above the canvas explaining every mark.");
    ImGui::Separator();
    ImGui::MenuItem("Controls panel", nullptr, &panels_.showControls);
    tip("Run controls, Experiment, Data and Generate on the left. The borders between panels can be "
        "dragged; dragging one to the edge hides its panel.");
    ImGui::MenuItem("Plots panel", nullptr, &panels_.showPlots);
    tip("The plots on the right.");
    ImGui::MenuItem("Heat map", nullptr, &panels_.showHeatmap);
    tip("The attention weights under the canvas.");
    if (ImGui::MenuItem("Default panel sizes")) {
      const PanelSettings defaults;
      panels_ = defaults;
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Presentation mode", "F11", presenting_)) setPresenting(!presenting_);
    tip("Full screen with larger text: the canvas, the timeline and one plot; side panels hidden and the "
        "canvas locked against edits. Space plays, S steps, Esc leaves.");
    if (ImGui::BeginMenu("Plot shown when presenting")) {
      for (std::size_t i = 0; i < plots_.figure.plots.size(); ++i) {
        const std::string& title = plots_.figure.plots[i].title;
        if (ImGui::MenuItem(title.c_str(), nullptr, presentationPlot == static_cast<int>(i)))
          presentationPlot = static_cast<int>(i);
      }
      ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Light theme", nullptr, prefs_.theme == ThemeKind::Light)) setTheme(ThemeKind::Light);
    if (ImGui::MenuItem("Dark theme", nullptr, prefs_.theme == ThemeKind::Dark)) setTheme(ThemeKind::Dark);
    if (ImGui::MenuItem("Larger UI", "Ctrl+=", false, prefs_.uiScale < kMaxUiScale))
      setUiScale(prefs_.uiScale + 0.25f);
    if (ImGui::MenuItem("Smaller UI", "Ctrl+\xE2\x88\x92", false, prefs_.uiScale > kMinUiScale))
      setUiScale(prefs_.uiScale - 0.25f);
    ImGui::EndMenu();
  }
  forced("Export");
  if (ImGui::BeginMenu("Export")) {
    exports_.menuItems(
        session_->exportFolder(), [this] { return exportSources(); },
        [this] { session_->chooseExportFolder(); });
    ImGui::Separator();
    if (ImGui::MenuItem("Animation (GIF, MP4)...", nullptr, false, !animation_.active()))
      animationDialog_.open = true;
    tip("The timeline from one step to another as an animated GIF, an MP4 (with ffmpeg) or PNG frames.");
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    ImGui::MenuItem("Shortcuts and guide", "F1", &help_.open);
    if (ImGui::BeginMenu("Lessons")) {
      for (const Lesson& l : bundledLessons()) {
        if (ImGui::MenuItem(l.title.c_str(), nullptr, lesson_ && lesson_->lesson.name == l.name))
          openLesson(l.name);
        if (!l.introduction.empty()) tip(l.introduction.c_str());
      }
      ImGui::EndMenu();
    }
    tip("Guided lessons: each step opens a scene, explains it, sets a task and turns green when it is done.");
    ImGui::EndMenu();
  }
  // Right side: scene summary.
  const core::Scene& sc = doc_.scene();
  int tokens = 0;
  for (const auto& q : sc.sequences) tokens += static_cast<int>(q.tokens.rows());
  char summary[160];
  std::snprintf(summary, sizeof summary,
                "%s model \xC2\xB7 %s \xC2\xB7 n = %d sequences, %d tokens, d = %d%s",
                core::enumName(sc.model.kind), core::enumName(sc.optimizer.name), sc.sequenceCount(), tokens,
                sc.dim, doc_.modified() ? " \xC2\xB7 modified" : "");
  const float w = ImGui::CalcTextSize(summary).x;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 20.f, ImGui::GetWindowWidth() - w - 16.f));
  ImGui::TextDisabled("%s", summary);
  ImGui::EndMainMenuBar();
}

void App::drawStatusBar(float y, float height) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, y));
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, height));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8.f * prefs_.uiScale, 3.f * prefs_.uiScale));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground;
  if (ImGui::Begin("##status", nullptr, flags)) {
    // Rates only while training: idle, the app waits for input (a frame rate of 2 would read as a
    // slow machine) and the last steps/s would be stale.
    char left[256];
    const std::string step = groupedInt(snap_ ? snap_->iteration : 0);
    if (animation_.active() && !animation_.capturing()) {
      std::snprintf(left, sizeof left,
                    "exporting an animation: frame %d of %d (step %s)  \xE2\x94\x82  Esc cancels",
                    animation_.framesDone() + 1, animation_.framesTotal(), step.c_str());
    } else if (lab_.playing()) {
      const double sps = lab_.stepsPerSecond();
      std::snprintf(left, sizeof left,
                    "step %s  \xE2\x94\x82  %s steps/s  \xE2\x94\x82  %.0f fps  \xE2\x94\x82  training",
                    step.c_str(), groupedInt(static_cast<long long>(sps)).c_str(), io.Framerate);
    } else {
      std::snprintf(left, sizeof left, "step %s  \xE2\x94\x82  %s", step.c_str(),
                    lab_.cursor() ? "timeline" : "paused");
    }
    // "solved", not the solver's "optimal": that word names the argmax-gamma tokens on the canvas.
    std::string svm = "SVM: ";
    if (const double t = theory().solvingSeconds(); t > kLongSolveSeconds) {
      svm = core::svmProgressText(t, theory().solvingIterations(), theory().solvingResidual()) +
            " (Esc cancels; the last SVM is shown)  \xE2\x94\x82  " + svm;
    }
    const CanvasOverlay& shownOverlay = theory().overlay();
    if (shownOverlay.tiedSequences > 0 && !shownOverlay.svmOk) {
      svm += "none yet (the tokens tie)";
    } else if (const core::AttentionSvm* sv = theory().svm()) {
      if (sv->solution.status == core::SvmStatus::Optimal) {
        char b[96];
        std::snprintf(b, sizeof b, "solved, norm %.4g, gap %.0e", sv->solution.value, sv->solution.gap);
        svm += b;
      } else {
        svm += sv->solution.reason == "cancelled" ? "cancelled (solved again when the data or tokens change)"
                                                  : core::svmStatusName(sv->solution.status);
      }
    } else {
      svm += "not solved";
    }
    // Warnings: a numerical stop of the run first, then a stop condition, then the last message.
    std::string warning;
    bool alarming = false;
    const std::string runError = lab_.runCount() > 0 ? lab_.run(selectedRun()).error : std::string();
    if (!runError.empty()) {
      warning = runError;
      alarming = true;
    } else if (snap_ && !snap_->failure.empty()) {
      warning = "run stopped: " + snap_->failure;
      alarming = true;
    } else if (!lastPause_.empty()) {
      warning = "paused: " + lastPause_;
    } else if (!message_.empty() && ImGui::GetTime() - messageTime_ < 8.0) {
      warning = message_;
    } else if (!fontWarning_.empty()) {
      warning = fontWarning_;
    }
    statusText_ =
        std::string(left) + "  \xE2\x94\x82  " + svm + (warning.empty() ? "" : "  \xE2\x94\x82  " + warning);
    ImGui::TextUnformatted(left);
    ImGui::SameLine();
    ImGui::TextDisabled("\xE2\x94\x82");
    ImGui::SameLine();
    ImGui::TextUnformatted(svm.c_str());
    if (!warning.empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("\xE2\x94\x82");
      ImGui::SameLine();
      const Palette& pal = palette(prefs_.theme);
      ImGui::PushStyleColor(ImGuiCol_Text, alarming ? pal.warning : ImGui::GetColorU32(ImGuiCol_Text));
      ImGui::TextUnformatted(warning.c_str());
      ImGui::PopStyleColor();
    }
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

}  // namespace attnmd::gui
