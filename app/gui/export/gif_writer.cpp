#include "app/gui/export/gif_writer.h"

#include <gif_lib.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <system_error>
#include <unordered_map>

namespace attnmd::gui {
namespace {

namespace fs = std::filesystem;

std::uint32_t rgbKey(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
}
int bin555(const std::uint8_t* p) {
  return ((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3);
}

std::string gifError(const std::string& path, int code) {
  const char* why = GifErrorString(code);
  return path + ": " + (why ? why : "GIF error " + std::to_string(code));
}

// A colour map of a power-of-two size (GIF's rule), padded with black.
ColorMapObject* makeColourMap(const std::vector<std::uint8_t>& palette) {
  const int colours = static_cast<int>(palette.size() / 3);
  int size = 2;
  while (size < colours) size *= 2;
  std::vector<GifColorType> entries(static_cast<std::size_t>(size), GifColorType{0, 0, 0});
  for (int i = 0; i < colours; ++i)
    entries[static_cast<std::size_t>(i)] = {palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]};
  return GifMakeMapObject(size, entries.data());
}

}  // namespace

PalettedImage quantizePalette(const Image& image, int x0, int y0, int w, int h) {
  PalettedImage out;
  out.width = std::max(0, w);
  out.height = std::max(0, h);
  out.indices.resize(static_cast<std::size_t>(out.width) * out.height);
  if (out.indices.empty()) return out;

  // At most 256 distinct colours (flat UI, no anti-aliasing in view): exact.
  std::unordered_map<std::uint32_t, std::uint8_t> exact;
  exact.reserve(512);
  bool fits = true;
  for (int y = 0; y < h && fits; ++y)
    for (int x = 0; x < w; ++x) {
      const std::uint32_t key = rgbKey(image.pixel(x0 + x, y0 + y));
      if (exact.count(key)) continue;
      if (exact.size() == 256) {
        fits = false;
        break;
      }
      exact.emplace(key, static_cast<std::uint8_t>(exact.size()));
    }
  if (fits) {
    out.palette.resize(exact.size() * 3);
    for (const auto& [key, i] : exact) {
      out.palette[3 * i] = static_cast<std::uint8_t>(key >> 16);
      out.palette[3 * i + 1] = static_cast<std::uint8_t>(key >> 8);
      out.palette[3 * i + 2] = static_cast<std::uint8_t>(key);
    }
    std::size_t k = 0;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) out.indices[k++] = exact.at(rgbKey(image.pixel(x0 + x, y0 + y)));
    return out;
  }

  // Popularity: the 256 fullest bins of a 5-5-5 histogram, each the mean of its pixels.
  constexpr int kBins = 1 << 15;
  std::vector<std::uint32_t> count(kBins, 0);
  std::vector<std::array<std::uint64_t, 3>> sum(kBins, {0, 0, 0});
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const std::uint8_t* p = image.pixel(x0 + x, y0 + y);
      const int b = bin555(p);
      ++count[b];
      for (int c = 0; c < 3; ++c) sum[b][c] += p[c];
    }
  std::vector<int> used;
  for (int b = 0; b < kBins; ++b)
    if (count[b]) used.push_back(b);
  const std::size_t keep = std::min<std::size_t>(256, used.size());
  std::partial_sort(used.begin(), used.begin() + static_cast<std::ptrdiff_t>(keep), used.end(),
                    [&](int a, int b) { return count[a] != count[b] ? count[a] > count[b] : a < b; });
  auto mean = [&](int b, int c) { return static_cast<int>((sum[b][c] + count[b] / 2) / count[b]); };
  out.palette.resize(keep * 3);
  for (std::size_t i = 0; i < keep; ++i)
    for (int c = 0; c < 3; ++c) out.palette[3 * i + c] = static_cast<std::uint8_t>(mean(used[i], c));
  // Every bin in use maps to the palette entry nearest its mean colour.
  std::vector<std::uint8_t> nearest(kBins, 0);
  for (int b : used) {
    int best = 0, bestD = 1 << 30;
    for (std::size_t i = 0; i < keep && bestD > 0; ++i) {
      int d = 0;
      for (int c = 0; c < 3; ++c) {
        const int e = mean(b, c) - out.palette[3 * i + c];
        d += e * e;
      }
      if (d < bestD) bestD = d, best = static_cast<int>(i);
    }
    nearest[b] = static_cast<std::uint8_t>(best);
  }
  std::size_t k = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) out.indices[k++] = nearest[bin555(image.pixel(x0 + x, y0 + y))];
  return out;
}

GifWriter::~GifWriter() {
  abort();
}

std::string GifWriter::open(const std::string& path, int width, int height) {
  abort();
  if (width <= 0 || height <= 0 || width > 65535 || height > 65535)
    return path + ": a GIF frame must be 1 to 65535 pixels wide and high, not " + std::to_string(width) +
           "x" + std::to_string(height);
  path_ = path;
  tmp_ = path + ".part";
  int code = 0;
  GifFileType* f = EGifOpenFileName(tmp_.c_str(), false, &code);
  if (!f) return gifError(path, code);
  gif_ = f;
  width_ = width;
  height_ = height;
  frames_ = 0;
  previous_ = Image{};
  EGifSetGifVersion(f, true);  // GIF89a: delays and the loop extension
  if (EGifPutScreenDesc(f, width, height, 8, 0, nullptr) == GIF_ERROR) {
    const std::string e = gifError(path, f->Error);
    abort();
    return e;
  }
  // Loop forever (the NETSCAPE2.0 application extension: sub-block 1, loop count 0).
  const unsigned char loop[3] = {1, 0, 0};
  if (EGifPutExtensionLeader(f, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(f, 11, "NETSCAPE2.0") == GIF_ERROR ||
      EGifPutExtensionBlock(f, 3, loop) == GIF_ERROR || EGifPutExtensionTrailer(f) == GIF_ERROR) {
    const std::string e = gifError(path, f->Error);
    abort();
    return e;
  }
  return {};
}

std::string GifWriter::add(const Image& frame, double seconds) {
  if (!gif_) return "no GIF file is open";
  if (frame.width != width_ || frame.height != height_)
    return path_ + ": frame of " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
           " in an animation of " + std::to_string(width_) + "x" + std::to_string(height_);
  GifFileType* f = gif_;
  // The rectangle that changed since the previous frame (all of the first).
  int x0 = 0, y0 = 0, x1 = width_, y1 = height_;
  if (frames_ > 0) {
    x0 = width_, y0 = height_, x1 = 0, y1 = 0;
    for (int y = 0; y < height_; ++y)
      for (int x = 0; x < width_; ++x)
        if (std::memcmp(frame.pixel(x, y), previous_.pixel(x, y), 3) != 0) {
          x0 = std::min(x0, x), x1 = std::max(x1, x + 1);
          y0 = std::min(y0, y), y1 = std::max(y1, y + 1);
        }
    if (x1 <= x0) x0 = 0, y0 = 0, x1 = 1, y1 = 1;  // nothing changed: one pixel carries the delay
  }
  GraphicsControlBlock gcb{};
  gcb.DisposalMode = DISPOSE_DO_NOT;  // the next frame draws over this one
  gcb.UserInputFlag = false;
  gcb.DelayTime = std::max(2, static_cast<int>(std::lround(seconds * 100.0)));
  gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType ext[4];
  EGifGCBToExtension(&gcb, ext);
  const PalettedImage p = quantizePalette(frame, x0, y0, x1 - x0, y1 - y0);
  ColorMapObject* map = makeColourMap(p.palette);
  bool ok = map && EGifPutExtension(f, GRAPHICS_EXT_FUNC_CODE, 4, ext) != GIF_ERROR &&
            EGifPutImageDesc(f, x0, y0, p.width, p.height, false, map) != GIF_ERROR;
  GifFreeMapObject(map);
  std::vector<GifPixelType> row(static_cast<std::size_t>(p.width));
  for (int y = 0; ok && y < p.height; ++y) {
    std::copy_n(p.indices.begin() + static_cast<std::ptrdiff_t>(y) * p.width, p.width, row.begin());
    ok = EGifPutLine(f, row.data(), p.width) != GIF_ERROR;
  }
  if (!ok) {
    const std::string e = map ? gifError(path_, f->Error) : path_ + ": out of memory for a colour map";
    abort();
    return e;
  }
  previous_ = frame;
  ++frames_;
  return {};
}

std::string GifWriter::finish() {
  if (!gif_) return "no GIF file is open";
  int code = 0;
  const bool closed = EGifCloseFile(gif_, &code) != GIF_ERROR;
  gif_ = nullptr;
  std::error_code ec;
  if (!closed) {
    fs::remove(tmp_, ec);
    return gifError(path_, code);
  }
  // giflib creates its file readable by the owner only; an export is a document like the others.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(tmp_.c_str(), 0666 & ~mask);
  fs::rename(tmp_, path_, ec);
  if (ec) {
    fs::remove(tmp_, ec);
    return path_ + ": " + ec.message();
  }
  return {};
}

void GifWriter::abort() {
  if (!gif_) return;
  int code = 0;
  EGifCloseFile(gif_, &code);
  gif_ = nullptr;
  std::error_code ec;
  fs::remove(tmp_, ec);
}

std::string readGif(const std::string& path, DecodedGif& out) {
  out = DecodedGif{};
  int code = 0;
  GifFileType* f = DGifOpenFileName(path.c_str(), &code);
  if (!f) return gifError(path, code);
  if (DGifSlurp(f) == GIF_ERROR) {
    const std::string e = gifError(path, f->Error);
    DGifCloseFile(f, &code);
    return e;
  }
  out.width = f->SWidth;
  out.height = f->SHeight;
  Image canvas;
  canvas.width = out.width;
  canvas.height = out.height;
  canvas.rgba.assign(static_cast<std::size_t>(out.width) * out.height * 4, 255);
  auto isLoop = [](const ExtensionBlock& b) {
    return b.Function == APPLICATION_EXT_FUNC_CODE && b.ByteCount == 11 &&
           std::memcmp(b.Bytes, "NETSCAPE2.0", 11) == 0;
  };
  for (int e = 0; e < f->ExtensionBlockCount; ++e) out.loops = out.loops || isLoop(f->ExtensionBlocks[e]);
  for (int i = 0; i < f->ImageCount; ++i) {
    const SavedImage& s = f->SavedImages[i];
    for (int e = 0; e < s.ExtensionBlockCount; ++e) out.loops = out.loops || isLoop(s.ExtensionBlocks[e]);
    GraphicsControlBlock gcb{};
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    DGifSavedExtensionToGCB(f, i, &gcb);
    const ColorMapObject* map = s.ImageDesc.ColorMap ? s.ImageDesc.ColorMap : f->SColorMap;
    if (!map) {
      DGifCloseFile(f, &code);
      return path + ": frame " + std::to_string(i) + " has no colour map";
    }
    const GifImageDesc& d = s.ImageDesc;
    for (int y = 0; y < d.Height; ++y)
      for (int x = 0; x < d.Width; ++x) {
        const int cx = d.Left + x, cy = d.Top + y;
        if (cx < 0 || cy < 0 || cx >= out.width || cy >= out.height) continue;
        const int idx = s.RasterBits[static_cast<std::size_t>(y) * d.Width + x];
        if (idx == gcb.TransparentColor || idx >= map->ColorCount) continue;
        std::uint8_t* p = canvas.rgba.data() + (static_cast<std::size_t>(cy) * out.width + cx) * 4;
        p[0] = map->Colors[idx].Red, p[1] = map->Colors[idx].Green, p[2] = map->Colors[idx].Blue, p[3] = 255;
      }
    out.frames.push_back(canvas);
    out.delaysCs.push_back(gcb.DelayTime);
  }
  DGifCloseFile(f, &code);
  return {};
}

}  // namespace attnmd::gui
