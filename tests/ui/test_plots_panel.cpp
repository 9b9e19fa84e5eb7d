// The Plots panel (app/gui/panels/plots_panel.h) in a null-backend ImGui context: several runs overlaid
// in their colours with a factored legend, the figure rebuilt only when a snapshot changes, the timeline
// cursor line and markers, one values column per run, and one run looking as it did before runs were
// compared.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "app/gui/panels/plots_panel.h"
#include "app/plot/frame.h"
#include "app/plot/palette.h"
#include "app/plot/run_plots.h"
#include "app/plot/scale.h"
#include "tests/ui/imgui_harness.h"

namespace attnmd::gui {
namespace {

// A snapshot at step `iteration` whose history is stored every 2 steps up to `lastStep`.
std::shared_ptr<const TrainSnapshot> snapshot(double rate, long long lastStep, long long iteration) {
  auto history = std::make_shared<std::vector<core::MetricsPoint>>();
  for (long long k = 0; k <= lastStep; k += 2) {
    core::MetricsPoint p;
    p.iter = k;
    p.loss = std::exp(-rate * static_cast<double>(k));
    p.normP = rate * static_cast<double>(k);
    p.corr = 1 - std::exp(-rate * static_cast<double>(k + 1));
    p.bregman = std::exp(-rate * static_cast<double>(k + 1));
    p.minSelectedProb = 1 - std::exp(-rate * static_cast<double>(k + 1));
    p.log10MaxUnselected = -rate * static_cast<double>(k + 1);
    p.margin = 0.5 - std::exp(-rate * static_cast<double>(k + 1));
    p.accuracy = 1;
    history->push_back(p);
  }
  auto s = std::make_shared<TrainSnapshot>();
  s->iteration = iteration;
  s->trainedSteps = lastStep;
  s->replayed = iteration != lastStep;
  s->metrics = (*history)[static_cast<std::size_t>(iteration / 2)];
  s->history = history;
  return s;
}

class PlotsPanelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runs_ = {{"nmd, p = 1.75", plot::Color{10, 20, 30, 255}, snapshot(0.05, 100, 100)},
             {"gd", plot::Color{200, 40, 50, 255}, snapshot(0.03, 100, 100)},
             {"md, p = 3", plot::Color{40, 180, 60, 255}, snapshot(0.02, 60, 60)}};
  }
  // One frame drawing the panel in a full-display window; `inFrame` runs inside the window after it.
  void frame(const std::function<void()>& inFrame = {}) {
    h_.frame([&] {
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
      ImGui::Begin("Plots", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
      panel_.draw(runs_, cursor_, 1);
      if (inFrame) inFrame();
      ImGui::End();
    });
  }
  // The values table of the last frame: its column count and header names.
  std::vector<std::string> tableColumns() {
    std::vector<std::string> names;
    frame([&] {
      const ImGuiTable* t = ImGui::TableFindByID(ImGui::GetID("metrics"));
      if (!t) return;
      for (int c = 0; c < t->ColumnsCount; ++c) names.push_back(ImGui::TableGetColumnName(t, c));
    });
    return names;
  }

  testing::ImGuiHarness h_{ImVec2(1200, 1400)};
  PlotsPanel panel_;
  std::vector<PlotRun> runs_;
  std::optional<long long> cursor_;
};

TEST_F(PlotsPanelTest, ThreeRunsAreOverlaidInTheirColoursWithAFactoredLegend) {
  frame();
  const plot::Figure& f = panel_.figure;
  ASSERT_EQ(f.plots.size(), plot::runPlotNames().size());
  for (const plot::Plot& p : f.plots) {
    SCOPED_TRACE(p.name);
    // Every quantity of the plot once per run, in the run's colour, grouped under the run's name.
    ASSERT_FALSE(p.series.empty());
    ASSERT_EQ(p.series.size() % 3, 0u);
    for (const plot::Series& s : p.series) {
      const auto run =
          std::find_if(runs_.begin(), runs_.end(), [&](const PlotRun& r) { return r.name == s.group; });
      ASSERT_NE(run, runs_.end()) << s.name;
      EXPECT_EQ(s.color, run->colour);
      EXPECT_EQ(s.name.rfind(run->name + ": ", 0), 0u) << s.name;
    }
  }
  // The loss plot: exactly three series, one per run, in run order, each with its run's whole history.
  const plot::Plot& loss = f.plots[*plot::findPlot(f, plot::kLossPlot)];
  ASSERT_EQ(loss.series.size(), 3u);
  for (std::size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(loss.series[r].color, runs_[r].colour);
    EXPECT_EQ(loss.series[r].group, runs_[r].name);
    EXPECT_EQ(loss.series[r].x.size(), runs_[r].snap->history->size());
  }
  // On screen the runs are named once above the stack, so the plots' legends list only the quantities'
  // line styles (the loss plot has one quantity: no entries); an export of the same figure lists the
  // runs by name in every plot (clickable group entries), not every combination.
  EXPECT_FALSE(panel_.view.runEntries);
  std::set<std::string> keys;
  for (const plot::LegendEntry& e : panel_.view.frame.plots[0].legend) keys.insert(e.key);
  EXPECT_TRUE(keys.empty());
  const std::size_t norm = *plot::findPlot(f, plot::kNormPlot);
  for (const plot::LegendEntry& e : panel_.view.frame.plots[norm].legend)
    EXPECT_EQ(e.key.find("/group/"), std::string::npos) << e.key;
  keys.clear();
  const plot::FigureFrame exported = plot::buildFrame(f, plot::ViewState{}, plot::FrameOptions{});
  for (const plot::LegendEntry& e : exported.plots[0].legend) keys.insert(e.key);
  for (const PlotRun& r : runs_) EXPECT_TRUE(keys.count("loss/group/" + r.name)) << r.name;
  EXPECT_EQ(keys.size(), 3u);
  // The values table: one column per run, headed by its name, after the metric names.
  EXPECT_EQ(tableColumns(),
            (std::vector<std::string>{"metric", runs_[0].name, runs_[1].name, runs_[2].name}));
}

TEST_F(PlotsPanelTest, TheFigureIsRebuiltOnlyWhenASnapshotChanges) {
  frame();
  const double* data = panel_.figure.plots[0].series[0].x.data();
  cursor_ = 20;  // moving the cursor does not rebuild
  frame();
  frame();
  EXPECT_EQ(panel_.figure.plots[0].series[0].x.data(), data);
  runs_[2].snap = snapshot(0.02, 80, 80);  // the third run trained further
  frame();
  EXPECT_EQ(panel_.figure.plots[0].series[2].x.size(), 41u);
  runs_[1].colour = plot::Color{1, 2, 3, 255};  // a recoloured run: rebuilt too
  frame();
  EXPECT_EQ(panel_.figure.plots[0].series[1].color, runs_[1].colour);
  // A run without a snapshot yet is left out; with one run left the panel looks like a single run.
  runs_[0].snap = nullptr;
  runs_[2].snap = nullptr;
  frame();
  ASSERT_EQ(panel_.figure.plots[0].series.size(), 1u);
  EXPECT_EQ(panel_.figure.plots[0].series[0].name, "loss");
}

TEST_F(PlotsPanelTest, TheCursorIsAVerticalLineInEveryPlotWithEachRunsMarker) {
  panel_.view.state.xScale = plot::AxisScale::Linear;
  // The timeline at step 31: the runs replayed there keep their whole histories.
  cursor_ = 31;
  runs_[0].snap = snapshot(0.05, 100, 30);
  frame();
  frame();
  const plot::FigureFrame& fr = panel_.view.frame;
  ASSERT_TRUE(fr.cursorX.has_value());
  for (const plot::PlotFrame& pf : fr.plots) EXPECT_NEAR(pf.x.toPixel(31), *fr.cursorX, 1e-9);
  EXPECT_EQ(panel_.figure.plots[0].series[0].x.back(), 100);  // whole run, not cut at the cursor
  // Loss plot: one marker per run, at step 30 (the last stored point at or before 31), in its colour.
  std::vector<plot::CursorMark> lossMarks;
  for (const plot::CursorMark& m : fr.cursorMarks)
    if (m.plot == 0) lossMarks.push_back(m);
  ASSERT_EQ(lossMarks.size(), 3u);
  for (std::size_t r = 0; r < 3; ++r) {
    const plot::Series& s = panel_.figure.plots[0].series[lossMarks[r].series];
    EXPECT_EQ(s.color, runs_[r].colour);
    EXPECT_EQ(s.x[lossMarks[r].index], 30);
  }
  // The draw list holds more than without a cursor (line and markers are painted).
  const int withCursor = ImGui::GetDrawData()->TotalVtxCount;
  cursor_.reset();
  frame();
  EXPECT_FALSE(panel_.view.frame.cursorX.has_value());
  EXPECT_TRUE(panel_.view.frame.cursorMarks.empty());
  EXPECT_LT(ImGui::GetDrawData()->TotalVtxCount, withCursor);

  // On the log x axis: the same step at log10(31); at step 0 nothing at all.
  panel_.view.state.xScale = plot::AxisScale::Log;
  cursor_ = 31;
  frame();
  ASSERT_TRUE(panel_.view.frame.cursorX.has_value());
  EXPECT_NEAR(panel_.view.frame.plots[0].x.toPixel(std::log10(31.0)), *panel_.view.frame.cursorX, 1e-9);
  cursor_ = 0;
  frame();
  EXPECT_FALSE(panel_.view.frame.cursorX.has_value());
  EXPECT_TRUE(panel_.view.frame.cursorMarks.empty());
}

TEST_F(PlotsPanelTest, OneRunLooksAsBefore) {
  const auto snap = runs_[0].snap;
  // The figure the panel always built for one snapshot: one colour per quantity, plain names.
  plot::RunPlotInput in;
  in.points = *snap->history;
  const plot::Figure expected = plot::buildRunFigure(std::span<const plot::RunPlotInput>(&in, 1));

  PlotsPanel old;  // the single-snapshot entry point the app used
  plot::FigureFrame oldFrame;
  std::vector<std::string> oldColumns;
  h_.frame([&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("Plots", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    old.draw(snap, 1);
    if (const ImGuiTable* t = ImGui::TableFindByID(ImGui::GetID("metrics"))) {
      for (int c = 0; c < t->ColumnsCount; ++c) oldColumns.push_back(ImGui::TableGetColumnName(t, c));
    }
    ImGui::End();
  });
  oldFrame = old.view.frame;
  ASSERT_EQ(old.figure.plots.size(), expected.plots.size());
  for (std::size_t i = 0; i < expected.plots.size(); ++i) {
    ASSERT_EQ(old.figure.plots[i].series.size(), expected.plots[i].series.size());
    for (std::size_t k = 0; k < expected.plots[i].series.size(); ++k) {
      const plot::Series& a = old.figure.plots[i].series[k];
      const plot::Series& b = expected.plots[i].series[k];
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.color, b.color);
      EXPECT_EQ(a.color, plot::paletteColor(k));
      EXPECT_EQ(a.style, b.style);
      EXPECT_TRUE(a.group.empty());
      EXPECT_EQ(a.x, b.x);
    }
  }
  EXPECT_FALSE(old.figure.cursor.has_value());
  EXPECT_EQ(oldColumns, (std::vector<std::string>{"metric", "value", "metric2", "value2"}));

  // The new entry point with one named, coloured run and no cursor draws the very same frame.
  runs_ = {runs_[0]};
  frame();
  const plot::FigureFrame& now = panel_.view.frame;
  ASSERT_EQ(now.plots.size(), oldFrame.plots.size());
  ASSERT_EQ(now.items.size(), oldFrame.items.size());
  for (std::size_t i = 0; i < now.plots.size(); ++i) {
    EXPECT_EQ(now.plots[i].area.x, oldFrame.plots[i].area.x);
    EXPECT_EQ(now.plots[i].area.h, oldFrame.plots[i].area.h);
    ASSERT_EQ(now.plots[i].legend.size(), oldFrame.plots[i].legend.size());
    for (std::size_t k = 0; k < now.plots[i].legend.size(); ++k)
      EXPECT_EQ(now.plots[i].legend[k].key, oldFrame.plots[i].legend[k].key);
  }
  for (std::size_t i = 0; i < now.items.size(); ++i)
    if (const auto* l = std::get_if<plot::LineItem>(&now.items[i])) {
      const auto* o = std::get_if<plot::LineItem>(&oldFrame.items[i]);
      ASSERT_NE(o, nullptr);
      EXPECT_EQ(l->color, o->color);
      EXPECT_EQ(l->points, o->points);
    }
  EXPECT_EQ(tableColumns(), oldColumns);
}

}  // namespace
}  // namespace attnmd::gui
