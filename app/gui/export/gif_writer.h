// Animated GIF files (issue 15 item 9), through giflib (Debian's libgif-dev).
//
// giflib writes the file format and its LZW codes; what it leaves to the caller is the palette. A GIF
// frame has at most 256 colours, and a frame of the app is flat panel colours, token colours and their
// anti-aliased edges: quantizePalette() keeps the exact colours when there are at most 256, else the
// 256 most frequent colours at 5 bits per channel (averaged), and maps every pixel to its nearest
// palette entry. No dithering: it would turn flat backgrounds into noise and grow the file.
//
// Frames after the first store only the rectangle that changed since the previous one (the rest of
// the picture stays on screen), which keeps a 60-frame canvas animation to a few hundred KB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/gui/platform/image_io.h"

struct GifFileType;  // giflib's

namespace attnmd::gui {

// An image as palette indices: at most 256 RGB entries and one index per pixel, rows top to bottom.
struct PalettedImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> palette;  // r, g, b per entry
  std::vector<std::uint8_t> indices;  // width * height
  int colours() const { return static_cast<int>(palette.size() / 3); }
};

// The pixels of `image` inside [x, x + w) × [y, y + h) as palette indices (alpha is ignored).
PalettedImage quantizePalette(const Image& image, int x, int y, int w, int h);
inline PalettedImage quantizePalette(const Image& image) {
  return quantizePalette(image, 0, 0, image.width, image.height);
}

class GifWriter {
 public:
  GifWriter() = default;
  ~GifWriter();  // an unfinished file is removed
  GifWriter(const GifWriter&) = delete;
  GifWriter& operator=(const GifWriter&) = delete;

  // Starts `path` (written to a temporary name beside it; finish() renames it into place) for frames
  // of width × height pixels that loop forever. "" or why not.
  std::string open(const std::string& path, int width, int height);
  // Appends a frame shown for `seconds` (GIF counts in hundredths: at least 0.02 s, which every viewer
  // honours). The image must have the size given to open(). "" or why not.
  std::string add(const Image& frame, double seconds);
  // Closes the file and moves it into place. "" or why not (then nothing is left behind).
  std::string finish();
  // Drops the file being written.
  void abort();
  int frames() const { return frames_; }

 private:
  GifFileType* gif_ = nullptr;  // the file being written
  std::string path_, tmp_;
  int width_ = 0, height_ = 0, frames_ = 0;
  Image previous_;
};

// A decoded GIF (tests and the e2e check of --export-animation): each frame composed over the previous
// one, as a viewer shows it, and its delay in hundredths of a second.
struct DecodedGif {
  int width = 0, height = 0;
  std::vector<Image> frames;
  std::vector<int> delaysCs;
  bool loops = false;  // has the NETSCAPE2.0 loop extension
};
std::string readGif(const std::string& path, DecodedGif& out);

}  // namespace attnmd::gui
