// `attnmd-cli sweep-merge DIR... --out DIR`: joins the shards of one sweep. Rows are taken as written
// and put in run-id order, and the summary and bands are recomputed from numbers that read back
// exactly (shortest round-trip text), so the result is byte-identical to the sweep run unsharded.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "app/cli/cli.h"
#include "app/cli/sweep.h"

namespace attnmd::cli {
namespace {

using OJson = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::optional<std::string> readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ShardFolder {
  std::string dir;
  OJson header;
  std::string runs, curves;
};

// The plan's fields sweep.json records (enough to write runs.csv, summary.csv and the bands).
std::optional<SweepPlan> planFromHeader(const OJson& j, std::string& error) {
  try {
    SweepPlan plan;
    plan.sweepId = j.at("sweep_id").get<std::string>();
    plan.iterations = j.at("iterations").get<long long>();
    plan.keys = j.at("keys").get<std::vector<std::string>>();
    for (const OJson& p : j.at("points"))
      plan.points.push_back({p.at("name").get<std::string>(), p.at("values").get<std::vector<std::string>>(),
                             p.at("patch").dump()});
    const std::optional<std::vector<std::uint64_t>> seeds = parseSeeds(j.at("seeds").get<std::string>());
    if (!seeds) {
      error = "seeds: expected A..B";
      return std::nullopt;
    }
    plan.seeds = *seeds;
    plan.pValues = j.at("p_values").get<std::vector<double>>();
    plan.bandIters = j.at("band_iterations").get<std::vector<long long>>();
    if (plan.points.empty() || plan.seeds.empty() || j.at("runs").get<long long>() != plan.runCount()) {
      error = "the runs do not match the grid";
      return std::nullopt;
    }
    return plan;
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace

int runSweepMerge(const SweepMergeOptions& o, std::ostream& out, std::ostream& err) {
  if (o.dirs.empty()) {
    err << "sweep-merge: at least one shard folder is needed\n";
    return kExitBadInput;
  }
  if (o.outDir.empty()) {
    err << "--out: an output folder is required\n";
    return kExitBadInput;
  }
  // [SECTION] read every shard; one sweep id
  std::vector<ShardFolder> shards;
  for (const std::string& dir : o.dirs) {
    ShardFolder s;
    s.dir = dir;
    const auto json = readText(fs::path(dir) / "sweep.json");
    const auto runs = readText(fs::path(dir) / "runs.csv");
    const auto curves = readText(fs::path(dir) / "curves.csv");
    if (!json || !runs || !curves) {
      err << dir << ": not a sweep folder (sweep.json, runs.csv and curves.csv are needed)\n";
      return kExitBadInput;
    }
    s.header = OJson::parse(*json, nullptr, false);
    if (!s.header.is_object() || s.header.value("format", "") != "attnmd-sweep" ||
        !s.header.contains("sweep_id") || !s.header["sweep_id"].is_string()) {
      err << (fs::path(dir) / "sweep.json").string() << ": not an attnmd sweep.json (no sweep_id)\n";
      return kExitBadInput;
    }
    if (!shards.empty() && s.header["sweep_id"] != shards.front().header["sweep_id"]) {
      err << dir << ": a shard of another sweep (sweep id " << s.header["sweep_id"].get<std::string>()
          << ", but " << shards.front().dir << " has " << shards.front().header["sweep_id"].get<std::string>()
          << "): merge the shards of one sweep only\n";
      return kExitBadInput;
    }
    s.runs = std::move(*runs);
    s.curves = std::move(*curves);
    shards.push_back(std::move(s));
  }
  std::string error;
  const std::optional<SweepPlan> plan = planFromHeader(shards.front().header, error);
  if (!plan) {
    err << (fs::path(shards.front().dir) / "sweep.json").string() << ": " << error << '\n';
    return kExitBadInput;
  }
  const int total = plan->runCount();

  // [SECTION] rows by run id
  const std::string header = runsCsvHeader(*plan);
  const std::vector<std::string> columns = splitCsvLine(header.substr(0, header.size() - 1));
  const std::vector<std::string> summaryCols = summaryColumns(*plan);
  std::vector<std::size_t> summaryAt;
  for (const std::string& c : summaryCols)
    summaryAt.push_back(
        static_cast<std::size_t>(std::find(columns.begin(), columns.end(), c) - columns.begin()));

  std::vector<std::string> rowOf(static_cast<std::size_t>(total)),
      curveRowsOf(static_cast<std::size_t>(total));
  std::vector<std::string> dirOf(static_cast<std::size_t>(total));
  std::vector<std::vector<double>> summaryOf(static_cast<std::size_t>(total));
  std::vector<std::vector<std::vector<double>>> bandOf(static_cast<std::size_t>(total));
  const std::size_t nb = plan->bandIters.size();
  for (const ShardFolder& s : shards) {
    const std::vector<std::string> lines = splitLines(s.runs);
    if (lines.empty() || lines.front() + "\n" != header) {
      err << (fs::path(s.dir) / "runs.csv").string() << ": its columns differ from sweep.json's grid\n";
      return kExitBadInput;
    }
    for (std::size_t l = 1; l < lines.size(); ++l) {
      const std::vector<std::string> f = splitCsvLine(lines[l]);
      const double idValue = f.empty() ? -1 : parseCsvNumber(f[0]);
      const int id = idValue >= 0 && idValue < total ? static_cast<int>(idValue) : -1;
      if (id < 0 || f.size() != columns.size()) {
        err << (fs::path(s.dir) / "runs.csv").string() << ":" << l + 1 << ": not a row of this sweep\n";
        return kExitBadInput;
      }
      const std::size_t k = static_cast<std::size_t>(id);
      if (!rowOf[k].empty()) {
        err << "run " << id << " is in both " << dirOf[k] << " and " << s.dir
            << ": each run must come from one shard\n";
        return kExitBadInput;
      }
      rowOf[k] = lines[l] + "\n";
      dirOf[k] = s.dir;
      for (std::size_t c : summaryAt) summaryOf[k].push_back(parseCsvNumber(f[c]));
      bandOf[k].assign(3, std::vector<double>(nb, std::numeric_limits<double>::quiet_NaN()));
    }
    const std::vector<std::string> curveLines = splitLines(s.curves);
    if (curveLines.empty() || curveLines.front() + "\n" != curvesCsvHeader()) {
      err << (fs::path(s.dir) / "curves.csv").string() << ": not a sweep's curves.csv\n";
      return kExitBadInput;
    }
    for (std::size_t l = 1; l < curveLines.size(); ++l) {
      const std::vector<std::string> f = splitCsvLine(curveLines[l]);
      const double idValue = f.size() == 5 ? parseCsvNumber(f[0]) : -1;
      const int id = idValue >= 0 && idValue < total ? static_cast<int>(idValue) : -1;
      const auto it = std::find(plan->bandIters.begin(), plan->bandIters.end(),
                                static_cast<long long>(f.size() == 5 ? parseCsvNumber(f[1]) : -1));
      if (id < 0 || dirOf[static_cast<std::size_t>(id)] != s.dir || it == plan->bandIters.end()) {
        err << (fs::path(s.dir) / "curves.csv").string() << ":" << l + 1
            << ": not a row of this shard's runs\n";
        return kExitBadInput;
      }
      const std::size_t k = static_cast<std::size_t>(id),
                        at = static_cast<std::size_t>(it - plan->bandIters.begin());
      curveRowsOf[k] += curveLines[l] + "\n";
      for (std::size_t m = 0; m < 3; ++m) bandOf[k][m][at] = parseCsvNumber(f[m + 2]);
    }
  }
  std::vector<int> missing;
  for (int id = 0; id < total; ++id)
    if (rowOf[static_cast<std::size_t>(id)].empty()) missing.push_back(id);
  if (!missing.empty()) {
    err << "sweep-merge: " << missing.size() << " of " << total << " runs are missing (run";
    for (std::size_t k = 0; k < std::min<std::size_t>(missing.size(), 8); ++k) err << ' ' << missing[k];
    err << (missing.size() > 8 ? " ..." : "") << "): merge every shard of the sweep, each run to the end\n";
    return kExitBadInput;
  }

  // [SECTION] the merged folder, as the unsharded sweep writes it
  OJson merged = shards.front().header;
  merged["shard"] = "1/1";
  std::string runsText = header, curvesText = curvesCsvHeader();
  std::vector<int> ids;
  BandCurves curves;
  for (int id = 0; id < total; ++id) {
    const std::size_t k = static_cast<std::size_t>(id);
    runsText += rowOf[k];
    curvesText += curveRowsOf[k];
    ids.push_back(id);
    curves.ids.push_back(id);
    curves.values.push_back(std::move(bandOf[k]));
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"sweep.json", merged.dump(2) + "\n"},
      {"runs.csv", runsText},
      {"curves.csv", curvesText},
      {"summary.csv", summaryCsvFromValues(*plan, ids, summaryOf)}};
  for (auto& f : bandPlotFilesFromCurves(*plan, curves)) files.push_back(std::move(f));
  if (std::string e = writeSweepFolder(o.outDir, files); !e.empty()) {
    err << e << '\n';
    return kExitBadInput;
  }
  if (!o.quiet)
    out << "merged " << total << " runs from " << shards.size() << " shard" << (shards.size() == 1 ? "" : "s")
        << " into " << o.outDir << '\n';
  return kExitOk;
}

}  // namespace attnmd::cli
