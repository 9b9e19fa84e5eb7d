// A sweep's plan: --grid / --seeds / --shard parsing, the grid expanded into one scene per run, and the
// sweep id that every shard carries (app/cli/sweep.h).
#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "app/cli/sweep.h"
#include "core/generators.h"
#include "core/run.h"
#include "core/run_patch.h"
#include "core/scene_io.h"
#include "core/version.h"

namespace attnmd::cli {
namespace {

using OJson = nlohmann::ordered_json;

constexpr std::uint64_t kMaxSeeds = 1'000'000;
constexpr int kMaxRuns = 10'000'000;

std::string trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// A grid value as JSON: numbers, true/false and null as themselves, anything else as a string
// ("md", "gaussian"). The scene's validation then says when the type is wrong for the field.
OJson gridValue(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "null") return nullptr;
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(x)) return OJson::parse(text);
  return text;
}

// 64-bit FNV-1a: a stable hash of the sweep's inputs (not cryptographic: it tells sweeps apart).
struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void add(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
    h ^= 0xff;  // field separator
    h *= 0x100000001b3ull;
  }
  std::string hex() const {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
    return buf;
  }
};

// The scene field paths a grid may set: every object member path of the scene's JSON whose value is
// not an object, except data, iterations (--iters) and seed (--seeds).
void fieldPaths(const OJson& j, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object())
      fieldPaths(*it, path, out);
    else if (!it->is_array() && path != "written_by" && path != "format" && path != "version")
      out.push_back(path);
  }
}

std::string defaultPointName(const core::Scene& s) {
  std::string name = core::enumName(s.optimizer.name);
  if (s.optimizer.name == core::OptimizerKind::MD || s.optimizer.name == core::OptimizerKind::NMD)
    name += ", p = " + core::formatDouble(s.optimizer.p);
  return name;
}

// The scene of one seed: the data redrawn by the generator (mode.preset set) or only the seed changed.
std::optional<core::Scene> seedScene(const core::Scene& base, const SeedMode& mode, std::uint64_t seed,
                                     std::string& error) {
  core::Scene s = base;
  s.seed = seed;
  if (mode.preset.empty()) return s;
  core::GeneratorOptions g;
  g.n = mode.n;
  g.T = mode.T;
  g.d = mode.d;
  g.seed = seed;
  g.crossAttention = mode.crossAttention;
  try {
    const core::Scene drawn = core::generateScene(mode.preset, g);
    s.dim = drawn.dim;
    s.sequences = drawn.sequences;
    s.model.v = drawn.model.v;
    s.model.query = drawn.model.query;
    s.model.keyMatrix = drawn.model.keyMatrix;
  } catch (const std::exception& e) {
    error = "generator: " + std::string(e.what());
    return std::nullopt;
  }
  return s;
}

// The scene's "generator" field, if any.
std::optional<SeedMode> readSeedMode(const core::Scene& scene, const std::string& where, std::string& error) {
  SeedMode mode;
  if (scene.extrasJson.empty()) return mode;
  const OJson extras = OJson::parse(scene.extrasJson, nullptr, false);
  if (!extras.is_object() || !extras.contains("generator")) return mode;
  const OJson& g = extras["generator"];
  const std::string at = where + ":generator";
  if (!g.is_object() || !g.contains("preset") || !g["preset"].is_string()) {
    error = at + ": expected an object {\"preset\": \"random\", \"n\": 6, \"T\": 8, \"d\": 10}";
    return std::nullopt;
  }
  mode.preset = g["preset"].get<std::string>();
  const core::GeneratorInfo* info = core::findGenerator(mode.preset);
  if (!info || !info->sized) {
    error = at + ".preset: expected random or clusters (a generator drawn from a seed), got \"" +
            mode.preset + "\"";
    return std::nullopt;
  }
  mode.n = info->defaults.n;
  mode.T = info->defaults.T;
  mode.d = info->defaults.d;
  for (const auto& [key, field] :
       {std::pair{"n", &mode.n}, std::pair{"T", &mode.T}, std::pair{"d", &mode.d}}) {
    if (!g.contains(key)) continue;
    if (!g[key].is_number_integer() || g[key].get<long long>() < 1 || g[key].get<long long>() > 100'000'000) {
      error = at + "." + key + ": expected a whole number >= 1";
      return std::nullopt;
    }
    *field = g[key].get<int>();
  }
  if (g.contains("cross_attention")) {
    if (!g["cross_attention"].is_boolean()) {
      error = at + ".cross_attention: expected true or false";
      return std::nullopt;
    }
    mode.crossAttention = g["cross_attention"].get<bool>();
  }
  return mode;
}

// The scene of one run: the seed's scene (data redrawn or not) merge-patched with the grid point, with the
// sweep's seed and iterations; or the error (prefixed with `where`, as parseScene does).
std::optional<core::Scene> buildRunScene(const SweepPlan& plan, const GridPoint& gp, std::uint64_t seed,
                                         const std::string& where, std::string& error) {
  std::optional<core::Scene> base = seedScene(plan.base, plan.seedMode, seed, error);
  if (!base) return std::nullopt;
  core::RunPatch patch;
  patch.patchJson = gp.patchJson;
  core::SceneLoadResult r = core::sceneForRun(*base, patch, where);
  if (!r.ok()) {
    error = r.error();
    return std::nullopt;
  }
  core::Scene s = std::move(r.scene());
  s.seed = seed;  // a grid point never patches the seed: the seed is the sweep's
  s.iterations = plan.iterations;
  if (std::string problem = core::validateScene(s); !problem.empty()) {
    error = where + ":" + problem;
    return std::nullopt;
  }
  return s;
}

}  // namespace

std::optional<GridAxis> parseGridFlag(const std::string& text, std::string& error) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = "--grid: expected KEY=V1,V2,... such as optimizer.p=1.75,2,3; got \"" + text + "\"";
    return std::nullopt;
  }
  GridAxis axis;
  axis.key = trim(text.substr(0, eq));
  const std::string values = text.substr(eq + 1);
  if (trim(values).empty()) {
    error = "--grid " + axis.key + ": the grid is empty (expected KEY=V1,V2,...)";
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= values.size()) {
    const std::size_t comma = std::min(values.find(',', start), values.size());
    std::string v = trim(values.substr(start, comma - start));
    if (v.empty()) {
      error = "--grid " + axis.key + ": an empty value in \"" + values + "\"";
      return std::nullopt;
    }
    if (std::find(axis.values.begin(), axis.values.end(), v) != axis.values.end()) {
      error = "--grid " + axis.key + ": the value " + v + " is listed twice";
      return std::nullopt;
    }
    axis.values.push_back(std::move(v));
    start = comma + 1;
  }
  return axis;
}

std::optional<std::vector<std::uint64_t>> parseSeeds(const std::string& text) {
  const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  std::uint64_t first = 0, last = 0;
  if (const std::size_t dots = text.find(".."); dots != std::string::npos) {
    const auto a = number(std::string_view(text).substr(0, dots));
    const auto b = number(std::string_view(text).substr(dots + 2));
    if (!a || !b || *b < *a) return std::nullopt;
    first = *a;
    last = *b;
  } else {
    const auto n = number(text);
    if (!n || *n == 0) return std::nullopt;
    last = *n - 1;
  }
  if (last - first >= kMaxSeeds) return std::nullopt;
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = first;; ++s) {
    seeds.push_back(s);
    if (s == last) break;
  }
  return seeds;
}

std::optional<Shard> parseShard(const std::string& text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Shard s;
  const char* b = text.data();
  const auto [e1, ec1] = std::from_chars(b, b + slash, s.index);
  const auto [e2, ec2] = std::from_chars(b + slash + 1, b + text.size(), s.count);
  if (ec1 != std::errc() || e1 != b + slash || slash == 0 || ec2 != std::errc() || e2 != b + text.size() ||
      slash + 1 == text.size())
    return std::nullopt;
  if (s.count < 1 || s.index < 1 || s.index > s.count) return std::nullopt;
  return s;
}

std::vector<int> shardRuns(int total, const Shard& s) {
  std::vector<int> ids;
  for (int id = s.index - 1; id < total; id += s.count) ids.push_back(id);
  return ids;
}

std::optional<SweepPlan> planSweep(const core::Scene& scene, const std::string& scenePath,
                                   const std::vector<GridAxis>& axes, const std::vector<std::uint64_t>& seeds,
                                   std::optional<long long> iterations, std::string& error) {
  SweepPlan plan;
  plan.seeds = seeds;
  if (seeds.empty()) {
    error = "--seeds: no seeds";
    return std::nullopt;
  }
  plan.iterations = iterations.value_or(scene.iterations);
  if (plan.iterations < 1 || plan.iterations > core::kMaxIterations) {
    error = "--iters: must be in [1, " + std::to_string(core::kMaxIterations) + "], got " +
            std::to_string(plan.iterations);
    return std::nullopt;
  }
  std::optional<SeedMode> mode = readSeedMode(scene, scenePath, error);
  if (!mode) return std::nullopt;
  plan.seedMode = *mode;

  // [SECTION] grid points
  if (!axes.empty()) {
    core::Scene bare = scene;
    bare.extrasJson.clear();
    std::vector<std::string> paths;
    fieldPaths(OJson::parse(core::sceneToJson(bare)), "", paths);
    std::size_t count = 1;
    for (const GridAxis& a : axes) {
      if (a.values.empty()) {
        error = "--grid " + a.key + ": the grid is empty";
        return std::nullopt;
      }
      if (std::count_if(axes.begin(), axes.end(), [&](const GridAxis& b) { return b.key == a.key; }) > 1) {
        error = "--grid " + a.key + ": the key is given twice";
        return std::nullopt;
      }
      if (a.key == "seed" || a.key == "iterations" || a.key == "format" || a.key == "version" ||
          a.key == "dim") {
        error = "--grid " + a.key + ": not a grid field (" +
                (a.key == "seed"         ? std::string("use --seeds")
                 : a.key == "iterations" ? "use --iters"
                                         : "fixed") +
                ")";
        return std::nullopt;
      }
      if (std::find(paths.begin(), paths.end(), a.key) == paths.end()) {
        std::string known;
        for (const std::string& p : paths)
          if (p != "dim" && p != "seed" && p != "iterations") known += (known.empty() ? "" : ", ") + p;
        error = "--grid " + a.key + ": unknown field path in " + scenePath + " (fields: " + known +
                "; see docs/scene-format.md)";
        return std::nullopt;
      }
      count *= a.values.size();
      if (count > static_cast<std::size_t>(kMaxRuns)) {
        error = "--grid: too many grid points";
        return std::nullopt;
      }
      plan.keys.push_back(a.key);
    }
    for (std::size_t k = 0; k < count; ++k) {  // the last axis varies fastest
      GridPoint gp;
      OJson patch = OJson::object();
      std::size_t rest = k, stride = count;
      for (const GridAxis& a : axes) {
        stride /= a.values.size();
        const std::string& v = a.values[rest / stride];
        rest %= stride;
        gp.values.push_back(v);
        gp.name += (gp.name.empty() ? "" : ", ") + a.key + "=" + v;
        OJson* node = &patch;
        std::size_t start = 0;
        for (std::size_t dot = a.key.find('.'); dot != std::string::npos; dot = a.key.find('.', start)) {
          node = &(*node)[a.key.substr(start, dot - start)];
          start = dot + 1;
        }
        (*node)[a.key.substr(start)] = gridValue(v);
      }
      gp.patchJson = patch.dump();
      plan.points.push_back(std::move(gp));
    }
  } else {
    const core::SceneRuns runs =
        core::readSceneRuns(scene, scenePath, std::numeric_limits<std::size_t>::max());
    if (runs.present && runs.invalid) {
      error = runs.warnings.front();
      return std::nullopt;
    }
    if (runs.present) {
      for (const core::RunPatch& r : runs.runs) plan.points.push_back({r.name, {}, r.patchJson});
    } else {
      plan.points.push_back({"", {}, "{}"});
    }
  }
  if (plan.points.size() * seeds.size() > static_cast<std::size_t>(kMaxRuns)) {
    error = "--seeds: too many runs (" + std::to_string(plan.points.size() * seeds.size()) + ", at most " +
            std::to_string(kMaxRuns) + ")";
    return std::nullopt;
  }

  // [SECTION] every grid point's scene, checked with the first seed (the others differ in data only)
  plan.base = scene;
  Fnv id;
  id.add("attnmd-sweep 1");
  id.add(core::version());  // the generators and the training code are part of what a run is
  id.add(std::to_string(plan.iterations));
  id.add(core::sceneToJson(scene));
  id.add(plan.seedMode.preset + " " + std::to_string(plan.seedMode.n) + " " +
         std::to_string(plan.seedMode.T) + " " + std::to_string(plan.seedMode.d) +
         (plan.seedMode.crossAttention ? " cross" : ""));
  for (const std::string& k : plan.keys) id.add(k);
  for (std::size_t k = 0; k < plan.points.size(); ++k) {
    GridPoint& gp = plan.points[k];
    // Errors name the grid point and the field: "--grid optimizer.p=0.5: optimizer.p: must be in (1, 20]".
    const std::string where = axes.empty() ? scenePath + ":runs[" + std::to_string(k) + "]" : "<grid>";
    std::optional<core::Scene> s = buildRunScene(plan, gp, seeds.front(), where, error);
    if (!s) {
      if (!axes.empty() && error.rfind(where, 0) == 0) {
        error = error.substr(where.size());
        if (!error.empty() && (error[0] == '.' || error[0] == ':')) error = error.substr(1);
        error = "--grid " + gp.name + ": " + error + " (in " + scenePath + ")";
      } else if (error.rfind(where, 0) != 0) {
        error = scenePath + ":" + error;
      }
      return std::nullopt;
    }
    if (gp.name.empty()) gp.name = defaultPointName(*s);
    if (core::svmNormFor(*s) == core::SvmNorm::Lp) {
      const double p = core::svmPFor(*s);
      if (std::find(plan.pValues.begin(), plan.pValues.end(), p) == plan.pValues.end())
        plan.pValues.push_back(p);
    }
    id.add(gp.name);
    id.add(gp.patchJson);
    id.add(core::sceneToJson(*s));
  }
  // Names label the plots' series: make them unique.
  for (std::size_t k = 1; k < plan.points.size(); ++k)
    for (std::size_t m = 0; m < k; ++m)
      if (plan.points[m].name == plan.points[k].name) {
        plan.points[k].name += " (" + std::to_string(k) + ")";
        break;
      }
  std::sort(plan.pValues.begin(), plan.pValues.end());
  id.add(std::to_string(seeds.front()) + ".." + std::to_string(seeds.back()));
  plan.sweepId = id.hex();

  // Band iterations: 20 per decade, round(10^(j/20)), from 1 to the last step.
  for (int j = 0;; ++j) {
    const long long it = std::llround(std::pow(10.0, j / 20.0));
    if (it >= plan.iterations) break;
    if (plan.bandIters.empty() || plan.bandIters.back() != it) plan.bandIters.push_back(it);
  }
  plan.bandIters.push_back(plan.iterations);
  return plan;
}

core::Scene runScene(const SweepPlan& plan, int run) {
  std::string error;
  std::optional<core::Scene> s = buildRunScene(plan, plan.points[static_cast<std::size_t>(plan.pointOf(run))],
                                               plan.seedOf(run), "<sweep run>", error);
  if (!s) throw std::runtime_error(error);  // planSweep checked the point
  return std::move(*s);
}

}  // namespace attnmd::cli
