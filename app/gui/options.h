// Command-line options of the `attnmd` executable (issue 2 item 7, issue 5). Parsing is a pure
// function so tests can check it without a window.
#pragma once

#include <string>

#include "app/gui/export/animation.h"
#include "app/gui/widgets/theme.h"

namespace attnmd::gui {

struct AppOptions {
  std::string scenePath;  // --scene FILE: scene to open; empty = the embedded default scene
  long long steps = 0;    // --steps N: train N steps right after loading (before the first frame shown)
  int width = 1600;       // --size WxH: window size in screen coordinates
  int height = 1000;
  std::string screenshotPath;  // --screenshot out.png: PNG of the whole window once the layout settled
  bool exitAfter = false;      // --exit: quit after the steps (and the screenshot) are done
  int benchFrames = 0;     // --bench-frames N: play at full speed, print frame-time statistics after N frames
  bool benchDrag = false;  // --bench-drag: during --bench-frames, drag the first token (one move per frame)
  float uiScale = 0.f;     // --ui-scale S in [1, 3]; 0 = from the monitor's content scale
  ThemeKind theme = ThemeKind::Light;  // --theme light|dark
  bool themeGiven = false;             // --theme was on the command line
  std::string layoutJsonPath;  // --layout-json FILE (or $ATTNMD_LAYOUT_JSON): where key items were drawn
  bool help = false;           // --help / -h
  bool version = false;        // --version
  bool present = false;        // --present: start in presentation mode
  std::string lesson;          // --lesson NAME: start the guided lesson assets/lessons/NAME.md
  // --user-state: a scripted run (--screenshot, --exit, --bench-frames) normally ignores the user's
  // preferences and autosaves, so tests and figures look the same on every machine; with this flag it
  // reads and writes them like an interactive run (e.g. to show the recovery prompt).
  bool userState = false;
  std::string show;     // --show WHAT: open a menu or dialog for a screenshot: file-menu, export-menu, open,
                        // save-as, unsaved, help, animation
  std::string view;     // --view 2d|3d|geometry: for d >= 3, the view to open in ("" = the scene file's, else
                        // 3D); geometry: parameter space (geometry_view.h), any d it can draw
  std::string compare;  // --compare overlay|grid: how several runs share the canvas ("" = the file's)
  long long at = -1;    // --at K: after --steps, move the timeline to step K (-1: stay live)
  std::string exportBundleDir;  // --export-bundle DIR: after the steps, write an export bundle into DIR
  // --export-animation FILE (.gif, .mp4, else a folder of PNG frames) and the --animation-* options:
  // after the steps, the timeline as an animation (animation.path empty: none).
  AnimationOptions animation;
  bool scripted() const {
    return !screenshotPath.empty() || exitAfter || benchFrames > 0 || !animation.path.empty();
  }
};

struct ParsedOptions {
  AppOptions options;
  std::string error;  // non-empty: what was wrong with the command line
};

ParsedOptions parseAppOptions(int argc, const char* const* argv);

// The --help text.
std::string appUsage();

}  // namespace attnmd::gui
