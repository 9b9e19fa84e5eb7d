#include "app/gui/platform/platform.h"

#include <GL/gl.h>
#include <GL/glext.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "app/gui/render/gl_renderer.h"

#include <cfloat>
#include <cstdlib>
#include <string>
#include <utility>

namespace attnmd::gui {
namespace {

// GLFW reports errors through a callback with no user pointer; keep the last one to explain a failed
// start. Process-global like GLFW itself.
std::string gLastGlfwError;

void onGlfwError(int code, const char* description) {
  gLastGlfwError =
      std::string(description ? description : "unknown error") + " (GLFW error " + std::to_string(code) + ")";
}

}  // namespace

std::string noDisplayMessage(const std::string& glfwError) {
  std::string m = "attnmd: cannot open a window";
  if (!glfwError.empty()) m += ": " + glfwError;
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland))
    m += "\n  (no display: neither DISPLAY nor WAYLAND_DISPLAY is set)";
  m += "\nTo get a screenshot without a display, run it under a virtual X server:\n"
       "  xvfb-run -a -s \"-screen 0 1600x1000x24\" attnmd --screenshot out.png --exit\n"
       "(xvfb-run comes with the Debian packages xvfb and xauth.)";
  return m;
}

std::string noGlMessage(const std::string& why) {
  std::string m = "attnmd: cannot draw: ";
  m += why;
  m += "\nattnmd needs OpenGL 3.3 (core profile). Without a GPU driver that offers it, Mesa's software "
       "renderer does (Debian package libgl1-mesa-dri); LIBGL_ALWAYS_SOFTWARE=1 selects it.";
  return m;
}

std::unique_ptr<Platform> Platform::create(const PlatformOptions& options, std::string& error) {
  glfwSetErrorCallback(onGlfwError);
  gLastGlfwError.clear();
  if (!glfwInit()) {
    error = noDisplayMessage(gLastGlfwError);
    return nullptr;
  }
  std::unique_ptr<Platform> p(new Platform());
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, options.visible ? GLFW_TRUE : GLFW_FALSE);
  glfwWindowHint(GLFW_SAMPLES, 0);
  p->window_ = glfwCreateWindow(options.width, options.height, options.title, nullptr, nullptr);
  if (!p->window_) {
    // glfwInit worked, so there is a display: what failed is the context (GLFW says which way).
    error = noGlMessage("no OpenGL 3.3 core context (" +
                        (gLastGlfwError.empty() ? std::string("GLFW gave no reason") : gLastGlfwError) + ")");
    return nullptr;  // ~Platform terminates GLFW
  }
  glfwMakeContextCurrent(p->window_);
  // Our callbacks find the Platform through the window (the ImGui backend does not use this pointer,
  // and it installs no close or drop callback of its own).
  glfwSetWindowUserPointer(p->window_, p.get());
  glfwSetWindowCloseCallback(p->window_, &Platform::onClose);
  glfwSetDropCallback(p->window_, &Platform::onDrop);
  glfwSwapInterval(options.vsync ? 1 : 0);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  p->imguiCreated_ = true;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is computed every frame; nothing to remember
  // No keyboard navigation: Space, S, R and F are the app's shortcuts, not "activate focused widget".
  p->glfwBackend_ = ImGui_ImplGlfw_InitForOpenGL(p->window_, true);
  p->glBackend_ = ImGui_ImplOpenGL3_Init("#version 330 core");
  if (!p->glfwBackend_ || !p->glBackend_) {
    error = "attnmd: the ImGui GLFW/OpenGL3 backends failed to start (" + p->glInfo() + ")";
    return nullptr;
  }
  // The 3D view's shaders are built now, not on first use: a broken one stops the app here with its
  // name and log, instead of a view that stays black.
  std::string shaderError;
  p->depthRenderer_ = DepthRenderer::create(shaderError);
  if (!p->depthRenderer_) {
    error = noGlMessage(shaderError + " (" + p->glInfo() + ")");
    return nullptr;
  }
  setCurrentDepthRenderer(p->depthRenderer_.get());
  return p;
}

Platform::~Platform() {
  // GL objects go while the context is still there.
  if (depthRenderer_ && currentDepthRenderer() == depthRenderer_.get()) setCurrentDepthRenderer(nullptr);
  depthRenderer_.reset();
  if (glBackend_) ImGui_ImplOpenGL3_Shutdown();
  if (glfwBackend_) ImGui_ImplGlfw_Shutdown();
  if (imguiCreated_) ImGui::DestroyContext();
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Platform::shouldClose() const {
  return glfwWindowShouldClose(window_);
}
void Platform::requestClose() {
  glfwSetWindowShouldClose(window_, GLFW_TRUE);
}

void Platform::onClose(GLFWwindow* window) {
  // Unsaved changes are asked about first: keep the window open until the app says so.
  glfwSetWindowShouldClose(window, GLFW_FALSE);
  if (auto* p = static_cast<Platform*>(glfwGetWindowUserPointer(window))) p->closeRequested_ = true;
}

void Platform::onDrop(GLFWwindow* window, int count, const char** paths) {
  auto* p = static_cast<Platform*>(glfwGetWindowUserPointer(window));
  if (!p) return;
  for (int i = 0; i < count; ++i)
    if (paths[i]) p->dropped_.emplace_back(paths[i]);
}

bool Platform::takeCloseRequest() {
  return std::exchange(closeRequested_, false);
}

std::vector<std::string> Platform::takeDroppedPaths() {
  return std::exchange(dropped_, {});
}

void Platform::setTitle(const std::string& title) {
  glfwSetWindowTitle(window_, title.c_str());
}

void Platform::setFullscreen(bool on) {
  const bool now = glfwGetWindowMonitor(window_) != nullptr;
  if (on == now) return;
  if (on) {
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    if (!mode) return;  // no monitor to fill (some virtual displays): stay windowed
    glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
    glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
    glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else {
    glfwSetWindowMonitor(window_, nullptr, windowed_[0], windowed_[1], windowed_[2], windowed_[3],
                         GLFW_DONT_CARE);
  }
}

void Platform::processEvents(double timeoutSeconds) {
  if (timeoutSeconds > 0)
    glfwWaitEventsTimeout(timeoutSeconds);
  else
    glfwPollEvents();
}

void Platform::beginFrame(bool ignoreMouse) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (ignoreMouse) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
}

void Platform::endFrame(ImVec4 clear, Image* capture) {
  const ClearRegion all{ImVec2(0, 0), ImVec2(0, 0), clear};
  endFrame(std::span<const ClearRegion>(&all, 1), capture);
}

void Platform::endFrame(std::span<const ClearRegion> regions, Image* capture) {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
  for (const ClearRegion& r : regions) {
    const bool whole = r.max.x <= r.min.x || r.max.y <= r.min.y;
    if (!whole) {
      // GL's window origin is bottom-left; ImGui's is top-left.
      const int x0 = static_cast<int>(r.min.x * scale.x), x1 = static_cast<int>(r.max.x * scale.x);
      const int y0 = static_cast<int>(r.min.y * scale.y), y1 = static_cast<int>(r.max.y * scale.y);
      glEnable(GL_SCISSOR_TEST);
      glScissor(x0, h - y1, x1 - x0, y1 - y0);
    }
    glClearColor(r.colour.x, r.colour.y, r.colour.z, r.colour.w);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!whole) glDisable(GL_SCISSOR_TEST);
  }
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (capture) {
    glReadBuffer(GL_BACK);
    *capture = readFramebuffer(w, h);
  }
  glfwSwapBuffers(window_);
}

void Platform::reloadFontTexture() {
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

float Platform::contentScale() const {
  float x = 1.f, y = 1.f;
  glfwGetWindowContentScale(window_, &x, &y);
  return x > 0 ? x : 1.f;
}

void Platform::framebufferSize(int& w, int& h) const {
  glfwGetFramebufferSize(window_, &w, &h);
}

std::string Platform::glInfo() const {
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const auto* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  return std::string(renderer ? renderer : "?") + " / " + (version ? version : "?");
}

}  // namespace attnmd::gui
