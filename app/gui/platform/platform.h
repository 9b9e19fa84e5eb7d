// The window, the GL 3.3 core context and the ImGui backends (GLFW + OpenGL3). The app's UI code never
// touches GLFW or GL directly, so the same UI runs in tests with a null backend.
#pragma once

#include <imgui.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "app/gui/platform/image_io.h"

struct GLFWwindow;

namespace attnmd::gui {

class DepthRenderer;

// A rectangle of the window (ImGui coordinates) cleared to a colour before ImGui draws.
struct ClearRegion {
  ImVec2 min{0, 0};
  ImVec2 max{0, 0};  // max <= min: the whole window
  ImVec4 colour{0, 0, 0, 1};
};

struct PlatformOptions {
  int width = 1600;  // window size in screen coordinates
  int height = 1000;
  const char* title = "attnmd";
  bool visible = true;  // false: a hidden window (render tests)
  bool vsync = true;    // false for --bench-frames so frame times measure our work, not the monitor
};

class Platform {
 public:
  // Opens the window and creates the ImGui context + backends and the 3D view's renderer
  // (app/gui/render/gl_renderer.h, made current while the Platform lives). Returns null with `error`
  // set when GLFW cannot start (no display), the GL 3.3 core context cannot be created, or a shader of
  // shaders/ fails to compile or link (the message names it and quotes the GLSL log).
  static std::unique_ptr<Platform> create(const PlatformOptions& options, std::string& error);
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  bool shouldClose() const;
  void requestClose();
  // The window's close button does not close it: it raises closeRequested() (once per click) and the
  // app decides (asking about unsaved changes first). requestClose() still closes.
  bool takeCloseRequest();
  // Paths of files dropped onto the window since the last call (glfwSetDropCallback).
  std::vector<std::string> takeDroppedPaths();
  void setTitle(const std::string& title);
  // Full screen on the primary monitor, or back to the window's former position and size.
  void setFullscreen(bool on);
  // Processes events; waits up to `timeoutSeconds` for one when > 0 (idle when nothing moves).
  void processEvents(double timeoutSeconds);
  // `ignoreMouse`: the frame sees no mouse (scripted screenshots: no hover highlight or tooltip from
  // wherever the virtual pointer happens to rest).
  void beginFrame(bool ignoreMouse = false);
  // Renders ImGui's draw data on `clear`; when `capture` is non-null, reads the finished frame into it
  // (before the swap, while the back buffer is still valid); then swaps.
  void endFrame(ImVec4 clear, Image* capture = nullptr);
  // The same, clearing each region with its colour first (in order, the first usually the whole
  // window). Large flat backgrounds cleared here cost a memset instead of a blended fill, which is
  // most of a frame's cost with a software renderer (llvmpipe).
  void endFrame(std::span<const ClearRegion> regions, Image* capture = nullptr);
  // Re-uploads the font atlas after buildFonts() (between frames).
  void reloadFontTexture();
  float contentScale() const;  // the monitor's DPI scale (1 on ordinary screens)
  void framebufferSize(int& w, int& h) const;
  GLFWwindow* window() const { return window_; }
  std::string glInfo() const;  // "renderer / version", for the log

 private:
  Platform() = default;
  GLFWwindow* window_ = nullptr;
  bool imguiCreated_ = false;
  bool glfwBackend_ = false;
  bool glBackend_ = false;
  bool closeRequested_ = false;
  int windowed_[4] = {0, 0, 1600, 1000};  // x, y, width, height before going full screen
  std::vector<std::string> dropped_;
  std::unique_ptr<DepthRenderer> depthRenderer_;

  static void onClose(GLFWwindow* window);
  static void onDrop(GLFWwindow* window, int count, const char** paths);
};

// The message printed when there is no display.
std::string noDisplayMessage(const std::string& glfwError);
// The message printed when there is a display but no OpenGL 3.3 core context, or when the 3D view's
// shaders cannot be built (`why`: GLFW's error or the shader's name and GLSL log).
std::string noGlMessage(const std::string& why);

}  // namespace attnmd::gui
