// Rendering a finished ImGui frame into an offscreen framebuffer at k times the window's pixel density,
// for PNG exports at 1x or 2x (issue 6 §4).
//
// Why this produces real 2x pixels, not an upscale: ImGui's draw data is in points; the OpenGL3 backend
// maps it to DisplaySize × FramebufferScale pixels (as on a Retina display). With FramebufferScale
// doubled every triangle (lines, markers, rays) is rasterized at twice the resolution. Text stays sharp
// only if the glyphs were rasterized at twice the size too: the caller renders that frame with the font
// atlas built at 2x and io.FontGlobalScale = 0.5 (same layout in points, twice the glyph pixels), see
// run_app.cpp. Needs a current GL 3.3 context and the ImGui OpenGL3 backend.
#pragma once

#include <imgui.h>

#include <span>
#include <string>

#include "app/gui/platform/image_io.h"
#include "app/gui/platform/platform.h"

namespace attnmd::gui {

// Renders `drawData` (after ImGui::Render()) into a new framebuffer of DisplaySize × pixelsPerPoint
// pixels, first clearing `regions` as Platform::endFrame does (the app's panels have no backgrounds of
// their own), and reads it back (rows top to bottom, opaque). The default framebuffer and the GL state
// are left as they were. On failure (no context, framebuffer incomplete, too large) returns an empty
// image and sets `error`.
Image renderOffscreen(ImDrawData* drawData, float pixelsPerPoint, std::span<const ClearRegion> regions,
                      std::string& error);
// The same on one clear colour.
Image renderOffscreen(ImDrawData* drawData, float pixelsPerPoint, ImVec4 clear, std::string& error);

}  // namespace attnmd::gui
