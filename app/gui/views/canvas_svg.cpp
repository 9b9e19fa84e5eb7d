#include "app/gui/views/canvas_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/render/depth_layer.h"
#include "app/plot/format.h"
#include "app/plot/frame.h"
#include "app/plot/svg.h"

namespace attnmd::gui {
namespace {

using plot::formatCoord;

// ImU32 is IM_COL32(r, g, b, a): red in the low byte.
std::string paint(const char* attr, ImU32 c) {
  const unsigned r = (c >> IM_COL32_R_SHIFT) & 0xFF, g = (c >> IM_COL32_G_SHIFT) & 0xFF,
                 b = (c >> IM_COL32_B_SHIFT) & 0xFF, a = (c >> IM_COL32_A_SHIFT) & 0xFF;
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  std::string s = std::string(" ") + attr + "=\"" + buf + "\"";
  if (a != 255) s += std::string(" ") + attr + "-opacity=\"" + formatCoord(a / 255.0) + "\"";
  return s;
}

std::string pt(ImVec2 p) {
  return formatCoord(p.x) + "," + formatCoord(p.y);
}

float textWidth(const std::string& text, float size) {
  return static_cast<float>(plot::estimateTextWidth(text, size));
}

// Ascent of sans-serif fonts (~0.76 em): ImGui places text by its top-left, SVG by the baseline.
constexpr float kAscent = 0.76f;
// ImGui's line height for a font of size f: CalcTextSize().y is the font size itself.
constexpr float kLineHeight = 1.f;

struct Svg {
  std::string out;
  ImVec2 shift{0, 0};  // added to every canvas coordinate (the legend strip sits above the canvas)

  ImVec2 at(ImVec2 p) const { return ImVec2(p.x + shift.x, p.y + shift.y); }
  void el(const std::string& s) {
    out += "  ";
    out += s;
    out += '\n';
  }
  void line(ImVec2 a, ImVec2 b, ImU32 col, float w, float dash = 0, float gap = 0) {
    a = at(a);
    b = at(b);
    std::string s = "<line x1=\"" + formatCoord(a.x) + "\" y1=\"" + formatCoord(a.y) + "\" x2=\"" +
                    formatCoord(b.x) + "\" y2=\"" + formatCoord(b.y) + "\"" + paint("stroke", col) +
                    " stroke-width=\"" + formatCoord(w) + "\"";
    if (dash > 0) s += " stroke-dasharray=\"" + formatCoord(dash) + " " + formatCoord(gap) + "\"";
    el(s + "/>");
  }
  void polygon(const std::vector<ImVec2>& pts, const std::string& style) {
    std::string s = "<polygon points=\"";
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (i) s += ' ';
      s += pt(at(pts[i]));
    }
    el(s + "\"" + style + "/>");
  }
  void circle(ImVec2 c, float r, const std::string& style) {
    c = at(c);
    el("<circle cx=\"" + formatCoord(c.x) + "\" cy=\"" + formatCoord(c.y) + "\" r=\"" + formatCoord(r) +
       "\"" + style + "/>");
  }
  void rect(ImVec2 a, ImVec2 b, const std::string& style, float rounding = 0) {
    a = at(a);
    b = at(b);
    std::string s = "<rect x=\"" + formatCoord(a.x) + "\" y=\"" + formatCoord(a.y) + "\" width=\"" +
                    formatCoord(b.x - a.x) + "\" height=\"" + formatCoord(b.y - a.y) + "\"";
    if (rounding > 0) s += " rx=\"" + formatCoord(rounding) + "\"";
    el(s + style + "/>");
  }
  // `topLeft` as ImGui::AddText takes it.
  void text(ImVec2 topLeft, float size, ImU32 col, const std::string& t) {
    topLeft = at(topLeft);
    el("<text x=\"" + formatCoord(topLeft.x) + "\" y=\"" + formatCoord(topLeft.y + kAscent * size) +
       "\" font-size=\"" + formatCoord(size) + "\"" + paint("fill", col) + ">" + plot::xmlEscape(t) +
       "</text>");
  }
  // The arrow of draw_util.cpp: shaft shortened by 0.8 head, filled triangular head.
  void arrow(ImVec2 from, ImVec2 to, ImU32 col, float w, float head, float dash, float gap) {
    const float dx = to.x - from.x, dy = to.y - from.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len < 1e-3f) return;
    const float k = std::max(0.f, len - head * 0.8f) / len;
    line(from, ImVec2(from.x + dx * k, from.y + dy * k), col, w, dash, gap);
    const float ux = dx / len, uy = dy / len;
    const ImVec2 base(to.x - ux * head, to.y - uy * head);
    polygon({to, ImVec2(base.x - uy * head * 0.5f, base.y + ux * head * 0.5f),
             ImVec2(base.x + uy * head * 0.5f, base.y - ux * head * 0.5f)},
            paint("fill", col));
  }
  void marker(ImVec2 c, float r, MarkerShape shape, ImU32 fill, ImU32 outline, float w) {
    const std::string style =
        paint("fill", fill) +
        (w > 0 ? paint("stroke", outline) + " stroke-width=\"" + formatCoord(w) + "\"" : "");
    if (shape == MarkerShape::Circle) {
      circle(c, r, style);
    } else {
      const float h = r * 0.9f;  // as drawMarker: a square of the same visual weight
      rect(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), style);
    }
  }
  void star(ImVec2 c, float r, ImU32 fill, ImU32 outline, float w) {
    std::vector<ImVec2> pts;
    for (int k = 0; k < 10; ++k) {
      const float a = -1.5707963f + static_cast<float>(k) * 0.62831853f;
      const float rr = (k % 2 == 0) ? r : r * 0.45f;
      pts.emplace_back(c.x + rr * std::cos(a), c.y + rr * std::sin(a));
    }
    polygon(pts, paint("fill", fill) +
                     (w > 0 ? paint("stroke", outline) + " stroke-width=\"" + formatCoord(w) + "\"" : ""));
  }
  // fill 0: outline only.
  void diamond(ImVec2 c, float r, ImU32 fill, ImU32 col, float w) {
    std::string style = fill ? paint("fill", fill) : std::string(" fill=\"none\"");
    if (w > 0) style += paint("stroke", col) + " stroke-width=\"" + formatCoord(w) + "\"";
    polygon({ImVec2(c.x, c.y - r), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r), ImVec2(c.x - r, c.y)}, style);
  }
  // One shape of the description; `noticeY` is the running top of the notices.
  void shape(const CanvasShape& sh, const CanvasScene& sc, float& noticeY) {
    const float s = sc.scale, fs = sc.fontSize;
    const std::string stroke =
        paint("stroke", sh.color) + " stroke-width=\"" + formatCoord(sh.thickness) + "\"";
    switch (sh.kind) {
      case ShapeKind::Rect:
        rect(sh.a, sh.b, paint("fill", sh.color));
        break;
      case ShapeKind::Line:
        line(sh.a, sh.b, sh.color, sh.thickness);
        break;
      case ShapeKind::DashedLine:
        line(sh.a, sh.b, sh.color, sh.thickness, sh.dash, sh.gap);
        break;
      case ShapeKind::Arrow:
        arrow(sh.a, sh.b, sh.color, sh.thickness, sh.radius, 0, 0);
        break;
      case ShapeKind::DashedArrow:
        arrow(sh.a, sh.b, sh.color, sh.thickness, sh.radius, sh.dash, sh.gap);
        break;
      case ShapeKind::Circle:
        circle(sh.a, sh.radius, " fill=\"none\"" + stroke);
        break;
      case ShapeKind::Disc:
        circle(sh.a, sh.radius, paint("fill", sh.color));
        break;
      case ShapeKind::Marker:
        marker(sh.a, sh.radius, sh.marker, sh.fill, sh.color, sh.thickness);
        break;
      case ShapeKind::Star:
        star(sh.a, sh.radius, sh.fill, sh.color, sh.thickness);
        break;
      case ShapeKind::Diamond:
        diamond(sh.a, sh.radius, sh.fill, sh.color, sh.thickness);
        break;
      case ShapeKind::Text:
        text(sh.a, fs * sh.fontScale, sh.color, sh.text);
        break;
      case ShapeKind::Polygon:
        if (sh.points.size() >= 3)
          polygon(sh.points, (sh.fill ? paint("fill", sh.fill) : std::string(" fill=\"none\"")) +
                                 (sh.thickness > 0 ? stroke + " stroke-linejoin=\"round\"" : std::string()));
        break;
      case ShapeKind::RayLabel: {
        const float pad = 2.f * s;
        const ImVec2 size(textWidth(sh.text, fs), fs * kLineHeight);
        const ImVec2 p = rayLabelPosition(sh, size, pad, sc.min, sc.max);
        rect(ImVec2(p.x - pad, p.y - pad), ImVec2(p.x + size.x + pad, p.y + size.y + pad),
             paint("fill", sh.box), 3.f);
        text(ImVec2(p.x, p.y + (kLineHeight - 1.f) * 0.5f * fs), fs, sh.color, sh.text);
        break;
      }
      case ShapeKind::Notice: {
        const std::vector<std::string> lines =
            wrapNotice(sh.text, sc.min, sc.max, s, [fs](const std::string& t) { return textWidth(t, fs); });
        ImVec2 size(0, fs * kLineHeight * static_cast<float>(lines.size()));
        for (const std::string& line : lines) size.x = std::max(size.x, textWidth(line, fs));
        const NoticeBox b = layoutNotice(sc.min, sc.max, size, s, noticeY);
        rect(b.boxMin, b.boxMax,
             paint("fill", sh.box) + paint("stroke", sh.color) + " stroke-width=\"" + formatCoord(1.5f * s) +
                 "\"",
             4.f * s);
        for (std::size_t k = 0; k < lines.size(); ++k)
          text(ImVec2(b.textPos.x,
                      b.textPos.y + (kLineHeight * static_cast<float>(k) + (kLineHeight - 1.f) * 0.5f) * fs),
               fs, sh.color, lines[k]);
        break;
      }
      case ShapeKind::Hint: {
        const std::vector<std::string> lines =
            wrapHint(sh.text, sc.min, sc.max, s, fs * kLineHeight,
                     [&](const std::string& t) { return textWidth(t, fs); });
        ImVec2 size(0, fs * kLineHeight * static_cast<float>(lines.size()));
        for (const std::string& line : lines) size.x = std::max(size.x, textWidth(line, fs));
        const ImVec2 p = hintPosition(sc.min, sc.max, size, s);
        const float pad = 6.f * s;
        rect(ImVec2(p.x - pad, p.y - pad), ImVec2(p.x + size.x + pad, p.y + size.y + pad),
             paint("fill", sh.box), 3.f);
        for (std::size_t k = 0; k < lines.size(); ++k)
          text(ImVec2(p.x + 0.5f * (size.x - textWidth(lines[k], fs)),
                      p.y + kLineHeight * fs * static_cast<float>(k)),
               fs, sh.color, lines[k]);
        break;
      }
    }
  }
};

float measure(std::string_view text, float size) {
  return static_cast<float>(plot::estimateTextWidth(text, size));
}

LegendLayout svgLegend(const CanvasScene& sc) {
  return layoutLegend(sc.legend, sc.min.x, sc.max.x, 0.f, sc.scale, legendFontSize(sc), measure);
}

}  // namespace

float canvasSvgLegendHeight(const CanvasScene& scene) {
  return svgLegend(scene).height;
}

std::string canvasSvg(const CanvasScene& sc, const CanvasSvgOptions& o) {
  const Palette& pal = palette(sc.theme);
  const float s = sc.scale, fs = sc.fontSize;
  const float W = sc.max.x - sc.min.x, Hc = sc.max.y - sc.min.y;
  const float titleH = o.title.empty() ? 0.f : fs * 1.2f * kLineHeight + 6.f * s;
  const LegendLayout legend = o.legend ? svgLegend(sc) : LegendLayout{};
  const float H = titleH + legend.height + Hc;

  Svg svg;
  svg.out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg.out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + formatCoord(W) +
             "\" height=\"" + formatCoord(H) + "\" viewBox=\"0 0 " + formatCoord(W) + " " + formatCoord(H) +
             "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" stroke-linecap=\"butt\">\n";
  // Everything outside the canvas (title, legend) sits on the canvas colour too, so the file reads as
  // one picture on any page background.
  svg.el("<rect x=\"0\" y=\"0\" width=\"" + formatCoord(W) + "\" height=\"" + formatCoord(H) + "\"" +
         paint("fill", pal.canvasBackground) + "/>");
  if (!o.title.empty())
    svg.el("<text x=\"" + formatCoord(W * 0.5f) + "\" y=\"" + formatCoord(3.f * s + kAscent * fs * 1.2f) +
           "\" text-anchor=\"middle\" font-size=\"" + formatCoord(fs * 1.2f) + "\" font-weight=\"bold\"" +
           paint("fill", pal.text) + ">" + plot::xmlEscape(o.title) + "</text>");

  // ---- legend strip (in canvas x, shifted down by the title)
  if (o.legend && !legend.items.empty()) {
    svg.out += "  <g id=\"legend\">\n";
    svg.shift = ImVec2(-sc.min.x, titleH);
    float unused = 0;
    for (const LegendLayout::Item& it : legend.items) {
      for (const CanvasShape& icon : legendIcon(it.entry->icon, it.icon, sc.theme, s))
        svg.shape(icon, sc, unused);
      svg.text(it.textAt, legendFontSize(sc), pal.text, it.entry->text);
    }
    svg.out += "  </g>\n";
  }

  // ---- the canvas, clipped to its rectangle by a nested viewport (a nested <svg> clips in every
  // renderer; ImageMagick's built-in one drew nothing at all inside a clip-path group)
  const float top = titleH + legend.height;
  svg.shift = ImVec2(-sc.min.x, top - sc.min.y);
  svg.out += "  <svg x=\"0\" y=\"" + formatCoord(top) + "\" width=\"" + formatCoord(W) + "\" height=\"" +
             formatCoord(Hc) + "\" viewBox=\"0 " + formatCoord(top) + " " + formatCoord(W) + " " +
             formatCoord(Hc) + "\" overflow=\"hidden\">\n";
  svg.out += "  <g id=\"canvas\">\n";
  float noticeY = noticeTop(sc.min, s);
  // A 3D view's depth layer (when the scene was built for the GL renderer): every shape of it sorted
  // far to near, after the background and under the labels, as the screen shows it.
  const std::vector<CanvasShape> depthShapes = depthSortedShapes(sc.depth);
  for (std::size_t k = 0; k < sc.shapes.size(); ++k) {
    svg.shape(sc.shapes[k], sc, noticeY);
    if (k == 0)
      for (const CanvasShape& sh : depthShapes) svg.shape(sh, sc, noticeY);
  }
  // Axis names at the positive ends of the axes (kept inside the canvas when an axis is off screen).
  if (o.axisNames)
    for (const AxisNameLabel& l :
         axisNameLabels(sc, fs, [&](const std::string& t) { return textWidth(t, fs); }))
      svg.text(l.at, fs, pal.textMuted, l.text);
  svg.out += "  </g>\n  </svg>\n";
  svg.shift = ImVec2(0, 0);
  svg.el("<rect x=\"0.5\" y=\"" + formatCoord(top + 0.5f) + "\" width=\"" + formatCoord(W - 1) +
         "\" height=\"" + formatCoord(Hc - 1) + "\" fill=\"none\"" + paint("stroke", pal.axis) +
         " stroke-width=\"1\"/>");
  svg.out += "</svg>\n";
  return svg.out;
}

}  // namespace attnmd::gui
