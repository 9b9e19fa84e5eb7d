#include "app/gui/export/export.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "app/plot/csv.h"
#include "app/plot/svg.h"
#include "core/scene_io.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image_write.h>  // the implementation is compiled once, in image_io.cpp
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

void appendBytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

PixelRect pixelRect(ImVec2 mn, ImVec2 mx, float k, int W, int H) {
  const int x0 = std::clamp(static_cast<int>(std::floor(mn.x * k)), 0, W);
  const int y0 = std::clamp(static_cast<int>(std::floor(mn.y * k)), 0, H);
  const int x1 = std::clamp(static_cast<int>(std::ceil(mx.x * k)), 0, W);
  const int y1 = std::clamp(static_cast<int>(std::ceil(mx.y * k)), 0, H);
  return {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

Image cropImage(const Image& image, const PixelRect& r) {
  Image out;
  const PixelRect c = pixelRect(ImVec2(static_cast<float>(r.x), static_cast<float>(r.y)),
                                ImVec2(static_cast<float>(r.x + r.w), static_cast<float>(r.y + r.h)), 1.f,
                                image.width, image.height);
  if (c.empty()) return out;
  out.width = c.w;
  out.height = c.h;
  out.rgba.resize(static_cast<std::size_t>(c.w) * c.h * 4);
  for (int y = 0; y < c.h; ++y)
    std::memcpy(out.rgba.data() + static_cast<std::size_t>(y) * c.w * 4, image.pixel(c.x, c.y + y),
                static_cast<std::size_t>(c.w) * 4);
  return out;
}

std::string encodePng(const Image& image) {
  std::string bytes;
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() < static_cast<std::size_t>(image.width) * image.height * 4)
    return bytes;
  stbi_write_png_to_func(appendBytes, &bytes, image.width, image.height, 4, image.rgba.data(),
                         image.width * 4);
  return bytes;
}

std::string savePng(const std::string& path, const Image& image) {
  const std::string bytes = encodePng(image);
  if (bytes.empty()) return path + ": nothing to write (empty image)";
  return core::writeFileAtomic(path, bytes);
}

std::string uniquePath(const std::string& folder, const std::string& stem, const std::string& ext) {
  std::error_code ec;
  for (int k = 1;; ++k) {
    const std::string name = k == 1 ? stem + ext : stem + "-" + std::to_string(k) + ext;
    const fs::path p = fs::path(folder) / name;
    if (!fs::exists(p, ec) && !fs::is_symlink(p, ec)) return p.string();
  }
}

std::string timestampForFileName(double unixSeconds) {
  const std::time_t t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  char buf[32] = "00000000-000000";
  if (::localtime_r(&t, &tm)) std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

std::string fileStem(const std::string& nameOrPath) {
  std::string stem = fs::path(nameOrPath).stem().string();
  for (char& c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return stem.empty() ? std::string("scene") : stem;
}

std::string ExportReport::summary() const {
  std::string s = "wrote " + std::to_string(written.size()) + (written.size() == 1 ? " file" : " files");
  if (written.size() == 1) s = "wrote " + written.front();
  s += " to " + folder;
  if (!error.empty()) s += written.empty() ? "; failed: " + error : ", then failed: " + error;
  if (written.empty() && !error.empty()) s = "export failed: " + error;
  return s;
}

ExportReport writePlotSvgs(const std::string& folder, const plot::Figure& figure, const std::string& prefix) {
  ExportReport r;
  r.folder = folder;
  for (std::size_t i = 0; i < figure.plots.size(); ++i) {
    const std::string name = prefix + figure.plots[i].name + ".svg";
    if (std::string e = core::writeFileAtomic((fs::path(folder) / name).string(),
                                              plot::writeSvg(plot::singlePlot(figure, i)));
        !e.empty()) {
      r.error = e;
      return r;
    }
    r.written.push_back(name);
  }
  return r;
}

std::string bundleReadme(const BundleContents& c,
                         const std::vector<std::pair<std::string, std::string>>& files) {
  std::string s = "# attnmd export: " + (c.sceneName.empty() ? std::string("scene") : c.sceneName) + "\n\n";
  if (!c.summary.empty()) {
    for (const std::string& line : c.summary) s += "- " + line + "\n";
    s += "\n";
  }
  s += "| file | what it is |\n|---|---|\n";
  for (const auto& [name, what] : files) s += "| `" + name + "` | " + what + " |\n";
  s += "\nOpen `scene.json` in attnmd (File > Open) to continue from this setup, or re-create the plots "
       "without a display:\n\n    attnmd-cli figure scene.json --out figures\n\n"
       "`metrics.csv` has the columns of `attnmd-cli train` (one row per stored step; an empty cell is a "
       "value that does not exist at that step). SVG files are vector graphics for papers and slides.\n";
  return s;
}

ExportReport writeBundle(const std::string& folder, const BundleContents& c) {
  ExportReport r;
  r.folder = folder;
  std::error_code ec;
  if (fs::exists(folder, ec)) {
    if (!fs::is_directory(folder, ec) || !fs::is_empty(folder, ec)) {
      r.error = folder + ": exists and is not an empty folder (nothing was written)";
      return r;
    }
  } else {
    fs::create_directories(folder, ec);
    if (ec) {
      r.error = folder + ": cannot create the folder: " + ec.message();
      return r;
    }
  }
  std::vector<std::pair<std::string, std::string>> listed;
  auto put = [&](const std::string& name, const std::string& bytes, std::string what) {
    if (!r.error.empty()) return;
    if (std::string e = core::writeFileAtomic((fs::path(folder) / name).string(), bytes); !e.empty()) {
      r.error = e;
      return;
    }
    r.written.push_back(name);
    listed.emplace_back(name, std::move(what));
  };
  put("scene.json", c.sceneJson,
      "the scene (data, model, optimizer, init, the app's settings): open it in attnmd");
  for (std::size_t i = 0; i < c.figure.plots.size(); ++i) {
    const plot::Plot& p = c.figure.plots[i];
    put(p.name + ".svg", plot::writeSvg(plot::singlePlot(c.figure, i)),
        "plot: " + (p.title.empty() ? p.name : p.title) + " (SVG)");
  }
  if (!c.figure.plots.empty())
    put("plots.csv", plot::writeCsv(c.figure), "the plotted series, one column per series (CSV)");
  if (!c.metrics.empty())
    put("metrics.csv", plot::metricsCsv(c.metrics),
        "the run history: every metric at every stored step (CSV)");
  if (!c.canvasSvg.empty())
    put("canvas.svg", c.canvasSvg, "the 2D canvas: tokens, attention, rays, margin lines (SVG)");
  for (const auto& [name, image] : c.images) {
    const std::string bytes = encodePng(image);
    if (bytes.empty()) continue;
    put(name, bytes,
        "screenshot, " + std::to_string(image.width) + "\xC3\x97" + std::to_string(image.height) +
            " px (PNG)");
  }
  if (r.error.empty()) {
    listed.emplace_back("README.md", "this list");
    put("README.md", bundleReadme(c, listed), "this list");
  }
  return r;
}

}  // namespace attnmd::gui
