// The app's main loop: window, fonts, frames, idling, --steps/--screenshot/--exit and --bench-frames.
#pragma once

#include <string>
#include <vector>

#include "app/gui/app.h"
#include "app/gui/options.h"

namespace attnmd::gui {

// Runs the app; returns the process exit code (0 ok, 1 no display, 2 bad scene file or flags,
// 3 screenshot could not be written).
int runApp(const AppOptions& options);

// Frame-time statistics of --bench-frames.
struct FrameStats {
  double meanMs = 0, medianMs = 0, p95Ms = 0, maxMs = 0, fps = 0;
  int frames = 0;
};
FrameStats frameStats(std::vector<double> frameMs);
std::string formatFrameStats(const FrameStats& stats);

// Writes where key items were drawn (canvas transform, markers and rings, rays) as JSON, for the e2e
// test that probes the screenshot. Returns "" or an error message.
std::string writeLayoutJson(const std::string& path, const App& app, int framebufferWidth,
                            int framebufferHeight);

}  // namespace attnmd::gui
