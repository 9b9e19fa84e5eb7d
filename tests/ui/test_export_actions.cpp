// The Export menu's actions (app/gui/export/export_actions.h) without a display: SVG and CSV files with names
// that never overwrite, the history rows of a snapshot, PNG crops of a captured frame at 2x, and the
// bundle built from the same sources.
#include <gtest/gtest.h>

#include "app/gui/export/export_actions.h"
#include "app/plot/run_plots.h"
#include "app/state/document_io.h"
#include "core/scene_io.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::readText;
using attnmd::testing::TempDir;
namespace fs = std::filesystem;

struct Sources {
  TempDir dir;
  Document doc{openDocumentFile(std::string(ATTNMD_SOURCE_DIR) + "/assets/scenes/default.json").doc.state};
  CanvasOverlay overlay;
  plot::Figure figure;
  std::shared_ptr<TrainSnapshot> snap = std::make_shared<TrainSnapshot>();
  ExportSources src;

  Sources() {
    auto history = std::make_shared<std::vector<core::MetricsPoint>>();
    for (int k = 0; k <= 20; ++k) {
      core::MetricsPoint p;
      p.iter = k;
      p.loss = 1.0 / (1 + k);
      p.normP = 0.1 * k;
      history->push_back(p);
    }
    snap->history = history;
    snap->iteration = 25;
    snap->metrics.loss = 0.01;
    snap->selected = {0, 0, 1, 2};
    plot::RunPlotInput in;
    in.points = *history;
    figure = plot::buildRunFigure(std::vector<plot::RunPlotInput>{in});
    overlay.model = core::ModelKind::Prompt;
    src.doc = &doc;
    src.snap = snap;
    src.figure = &figure;
    src.overlay = &overlay;
    src.canvas = CanvasTransform::make(ImVec2(100, 50), ImVec2(300, 250), CanvasView{0, 0, 40});
    src.plotsMin = ImVec2(300, 50);
    src.plotsMax = ImVec2(400, 250);
    src.plotRects = {{"loss", {ImVec2(300, 60), ImVec2(400, 120)}},
                     {"norm", {ImVec2(300, 120), ImVec2(400, 180)}}};
    src.sceneName = "demo";
    src.folder = dir.str();
    src.sceneJson = documentText(doc);
    src.now = 1.7e9;
  }
};

Image solid(int w, int h, std::uint8_t r) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.assign(static_cast<std::size_t>(w) * h * 4, 255);
  for (std::size_t i = 0; i < img.rgba.size(); i += 4) img.rgba[i] = r;
  return img;
}

TEST(ExportActions, SvgAndCsvFilesNeverOverwrite) {
  Sources s;
  ExportActions a;
  ExportReport r = a.canvasSvg(s.src);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.written, (std::vector<std::string>{"demo-canvas.svg"}));
  r = a.canvasSvg(s.src);
  EXPECT_EQ(r.written, (std::vector<std::string>{"demo-canvas-2.svg"}));
  r = a.plotSvgs(s.src);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.written.front(), "demo-loss.svg");
  r = a.plotSvgs(s.src);
  EXPECT_EQ(r.written.front(), "demo-2-loss.svg") << "the second export gets its own matching names";
  r = a.metricsCsv(s.src);
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string csv = readText(s.dir.path / "demo-metrics.csv");
  EXPECT_EQ(
      csv.rfind("iter,loss,norm_p,corr,bregman,min_selected_prob,log10_max_unselected_mass,margin,accuracy",
                0),
      0u);
  EXPECT_NE(csv.find("\n25,0.01,"), std::string::npos) << "the snapshot's own step closes the table";
  EXPECT_NE(csv.find(",0 0 1 2\n"), std::string::npos) << "with its selection";
}

TEST(ExportActions, SnapshotRowsEndAtTheSnapshotStep) {
  Sources s;
  const auto rows = snapshotMetricsRows(*s.snap);
  ASSERT_EQ(rows.size(), 22u);
  EXPECT_EQ(rows.front().point.iter, 0);
  EXPECT_EQ(rows.back().point.iter, 25);
  s.snap->iteration = 20;
  EXPECT_EQ(snapshotMetricsRows(*s.snap).size(), 21u) << "no duplicate of a stored step";
}

TEST(ExportActions, PngRegionsAreCroppedFromTheCapturedFrame) {
  Sources s;
  ExportActions a;
  std::vector<std::string> said;
  a.notify = [&](const std::string& m) { said.push_back(m); };
  a.requestPng(2.f, {PngRegion::Canvas, PngRegion::EachPlot, PngRegion::Window});
  ASSERT_TRUE(a.capturePending());
  const std::optional<CaptureRequest> req = a.takeCapture();
  ASSERT_TRUE(req.has_value());
  EXPECT_FALSE(a.capturePending());
  const Image frame = solid(800, 600, 7);  // a 400x300-point window at 2x
  const ExportReport r = a.finishCapture(*req, frame, 2.f, s.src);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.written, (std::vector<std::string>{"demo-canvas@2x.png", "demo-plot-loss@2x.png",
                                                 "demo-plot-norm@2x.png", "demo-window@2x.png"}));
  Image canvas;
  ASSERT_EQ(readPng(s.dir.str("demo-canvas@2x.png"), canvas), "");
  EXPECT_EQ(canvas.width, 400) << "200 points at 2x";
  EXPECT_EQ(canvas.height, 400);
  ASSERT_FALSE(said.empty());
  EXPECT_NE(said.back().find(s.dir.str()), std::string::npos) << "the status bar says where: " << said.back();
}

// The heat map alone (issue 15: it could only be exported inside the window), and a clear refusal
// while it is hidden.
TEST(ExportActions, TheHeatMapExportsAloneAndAHiddenOneIsReported) {
  Sources s;
  s.src.heatmapMin = ImVec2(100, 250);
  s.src.heatmapMax = ImVec2(300, 300);
  ExportActions a;
  a.requestPng(1.f, {PngRegion::Heatmap});
  const ExportReport r = a.finishCapture(*a.takeCapture(), solid(400, 300, 3), 1.f, s.src);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.written, (std::vector<std::string>{"demo-heatmap.png"}));
  Image heat;
  ASSERT_EQ(readPng(s.dir.str("demo-heatmap.png"), heat), "");
  EXPECT_EQ(heat.width, 200);
  EXPECT_EQ(heat.height, 50);
  s.src.heatmapMin = s.src.heatmapMax = ImVec2(0, 0);
  a.requestPng(1.f, {PngRegion::Heatmap});
  const ExportReport hidden = a.finishCapture(*a.takeCapture(), solid(400, 300, 3), 1.f, s.src);
  EXPECT_NE(hidden.error.find("heat map is hidden"), std::string::npos) << hidden.error;
  const ExportReport bundle = a.bundle(s.src, solid(400, 300, 3), 1.f);
  ASSERT_TRUE(bundle.ok()) << bundle.error;
  EXPECT_FALSE(fs::exists(fs::path(bundle.folder) / "heatmap.png")) << "hidden: not in the bundle";
}

TEST(ExportActions, BundleHasEverythingFromOneFrame) {
  Sources s;
  ExportActions a;
  s.src.heatmapMin = ImVec2(100, 250);
  s.src.heatmapMax = ImVec2(300, 300);
  const ExportReport r = a.bundle(s.src, solid(800, 600, 9), 2.f);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.folder.find("demo-export-"), std::string::npos) << r.folder;
  for (const char* f : {"scene.json", "canvas.svg", "loss.svg", "metrics.csv", "plots.csv", "window@2x.png",
                        "canvas@2x.png", "plots@2x.png", "plot-loss@2x.png", "heatmap@2x.png", "README.md"})
    EXPECT_TRUE(fs::exists(fs::path(r.folder) / f)) << f;
  const OpenedDocument reopened = openDocumentFile((fs::path(r.folder) / "scene.json").string());
  ASSERT_TRUE(reopened.ok) << reopened.error;
  EXPECT_TRUE(sameScene(reopened.doc.state.scene, s.doc.scene()));
  const ExportReport noGl = a.bundle(s.src, Image{}, 1.f);
  ASSERT_TRUE(noGl.ok()) << noGl.error;
  EXPECT_NE(noGl.folder, r.folder) << "a second bundle never reuses a folder";
  EXPECT_FALSE(fs::exists(fs::path(noGl.folder) / "window.png"));
}

}  // namespace
}  // namespace attnmd::gui
