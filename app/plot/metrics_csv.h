// The run history as CSV (docs/scene-format.md, "DIR/metrics.csv"): one writer for
// `attnmd-cli train`/`figure` and the app's CSV export and export bundle, so both always write the same
// columns. Every core::MetricsPoint field has a column; NaN is an empty cell.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/history.h"

namespace attnmd::plot {

// One metrics.csv row: a stored step and the tokens selected there (empty when unknown).
struct MetricsRow {
  core::MetricsPoint point;
  std::vector<int> selected;
};

// The required columns, in order (scene-format.md); more follow them (metricsCsvColumns() lists all).
extern const char* const kRequiredMetricsColumns[9];

// The numeric columns after "iter", in order, with the MetricsPoint field each reads: one table for the
// CSV and for the CLI's JSON (result.json "metrics"), so the two never disagree.
struct MetricsColumn {
  const char* name;
  double core::MetricsPoint::*field;
};
std::span<const MetricsColumn> metricsValueColumns();

// Every column name of metricsCsv, in order.
std::vector<std::string> metricsCsvColumns();

// Header + one row per entry (callers pass them ascending in iter). NaN -> empty cell; `selected` as
// space-separated token indices (one cell, no quoting needed).
std::string metricsCsv(const std::vector<MetricsRow>& rows);

// Rows of stored points, with the selections looked up in `selections` (History::selections(); a
// point whose index is outside it gets an empty selection).
std::vector<MetricsRow> metricsRows(std::span<const core::MetricsPoint> points,
                                    std::span<const std::vector<int>> selections = {});

}  // namespace attnmd::plot
