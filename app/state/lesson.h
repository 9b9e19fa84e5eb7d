// Guided lessons: a Markdown file in assets/lessons/ whose steps each open a scene (or keep the current
// one), explain what it shows, set a task, and check the app's state to turn the step green.
//
// File format (the JSON block is an HTML comment, so the file reads well on its own):
//
//   <!-- lesson
//   {"title": "Attention selects tokens",
//    "steps": [{"scene": "assets/scenes/default.json", "check": "step >= 300 and sparsity < 0.01"},
//              {"check": "selected[2] == 1"}]}
//   -->
//   # Attention selects tokens          (optional introduction up to the first "## ")
//   ## Tokens and attention             (one "## " section per step, in order: its title and text;
//   ...                                  a line starting "**Task:**" is the step's task)
//
// A check is comparisons joined by "and": `NAME OP NUMBER` with OP one of == != < <= > >=, or a bare
// flag NAME (true when not 0). Names: step, loss, corr, corr_optimal, sparsity (max_i 1 - s of the
// selected token), margin, accuracy, runs (how many), runs_disagree (flag: the runs select different
// tokens somewhere), selected_is_optimal (flag), selected[i] and optimal[i] (token index in sequence
// i; -1 while tied), tokens[i] (how many tokens sequence i has).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace attnmd::gui {

// What a check reads, assembled by the app from the selected run (as shown on the timeline).
struct LessonFacts {
  long long step = 0;
  double loss = 0, corr = 0, corrOptimal = 0, sparsity = 1, margin = 0, accuracy = 0;
  std::vector<int> selected, optimal, tokens;
  int runs = 1;
  bool runsDisagree = false;
};

struct LessonCheck {
  struct Comparison {
    std::string name;  // "step", "selected", ...
    int index = -1;    // selected[i], optimal[i], tokens[i]
    std::string op;    // "==", "!=", "<", "<=", ">", ">="
    double value = 0;
  };
  std::vector<Comparison> all;  // every one must hold
  std::string text;             // as written
};

// Parses a check; on error says where and what was expected.
std::variant<LessonCheck, std::string> parseLessonCheck(std::string_view text);
bool lessonCheckHolds(const LessonCheck& check, const LessonFacts& facts);

struct LessonStep {
  std::string title;
  std::string text;                  // Markdown, without the title line and the task
  std::string task;                  // the "**Task:**" line's text ("" when none)
  std::string scene;                 // asset path to open on entering the step ("" keeps the current scene)
  std::optional<LessonCheck> check;  // none: the step is done by reading it
};

struct Lesson {
  std::string name;  // file stem ("01-attention-selects")
  std::string title;
  std::string introduction;
  std::vector<LessonStep> steps;
};

// Parses a lesson file; on error the message names the source and the problem.
std::variant<Lesson, std::string> parseLesson(std::string_view text, std::string_view name);

// The lessons that ship with attnmd (assets/lessons/*.md with a lesson block), sorted by file name;
// files that fail to parse are left out (the unit tests parse every one).
std::vector<Lesson> bundledLessons();
// One of them by name (file stem), or the parser's message / "no lesson NAME (the lessons: ...)".
std::variant<Lesson, std::string> bundledLesson(std::string_view name);

// A lesson being followed: the step shown and the steps done (a step stays done once its check held).
struct LessonProgress {
  Lesson lesson;
  int step = 0;
  std::vector<bool> done;

  explicit LessonProgress(Lesson l) : lesson(std::move(l)), done(lesson.steps.size(), false) {}
  const LessonStep& current() const { return lesson.steps[static_cast<std::size_t>(step)]; }
  bool currentDone() const { return done[static_cast<std::size_t>(step)]; }
  bool last() const { return step + 1 >= static_cast<int>(lesson.steps.size()); }
  // Marks the current step done when its check holds (or it has none); true when it just turned done.
  bool update(const LessonFacts& facts);
};

}  // namespace attnmd::gui
