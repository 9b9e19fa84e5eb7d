// The Export menu (issue 6 §4): PNG of the window, the canvas, the plots region and each plot at 1x or
// 2x; SVG of the canvas and of each plot; CSV of the run history; the export bundle. Files go to the
// export folder (File session: chosen once, else the document's folder) under names that never
// overwrite, and the status bar says where they went.
//
// SVG and CSV are written at once. PNGs need pixels of a frame without the menu on it: the menu item
// queues a CaptureRequest, the run loop renders the next frame offscreen at the requested factor
// (offscreen.h) and hands it to finishCapture(), which crops the regions and writes the files.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/export/export.h"
#include "app/gui/views/canvas_scene.h"
#include "app/gui/views/view3d.h"
#include "app/plot/figure.h"
#include "app/state/trainer.h"

namespace attnmd::gui {

// What an export reads from the app; the app fills it every frame (pointers valid during the frame).
struct ExportSources {
  // The canvas's PNG rectangle: the canvas with the legend strip above it, as the SVG has them.
  ImVec2 canvasPngMin() const { return ImVec2(canvas.min.x, canvasTop >= 0 ? canvasTop : canvas.min.y); }

  const Document* doc = nullptr;
  std::shared_ptr<const TrainSnapshot> snap;
  const plot::Figure* figure = nullptr;  // the Plots panel's figure
  const CanvasOverlay* overlay = nullptr;
  CanvasTransform canvas;   // where the canvas was drawn, in screen points (min, max: also the 3D view's)
  float canvasTop = -1;     // where its legend strip starts (PNG crops include it); < 0: canvas.min.y
  bool space = false;       // the 3D view is shown instead of the 2D canvas
  // When the geometry view is shown: its description at the given options (else empty).
  std::function<CanvasScene(const CanvasSceneOptions&)> geometryScene;
  Projection3D projection;  // the 3D view's projection when `space`
  CanvasStyle style;
  float fontSize = 15.f;
  ImVec2 plotsMin{0, 0}, plotsMax{0, 0};      // the Plots window
  ImVec2 heatmapMin{0, 0}, heatmapMax{0, 0};  // the attention heat map's window (empty: hidden)
  std::vector<std::pair<std::string, std::pair<ImVec2, ImVec2>>> plotRects;  // each plot's slot, by name
  std::string sceneName;             // file-name stem ("demo", "untitled")
  std::string folder;                // where files go
  std::string sceneJson;             // the document as a scene file (for the bundle)
  std::vector<std::string> summary;  // README lines about the state (bundle)
  double now = 0;                    // Unix seconds (bundle folder name)
};

// The canvas as shown (2D canvas or 3D view), for the SVG exports.
CanvasScene shownCanvasScene(const ExportSources& src, const CanvasSceneOptions& options);

enum class PngRegion { Window, Canvas, Plots, EachPlot, Heatmap };

struct CaptureRequest {
  float factor = 1.f;  // 1x or 2x the window's pixel density
  std::vector<PngRegion> regions;
  bool bundle = false;  // the export bundle (takes all regions from one 2x frame)
};

// The history rows of a snapshot for metrics.csv: every stored step, then the snapshot's own step when
// the history does not have it yet.
std::vector<plot::MetricsRow> snapshotMetricsRows(const TrainSnapshot& snap);

class ExportActions {
 public:
  // The Export menu's items (between BeginMenu("Export") and EndMenu()). `sources` is called only when
  // an item is chosen (it serializes the scene); `chooseFolder` opens the folder browser.
  void menuItems(const std::string& folder, const std::function<ExportSources()>& sources,
                 const std::function<void()>& chooseFolder);

  ExportReport canvasSvg(const ExportSources& src) const;
  ExportReport plotSvgs(const ExportSources& src) const;
  ExportReport metricsCsv(const ExportSources& src) const;

  void requestPng(float factor, std::vector<PngRegion> regions);
  void requestBundle();
  bool capturePending() const { return pending_.has_value(); }
  std::optional<CaptureRequest> takeCapture() { return std::exchange(pending_, std::nullopt); }
  // `frame` is the whole window rendered at `pixelsPerPoint` pixels per ImGui point.
  ExportReport finishCapture(const CaptureRequest& request, const Image& frame, float pixelsPerPoint,
                             const ExportSources& src) const;
  // The bundle; `window` may be empty (no GL: SVG, CSV and the scene only).
  ExportReport bundle(const ExportSources& src, const Image& window, float pixelsPerPoint) const;

  std::function<void(const std::string&)> notify;  // status bar

 private:
  void report(const ExportReport& r) const;
  std::optional<CaptureRequest> pending_;
};

}  // namespace attnmd::gui
