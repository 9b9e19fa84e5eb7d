#include "app/gui/files/autosave_parse.h"

#include <nlohmann/json.hpp>

#include "core/scene_io.h"

namespace attnmd::gui {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kAutosaveVersion = 1;

}  // namespace

std::string parseAutosave(std::string_view text, AutosaveContents& out) {
  const Json j = Json::parse(text, nullptr, false);
  const auto format = j.is_object() ? j.find("format") : j.end();
  if (j.is_discarded() || !j.is_object() || format == j.end() || *format != "attnmd-autosave")
    return "not an attnmd autosave";
  const auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer()) return "has no version";
  if (version->get<long long>() > kAutosaveVersion)
    return "written by a newer attnmd (autosave version " + version->dump() + ")";
  const auto scene = j.find("scene");
  if (scene == j.end() || !scene->is_object()) return "holds no scene";
  out = AutosaveContents{};
  if (auto t = j.find("saved_at"); t != j.end() && t->is_number()) out.savedAt = t->get<double>();
  if (auto d = j.find("document_path"); d != j.end() && d->is_string())
    out.documentPath = d->get<std::string>();
  out.sceneText = core::prettyJson(scene->dump());
  return {};
}

std::string autosaveToJson(const AutosaveContents& contents, long pid, std::string& error) {
  const Json scene = Json::parse(contents.sceneText, nullptr, false);
  if (scene.is_discarded() || !scene.is_object()) {
    error = "autosave: the scene is not JSON";
    return {};
  }
  Json j = Json::object();
  j["format"] = "attnmd-autosave";
  j["version"] = kAutosaveVersion;
  j["saved_at"] = contents.savedAt;
  j["pid"] = pid;
  j["document_path"] = contents.documentPath;
  j["scene"] = scene;
  error.clear();
  return core::prettyJson(j.dump());
}

}  // namespace attnmd::gui
