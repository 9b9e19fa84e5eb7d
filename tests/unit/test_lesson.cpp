// Lessons as files: the format, the checks, and every lesson that ships.
#include <gtest/gtest.h>

#include <string>

#include "app/common/assets.h"
#include "app/state/document_io.h"
#include "app/state/lesson.h"

namespace attnmd::gui {
namespace {

LessonCheck checkOf(const char* text) {
  auto c = parseLessonCheck(text);
  EXPECT_TRUE(std::holds_alternative<LessonCheck>(c)) << text << ": " << std::get<std::string>(c);
  return std::get<LessonCheck>(c);
}

std::string checkError(const char* text) {
  auto c = parseLessonCheck(text);
  return std::holds_alternative<std::string>(c) ? std::get<std::string>(c) : std::string();
}

TEST(Lesson, ChecksCompareNamesIndexesAndFlags) {
  LessonFacts f;
  f.step = 250;
  f.corr = 0.9995;
  f.sparsity = 1e-30;
  f.selected = {0, 2, 1};
  f.optimal = {0, 2, 0};
  f.tokens = {3, 3, 4};
  f.runs = 3;
  f.runsDisagree = true;
  EXPECT_TRUE(lessonCheckHolds(checkOf("step >= 200 and corr > 0.999"), f));
  EXPECT_FALSE(lessonCheckHolds(checkOf("step >= 300 and corr > 0.999"), f));
  EXPECT_TRUE(lessonCheckHolds(checkOf("selected[2] == 1 and optimal[2] != 1"), f));
  EXPECT_TRUE(lessonCheckHolds(checkOf("runs_disagree and runs == 3"), f));
  EXPECT_TRUE(lessonCheckHolds(checkOf("sparsity < 1e-20 and tokens[2] == 4"), f));
  EXPECT_FALSE(lessonCheckHolds(checkOf("selected_is_optimal"), f));  // sequence 2 selects token 1
  EXPECT_TRUE(lessonCheckHolds(checkOf("selected_is_optimal == 0"), f));
  f.selected = {0, 2, 0};
  EXPECT_TRUE(lessonCheckHolds(checkOf("selected_is_optimal"), f));
  f.selected = {0, -1, 0};  // a tie selects nothing: never optimal
  EXPECT_FALSE(lessonCheckHolds(checkOf("selected_is_optimal"), f));
  EXPECT_FALSE(lessonCheckHolds(checkOf("selected[7] == 0"), f)) << "a sequence that does not exist";
}

TEST(Lesson, BadChecksSayWhatIsWrong) {
  EXPECT_NE(checkError("").find("empty"), std::string::npos);
  EXPECT_NE(checkError("speed > 3").find("unknown name 'speed'"), std::string::npos);
  EXPECT_NE(checkError("selected == 1").find("needs a sequence index"), std::string::npos);
  EXPECT_NE(checkError("selected[x] == 1").find("bad sequence index"), std::string::npos);
  EXPECT_NE(checkError("corr").find("needs a comparison"), std::string::npos);
  EXPECT_NE(checkError("corr ~ 1").find("expected ==, !=, <"), std::string::npos);
  EXPECT_NE(checkError("corr > high").find("expected a number"), std::string::npos);
  EXPECT_FALSE(checkError("corr > 1 and").empty());
}

TEST(Lesson, TheFileGivesTitleStepsTasksAndScenes) {
  const char* text = R"(<!-- lesson
{"title": "T", "steps": [{"scene": "assets/scenes/default.json", "check": "step >= 1"}, {}]}
-->
Intro line.

## First
Some text.
**Task:** do it,
then **this**.

Not the task.

## Second
More.
)";
  auto parsed = parseLesson(text, "t");
  ASSERT_TRUE(std::holds_alternative<Lesson>(parsed)) << std::get<std::string>(parsed);
  const Lesson& l = std::get<Lesson>(parsed);
  EXPECT_EQ(l.title, "T");
  EXPECT_EQ(l.introduction, "Intro line.");
  ASSERT_EQ(l.steps.size(), 2u);
  EXPECT_EQ(l.steps[0].title, "First");
  EXPECT_EQ(l.steps[0].text, "Some text.\n\nNot the task.");
  EXPECT_EQ(l.steps[0].task, "do it, then this.");
  EXPECT_EQ(l.steps[0].scene, "assets/scenes/default.json");
  ASSERT_TRUE(l.steps[0].check);
  EXPECT_FALSE(l.steps[1].check);

  LessonProgress progress(l);
  LessonFacts f;
  EXPECT_FALSE(progress.update(f));
  f.step = 1;
  EXPECT_TRUE(progress.update(f));
  f.step = 0;  // done stays done (rewinding the timeline does not undo a finished task)
  EXPECT_FALSE(progress.update(f));
  EXPECT_TRUE(progress.currentDone());
}

TEST(Lesson, MalformedFilesAreRefusedWithTheReason) {
  auto error = [](const char* text) {
    auto p = parseLesson(text, "bad");
    return std::holds_alternative<std::string>(p) ? std::get<std::string>(p) : std::string();
  };
  EXPECT_NE(error("# no block").find("no '<!-- lesson"), std::string::npos);
  EXPECT_NE(error("<!-- lesson {nope} -->").find("not JSON"), std::string::npos);
  EXPECT_NE(error("<!-- lesson {\"steps\": [{}]} -->\n## a\n").find("\"title\""), std::string::npos);
  EXPECT_NE(error("<!-- lesson {\"title\": \"t\", \"steps\": [{}, {}]} -->\n## a\n").find("2 steps"),
            std::string::npos);
  EXPECT_NE(error("<!-- lesson {\"title\": \"t\", \"steps\": [{\"check\": \"corr >\"}]} -->\n## a\n")
                .find("step 1"),
            std::string::npos);
}

TEST(Lesson, EveryShippedLessonParsesAndOpensItsScenes) {
  const std::vector<Lesson> lessons = bundledLessons();
  ASSERT_GE(lessons.size(), 5u);
  for (const std::string& path : listAssets("assets/lessons/")) {
    if (path.ends_with("welcome.md")) continue;
    const std::string stem = path.substr(15, path.size() - 18);
    auto parsed = bundledLesson(stem);
    ASSERT_TRUE(std::holds_alternative<Lesson>(parsed)) << std::get<std::string>(parsed);
  }
  for (const Lesson& l : lessons) {
    ASSERT_FALSE(l.steps.front().scene.empty()) << l.name << ": the first step opens a scene";
    for (const LessonStep& s : l.steps) {
      EXPECT_FALSE(s.task.empty()) << l.name << ": " << s.title;
      EXPECT_TRUE(s.check) << l.name << ": " << s.title;
      if (s.scene.empty()) continue;
      const OpenedDocument d = openDocumentText(readAsset(s.scene).value_or(""), s.scene);
      EXPECT_TRUE(d.ok) << l.name << ": " << d.error;
    }
  }
  EXPECT_NE(std::get<std::string>(bundledLesson("no-such-lesson")).find("01-attention-selects"),
            std::string::npos);
}

}  // namespace
}  // namespace attnmd::gui
