#include "app/plot/svg.h"

#include <cstdio>

#include "app/plot/format.h"

namespace attnmd::plot {
namespace {

std::string hex(Color c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

// ` name="#rrggbb"` plus ` name-opacity="a"` when not opaque.
std::string paint(const char* name, Color c) {
  std::string s = std::string(" ") + name + "=\"" + hex(c) + "\"";
  if (c.a != 255) s += std::string(" ") + name + "-opacity=\"" + formatCoord(c.a / 255.0) + "\"";
  return s;
}

std::string points(const std::vector<Point>& pts) {
  std::string s;
  s.reserve(pts.size() * 14);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (i) s += ' ';
    s += formatCoord(pts[i].x);
    s += ',';
    s += formatCoord(pts[i].y);
  }
  return s;
}

// Baseline offset from the anchor for a vertical alignment (no dominant-baseline: not every renderer
// supports it). Ascent of sans-serif fonts is about 0.76 em; the x-height centre about 0.35 em.
double baseline(VAlign v, double size) {
  switch (v) {
    case VAlign::Top:
      return 0.76 * size;
    case VAlign::Middle:
      return 0.35 * size;
    case VAlign::Bottom:
      return -0.24 * size;
  }
  return 0;
}

const char* anchor(HAlign h) {
  switch (h) {
    case HAlign::Left:
      return "start";
    case HAlign::Center:
      return "middle";
    case HAlign::Right:
      return "end";
  }
  return "start";
}

struct Writer {
  std::string out;
  int depth = 1;
  void line(const std::string& s) {
    out.append(static_cast<std::size_t>(2 * depth), ' ');
    out += s;
    out += '\n';
  }

  void operator()(const LineItem& l) {
    if (l.points.size() < 2) return;
    std::string s = l.points.size() == 2
                        ? "<line x1=\"" + formatCoord(l.points[0].x) + "\" y1=\"" +
                              formatCoord(l.points[0].y) + "\" x2=\"" + formatCoord(l.points[1].x) +
                              "\" y2=\"" + formatCoord(l.points[1].y) + "\""
                        : "<polyline points=\"" + points(l.points) + "\" fill=\"none\"";
    s += paint("stroke", l.color) + " stroke-width=\"" + formatCoord(l.width) + "\"";
    if (l.points.size() > 2) s += " stroke-linejoin=\"round\"";
    const std::vector<double> dash = dashPattern(l.style, l.width);
    if (!dash.empty()) {
      s += " stroke-dasharray=\"";
      for (std::size_t i = 0; i < dash.size(); ++i) {
        if (i) s += ' ';
        s += formatCoord(dash[i]);
      }
      s += "\"";
    }
    line(s + "/>");
  }
  void operator()(const RectItem& r) {
    line("<rect x=\"" + formatCoord(r.rect.x) + "\" y=\"" + formatCoord(r.rect.y) + "\" width=\"" +
         formatCoord(r.rect.w) + "\" height=\"" + formatCoord(r.rect.h) + "\"" + paint("fill", r.fill) +
         "/>");
  }
  void operator()(const PolygonItem& p) {
    line("<polygon points=\"" + points(p.points) + "\"" + paint("fill", p.fill) + "/>");
  }
  void operator()(const CircleItem& c) {
    line("<circle cx=\"" + formatCoord(c.center.x) + "\" cy=\"" + formatCoord(c.center.y) + "\" r=\"" +
         formatCoord(c.radius) + "\"" + paint("fill", c.fill) + "/>");
  }
  void operator()(const TextItem& t) {
    std::string s = "<text";
    if (t.rotated)
      s += " transform=\"translate(" + formatCoord(t.at.x) + "," + formatCoord(t.at.y) +
           ") rotate(-90)\" x=\"0\" y=\"" + formatCoord(baseline(t.v, t.size)) + "\"";
    else
      s += " x=\"" + formatCoord(t.at.x) + "\" y=\"" + formatCoord(t.at.y + baseline(t.v, t.size)) + "\"";
    if (t.h != HAlign::Left) s += std::string(" text-anchor=\"") + anchor(t.h) + "\"";
    if (t.size != 12) s += " font-size=\"" + formatCoord(t.size) + "\"";
    if (t.bold) s += " font-weight=\"bold\"";
    s += paint("fill", t.color);
    line(s + ">" + xmlEscape(t.text) + "</text>");
  }
  void operator()(const GroupItem& g) {
    if (g.id.empty()) {
      --depth;
      line("</g>");
    } else {
      line("<g id=\"" + xmlEscape(g.id) + "\">");
      ++depth;
    }
  }
};

}  // namespace

std::string xmlEscape(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        s += "&amp;";
        break;
      case '<':
        s += "&lt;";
        break;
      case '>':
        s += "&gt;";
        break;
      case '"':
        s += "&quot;";
        break;
      case '\'':
        s += "&apos;";
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        s += ch;
    }
  }
  return s;
}

std::string frameToSvg(const FigureFrame& frame) {
  Writer w;
  const std::string W = formatCoord(frame.width), H = formatCoord(frame.height);
  w.out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  w.out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + W + "\" height=\"" + H +
           "\" viewBox=\"0 0 " + W + " " + H +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\" "
           "stroke-linecap=\"butt\">\n";
  for (const Item& item : frame.items) std::visit(w, item);
  w.out += "</svg>\n";
  return w.out;
}

std::string writeSvg(const Figure& figure, const ViewState& view, const SvgOptions& options) {
  FrameOptions fo;
  fo.width = options.width;
  fo.fontSize = options.fontSize;
  fo.lineScale = options.lineScale;
  fo.columnsPerPixel = options.columnsPerPixel;
  fo.theme = options.theme;
  fo.height = options.plotHeight * static_cast<double>(figure.plots.size()) + chromeHeight(figure, fo);
  return frameToSvg(buildFrame(figure, view, fo));
}

}  // namespace attnmd::plot
