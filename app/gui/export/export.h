// Exports (issue 6 §4): PNG crops of a rendered frame, SVG of each plot and of the canvas, CSV of the
// run history, and the export bundle (all of these plus the scene in one new folder, with a README).
//
// Everything here is GL-free: the images come from offscreen.h (or any Image), the SVG/CSV text from
// the plot module and canvas_svg.h. Every file is written atomically and nothing existing is ever
// overwritten by an automatic name (uniquePath), so an export can fail (disk full, read-only folder)
// but never destroys anything; the result names what was written and what went wrong.
#pragma once

#include <imgui.h>

#include <string>
#include <utility>
#include <vector>

#include "app/gui/platform/image_io.h"
#include "app/plot/figure.h"
#include "app/plot/metrics_csv.h"

namespace attnmd::gui {

// A rectangle of image pixels (rows top to bottom).
struct PixelRect {
  int x = 0, y = 0, w = 0, h = 0;
  bool empty() const { return w <= 0 || h <= 0; }
  bool operator==(const PixelRect&) const = default;
};

// The pixels covering the screen rectangle [min, max] (ImGui coordinates) in an image of the whole
// window rendered at `pixelsPerPoint` (framebuffer scale × export factor), rounded outwards to whole
// pixels and clamped to the image.
PixelRect pixelRect(ImVec2 min, ImVec2 max, float pixelsPerPoint, int imageWidth, int imageHeight);
Image cropImage(const Image& image, const PixelRect& rect);

// PNG bytes (stb_image_write), and an atomic PNG file write. "" or a message.
std::string encodePng(const Image& image);
std::string savePng(const std::string& path, const Image& image);

// FOLDER/STEM.EXT, or FOLDER/STEM-2.EXT, -3, ... : the first name that does not exist yet. `ext` with
// its dot (".png"); "" for a folder name.
std::string uniquePath(const std::string& folder, const std::string& stem, const std::string& ext);
// "20240601-140312" in local time: sorts by time and is safe in file names.
std::string timestampForFileName(double unixSeconds);
// A file-name-safe stem from a scene name ("my demo.json" -> "my_demo"); "scene" when empty.
std::string fileStem(const std::string& nameOrPath);

struct ExportReport {
  std::string folder;                // where the files went
  std::vector<std::string> written;  // file names (relative to folder), in writing order
  std::string error;                 // "" when everything was written
  bool ok() const { return error.empty(); }
  // "wrote 7 files to /x/y" or "wrote 3 files to /x/y, then: <error>", for the status bar.
  std::string summary() const;
};

// One SVG per plot of `figure`, named FOLDER/<prefix><plot name>.svg (the names `attnmd-cli figure`
// uses when prefix is ""), overwriting files of those names (the caller picks a fresh folder or prefix).
ExportReport writePlotSvgs(const std::string& folder, const plot::Figure& figure,
                           const std::string& prefix = {});

struct BundleContents {
  std::string sceneName;                  // for the README title ("default", "demo")
  std::string sceneJson;                  // the scene file, with the app's fields (written as scene.json)
  std::string canvasSvg;                  // canvas.svg; "" = none
  plot::Figure figure;                    // one SVG per plot (loss.svg, ...) and plots.csv
  std::vector<plot::MetricsRow> metrics;  // metrics.csv (the CLI's columns)
  std::vector<std::pair<std::string, Image>> images;  // PNGs by file name ("window.png", "canvas@2x.png")
  std::vector<std::string> summary;  // README lines about the state (model, optimizer, step, SVM)
};

// Creates `folder` (it must not exist yet, or be empty) and writes everything in `contents` plus a
// README.md listing each file. Stops at the first failure and reports it; what was written stays.
ExportReport writeBundle(const std::string& folder, const BundleContents& contents);

// The README's text for the files actually written (name, what it is).
std::string bundleReadme(const BundleContents& contents,
                         const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace attnmd::gui
