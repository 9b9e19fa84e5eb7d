// Run patches: the "runs" array of a scene file (core/run_patch.h).
//
// [SECTION] helpers
// [SECTION] reading
// [SECTION] applying and making patches
// [SECTION] writing
#include "core/run_patch.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace attnmd::core {

namespace {

// Ordered, as in scene_io.cpp: a written "runs" entry keeps name, colour, hidden, then its patch.
using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------------
// [SECTION] helpers
// ---------------------------------------------------------------------------------------------------

constexpr const char* kRunsKey = "runs";

// Scene::extrasJson as an object (empty or unparsable text: an empty object; validateScene reports
// the latter).
Json extrasOf(const Scene& scene) {
  if (scene.extrasJson.empty()) return Json::object();
  try {
    Json j = Json::parse(scene.extrasJson);
    if (j.is_object()) return j;
  } catch (const std::exception&) {
  }
  return Json::object();
}

std::string dumpExtras(const Json& extras) {
  return extras.empty() ? std::string() : extras.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The scene as JSON without its "runs" extra: the base every patch applies to.
Json baseDocument(const Scene& base) {
  Json doc = Json::parse(sceneToJson(base));
  doc.erase(kRunsKey);
  return doc;
}

bool isColour(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return false;
  for (std::size_t i = 1; i < 7; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// A short rendering of a JSON value for messages.
std::string shortDump(const Json& j) {
  std::string s = j.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

// parseScene's "<source>:<field>: message" with source "runs[i]" reads "runs[i]:optimizer.p: ...";
// the field is inside the entry, so name it "runs[i].optimizer.p".
std::string fieldPathUnder(const std::string& entry, std::string message) {
  if (message.size() > entry.size() + 1 && message.compare(0, entry.size(), entry) == 0 &&
      message[entry.size()] == ':' && message[entry.size() + 1] != ' ')
    message[entry.size()] = '.';
  return message;
}

// The minimal RFC 7386 merge patch turning `from` into `to` (objects recursively, anything else
// replaced whole; keys missing from `to` become null).
Json mergeDiff(const Json& from, const Json& to) {
  if (!from.is_object() || !to.is_object()) return to;
  Json patch = Json::object();
  for (const auto& [key, value] : from.items())
    if (!to.contains(key)) patch[key] = nullptr;
  for (const auto& [key, value] : to.items()) {
    const auto it = from.find(key);
    if (it == from.end())
      patch[key] = value;
    else if (*it != value)
      patch[key] = mergeDiff(*it, value);
  }
  return patch;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] reading
// ---------------------------------------------------------------------------------------------------

SceneRuns readSceneRuns(const Scene& scene, std::string_view where, std::size_t maxRuns) {
  SceneRuns out;
  const Json extras = extrasOf(scene);
  const auto runs = extras.find(kRunsKey);
  if (runs == extras.end()) return out;
  out.present = true;
  const std::string prefix = where.empty() ? std::string() : std::string(where) + ":";
  if (!runs->is_array() || runs->empty()) {
    out.warnings.push_back(prefix + "runs: expected a non-empty array of run objects");
    out.invalid = true;
    return out;
  }
  const Json base = baseDocument(scene);
  for (std::size_t k = 0; k < runs->size(); ++k) {
    const std::string entry = prefix + "runs[" + std::to_string(k) + "]";
    auto skip = [&](const std::string& message) {
      out.warnings.push_back(message);
      out.invalid = true;
    };
    const Json& item = (*runs)[k];
    if (!item.is_object()) {
      skip(entry + ": expected an object (a merge patch over the scene)");
      continue;
    }
    RunPatch run;
    Json body = item;
    if (auto n = body.find("name"); n != body.end()) {
      if (!n->is_string()) {
        skip(entry + ".name: expected a string");
        continue;
      }
      run.name = n->get<std::string>();
      body.erase(n);
    }
    if (auto c = body.find("colour"); c != body.end()) {
      if (!c->is_string() || !isColour(c->get<std::string>())) {
        skip(entry + ".colour: expected a colour \"#rrggbb\", got " + shortDump(*c));
        continue;
      }
      run.colour = c->get<std::string>();
      body.erase(c);
    }
    if (auto h = body.find("hidden"); h != body.end()) {
      if (!h->is_boolean()) {
        skip(entry + ".hidden: expected true or false, got " + shortDump(*h));
        continue;
      }
      run.hidden = h->get<bool>();
      body.erase(h);
    }
    Json doc = base;
    doc.merge_patch(body);
    if (SceneLoadResult r = parseScene(doc.dump(), entry); !r.ok()) {
      skip(fieldPathUnder(entry, r.error()));
      continue;
    }
    if (out.runs.size() == maxRuns) {
      out.warnings.push_back(prefix + "runs: only the first " + std::to_string(maxRuns) + " of " +
                             std::to_string(runs->size()) + " runs are used");
      break;
    }
    run.patchJson = body.empty() ? "{}" : body.dump();
    out.runs.push_back(std::move(run));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] applying and making patches
// ---------------------------------------------------------------------------------------------------

SceneLoadResult sceneForRun(const Scene& base, const RunPatch& run, std::string_view where) {
  Json doc = baseDocument(base);
  try {
    doc.merge_patch(Json::parse(run.patchJson.empty() ? std::string("{}") : run.patchJson));
  } catch (const std::exception&) {
    return SceneLoadResult{LoadError{std::string(where) + ": the run's patch is not valid JSON"}};
  }
  SceneLoadResult r = parseScene(doc.dump(), where);
  if (!r.ok()) return SceneLoadResult{LoadError{fieldPathUnder(std::string(where), r.error())}};
  return r;
}

std::string makeRunPatch(const Scene& base, const Scene& runScene) {
  const Json from = baseDocument(base), to = baseDocument(runScene);
  // The experiment settings: what a run varies over one dataset.
  static constexpr const char* kTopKeys[] = {"optimizer", "init", "seed"};
  static constexpr const char* kModelKeys[] = {"kind", "query", "rank", "train_v", "loss"};
  Json patch = Json::object();
  const auto diffKey = [](const Json& a, const Json& b, const char* key, Json& into) {
    const auto ia = a.find(key), ib = b.find(key);
    const bool inA = ia != a.end(), inB = ib != b.end();
    if (!inA && !inB) return;
    if (!inB)
      into[key] = nullptr;
    else if (!inA)
      into[key] = *ib;
    else if (*ia != *ib)
      into[key] = mergeDiff(*ia, *ib);
  };
  for (const char* key : kTopKeys) diffKey(from, to, key, patch);
  const Json emptyModel = Json::object();
  const Json& fromModel = from.contains("model") ? from["model"] : emptyModel;
  const Json& toModel = to.contains("model") ? to["model"] : emptyModel;
  Json model = Json::object();
  for (const char* key : kModelKeys) diffKey(fromModel, toModel, key, model);
  if (!model.empty()) patch["model"] = std::move(model);
  return patch.dump();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] writing
// ---------------------------------------------------------------------------------------------------

void writeSceneRuns(Scene& scene, const std::vector<RunPatch>& runs) {
  Json extras = extrasOf(scene);
  if (runs.empty()) {
    extras.erase(kRunsKey);
  } else {
    Json array = Json::array();
    for (const RunPatch& run : runs) {
      Json entry = Json::object();
      entry["name"] = run.name;
      if (!run.colour.empty()) entry["colour"] = run.colour;
      if (run.hidden) entry["hidden"] = true;
      Json body = Json::object();
      try {
        body = Json::parse(run.patchJson.empty() ? std::string("{}") : run.patchJson);
      } catch (const std::exception&) {
      }
      if (body.is_object())
        for (const auto& [key, value] : body.items())
          if (key != "name" && key != "colour" && key != "hidden") entry[key] = value;
      array.push_back(std::move(entry));
    }
    extras[kRunsKey] = std::move(array);
  }
  scene.extrasJson = dumpExtras(extras);
}

}  // namespace attnmd::core
