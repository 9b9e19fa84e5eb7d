// The runs strip on a synchronous Lab: "+" adds a run (one undo entry), rename, hide, solo, delete,
// the comparison sets, and the cap at core::kMaxRuns.
#include "app/gui/panels/runs_panel.h"

#include <gtest/gtest.h>

#include "app/state/run_presets.h"
#include "imgui_harness.h"
#include "tests/support/scenes.h"

namespace attnmd::gui {
namespace {

using ::attnmd::testing::teachingScene;

using testing::ImGuiHarness;

// tests/ui/test_app.cpp's teaching scene: prompt model, d = 2, four sequences of three tokens.
struct RunsFixture : ::testing::Test {
  ImGuiHarness ui{ImVec2(1600, 400)};
  Document doc{DocState{teachingScene(), {}, {}}};
  Lab lab{TrainerMode::Synchronous};
  RunsPanel panel;

  void SetUp() override { ui.frame(fn()); }
  std::function<void()> fn() {
    return [this] {
      lab.sync(doc);
      lab.pump();
      lab.refresh(doc, "");
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImVec2(1600, RunsPanel::preferredHeight(1.f)));
      ImGui::Begin("runs", nullptr, ImGuiWindowFlags_NoDecoration);
      panel.draw(doc, lab, 1.f);
      ImGui::End();
    };
  }
  void threeRuns() {
    ASSERT_EQ(doc.apply(cmd::SetRuns{presetRuns(doc, RunPreset::P_1_1_2_3)}), "");
    ui.frame(fn());
  }
};

TEST_F(RunsFixture, PlusAddsARunAsOneUndoEntry) {
  ASSERT_EQ(doc.runCount(), 1);
  ui.click(0, panel.layout().add.centre(), fn());
  ASSERT_EQ(doc.runCount(), 2);
  EXPECT_EQ(doc.undoDepth(), 1u);
  ASSERT_TRUE(doc.runScene(1));
  EXPECT_DOUBLE_EQ(doc.runScene(1)->optimizer.p, 3.0);  // nmd p = 2 -> 3
  EXPECT_EQ(doc.view().selectedRun, 1);
  ui.frame(fn());  // the lab follows the document in the next frame (the app syncs after the strip)
  EXPECT_EQ(lab.runCount(), 2);
  EXPECT_TRUE(panel.takeMessage().empty());
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.runCount(), 1);
  EXPECT_TRUE(doc.state().runs.empty());
}

TEST_F(RunsFixture, PlusIsDisabledAtTheLimit) {
  for (std::size_t k = 1; k < core::kMaxRuns; ++k) ui.click(0, panel.layout().add.centre(), fn());
  ASSERT_EQ(doc.runCount(), static_cast<int>(core::kMaxRuns));
  const std::size_t depth = doc.undoDepth();
  ui.click(0, panel.layout().add.centre(), fn());
  EXPECT_EQ(doc.runCount(), static_cast<int>(core::kMaxRuns));
  EXPECT_EQ(doc.undoDepth(), depth);
}

TEST_F(RunsFixture, ClickSelectsDoubleClickRenames) {
  threeRuns();
  const std::size_t depth = doc.undoDepth();
  ui.click(0, panel.layout().names[2].centre(), fn());
  EXPECT_EQ(doc.view().selectedRun, 2);
  EXPECT_EQ(doc.undoDepth(), depth) << "selecting is not undoable";

  // Double-click the name of run 1, type, OK.
  const ImVec2 p = panel.layout().names[1].centre();
  ui.mouseTo(p);
  ui.frame(fn());
  for (int k = 0; k < 2; ++k) {
    ui.button(0, true);
    ui.frame(fn());
    ui.button(0, false);
    ui.frame(fn());
  }
  ui.frame(fn());
  ASSERT_TRUE(panel.layout().renameOk.valid()) << "the rename popup is open";
  for (const char c : std::string("fast")) ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
  ui.frame(fn());
  ui.click(0, panel.layout().renameOk.centre(), fn());
  EXPECT_NE(doc.runInfo(1).name.find("fast"), std::string::npos) << doc.runInfo(1).name;
  EXPECT_EQ(doc.undoDepth(), depth + 1);
  EXPECT_EQ(doc.undoName(), "rename a run");
}

TEST_F(RunsFixture, HideSoloDelete) {
  threeRuns();
  ui.click(0, panel.layout().hideButtons[1].centre(), fn());
  EXPECT_TRUE(doc.runInfo(1).hidden);
  EXPECT_FALSE(doc.runInfo(0).hidden);
  ui.click(0, panel.layout().hideButtons[1].centre(), fn());  // ticked again: shown
  EXPECT_FALSE(doc.runInfo(1).hidden);

  ui.click(0, panel.layout().soloButtons[2].centre(), fn());
  EXPECT_TRUE(doc.runInfo(0).hidden);
  EXPECT_TRUE(doc.runInfo(1).hidden);
  EXPECT_FALSE(doc.runInfo(2).hidden);
  ui.click(0, panel.layout().soloButtons[2].centre(), fn());  // solo again: every run shown
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(doc.runInfo(i).hidden);

  const std::size_t depth = doc.undoDepth();
  const std::string name2 = doc.runInfo(2).name;
  ui.click(0, panel.layout().deleteButtons[1].centre(), fn());
  ASSERT_EQ(doc.runCount(), 2);
  EXPECT_EQ(doc.runInfo(1).name, name2);
  EXPECT_EQ(doc.undoDepth(), depth + 1);
  ui.click(0, panel.layout().deleteButtons[0].centre(), fn());
  ASSERT_EQ(doc.runCount(), 1);
  ui.click(0, panel.layout().deleteButtons[0].centre(), fn());  // the last run stays
  EXPECT_EQ(doc.runCount(), 1);
  ASSERT_TRUE(doc.undo());
  EXPECT_EQ(doc.runCount(), 2);
}

TEST_F(RunsFixture, CompareComboReplacesTheRuns) {
  ui.click(0, panel.layout().compare.centre(), fn());
  ui.frame(fn());  // the combo's list appears in the frame after the click
  ASSERT_EQ(panel.layout().presets.size(), 3u) << "the combo is open";
  ui.click(0, panel.layout().presets[0].centre(), fn());
  ASSERT_EQ(doc.runCount(), 3);
  EXPECT_EQ(doc.undoDepth(), 1u);
  const double ps[] = {1.1, 2.0, 3.0};
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(doc.runScene(i)->optimizer.p, ps[i]);

  ui.click(0, panel.layout().compare.centre(), fn());
  ui.frame(fn());
  ASSERT_EQ(panel.layout().presets.size(), 3u);
  ui.click(0, panel.layout().presets[2].centre(), fn());
  ASSERT_EQ(doc.runCount(), 2);
  EXPECT_EQ(doc.runScene(1)->optimizer.name, core::OptimizerKind::Adam);
}

}  // namespace
}  // namespace attnmd::gui
