// The main screen: owns the document, the lab (every run's trainer and live theory) and the panels,
// and lays them out every frame. Knows nothing about GLFW or GL: run_app.cpp drives it with a real window,
// the ui tests drive it with a null ImGui backend and simulated input.
//
//   +------------------------------------------------------------------+
//   | menu                                                             |
//   +------------+------------------------------------+----------------+
//   | Run        |  runs strip (chips, +, compare)    |                |
//   | Experiment +------------------------------------+                |
//   | Data       |  canvas (data, rays): 2D or 3D,    |  Plots         |
//   | Generate   |  one run or overlay, or a grid     |  (every run)   |
//   |            +------------------------------------+                |
//   |            |  timeline (scrubber, events)       |                |
//   |            +------------------------------------+                |
//   |            |  attention heat map(s)             |                |
//   +------------+------------------------------------+----------------+
//   | status: step, steps/s, fps, SVM, warnings                        |
//   +------------------------------------------------------------------+
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "app/gui/export/animation.h"
#include "app/gui/export/animation_dialog.h"
#include "app/gui/export/export_actions.h"
#include "app/gui/files/file_session.h"
#include "app/gui/layout.h"
#include "app/gui/ntp/ntp_screen.h"
#include "app/gui/panels/data_panel.h"
#include "app/gui/panels/experiment_panel.h"
#include "app/gui/panels/generator_panel.h"
#include "app/gui/panels/help_window.h"
#include "app/gui/panels/lesson_panel.h"
#include "app/gui/panels/plots_panel.h"
#include "app/gui/panels/run_panel.h"
#include "app/gui/panels/runs_panel.h"
#include "app/gui/platform/platform.h"
#include "app/gui/views/canvas_panel.h"
#include "app/gui/views/canvas_trails.h"
#include "app/gui/views/geometry_view_panel.h"
#include "app/gui/views/heatmap_panel.h"
#include "app/gui/views/timeline_panel.h"
#include "app/gui/views/view3d_panel.h"
#include "app/gui/widgets/theme.h"
#include "app/state/document.h"
#include "app/state/lab.h"
#include "app/state/lesson.h"
#include "app/state/theory.h"
#include "app/state/trainer.h"

namespace attnmd::gui {

// User preferences as the app applies them (the file is prefs.h's UserPrefs, in XDG_CONFIG_HOME).
struct Preferences {
  float uiScale = 1.f;  // 1x to 3x: fonts, markers, line widths
  ThemeKind theme = ThemeKind::Light;
};

constexpr float kMinUiScale = 1.f;
constexpr float kMaxUiScale = 3.f;

// A run's ray as drawn in the last frame (--layout-json): `run` indexes the document's runs.
struct RunRayOnScreen {
  int run = 0;
  bool svm = false;
  std::uint32_t colour = 0;
  ImVec2 from, to;
};

// File > New's scene: one sequence of two tokens in the plane, with notes on how to build from it.
core::Scene blankScene();

class App {
 public:
  // `mode`: Synchronous for tests (frame() pumps the runs' queued work, SVMs are solved at once).
  App(DocState initial, Preferences preferences, ViewState view = {},
      TrainerMode mode = TrainerMode::Threaded);

  // One frame of UI, between ImGui::NewFrame() and ImGui::Render().
  void frame();

  // True while frames should keep coming (training, pending steps, a drag); false lets the loop idle.
  bool animating() const;

  Document& document() { return doc_; }
  const Document& document() const { return doc_; }
  // Every run, trained side by side, and the timeline cursor.
  Lab& lab() { return lab_; }
  const Lab& lab() const { return lab_; }
  // The selected run (the one experiment edits go to and whose attention the markers show).
  int selectedRun() const { return std::clamp(doc_.view().selectedRun, 0, std::max(0, lab_.runCount() - 1)); }
  const LiveTheory& theory() const { return *lab_.run(selectedRun()).theory; }
  // The view shown in the canvas area: the 3D view for d >= 3 unless the user chose the plane.
  bool showsSpace() const { return doc_.scene().dim >= 3 && doc_.view().space && !showsGeometry(); }
  // The geometry view (parameter space) instead of the 2D canvas or the 3D view, where it applies.
  bool showsGeometry() const { return doc_.view().geometry && geometryViewProblem(doc_.scene()).empty(); }
  const GeometryPanel& geometryPanel() const { return geometry_; }
  const CanvasLayout& canvasLayout() const {
    if (showsGeometry()) return geometry_.layout();
    // Grid view: the selected run's cell (else the first), as exports and --layout-json report it.
    if (gridRuns_.size() >= 2) {
      std::size_t k = 0;
      for (std::size_t c = 0; c < gridRuns_.size(); ++c)
        if (gridRuns_[c] == selectedRun()) k = c;
      return showsSpace() ? gridViews_[k].layout() : gridCanvases_[k].layout();
    }
    return showsSpace() ? view3d_.layout() : canvas_.layout();
  }
  // The selected run's snapshot as shown (at the timeline cursor, or live).
  std::shared_ptr<const TrainSnapshot> snapshot() const { return snap_; }
  const Preferences& preferences() const { return prefs_; }
  const PlotsPanel& plotsPanel() const { return plots_; }
  RunControls& runControls() { return controls_; }

  // Every run's rays on screen in the last frame (compare views, prompt model).
  const std::vector<RunRayOnScreen>& runRaysOnScreen() const { return runRays_; }

  void setUiScale(float scale);
  void setTheme(ThemeKind theme);
  // True once after the UI scale changed: the caller rebuilds the font atlas (buildFonts) before the
  // next frame and re-uploads it.
  bool takeFontRebuild();
  // Shown in the status bar until replaced ("a sequence needs at least 2 tokens ...").
  void notify(std::string message);
  void setFontWarning(std::string warning) { fontWarning_ = std::move(warning); }
  // The marker discs baked with the current font atlas (after every buildFonts()).
  void setMarkerSprites(const MarkerSprites& sprites) { sprites_ = sprites; }
  // Flat backgrounds of the last frame, cleared by the platform before ImGui draws: the window
  // background everywhere, the canvas colour under the canvas. The app's fixed panels draw no
  // background of their own (a software renderer spends most of a frame blending big rectangles).
  std::vector<ClearRegion> clearRegions() const;
  // The status bar's text of the last frame (tests).
  const std::string& statusText() const { return statusText_; }
  // Restarts the run from the document's scene at step 0 (R).
  void resetRun();

  // Presentation mode (F11, View menu, --present): full screen, larger text, the canvas, the timeline
  // and one chosen plot; the side panels and heat map hidden; the canvas locked against edits (a stray
  // click does nothing). Space plays, S steps, Esc or F11 leaves, restoring panels and text size.
  void setPresenting(bool on);
  bool presenting() const { return presenting_; }
  // Which plot presentation mode shows (index into the run figure: loss, norm, alignment, ...).
  int presentationPlot = 2;
  // Once after presentation mode was entered or left: the platform switches full screen on or off.
  std::optional<bool> takeFullscreenRequest() { return std::exchange(fullscreenRequest_, std::nullopt); }

  // Guided lessons (Help > Lessons, --lesson NAME): the lesson followed, if any. Opening a lesson or
  // moving to a step with a scene opens that scene as a new untitled document (asking first about
  // unsaved changes).
  bool openLesson(const std::string& name);  // false: not found or malformed (the message is notified)
  void closeLesson() { lesson_.reset(); }
  void lessonStep(int delta);  // Next (+1) / Back (-1)
  const std::optional<LessonProgress>& lesson() const { return lesson_; }
  LessonFacts lessonFacts() const;  // what the current step's check reads, from the selected run

  // Which panels show and their sizes (View menu, splitters), and where the last frame put them.
  PanelSettings& panels() { return panels_; }
  const ScreenLayout& layout() const { return layout_; }

  // ---- files, autosave, recovery, preferences, export
  // Until startSession() the session is inert (no folders: nothing is read or written), which is what
  // tests that construct an App get. Returns messages worth showing (corrupt preferences, ...).
  std::vector<std::string> startSession(FileSessionOptions options);
  FileSession& session() { return *session_; }
  const FileSession& session() const { return *session_; }
  ExportActions& exports() { return exports_; }
  // The animation export (Export > Animation, --export-animation): the run loop moves the timeline and
  // captures the frames; the app locks edits and shows the progress while it runs.
  AnimationExport& animation() { return animation_; }
  // Starts an animation export from the timeline's current position; "" or why not (also notified).
  std::string startAnimation(const AnimationOptions& options);
  // Everything an export reads, as of the last frame.
  ExportSources exportSources() const;
  void requestQuit();  // File > Quit, Ctrl+Q, the window's close button: asks about unsaved changes
  bool quitApproved() const { return session_->quitApproved(); }
  std::string windowTitle() const { return session_->windowTitle(doc_); }
  // ---- next-token prediction scenes (docs/theory.md §10): shown on their own screen over the attention
  // document, which stays as it was (unsaved changes included) and comes back when the NTP scene closes.
  void openNtp(core::NtpScene scene, std::string path);
  NtpScreen* ntp() { return ntp_.get(); }
  const NtpScreen* ntp() const { return ntp_.get(); }
  // Opens `path` if it holds an NTP scene. False when it does not; then `error` says why when the file
  // is an NTP scene with a problem (the field path), and is empty when it is another kind of file.
  bool openNtpFile(const std::string& path, std::string& error);

  // --show: opens a menu or dialog (file-menu, export-menu, open, save-as, unsaved, help) for screenshots.
  void show(const std::string& what);

 private:
  void handleShortcuts();
  void deleteToken();  // Delete: the hovered token, else the last clicked one, in the view shown
  void syncRun();      // restart the runs whose scene changed
  std::vector<int> visibleRuns(int most) const;  // not hidden, in document order, at most `most`
  std::vector<int> gridRuns() const;
  void drawGrid(bool space, const CanvasStyle& style);
  void drawHeatmaps();  // the selected run's, or one per visible run side by side
  std::vector<PlotRun> plotRuns() const;
  void refreshOverlay();
  // The overlay the canvas draws: the selected run's, plus the other visible runs' rays in their
  // colours when there are several.
  CanvasOverlay compareOverlay(int run);
  void pushRunSettings();  // speed and stop condition -> trainer
  void drawMenuBar();
  void wireSession();
  std::vector<std::string> stateSummary() const;  // README lines of an export bundle
  void drawStatusBar(float y, float height);
  void drawSplitters(const ScreenLayout& layout);  // grab handles between the panels
  void changeUiScale(float scale, bool remember);  // remember: saved in the preferences
  std::string hint() const;

  Document doc_;
  Preferences prefs_;
  RunControls controls_;
  Lab lab_;
  std::shared_ptr<const TrainSnapshot> snap_;  // the selected run's, as shown
  CanvasOverlay canvasOverlay_;                // compareOverlay(selected) of this frame
  std::vector<int> overlayRuns_;               // document run of canvasOverlay_.otherRuns[k]
  std::vector<RunRayOnScreen> runRays_;
  static constexpr int kGridCells = 4;
  std::vector<int> gridRuns_;  // the runs in the grid's cells this frame (fewer than 2: no grid)
  CanvasPanel gridCanvases_[kGridCells];
  View3DPanel gridViews_[kGridCells];
  ImVec2 gridMin_{0, 0}, gridMax_{0, 0};

  RunPanel runPanel_;
  ExperimentPanel experimentPanel_;
  DataPanel dataPanel_;
  GeneratorPanel generatorPanel_;
  CanvasPanel canvas_;
  View3DPanel view3d_;
  GeometryPanel geometry_;
  // The selected run's direction trail (canvas_trails.h) and the snapshot it was gathered for.
  std::shared_ptr<const TrainSnapshot> trailSnap_;
  DirectionHistory trail_;
  bool shownSpace_ = false;  // the view shown last frame: a switch releases the other one's drag
  HeatmapPanel heatmap_;
  RunsPanel runsPanel_;
  TimelinePanel timeline_;
  PlotsPanel plots_;
  HelpWindow help_;

  bool styleDirty_ = true;
  bool fontRebuild_ = false;
  bool trainedOnce_ = false;  // hides the "press Space" hint
  std::string message_;
  double messageTime_ = -1;
  std::string lastPause_;  // latched pause reason of a stop condition
  std::string fontWarning_;
  std::string statusText_;
  ImVec2 canvasMin_{0, 0}, canvasMax_{0, 0};    // canvas rectangle of the last frame
  float canvasTop_ = -1;                        // top of the canvas's legend strip in the last frame
  ImVec2 plotsMin_{0, 0}, plotsMax_{0, 0};      // Plots window of the last frame
  ImVec2 heatmapMin_{0, 0}, heatmapMax_{0, 0};  // heat map window of the last frame (0, 0: hidden)
  float fontSize_ = 15.f;                       // ImGui::GetFontSize() of the last frame
  std::unique_ptr<FileSession> session_;
  ExportActions exports_;
  AnimationExport animation_;
  AnimationDialog animationDialog_;
  std::string forceMenu_;  // --show file-menu / export-menu: the menu held open
  MarkerSprites sprites_;
  PanelSettings panels_;
  ScreenLayout layout_;
  bool presenting_ = false;
  PanelSettings panelsBeforePresenting_;
  float scaleBeforePresenting_ = 1.f;
  std::optional<bool> fullscreenRequest_;
  std::optional<LessonProgress> lesson_;
  LessonPanel lessonPanel_;
  std::unique_ptr<NtpScreen> ntp_;  // an open next-token prediction scene, shown instead of the document
  void drawNtpExamplesMenu();
  void enterLessonStep();  // opens the current step's scene, if it has one
};

}  // namespace attnmd::gui
