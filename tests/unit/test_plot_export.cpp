// SVG and CSV export of figures (app/plot/svg.h, csv.h): a text golden for one plot, XML validity by
// xmllint (skipped when it is not installed), escaping, determinism, and CSV columns.
//
// Regenerate the golden after an intended change of the drawing:
//   ATTNMD_UPDATE_GOLDENS=1 ./build/release/unit_tests --gtest_filter='PlotSvg.*'   (then look at the SVG and
//   commit it)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/plot/csv.h"
#include "app/plot/palette.h"
#include "app/plot/run_plots.h"
#include "app/plot/svg.h"

namespace attnmd::plot {
namespace {

namespace fs = std::filesystem;
const double kNaN = std::nan("");

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// A loss-like plot exercising what the writer draws: log y, a dashed second series, a NaN gap,
// values <= 0 (hidden and reported), a reference line, a band, a title and axis labels.
Figure goldenFigure() {
  Figure f;
  f.x.label = "iteration k";
  f.x.scale = AxisScale::Linear;
  Plot p;
  p.name = "loss";
  p.title = "Loss";
  p.y.label = "L(\u03b8)";
  p.y.scale = AxisScale::Log;
  Series a, b;
  a.name = "gd";
  b.name = "nmd, p = 1.75";
  a.color = paletteColor(0);
  b.color = paletteColor(1);
  b.style = LineStyle::Dashed;
  for (int k = 0; k <= 200; ++k) {
    a.x.push_back(k);
    b.x.push_back(k);
    a.y.push_back(std::log1p(std::exp(-0.02 * k)) * (1 + 0.1 * std::sin(0.3 * k)));
    b.y.push_back(k >= 120 && k < 125 ? 0.0 : std::exp(-0.05 * k));  // underflow-like zeros: hidden
  }
  a.y[60] = kNaN;  // a missing value breaks the line
  p.series = {a, b};
  RefLine ref;
  ref.value = 1e-3;
  ref.name = "target 1e-3";
  p.refLines.push_back(ref);
  Band band;
  band.lo = 1e-4;
  band.hi = 1e-3;
  band.color = withAlpha(paletteColor(2), 28);
  p.bands.push_back(band);
  f.plots.push_back(p);
  return f;
}

TEST(PlotSvg, GoldenOfOnePlot) {
  const fs::path golden = fs::path(ATTNMD_FIXTURES) / "golden" / "plot_loss.svg";
  const std::string svg = writeSvg(goldenFigure());
  if (const char* update = std::getenv("ATTNMD_UPDATE_GOLDENS"); update && std::string(update) == "1") {
    fs::create_directories(golden.parent_path());
    writeFile(golden, svg);
    GTEST_SKIP() << "golden rewritten: " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with ATTNMD_UPDATE_GOLDENS=1 to create it";
  const std::string expected = readFile(golden);
  if (svg != expected) {
    const fs::path actual = fs::path(::testing::TempDir()) / "plot_loss.actual.svg";
    writeFile(actual, svg);
    // Report the first differing line, so a reviewer sees what moved.
    std::istringstream e(expected), g(svg);
    std::string le, lg;
    int line = 1;
    while (std::getline(e, le) && std::getline(g, lg) && le == lg) ++line;
    FAIL() << "SVG differs from " << golden << " at line " << line << "\n  expected: " << le
           << "\n  actual:   " << lg << "\n(written to " << actual
           << "; ATTNMD_UPDATE_GOLDENS=1 regenerates the golden)";
  }
}

TEST(PlotSvg, IsDeterministicAndStandalone) {
  const Figure f = goldenFigure();
  const std::string a = writeSvg(f), b = writeSvg(f);
  EXPECT_EQ(a, b);
  EXPECT_EQ(
      a.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"", 0),
      0u);
  EXPECT_NE(a.find("viewBox=\"0 0 640 "), std::string::npos);
  EXPECT_NE(a.find("sans-serif"), std::string::npos);
  EXPECT_NE(a.find("stroke-dasharray"), std::string::npos);  // the dashed series and reference line
  EXPECT_NE(a.find("5 values \u2264 0 hidden"), std::string::npos);
  EXPECT_NE(a.find("<g id=\"plot-loss\">"), std::string::npos);
  EXPECT_EQ(a.substr(a.size() - 7), "</svg>\n");
}

TEST(PlotSvg, EscapesText) {
  EXPECT_EQ(xmlEscape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(xmlEscape(std::string("bell\x07tab\t")), "belltab\t");  // not allowed in XML 1.0: dropped
  EXPECT_EQ(xmlEscape("\u03b8 \u2264 1"), "\u03b8 \u2264 1");       // UTF-8 passes through
  Figure f = goldenFigure();
  f.plots[0].title = "<script>alert('x') & \"y\"</script>";
  const std::string svg = writeSvg(f);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
}

bool haveXmllint() {
  return std::system("xmllint --version > /dev/null 2>&1") == 0;
}

TEST(PlotSvg, PassesXmllint) {
  if (!haveXmllint()) GTEST_SKIP() << "xmllint not installed (Debian: libxml2-utils)";
  // The golden plot, a plot with hostile text, and the full stack of standard plots for two runs.
  Figure hostile = goldenFigure();
  hostile.plots[0].title = "a < b && c > \"d\" \x01";
  hostile.plots[0].series[0].name = "it's <gd>";
  std::vector<RunPlotInput> runs(2);
  runs[0].name = "run <A>";
  runs[1].name = "run & B";
  for (RunPlotInput& r : runs)
    for (long long k = 0; k < 300; ++k) {
      core::MetricsPoint p;
      p.iter = k;
      p.loss = 1.0 / static_cast<double>(k + 1);
      p.normP = 0.1 * static_cast<double>(k);
      p.corr = 1 - 1.0 / static_cast<double>(k + 2);
      p.bregman = 1.0 / static_cast<double>(k + 2);
      p.minSelectedProb = 0.9;
      p.log10MaxUnselected = -static_cast<double>(k);
      p.margin = 0.1;
      r.points.push_back(p);
    }
  runs[0].svmMargin = 0.2;
  const Figure stack = buildRunFigure(runs);
  const std::vector<std::pair<std::string, std::string>> files = {{"golden.svg", writeSvg(goldenFigure())},
                                                                  {"hostile.svg", writeSvg(hostile)},
                                                                  {"stack.svg", writeSvg(stack)}};
  for (const auto& [name, text] : files) {
    const fs::path p = fs::path(::testing::TempDir()) / ("attnmd_xmllint_" + name);
    writeFile(p, text);
    const std::string cmd = "xmllint --noout '" + p.string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << name << " is not well-formed XML (" << p << ")";
  }
}

TEST(PlotCsv, ColumnsAndCells) {
  Figure f;
  f.x.label = "iteration k";
  Plot p;
  p.name = "loss";
  Series a, b;
  a.name = "gd";
  a.x = {0, 1, 2};
  a.y = {1, kNaN, 0.25};
  b.name = "1 - s, \"log\"";
  b.yLog10 = true;
  b.x = {1, 3};
  b.y = {-400, -500.5};
  p.series = {a, b};
  f.plots.push_back(p);
  const std::string csv = writeCsv(f);
  EXPECT_EQ(csv,
            "iteration k,gd,\"log10(1 - s, \"\"log\"\")\"\n"
            "0,1,\n"
            "1,,-400\n"
            "2,0.25,\n"
            "3,,-500.5\n");
  // Several plots: columns prefixed with the plot name; one plot on its own has plain headers.
  Plot q = p;
  q.name = "other";
  q.series.resize(1);
  f.plots.push_back(q);
  const std::string both = writeCsv(f);
  EXPECT_EQ(both.substr(0, both.find('\n')),
            "iteration k,loss: gd,\"loss: log10(1 - s, \"\"log\"\")\",other: gd");
  EXPECT_EQ(writeCsv(f, 1).substr(0, writeCsv(f, 1).find('\n')), "iteration k,gd");
  // Values round-trip.
  Figure g;
  Plot r;
  Series s;
  s.name = "v";
  s.x = {1};
  s.y = {0.1 + 0.2};
  r.series.push_back(s);
  g.plots.push_back(r);
  const std::string c = writeCsv(g);
  EXPECT_EQ(std::strtod(c.substr(c.find('\n') + 3).c_str(), nullptr), 0.1 + 0.2);
  EXPECT_EQ(c.substr(0, 4), "x,v\n");
}

}  // namespace
}  // namespace attnmd::plot
