#include "app/gui/platform/offscreen.h"

#include <GL/gl.h>
#include <GL/glext.h>
#include <imgui_impl_opengl3.h>

#include <cmath>

namespace attnmd::gui {

Image renderOffscreen(ImDrawData* dd, float k, ImVec4 clear, std::string& error) {
  const ClearRegion all{ImVec2(0, 0), ImVec2(0, 0), clear};
  return renderOffscreen(dd, k, std::span<const ClearRegion>(&all, 1), error);
}

Image renderOffscreen(ImDrawData* dd, float k, std::span<const ClearRegion> regions, std::string& error) {
  error.clear();
  if (!dd || !dd->Valid) {
    error = "no frame to render";
    return {};
  }
  const int w = static_cast<int>(std::lround(dd->DisplaySize.x * k));
  const int h = static_cast<int>(std::lround(dd->DisplaySize.y * k));
  GLint maxSize = 0;
  glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &maxSize);
  if (w <= 0 || h <= 0 || w > maxSize || h > maxSize) {
    error = "cannot render " + std::to_string(w) + "x" + std::to_string(h) + " px offscreen (GL limit " +
            std::to_string(maxSize) + ")";
    return {};
  }
  GLint previousDraw = 0, previousRead = 0;
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previousDraw);
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previousRead);
  GLint previousViewport[4];
  glGetIntegerv(GL_VIEWPORT, previousViewport);

  GLuint fbo = 0, colour = 0;
  glGenFramebuffers(1, &fbo);
  glGenRenderbuffers(1, &colour);
  glBindRenderbuffer(GL_RENDERBUFFER, colour);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour);
  Image img;
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    error = "offscreen framebuffer incomplete";
  } else {
    glViewport(0, 0, w, h);
    for (const ClearRegion& r : regions) {
      const bool whole = r.max.x <= r.min.x || r.max.y <= r.min.y;
      if (!whole) {  // GL's origin is bottom-left, ImGui's top-left
        const int x0 = static_cast<int>(r.min.x * k), x1 = static_cast<int>(r.max.x * k);
        const int y0 = static_cast<int>(r.min.y * k), y1 = static_cast<int>(r.max.y * k);
        glEnable(GL_SCISSOR_TEST);
        glScissor(x0, h - y1, x1 - x0, y1 - y0);
      }
      glClearColor(r.colour.x, r.colour.y, r.colour.z, r.colour.w);
      glClear(GL_COLOR_BUFFER_BIT);
      if (!whole) glDisable(GL_SCISSOR_TEST);
    }
    // The backend derives the pixel size from these two; restore them so the caller's draw data is
    // unchanged (the same frame may also go to the window).
    const ImVec2 savedScale = dd->FramebufferScale;
    dd->FramebufferScale = ImVec2(k, k);
    ImGui_ImplOpenGL3_RenderDrawData(dd);
    dd->FramebufferScale = savedScale;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo);
    img = readFramebuffer(w, h);
  }
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(previousDraw));
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(previousRead));
  glViewport(previousViewport[0], previousViewport[1], previousViewport[2], previousViewport[3]);
  glDeleteRenderbuffers(1, &colour);
  glDeleteFramebuffers(1, &fbo);
  return img;
}

}  // namespace attnmd::gui
