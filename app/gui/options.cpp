#include "app/gui/options.h"

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

namespace attnmd::gui {
namespace {

template <class T>
bool parseNumber(std::string_view text, T& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool parseSize(std::string_view text, int& w, int& h) {
  const auto x = text.find_first_of("xX");
  if (x == std::string_view::npos) return false;
  return parseNumber(text.substr(0, x), w) && parseNumber(text.substr(x + 1), h) && w >= 200 && h >= 150 &&
         w <= 16384 && h <= 16384;
}

}  // namespace

std::string appUsage() {
  return "attnmd: watch softmax attention learn to select tokens (max-margin token selection).\n"
         "\n"
         "usage: attnmd [--scene FILE | FILE] [--steps N] [--size WxH] [--screenshot out.png] [--exit]\n"
         "              [--bench-frames N [--bench-drag]] [--ui-scale S] [--theme light|dark] [--layout-json "
         "FILE]\n"
         "              [--view 2d|3d] [--compare overlay|grid] [--at K] [--user-state] [--show WHAT]\n"
         "              [--export-bundle DIR] [--export-animation FILE [--animation-* ...]]\n"
         "\n"
         "  --scene FILE, FILE   open this scene file (default: the embedded teaching scene)\n"
         "  --steps N            train N steps right after loading\n"
         "  --size WxH           window size, default 1600x1000\n"
         "  --screenshot FILE    write a PNG of the whole window once the steps are done\n"
         "  --exit               quit after the steps and the screenshot\n"
         "  --bench-frames N     train at full speed and print frame-time statistics after N frames\n"
         "  --bench-drag         with --bench-frames: drag the first token in a circle meanwhile (the\n"
         "                       edit a mouse drag makes each frame: every run restarts, SVMs re-solve)\n"
         "  --ui-scale S         UI scale from 1 to 3 (Ctrl+= / Ctrl+- in the app); default: monitor's\n"
         "  --theme light|dark   colour theme, default light\n"
         "  --view 2d|3d|geometry  scenes with d >= 3: open in the x1-x2 plane or the 3D view (default: the\n"
         "                       scene file's choice, else 3D); geometry: parameter space (the feasible set\n"
         "                       of the SVM rows and the l_p ball that touches it), prompt model, d = 2 or 3\n"
         "  --compare overlay|grid  a scene with several runs: all on one canvas, or one canvas each\n"
         "  --at K               after --steps, show every run at step K on the timeline (clamped to the\n"
         "                       steps trained)\n"
         "  --layout-json FILE   with --screenshot: also write where key items were drawn (for tests);\n"
         "                       the environment variable ATTNMD_LAYOUT_JSON does the same\n"
         "  --export-bundle DIR  after the steps, write an export bundle (scene, SVG, CSV, 2x PNGs) in DIR\n"
         "  --export-animation FILE  after the steps, write the timeline as an animation: FILE.gif, "
         "FILE.mp4\n"
         "                       (needs ffmpeg; without it PNG frames are written and it says so), any\n"
         "                       other name: a new folder of PNG frames\n"
         "  --animation-frames N  frames of the animation, 2 to 2000 (default 60)\n"
         "  --animation-fps F    frames per second, 1 to 60 (default 12)\n"
         "  --animation-from A   first step (default 0)\n"
         "  --animation-to B     last step (default: every step trained)\n"
         "  --animation-linear   evenly spaced steps (default: log-spaced, most frames early)\n"
         "  --animation-window   the whole window (default: the canvas with its legend)\n"
         "  --user-state         with --screenshot/--exit/--bench-frames: use the preferences and autosaves\n"
         "                       (scripted runs ignore them otherwise, so they look the same everywhere)\n"
         "  --show WHAT          open file-menu, export-menu, open, save-as, unsaved, help or animation "
         "(the\n"
         "                       Export > Animation dialog), for screenshots\n"
         "  --present            start in presentation mode (F11): full screen, larger text, the canvas\n"
         "                       and one plot, edits locked; Esc leaves\n"
         "  --lesson NAME        follow a guided lesson (Help > Lessons lists them), e.g.\n"
         "                       --lesson 01-attention-selects\n"
         "  --version            print the version\n"
         "  -h, --help           print this help\n"
         "\n"
         "Files: preferences in $XDG_CONFIG_HOME/attnmd, autosaves in $XDG_STATE_HOME/attnmd (a crashed or\n"
         "killed session's unsaved work is offered at the next start).\n"
         "\n"
         "Without a display, get a screenshot with:\n"
         "  xvfb-run -a -s \"-screen 0 1600x1000x24\" attnmd --screenshot out.png --exit\n"
         "\n"
         "In the app: Space play/pause, S step, Shift+S step back on the timeline, R reset, F fit view,\n"
         "Ctrl+Z/Ctrl+Y undo/redo,\n"
         "Ctrl+O/Ctrl+S open/save, Ctrl+Shift+C/V copy/paste the scene, F1 help.\n";
}

ParsedOptions parseAppOptions(int argc, const char* const* argv) {
  ParsedOptions r;
  AppOptions& o = r.options;
  if (const char* env = std::getenv("ATTNMD_LAYOUT_JSON"); env && *env) o.layoutJsonPath = env;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view& out) {
      if (i + 1 >= argc) {
        r.error = std::string(arg) + " needs a value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string_view v;
    if (arg == "-h" || arg == "--help") {
      o.help = true;
    } else if (arg == "--version") {
      o.version = true;
    } else if (arg == "--present") {
      o.present = true;
    } else if (arg == "--lesson") {
      if (!value(v)) return r;
      o.lesson = v;
    } else if (arg == "--exit") {
      o.exitAfter = true;
    } else if (arg == "--scene") {
      if (!value(v)) return r;
      o.scenePath = v;
    } else if (arg == "--steps") {
      if (!value(v)) return r;
      if (!parseNumber(v, o.steps) || o.steps < 0)
        r.error = "--steps expects a count >= 0, got '" + std::string(v) + "'";
    } else if (arg == "--size") {
      if (!value(v)) return r;
      if (!parseSize(v, o.width, o.height))
        r.error = "--size expects WxH (e.g. 1600x1000), got '" + std::string(v) + "'";
    } else if (arg == "--screenshot") {
      if (!value(v)) return r;
      o.screenshotPath = v;
    } else if (arg == "--bench-frames") {
      if (!value(v)) return r;
      if (!parseNumber(v, o.benchFrames) || o.benchFrames < 1)
        r.error = "--bench-frames expects a count >= 1, got '" + std::string(v) + "'";
    } else if (arg == "--bench-drag") {
      o.benchDrag = true;
    } else if (arg == "--ui-scale") {
      if (!value(v)) return r;
      char* end = nullptr;
      const std::string s(v);
      o.uiScale = std::strtof(s.c_str(), &end);
      if (end != s.c_str() + s.size() || !(o.uiScale >= 1.f && o.uiScale <= 3.f))
        r.error = "--ui-scale expects a number from 1 to 3, got '" + s + "'";
    } else if (arg == "--theme") {
      if (!value(v)) return r;
      if (auto t = core::enumFromName<ThemeKind>(v)) {
        o.theme = *t;
        o.themeGiven = true;
      } else {
        r.error = "--theme expects light or dark, got '" + std::string(v) + "'";
      }
    } else if (arg == "--view") {
      if (!value(v)) return r;
      if (v != "2d" && v != "3d" && v != "geometry")
        r.error = "--view expects 2d, 3d or geometry, got '" + std::string(v) + "'";
      else
        o.view = v;
    } else if (arg == "--compare") {
      if (!value(v)) return r;
      if (v != "overlay" && v != "grid")
        r.error = "--compare expects overlay or grid, got '" + std::string(v) + "'";
      else
        o.compare = v;
    } else if (arg == "--at") {
      if (!value(v)) return r;
      if (!parseNumber(v, o.at) || o.at < 0)
        r.error = "--at expects a step >= 0, got '" + std::string(v) + "'";
    } else if (arg == "--layout-json") {
      if (!value(v)) return r;
      o.layoutJsonPath = v;
    } else if (arg == "--export-bundle") {
      if (!value(v)) return r;
      o.exportBundleDir = v;
    } else if (arg == "--export-animation") {
      if (!value(v)) return r;
      o.animation.path = v;
      if (o.animation.path.empty()) r.error = "--export-animation needs a file name";
    } else if (arg == "--animation-frames") {
      if (!value(v)) return r;
      if (!parseNumber(v, o.animation.frames) || o.animation.frames < 2 ||
          o.animation.frames > kMaxAnimationFrames)
        r.error = "--animation-frames expects a count from 2 to " + std::to_string(kMaxAnimationFrames) +
                  ", got '" + std::string(v) + "'";
    } else if (arg == "--animation-fps") {
      if (!value(v)) return r;
      const std::string s(v);
      char* end = nullptr;
      o.animation.fps = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() ||
          !(o.animation.fps >= kMinAnimationFps && o.animation.fps <= kMaxAnimationFps))
        r.error = "--animation-fps expects a number from 1 to 60, got '" + s + "'";
    } else if (arg == "--animation-from") {
      if (!value(v)) return r;
      if (!parseNumber(v, o.animation.from) || o.animation.from < 0)
        r.error = "--animation-from expects a step >= 0, got '" + std::string(v) + "'";
    } else if (arg == "--animation-to") {
      if (!value(v)) return r;
      if (!parseNumber(v, o.animation.to) || o.animation.to < 0)
        r.error = "--animation-to expects a step >= 0, got '" + std::string(v) + "'";
    } else if (arg == "--animation-linear") {
      o.animation.logSpaced = false;
    } else if (arg == "--animation-window") {
      o.animation.region = AnimationRegion::Window;
    } else if (arg == "--user-state") {
      o.userState = true;
    } else if (arg == "--show") {
      if (!value(v)) return r;
      if (v != "file-menu" && v != "export-menu" && v != "open" && v != "save-as" && v != "unsaved" &&
          v != "help" && v != "animation")
        r.error = "--show expects file-menu, export-menu, open, save-as, unsaved, help or animation, got '" +
                  std::string(v) + "'";
      else
        o.show = v;
    } else if (!arg.empty() && arg[0] != '-' && o.scenePath.empty()) {
      o.scenePath = arg;  // `attnmd demo.json`, as a file manager opens it
    } else {
      r.error = "unknown option '" + std::string(arg) + "' (see attnmd --help)";
    }
    if (!r.error.empty()) return r;
  }
  return r;
}

}  // namespace attnmd::gui
