// The ImGui plot view (app/gui/views/plot_view.h) in a null-backend ImGui context with simulated mouse input:
// hover readout values, legend click-to-hide, wheel zoom, drag pan, double-click fit, log x toggle.
#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>

#include "app/gui/views/plot_view.h"
#include "app/plot/palette.h"
#include "app/plot/scale.h"

namespace attnmd::gui {
namespace {

// One ImGui context per test, no renderer: NewFrame/Render only build draw lists.
class PlotViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1200, 900);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels;
    int w, h;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    figure_ = makeFigure();
  }
  void TearDown() override { ImGui::DestroyContext(ctx_); }

  static plot::Figure makeFigure() {
    plot::Figure f;
    f.x.label = "iteration k";
    f.x.scale = plot::AxisScale::Linear;
    plot::Plot p;
    p.name = "loss";
    p.title = "Loss";
    p.y.scale = plot::AxisScale::Log;
    plot::Series a, b;
    a.name = "a";
    b.name = "b";
    a.color = plot::paletteColor(0);
    b.color = plot::paletteColor(1);
    b.style = plot::LineStyle::Dashed;
    for (int k = 0; k <= 100; ++k) {
      a.x.push_back(k);
      a.y.push_back(std::exp(-0.05 * k));
      b.x.push_back(k);
      b.y.push_back(1.0 / (1 + k));
    }
    p.series = {a, b};
    plot::Plot q;
    q.name = "sparsity";
    q.title = "1 - s";
    q.y.scale = plot::AxisScale::Log;
    plot::Series c;
    c.name = "max 1 - s";
    c.yLog10 = true;
    for (int k = 0; k <= 100; k += 2) {  // sampled on other steps than the first plot
      c.x.push_back(k);
      c.y.push_back(-5.0 * k);  // down to 1e-500
    }
    q.series = {c};
    f.plots = {p, q};
    return f;
  }

  // One frame with the mouse at `mouse` and the left button `down`; wheel `wheel`.
  void frame(ImVec2 mouse, bool down = false, float wheel = 0) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse;
    io.MouseDown[0] = down;
    io.MouseWheel = wheel;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("plots", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    view_.draw(figure_);
    ImGui::End();
    ImGui::Render();
  }
  void click(ImVec2 at) {
    frame(at, false);
    frame(at, true);
    frame(at, false);
  }
  // Screen position of data x in plot `plot`, a third of the way down its area.
  ImVec2 at(std::size_t plot, double x) const {
    const plot::PlotFrame& pf = view_.frame.plots.at(plot);
    return view_.toScreen({pf.x.toPixel(plot::toAxis(x, view_.frame.xScale)), pf.area.y + pf.area.h / 3});
  }

  ImGuiContext* ctx_ = nullptr;
  plot::Figure figure_;
  PlotView view_;
};

TEST_F(PlotViewTest, HoverReadsOutEverySeriesAtTheCursor) {
  frame(ImVec2(-100, -100));  // lay out once
  ASSERT_EQ(view_.frame.plots.size(), 2u);
  frame(at(0, 40.2));
  frame(at(0, 40.2));
  ASSERT_TRUE(view_.hover.active);
  EXPECT_EQ(view_.hover.plot, 0);
  ASSERT_EQ(view_.hover.values.size(), 3u);
  const auto& v = view_.hover.values;
  EXPECT_EQ(v[0].name, "a");
  EXPECT_EQ(v[0].x, 40);
  EXPECT_EQ(v[0].y, figure_.plots[0].series[0].y[40]);
  EXPECT_EQ(v[1].name, "b");
  EXPECT_EQ(v[1].y, 1.0 / 41);
  EXPECT_EQ(v[1].text, "0.02439");
  EXPECT_EQ(v[2].name, "max 1 - s");  // the other plot of the stack, at its own nearest step
  EXPECT_EQ(v[2].x, 40);
  EXPECT_EQ(v[2].text, "1e-200");
  // Hovering the second plot reads out the same x in both.
  frame(at(1, 77.2));
  ASSERT_TRUE(view_.hover.active);
  EXPECT_EQ(view_.hover.plot, 1);
  EXPECT_EQ(view_.hover.values[0].x, 77);
  EXPECT_EQ(view_.hover.values[2].x, 78);
  // Outside every plot area: no readout.
  frame(ImVec2(3, 3));
  EXPECT_FALSE(view_.hover.active);
}

TEST_F(PlotViewTest, LegendClickHidesAndShowsASeries) {
  frame(ImVec2(-100, -100));
  const plot::LegendEntry* entryB = nullptr;
  for (const plot::LegendEntry& e : view_.frame.plots[0].legend)
    if (e.key == "loss/b") entryB = &e;
  ASSERT_NE(entryB, nullptr);
  const ImVec2 target =
      view_.toScreen({entryB->rect.x + entryB->rect.w / 2, entryB->rect.y + entryB->rect.h / 2});
  click(target);
  EXPECT_TRUE(view_.state.isHidden("loss/b"));
  // Hidden: no longer read out, still in the legend (dimmed) so it can come back.
  frame(at(0, 50));
  frame(at(0, 50));
  ASSERT_TRUE(view_.hover.active);
  for (const auto& v : view_.hover.values) EXPECT_NE(v.name, "b");
  bool listed = false;
  for (const plot::LegendEntry& e : view_.frame.plots[0].legend)
    listed = listed || (e.key == "loss/b" && e.hidden);
  EXPECT_TRUE(listed);
  frame(ImVec2(-100, -100));
  click(target);
  EXPECT_FALSE(view_.state.isHidden("loss/b"));
}

TEST_F(PlotViewTest, WheelZoomsAboutTheCursorDragPansDoubleClickFits) {
  frame(ImVec2(-100, -100));
  const plot::Range full = view_.frame.xU;
  const ImVec2 p = at(0, 25);
  frame(p, false, 2);  // two wheel notches in
  ASSERT_TRUE(view_.state.xRange.has_value());
  const plot::Range z = *view_.state.xRange;
  EXPECT_LT(z.span(), 0.8 * full.span());
  EXPECT_NEAR(view_.frame.plots[0].x.toAxis(p.x - view_.origin.x), 25, 1e-3);  // x under the cursor stays

  // Drag 100 px to the right: the range moves left by 100 px worth of x.
  frame(p, false);
  frame(p, true);
  for (int i = 1; i <= 5; ++i) frame(ImVec2(p.x + 20.0f * static_cast<float>(i), p.y), true);
  frame(ImVec2(p.x + 100, p.y), false);
  ASSERT_TRUE(view_.state.xRange.has_value());
  const double perPx = z.span() / view_.frame.plots[0].area.w;
  EXPECT_NEAR(view_.state.xRange->lo, z.lo - 100 * perPx, 1e-6 * z.span());
  EXPECT_NEAR(view_.state.xRange->span(), z.span(), 1e-9 * z.span());

  // Double-click: back to the whole run.
  frame(p, false);
  frame(p, true);
  frame(p, false);
  frame(p, true);
  frame(p, false);
  EXPECT_FALSE(view_.state.xRange.has_value());
  EXPECT_EQ(view_.frame.xU, full);
}

TEST_F(PlotViewTest, LogXAndScaledLines) {
  view_.state.xScale = plot::AxisScale::Log;
  view_.uiScale = 2;
  frame(ImVec2(-100, -100));
  EXPECT_EQ(view_.frame.xScale, plot::AxisScale::Log);
  EXPECT_EQ(view_.frame.hiddenNonPositiveX, 1u);  // iteration 0
  frame(at(0, 10));
  frame(at(0, 10));
  ASSERT_TRUE(view_.hover.active);
  EXPECT_EQ(view_.hover.values[0].x, 10);
  // Line widths follow the UI scale: the data lines are drawn twice as wide as at scale 1.
  double widest = 0;
  for (const plot::Item& it : view_.frame.items)
    if (const auto* l = std::get_if<plot::LineItem>(&it)) widest = std::max(widest, l->width);
  EXPECT_DOUBLE_EQ(widest, 1.5 * 2);
  // Something was actually drawn.
  ImDrawData* dd = ImGui::GetDrawData();
  ASSERT_NE(dd, nullptr);
  EXPECT_GT(dd->TotalVtxCount, 1000);
}

TEST_F(PlotViewTest, EmptyFigureAndTinyWindowsAreHarmless) {
  figure_ = plot::Figure{};
  frame(ImVec2(100, 100), false, 1);
  frame(ImVec2(100, 100), true);
  frame(ImVec2(150, 100), true);
  EXPECT_TRUE(view_.frame.plots.empty());
  EXPECT_FALSE(view_.hover.active);
  EXPECT_FALSE(view_.state.xRange.has_value());
  figure_ = makeFigure();
  ImGui::GetIO().DisplaySize = ImVec2(60, 40);  // the stack keeps a usable size; the window scrolls
  frame(ImVec2(30, 30));
  ASSERT_EQ(view_.frame.plots.size(), 2u);
  EXPECT_GT(view_.frame.plots[1].area.h, 3 * ImGui::GetFontSize());
}

TEST_F(PlotViewTest, TimelineCursorIsPaintedWithMarkers) {
  frame(ImVec2(-100, -100));
  const int without = ImGui::GetDrawData()->TotalVtxCount;
  figure_.cursor = 51;  // the second plot is stored every 2 steps: its marker sits at 50
  frame(ImVec2(-100, -100));
  ASSERT_TRUE(view_.frame.cursorX.has_value());
  EXPECT_NEAR(view_.toScreen({*view_.frame.cursorX, 0}).x, at(0, 51).x, 1e-3);
  ASSERT_EQ(view_.frame.cursorMarks.size(), 3u);
  EXPECT_EQ(figure_.plots[0].series[0].x[view_.frame.cursorMarks[0].index], 51);
  EXPECT_EQ(figure_.plots[1].series[0].x[view_.frame.cursorMarks[2].index], 50);
  EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, without);  // line and markers reach the draw list
  // Hover still reads out at the mouse, not at the cursor.
  frame(at(0, 20));
  frame(at(0, 20));
  ASSERT_TRUE(view_.hover.active);
  EXPECT_EQ(view_.hover.values[0].x, 20);
  EXPECT_TRUE(view_.frame.cursorX.has_value());
}

TEST_F(PlotViewTest, TwoViewsShareNothing) {
  PlotView other;
  frame(ImVec2(-100, -100));
  view_.state.toggle("loss/a");
  EXPECT_FALSE(other.state.isHidden("loss/a"));
  EXPECT_FALSE(other.hover.active);
}

}  // namespace
}  // namespace attnmd::gui
