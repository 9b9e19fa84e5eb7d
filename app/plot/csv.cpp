#include "app/plot/csv.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "app/plot/format.h"

namespace attnmd::plot {
namespace {

struct Column {
  std::string header;
  const Series* series;
};

std::string table(const std::string& xHeader, const std::vector<Column>& columns) {
  std::vector<double> xs;
  for (const Column& c : columns) {
    const std::size_t n = std::min(c.series->x.size(), c.series->y.size());
    xs.insert(xs.end(), c.series->x.begin(), c.series->x.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());

  std::string out = csvField(xHeader);
  for (const Column& c : columns) {
    out += ',';
    out += csvField(c.header);
  }
  out += "\n";
  std::vector<std::size_t> cursor(columns.size(), 0);  // each series' next point (x ascending)
  for (double x : xs) {
    out += formatCsv(x);
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const Series& s = *columns[k].series;
      const std::size_t n = std::min(s.x.size(), s.y.size());
      std::size_t& i = cursor[k];
      while (i < n && s.x[i] < x) ++i;
      out += ",";
      if (i < n && s.x[i] == x) out += formatCsv(s.y[i]);
    }
    out += "\n";
  }
  return out;
}

std::string header(const Series& s) {
  return s.yLog10 ? "log10(" + s.name + ")" : s.name;
}

}  // namespace

std::string csvField(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string s = "\"";
  for (char c : text) {
    if (c == '"') s += '"';
    s += c;
  }
  return s + "\"";
}

std::string writeCsv(const Figure& figure) {
  std::vector<Column> columns;
  for (const Plot& p : figure.plots)
    for (const Series& s : p.series)
      columns.push_back({figure.plots.size() > 1 ? p.name + ": " + header(s) : header(s), &s});
  return table(figure.x.label.empty() ? "x" : figure.x.label, columns);
}

std::string writeCsv(const Figure& figure, std::size_t plot) {
  std::vector<Column> columns;
  if (plot < figure.plots.size())
    for (const Series& s : figure.plots[plot].series) columns.push_back({header(s), &s});
  return table(figure.x.label.empty() ? "x" : figure.x.label, columns);
}

}  // namespace attnmd::plot
