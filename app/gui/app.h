// The main screen (issue 5): owns the document, the trainer, the live theory and the panels, and lays
// them out every frame. Knows nothing about GLFW or GL: run_app.cpp drives it with a real window, the
// ui tests drive it with a null ImGui backend and simulated input.
//
//   +------------------------------------------------------------------+
//   | menu                                                             |
//   +------------+------------------------------------+----------------+
//   | Run        |                                    |                |
//   | Experiment |  canvas (data, rays): 2D or 3D    |  Plots         |
//   | Data       |                                    |                |
//   | Generate   +------------------------------------+                |
//   |            |   attention heat map               |                |
//   +------------+------------------------------------+----------------+
//   | status: step, steps/s, fps, SVM, warnings                        |
//   +------------------------------------------------------------------+
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/gui/views/canvas_panel.h"
#include "app/gui/panels/data_panel.h"
#include "app/state/document.h"
#include "app/gui/panels/experiment_panel.h"
#include "app/gui/export/export_actions.h"
#include "app/gui/files/file_session.h"
#include "app/gui/panels/generator_panel.h"
#include "app/gui/views/heatmap_panel.h"
#include "app/gui/panels/help_window.h"
#include "app/gui/platform/platform.h"
#include "app/gui/panels/plots_panel.h"
#include "app/gui/panels/run_panel.h"
#include "app/gui/widgets/theme.h"
#include "app/state/theory.h"
#include "app/state/trainer.h"
#include "app/gui/views/view3d_panel.h"

namespace attnmd::gui {

// User preferences as the app applies them (the file is prefs.h's UserPrefs, in XDG_CONFIG_HOME).
struct Preferences {
  float uiScale = 1.f;  // 1x to 3x: fonts, markers, line widths
  ThemeKind theme = ThemeKind::Light;
};

constexpr float kMinUiScale = 1.f;
constexpr float kMaxUiScale = 3.f;

class App {
 public:
  App(DocState initial, Preferences preferences, ViewState view = {});

  // One frame of UI, between ImGui::NewFrame() and ImGui::Render().
  void frame();

  // True while frames should keep coming (training, pending steps, a drag); false lets the loop idle.
  bool animating() const;

  Document& document() { return doc_; }
  const Document& document() const { return doc_; }
  Trainer& trainer() { return trainer_; }
  const LiveTheory& theory() const { return theory_; }
  // The view shown in the canvas area: the 3D view for d >= 3 unless the user chose the plane.
  bool showsSpace() const { return doc_.scene().dim >= 3 && doc_.view().space; }
  const CanvasLayout& canvasLayout() const { return showsSpace() ? view3d_.layout() : canvas_.layout(); }
  std::shared_ptr<const TrainSnapshot> snapshot() const { return snap_; }
  const Preferences& preferences() const { return prefs_; }
  RunControls& runControls() { return controls_; }

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

  // ---- files, autosave, recovery, preferences, export (issue 6)
  // Until startSession() the session is inert (no folders: nothing is read or written), which is what
  // tests that construct an App get. Returns messages worth showing (corrupt preferences, ...).
  std::vector<std::string> startSession(FileSessionOptions options);
  FileSession& session() { return *session_; }
  const FileSession& session() const { return *session_; }
  ExportActions& exports() { return exports_; }
  // Everything an export reads, as of the last frame.
  ExportSources exportSources() const;
  void requestQuit();  // File > Quit, Ctrl+Q, the window's close button: asks about unsaved changes
  bool quitApproved() const { return session_->quitApproved(); }
  std::string windowTitle() const { return session_->windowTitle(doc_); }
  // --show: opens a menu or dialog (file-menu, export-menu, open, save-as, unsaved, help) for screenshots.
  void show(const std::string& what);

 private:
  void handleShortcuts();
  void deleteToken();  // Delete: the hovered token, else the last clicked one, in the view shown
  void syncRun();      // restart when the scene changed since the run was built
  void startRun(bool keepParameters);
  void refreshOverlay();
  void pushRunSettings();  // speed and stop condition -> trainer
  void drawMenuBar();
  void wireSession();
  std::vector<std::string> stateSummary() const;  // README lines of an export bundle
  void drawStatusBar(float y, float height);
  std::string hint() const;

  Document doc_;
  Preferences prefs_;
  RunControls controls_;
  Trainer trainer_;
  LiveTheory theory_;
  std::shared_ptr<const TrainSnapshot> snap_;
  std::uint64_t runSceneRevision_ = 0;
  std::uint64_t overlayRevision_ = 0;                 // document revision the overlay was built for
  std::shared_ptr<const TrainSnapshot> overlaySnap_;  // snapshot the overlay was built from

  RunPanel runPanel_;
  ExperimentPanel experimentPanel_;
  DataPanel dataPanel_;
  GeneratorPanel generatorPanel_;
  CanvasPanel canvas_;
  View3DPanel view3d_;
  bool shownSpace_ = false;  // the view shown last frame: a switch releases the other one's drag
  HeatmapPanel heatmap_;
  PlotsPanel plots_;
  HelpWindow help_;

  bool styleDirty_ = true;
  bool fontRebuild_ = false;
  bool trainedOnce_ = false;  // hides the "press Space" hint
  std::string message_;
  double messageTime_ = -1;
  std::string runError_;   // the run could not be built from the scene
  std::string lastPause_;  // latched pause reason of a stop condition
  std::string fontWarning_;
  std::string statusText_;
  ImVec2 canvasMin_{0, 0}, canvasMax_{0, 0};  // canvas rectangle of the last frame
  ImVec2 plotsMin_{0, 0}, plotsMax_{0, 0};    // Plots window of the last frame
  float fontSize_ = 15.f;                     // ImGui::GetFontSize() of the last frame
  std::unique_ptr<FileSession> session_;
  ExportActions exports_;
  std::string forceMenu_;  // --show file-menu / export-menu: the menu held open
  MarkerSprites sprites_;
};

}  // namespace attnmd::gui
