// A headless ImGui context for ui tests: no GL, a built font atlas, a fixed display size, and helpers
// that drive the mouse and keyboard the way the 1.86 GLFW backend does (io.MousePos / MouseDown /
// KeysDown indexed by GLFW key codes).
#pragma once

#include <imgui.h>

#include <functional>

namespace attnmd::gui::testing {

class ImGuiHarness {
 public:
  explicit ImGuiHarness(ImVec2 display = ImVec2(1600, 1000)) {
    ctx_ = ImGui::CreateContext();
    ImGui::SetCurrentContext(ctx_);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = display;
    io.DeltaTime = 1.f / 60.f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas; NewFrame() needs it
    io.MousePos = ImVec2(-1, -1);
    // As the app's OpenGL 3.3 backend (imgui_impl_opengl3.cpp): draw lists may pass 64k vertices.
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  }
  ~ImGuiHarness() { ImGui::DestroyContext(ctx_); }
  ImGuiHarness(const ImGuiHarness&) = delete;
  ImGuiHarness& operator=(const ImGuiHarness&) = delete;

  // One frame: NewFrame, the UI, Render. Input set before the call applies to this frame.
  void frame(const std::function<void()>& ui) {
    ImGui::NewFrame();
    ui();
    ImGui::Render();
    ImGui::GetIO().MouseWheel = 0;
  }

  void mouseTo(ImVec2 p) { ImGui::GetIO().MousePos = p; }
  void button(int b, bool down) { ImGui::GetIO().MouseDown[b] = down; }
  void key(int k, bool down) { ImGui::GetIO().KeysDown[k] = down; }
  void wheel(float w) { ImGui::GetIO().MouseWheel = w; }
  void ctrl(bool down) { ImGui::GetIO().KeyCtrl = down; }
  void shift(bool down) { ImGui::GetIO().KeyShift = down; }

  // A click: press in one frame, release in the next (then one idle frame).
  void click(int b, ImVec2 p, const std::function<void()>& ui) {
    mouseTo(p);
    frame(ui);
    button(b, true);
    frame(ui);
    button(b, false);
    frame(ui);
  }
  // A double-click: a second press 2 frames (33 ms) after the first click, well inside ImGui's
  // double-click time.
  void doubleClick(int b, ImVec2 p, const std::function<void()>& ui) {
    click(b, p, ui);
    button(b, true);
    frame(ui);
    button(b, false);
    frame(ui);
  }
  // A drag from a to b in `steps` frames with the button held.
  void drag(int b, ImVec2 a, ImVec2 to, int steps, const std::function<void()>& ui) {
    mouseTo(a);
    frame(ui);
    button(b, true);
    frame(ui);
    for (int k = 1; k <= steps; ++k) {
      const float f = static_cast<float>(k) / static_cast<float>(steps);
      mouseTo(ImVec2(a.x + (to.x - a.x) * f, a.y + (to.y - a.y) * f));
      frame(ui);
    }
    button(b, false);
    frame(ui);
  }
  // A key press: down for one frame, up the next.
  void tap(int k, const std::function<void()>& ui) {
    key(k, true);
    frame(ui);
    key(k, false);
    frame(ui);
  }

 private:
  ImGuiContext* ctx_ = nullptr;
};

// The middle of a widget's rectangle, where a test clicks it.
inline ImVec2 centre(ImVec2 a, ImVec2 b) {
  return ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f);
}

}  // namespace attnmd::gui::testing
