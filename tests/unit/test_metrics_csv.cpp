// The shared metrics.csv writer (app/plot/metrics_csv.h): the contract's columns first and in order,
// one column for every MetricsPoint field, empty cells for NaN, selections looked up per row.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "app/plot/metrics_csv.h"

namespace attnmd::plot {
namespace {

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  std::string c;
  while (std::getline(s, c, ',')) out.push_back(c);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string l;
  while (std::getline(s, l)) out.push_back(l);
  return out;
}

TEST(MetricsCsv, RequiredColumnsComeFirstInOrder) {
  const std::vector<std::string> header = cells(lines(metricsCsv({})).at(0));
  ASSERT_GE(header.size(), 9u);
  for (std::size_t k = 0; k < 9; ++k) EXPECT_EQ(header[k], kRequiredMetricsColumns[k]);
  EXPECT_EQ(header, metricsCsvColumns());
}

TEST(MetricsCsv, EveryMetricsPointFieldHasAColumn) {
  // MetricsPoint is iter, one double per metric, the selection index and a flag. A new double field
  // makes the struct larger than this sum until it gets a column (and this test is updated).
  EXPECT_EQ(sizeof(core::MetricsPoint),
            sizeof(long long) + metricsValueColumns().size() * sizeof(double) + sizeof(std::uint64_t))
      << "a MetricsPoint field is missing from the CSV's column table";
  // Each value lands in its own column.
  core::MetricsPoint p;
  p.iter = 42;
  double v = 1;
  for (const MetricsColumn& c : metricsValueColumns()) p.*(c.field) = (v += 1);
  p.selectedIsOptimal = true;
  const std::vector<std::string> header = cells(lines(metricsCsv({{p, {2, 0, 1}}})).at(0));
  const std::vector<std::string> row = cells(lines(metricsCsv({{p, {2, 0, 1}}})).at(1));
  ASSERT_EQ(row.size(), header.size());
  EXPECT_EQ(row[0], "42");
  v = 1;
  for (const MetricsColumn& c : metricsValueColumns()) {
    const auto col = std::find(header.begin(), header.end(), c.name) - header.begin();
    EXPECT_EQ(std::stod(row[static_cast<std::size_t>(col)]), (v += 1)) << c.name;
  }
  EXPECT_EQ(row[row.size() - 2], "1");
  EXPECT_EQ(row.back(), "2 0 1");
}

TEST(MetricsCsv, NaNIsAnEmptyCellAndNumbersRoundTrip) {
  core::MetricsPoint p;
  p.iter = 0;
  p.loss = 0.1 + 0.2;
  p.log10MaxUnselected = -1234.5;  // far below what a double can hold as 10^x
  const std::vector<std::string> header = cells(lines(metricsCsv({{p, {}}})).at(0));
  const std::vector<std::string> row = cells(lines(metricsCsv({{p, {}}})).at(1));
  ASSERT_EQ(row.size(), header.size());
  EXPECT_EQ(std::stod(row[1]), 0.1 + 0.2);
  EXPECT_EQ(row[3], "") << "corr is NaN";
  EXPECT_EQ(row[6], "-1234.5");
  EXPECT_EQ(row.back(), "");
}

TEST(MetricsCsv, RowsLookUpTheirSelections) {
  std::vector<core::MetricsPoint> pts(3);
  pts[0].selection = 1;
  pts[1].selection = 0;
  pts[2].selection = core::MetricsPoint::kNoSelection;
  const std::vector<std::vector<int>> table{{0, 0}, {1, 2}};
  const std::vector<MetricsRow> rows = metricsRows(pts, table);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].selected, (std::vector<int>{1, 2}));
  EXPECT_EQ(rows[1].selected, (std::vector<int>{0, 0}));
  EXPECT_TRUE(rows[2].selected.empty());
  EXPECT_TRUE(metricsRows(pts).front().selected.empty());
}

}  // namespace
}  // namespace attnmd::plot
