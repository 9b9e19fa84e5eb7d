// The 3D view's renderer: draws a DepthLayer (canvas_scene.h) with OpenGL 3.3 core and a depth buffer
// into an offscreen framebuffer, whose colour texture the view shows with ImGui::Image; ImGui then
// draws the labels and panels over it. One quad per token (sphere impostor), per line (thick,
// anti-aliased, dashed), per ring or badge, one triangle per triangle of an arrow head or margin plane,
// shaded in the fragment shaders, so the CPU writes a record per item instead of tessellating markers.
// Not instanced: each item's record is repeated for its vertices and a batch is one plain draw, which
// Mesa's software rasterizer runs far faster than one instanced pass per item.
//
// Passes: tokens far to near (depth written per pixel by the impostor; above kDenseTokenCount tokens
// near to far as point sprites, opaque and hard-edged at each marker's front depth, so hidden ones are
// not shaded); lines, rings, arrow heads and badges (depth tested and written); then the translucent
// margin planes far to near, depth tested but not written, so a token behind a plane shows through it
// tinted and one in front is untouched.
//
// Shaders: shaders/{token,segment,ring,triangle}.{vert,frag}, compiled by create().
#pragma once

#include <imgui.h>

#include <memory>
#include <string>
#include <vector>

#include "app/gui/platform/image_io.h"
#include "app/gui/views/canvas_scene.h"

namespace attnmd::gui {

struct DepthRenderOptions {
  float pixelsPerPoint = 1.f;  // framebuffer pixels per canvas point (DPI scale x export factor)
  ImU32 background = IM_COL32(255, 255, 255, 255);
  float cueStrength = 0.35f;  // how far the farthest markers fade towards the background
};

struct DepthItems;  // gl_renderer.cpp: a layer's items as vertex records

class DepthRenderer {
 public:
  // Compiles and links the programs and creates the buffers; needs a current GL 3.3 core context.
  // Null with `error` naming the shader and its GLSL log when one fails.
  static std::unique_ptr<DepthRenderer> create(std::string& error);
  ~DepthRenderer();
  DepthRenderer(const DepthRenderer&) = delete;
  DepthRenderer& operator=(const DepthRenderer&) = delete;

  struct Target {
    unsigned texture = 0;  // the colour attachment: show it with uv (0,1)-(1,0) (GL's rows are bottom-up)
    int width = 0, height = 0;
    unsigned framebuffer = 0;
  };
  // Draws `layer` of the canvas rectangle min..max into a framebuffer of (max - min) x pixelsPerPoint
  // pixels. Each call within one ImGui frame (`frame`: ImGui::GetFrameCount()) gets its own target, so
  // the grid view's cells each keep their picture until ImGui renders; the next frame reuses them. The
  // caller's GL state (framebuffer, viewport, program, blending) is restored. A target with texture 0
  // when the framebuffer cannot be made (`error` says why).
  Target draw(const DepthLayer& layer, ImVec2 min, ImVec2 max, const DepthRenderOptions& options, int frame,
              std::string& error);
  // The pixels of a target drawn this frame, rows top to bottom (tests, screenshots of the view alone).
  Image read(const Target& target) const;

 private:
  DepthRenderer() = default;
  struct Program {
    unsigned id = 0;
    int canvasMin = -1, canvasSize = -1, depthRange = -1, pixelsPerPoint = -1;
    int cue = -1, cueStrength = -1, background = -1;
  };
  struct Batch {  // one program's instances: a vertex array with one instance buffer
    unsigned vao = 0, buffer = 0;
    std::size_t capacity = 0;  // bytes allocated in `buffer`
  };
  enum { kTokens, kSegments, kRings, kTriangles, kDenseTokens, kPrograms };
  Program programs_[kPrograms];
  Batch tokens_, segments_, rings_, solidTriangles_, planeTriangles_;
  std::vector<Target> targets_;
  std::vector<unsigned> depthBuffers_;  // one depth renderbuffer per target
  std::unique_ptr<DepthItems> items_;   // the last layer's vertex records, reused
  std::size_t targetsUsed_ = 0;
  int frame_ = -1;

  bool init(std::string& error);
  Target& targetFor(int width, int height, int frame, std::string& error);
  // The batch's buffer, grown to hold `bytes` and mapped for writing (null when it cannot be); unmap()
  // before drawing from it.
  static unsigned char* map(Batch& batch, std::size_t bytes);
  static void unmap();
};

// The renderer the 3D view draws with: set by Platform while it lives (the one GL context the app has);
// null without one (ImGui tests with a null backend), when the view falls back to depth-sorted shapes
// painted by ImGui.
DepthRenderer* currentDepthRenderer();
void setCurrentDepthRenderer(DepthRenderer* renderer);

}  // namespace attnmd::gui
