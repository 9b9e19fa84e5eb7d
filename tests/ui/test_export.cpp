// Exports without a display (app/gui/export/export.h): pixel rectangles and crops, PNG encoding, names that
// never overwrite, the per-plot SVGs, and the export bundle (every file listed in its README, a
// non-empty folder refused, a full disk reported with what was written kept).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <cmath>

#include "app/gui/export/export.h"
#include "app/plot/run_plots.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
using attnmd::testing::writeText;
namespace fs = std::filesystem;

Image gradient(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(static_cast<std::size_t>(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = img.rgba.data() + (static_cast<std::size_t>(y) * w + x) * 4;
      p[0] = static_cast<std::uint8_t>(x);
      p[1] = static_cast<std::uint8_t>(y);
      p[2] = static_cast<std::uint8_t>(x ^ y);
      p[3] = 255;
    }
  return img;
}

plot::Figure runFigure() {
  plot::RunPlotInput in;
  for (int k = 0; k <= 50; ++k) {
    core::MetricsPoint p;
    p.iter = k;
    p.loss = std::exp(-0.1 * k);
    p.normP = 0.1 * k;
    p.corr = 1 - std::exp(-0.2 * k);
    p.minSelectedProb = 1 - std::exp(-0.3 * k);
    p.log10MaxUnselected = -0.3 * k / std::log(10.0);
    p.margin = 0.5;
    in.points.push_back(p);
  }
  return plot::buildRunFigure(std::vector<plot::RunPlotInput>{in});
}

TEST(Export, PixelRectsRoundOutwardsAndClamp) {
  EXPECT_EQ(pixelRect(ImVec2(10.2f, 20.7f), ImVec2(30.1f, 40.f), 1.f, 100, 100), (PixelRect{10, 20, 21, 20}));
  EXPECT_EQ(pixelRect(ImVec2(10, 20), ImVec2(30, 40), 2.f, 100, 100), (PixelRect{20, 40, 40, 40}))
      << "2x: twice the pixels for the same rectangle in points";
  EXPECT_EQ(pixelRect(ImVec2(-5, -5), ImVec2(500, 50), 1.f, 100, 80), (PixelRect{0, 0, 100, 50}));
  EXPECT_TRUE(pixelRect(ImVec2(200, 200), ImVec2(300, 300), 1.f, 100, 100).empty());
}

TEST(Export, CropTakesExactlyThoseRows) {
  const Image img = gradient(64, 48);
  const Image c = cropImage(img, PixelRect{10, 5, 20, 7});
  ASSERT_EQ(c.width, 20);
  ASSERT_EQ(c.height, 7);
  EXPECT_EQ(c.pixel(0, 0)[0], 10);
  EXPECT_EQ(c.pixel(0, 0)[1], 5);
  EXPECT_EQ(c.pixel(19, 6)[0], 29);
  EXPECT_EQ(c.pixel(19, 6)[1], 11);
  EXPECT_EQ(cropImage(img, PixelRect{60, 40, 100, 100}).width, 4) << "clamped to the image";
  EXPECT_EQ(cropImage(img, PixelRect{}).width, 0);
}

TEST(Export, PngRoundTripsThroughStb) {
  TempDir dir;
  const Image img = gradient(37, 23);
  ASSERT_EQ(savePng(dir.str("g.png"), img), "");
  Image back;
  ASSERT_EQ(readPng(dir.str("g.png"), back), "");
  EXPECT_EQ(back.width, 37);
  EXPECT_EQ(back.height, 23);
  EXPECT_EQ(back.rgba, img.rgba);
  EXPECT_NE(savePng(dir.str("empty.png"), Image{}), "");
  EXPECT_FALSE(fs::exists(dir.path / "empty.png"));
}

TEST(Export, AutomaticNamesNeverOverwrite) {
  TempDir dir;
  EXPECT_EQ(uniquePath(dir.str(), "canvas", ".png"), dir.str("canvas.png"));
  writeText(dir.path / "canvas.png", "1");
  writeText(dir.path / "canvas-2.png", "2");
  EXPECT_EQ(uniquePath(dir.str(), "canvas", ".png"), dir.str("canvas-3.png"));
  EXPECT_EQ(fileStem("/x/my demo (2).json"), "my_demo__2_");
  EXPECT_EQ(fileStem(""), "scene");
  EXPECT_EQ(timestampForFileName(0).size(), 15u);
}

TEST(Export, OneSvgPerPlotNamedAfterIt) {
  TempDir dir;
  const plot::Figure f = runFigure();
  const ExportReport r = writePlotSvgs(dir.str(), f, "demo-");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.written.size(), f.plots.size());
  for (const plot::Plot& p : f.plots) {
    const fs::path file = dir.path / ("demo-" + p.name + ".svg");
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_EQ(readText(file).rfind("<?xml", 0), 0u);
  }
}

BundleContents bundle() {
  BundleContents c;
  c.sceneName = "demo";
  c.sceneJson = "{\"format\": \"attnmd-scene\"}\n";
  c.canvasSvg = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
  c.figure = runFigure();
  core::MetricsPoint p;
  p.iter = 3;
  p.loss = 0.5;
  c.metrics = {{p, {1, 0}}};
  c.images = {{"window.png", gradient(16, 8)}, {"canvas@2x.png", gradient(32, 16)}};
  c.summary = {"prompt model, nmd with p = 2", "step 1,000"};
  return c;
}

TEST(Export, BundleWritesEverythingAndListsItInTheReadme) {
  TempDir dir;
  const std::string folder = dir.str("bundle");
  const ExportReport r = writeBundle(folder, bundle());
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string readme = readText(fs::path(folder) / "README.md");
  for (const std::string& name : r.written) {
    EXPECT_TRUE(fs::exists(fs::path(folder) / name)) << name;
    EXPECT_NE(readme.find("`" + name + "`"), std::string::npos) << name << " is not in the README";
  }
  for (const char* must : {"scene.json", "loss.svg", "plots.csv", "metrics.csv", "canvas.svg", "window.png",
                           "canvas@2x.png", "README.md"})
    EXPECT_NE(std::find(r.written.begin(), r.written.end(), must), r.written.end()) << must;
  EXPECT_NE(readme.find("step 1,000"), std::string::npos);
  EXPECT_EQ(readText(fs::path(folder) / "metrics.csv").substr(0, 10), "iter,loss,");
  EXPECT_NE(r.summary().find(folder), std::string::npos) << r.summary();
}

TEST(Export, BundleRefusesAFolderThatHoldsFiles) {
  TempDir dir;
  writeText(dir.path / "precious.txt", "keep me");
  const ExportReport r = writeBundle(dir.str(), bundle());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.written.empty());
  EXPECT_EQ(readText(dir.path / "precious.txt"), "keep me");
  EXPECT_FALSE(fs::exists(dir.path / "scene.json"));
  const ExportReport under = writeBundle(dir.str("precious.txt/b"), bundle());
  EXPECT_FALSE(under.ok());
  EXPECT_NE(under.summary().find("export failed"), std::string::npos) << under.summary();
}

TEST(Export, BundleOnAFullDiskSaysWhatWasWritten) {
  TempDir dir;
  rlimit saved{};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  auto old = ::signal(SIGXFSZ, SIG_IGN);
  rlimit l = saved;
  l.rlim_cur = 4096;  // scene.json fits, the plot SVGs do not
  ::setrlimit(RLIMIT_FSIZE, &l);
  const ExportReport r = writeBundle(dir.str("b"), bundle());
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old);
  EXPECT_FALSE(r.ok());
  ASSERT_FALSE(r.written.empty());
  EXPECT_EQ(r.written.front(), "scene.json");
  EXPECT_NE(r.summary().find("then failed"), std::string::npos) << r.summary();
  for (const auto& e : fs::directory_iterator(dir.path / "b"))
    EXPECT_NE(std::find(r.written.begin(), r.written.end(), e.path().filename().string()), r.written.end())
        << "no half-written file is left: " << e.path();
}

}  // namespace
}  // namespace attnmd::gui
