// Animation export (issue 15 item 9): a run, or the timeline from step a to step b, as an animated GIF,
// as an MP4 when ffmpeg is installed, else as numbered PNG frames in a folder.
//
// How frames are made: the export moves the timeline (Lab::setCursor) to each planned step in turn,
// waits until every run shows that step and its SVM is solved, and captures the next frame offscreen
// (run_app.cpp), cropped to the canvas or kept whole. Everything here is GL-free: it plans the steps,
// crops, and feeds the frames to a sink; the run loop supplies the pixels.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/export/export_actions.h"
#include "app/gui/platform/image_io.h"

namespace attnmd::gui {

enum class AnimationRegion { Canvas, Window };

struct AnimationOptions {
  std::string path;              // .gif, .mp4 (through ffmpeg), anything else: a folder of PNG frames
  long long from = 0;            // first step shown
  long long to = -1;             // last step shown; -1: the furthest step trained
  int frames = 60;               // at most this many (fewer when the range has fewer steps)
  double fps = 12;               // frames per second
  bool logSpaced = true;         // steps spaced evenly in log(1 + step - from): the early steps, where most
                                 // happens, get most frames
  double holdLastSeconds = 1.5;  // the last frame stays this long (a loop pauses on the result)
  AnimationRegion region = AnimationRegion::Canvas;
};

inline constexpr int kMaxAnimationFrames = 2000;
inline constexpr double kMinAnimationFps = 1, kMaxAnimationFps = 60;

// Checks the options against the steps trained ("" or what is wrong, in words).
std::string validateAnimation(const AnimationOptions& o, long long furthestStep);

// The steps the frames show: `frames` steps from `from` to `to` (both included), evenly or log-spaced,
// ascending and distinct (so fewer when the range is short).
std::vector<long long> animationSteps(long long from, long long to, int frames, bool logSpaced);

// Where ffmpeg is ($ATTNMD_FFMPEG, else the PATH); "" when it is not installed.
std::string findFfmpeg();

// Where the frames go: GIF, MP4 (ffmpeg reads raw RGBA on a pipe) or PNG frames.
class AnimationSink {
 public:
  virtual ~AnimationSink() = default;
  // Appends a frame shown for `seconds`. "" or why not.
  virtual std::string add(const Image& frame, double seconds) = 0;
  // Completes the file; "" or why not. Nothing is left half-written either way.
  virtual std::string finish() = 0;
  // Stops early: an unfinished GIF or MP4 is removed; PNG frames written so far stay. Says what stays
  // ("" nothing).
  virtual std::string abort() = 0;
  // What was written, for the status bar ("demo-animation.gif", "demo-frames/ (60 PNG frames)").
  virtual std::string written() const = 0;
};

// Opens the sink for `path` for frames of width × height at `fps`. An .mp4 without ffmpeg writes PNG
// frames into "<path without .mp4>-frames/" instead and says so in `notice`. Null and `error` set on
// failure.
std::unique_ptr<AnimationSink> openAnimationSink(const std::string& path, int width, int height, double fps,
                                                 std::string& notice, std::string& error);

// The export in progress: a small state machine the run loop drives once per frame.
class AnimationExport {
 public:
  // Plans the frames. `furthestStep` is Lab::furthestStep(), `cursor` the timeline's position to
  // restore afterwards. "" or why it cannot start.
  std::string start(const AnimationOptions& options, long long furthestStep, std::optional<long long> cursor);
  bool active() const { return !steps_.empty(); }
  const AnimationOptions& options() const { return options_; }
  // The step the timeline must show now (only while active()).
  long long wantedStep() const { return steps_[static_cast<std::size_t>(next_)]; }
  // Once per frame, before the UI is built: `shownStep` is the step every run shows (nullopt while a
  // replay or an SVM solve is still running). True when this frame is to be captured (and handed to
  // addFrame()).
  bool captureThisFrame(std::optional<long long> shownStep);
  // While a capture frame is built: panels leave out the export's own progress read-out.
  bool capturing() const { return capturing_; }
  // `window` is the whole window at `pixelsPerPoint`; the canvas region is cropped from it.
  void addFrame(const Image& window, float pixelsPerPoint, const ExportSources& src);
  void cancel();
  // Ends the export with `message` (what went wrong); an unfinished file is removed.
  void fail(const std::string& message);
  int framesDone() const { return next_; }
  int framesTotal() const { return static_cast<int>(steps_.size()); }
  // Once after the export ended (finished, failed or cancelled): the status bar's message, and the
  // timeline position to go back to.
  struct Outcome {
    bool ok = false;
    std::string message;
    std::optional<long long> cursor;
  };
  std::optional<Outcome> takeOutcome() { return std::exchange(outcome_, std::nullopt); }

 private:
  void end(bool ok, std::string message);

  AnimationOptions options_;
  std::vector<long long> steps_;
  int next_ = 0;
  int settled_ = 0;  // frames in a row that showed the wanted step
  bool capturing_ = false;
  std::optional<long long> cursorBefore_;
  std::unique_ptr<AnimationSink> sink_;
  int width_ = 0, height_ = 0;  // of the first frame: later ones are cropped or padded to it
  std::string notice_;
  std::optional<Outcome> outcome_;
};

}  // namespace attnmd::gui
