// The real `attnmd` end to end, under Xvfb: load a fixture scene, train N steps, write a screenshot and
// a layout sidecar (--layout-json), then check pixels where the selected-token rings and the SVM ray
// must be. Where they must be is computed here, independently: the selected tokens and the SVM come
// from core (the same deterministic run), screen positions from the scene and the canvas transform.
// Without a display the GUI tests are SKIPPED; --help and the no-display message are checked anyway.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "app/gui/platform/image_io.h"
#include "app/gui/views/canvas_geometry.h"
#include "app/gui/views/view3d.h"
#include "app/gui/widgets/theme.h"
#include "app/state/overlay.h"
#include "core/run.h"
#include "core/scene_io.h"
#include "core/svm.h"

#include "tests/support/shell.h"

namespace attnmd::gui {
namespace {

using attnmd::testing::runShell;
using attnmd::testing::shellQuote;
using attnmd::testing::ShellResult;

// Prompt model, d = 2. The optimal tokens (stars) are the first of each sequence; p starts pointing
// up-left, so after a few steps the trained ray and the dashed SVM ray of the optimal tokens are far apart.
constexpr const char* kFixture = R"({
  "format": "attnmd-scene", "version": 1, "dim": 2,
  "model": { "kind": "prompt", "v": [0.0, 1.0], "train_v": false, "loss": "logistic" },
  "sequences": [
    { "y": 1,  "tokens": [[2.0, 1.5], [0.5, 0.3], [-0.5, 1.0]] },
    { "y": 1,  "tokens": [[1.6, 0.8], [0.3, -0.6], [-1.2, 0.2]] },
    { "y": -1, "tokens": [[1.8, -1.2], [0.0, 0.5], [-0.8, -0.4]] },
    { "y": -1, "tokens": [[1.2, -0.4], [-0.4, 0.9], [0.6, 1.4]] }
  ],
  "optimizer": { "name": "nmd", "p": 2.0, "lr": 0.1 },
  "init": { "kind": "given", "p": [-0.5, 0.8] },
  "iterations": 2000, "seed": 0,
  "app": { "svm_tokens": "optimal" }
})";
constexpr long long kSteps = 4;

bool haveDisplay() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

int colourDistance(const Image& img, double x, double y, ImU32 c) {
  // ImGui pixel (i, j) covers [i, i+1) x [j, j+1): a point lies in pixel floor(p).
  const int ix = static_cast<int>(std::floor(x)), iy = static_cast<int>(std::floor(y));
  if (ix < 0 || iy < 0 || ix >= img.width || iy >= img.height) return 1000;
  const std::uint8_t* px = img.pixel(ix, iy);
  return std::abs(px[0] - static_cast<int>((c >> IM_COL32_R_SHIFT) & 0xFF)) +
         std::abs(px[1] - static_cast<int>((c >> IM_COL32_G_SHIFT) & 0xFF)) +
         std::abs(px[2] - static_cast<int>((c >> IM_COL32_B_SHIFT) & 0xFF));
}

TEST(GuiE2E, HelpExitsZero) {
  const ShellResult r = runShell(shellQuote(ATTNMD_GUI_EXE) + " --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("--screenshot"), std::string::npos);
  EXPECT_NE(r.output.find("--bench-frames"), std::string::npos);
}

TEST(GuiE2E, VersionExitsZero) {
  const ShellResult r = runShell(shellQuote(ATTNMD_GUI_EXE) + " --version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.output.rfind("attnmd ", 0), 0u) << r.output;
  EXPECT_NE(r.output.find('.'), std::string::npos) << r.output;
}

TEST(GuiE2E, BadFlagsAndBadScenesAreRefusedClearly) {
  ShellResult r = runShell(shellQuote(ATTNMD_GUI_EXE) + " --size huge");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--size"), std::string::npos);
  const std::string bad = ::testing::TempDir() + "attnmd_e2e_bad.json";
  std::ofstream(bad) << R"({"format": "attnmd-scene", "version": 1, "dim": 2, "sequences": []})";
  r = runShell(shellQuote(ATTNMD_GUI_EXE) + " --scene " + shellQuote(bad) + " --exit");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("attnmd_e2e_bad.json"), std::string::npos)
      << "the message names the file: " << r.output;
}

TEST(GuiE2E, NoDisplaySaysHowToGetAScreenshot) {
  const ShellResult r = runShell("env -u DISPLAY -u WAYLAND_DISPLAY " + shellQuote(ATTNMD_GUI_EXE) +
                                 " --screenshot /dev/null --exit");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("xvfb-run"), std::string::npos) << r.output;
}

TEST(GuiE2E, ScreenshotShowsRingsAroundSelectedTokensAndTheSvmRay) {
  if (!haveDisplay()) GTEST_SKIP() << "no DISPLAY: run the e2e tests under xvfb-run";
  const std::string dir = ::testing::TempDir();
  const std::string scenePath = dir + "attnmd_e2e_fixture.json", png = dir + "attnmd_e2e_shot.png",
                    layoutPath = dir + "attnmd_e2e_layout.json";
  std::ofstream(scenePath) << kFixture;
  std::remove(png.c_str());
  const ShellResult r =
      runShell(shellQuote(ATTNMD_GUI_EXE) + " --scene " + shellQuote(scenePath) + " --steps " +
               std::to_string(kSteps) + " --size 1400x900 --ui-scale 1 --theme light --screenshot " +
               shellQuote(png) + " --layout-json " + shellQuote(layoutPath) + " --exit");
  if (r.code == 1 && r.output.find("cannot open a window") != std::string::npos)
    GTEST_SKIP() << "no usable display: " << r.output;
  ASSERT_EQ(r.code, 0) << r.output;
  Image img;
  ASSERT_EQ(readPng(png, img), "");
  ASSERT_EQ(img.width, 1400);
  ASSERT_EQ(img.height, 900);
  nlohmann::json layout;
  std::ifstream(layoutPath) >> layout;
  ASSERT_TRUE(layout.contains("canvas")) << layout.dump();
  ASSERT_EQ(layout["iteration"].get<long long>(), kSteps);

  // The same run in core: which tokens are selected after kSteps, and the optimal tokens' SVM.
  auto loaded = core::parseScene(kFixture, "fixture");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const core::Scene& scene = loaded.scene();
  core::Run coreRun(scene);
  ASSERT_EQ(coreRun.step(kSteps), kSteps);
  const std::vector<int> selected = coreRun.selectedTokens();
  EXPECT_EQ(layout["selected"].get<std::vector<int>>(), selected);
  const core::AttentionSvm svm =
      core::solveAttentionSvm(scene, coreRun.optimalTokens(), core::svmNormFor(scene), core::svmPFor(scene));
  ASSERT_EQ(svm.solution.status, core::SvmStatus::Optimal);

  // The canvas transform the app used.
  const auto& c = layout["canvas"];
  CanvasTransform t;
  t.min = ImVec2(c["min"][0].get<float>(), c["min"][1].get<float>());
  t.max = ImVec2(c["max"][0].get<float>(), c["max"][1].get<float>());
  t.centerX = c["center"][0].get<double>();
  t.centerY = c["center"][1].get<double>();
  t.pixelsPerUnit = c["pixels_per_unit"].get<double>();
  const float scale = layout["ui_scale"].get<float>();
  const Palette& pal = palette(ThemeKind::Light);

  // Rings: around every selected token, at the marker radius (area ~ s) + 4 px.
  int ringsChecked = 0;
  for (const auto& m : layout["markers"]) {
    const int i = m["seq"].get<int>(), tok = m["token"].get<int>();
    const Eigen::RowVector2d x = scene.sequences[static_cast<std::size_t>(i)].tokens.row(tok);
    const ImVec2 expected = t.toScreen(x(0), x(1));
    EXPECT_NEAR(m["center"][0].get<float>(), expected.x, 0.5);
    EXPECT_NEAR(m["center"][1].get<float>(), expected.y, 0.5);
    const bool isSelected = selected[static_cast<std::size_t>(i)] == tok;
    const float ring = m["ring_radius"].get<float>();
    if (!isSelected) {
      EXPECT_EQ(ring, 0.f) << "sequence " << i << " token " << tok;
      continue;
    }
    const double s = coreRun.evaluation().seqs[static_cast<std::size_t>(i)].probs(tok);
    EXPECT_NEAR(ring, scale * (3.5 + 8.5 * std::sqrt(s) + 4.0), 0.05);
    // Probe the ring away from the diagonals, where the optimal / support badges sit.
    int hits = 0, probes = 0;
    std::string distances;
    for (double deg : {0.0, 20.0, 70.0, 90.0, 110.0, 160.0, 180.0, 200.0, 250.0, 270.0, 290.0, 340.0}) {
      const double a = deg * M_PI / 180;
      ++probes;
      // Anti-aliasing spreads a 2 px stroke over neighbouring pixels: take the best pixel within 1 px
      // of the expected radius.
      int dist = 1000;
      for (double dr : {-1.0, -0.5, 0.0, 0.5, 1.0})
        dist = std::min(dist, colourDistance(img, expected.x + (ring + dr) * std::cos(a),
                                             expected.y + (ring + dr) * std::sin(a), pal.foreground));
      hits += dist < 120;
      distances += ' ';
      distances += std::to_string(dist);
    }
    EXPECT_GE(hits, probes * 2 / 3) << "ring around token " << tok << " of sequence " << i << " at ("
                                    << expected.x << ", " << expected.y << ") radius " << ring
                                    << "; colour distances:" << distances;
    ++ringsChecked;
  }
  EXPECT_EQ(ringsChecked, scene.sequenceCount());

  // The dashed SVM ray from the origin along M^T p^mm (M = I here), and the solid ray of p.
  const ImVec2 o = t.toScreen(0, 0);
  // The best pixel within 1 px across the line (anti-aliasing).
  auto across = [&](double x, double y, const Eigen::Vector2d& dir, ImU32 colour) {
    int best = 1000;
    for (double e : {-1.0, -0.5, 0.0, 0.5, 1.0})
      best = std::min(best, colourDistance(img, x - e * dir.y(), y - e * dir.x(), colour));
    return best;
  };
  auto probeRay = [&](Eigen::Vector2d dir, ImU32 colour) {
    dir.normalize();
    int hits = 0, probes = 0;
    for (double d = 5; d < 2000; d += 16) {  // dashes of 10 px every 16 px: d = 5 + 16k is mid-dash
      const double x = o.x + d * dir.x(), y = o.y - d * dir.y();
      if (x < t.min.x + 2 || x > t.max.x - 2 || y < t.min.y + 2 || y > t.max.y - 2) break;
      ++probes;
      hits += across(x, y, dir, colour) < 120;
    }
    return std::make_pair(hits, probes);
  };
  ASSERT_FALSE(layout["svm_ray"].is_null());
  const auto [svmHits, svmProbes] = probeRay(svm.direction.p, pal.svm);
  EXPECT_GE(svmProbes, 8);
  EXPECT_GE(svmHits, svmProbes * 3 / 4) << "dashed SVM ray";
  // Its gaps show the background: the ray is dashed, not solid.
  Eigen::Vector2d u = svm.direction.p.normalized();
  int gaps = 0, gapProbes = 0;
  for (double d = 13; d < 2000; d += 16) {
    const double x = o.x + d * u.x(), y = o.y - d * u.y();
    if (x < t.min.x + 2 || x > t.max.x - 2 || y < t.min.y + 2 || y > t.max.y - 2) break;
    ++gapProbes;
    gaps += colourDistance(img, x, y, pal.canvasBackground) < 60;
  }
  EXPECT_GE(gaps, gapProbes / 2);
  const auto [pHits, pProbes] = probeRay(coreRun.params().p, pal.foreground);
  EXPECT_GE(pHits, pProbes * 3 / 4) << "solid ray of p";
  // The two rays are far apart in this fixture, so the probes above tell them apart.
  EXPECT_LT(u.dot(coreRun.params().p.normalized()), 0.5);
}

// A d = 3 scene opens in the 3D view: markers where the camera of the layout projects the tokens,
// rings around the selected tokens and the dashed SVM ray along the projection of M^T p^mm.
constexpr const char* kFixture3D = R"({
  "format": "attnmd-scene", "version": 1, "dim": 3,
  "model": { "kind": "prompt", "v": [0.0, 0.0, 1.0], "train_v": false, "loss": "logistic" },
  "sequences": [
    { "y": 1,  "tokens": [[1.5, 0.0, 1.5], [0.0, 1.5, 0.0], [-1.5, 0.0, -0.5]] },
    { "y": -1, "tokens": [[0.0, -1.5, -1.5], [1.5, 1.5, 0.5], [-1.0, -1.0, 1.0]] }
  ],
  "optimizer": { "name": "nmd", "p": 2.0, "lr": 0.1 },
  "init": { "kind": "given", "p": [0.0, 1.0, 0.0] },
  "iterations": 2000, "seed": 0,
  "app": { "svm_tokens": "optimal", "view": { "layers": { "margin_lines": false } } }
})";

TEST(GuiE2E, ThreeDViewShowsProjectedTokensRingsAndTheSvmRay) {
  if (!haveDisplay()) GTEST_SKIP() << "no DISPLAY: run the e2e tests under xvfb-run";
  const std::string dir = ::testing::TempDir();
  const std::string scenePath = dir + "attnmd_e2e_fixture3d.json", png = dir + "attnmd_e2e_shot3d.png",
                    layoutPath = dir + "attnmd_e2e_layout3d.json";
  std::ofstream(scenePath) << kFixture3D;
  std::remove(png.c_str());
  const ShellResult r =
      runShell(shellQuote(ATTNMD_GUI_EXE) + " --scene " + shellQuote(scenePath) + " --steps " +
               std::to_string(kSteps) + " --size 1400x900 --ui-scale 1 --theme light --screenshot " +
               shellQuote(png) + " --layout-json " + shellQuote(layoutPath) + " --exit");
  if (r.code == 1 && r.output.find("cannot open a window") != std::string::npos)
    GTEST_SKIP() << "no usable display: " << r.output;
  ASSERT_EQ(r.code, 0) << r.output;
  Image img;
  ASSERT_EQ(readPng(png, img), "");
  nlohmann::json layout;
  std::ifstream(layoutPath) >> layout;
  ASSERT_EQ(layout["view"].get<std::string>(), "3d") << "d = 3 opens in the 3D view";

  auto loaded = core::parseScene(kFixture3D, "fixture3d");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const core::Scene& scene = loaded.scene();
  core::Run coreRun(scene);
  ASSERT_EQ(coreRun.step(kSteps), kSteps);
  const std::vector<int> selected = coreRun.selectedTokens();
  EXPECT_EQ(layout["selected"].get<std::vector<int>>(), selected);
  const core::AttentionSvm svm =
      core::solveAttentionSvm(scene, coreRun.optimalTokens(), core::svmNormFor(scene), core::svmPFor(scene));
  ASSERT_EQ(svm.solution.status, core::SvmStatus::Optimal);

  // The projection, from the camera the app used.
  const auto& c = layout["camera"];
  Camera3D camera;
  camera.yaw = c["yaw"].get<double>();
  camera.pitch = c["pitch"].get<double>();
  camera.targetX = c["target"][0].get<double>();
  camera.targetY = c["target"][1].get<double>();
  camera.targetZ = c["target"][2].get<double>();
  camera.pixelsPerUnit = c["pixels_per_unit"].get<double>();
  const auto& box = layout["canvas"];
  const Projection3D P =
      Projection3D::make(ImVec2(box["min"][0].get<float>(), box["min"][1].get<float>()),
                         ImVec2(box["max"][0].get<float>(), box["max"][1].get<float>()), camera);
  const Palette& pal = palette(ThemeKind::Light);

  int ringsChecked = 0;
  for (const auto& m : layout["markers"]) {
    const int i = m["seq"].get<int>(), tok = m["token"].get<int>();
    const ImVec2 expected =
        P.toScreen(scene.sequences[static_cast<std::size_t>(i)].tokens.row(tok).transpose());
    EXPECT_NEAR(m["center"][0].get<float>(), expected.x, 0.5);
    EXPECT_NEAR(m["center"][1].get<float>(), expected.y, 0.5);
    if (selected[static_cast<std::size_t>(i)] != tok) continue;
    const float ring = m["ring_radius"].get<float>();
    int hits = 0, probes = 0;
    for (double deg : {0.0, 20.0, 70.0, 110.0, 160.0, 180.0, 200.0, 250.0, 290.0, 340.0}) {
      const double a = deg * M_PI / 180;
      ++probes;
      int dist = 1000;
      for (double dr : {-1.0, -0.5, 0.0, 0.5, 1.0})
        dist = std::min(dist, colourDistance(img, expected.x + (ring + dr) * std::cos(a),
                                             expected.y + (ring + dr) * std::sin(a), pal.foreground));
      hits += dist < 120;
    }
    EXPECT_GE(hits, probes * 2 / 3) << "ring around token " << tok << " of sequence " << i;
    ++ringsChecked;
  }
  EXPECT_EQ(ringsChecked, scene.sequenceCount());

  // The dashed SVM ray leaves the origin along the projection of p^mm (M = I here).
  ASSERT_FALSE(layout["svm_ray"].is_null());
  const ImVec2 o = P.toScreen(Eigen::Vector3d::Zero()), tip = P.toScreen(svm.direction.p.normalized());
  Eigen::Vector2d u(tip.x - o.x, tip.y - o.y);
  ASSERT_GT(u.norm(), 5.0) << "p^mm does not point at the viewer in this fixture";
  u.normalize();
  const auto& ray = layout["svm_ray"];
  const Eigen::Vector2d drawn(ray["to"][0].get<double>() - ray["from"][0].get<double>(),
                              ray["to"][1].get<double>() - ray["from"][1].get<double>());
  EXPECT_GT(u.dot(drawn.normalized()), std::cos(0.5 * M_PI / 180)) << "the ray the app drew";
  int hits = 0, probes = 0;
  for (double d = 5; d < drawn.norm() - 6; d += 16) {  // mid-dash
    const double x = o.x + d * u.x(), y = o.y + d * u.y();
    if (x < P.min.x + 2 || x > P.max.x - 2 || y < P.min.y + 2 || y > P.max.y - 2) break;
    ++probes;
    int best = 1000;
    for (double e : {-1.0, -0.5, 0.0, 0.5, 1.0})
      best = std::min(best, colourDistance(img, x - e * u.y(), y + e * u.x(), pal.svm));
    hits += best < 120;
  }
  EXPECT_GE(probes, 6);
  EXPECT_GE(hits, probes * 2 / 3) << "dashed SVM ray, " << hits << " of " << probes;
}

// Three runs (p = 1.1, 2, 3 of normalized mirror descent) in the grid: one canvas per run, each with
// its run's dashed SVM ray in the run's colour along that run's own l_p SVM direction (solved here by
// core, independently; on this fixture the three directions happen to coincide), and the numbers of every run
// as core computes them, live and at --at K.
std::string compareFixture() {
  nlohmann::json j = nlohmann::json::parse(kFixture);
  j["app"] = {{"svm_tokens", "selected"}};
  j["runs"] = nlohmann::json::array({{{"name", "p = 1.1"}, {"optimizer", {{"p", 1.1}}}},
                                     {{"name", "p = 2"}, {"optimizer", {{"p", 2.0}}}},
                                     {{"name", "p = 3"}, {"optimizer", {{"p", 3.0}}}}});
  return j.dump();
}

TEST(GuiE2E, GridShowsEveryRunWithItsOwnSvmInItsColourAndTheTimelineRewinds) {
  if (!haveDisplay()) GTEST_SKIP() << "no DISPLAY: run the e2e tests under xvfb-run";
  const std::string dir = ::testing::TempDir();
  const std::string scenePath = dir + "attnmd_e2e_compare.json", png = dir + "attnmd_e2e_grid.png",
                    layoutPath = dir + "attnmd_e2e_grid.json";
  const std::string text = compareFixture();
  std::ofstream(scenePath) << text;
  constexpr long long steps = 200, at = 30;
  auto shoot = [&](const std::string& extra) {
    std::remove(png.c_str());
    return runShell(shellQuote(ATTNMD_GUI_EXE) + " --scene " + shellQuote(scenePath) + " --steps " +
                    std::to_string(steps) +
                    " --compare grid --size 1600x1000 --ui-scale 1 --theme light --screenshot " +
                    shellQuote(png) + " --layout-json " + shellQuote(layoutPath) + extra + " --exit");
  };
  const ShellResult r = shoot("");
  if (r.code == 1 && r.output.find("cannot open a window") != std::string::npos)
    GTEST_SKIP() << "no usable display: " << r.output;
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json layout = nlohmann::json::parse(std::ifstream(layoutPath), nullptr, false);
  Image img;
  ASSERT_EQ(readPng(png, img), "");
  ASSERT_EQ(layout["compare"], "grid");
  ASSERT_EQ(layout["runs"].size(), 3u) << layout["runs"].dump();

  auto loaded = core::parseScene(text, "fixture");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const core::Scene& base = loaded.scene();
  const std::vector<double> ps = {1.1, 2.0, 3.0};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(ps[i]);
    core::Scene s = base;
    s.optimizer.p = ps[i];
    core::Run coreRun(s);
    ASSERT_EQ(coreRun.step(steps), steps);
    const auto& shown = layout["runs"][i];
    EXPECT_EQ(shown["step"].get<long long>(), steps);
    EXPECT_EQ(shown["selected"].get<std::vector<int>>(), coreRun.selectedTokens());
    const core::AttentionSvm svm =
        core::solveAttentionSvm(s, coreRun.selectedTokens(), core::svmNormFor(s), core::svmPFor(s));
    ASSERT_EQ(svm.solution.status, core::SvmStatus::Optimal);
    EXPECT_NEAR(shown["corr"].get<double>(), coreRun.currentMetrics().corr, 1e-9);
    const Eigen::Vector2d u = svm.direction.p.normalized();

    // The run's dashed ray on its own canvas: along its SVM direction (screen y points down) ...
    ASSERT_FALSE(shown["svm_ray"].is_null()) << "run " << i;
    const auto& ray = shown["svm_ray"];
    const Eigen::Vector2d from(ray["from"][0].get<double>(), ray["from"][1].get<double>());
    const Eigen::Vector2d drawn =
        Eigen::Vector2d(ray["to"][0].get<double>(), ray["to"][1].get<double>()) - from;
    ASSERT_GT(drawn.norm(), 40.0);
    const Eigen::Vector2d dir = drawn.normalized();
    EXPECT_GT(dir.dot(Eigen::Vector2d(u.x(), -u.y())), std::cos(0.5 * M_PI / 180));
    // ... painted in the run's colour: most dashes along it (2 px steps, best pixel across the line).
    const ImU32 colour = parseRunColour(shown["colour"].get<std::string>());
    ASSERT_NE(colour, 0u);
    int hits = 0, probes = 0;
    for (double d = 3; d < drawn.norm() - 3; d += 2) {
      ++probes;
      int best = 1000;
      for (double e : {-1.0, -0.5, 0.0, 0.5, 1.0})
        best = std::min(best, colourDistance(img, from.x() + d * dir.x() - e * dir.y(),
                                             from.y() + d * dir.y() + e * dir.x(), colour));
      hits += best < 90;
    }
    EXPECT_GE(hits, probes * 4 / 10) << "run " << i << ": " << hits << " of " << probes
                                     << " probes in its colour (dashes cover ~60%)";
  }
  // One cell per run: the three rays start at three different origins (their cells' centres).
  std::set<std::pair<int, int>> origins;
  for (const auto& shown : layout["runs"])
    origins.insert({static_cast<int>(shown["svm_ray"]["from"][0].get<double>()),
                    static_cast<int>(shown["svm_ray"]["from"][1].get<double>())});
  EXPECT_EQ(origins.size(), 3u);

  // --at K: every run shown at step K exactly, with the numbers of a run that stopped there.
  ASSERT_EQ(shoot(" --at " + std::to_string(at)).code, 0);
  std::ifstream(layoutPath) >> layout;
  EXPECT_EQ(layout["timeline"].get<long long>(), at);
  for (std::size_t i = 0; i < 3; ++i) {
    core::Scene s = base;
    s.optimizer.p = ps[i];
    core::Run coreRun(s);
    coreRun.step(at);
    EXPECT_EQ(layout["runs"][i]["step"].get<long long>(), at) << i;
    EXPECT_EQ(layout["runs"][i]["selected"].get<std::vector<int>>(), coreRun.selectedTokens()) << i;
    EXPECT_NEAR(layout["runs"][i]["corr"].get<double>(), coreRun.currentMetrics().corr, 1e-9) << i;
  }
  // Beyond the trained steps: clamped to the last one, and said so.
  const ShellResult beyond = shoot(" --at 999999");
  ASSERT_EQ(beyond.code, 0) << beyond.output;
  std::ifstream(layoutPath) >> layout;
  EXPECT_EQ(layout["timeline"].get<long long>(), steps);
  EXPECT_NE(beyond.output.find("200"), std::string::npos) << beyond.output;
}

// A runs entry with a bad field: the scene opens with the other runs, and the message names the field.
TEST(GuiE2E, ABadRunsEntryIsSkippedWithAMessageNamingTheField) {
  if (!haveDisplay()) GTEST_SKIP() << "no DISPLAY: run the e2e tests under xvfb-run";
  const std::string dir = ::testing::TempDir();
  const std::string scenePath = dir + "attnmd_e2e_badrun.json",
                    layoutPath = dir + "attnmd_e2e_badrun_layout.json";
  nlohmann::json j = nlohmann::json::parse(compareFixture());
  j["runs"][1]["optimizer"]["p"] = 0.5;
  std::ofstream(scenePath) << j.dump();
  const ShellResult r =
      runShell(shellQuote(ATTNMD_GUI_EXE) + " --scene " + shellQuote(scenePath) +
               " --steps 5 --size 1280x720 --screenshot " + shellQuote(dir + "attnmd_e2e_badrun.png") +
               " --layout-json " + shellQuote(layoutPath) + " --exit");
  if (r.code == 1 && r.output.find("cannot open a window") != std::string::npos)
    GTEST_SKIP() << "no usable display: " << r.output;
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("runs[1].optimizer.p"), std::string::npos) << r.output;
  const nlohmann::json layout = nlohmann::json::parse(std::ifstream(layoutPath), nullptr, false);
  ASSERT_EQ(layout["runs"].size(), 2u);
  EXPECT_EQ(layout["runs"][0]["name"], "p = 1.1");
  EXPECT_EQ(layout["runs"][1]["name"], "p = 3");
}

}  // namespace
}  // namespace attnmd::gui
