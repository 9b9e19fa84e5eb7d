// The lesson window: the current step's title, text and task, whether its check holds (green when
// done), and Back / Next. The App owns the progress and opens each step's scene; this only draws it and
// says which button was pressed.
#pragma once

#include "app/state/lesson.h"

namespace attnmd::gui {

enum class LessonAction { None, Back, Next, Reopen, Close };

struct LessonPanel {
  // The window first appears at (x, y), `width` wide (over the plots, which scroll, rather than the
  // canvas the task is about); then the student may move and resize it.
  LessonAction draw(const LessonProgress& progress, float scale, float x, float y, float width);
};

}  // namespace attnmd::gui
