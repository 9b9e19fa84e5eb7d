// The timeline panel on a synchronous Lab: scrubbing shows every run at the step dragged to, bit for
// bit what a separate core::Run gives there; step buttons, Live, playback, events, continue from here.
#include "app/gui/views/timeline_panel.h"

#include <gtest/gtest.h>

#include "app/state/run_presets.h"
#include "imgui_harness.h"
#include "tests/support/scenes.h"

namespace attnmd::gui {
namespace {

using ::attnmd::testing::teachingScene;

using testing::ImGuiHarness;

// tests/ui/test_app.cpp's teaching scene: prompt model, d = 2, four sequences of three tokens.
bool sameBits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}
bool sameParams(const core::Params& a, const core::Params& b) {
  return sameBits(a.W, b.W) && sameBits(a.p, b.p) && sameBits(a.K, b.K) && sameBits(a.Q, b.Q) &&
         sameBits(a.v, b.v);
}

struct TimelineFixture : ::testing::Test {
  ImGuiHarness ui{ImVec2(1400, 400)};
  Document doc{DocState{teachingScene(), {}, {}}};
  Lab lab{TrainerMode::Synchronous};
  TimelinePanel panel;

  void SetUp() override {
    // Three runs (p = 1.1, 2, 3), 100 steps each.
    ASSERT_EQ(doc.apply(cmd::SetRuns{presetRuns(doc, RunPreset::P_1_1_2_3)}), "");
    lab.sync(doc);
    lab.requestSteps(100);
    lab.waitIdle(0);
    lab.refresh(doc, "");
    ASSERT_EQ(lab.furthestStep(), 100);
    ui.frame(fn());
  }
  std::function<void()> fn() {
    return [this] {
      lab.sync(doc);
      lab.pump();
      lab.refresh(doc, "");
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImVec2(1400, 120));
      ImGui::Begin("timeline", nullptr, ImGuiWindowFlags_NoDecoration);
      panel.draw(doc, lab, 1.f);
      ImGui::End();
    };
  }
  float xOf(long long k) const {
    const auto& b = panel.layout().bar;
    return timelineX(k, panel.layout().barSteps, panel.logScale, b.min.x + 4.f, b.max.x - 4.f);
  }
  void settle() {
    lab.waitIdle(0);
    lab.refresh(doc, "");
  }
  // Every run shows step k, bit-identical to a separate run of its scene stepped to k.
  void expectShownAt(long long k) {
    for (int i = 0; i < lab.runCount(); ++i) {
      SCOPED_TRACE("run " + std::to_string(i));
      const auto& shown = lab.run(i).shown;
      ASSERT_TRUE(shown);
      EXPECT_EQ(shown->iteration, k);
      core::Run ref(doc.runScene(i));
      ASSERT_EQ(ref.step(k), k);
      EXPECT_TRUE(sameParams(shown->params, ref.params()));
    }
  }
};

TEST(TimelineScale, StepsAndXRoundTrip) {
  for (bool log : {true, false})
    for (long long k : {0LL, 1LL, 7LL, 99LL, 1000LL})
      EXPECT_EQ(timelineStep(timelineX(k, 1000, log, 10.f, 2010.f), 1000, log, 10.f, 2010.f), k) << log;
  EXPECT_EQ(timelineStep(-50.f, 1000, true, 10.f, 2010.f), 0);
  EXPECT_EQ(timelineStep(5000.f, 1000, true, 10.f, 2010.f), 1000);
  EXPECT_EQ(timelineStep(100.f, 0, true, 10.f, 2010.f), 0);
}

TEST_F(TimelineFixture, DraggingTheScrubberShowsEveryRunAtThatStep) {
  const auto& bar = panel.layout().bar;
  const float y = bar.centre().y;
  ui.drag(0, ImVec2(xOf(80), y), ImVec2(xOf(37), y), 5, fn());
  ASSERT_TRUE(lab.cursor());
  EXPECT_EQ(*lab.cursor(), 37);
  settle();
  expectShownAt(37);
  for (int i = 0; i < lab.runCount(); ++i) EXPECT_TRUE(lab.run(i).shown->replayed);

  panel.logScale = false;  // the linear bar maps the same way
  ui.frame(fn());
  ui.drag(0, ImVec2(xOf(10), y), ImVec2(xOf(64), y), 3, fn());
  EXPECT_EQ(*lab.cursor(), 64);
  settle();
  expectShownAt(64);
}

TEST_F(TimelineFixture, StepButtonsAndLive) {
  lab.setCursor(20);
  ui.frame(fn());
  ui.click(0, panel.layout().back.centre(), fn());
  EXPECT_EQ(lab.cursor(), 19);
  ui.click(0, panel.layout().forward.centre(), fn());
  ui.click(0, panel.layout().forward.centre(), fn());
  EXPECT_EQ(lab.cursor(), 21);
  settle();
  expectShownAt(21);
  panel.stepBack(lab);
  EXPECT_EQ(lab.cursor(), 20);

  ui.click(0, panel.layout().live.centre(), fn());
  EXPECT_FALSE(lab.cursor());
  settle();
  for (int i = 0; i < lab.runCount(); ++i) EXPECT_EQ(lab.run(i).shown->iteration, 100);

  // Back from live: the step before the end. Forward at the end trains one more step.
  panel.stepBack(lab);
  EXPECT_EQ(lab.cursor(), 99);
  panel.stepForward(lab);
  EXPECT_EQ(lab.cursor(), 100);
  panel.stepForward(lab);
  EXPECT_FALSE(lab.cursor());
  settle();
  EXPECT_EQ(lab.furthestStep(), 101);
}

TEST_F(TimelineFixture, PlaybackAdvancesAndStopsAtTheEnd) {
  lab.setCursor(0);
  panel.playSpeed = 60;  // one step per 60 Hz frame
  ui.click(0, panel.layout().play.centre(), fn());
  EXPECT_TRUE(panel.playing);
  const long long start = *lab.cursor();
  for (int f = 0; f < 10; ++f) ui.frame(fn());
  EXPECT_GE(*lab.cursor(), start + 9);
  EXPECT_LE(*lab.cursor(), start + 11);
  panel.playSpeed = 10000;
  for (int f = 0; f < 3; ++f) ui.frame(fn());
  EXPECT_EQ(lab.cursor(), 100);
  EXPECT_FALSE(panel.playing);
}

TEST_F(TimelineFixture, EventButtonsJumpToEvents) {
  const auto events = lab.events();
  ASSERT_FALSE(events.empty()) << "the p runs change selection from the uniform start";
  lab.setCursor(0);
  ui.frame(fn());
  long long first = -1;
  for (const LabEvent& e : events)
    if (e.event.iter > 0) {
      first = e.event.iter;
      break;
    }
  ASSERT_GT(first, 0);
  ui.click(0, panel.layout().nextEvent.centre(), fn());
  EXPECT_EQ(lab.cursor(), first);
  lab.setCursor(100);
  ui.frame(fn());
  ui.click(0, panel.layout().prevEvent.centre(), fn());
  EXPECT_EQ(lab.cursor(), events.back().event.iter < 100 ? events.back().event.iter : *lab.cursor());
}

TEST_F(TimelineFixture, ContinueFromHereDropsTheLaterSteps) {
  doc.view().selectedRun = 1;
  ui.frame(fn());
  ui.click(0, panel.layout().continueHere.centre(), fn());
  settle();
  EXPECT_EQ(lab.run(1).live->trainedSteps, 100) << "disabled without a cursor";

  lab.setCursor(40);
  ui.frame(fn());
  ui.click(0, panel.layout().continueHere.centre(), fn());
  settle();
  EXPECT_EQ(lab.run(1).live->trainedSteps, 40);
  EXPECT_EQ(lab.run(0).live->trainedSteps, 100);
  EXPECT_TRUE(lab.canUndoRewind(doc));
  lab.undoRewind();
  settle();
  EXPECT_EQ(lab.run(1).live->trainedSteps, 100);
}

}  // namespace
}  // namespace attnmd::gui
