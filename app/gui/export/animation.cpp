#include "app/gui/export/animation.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "app/gui/export/export.h"
#include "app/gui/export/gif_writer.h"

extern char** environ;

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

std::string lowerExtension(const std::string& path) {
  std::string e = fs::path(path).extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

// `image` cut or padded (with its top-left colour) to width × height, anchored at the top left: a
// window resized during an export must not break the animation.
Image fitTo(const Image& image, int width, int height) {
  if (image.width == width && image.height == height) return image;
  Image out;
  out.width = width;
  out.height = height;
  out.rgba.resize(static_cast<std::size_t>(width) * height * 4);
  const std::uint8_t* fill = image.width > 0 && image.height > 0 ? image.pixel(0, 0) : nullptr;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = out.rgba.data() + (static_cast<std::size_t>(y) * width + x) * 4;
      const std::uint8_t* q = x < image.width && y < image.height ? image.pixel(x, y) : fill;
      if (q)
        std::memcpy(p, q, 4);
      else
        p[0] = p[1] = p[2] = p[3] = 255;
    }
  return out;
}

class GifSink : public AnimationSink {
 public:
  explicit GifSink(std::string path) : path_(std::move(path)) {}
  std::string open(int w, int h) { return gif_.open(path_, w, h); }
  std::string add(const Image& frame, double seconds) override { return gif_.add(frame, seconds); }
  std::string finish() override { return gif_.finish(); }
  std::string abort() override {
    gif_.abort();
    return {};
  }
  std::string written() const override { return path_; }

 private:
  std::string path_;
  GifWriter gif_;
};

// Numbered PNGs in a folder (frame-0001.png, ...), each written atomically as it comes.
class PngFramesSink : public AnimationSink {
 public:
  explicit PngFramesSink(std::string folder) : folder_(std::move(folder)) {}
  std::string open() {
    std::error_code ec;
    if (fs::exists(folder_, ec) && !fs::is_empty(folder_, ec))
      return folder_ + ": the folder exists and is not empty (PNG frames go into a new or empty folder)";
    fs::create_directories(folder_, ec);
    if (ec) return folder_ + ": " + ec.message();
    return {};
  }
  std::string add(const Image& frame, double) override {
    char name[32];
    std::snprintf(name, sizeof name, "frame-%04d.png", ++frames_);
    return savePng((fs::path(folder_) / name).string(), frame);
  }
  std::string finish() override { return {}; }
  std::string abort() override { return frames_ > 0 ? written() : std::string(); }
  std::string written() const override {
    return (fs::path(folder_) / "").string() + " (" + std::to_string(frames_) + " PNG frames)";
  }

 private:
  std::string folder_;
  int frames_ = 0;
};

// ffmpeg reading raw RGBA frames on its standard input, writing H.264 in an MP4 beside the target, moved
// into place once ffmpeg succeeded.
class Mp4Sink : public AnimationSink {
 public:
  Mp4Sink(std::string ffmpeg, std::string path, double fps)
      : ffmpeg_(std::move(ffmpeg)), path_(std::move(path)), fps_(fps) {}
  ~Mp4Sink() override { abort(); }

  std::string open(int w, int h) {
    width_ = w;
    height_ = h;
    tmp_ = path_ + ".part";
    // A reader that dies (ffmpeg failing) must make our write() fail, not kill the app.
    std::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (::pipe(fds) != 0) return std::string("cannot start ffmpeg: ") + std::strerror(errno);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    char size[32], rate[32];
    std::snprintf(size, sizeof size, "%dx%d", w, h);
    std::snprintf(rate, sizeof rate, "%g", fps_);
    // H.264 wants even sizes: pad by one pixel where needed.
    std::vector<std::string> args = {ffmpeg_,
                                     "-hide_banner",
                                     "-loglevel",
                                     "error",
                                     "-y",
                                     "-f",
                                     "rawvideo",
                                     "-pix_fmt",
                                     "rgba",
                                     "-s",
                                     size,
                                     "-framerate",
                                     rate,
                                     "-i",
                                     "-",
                                     "-vf",
                                     "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                                     "-c:v",
                                     "libx264",
                                     "-pix_fmt",
                                     "yuv420p",
                                     "-movflags",
                                     "+faststart",
                                     "-f",
                                     "mp4",
                                     tmp_};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, ffmpeg_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[0]);
    if (rc != 0) {
      ::close(fds[1]);
      pid_ = -1;
      return "cannot start " + ffmpeg_ + ": " + std::strerror(rc);
    }
    pipe_ = fds[1];
    return {};
  }

  std::string add(const Image& frame, double seconds) override {
    if (pipe_ < 0) return "ffmpeg is not running";
    const int repeat = std::max(1, static_cast<int>(std::lround(seconds * fps_)));
    for (int r = 0; r < repeat; ++r) {
      const std::uint8_t* p = frame.rgba.data();
      std::size_t left = frame.rgba.size();
      while (left > 0) {
        const ssize_t n = ::write(pipe_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          const std::string why = std::strerror(errno);
          abort();
          return "ffmpeg stopped reading frames (" + why + "); its messages are on the terminal";
        }
        p += n;
        left -= static_cast<std::size_t>(n);
      }
    }
    return {};
  }

  std::string finish() override {
    if (pipe_ < 0) return "ffmpeg is not running";
    ::close(pipe_);
    pipe_ = -1;
    const int status = wait();
    std::error_code ec;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      fs::remove(tmp_, ec);
      return "ffmpeg failed (" +
             (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                : std::string("killed")) +
             "); its messages are on the terminal";
    }
    fs::rename(tmp_, path_, ec);
    if (ec) {
      fs::remove(tmp_, ec);
      return path_ + ": " + ec.message();
    }
    return {};
  }

  std::string abort() override {
    if (pipe_ >= 0) ::close(pipe_);
    pipe_ = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      wait();
    }
    std::error_code ec;
    if (!tmp_.empty()) fs::remove(tmp_, ec);
    return {};
  }

  std::string written() const override { return path_; }

 private:
  int wait() {
    int status = 0;
    while (pid_ > 0 && ::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  std::string ffmpeg_, path_, tmp_;
  double fps_;
  int width_ = 0, height_ = 0;
  pid_t pid_ = -1;
  int pipe_ = -1;
};

}  // namespace

std::string validateAnimation(const AnimationOptions& o, long long furthestStep) {
  if (o.path.empty()) return "no file name for the animation";
  if (!(o.fps >= kMinAnimationFps && o.fps <= kMaxAnimationFps))
    return "frame rate must be 1 to 60 frames per second";
  if (o.frames < 2 || o.frames > kMaxAnimationFrames)
    return "an animation has 2 to " + std::to_string(kMaxAnimationFrames) + " frames";
  if (!(o.holdLastSeconds >= 0 && o.holdLastSeconds <= 60)) return "the last frame is held 0 to 60 seconds";
  const long long to = o.to < 0 ? furthestStep : o.to;
  if (furthestStep < 1) return "nothing is trained yet: train some steps first (Space or S)";
  if (o.from < 0) return "the first step must be 0 or more";
  if (to > furthestStep)
    return "step " + std::to_string(to) + " is not trained yet (the runs have " +
           std::to_string(furthestStep) + " steps)";
  if (o.from >= to)
    return "the first step must come before the last (" + std::to_string(o.from) + " is not before " +
           std::to_string(to) + ")";
  return {};
}

std::vector<long long> animationSteps(long long from, long long to, int frames, bool logSpaced) {
  if (to <= from || frames < 2) return {from};
  const long long n = std::min<long long>(frames, to - from + 1);
  const double range = static_cast<double>(to - from);
  std::vector<long long> steps;
  steps.reserve(static_cast<std::size_t>(n));
  for (long long i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(n - 1);
    const double offset = logSpaced ? std::expm1(t * std::log1p(range)) : t * range;
    long long s = from + std::llround(offset);
    // Distinct and ascending, leaving room for the frames still to come.
    if (!steps.empty()) s = std::max(s, steps.back() + 1);
    s = std::min(s, to - (n - 1 - i));
    steps.push_back(s);
  }
  steps.back() = to;
  return steps;
}

std::string findFfmpeg() {
  if (const char* env = std::getenv("ATTNMD_FFMPEG"))
    return *env && ::access(env, X_OK) == 0 ? std::string(env) : std::string();
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      const std::string candidate = dir + "/ffmpeg";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return {};
}

std::unique_ptr<AnimationSink> openAnimationSink(const std::string& path, int width, int height, double fps,
                                                 std::string& notice, std::string& error) {
  notice.clear();
  error.clear();
  const std::string ext = lowerExtension(path);
  if (ext == ".gif") {
    auto sink = std::make_unique<GifSink>(path);
    if (error = sink->open(width, height); !error.empty()) return nullptr;
    return sink;
  }
  std::string folder = path;
  if (ext == ".mp4") {
    if (const std::string ffmpeg = findFfmpeg(); !ffmpeg.empty()) {
      auto sink = std::make_unique<Mp4Sink>(ffmpeg, path, fps);
      if (error = sink->open(width, height); !error.empty()) return nullptr;
      return sink;
    }
    const fs::path p(path);
    folder = uniquePath(p.parent_path().empty() ? "." : p.parent_path().string(),
                        p.stem().string() + "-frames", "");
    notice = "ffmpeg is not installed (apt install ffmpeg), so the frames were written as PNGs";
  }
  auto sink = std::make_unique<PngFramesSink>(folder);
  if (error = sink->open(); !error.empty()) return nullptr;
  return sink;
}

std::string AnimationExport::start(const AnimationOptions& options, long long furthestStep,
                                   std::optional<long long> cursor) {
  if (active()) return "an animation export is already running";
  if (std::string e = validateAnimation(options, furthestStep); !e.empty()) return e;
  options_ = options;
  if (options_.to < 0) options_.to = furthestStep;
  steps_ = animationSteps(options_.from, options_.to, options_.frames, options_.logSpaced);
  next_ = 0;
  settled_ = 0;
  capturing_ = false;
  cursorBefore_ = cursor;
  sink_.reset();
  notice_.clear();
  outcome_.reset();
  return {};
}

bool AnimationExport::captureThisFrame(std::optional<long long> shownStep) {
  capturing_ = false;
  if (!active()) return false;
  settled_ = shownStep == wantedStep() ? settled_ + 1 : 0;
  // Two settled frames: the first shows the step, the second the overlays rebuilt from it.
  capturing_ = settled_ >= 2;
  return capturing_;
}

void AnimationExport::addFrame(const Image& window, float pixelsPerPoint, const ExportSources& src) {
  if (!active()) return;
  capturing_ = false;
  Image frame = window;
  if (options_.region == AnimationRegion::Canvas)
    frame = cropImage(
        window, pixelRect(src.canvasPngMin(), src.canvas.max, pixelsPerPoint, window.width, window.height));
  if (frame.width <= 0 || frame.height <= 0) return end(false, "animation export failed: nothing was drawn");
  if (!sink_) {
    width_ = frame.width;
    height_ = frame.height;
    std::string error;
    sink_ = openAnimationSink(options_.path, width_, height_, options_.fps, notice_, error);
    if (!sink_) return end(false, "animation export failed: " + error);
  }
  const bool last = next_ + 1 == framesTotal();
  const double seconds = 1.0 / options_.fps;
  if (std::string e = sink_->add(fitTo(frame, width_, height_),
                                 last ? std::max(seconds, options_.holdLastSeconds) : seconds);
      !e.empty()) {
    sink_->abort();
    return end(false, "animation export failed: " + e);
  }
  ++next_;
  settled_ = 0;
  if (next_ < framesTotal()) return;
  if (std::string e = sink_->finish(); !e.empty()) return end(false, "animation export failed: " + e);
  std::string m = "wrote " + sink_->written() + " (" + std::to_string(framesTotal()) + " frames, steps " +
                  std::to_string(steps_.front()) + " to " + std::to_string(steps_.back()) + ")";
  if (!notice_.empty()) m += "; " + notice_;
  end(true, m);
}

void AnimationExport::cancel() {
  if (!active()) return;
  const std::string left = sink_ ? sink_->abort() : std::string();
  end(false, left.empty() ? "animation export cancelled; nothing was written"
                          : "animation export cancelled; the frames so far are in " + left);
}

void AnimationExport::fail(const std::string& message) {
  if (!active()) return;
  if (sink_) sink_->abort();
  end(false, message);
}

void AnimationExport::end(bool ok, std::string message) {
  outcome_ = Outcome{ok, std::move(message), cursorBefore_};
  steps_.clear();
  sink_.reset();
  next_ = 0;
  settled_ = 0;
  capturing_ = false;
}

}  // namespace attnmd::gui
