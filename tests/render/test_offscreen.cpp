// Offscreen rendering for PNG export (app/gui/platform/offscreen.h) through the real OpenGL3 backend in a hidden
// window: 1x reproduces the window's pixels, and 2x has twice the resolution for real (a half-point
// wide bar covers exactly one pixel column at 2x and none at 1x, which no upscale of the 1x image can
// produce). SKIPPED without a display or a GL 3.3 context.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "app/gui/export/export.h"
#include "app/gui/platform/fonts.h"
#include "app/gui/platform/offscreen.h"
#include "app/gui/platform/platform.h"

namespace attnmd::gui {
namespace {

class Offscreen : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display) GTEST_SKIP() << "no DISPLAY: run under xvfb-run to test rendering";
    std::string error;
    PlatformOptions o;
    o.width = 320;
    o.height = 200;
    o.visible = false;
    o.vsync = false;
    platform_ = Platform::create(o, error);
    if (!platform_) GTEST_SKIP() << "no GL 3.3 context: " << error;
    buildFonts(*ImGui::GetIO().Fonts, 1.f, "");
    platform_->reloadFontTexture();
  }

  // One frame: a white background window with a red bar from x = 40 to 40.5 (half a point) and a blue
  // square at (100, 50)-(140, 90). Returns the window capture; the draw data stays valid after it.
  Image frame() {
    Image shot;
    platform_->processEvents(0);
    platform_->beginFrame();
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    dl->AddRectFilled(ImVec2(0, 0), ImGui::GetIO().DisplaySize, IM_COL32(255, 255, 255, 255));
    dl->AddRectFilled(ImVec2(40.f, 20.f), ImVec2(40.5f, 180.f), IM_COL32(255, 0, 0, 255));
    dl->AddRectFilled(ImVec2(100, 50), ImVec2(140, 90), IM_COL32(0, 0, 255, 255));
    platform_->endFrame(ImVec4(0, 0, 0, 1), &shot);
    return shot;
  }

  std::unique_ptr<Platform> platform_;
};

bool isColour(const Image& img, int x, int y, int r, int g, int b) {
  const std::uint8_t* p = img.pixel(x, y);
  return std::abs(p[0] - r) + std::abs(p[1] - g) + std::abs(p[2] - b) < 8;
}

TEST_F(Offscreen, OneXMatchesTheWindowAndTwoXHasRealPixels) {
  const Image window = frame();
  ASSERT_GT(window.width, 0);
  ImDrawData* dd = ImGui::GetDrawData();
  ASSERT_NE(dd, nullptr);
  const float fbScale = dd->FramebufferScale.x;
  std::string error;
  const Image one = renderOffscreen(dd, fbScale, ImVec4(0, 0, 0, 1), error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(one.width, window.width);
  ASSERT_EQ(one.height, window.height);
  std::size_t differing = 0;
  for (std::size_t i = 0; i < one.rgba.size(); ++i) differing += one.rgba[i] != window.rgba[i];
  EXPECT_EQ(differing, 0u) << "1x offscreen is the window, pixel for pixel";

  const Image two = renderOffscreen(dd, 2.f * fbScale, ImVec4(0, 0, 0, 1), error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(two.width, 2 * one.width);
  ASSERT_EQ(two.height, 2 * one.height);
  const int k = static_cast<int>(2 * fbScale);
  // The blue square scales.
  EXPECT_TRUE(isColour(two, 120 * k, 70 * k, 0, 0, 255));
  EXPECT_TRUE(isColour(two, 100 * k, 50 * k, 0, 0, 255));
  EXPECT_TRUE(isColour(two, 100 * k - 1, 50 * k, 255, 255, 255));
  // The half-point bar: one pixel column at 2x, nothing at 1x.
  if (fbScale == 1.f) {
    EXPECT_TRUE(isColour(two, 80, 100, 255, 0, 0)) << "pixel 80 = [40, 40.5) in points";
    EXPECT_TRUE(isColour(two, 81, 100, 255, 255, 255));
    EXPECT_TRUE(isColour(one, 40, 50, 255, 255, 255)) << "at 1x the bar covers no pixel centre";
  }
  // The draw data is left as it was: the same frame can still go to the window.
  EXPECT_EQ(dd->FramebufferScale.x, fbScale);
  // A crop of the 2x image is the 2x region.
  const Image square =
      cropImage(two, pixelRect(ImVec2(100, 50), ImVec2(140, 90), 2.f * fbScale, two.width, two.height));
  EXPECT_EQ(square.width, 40 * k);
  EXPECT_TRUE(isColour(square, 0, 0, 0, 0, 255));
  EXPECT_TRUE(isColour(square, square.width - 1, square.height - 1, 0, 0, 255));
}

TEST_F(Offscreen, AnImpossibleSizeIsAnErrorNotACrash) {
  frame();
  std::string error;
  const Image huge = renderOffscreen(ImGui::GetDrawData(), 1000.f, ImVec4(0, 0, 0, 1), error);
  EXPECT_EQ(huge.width, 0);
  EXPECT_NE(error, "");
  EXPECT_TRUE(renderOffscreen(nullptr, 1.f, ImVec4(0, 0, 0, 1), error).rgba.empty());
}

}  // namespace
}  // namespace attnmd::gui
