// What a sweep writes (docs/sweeps.md): sweep.json, runs.csv, curves.csv, summary.csv and the band
// plots, all deterministic functions of the plan and the records in run-id order; and reading a
// shard's files back for sweep-merge.
//
// [SECTION] numbers and CSV fields
// [SECTION] sweep.json, runs.csv, curves.csv
// [SECTION] summary.csv
// [SECTION] band plots
// [SECTION] writing a folder
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "app/cli/outputs.h"
#include "app/cli/sweep.h"
#include "app/plot/csv.h"
#include "app/plot/figure.h"
#include "app/plot/frame.h"
#include "app/plot/palette.h"
#include "app/plot/svg.h"
#include "core/scene_io.h"

namespace attnmd::cli {

using OJson = nlohmann::ordered_json;
constexpr double kSweepNaN = std::numeric_limits<double>::quiet_NaN();

// =====================================================================================================
// [SECTION] numbers and CSV fields
// =====================================================================================================

// Shortest round-trip text, so a merge that parses it back gets the same double; "" for NaN.
std::string csvNumber(double x) {
  if (std::isnan(x)) return "";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

double parseCsvNumber(std::string_view s) {
  if (s.empty()) return kSweepNaN;
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  double x = kSweepNaN;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size()) return kSweepNaN;
  return x;
}

std::vector<std::string> splitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

namespace {

std::string tokensText(const std::vector<int>& t) {
  std::string s;
  for (int x : t) {
    if (!s.empty()) s += ' ';  // appended piecewise: GCC 12 warns (-Wrestrict) on " " + std::string
    s += std::to_string(x);
  }
  return s;
}

std::string oneLine(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

// =====================================================================================================
// [SECTION] sweep.json, runs.csv, curves.csv
// =====================================================================================================

std::string sweepJsonText(const SweepPlan& plan, const Shard& shard) {
  OJson j = OJson::object();
  j["format"] = "attnmd-sweep";
  j["version"] = 1;
  j["sweep_id"] = plan.sweepId;
  j["shard"] = std::to_string(shard.index) + "/" + std::to_string(shard.count);
  j["runs"] = plan.runCount();
  j["iterations"] = plan.iterations;
  j["keys"] = plan.keys;
  OJson points = OJson::array();
  for (const GridPoint& p : plan.points)
    points.push_back(OJson{{"name", p.name}, {"values", p.values}, {"patch", OJson::parse(p.patchJson)}});
  j["points"] = std::move(points);
  j["seeds"] = std::to_string(plan.seeds.front()) + ".." + std::to_string(plan.seeds.back());  // as --seeds
  j["p_values"] = plan.pValues;
  j["band_iterations"] = plan.bandIters;
  return j.dump(2) + "\n";
}

std::vector<std::string> summaryColumns(const SweepPlan& plan) {
  std::vector<std::string> c = {"iterations",
                                "loss",
                                "norm",
                                "corr",
                                "bregman",
                                "corr_optimal",
                                "bregman_optimal",
                                "min_selected_prob",
                                "log10_max_unselected",
                                "margin",
                                "accuracy",
                                "selected_is_optimal",
                                "steps_corr_0.99",
                                "steps_sparse_1e-6"};
  for (double p : plan.pValues) {
    c.push_back("corr_svm_p=" + csvNumber(p));
    c.push_back("bregman_svm_p=" + csvNumber(p));
  }
  return c;
}

std::vector<double> summaryValues(const RunRecord& r) {
  std::vector<double> v = {static_cast<double>(r.iterations),
                           r.loss,
                           r.norm,
                           r.corr,
                           r.bregman,
                           r.corrOptimal,
                           r.bregmanOptimal,
                           r.minSelectedProb,
                           r.log10MaxUnselected,
                           r.margin,
                           r.accuracy,
                           r.selectedIsOptimal ? 1.0 : 0.0,
                           r.stepsCorr,
                           r.stepsSparse};
  for (std::size_t j = 0; j < r.crossCorr.size(); ++j) {
    v.push_back(r.crossCorr[j]);
    v.push_back(r.crossBregman[j]);
  }
  return v;
}

std::string runsCsvHeader(const SweepPlan& plan) {
  std::string h = "run,point,name";
  for (const std::string& k : plan.keys) (h += ',') += plot::csvField(k);
  h += ",seed,status";
  const std::vector<std::string> cols = summaryColumns(plan);
  for (std::size_t c = 0; c < cols.size(); ++c) {
    (h += ',') += plot::csvField(cols[c]);
    if (cols[c] == "accuracy") h += ",selected,optimal";
  }
  return h + "\n";
}

std::string runsCsvRow(const SweepPlan& plan, const RunRecord& r) {
  const int point = plan.pointOf(r.id);
  const GridPoint& gp = plan.points[static_cast<std::size_t>(point)];
  std::string row = std::to_string(r.id) + "," + std::to_string(point) + "," + plot::csvField(gp.name);
  for (const std::string& v : gp.values) (row += ',') += plot::csvField(v);
  (row += ',') += std::to_string(plan.seedOf(r.id)) + "," + plot::csvField(oneLine(r.status));
  const std::vector<std::string> cols = summaryColumns(plan);
  const std::vector<double> values = summaryValues(r);
  for (std::size_t c = 0; c < cols.size(); ++c) {
    (row += ',') += csvNumber(values[c]);
    if (cols[c] == "accuracy") (row += ',') += tokensText(r.selected) + "," + tokensText(r.optimal);
  }
  return row + "\n";
}

std::string runsCsv(const SweepPlan& plan, const std::vector<RunRecord>& records) {
  std::string s = runsCsvHeader(plan);
  for (const RunRecord& r : records) s += runsCsvRow(plan, r);
  return s;
}

std::string curvesCsvHeader() {
  return "run,iteration,bregman,corr,log10_1-s\n";
}

std::string curvesCsvRows(const SweepPlan& plan, const RunRecord& r) {
  std::string s;
  for (std::size_t k = 0; k < plan.bandIters.size(); ++k)
    s += std::to_string(r.id) + "," + std::to_string(plan.bandIters[k]) + "," + csvNumber(r.bandBregman[k]) +
         "," + csvNumber(r.bandCorr[k]) + "," + csvNumber(r.bandLog10Sparsity[k]) + "\n";
  return s;
}

std::string curvesCsv(const SweepPlan& plan, const std::vector<RunRecord>& records) {
  std::string s = curvesCsvHeader();
  for (const RunRecord& r : records) s += curvesCsvRows(plan, r);
  return s;
}

// =====================================================================================================
// [SECTION] summary.csv
// =====================================================================================================

namespace {

struct Stats {
  int count = 0;
  double mean = kSweepNaN, std = kSweepNaN, min = kSweepNaN, max = kSweepNaN;
};

// Over the finite values, in order (so the sums are the same wherever they are computed).
Stats stats(const std::vector<double>& xs) {
  Stats s;
  double sum = 0;
  for (double x : xs) {
    if (!std::isfinite(x)) continue;
    if (s.count == 0) s.min = s.max = x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
    sum += x;
    ++s.count;
  }
  if (s.count == 0) return s;
  s.mean = sum / s.count;
  double ss = 0;
  for (double x : xs)
    if (std::isfinite(x)) ss += (x - s.mean) * (x - s.mean);
  s.std = s.count > 1 ? std::sqrt(ss / (s.count - 1)) : 0.0;  // sample standard deviation
  return s;
}

}  // namespace

std::string summaryCsvFromValues(const SweepPlan& plan, const std::vector<int>& ids,
                                 const std::vector<std::vector<double>>& values) {
  const std::vector<std::string> cols = summaryColumns(plan);
  std::string s = "point,name";
  for (const std::string& k : plan.keys) (s += ',') += plot::csvField(k);
  s += ",metric,runs,mean,std,min,max\n";
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    const GridPoint& gp = plan.points[p];
    for (std::size_t c = 0; c < cols.size(); ++c) {
      std::vector<double> xs;
      for (std::size_t r = 0; r < ids.size(); ++r)
        if (plan.pointOf(ids[r]) == static_cast<int>(p)) xs.push_back(values[r][c]);
      const Stats st = stats(xs);
      s += std::to_string(p) + "," + plot::csvField(gp.name);
      for (const std::string& v : gp.values) (s += ',') += plot::csvField(v);
      (s += ',') += plot::csvField(cols[c]) + "," + std::to_string(st.count) + "," + csvNumber(st.mean) +
                    "," + csvNumber(st.std) + "," + csvNumber(st.min) + "," + csvNumber(st.max) + "\n";
    }
  }
  return s;
}

std::string summaryCsv(const SweepPlan& plan, const std::vector<RunRecord>& records) {
  std::vector<int> ids;
  std::vector<std::vector<double>> values;
  for (const RunRecord& r : records) {
    ids.push_back(r.id);
    values.push_back(summaryValues(r));
  }
  return summaryCsvFromValues(plan, ids, values);
}

// =====================================================================================================
// [SECTION] band plots
// =====================================================================================================

namespace {

struct BandSpec {
  const char* name;   // file name
  const char* title;  // plot title
  const char* yLabel;
  bool log;  // statistics of log10 of the value (a log y axis), else of the value
};

constexpr BandSpec kBands[] = {
    {"bregman", "directional Bregman divergence to the run's own SVM", "D_psi(theta^mm, theta)", true},
    {"corr", "corr(theta, theta^mm) with the run's own SVM", "corr", false},
    {"sparsity", "sparsity max_i (1 - s_i,alpha_i)", "1 - s", true},
};

// Values in axis coordinates (log10 for log plots) of one band metric: [point][iteration] -> stats.
std::vector<std::vector<Stats>> bandStats(const SweepPlan& plan, const BandCurves& curves, std::size_t metric,
                                          bool log) {
  const std::size_t n = plan.bandIters.size();
  std::vector<std::vector<Stats>> out(plan.points.size(), std::vector<Stats>(n));
  for (std::size_t p = 0; p < plan.points.size(); ++p)
    for (std::size_t k = 0; k < n; ++k) {
      std::vector<double> xs;
      for (std::size_t r = 0; r < curves.ids.size(); ++r) {
        if (plan.pointOf(curves.ids[r]) != static_cast<int>(p)) continue;
        double x = curves.values[r][metric][k];
        if (log && metric == 0) x = x > 0 ? std::log10(x) : kSweepNaN;  // bregman; sparsity is log10 already
        xs.push_back(x);
      }
      out[p][k] = stats(xs);
    }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> bandPlotFilesFromCurves(const SweepPlan& plan,
                                                                         const BandCurves& curves) {
  std::vector<std::pair<std::string, std::string>> files;
  const std::size_t n = plan.bandIters.size();
  for (std::size_t metric = 0; metric < std::size(kBands); ++metric) {
    const BandSpec& spec = kBands[metric];
    const auto st = bandStats(plan, curves, metric, spec.log);

    plot::Figure fig;
    fig.x.label = "iteration k";
    fig.x.scale = plot::AxisScale::Log;
    plot::Plot pl;
    pl.name = spec.name;
    pl.title = std::string(spec.title) + ": mean ± std" + (spec.log ? " of log10" : "") + " over " +
               std::to_string(plan.seeds.size()) + (plan.seeds.size() == 1 ? " seed" : " seeds");
    pl.y.label = spec.yLabel;
    pl.y.scale = spec.log ? plot::AxisScale::Log : plot::AxisScale::Linear;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t p = 0; p < plan.points.size(); ++p) {
      plot::Series s;
      s.name = plan.points[p].name;
      s.color = plot::paletteColor(p);
      s.yLog10 = spec.log;
      for (std::size_t k = 0; k < n; ++k) {
        s.x.push_back(static_cast<double>(plan.bandIters[k]));
        s.y.push_back(st[p][k].mean);
        if (st[p][k].count > 0) {
          lo = std::min(lo, st[p][k].mean - st[p][k].std);
          hi = std::max(hi, st[p][k].mean + st[p][k].std);
        }
      }
      pl.series.push_back(std::move(s));
    }
    // The y range holds the bands (data units; log plots only where 10^u stays a normal double).
    if (std::isfinite(lo) && std::isfinite(hi) && hi > lo) {
      if (!spec.log) {
        pl.y.min = lo;
        pl.y.max = hi;
      } else if (lo > -300 && hi < 300) {
        pl.y.min = std::pow(10.0, lo);
        pl.y.max = std::pow(10.0, hi);
      }
    }
    fig.plots.push_back(std::move(pl));

    // The frame as writeSvg lays it out, with one shaded polygon per point under the grid and lines.
    const plot::SvgOptions so;
    plot::FrameOptions fo;
    fo.width = so.width;
    fo.fontSize = so.fontSize;
    fo.lineScale = so.lineScale;
    fo.columnsPerPixel = so.columnsPerPixel;
    fo.theme = so.theme;
    fo.height = 320 + plot::chromeHeight(fig, fo);
    plot::FigureFrame frame = plot::buildFrame(fig, {}, fo);
    if (!frame.plots.empty()) {
      const plot::PlotFrame& pf = frame.plots[0];
      std::vector<plot::Item> polys;
      for (std::size_t p = 0; p < plan.points.size(); ++p) {
        std::vector<plot::Point> upper, lower;
        for (std::size_t k = 0; k < n; ++k) {
          const Stats& s = st[p][k];
          if (s.count == 0 || plan.bandIters[k] < 1) continue;
          const double x = pf.x.toPixel(std::log10(static_cast<double>(plan.bandIters[k])));
          const auto px = [&](double u) { return std::clamp(pf.y.toPixel(u), pf.area.y, pf.area.bottom()); };
          upper.push_back({x, px(s.mean + s.std)});
          lower.push_back({x, px(s.mean - s.std)});
        }
        if (upper.size() < 2) continue;
        std::vector<plot::Point> poly = upper;
        poly.insert(poly.end(), lower.rbegin(), lower.rend());
        polys.push_back(plot::PolygonItem{std::move(poly), plot::withAlpha(plot::paletteColor(p), 56)});
      }
      // Just before the first series' line (after the grid), so the lines are drawn over the bands.
      const plot::Color first = plot::paletteColor(0);
      auto at = std::find_if(frame.items.begin(), frame.items.end(), [&](const plot::Item& it) {
        const auto* line = std::get_if<plot::LineItem>(&it);
        const auto* dot = std::get_if<plot::CircleItem>(&it);
        return (line && line->color == first) || (dot && dot->fill == first);
      });
      frame.items.insert(at, polys.begin(), polys.end());
    }
    files.emplace_back(std::string(spec.name) + ".svg", plot::frameToSvg(frame));

    // The plotted numbers: per point, the mean, mean - std and mean + std (log10 for log plots) and the
    // number of runs at each iteration.
    std::string csv = "iteration";
    const std::string unit = spec.log ? " log10 " : " ";
    for (const GridPoint& gp : plan.points)
      for (const char* what : {"mean", "mean-std", "mean+std", "runs"})
        (csv += ',') += plot::csvField(gp.name + unit + what);
    csv += "\n";
    for (std::size_t k = 0; k < n; ++k) {
      csv += std::to_string(plan.bandIters[k]);
      for (std::size_t p = 0; p < plan.points.size(); ++p) {
        const Stats& s = st[p][k];
        (csv += ',') += csvNumber(s.mean) + "," + csvNumber(s.mean - s.std) + "," +
                        csvNumber(s.mean + s.std) + "," + std::to_string(s.count);
      }
      csv += "\n";
    }
    files.emplace_back(std::string(spec.name) + ".csv", csv);
  }
  return files;
}

BandCurves curvesOf(const std::vector<RunRecord>& records) {
  BandCurves c;
  for (const RunRecord& r : records) {
    c.ids.push_back(r.id);
    c.values.push_back({r.bandBregman, r.bandCorr, r.bandLog10Sparsity});
  }
  return c;
}

std::vector<std::pair<std::string, std::string>> bandPlotFiles(const SweepPlan& plan,
                                                               const std::vector<RunRecord>& records) {
  return bandPlotFilesFromCurves(plan, curvesOf(records));
}

// =====================================================================================================
// [SECTION] writing a folder
// =====================================================================================================

std::string writeSweepFolder(const std::string& dir,
                             const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  if (std::string e = createOutputFolder(dir); !e.empty()) return "--out: " + e;
  for (const auto& [name, text] : files)
    if (std::string e = writeOutputFile((fs::path(dir) / name).string(), text); !e.empty()) return e;
  return {};
}

std::string writeSweepFiles(const std::string& dir, const SweepPlan& plan, const Shard& shard,
                            const std::vector<RunRecord>& records, bool complete) {
  std::vector<std::pair<std::string, std::string>> files = {{"sweep.json", sweepJsonText(plan, shard)},
                                                            {"runs.csv", runsCsv(plan, records)},
                                                            {"curves.csv", curvesCsv(plan, records)}};
  if (complete) {
    files.emplace_back("summary.csv", summaryCsv(plan, records));
    for (auto& f : bandPlotFiles(plan, records)) files.push_back(std::move(f));
  }
  return writeSweepFolder(dir, files);
}

}  // namespace attnmd::cli
