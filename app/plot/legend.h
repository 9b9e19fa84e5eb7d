// A plot's header row: its title, legend entries and the hidden-values note, flowed left to right and
// wrapped. Legends list every series, or, for overlaid runs (Series::group/role), one entry per run
// (colour) and one per quantity (line style). Used by the frame builder (frame.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/plot/geometry.h"
#include "app/plot/palette.h"
#include "app/plot/view_state.h"

namespace attnmd::plot {

// One flowed header element: the title, a legend entry (sample + text), or the note.
struct HeaderItem {
  enum Kind { Title, Entry, Note } kind = Title;
  std::string text;
  double width = 0;  // px taken in the row (entries: sample, gap and text)
  // entries only
  std::string key;  // ViewState key the entry toggles
  Color color;
  LineStyle style = LineStyle::Solid;
  double lineWidth = 1;
  bool hidden = false;
  Point at;  // placed position (top-left), set by flowHeader
};

HeaderItem headerText(HeaderItem::Kind kind, std::string text, double width);

// Appends the legend entries of `plot`; `entryWidth(text)` is the px an entry with that text takes.
// `groupEntries` false leaves a factored legend's run (group) entries out.
void appendLegend(std::vector<HeaderItem>& out, const Plot& plot, const ViewState& view, const Theme& theme,
                  const std::function<double(const std::string&)>& entryWidth, bool groupEntries = true);

// Places items left to right within [left, right) from `top`, wrapping to new rows of `rowHeight`
// with `gap` between items; returns the number of rows.
int flowHeader(std::vector<HeaderItem>& items, double left, double right, double top, double rowHeight,
               double gap);

}  // namespace attnmd::plot
