// [SECTION] helpers, legend, placement
// [SECTION] pieces shared with the 3D view: rays, arrows, tokens, notices
// [SECTION] keeping shapes drawable (huge or infinite screen coordinates)
// [SECTION] build: grid, theory (margin lines, rays, query arrows, v), tokens, notices
#include "app/gui/views/canvas_scene.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/views/canvas_trails.h"
#include "app/plot/geometry.h"

namespace attnmd::gui {
namespace {

template <class T>
const T* at(const std::vector<T>& v, int i) {
  return i >= 0 && i < static_cast<int>(v.size()) ? &v[static_cast<std::size_t>(i)] : nullptr;
}

CanvasShape shape(ShapeKind kind, ImVec2 a, ImVec2 b = ImVec2(0, 0)) {
  CanvasShape s;
  s.kind = kind;
  s.a = a;
  s.b = b;
  return s;
}

}  // namespace

// =================================================================================================
// [SECTION] helpers, legend, placement
// =================================================================================================

std::string canvasNumber(double v, const char* fmt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  std::string s = buf;
  if (!s.empty() && s[0] == '-') s = "\xE2\x88\x92" + s.substr(1);
  return s;
}

float tokenMarkerRadius(const CanvasOverlay& ov, int seq, int token, float scale) {
  if (!hasValues(ov, seq, token)) return 7.f * scale;
  const double s =
      std::clamp(ov.tokens[static_cast<std::size_t>(seq)][static_cast<std::size_t>(token)].s, 0.0, 1.0);
  return scale * (3.5f + 8.5f * static_cast<float>(std::sqrt(s)));  // area ~ attention weight
}

std::vector<LegendEntry> canvasLegend(core::ModelKind model, bool relaxedSvm) {
  const bool prompt = model == core::ModelKind::Prompt;
  return {{LegendIcon::LabelPlus, "y = +1"},
          {LegendIcon::LabelMinus,
           "y = \xE2\x88\x92"
           "1"},
          {LegendIcon::Selected, "selected (argmax s)"},
          {LegendIcon::Optimal, "optimal (argmax \xCE\xB3)"},
          {LegendIcon::Support, "support"},
          {LegendIcon::ParamRay, prompt ? "p" : "W z\xE1\xB5\xA2"},
          {LegendIcon::SvmRay, prompt ? (relaxedSvm ? "p\xE1\xB5\x90\xE1\xB5\x90 (relaxed SVM)"
                                                    : "p\xE1\xB5\x90\xE1\xB5\x90 (SVM)")
                                      : "W\xE1\xB5\x90\xE1\xB5\x90 z\xE1\xB5\xA2 (SVM)"},
          {LegendIcon::MarginLines, "margin lines"},
          {LegendIcon::V, "v"}};
}

float legendFontSize(const CanvasScene& scene) {
  return scene.fontSize * 0.9f;  // a notch smaller than the UI text
}

LegendLayout layoutLegend(const std::vector<LegendEntry>& entries, float left, float right, float top,
                          float s, float fs, const TextMeasure& measure) {
  LegendLayout L;
  const float icon = 22.f * s, gap = 10.f * s, pad = 6.f * s;
  left += pad;
  right -= pad;
  ImVec2 at(left, top + pad * 0.6f);
  for (const LegendEntry& e : entries) {
    const float w = icon + measure(e.text, fs);
    if (at.x + w > right && at.x > left) {
      at.x = left;
      at.y += fs + 5.f * s;
    }
    L.items.push_back(
        {&e, at, ImVec2(at.x + icon * 0.5f - 2.f * s, at.y + fs * 0.5f), ImVec2(at.x + icon, at.y)});
    at.x += w + gap;
  }
  L.height = entries.empty() ? 0.f : at.y + fs + pad - top;
  return L;
}

std::vector<CanvasShape> legendIcon(LegendIcon icon, ImVec2 c, ThemeKind theme, float s) {
  const Palette& pal = palette(theme);
  const ImU32 grey = pal.textMuted;
  auto marker = [&](float r, MarkerShape m) {
    CanvasShape sh;
    sh.kind = ShapeKind::Marker;
    sh.a = c;
    sh.radius = r;
    sh.marker = m;
    sh.fill = grey;
    return sh;
  };
  auto line = [&](ShapeKind kind, ImU32 col, float w) {
    CanvasShape sh;
    sh.kind = kind;
    sh.a = ImVec2(c.x - 10 * s, c.y);
    sh.b = ImVec2(c.x + 10 * s, c.y);
    sh.color = col;
    sh.thickness = w;
    return sh;
  };
  switch (icon) {
    case LegendIcon::LabelPlus:
      return {marker(5.f * s, MarkerShape::Circle)};
    case LegendIcon::LabelMinus:
      return {marker(5.f * s, MarkerShape::Square)};
    case LegendIcon::Selected: {
      CanvasShape ring;
      ring.kind = ShapeKind::Circle;
      ring.a = c;
      ring.radius = 7.f * s;
      ring.color = pal.foreground;
      ring.thickness = 2.f * s;
      return {marker(3.5f * s, MarkerShape::Circle), ring};
    }
    case LegendIcon::Optimal: {
      CanvasShape star;
      star.kind = ShapeKind::Star;
      star.a = c;
      star.radius = 6.f * s;
      star.fill = pal.optimal;
      star.color = pal.markerOutline;
      star.thickness = 1.f * s;
      return {star};
    }
    case LegendIcon::Support: {
      CanvasShape d;
      d.kind = ShapeKind::Diamond;
      d.a = c;
      d.radius = 5.5f * s;
      d.fill = pal.svm;
      d.color = pal.canvasBackground;
      d.thickness = 1.f * s;
      return {d};
    }
    case LegendIcon::ParamRay:
      return {line(ShapeKind::Line, pal.foreground, 2.5f * s)};
    case LegendIcon::SvmRay: {
      CanvasShape l = line(ShapeKind::DashedLine, pal.svm, 2.5f * s);
      l.dash = 6 * s;
      l.gap = 3 * s;
      return {l};
    }
    case LegendIcon::MarginLines:
      return {line(ShapeKind::Line, withAlpha(grey, 0.8f), 1.2f * s)};
    case LegendIcon::V: {
      CanvasShape l = line(ShapeKind::Arrow, pal.vArrow, 2.f * s);
      l.radius = 8.f * s;
      return {l};
    }
  }
  return {};
}

ImVec2 rayLabelPosition(const CanvasShape& l, ImVec2 sz, float pad, ImVec2 clipMin, ImVec2 clipMax) {
  const float dx = l.b.x - l.a.x, dy = l.b.y - l.a.y;
  const float len = std::max(std::sqrt(dx * dx + dy * dy), 1e-3f);
  const float nx = -dy / len * l.side, ny = dx / len * l.side;  // unit normal on the chosen side
  const float off = 0.5f * std::sqrt(sz.x * sz.x * nx * nx + sz.y * sz.y * ny * ny) + 4.f * pad;
  ImVec2 c(l.a.x + l.along * dx + nx * off, l.a.y + l.along * dy + ny * off);
  // std::clamp needs lo <= hi; a label wider than the canvas is centred instead.
  auto keepIn = [](float v, float lo, float hi) {
    return lo <= hi ? std::clamp(v, lo, hi) : 0.5f * (lo + hi);
  };
  c.x = keepIn(c.x, clipMin.x + sz.x * 0.5f + pad, clipMax.x - sz.x * 0.5f - pad);
  c.y = keepIn(c.y, clipMin.y + sz.y * 0.5f + pad, clipMax.y - sz.y * 0.5f - pad);
  return ImVec2(c.x - sz.x * 0.5f, c.y - sz.y * 0.5f);
}

float noticeTop(ImVec2 canvasMin, float scale) {
  return canvasMin.y + 10 * scale;
}

std::vector<std::string> wrapNotice(const std::string& text, ImVec2 mn, ImVec2 mx, float s,
                                    const std::function<float(const std::string&)>& width) {
  const float room = (mx.x - mn.x) - 32 * s;  // layoutNotice: 8 px to the edge and 8 px of box padding
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    const std::string longer = line.empty() ? word : line + " " + word;
    if (!line.empty() && width(longer) > room) {
      lines.push_back(line);
      line = word;
    } else {
      line = longer;
    }
    start = end + 1;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

NoticeBox layoutNotice(ImVec2 mn, ImVec2 mx, ImVec2 sz, float s, float& y) {
  NoticeBox b;
  const float x = std::max(mn.x + 8 * s, 0.5f * (mn.x + mx.x) - 0.5f * sz.x);
  b.boxMin = ImVec2(x - 8 * s, y - 5 * s);
  b.boxMax = ImVec2(x + sz.x + 8 * s, y + sz.y + 5 * s);
  b.textPos = ImVec2(x, y);
  y += sz.y + 16 * s;
  return b;
}

std::vector<std::string> wrapHint(const std::string& text, ImVec2 mn, ImVec2 mx, float s, float lineHeight,
                                  const std::function<float(const std::string&)>& width) {
  const std::string sep = " \xC2\xB7 ";
  const float room = (mx.x - mn.x) - 32 * s;  // as wrapNotice: 8 px to the edge and 8 px of padding
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    const std::string phrase = text.substr(start, end - start);
    const std::string longer = line.empty() ? phrase : line + sep + phrase;
    if (width(longer) <= room) {
      line = longer;
    } else {
      if (!line.empty()) lines.push_back(line);
      line.clear();
      if (width(phrase) <= room) {
        line = phrase;
      } else {  // one phrase wider than the canvas: at its spaces
        std::vector<std::string> parts = wrapNotice(phrase, mn, mx, s, width);
        line = parts.back();
        parts.pop_back();
        lines.insert(lines.end(), parts.begin(), parts.end());
      }
    }
    start = end + sep.size();
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  if (lines.size() > 1 && mx.y - mn.y < 10 * lineHeight) lines.resize(1);
  return lines;
}

ImVec2 hintPosition(ImVec2 mn, ImVec2 mx, ImVec2 sz, float s) {
  const float margin = std::min(30 * s, 0.1f * (mx.y - mn.y));
  return ImVec2(std::max(mn.x + 8 * s, 0.5f * (mn.x + mx.x) - 0.5f * sz.x),
                std::max(mn.y + 6 * s, mx.y - sz.y - margin));
}

// =================================================================================================
// [SECTION] pieces shared with the 3D view
// =================================================================================================

CanvasScene startCanvasScene(ImVec2 min, ImVec2 max, const CanvasStyle& style,
                             const CanvasSceneOptions& options, std::vector<LegendEntry> legend) {
  CanvasScene out;
  out.min = min;
  out.max = max;
  out.scale = style.scale;
  out.fontSize = options.fontSize;
  out.theme = style.theme;
  out.legend = std::move(legend);
  out.layout.transform.min = min;
  out.layout.transform.max = max;
  out.layout.rayThickness = 2.5f * style.scale;
  CanvasShape bg = shape(ShapeKind::Rect, min, max);
  bg.color = palette(style.theme).canvasBackground;
  out.shapes.push_back(std::move(bg));
  return out;
}

void addOriginDot(CanvasScene& out, ImVec2 origin) {
  CanvasShape dot = shape(ShapeKind::Disc, origin);
  dot.radius = 2.5f * out.scale;
  dot.color = palette(out.theme).axis;
  out.shapes.push_back(std::move(dot));
}

void addPromptRays(CanvasScene& out, const CanvasOverlay& ov, bool paramVisible, ImVec2 pa, ImVec2 pb,
                   bool svmVisible, ImVec2 sa, ImVec2 sb) {
  const Palette& pal = palette(out.theme);
  const float s = out.scale;
  CanvasLayout& L = out.layout;
  // Each ray's label goes on its outer side, away from the other ray: when p has nearly turned onto
  // p^mm the gap between them is too narrow for a label, let alone two.
  float paramSide = +1.f, svmSide = -1.f;
  if (paramVisible && svmVisible) {
    auto outer = [](ImVec2 from, ImVec2 to, ImVec2 otherFrom, ImVec2 otherTo) {
      const ImVec2 d(to.x - from.x, to.y - from.y);
      const ImVec2 here(from.x + 0.72f * d.x, from.y + 0.72f * d.y);
      const ImVec2 there(otherFrom.x + 0.72f * (otherTo.x - otherFrom.x),
                         otherFrom.y + 0.72f * (otherTo.y - otherFrom.y));
      const float towards = -d.y * (there.x - here.x) + d.x * (there.y - here.y);
      return towards > 0 ? -1.f : +1.f;
    };
    paramSide = outer(pa, pb, sa, sb);
    svmSide = outer(sa, sb, pa, pb);
  }
  auto rayLabel = [&](ImVec2 from, ImVec2 to, float side, const char* text, ImU32 col) {
    CanvasShape l = shape(ShapeKind::RayLabel, from, to);
    l.text = text;
    l.along = 0.72f;
    l.side = side;
    l.color = col;
    l.box = pal.panelOverlay;
    out.shapes.push_back(std::move(l));
  };
  // Comparing runs: this run's rays in its colour, so they match its chip, heat map and plot series.
  const ImU32 paramColour = ov.runColour ? ov.runColour : pal.foreground;
  const ImU32 svmColour = ov.runColour ? ov.runColour : pal.svm;
  if (paramVisible) {
    CanvasShape r = shape(ShapeKind::Line, pa, pb);
    r.color = paramColour;
    r.thickness = L.rayThickness;
    out.shapes.push_back(std::move(r));
    L.paramRay = true;
    L.paramRayFrom = pa;
    L.paramRayTo = pb;
    rayLabel(pa, pb, paramSide, "p", paramColour);
    if (ov.runColour) L.runRays.push_back({0, ov.runColour, false, pa, pb});
  }
  if (svmVisible) {
    CanvasShape r = shape(ShapeKind::DashedLine, sa, sb);
    r.color = svmColour;
    r.thickness = L.rayThickness;
    r.dash = 10.f * s;
    r.gap = 6.f * s;
    out.shapes.push_back(std::move(r));
    L.svmRay = true;
    L.svmRayFrom = sa;
    L.svmRayTo = sb;
    rayLabel(sa, sb, svmSide,
             ov.relaxedSvm ? "p\xE1\xB5\x90\xE1\xB5\x90 (relaxed SVM)" : "p\xE1\xB5\x90\xE1\xB5\x90 (SVM)",
             svmColour);
    if (ov.runColour) L.runRays.push_back({0, ov.runColour, true, sa, sb});
  }
}

void addOtherRunRays(CanvasScene& out, const CanvasOverlay& ov,
                     const std::function<bool(const Eigen::VectorXd&, ImVec2&, ImVec2&)>& ray) {
  const float s = out.scale;
  CanvasLayout& L = out.layout;
  for (std::size_t k = 0; k < ov.otherRuns.size(); ++k) {
    const CanvasOverlay::OtherRun& r = ov.otherRuns[k];
    ImVec2 a, b;
    if (r.paramRay.size() > 0 && ray(r.paramRay, a, b)) {
      CanvasShape l = shape(ShapeKind::Line, a, b);
      l.color = r.colour;
      l.thickness = 0.8f * L.rayThickness;
      out.shapes.push_back(std::move(l));
      L.runRays.push_back({static_cast<int>(k) + 1, r.colour, false, a, b});
    }
    if (r.svmRay.size() > 0 && ray(r.svmRay, a, b)) {
      CanvasShape l = shape(ShapeKind::DashedLine, a, b);
      l.color = r.colour;
      l.thickness = 0.8f * L.rayThickness;
      l.dash = 10.f * s;
      l.gap = 6.f * s;
      out.shapes.push_back(std::move(l));
      L.runRays.push_back({static_cast<int>(k) + 1, r.colour, true, a, b});
      CanvasShape label = shape(ShapeKind::RayLabel, a, b);
      label.text = r.name;
      label.along = 0.9f;
      label.side = 1.f;
      label.color = r.colour;
      label.box = palette(out.theme).panelOverlay;
      out.shapes.push_back(std::move(label));
    }
  }
}

void addQueryArrow(CanvasScene& out, ImVec2 from, ImVec2 to, ImU32 colour, bool dashed) {
  const float s = out.scale;
  CanvasShape arrow = shape(dashed ? ShapeKind::DashedArrow : ShapeKind::Arrow, from, to);
  arrow.color = colour;
  arrow.thickness = (dashed ? 2.f : 2.5f) * s;
  arrow.radius = (dashed ? 9.f : 10.f) * s;
  arrow.dash = 6.f * s;
  arrow.gap = 4.f * s;
  out.shapes.push_back(std::move(arrow));
}

void addVArrows(CanvasScene& out, bool trained, ImVec2 origin, ImVec2 tip, ImVec2 trainedTip,
                bool shortened) {
  const Palette& pal = palette(out.theme);
  const float s = out.scale, fontSize = out.fontSize;
  CanvasShape arrow = shape(ShapeKind::Arrow, origin, tip);
  arrow.color = withAlpha(pal.vArrow, trained ? 0.5f : 1.f);
  arrow.thickness = 2.f * s;
  arrow.radius = 10.f * s;
  out.shapes.push_back(std::move(arrow));
  CanvasShape handle = shape(ShapeKind::Circle, tip);
  handle.radius = 5.f * s;
  handle.color = pal.vArrow;
  handle.thickness = 1.5f * s;
  out.shapes.push_back(std::move(handle));
  CanvasShape name = shape(ShapeKind::Text, ImVec2(tip.x + 7 * s, tip.y - fontSize - 1 * s));
  name.text = trained ? "v\xE2\x82\x80" : "v";
  name.color = pal.vArrow;
  out.shapes.push_back(std::move(name));
  out.layout.vTip = tip;
  if (!trained || (trainedTip.x == origin.x && trainedTip.y == origin.y)) return;
  CanvasShape v = shape(ShapeKind::Arrow, origin, trainedTip);
  v.color = pal.vArrow;
  v.thickness = 2.5f * s;
  v.radius = 11.f * s;
  out.shapes.push_back(std::move(v));
  CanvasShape label = shape(ShapeKind::Text, ImVec2(trainedTip.x + 7 * s, trainedTip.y - fontSize - 1 * s));
  label.text = shortened ? "v (trained, shortened)" : "v (trained)";
  label.color = pal.vArrow;
  out.shapes.push_back(std::move(label));
}

std::vector<AxisNameLabel> axisNameLabels(const CanvasScene& sc, float fs,
                                          const std::function<float(const std::string&)>& width) {
  if (sc.axisNames.size() != 2) return {};
  const float s = sc.scale;
  const ImVec2 o0 = sc.layout.transform.toScreen(0, 0);
  const float ax = std::clamp(o0.x, sc.min.x + 4.f * s, sc.max.x - 30.f * s);
  const float ay = std::clamp(o0.y, sc.min.y + fs * 2.f, sc.max.y - 4.f * s);
  const std::string& nx = sc.axisNames[0];
  const std::string& ny = sc.axisNames[1];
  // The vertical axis's name to its left: v's label sits to the right of v's tip, often right there.
  return {{ImVec2(sc.max.x - width(nx) - 6.f * s, ay - fs - 2.f * s), nx},
          {ImVec2(std::max(sc.min.x + 4.f * s, ax - width(ny) - 6.f * s), sc.min.y + 4.f * s), ny}};
}

void addTokenShapes(CanvasScene& out, int seq, int token, ImVec2 c, const TokenMarks& m) {
  const Palette& pal = palette(out.theme);
  const float s = out.scale, r = m.radius;
  CanvasLayout::Marker entry{seq, token, c, r, 0.f, 0.f};
  CanvasShape mk = shape(ShapeKind::Marker, c);
  mk.marker = m.shape;
  mk.radius = r;
  mk.fill = m.colour;
  // Only the selected sequence's markers are outlined (it is where clicks add tokens).
  mk.color = pal.foreground;
  mk.thickness = m.outlined ? 1.5f * s : 0.f;
  out.shapes.push_back(std::move(mk));
  // Colours repeat after six (seven in the dark theme): later rounds get a second channel inside the
  // marker, an inner ring (second round), a bar (third), both (beyond).
  const int cycle = m.cycle;
  if (cycle % 2 == 1) {
    CanvasShape inner = shape(ShapeKind::Circle, c);
    inner.radius = 0.55f * r;
    inner.thickness = std::max(1.f * s, 0.2f * r);
    inner.color = pal.canvasBackground;
    out.shapes.push_back(std::move(inner));
  }
  if (cycle >= 2) {
    CanvasShape bar = shape(ShapeKind::Line, ImVec2(c.x - 0.6f * r, c.y), ImVec2(c.x + 0.6f * r, c.y));
    bar.thickness = std::max(1.f * s, 0.25f * r);
    bar.color = pal.canvasBackground;
    out.shapes.push_back(std::move(bar));
  }
  if (m.queryToken) {
    CanvasShape hole = shape(ShapeKind::Disc, c);  // marks the query token
    hole.radius = std::max(1.5f * s, 0.3f * r);
    hole.color = pal.canvasBackground;
    out.shapes.push_back(std::move(hole));
  }
  // Badges sit on the diagonal just outside the ring: optimal star upper right, support diamond lower
  // left, so neither hides the marker (whose size is the attention weight).
  const float k = std::clamp(m.markScale, 0.5f, 1.f) * s;  // the marks' unit
  const float badge = (r + 6.f * k) * 0.70711f;
  if (m.selected) {
    entry.ringRadius = r + 4.f * k;
    entry.ringThickness = 2.f * k;
    CanvasShape ring = shape(ShapeKind::Circle, c);
    ring.radius = entry.ringRadius;
    ring.thickness = entry.ringThickness;
    ring.color = pal.foreground;
    out.shapes.push_back(std::move(ring));
  }
  if (m.support) {
    CanvasShape d = shape(ShapeKind::Diamond, ImVec2(c.x - badge, c.y + badge));
    d.radius = 5.f * k;
    d.fill = pal.svm;
    d.color = pal.canvasBackground;
    d.thickness = 1.f * k;
    out.shapes.push_back(std::move(d));
  }
  if (m.optimal) {
    CanvasShape star = shape(ShapeKind::Star, ImVec2(c.x + badge, c.y - badge));
    star.radius = 5.5f * k;
    star.fill = pal.optimal;
    star.color = pal.markerOutline;
    star.thickness = 1.f * k;
    out.shapes.push_back(std::move(star));
  }
  out.layout.markers.push_back(entry);
}

void addQueryMarker(CanvasScene& out, ImVec2 c, ImU32 colour) {
  const float s = out.scale, h = 6.f * s;
  for (float sign : {1.f, -1.f}) {
    CanvasShape l = shape(ShapeKind::Line, ImVec2(c.x - h, c.y - sign * h), ImVec2(c.x + h, c.y + sign * h));
    l.color = colour;
    l.thickness = 3.f * s;
    out.shapes.push_back(std::move(l));
  }
}

void addCanvasNotices(CanvasScene& out, const ViewState& view, const CanvasOverlay& ov, bool interactive,
                      const std::string& dimensionNote) {
  const Palette& pal = palette(out.theme);
  auto notice = [&](std::string text, ImU32 col) {
    CanvasShape n;
    n.kind = ShapeKind::Notice;
    n.text = std::move(text);
    n.color = col;
    n.box = pal.panelOverlay;
    out.shapes.push_back(std::move(n));
  };
  if (!ov.svmOk && !ov.svmMessage.empty()) {
    notice("No max-margin direction: " + ov.svmMessage, pal.warning);
    out.layout.svmNotice = true;
  }
  if (ov.tiedSequences > 0)
    notice(ov.svmOk ? "Nothing selected yet (the tokens tie): the SVM shown is the optimal tokens'"
                    : "Nothing selected yet (the tokens tie): the SVM appears once the attention picks",
           pal.textMuted);
  if (!dimensionNote.empty()) notice(dimensionNote, pal.textMuted);
  if (interactive && view.pickSvmTokens)
    notice("Click a token to make it \xCE\xB1\xE1\xB5\xA2 of its sequence (Esc: done)", pal.text);
  if (interactive && !ov.hint.empty()) {
    CanvasShape h;
    h.kind = ShapeKind::Hint;
    h.text = ov.hint;
    h.color = pal.text;
    h.box = pal.panelOverlay;
    out.shapes.push_back(std::move(h));
  }
}

// =================================================================================================
// [SECTION] keeping shapes drawable
// =================================================================================================

namespace {

bool finite(ImVec2 p) {
  return std::isfinite(p.x) && std::isfinite(p.y);
}

// The part of segment a-b inside [lo, hi] (plot's Liang-Barsky, in double); false when none is.
bool clipSegment(ImVec2& a, ImVec2& b, ImVec2 lo, ImVec2 hi) {
  const plot::Rect r{lo.x, lo.y, static_cast<double>(hi.x) - lo.x, static_cast<double>(hi.y) - lo.y};
  double t0 = 0, t1 = 1;
  if (!plot::clipSegmentParameters({a.x, a.y}, {b.x, b.y}, r, t0, t1)) return false;
  const double dx = static_cast<double>(b.x) - a.x, dy = static_cast<double>(b.y) - a.y;
  const ImVec2 from = a;
  a = ImVec2(static_cast<float>(from.x + t0 * dx), static_cast<float>(from.y + t0 * dy));
  b = ImVec2(static_cast<float>(from.x + t1 * dx), static_cast<float>(from.y + t1 * dy));
  return true;
}

}  // namespace

void keepShapesDrawable(CanvasScene& scene) {
  // Tokens far outside the view (coordinates of 1e300 are valid scene data) project to huge or
  // infinite screen points. ImGui tessellates such shapes into billions of vertices or NaNs, so
  // everything is cut to a margin of one canvas size around the canvas first.
  const float w = scene.max.x - scene.min.x, h = scene.max.y - scene.min.y;
  const ImVec2 lo(scene.min.x - w, scene.min.y - h), hi(scene.max.x + w, scene.max.y + h);
  const float maxRadius = 2 * (w + h);
  auto inside = [&](ImVec2 p) {
    return finite(p) && p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y;
  };
  // Compacted in place: this runs every frame, so no second vector.
  std::size_t kept = 0;
  for (CanvasShape& sh : scene.shapes) {
    if (!std::isfinite(sh.radius) || !std::isfinite(sh.thickness)) continue;
    sh.radius = std::min(sh.radius, maxRadius);
    switch (sh.kind) {
      case ShapeKind::Rect:
      case ShapeKind::Notice:
      case ShapeKind::Hint:
        break;  // placed by the builder or the painter inside the canvas
      case ShapeKind::Line:
      case ShapeKind::DashedLine:
      case ShapeKind::RayLabel:
        if (!finite(sh.a) || !finite(sh.b) || !clipSegment(sh.a, sh.b, lo, hi)) continue;
        break;
      case ShapeKind::Arrow:
      case ShapeKind::DashedArrow:
        // Cut, an arrow would get its head in the wrong place: one that runs far off is dropped.
        if (!inside(sh.a) || !inside(sh.b)) continue;
        break;
      default:  // a point shape: invisible when that far out
        if (!inside(sh.a)) continue;
    }
    if (&sh != &scene.shapes[kept]) scene.shapes[kept] = std::move(sh);
    ++kept;
  }
  scene.shapes.resize(kept);
}

// =================================================================================================
// [SECTION] build
// =================================================================================================

namespace {

struct Builder {
  const core::Scene& scene;
  const ViewState& view;
  const CanvasOverlay& ov;
  const CanvasTransform& t;
  const Palette& pal;
  ThemeKind theme;
  float s;
  float fontSize;
  CanvasScene& out;

  void add(CanvasShape sh) { out.shapes.push_back(std::move(sh)); }

  void grid() {
    const double step = niceGridStep(t.pixelsPerUnit, 70.0 * s);
    const Eigen::Vector2d lo = t.worldMin(), hi = t.worldMax();
    const float labelSize = fontSize * 0.85f;
    auto line = [&](ImVec2 a, ImVec2 b, bool axis) {
      CanvasShape l = shape(ShapeKind::Line, a, b);
      l.color = axis ? pal.axis : pal.gridMinor;
      l.thickness = axis ? 1.5f * s : 1.f;
      add(std::move(l));
    };
    auto label = [&](ImVec2 p, double v) {
      CanvasShape txt = shape(ShapeKind::Text, p);
      txt.text = canvasNumber(v, "%g");
      txt.fontScale = 0.85f;
      txt.color = pal.textMuted;
      add(std::move(txt));
    };
    // About one line per 70 px; the count caps the loops where the view is centred so far out (1e300)
    // that adding a step no longer changes the coordinate.
    int lines = 0;
    for (double x = std::ceil(lo.x() / step) * step; x <= hi.x() && lines < 512; x += step, ++lines) {
      const float sx = t.toScreen(x, 0).x;
      const bool axis = std::abs(x) < step * 1e-6;
      line(ImVec2(sx, t.min.y), ImVec2(sx, t.max.y), axis);
      if (!axis) label(ImVec2(sx + 3, t.max.y - labelSize - 3), x);
    }
    for (double y = std::ceil(lo.y() / step) * step; y <= hi.y() && lines < 1024; y += step, ++lines) {
      const float sy = t.toScreen(0, y).y;
      const bool axis = std::abs(y) < step * 1e-6;
      line(ImVec2(t.min.x, sy), ImVec2(t.max.x, sy), axis);
      if (!axis) label(ImVec2(t.min.x + 4, sy - labelSize - 1), y);
    }
  }

  void theory() {
    const int n = scene.sequenceCount();
    // Margin lines first (thin, under everything): support tokens sit on them, the rest beyond.
    if (view.layers.marginLines && ov.svmOk && scene.dim == 2)
      for (int i = 0; i < n && i < static_cast<int>(ov.marginNormal.size()); ++i) {
        ImVec2 a, b;
        const Eigen::VectorXd& nrm = ov.marginNormal[static_cast<std::size_t>(i)];
        if (nrm.size() == 2 && clipLine(t, planar(nrm), ov.marginOffset[static_cast<std::size_t>(i)], a, b)) {
          // Thin and translucent rather than dotted: one line is a handful of triangles, a dotted one
          // hundreds, and 25 sequences of dots cost a software renderer milliseconds per frame.
          CanvasShape l = shape(ShapeKind::Line, a, b);
          l.color = withAlpha(sequenceColour(theme, i), 0.55f);
          l.thickness = 1.2f * s;
          add(std::move(l));
        }
      }

    if (ov.model == core::ModelKind::Prompt) {
      ImVec2 pa, pb, sa, sb;
      const bool paramVisible = ov.paramRay.size() > 0 && clipRay(t, planar(ov.paramRay), pa, pb);
      const bool svmVisible = ov.svmOk && ov.svmRay.size() > 0 && clipRay(t, planar(ov.svmRay), sa, sb);
      addOtherRunRays(out, ov, [&](const Eigen::VectorXd& d, ImVec2& a, ImVec2& b) {
        return clipRay(t, planar(d), a, b);
      });
      addPromptRays(out, ov, paramVisible, pa, pb, svmVisible, sa, sb);
    } else {
      // W z_i and W^mm z_i as arrows from the query point z_i: they rank sequence i's tokens.
      const float len = 0.16f * std::min(t.max.x - t.min.x, t.max.y - t.min.y);
      for (int i = 0; i < n; ++i) {
        const ImVec2 from = t.toScreen(planar(scene.queryOf(i)));
        const ImU32 col = sequenceColour(theme, i);
        auto arrowAlong = [&](const Eigen::VectorXd& q, bool dashed, ImU32 colour) {
          const Eigen::Vector2d d = planar(q);
          const double l = d.norm();
          if (!(l > 1e-300) || !std::isfinite(l)) return;
          const ImVec2 to(from.x + len * static_cast<float>(d.x() / l),
                          from.y - len * static_cast<float>(d.y() / l));
          addQueryArrow(out, from, to, colour, dashed);
        };
        // Comparing runs: each run's arrows in its colour instead of the sequence's.
        for (const CanvasOverlay::OtherRun& r : ov.otherRuns) {
          if (const Eigen::VectorXd* q = at(r.paramQueries, i)) arrowAlong(*q, false, r.colour);
          if (const Eigen::VectorXd* q = at(r.svmQueries, i)) arrowAlong(*q, true, r.colour);
        }
        if (const Eigen::VectorXd* q = at(ov.paramQueries, i))
          arrowAlong(*q, false, ov.runColour ? ov.runColour : col);
        if (ov.svmOk)
          if (const Eigen::VectorXd* q = at(ov.svmQueries, i))
            arrowAlong(*q, true, ov.runColour ? ov.runColour : col);
      }
    }

    // v: the decoder direction that scores tokens (gamma = Y v^T x); its tip is draggable. When v is
    // trained, the handle is its start value v0 and the trained v is drawn along its direction (its
    // norm grows without bound, so the arrow's length is capped).
    if (scene.model.v.size() == scene.dim) {
      const ImVec2 o = t.toScreen(0, 0), tip = t.toScreen(planar(scene.model.v));
      ImVec2 trainedTip = o;
      bool shortened = false;
      if (scene.model.trainV && ov.trainedV.size() == scene.dim) {
        // The trained v's norm grows without bound: its arrow is capped at 30 % of the canvas.
        const Eigen::Vector2d w = planar(ov.trainedV) * t.pixelsPerUnit;
        const double len = w.norm(), cap = 0.3 * std::min(t.max.x - t.min.x, t.max.y - t.min.y);
        if (len > 1e-9 && std::isfinite(len)) {
          const double k = std::min(1.0, cap / len);
          trainedTip = ImVec2(o.x + static_cast<float>(w.x() * k), o.y - static_cast<float>(w.y() * k));
          shortened = k < 1;
        }
      }
      addVArrows(out, scene.model.trainV, o, tip, trainedTip, shortened);
    }
    addOriginDot(out, t.toScreen(0, 0));
  }

  void tokens() {
    const bool queries = scene.model.kind != core::ModelKind::Prompt;
    for (int i = 0; i < scene.sequenceCount(); ++i) {
      const core::Sequence& q = scene.sequences[static_cast<std::size_t>(i)];
      const ImU32 col = sequenceColour(theme, i);
      const bool current = i == view.selectedSequence;
      const int sel = at(ov.selected, i) ? *at(ov.selected, i) : -1;
      const int opt = at(ov.optimal, i) ? *at(ov.optimal, i) : -1;
      const std::vector<char>* support = at(ov.support, i);
      for (int k = 0; k < q.tokens.rows(); ++k) {
        const ImVec2 c = t.toScreen(planar(q.tokens.row(k).transpose()));
        TokenMarks marks;
        marks.shape = shapeForLabel(q.y);
        marks.colour = col;
        marks.cycle = sequenceCycle(out.theme, i);
        marks.radius = tokenMarkerRadius(ov, i, k, s);
        marks.outlined = current;
        marks.queryToken = queries && scene.model.query == core::QueryKind::First && k == 0;
        marks.selected = k == sel;
        marks.support = view.layers.supportMarks && ov.svmOk && support &&
                        k < static_cast<int>(support->size()) && (*support)[static_cast<std::size_t>(k)];
        marks.optimal = view.layers.optimalMarks && k == opt;
        addTokenShapes(out, i, k, c, marks);
      }
      if (queries && scene.model.query == core::QueryKind::Given && q.z.size() == scene.dim) {
        addQueryMarker(out, t.toScreen(planar(q.z)), col);
      }
    }
  }
};

}  // namespace

CanvasScene buildCanvasScene(const core::Scene& scene, const ViewState& view, const CanvasOverlay& overlay,
                             const CanvasTransform& transform, const CanvasStyle& style,
                             const CanvasSceneOptions& options) {
  CanvasScene out = startCanvasScene(transform.min, transform.max, style, options,
                                     canvasLegend(overlay.model, overlay.relaxedSvm));
  out.axisNames = {"x\xE2\x82\x81", "x\xE2\x82\x82"};
  out.layout.transform = transform;
  const Palette& pal = palette(style.theme);
  Builder b{scene, view, overlay, transform, pal, style.theme, style.scale, options.fontSize, out};
  if (view.layers.grid) b.grid();
  addCanvasDirectionTrails(out, scene, overlay, transform);  // under the current rays
  b.theory();
  b.tokens();
  addCanvasNotices(out, view, overlay, options.interactive,
                   scene.dim == 2 ? std::string()
                                  : std::to_string(scene.dim) +
                                        "D scene: showing the x\xE2\x82\x81\xE2\x80\x93x\xE2\x82\x82 "
                                        "plane (edits keep the other coordinates)");
  keepShapesDrawable(out);
  return out;
}

}  // namespace attnmd::gui
