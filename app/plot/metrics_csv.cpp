#include "app/plot/metrics_csv.h"

#include <cmath>

#include "core/scene_io.h"

namespace attnmd::plot {

const char* const kRequiredMetricsColumns[9] = {
    "iter",   "loss",    "norm_p", "corr", "bregman", "min_selected_prob", "log10_max_unselected_mass",
    "margin", "accuracy"};

namespace {

// Every numeric field, in column order: the required columns (scene-format.md) first. Adding a
// MetricsPoint field means adding it here: the export is complete by construction, not by memory.
const MetricsColumn kValueColumns[] = {
    {"loss", &core::MetricsPoint::loss},
    {"norm_p", &core::MetricsPoint::normP},
    {"corr", &core::MetricsPoint::corr},
    {"bregman", &core::MetricsPoint::bregman},
    {"min_selected_prob", &core::MetricsPoint::minSelectedProb},
    {"log10_max_unselected_mass", &core::MetricsPoint::log10MaxUnselected},
    {"margin", &core::MetricsPoint::margin},
    {"accuracy", &core::MetricsPoint::accuracy},
    {"mean_selected_prob", &core::MetricsPoint::meanSelectedProb},
    {"corr_optimal", &core::MetricsPoint::corrOptimal},
    {"bregman_optimal", &core::MetricsPoint::bregmanOptimal},
    {"predicted_log10_unselected_mass", &core::MetricsPoint::predictedLog10Unselected},
    {"entropy", &core::MetricsPoint::entropy},
    {"step_size", &core::MetricsPoint::stepSize},
    {"v_norm", &core::MetricsPoint::vNorm},
};
const char* const kTrailingColumns[] = {"selected_is_optimal", "selected"};

std::string cell(double x) {
  return std::isfinite(x) ? core::formatDouble(x) : std::string();
}

std::string joinInts(const std::vector<int>& v, char sep) {
  std::string s;
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (k) s += sep;
    s += std::to_string(v[k]);
  }
  return s;
}

}  // namespace

std::span<const MetricsColumn> metricsValueColumns() {
  return kValueColumns;
}

std::vector<std::string> metricsCsvColumns() {
  std::vector<std::string> c{"iter"};
  for (const MetricsColumn& e : kValueColumns) c.emplace_back(e.name);
  for (const char* t : kTrailingColumns) c.emplace_back(t);
  return c;
}

std::string metricsCsv(const std::vector<MetricsRow>& rows) {
  std::string out;
  for (const std::string& c : metricsCsvColumns()) {
    if (!out.empty()) out += ',';
    out += c;
  }
  out += '\n';
  for (const MetricsRow& r : rows) {
    const core::MetricsPoint& m = r.point;
    out += std::to_string(m.iter);
    for (const MetricsColumn& c : kValueColumns) (out += ',') += cell(m.*(c.field));
    out += m.selectedIsOptimal ? ",1," : ",0,";
    out += joinInts(r.selected, ' ');
    out += '\n';
  }
  return out;
}

std::vector<MetricsRow> metricsRows(std::span<const core::MetricsPoint> points,
                                    std::span<const std::vector<int>> selections) {
  std::vector<MetricsRow> rows;
  rows.reserve(points.size());
  for (const core::MetricsPoint& p : points) {
    MetricsRow r{p, {}};
    if (p.selection < selections.size()) r.selected = selections[p.selection];
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace attnmd::plot
