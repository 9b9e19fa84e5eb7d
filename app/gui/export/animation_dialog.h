// The Export > Animation dialog: which steps, how many frames, how fast, which region and format.
// It only gathers options; AnimationExport (animation.h) makes the frames.
#pragma once

#include <optional>
#include <string>

#include "app/gui/export/animation.h"

namespace attnmd::gui {

enum class AnimationFormat { Gif, Mp4, PngFrames };

class AnimationDialog {
 public:
  bool open = false;
  // Draws the window while open. Returns the options (with a new file name in `folder`, from `stem`)
  // when Export is pressed; the dialog closes then.
  std::optional<AnimationOptions> draw(const std::string& folder, const std::string& stem,
                                       long long furthestStep, float scale);

 private:
  AnimationFormat format_ = AnimationFormat::Gif;
  long long from_ = 0;
  long long to_ = 0;
  bool toEnd_ = true;  // the last step follows the furthest trained step
  int frames_ = 60;
  float fps_ = 12;
  bool logSpaced_ = true;
  bool window_ = false;  // the whole window, not the canvas
};

// The file (or folder) an export of `format` writes in `folder`: a name that does not exist yet.
std::string animationPath(const std::string& folder, const std::string& stem, AnimationFormat format);

}  // namespace attnmd::gui
