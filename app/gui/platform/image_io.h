// Reading the GL framebuffer and writing PNGs (stb_image_write). Used by --screenshot and the render
// tests; issue 6's exports reuse it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnmd::gui {

// An RGBA8 image, rows top to bottom.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;  // width * height * 4

  const std::uint8_t* pixel(int x, int y) const {
    return rgba.data() + (static_cast<std::size_t>(y) * width + x) * 4;
  }
};

// Reads the currently bound read framebuffer (GL_BACK of the default framebuffer after rendering,
// before swapping) into an image with rows top to bottom (GL's rows are bottom-up, so they are flipped).
Image readFramebuffer(int width, int height);

// Writes a PNG; returns "" or a message naming the file and the reason.
std::string writePng(const std::string& path, const Image& image);

// Reads a PNG into RGBA8 (for tests); returns "" or an error message.
std::string readPng(const std::string& path, Image& out);

}  // namespace attnmd::gui
