#include "app/gui/export/export_actions.h"

#include <imgui.h>

#include <filesystem>
#include <system_error>

#include "app/gui/views/canvas_svg.h"
#include "app/gui/views/view3d_scene.h"
#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

// A prefix "<stem>-" (or "<stem>-2-", ...) under which none of `names` exists in `folder`, so a
// multi-file export never overwrites an earlier one and its files keep matching names.
std::string freshPrefix(const std::string& folder, const std::string& stem,
                        const std::vector<std::string>& names) {
  std::error_code ec;
  for (int k = 1;; ++k) {
    const std::string prefix = k == 1 ? stem + "-" : stem + "-" + std::to_string(k) + "-";
    bool free = true;
    for (const std::string& n : names) free = free && !fs::exists(fs::path(folder) / (prefix + n), ec);
    if (free) return prefix;
  }
}

ExportReport writeOne(const std::string& path, const std::string& bytes) {
  ExportReport r;
  r.folder = fs::path(path).parent_path().string();
  r.error = core::writeFileAtomic(path, bytes);
  if (r.error.empty()) r.written.push_back(fs::path(path).filename().string());
  return r;
}

const char* regionName(PngRegion r) {
  switch (r) {
    case PngRegion::Window:
      return "window";
    case PngRegion::Canvas:
      return "canvas";
    case PngRegion::Plots:
      return "plots";
    case PngRegion::EachPlot:
      return "plot";
    case PngRegion::Heatmap:
      return "heatmap";
  }
  return "image";
}

}  // namespace

std::vector<plot::MetricsRow> snapshotMetricsRows(const TrainSnapshot& snap) {
  std::vector<plot::MetricsRow> rows;
  if (snap.history)
    rows = snap.selections ? plot::metricsRows(*snap.history, *snap.selections)
                           : plot::metricsRows(*snap.history);
  if (rows.empty() || rows.back().point.iter < snap.iteration) {
    plot::MetricsRow last{snap.metrics, snap.selected};
    last.point.iter = snap.iteration;
    rows.push_back(std::move(last));
  }
  return rows;
}

void ExportActions::report(const ExportReport& r) const {
  if (notify) notify(r.summary());
}

CanvasScene shownCanvasScene(const ExportSources& src, const CanvasSceneOptions& o) {
  if (src.geometryScene) return src.geometryScene(o);
  if (src.space)
    return buildView3DScene(src.doc->scene(), src.doc->view(), *src.overlay, src.projection, src.style, o);
  return buildCanvasScene(src.doc->scene(), src.doc->view(), *src.overlay, src.canvas, src.style, o);
}

ExportReport ExportActions::canvasSvg(const ExportSources& src) const {
  if (!src.doc || !src.overlay) return ExportReport{src.folder, {}, "nothing to export yet"};
  CanvasSceneOptions o;
  o.fontSize = src.fontSize;
  o.interactive = false;
  const CanvasScene sc = shownCanvasScene(src, o);
  const std::string path = uniquePath(src.folder, src.sceneName + "-canvas", ".svg");
  return writeOne(path, gui::canvasSvg(sc));
}

ExportReport ExportActions::plotSvgs(const ExportSources& src) const {
  if (!src.figure || src.figure->plots.empty()) return ExportReport{src.folder, {}, "no plots to export yet"};
  std::vector<std::string> names;
  for (const plot::Plot& p : src.figure->plots) names.push_back(p.name + ".svg");
  return writePlotSvgs(src.folder, *src.figure, freshPrefix(src.folder, src.sceneName, names));
}

ExportReport ExportActions::metricsCsv(const ExportSources& src) const {
  if (!src.snap) return ExportReport{src.folder, {}, "no run to export yet"};
  const std::string path = uniquePath(src.folder, src.sceneName + "-metrics", ".csv");
  return writeOne(path, plot::metricsCsv(snapshotMetricsRows(*src.snap)));
}

void ExportActions::requestPng(float factor, std::vector<PngRegion> regions) {
  pending_ = CaptureRequest{factor, std::move(regions), false};
}

void ExportActions::requestBundle() {
  pending_ = CaptureRequest{2.f, {}, true};
}

ExportReport ExportActions::finishCapture(const CaptureRequest& req, const Image& frame, float k,
                                          const ExportSources& src) const {
  if (req.bundle) {
    const ExportReport r = bundle(src, frame, k);
    report(r);
    return r;
  }
  ExportReport all;
  all.folder = src.folder;
  if (frame.width <= 0) {
    all.error = "no picture of the window could be taken (offscreen rendering failed)";
    report(all);
    return all;
  }
  const std::string suffix =
      req.factor == 1.f ? std::string() : "@" + std::to_string(static_cast<int>(req.factor)) + "x";
  auto put = [&](const std::string& stem, const Image& img) {
    if (!all.error.empty()) return;
    if (img.width <= 0) {
      all.error = stem + ": the region is not on screen";
      return;
    }
    const std::string path = uniquePath(src.folder, src.sceneName + "-" + stem + suffix, ".png");
    if (std::string e = savePng(path, img); !e.empty()) {
      all.error = e;
      return;
    }
    all.written.push_back(fs::path(path).filename().string());
  };
  for (PngRegion region : req.regions) {
    switch (region) {
      case PngRegion::Window:
        put(regionName(region), frame);
        break;
      case PngRegion::Canvas:
        put(regionName(region),
            cropImage(frame, pixelRect(src.canvasPngMin(), src.canvas.max, k, frame.width, frame.height)));
        break;
      case PngRegion::Plots:
        put(regionName(region),
            cropImage(frame, pixelRect(src.plotsMin, src.plotsMax, k, frame.width, frame.height)));
        break;
      case PngRegion::Heatmap:
        if (src.heatmapMax.x <= src.heatmapMin.x) {
          if (all.error.empty()) all.error = "the heat map is hidden (View > Heat map shows it)";
          break;
        }
        put(regionName(region),
            cropImage(frame, pixelRect(src.heatmapMin, src.heatmapMax, k, frame.width, frame.height)));
        break;
      case PngRegion::EachPlot:
        for (const auto& [name, rect] : src.plotRects)
          put("plot-" + name,
              cropImage(frame, pixelRect(rect.first, rect.second, k, frame.width, frame.height)));
        break;
    }
  }
  report(all);
  return all;
}

ExportReport ExportActions::bundle(const ExportSources& src, const Image& window, float k) const {
  BundleContents c;
  c.sceneName = src.sceneName;
  c.sceneJson = src.sceneJson;
  c.summary = src.summary;
  if (src.figure) c.figure = *src.figure;
  if (src.snap) c.metrics = snapshotMetricsRows(*src.snap);
  if (src.doc && src.overlay) {
    CanvasSceneOptions o;
    o.fontSize = src.fontSize;
    o.interactive = false;
    c.canvasSvg = gui::canvasSvg(shownCanvasScene(src, o));
  }
  if (window.width > 0) {
    const std::string s = k == 1.f ? std::string() : "@" + std::to_string(static_cast<int>(k + 0.5f)) + "x";
    c.images.emplace_back("window" + s + ".png", window);
    auto crop = [&](ImVec2 a, ImVec2 b) {
      return cropImage(window, pixelRect(a, b, k, window.width, window.height));
    };
    c.images.emplace_back("canvas" + s + ".png", crop(src.canvasPngMin(), src.canvas.max));
    c.images.emplace_back("plots" + s + ".png", crop(src.plotsMin, src.plotsMax));
    if (src.heatmapMax.x > src.heatmapMin.x)
      c.images.emplace_back("heatmap" + s + ".png", crop(src.heatmapMin, src.heatmapMax));
    for (const auto& [name, rect] : src.plotRects)
      c.images.emplace_back("plot-" + name + s + ".png", crop(rect.first, rect.second));
  }
  const std::string folder =
      uniquePath(src.folder, src.sceneName + "-export-" + timestampForFileName(src.now), "");
  return writeBundle(folder, c);
}

void ExportActions::menuItems(const std::string& folder, const std::function<ExportSources()>& sources,
                              const std::function<void()>& chooseFolder) {
  ImGui::TextDisabled("to %s", folder.c_str());
  if (ImGui::MenuItem("Change folder...") && chooseFolder) chooseFolder();
  ImGui::Separator();
  if (ImGui::BeginMenu("PNG")) {
    struct Item {
      const char* label;
      PngRegion region;
    };
    const Item items[] = {{"Window", PngRegion::Window},
                          {"Canvas (2D or 3D view)", PngRegion::Canvas},
                          {"Plots panel", PngRegion::Plots},
                          {"Each plot", PngRegion::EachPlot},
                          {"Attention heat map", PngRegion::Heatmap}};
    for (const Item& it : items) {
      if (ImGui::MenuItem((std::string(it.label) + " (1x)").c_str())) requestPng(1.f, {it.region});
      if (ImGui::MenuItem((std::string(it.label) + " (2x, for slides and print)").c_str()))
        requestPng(2.f, {it.region});
    }
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem("SVG: canvas (2D or 3D view)")) report(canvasSvg(sources()));
  if (ImGui::MenuItem("SVG: each plot")) report(plotSvgs(sources()));
  if (ImGui::MenuItem("CSV: run history (metrics.csv)")) report(metricsCsv(sources()));
  ImGui::Separator();
  if (ImGui::MenuItem("Export bundle (all of these + the scene)")) requestBundle();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "A new folder with the scene, the canvas and each plot as SVG and PNG (2x), the plotted "
        "series and the run history as CSV, and a README listing them.");
}

}  // namespace attnmd::gui
