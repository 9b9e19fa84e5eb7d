// [SECTION] text and colours   [SECTION] draw   [SECTION] input   [SECTION] painting   [SECTION] hover
#include "app/gui/views/plot_view.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "app/plot/format.h"
#include "app/plot/geometry.h"

namespace attnmd::gui {
namespace {

// [SECTION] text and colours
// ASCII stand-ins for symbols a loaded font may lack (ImGui's default font has no Greek). Used only for
// code points the current font cannot draw, so a full font (DejaVu Sans with Greek ranges) shows θ.
struct Fallback {
  unsigned codepoint;
  const char* ascii;
};
constexpr Fallback kFallbacks[] = {{0x03B8, "theta"}, {0x03C8, "psi"}, {0x03B1, "a"},  {0x03B7, "eta"},
                                   {0x2016, "||"},    {0x2212, "-"},   {0x2264, "<="}, {0x2265, ">="},
                                   {0x00A7, "S"},     {0x2248, "~"},   {0x00B7, "."},  {0x2026, "..."}};

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes decode as U+FFFD.
unsigned decodeUtf8(std::string_view s, std::size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  unsigned cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

std::string displayText(std::string_view s, const ImFont* font) {
  if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return std::string(s);
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const unsigned cp = decodeUtf8(s, i);
    if (cp < 0x80 || (cp <= 0xFFFF && font && font->FindGlyphNoFallback(static_cast<ImWchar>(cp)))) {
      out.append(s.substr(start, i - start));
      continue;
    }
    const char* ascii = "?";
    for (const Fallback& f : kFallbacks)
      if (f.codepoint == cp) ascii = f.ascii;
    out += ascii;
  }
  return out;
}

ImU32 toU32(plot::Color c) {
  return IM_COL32(c.r, c.g, c.b, c.a);
}

plot::Color toColor(ImVec4 v, float alpha = 1) {
  auto byte = [](float f) { return static_cast<std::uint8_t>(std::clamp(f, 0.0f, 1.0f) * 255.0f + 0.5f); };
  return {byte(v.x), byte(v.y), byte(v.z), byte(v.w * alpha)};
}

// Chrome colours from the ImGui style, so the plots follow the app's light or dark theme.
plot::Theme themeFromStyle() {
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec4 text = style.Colors[ImGuiCol_Text];
  const ImVec4 bg = style.Colors[ImGuiCol_WindowBg];
  const bool dark = 0.299f * bg.x + 0.587f * bg.y + 0.114f * bg.z < 0.5f;
  plot::Theme t;
  t.background = {0, 0, 0, 0};  // the window's own background shows through
  t.text = toColor(text);
  t.axis = toColor(text, 0.65f);
  t.grid = toColor(text, dark ? 0.16f : 0.13f);
  t.minorGrid = toColor(text, dark ? 0.07f : 0.055f);
  t.note = dark ? plot::Color{230, 159, 0, 255} : plot::Color{153, 82, 0, 255};
  return t;
}

ImVec2 textTopLeft(const plot::TextItem& t, float width, ImVec2 at) {
  float x = at.x, y = at.y;
  if (t.h == plot::HAlign::Center) x -= width / 2;
  if (t.h == plot::HAlign::Right) x -= width;
  const float size = static_cast<float>(t.size);
  if (t.v == plot::VAlign::Middle) y -= size / 2;
  if (t.v == plot::VAlign::Bottom) y -= size;
  return ImVec2(std::round(x), std::round(y));  // whole pixels keep bitmap fonts sharp
}

}  // namespace

// [SECTION] draw
plot::FrameOptions PlotView::frameOptions(ImVec2 size) const {
  plot::FrameOptions o;
  o.width = size.x;
  o.height = size.y;
  o.fontSize = ImGui::GetFontSize();
  o.lineScale = uiScale;
  o.yAxisLabels = false;        // no rotated text in ImGui; each plot's title names its quantity
  o.yLabelReserve = "-1e-300";  // zooming or a growing run must not shift the plots sideways
  o.runEntries = runEntries;
  o.columnsPerPixel = columnsPerPixel;
  o.theme = themeFromStyle();
  const ImFont* font = ImGui::GetFont();
  o.measure = [font](std::string_view text, double size) {
    const std::string s = displayText(text, font);
    return static_cast<double>(font->CalcTextSizeA(static_cast<float>(size), FLT_MAX, 0, s.c_str()).x);
  };
  return o;
}

void PlotView::draw(const plot::Figure& figure, ImVec2 size) {
  ImGui::PushID(this);
  if (toolbar) {
    bool logX = state.effectiveXScale(figure) == plot::AxisScale::Log;
    if (ImGui::Checkbox("log x", &logX)) {
      state.xScale = logX ? plot::AxisScale::Log : plot::AxisScale::Linear;
      state.xRange.reset();  // a range in log10 units means nothing on a linear axis
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Iteration axis on a log scale: u = log10(k). Iteration 0 cannot be shown there.");
    ImGui::SameLine();
    if (ImGui::SmallButton("fit")) state.xRange.reset();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Show the whole run again (same as double-clicking a plot).");
    ImGui::SameLine();
    // The hint shrinks with the panel rather than being clipped mid-word; the tooltip keeps all of it.
    const char* hints[] = {"wheel: zoom   drag: pan   double-click: fit   legend: hide/show",
                           "wheel: zoom   drag: pan   double-click: fit", "wheel: zoom   drag: pan", "(?)"};
    const float room = ImGui::GetContentRegionAvail().x;
    const char* hint = hints[3];
    for (const char* h : hints)
      if (ImGui::CalcTextSize(h).x <= room) {
        hint = h;
        break;
      }
    ImGui::TextDisabled("%s", hint);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Mouse wheel zooms the iteration axis, dragging pans it, double-click fits the whole "
          "run, and clicking a legend entry hides or shows its series.");
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float fs = ImGui::GetFontSize();
  if (size.x <= 0) size.x = avail.x;
  if (size.y <= 0) size.y = avail.y;
  size.x = std::max(size.x, 16 * fs);
  plot::FrameOptions options = frameOptions(size);
  options.minAreaHeight = minPlotHeight * fs;
  // The frame grows past `size` when the legends and the plots' minimum areas need it; the stack then
  // takes that height and the parent window scrolls.
  frame = plot::buildFrame(figure, state, options);
  size.y = static_cast<float>(frame.height);
  options.height = size.y;

  origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plotstack", size);
  if (handleInput()) frame = plot::buildFrame(figure, state, options);
  updateHover(figure);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  paint(dl);
  paintHover(dl, figure);
  dl->PopClipRect();
  if (hover.active) tooltip(figure);
  ImGui::PopID();
}

// [SECTION] input
bool PlotView::handleInput() {
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsItemHovered();
  const plot::Point m{io.MousePos.x - origin.x, io.MousePos.y - origin.y};
  const int plotIndex = frame.plotAt(m);
  bool changed = false;

  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    if (const plot::LegendEntry* e = frame.legendAt(m)) {
      state.toggle(e->key);
      changed = true;
    }
    pressedInArea_ = plotIndex >= 0;
    panStartX_ = static_cast<float>(m.x);
    panStartRange_ = frame.xU;
  }
  if (hovered && plotIndex >= 0 && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    state.xRange.reset();
    pressedInArea_ = panning_ = false;
    return true;
  }
  if (pressedInArea_ && io.MouseDown[ImGuiMouseButton_Left] && !frame.plots.empty()) {
    const float dx = static_cast<float>(m.x) - panStartX_;
    if (panning_ || std::fabs(dx) >= io.MouseDragThreshold) {
      panning_ = true;
      const double du = dx * panStartRange_.span() / frame.plots.front().area.w;
      state.xRange = plot::Range{panStartRange_.lo - du, panStartRange_.hi - du};
      changed = true;
    }
  } else {
    pressedInArea_ = panning_ = false;
  }
  if (hovered && plotIndex >= 0 && io.MouseWheel != 0) {
    // Zoom about the cursor: the x under it stays put.
    const plot::Range r = frame.xU;
    const double u = frame.plots[static_cast<std::size_t>(plotIndex)].x.toAxis(m.x);
    const double k = std::pow(0.85, static_cast<double>(io.MouseWheel));
    const plot::Range z{u - (u - r.lo) * k, u + (r.hi - u) * k};
    if (z.span() > 1e-12 * std::max(1.0, std::fabs(u)) && std::isfinite(z.span())) {
      state.xRange = z;
      changed = true;
    }
  }
  return changed;
}

// [SECTION] hover
void PlotView::updateHover(const plot::Figure& figure) {
  hover = {};
  if (!ImGui::IsItemHovered() || panning_) return;
  const ImVec2 mp = ImGui::GetIO().MousePos;
  const plot::Point m{mp.x - origin.x, mp.y - origin.y};
  const int plotIndex = frame.plotAt(m);
  if (plotIndex < 0) return;
  hover.active = true;
  hover.plot = plotIndex;
  hover.xU = frame.plots[static_cast<std::size_t>(plotIndex)].x.toAxis(m.x);
  hover.values = plot::hoverValues(figure, state, hover.xU);
}

void PlotView::paintHover(ImDrawList* dl, const plot::Figure& figure) const {
  if (!hover.active || frame.plots.empty()) return;
  const plot::Theme theme = themeFromStyle();
  const float x = static_cast<float>(frame.plots.front().x.toPixel(hover.xU));
  dl->AddLine(toScreen({x, frame.plots.front().area.y}), toScreen({x, frame.plots.back().area.bottom()}),
              toU32(plot::withAlpha(theme.text, 110)), 1.0f);
  for (const plot::HoverValue& h : hover.values) {
    const plot::PlotFrame& pf = frame.plots[h.plot];
    const double ux = plot::toAxis(h.x, frame.xScale);
    const double uy = plot::toAxis(h.y, figure.plots[h.plot].y.scale, h.yLog10);
    if (std::isnan(ux) || std::isnan(uy)) continue;
    const plot::Point p{pf.x.toPixel(ux), pf.y.toPixel(uy)};
    if (!pf.area.contains(p)) continue;
    dl->AddCircleFilled(toScreen(p), 3.5f * uiScale, toU32(h.color));
    dl->AddCircle(toScreen(p), 3.5f * uiScale, toU32(plot::withAlpha(theme.text, 160)), 0, 1.0f);
  }
}

void PlotView::tooltip(const plot::Figure& figure) const {
  if (hover.values.empty()) return;
  const ImFont* font = ImGui::GetFont();
  const std::string xName = figure.x.label.empty() ? "x" : figure.x.label;
  const double x0 = hover.values.front().x;
  ImGui::BeginTooltip();
  ImGui::TextUnformatted((displayText(xName, font) + " = " + plot::formatCount(x0)).c_str());
  std::size_t lastPlot = SIZE_MAX;
  const float fs = ImGui::GetFontSize();
  for (const plot::HoverValue& h : hover.values) {
    if (h.plot != lastPlot) {
      lastPlot = h.plot;
      const plot::Plot& p = figure.plots[h.plot];
      ImGui::TextDisabled("%s", displayText(p.title.empty() ? p.name : p.title, font).c_str());
    }
    // A short line sample in the series' colour and style, then "name: value".
    const ImVec2 c = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float y = c.y + fs * 0.5f;
    const std::vector<plot::Point> sample{{c.x, y}, {c.x + 1.6 * fs, y}};
    for (const auto& seg : plot::dashPolyline(sample, plot::dashPattern(h.style, 1.5 * uiScale)))
      dl->AddLine(ImVec2(static_cast<float>(seg.front().x), y), ImVec2(static_cast<float>(seg.back().x), y),
                  toU32(h.color), 2.0f * uiScale);
    ImGui::Dummy(ImVec2(1.8f * fs, fs));
    ImGui::SameLine();
    std::string line = displayText(h.name, font) + ": " + h.text;
    if (h.x != x0) line += "  (at " + plot::formatCount(h.x) + ")";  // runs sampled at other steps
    ImGui::TextUnformatted(line.c_str());
  }
  ImGui::EndTooltip();
}

// [SECTION] painting
void PlotView::paint(ImDrawList* dl) const {
  const ImFont* font = ImGui::GetFont();
  std::vector<ImVec2> pts;
  auto polyline = [&](const std::vector<plot::Point>& points, ImU32 col, float width) {
    pts.clear();
    for (const plot::Point& p : points) pts.push_back(toScreen(p));
    dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, 0, width);
  };
  for (const plot::Item& item : frame.items) {
    if (const auto* l = std::get_if<plot::LineItem>(&item)) {
      const ImU32 col = toU32(l->color);
      const float w = static_cast<float>(l->width);
      if (l->style == plot::LineStyle::Solid)
        polyline(l->points, col, w);
      else
        for (const auto& dash : plot::dashPolyline(l->points, plot::dashPattern(l->style, l->width)))
          polyline(dash, col, w);
    } else if (const auto* r = std::get_if<plot::RectItem>(&item)) {
      dl->AddRectFilled(toScreen({r->rect.x, r->rect.y}), toScreen({r->rect.right(), r->rect.bottom()}),
                        toU32(r->fill));
    } else if (const auto* p = std::get_if<plot::PolygonItem>(&item)) {
      pts.clear();
      for (const plot::Point& q : p->points) pts.push_back(toScreen(q));
      dl->AddConvexPolyFilled(pts.data(), static_cast<int>(pts.size()), toU32(p->fill));
    } else if (const auto* c = std::get_if<plot::CircleItem>(&item)) {
      dl->AddCircleFilled(toScreen(c->center), static_cast<float>(c->radius), toU32(c->fill));
    } else if (const auto* t = std::get_if<plot::TextItem>(&item)) {
      if (t->rotated) continue;  // not produced for this view (yAxisLabels = false)
      const std::string s = displayText(t->text, font);
      const float size = static_cast<float>(t->size);
      const float w = font->CalcTextSizeA(size, FLT_MAX, 0, s.c_str()).x;
      const ImVec2 at = textTopLeft(*t, w, toScreen(t->at));
      dl->AddText(font, size, at, toU32(t->color), s.c_str());
      if (t->bold) dl->AddText(font, size, ImVec2(at.x + 1, at.y), toU32(t->color), s.c_str());  // faux bold
    }
    // GroupItem: structure for SVG only.
  }
}

}  // namespace attnmd::gui
