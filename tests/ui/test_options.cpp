// Command-line flags of `attnmd` (issue 2 item 7): every flag parses, bad values are refused with a
// message naming the flag, and --help mentions how to get a screenshot without a display.
#include <gtest/gtest.h>

#include <vector>

#include "app/gui/options.h"
#include "app/gui/run_app.h"
#include "tests/support/user_text.h"

namespace attnmd::gui {
namespace {

ParsedOptions parse(std::vector<const char*> args) {
  args.insert(args.begin(), "attnmd");
  return parseAppOptions(static_cast<int>(args.size()), args.data());
}

TEST(Options, DefaultsWithoutFlags) {
  const ParsedOptions p = parse({});
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.options.width, 1600);
  EXPECT_EQ(p.options.height, 1000);
  EXPECT_FALSE(p.options.exitAfter);
  EXPECT_EQ(p.options.theme, ThemeKind::Light);
  EXPECT_EQ(p.options.uiScale, 0.f);
}

TEST(Options, EveryFlag) {
  const ParsedOptions p = parse({"--scene",   "s.json",        "--steps",    "250",    "--size",
                                 "1280x720",  "--screenshot",  "o.png",      "--exit", "--bench-frames",
                                 "90",        "--bench-drag",  "--ui-scale", "1.5",    "--theme",
                                 "dark",      "--layout-json", "l.json",     "--view", "2d",
                                 "--compare", "grid",          "--at",       "120"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.scenePath, "s.json");
  EXPECT_EQ(p.options.steps, 250);
  EXPECT_EQ(p.options.width, 1280);
  EXPECT_EQ(p.options.height, 720);
  EXPECT_EQ(p.options.screenshotPath, "o.png");
  EXPECT_TRUE(p.options.exitAfter);
  EXPECT_EQ(p.options.benchFrames, 90);
  EXPECT_TRUE(p.options.benchDrag);
  EXPECT_FLOAT_EQ(p.options.uiScale, 1.5f);
  EXPECT_EQ(p.options.theme, ThemeKind::Dark);
  EXPECT_EQ(p.options.layoutJsonPath, "l.json");
  EXPECT_EQ(p.options.view, "2d");
  EXPECT_EQ(p.options.compare, "grid");
  EXPECT_EQ(p.options.at, 120);
  EXPECT_EQ(parse({"--compare", "overlay"}).options.compare, "overlay");
  EXPECT_TRUE(parse({"-h"}).options.help);
  EXPECT_TRUE(parse({"--help"}).options.help);
}

TEST(Options, BadValuesNameTheFlag) {
  for (const auto& [args, flag] : std::vector<std::pair<std::vector<const char*>, std::string>>{
           {{"--steps", "-3"}, "--steps"},
           {{"--steps", "many"}, "--steps"},
           {{"--size", "1600"}, "--size"},
           {{"--size", "10x10"}, "--size"},
           {{"--ui-scale", "5"}, "--ui-scale"},
           {{"--ui-scale", "0.5"}, "--ui-scale"},
           {{"--theme", "blue"}, "--theme"},
           {{"--view", "4d"}, "--view"},
           {{"--compare", "side"}, "--compare"},
           {{"--compare"}, "--compare"},
           {{"--at", "-1"}, "--at"},
           {{"--at", "soon"}, "--at"},
           {{"--bench-frames", "0"}, "--bench-frames"},
           {{"--scene"}, "--scene"},
           {{"--animation-frames", "1"}, "--animation-frames"},
           {{"--animation-fps", "120"}, "--animation-fps"},
           {{"--animation-fps", "fast"}, "--animation-fps"},
           {{"--animation-from", "-2"}, "--animation-from"},
           {{"--animation-to", "0x10"}, "--animation-to"},
           {{"--export-animation", ""}, "--export-animation"},
           {{"--show", "everything"}, "--show"},
           {{"--frobnicate"}, "--frobnicate"}}) {
    const ParsedOptions p = parse(args);
    EXPECT_NE(p.error.find(flag), std::string::npos) << "'" << p.error << "' should name " << flag;
  }
}

TEST(Options, AnimationExportFlags) {
  const ParsedOptions p = parse({"--export-animation", "run.gif", "--animation-frames", "90",
                                 "--animation-fps", "24", "--animation-from", "10", "--animation-to", "500",
                                 "--animation-linear", "--animation-window", "--show", "animation"});
  ASSERT_EQ(p.error, "");
  const AnimationOptions& a = p.options.animation;
  EXPECT_EQ(a.path, "run.gif");
  EXPECT_EQ(a.frames, 90);
  EXPECT_EQ(a.fps, 24);
  EXPECT_EQ(a.from, 10);
  EXPECT_EQ(a.to, 500);
  EXPECT_FALSE(a.logSpaced);
  EXPECT_EQ(a.region, AnimationRegion::Window);
  EXPECT_EQ(p.options.show, "animation");
  EXPECT_TRUE(p.options.scripted());
  // Defaults: log-spaced, the canvas, every step trained.
  const AnimationOptions d = parse({"--export-animation", "x.gif"}).options.animation;
  EXPECT_TRUE(d.logSpaced);
  EXPECT_EQ(d.region, AnimationRegion::Canvas);
  EXPECT_EQ(d.to, -1);
}

TEST(Options, HelpExplainsTheHeadlessScreenshot) {
  const std::string u = appUsage();
  EXPECT_NE(u.find("xvfb-run -a -s \"-screen 0 1600x1000x24\" attnmd --screenshot out.png --exit"),
            std::string::npos);
  for (const char* flag : {"--scene", "--steps", "--size", "--screenshot", "--exit", "--bench-frames",
                           "--ui-scale", "--theme", "--view"})
    EXPECT_NE(u.find(flag), std::string::npos) << flag;
  for (const std::string& problem : ::attnmd::testing::userTextProblems(u))
    ADD_FAILURE() << "attnmd --help " << problem;
}

TEST(FrameStats, QuantilesOfKnownSamples) {
  std::vector<double> ms;
  for (int k = 1; k <= 100; ++k) ms.push_back(k);  // 1..100 ms, shuffled order does not matter
  std::swap(ms[3], ms[77]);
  const FrameStats s = frameStats(ms);
  EXPECT_EQ(s.frames, 100);
  EXPECT_DOUBLE_EQ(s.meanMs, 50.5);
  EXPECT_DOUBLE_EQ(s.medianMs, 50.5);
  EXPECT_NEAR(s.p95Ms, 95.05, 1e-9);
  EXPECT_DOUBLE_EQ(s.maxMs, 100);
  EXPECT_NEAR(s.fps, 1000 / 50.5, 1e-9);
  EXPECT_EQ(frameStats({}).frames, 0);
}

}  // namespace
}  // namespace attnmd::gui

namespace attnmd::gui {
namespace {

ParsedOptions parseFileOptions(std::vector<const char*> args) {
  args.insert(args.begin(), "attnmd");
  return parseAppOptions(static_cast<int>(args.size()), args.data());
}

TEST(Options, FilesAndUserState) {
  ParsedOptions p = parseFileOptions({"demo.json"});
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.options.scenePath, "demo.json") << "a file manager opens `attnmd FILE`";
  EXPECT_FALSE(p.options.scripted());
  p = parseFileOptions({"--screenshot", "a.png", "--user-state", "--show", "recovery"});
  EXPECT_NE(p.error.find("--show"), std::string::npos) << p.error;
  p = parseFileOptions(
      {"--screenshot", "a.png", "--user-state", "--show", "file-menu", "--export-bundle", "out"});
  ASSERT_EQ(p.error, "");
  EXPECT_TRUE(p.options.scripted());
  EXPECT_TRUE(p.options.userState);
  EXPECT_EQ(p.options.show, "file-menu");
  EXPECT_EQ(p.options.exportBundleDir, "out");
  EXPECT_NE(parseFileOptions({"a.json", "b.json"}).error, "") << "one scene at a time";
  for (const char* flag : {"--user-state", "--show", "--export-bundle"})
    EXPECT_NE(appUsage().find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace attnmd::gui
