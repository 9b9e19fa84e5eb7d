#include "app/gui/platform/image_io.h"

#include <GL/gl.h>
#include <GL/glext.h>

#include <cerrno>
#include <cstring>

// The one place the stb implementations are compiled.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace attnmd::gui {

Image readFramebuffer(int width, int height) {
  Image img;
  img.width = width;
  img.height = height;
  img.rgba.resize(static_cast<std::size_t>(width) * height * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  const std::size_t row = static_cast<std::size_t>(width) * 4;
  std::vector<std::uint8_t> tmp(row);
  for (int y = 0; y < height / 2; ++y) {
    std::uint8_t* a = img.rgba.data() + static_cast<std::size_t>(y) * row;
    std::uint8_t* b = img.rgba.data() + static_cast<std::size_t>(height - 1 - y) * row;
    std::memcpy(tmp.data(), a, row);
    std::memcpy(a, b, row);
    std::memcpy(b, tmp.data(), row);
  }
  // The default framebuffer may carry a meaningless alpha; a screenshot is opaque.
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
  return img;
}

std::string writePng(const std::string& path, const Image& image) {
  if (image.width <= 0 || image.height <= 0) return path + ": empty image";
  errno = 0;
  if (!stbi_write_png(path.c_str(), image.width, image.height, 4, image.rgba.data(), image.width * 4))
    return path + ": cannot write PNG" +
           (errno ? std::string(" (") + std::strerror(errno) + ")" : std::string());
  return {};
}

std::string readPng(const std::string& path, Image& out) {
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 4);
  if (!data)
    return path + ": cannot read PNG (" + (stbi_failure_reason() ? stbi_failure_reason() : "?") + ")";
  out.width = w;
  out.height = h;
  out.rgba.assign(data, data + static_cast<std::size_t>(w) * h * 4);
  stbi_image_free(data);
  return {};
}

}  // namespace attnmd::gui
