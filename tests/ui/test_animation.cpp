// Animation export (issue 15 item 9): the steps a run's frames show, the GIF writer (read back with
// giflib's decoder), the MP4 path through ffmpeg (a stand-in script that records what it is given), the
// PNG-frame fallback without ffmpeg, and the export's state machine (settling, cropping, cancelling).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/gui/export/animation.h"
#include "app/gui/export/gif_writer.h"
#include "tests/support/temp_dir.h"

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;
using attnmd::testing::TempDir;

Image animFlatImage(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Image im;
  im.width = w;
  im.height = h;
  im.rgba.resize(static_cast<std::size_t>(w) * h * 4);
  for (std::size_t i = 0; i < im.rgba.size(); i += 4) {
    im.rgba[i] = r, im.rgba[i + 1] = g, im.rgba[i + 2] = b, im.rgba[i + 3] = 255;
  }
  return im;
}

void animFillRect(Image& im, int x0, int y0, int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      std::uint8_t* p = im.rgba.data() + (static_cast<std::size_t>(y) * im.width + x) * 4;
      p[0] = r, p[1] = g, p[2] = b;
    }
}

bool animSameRgb(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height) return false;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x)
      if (!std::equal(a.pixel(x, y), a.pixel(x, y) + 3, b.pixel(x, y))) return false;
  return true;
}

// Sets an environment variable for one test.
class AnimEnv {
 public:
  AnimEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    ::setenv(name, value.c_str(), 1);
  }
  ~AnimEnv() { had_ ? (void)::setenv(name_, old_.c_str(), 1) : (void)::unsetenv(name_); }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

std::string animScript(const TempDir& tmp, const std::string& name, const std::string& body) {
  const std::string path = tmp.str(name);
  std::ofstream(path) << "#!/bin/sh\n" << body;
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(AnimationSteps, LinearIsEven) {
  EXPECT_EQ(animationSteps(0, 100, 11, false),
            (std::vector<long long>{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
}

TEST(AnimationSteps, LogSpacedGivesTheEarlyStepsMostFramesAndStaysDistinct) {
  const std::vector<long long> s = animationSteps(0, 1'000'000, 60, true);
  ASSERT_EQ(s.size(), 60u);
  EXPECT_EQ(s.front(), 0);
  EXPECT_EQ(s.back(), 1'000'000);
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  EXPECT_EQ(std::adjacent_find(s.begin(), s.end()), s.end());
  // Half of log(1 + 10^6) is log(1001): about half the frames show the first thousand steps.
  const auto early = std::count_if(s.begin(), s.end(), [](long long k) { return k <= 1000; });
  EXPECT_GE(early, 28);
  EXPECT_LE(early, 32);
  // Evenly spaced, the same range would give them one frame.
  const std::vector<long long> even = animationSteps(0, 1'000'000, 60, false);
  EXPECT_EQ(std::count_if(even.begin(), even.end(), [](long long k) { return k <= 1000; }), 1);
}

TEST(AnimationSteps, AShortRangeGivesEveryStepOnce) {
  EXPECT_EQ(animationSteps(5, 8, 60, true), (std::vector<long long>{5, 6, 7, 8}));
  EXPECT_EQ(animationSteps(5, 8, 60, false), (std::vector<long long>{5, 6, 7, 8}));
  // Log spacing from a later first step: still distinct, from the first to the last.
  const std::vector<long long> s = animationSteps(100, 130, 20, true);
  ASSERT_EQ(s.size(), 20u);
  EXPECT_EQ(s.front(), 100);
  EXPECT_EQ(s.back(), 130);
  EXPECT_EQ(std::adjacent_find(s.begin(), s.end(), [](long long a, long long b) { return b <= a; }), s.end());
}

TEST(AnimationOptionsCheck, SaysWhatIsWrong) {
  AnimationOptions o;
  o.path = "x.gif";
  EXPECT_EQ(validateAnimation(o, 500), "");
  EXPECT_NE(validateAnimation(o, 0).find("nothing is trained"), std::string::npos);
  o.to = 900;
  EXPECT_NE(validateAnimation(o, 500).find("step 900 is not trained yet"), std::string::npos);
  o.to = 50, o.from = 50;
  EXPECT_NE(validateAnimation(o, 500).find("must come before"), std::string::npos);
  o.from = 0, o.fps = 0;
  EXPECT_NE(validateAnimation(o, 500).find("frame rate"), std::string::npos);
  o.fps = 12, o.frames = 1;
  EXPECT_NE(validateAnimation(o, 500).find("2 to"), std::string::npos);
  o.frames = 10, o.path.clear();
  EXPECT_NE(validateAnimation(o, 500).find("file name"), std::string::npos);
}

TEST(GifPalette, FewColoursAreKeptExactly) {
  Image im = animFlatImage(20, 10, 250, 250, 250);
  animFillRect(im, 2, 2, 5, 5, 200, 30, 40);
  animFillRect(im, 10, 1, 3, 8, 10, 90, 200);
  const PalettedImage p = quantizePalette(im);
  ASSERT_EQ(p.colours(), 3);
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x) {
      const int i = p.indices[static_cast<std::size_t>(y) * im.width + x];
      for (int c = 0; c < 3; ++c) EXPECT_EQ(p.palette[3 * i + c], im.pixel(x, y)[c]);
    }
}

TEST(GifPalette, ManyColoursKeepTheFlatOnesAndMapEveryPixelToItsNearestEntry) {
  // Flat panels plus a thousand distinct anti-aliasing shades: more than a GIF frame can hold.
  Image im = animFlatImage(100, 100, 255, 255, 255);
  animFillRect(im, 0, 0, 50, 100, 30, 60, 200);
  int k = 0;
  for (int y = 40; y < 60; ++y)
    for (int x = 25; x < 75; ++x, ++k)
      animFillRect(im, x, y, 1, 1, static_cast<std::uint8_t>(k % 256),
                   static_cast<std::uint8_t>((k * 7) % 256), static_cast<std::uint8_t>((k * 13) % 256));
  const PalettedImage p = quantizePalette(im);
  ASSERT_EQ(p.colours(), 256);
  auto colourOf = [&](int x, int y) {
    const int i = p.indices[static_cast<std::size_t>(y) * p.width + x];
    return std::array<int, 3>{p.palette[3 * i], p.palette[3 * i + 1], p.palette[3 * i + 2]};
  };
  EXPECT_EQ(colourOf(5, 5), (std::array<int, 3>{30, 60, 200}));
  EXPECT_EQ(colourOf(90, 90), (std::array<int, 3>{255, 255, 255}));
  // Every pixel goes to the entry nearest its 5-bit bin's mean: at most a bin's diagonal (twice, by
  // the triangle inequality) further than its own nearest entry.
  for (int y = 40; y < 60; ++y)
    for (int x = 25; x < 75; ++x) {
      const std::uint8_t* q = im.pixel(x, y);
      auto dist = [&](int i) {
        int d = 0;
        for (int c = 0; c < 3; ++c) d += (q[c] - p.palette[3 * i + c]) * (q[c] - p.palette[3 * i + c]);
        return d;
      };
      int best = dist(0);
      for (int i = 1; i < 256; ++i) best = std::min(best, dist(i));
      const int got = dist(p.indices[static_cast<std::size_t>(y) * p.width + x]);
      EXPECT_LE(std::sqrt(got), std::sqrt(best) + 2 * std::sqrt(3.0) * 8) << x << "," << y;
    }
}

TEST(GifWriter, FramesReadBackAsWrittenWithDelaysAndLoop) {
  TempDir tmp;
  const std::string path = tmp.str("a.gif");
  Image f0 = animFlatImage(40, 30, 255, 255, 255);
  animFillRect(f0, 5, 5, 6, 6, 220, 20, 20);
  Image f1 = animFlatImage(40, 30, 255, 255, 255);
  animFillRect(f1, 20, 12, 6, 6, 220, 20, 20);
  GifWriter gif;
  ASSERT_EQ(gif.open(path, 40, 30), "");
  ASSERT_EQ(gif.add(f0, 1.0 / 12), "");
  ASSERT_EQ(gif.add(f1, 1.0 / 12), "");
  ASSERT_EQ(gif.add(f1, 1.5), "");  // unchanged: a one-pixel frame carries the delay
  EXPECT_FALSE(fs::exists(path)) << "the file appears only when finished";
  ASSERT_EQ(gif.finish(), "");
  EXPECT_FALSE(fs::exists(path + ".part"));
  DecodedGif d;
  ASSERT_EQ(readGif(path, d), "");
  EXPECT_EQ(d.width, 40);
  EXPECT_EQ(d.height, 30);
  EXPECT_TRUE(d.loops);
  ASSERT_EQ(d.frames.size(), 3u);
  EXPECT_TRUE(animSameRgb(d.frames[0], f0));
  EXPECT_TRUE(animSameRgb(d.frames[1], f1));
  EXPECT_TRUE(animSameRgb(d.frames[2], f1));
  EXPECT_EQ(d.delaysCs, (std::vector<int>{8, 8, 150}));
}

TEST(GifWriter, BadTargetsAndSizesAreReportedAndLeaveNothing) {
  TempDir tmp;
  GifWriter gif;
  EXPECT_NE(gif.open(tmp.str("missing/a.gif"), 10, 10).find("missing/a.gif"), std::string::npos);
  EXPECT_NE(gif.open(tmp.str("a.gif"), 0, 10), "");
  ASSERT_EQ(gif.open(tmp.str("a.gif"), 10, 10), "");
  EXPECT_NE(gif.add(animFlatImage(11, 10, 0, 0, 0), 0.1).find("11x10"), std::string::npos);
  gif.abort();
  EXPECT_TRUE(fs::is_empty(tmp.path));
}

TEST(AnimationSink, Mp4GoesThroughFfmpegAsRawFramesAndHoldsTheLastFrame) {
  TempDir tmp;
  // A stand-in ffmpeg: records its arguments and copies the raw frames to the output file it was given.
  const std::string ffmpeg = animScript(
      tmp, "ffmpeg", "for a; do out=$a; done\necho \"$@\" > " + tmp.str("args") + "\ncat > \"$out\"\n");
  AnimEnv env("ATTNMD_FFMPEG", ffmpeg);
  std::string notice, error;
  auto sink = openAnimationSink(tmp.str("run.mp4"), 8, 6, 10, notice, error);
  ASSERT_TRUE(sink) << error;
  EXPECT_EQ(notice, "");
  ASSERT_EQ(sink->add(animFlatImage(8, 6, 1, 2, 3), 0.1), "");
  ASSERT_EQ(sink->add(animFlatImage(8, 6, 4, 5, 6), 1.5), "");  // 15 frames at 10 fps
  ASSERT_EQ(sink->finish(), "");
  EXPECT_EQ(fs::file_size(tmp.str("run.mp4")), 16u * 8 * 6 * 4);
  EXPECT_FALSE(fs::exists(tmp.str("run.mp4.part")));
  const std::string args = attnmd::testing::readText(tmp.str("args"));
  EXPECT_NE(args.find("-s 8x6"), std::string::npos) << args;
  EXPECT_NE(args.find("-pix_fmt rgba"), std::string::npos) << args;
  EXPECT_NE(args.find("-framerate 10"), std::string::npos) << args;
}

TEST(AnimationSink, AFailingFfmpegIsReportedAndLeavesNoFile) {
  TempDir tmp;
  AnimEnv env("ATTNMD_FFMPEG", animScript(tmp, "ffmpeg", "echo 'no encoder' >&2\nexit 1\n"));
  std::string notice, error;
  auto sink = openAnimationSink(tmp.str("run.mp4"), 64, 64, 10, notice, error);
  ASSERT_TRUE(sink) << error;
  std::string e;
  for (int i = 0; i < 20 && e.empty(); ++i) e = sink->add(animFlatImage(64, 64, 9, 9, 9), 0.1);
  if (e.empty()) e = sink->finish();
  EXPECT_NE(e.find("ffmpeg"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(tmp.str("run.mp4")));
  EXPECT_FALSE(fs::exists(tmp.str("run.mp4.part")));
}

TEST(AnimationSink, WithoutFfmpegAnMp4BecomesPngFramesAndSaysSo) {
  TempDir tmp;
  AnimEnv env("ATTNMD_FFMPEG", "");
  std::string notice, error;
  auto sink = openAnimationSink(tmp.str("run.mp4"), 8, 6, 10, notice, error);
  ASSERT_TRUE(sink) << error;
  EXPECT_NE(notice.find("ffmpeg is not installed"), std::string::npos);
  ASSERT_EQ(sink->add(animFlatImage(8, 6, 1, 2, 3), 0.1), "");
  ASSERT_EQ(sink->add(animFlatImage(8, 6, 4, 5, 6), 1.5), "");
  ASSERT_EQ(sink->finish(), "");
  EXPECT_TRUE(fs::exists(tmp.str("run-frames/frame-0001.png")));
  EXPECT_TRUE(fs::exists(tmp.str("run-frames/frame-0002.png")));
  EXPECT_FALSE(fs::exists(tmp.str("run.mp4")));
  EXPECT_NE(sink->written().find("2 PNG frames"), std::string::npos);
  // A folder of frames never goes into a folder that holds something.
  fs::create_directories(tmp.str("full"));
  std::ofstream(tmp.str("full/x")) << "x";
  EXPECT_EQ(openAnimationSink(tmp.str("full"), 8, 6, 10, notice, error), nullptr);
  EXPECT_NE(error.find("not empty"), std::string::npos);
}

// The export as the run loop drives it: a frame counts once two frames in a row showed its step; the
// canvas is cropped from the window; the outcome names the file and gives the timeline back.
TEST(AnimationExportMachine, CapturesSettledFramesCropsTheCanvasAndFinishes) {
  TempDir tmp;
  AnimationExport anim;
  AnimationOptions o;
  o.path = tmp.str("out.gif");
  o.frames = 4;
  o.logSpaced = false;
  EXPECT_NE(anim.start(o, 0, std::nullopt), "");  // nothing trained
  ASSERT_EQ(anim.start(o, 30, std::optional<long long>(7)), "");
  ASSERT_TRUE(anim.active());
  ExportSources src;
  src.canvas.min = ImVec2(10, 20);
  src.canvas.max = ImVec2(50, 40);
  const std::vector<long long> expected{0, 10, 20, 30};
  for (int f = 0; f < 4; ++f) {
    const long long want = anim.wantedStep();
    EXPECT_EQ(want, expected[static_cast<std::size_t>(f)]);
    EXPECT_FALSE(anim.captureThisFrame(std::nullopt));  // still replaying
    EXPECT_FALSE(anim.captureThisFrame(want));          // shows the step: overlays next frame
    ASSERT_TRUE(anim.captureThisFrame(want));
    EXPECT_TRUE(anim.capturing());
    Image window = animFlatImage(120, 80, 255, 255, 255);
    animFillRect(window, 10 + 5 * f, 20, 5, 5, 0, 0, 0);  // a mark inside the canvas that moves
    anim.addFrame(window, 1.f, src);
  }
  EXPECT_FALSE(anim.active());
  const std::optional<AnimationExport::Outcome> out = anim.takeOutcome();
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->ok) << out->message;
  EXPECT_EQ(out->cursor, std::optional<long long>(7));
  EXPECT_NE(out->message.find("4 frames, steps 0 to 30"), std::string::npos) << out->message;
  DecodedGif d;
  ASSERT_EQ(readGif(o.path, d), "");
  EXPECT_EQ(d.width, 40);
  EXPECT_EQ(d.height, 20);
  ASSERT_EQ(d.frames.size(), 4u);
  EXPECT_EQ(d.frames[3].pixel(15, 2)[0], 0);  // the mark of frame 3, at x = 25 - 10
  EXPECT_EQ(d.frames[0].pixel(15, 2)[0], 255);
}

TEST(AnimationExportMachine, CancelLeavesNoFileAndSaysSo) {
  TempDir tmp;
  AnimationExport anim;
  AnimationOptions o;
  o.path = tmp.str("out.gif");
  o.frames = 10;
  ASSERT_EQ(anim.start(o, 100, std::nullopt), "");
  ExportSources src;
  src.canvas.min = ImVec2(0, 0);
  src.canvas.max = ImVec2(30, 30);
  anim.captureThisFrame(anim.wantedStep());
  ASSERT_TRUE(anim.captureThisFrame(anim.wantedStep()));
  anim.addFrame(animFlatImage(30, 30, 255, 255, 255), 1.f, src);
  EXPECT_EQ(anim.framesDone(), 1);
  anim.cancel();
  EXPECT_FALSE(anim.active());
  const auto out = anim.takeOutcome();
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->ok);
  EXPECT_NE(out->message.find("nothing was written"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(tmp.path));
}

}  // namespace
}  // namespace attnmd::gui
