#include "app/gui/panels/generator_panel.h"

#include <imgui.h>

#include <algorithm>
#include <stdexcept>

#include "app/common/assets.h"
#include "app/gui/widgets/ui_util.h"
#include "app/state/doc_extras.h"
#include "core/scene_io.h"

namespace attnmd::gui {

const std::string& GeneratorPanel::presetNotes(const std::string& path) {
  auto it = notes_.find(path);
  if (it == notes_.end()) {
    const auto text = readAsset(path);
    it = notes_.emplace(path, text ? sceneNotesFromText(*text) : std::string()).first;
  }
  return it->second;
}

std::optional<NewSceneRequest> GeneratorPanel::draw(float scale) {
  std::optional<NewSceneRequest> request;
  const auto gens = core::generators();
  if (gens.empty()) {
    ImGui::TextDisabled("no generators available");
    return request;
  }
  choice = std::clamp(choice, 0, static_cast<int>(gens.size()) - 1);
  ImGui::PushItemWidth(-ImGui::CalcTextSize("sequences n  ").x);
  if (ImGui::BeginCombo("generator", gens[static_cast<std::size_t>(choice)].name)) {
    for (int k = 0; k < static_cast<int>(gens.size()); ++k) {
      if (ImGui::Selectable(gens[static_cast<std::size_t>(k)].name, k == choice)) choice = k;
      tip(gens[static_cast<std::size_t>(k)].description);
    }
    ImGui::EndCombo();
  }
  tip("Which dataset to generate (the papers' random setting, clusters, or one of the papers' toys).");
  ImGui::TextWrapped("%s", gens[static_cast<std::size_t>(choice)].description);
  ImGui::SliderInt("sequences n", &options.n, 1, 64);
  tip("Number of sequences (random and clusters; the toys have fixed data).");
  ImGui::SliderInt("tokens T", &options.T, 2, 32);
  tip("Tokens per sequence.");
  ImGui::SliderInt("dimension d", &options.d, 2, 3);
  tip("Token dimension; the canvas shows the x\xE2\x82\x81\xE2\x80\x93x\xE2\x82\x82 plane, so 2 is the "
      "natural choice.");
  int seed = static_cast<int>(options.seed & 0x7fffffff);
  if (ImGui::InputInt("seed", &seed)) options.seed = static_cast<std::uint64_t>(std::max(0, seed));
  tip("Every random draw of the generated scene comes from this seed.");
  ImGui::Checkbox("cross-attention (free queries)", &options.crossAttention);
  tip("Random scenes: draw a separate query z_i for every sequence.");
  ImGui::PopItemWidth();
  if (ImGui::Button("Generate", ImVec2(120.f * scale, 0))) {
    try {
      const std::string name = gens[static_cast<std::size_t>(choice)].name;
      LoadedDocument d = documentFromScene(core::generateScene(name, options));
      request = NewSceneRequest{std::move(d), name + "-seed" + std::to_string(options.seed)};
      message.clear();
    } catch (const std::exception& e) {
      message = e.what();
    }
  }
  tip("Open a generated scene as a new document (the current one is kept until you say otherwise).");
  ImGui::SameLine();
  if (ImGui::Button("Default scene")) {
    if (auto text = readAsset("assets/scenes/default.json")) {
      auto r = core::parseScene(*text, "default.json");
      if (r.ok()) {
        request = NewSceneRequest{documentFromScene(std::move(r.scene())), "default"};
        message.clear();
      } else {
        message = r.error();
      }
    }
  }
  tip("Open the embedded teaching scene as a new document.");

  // Preset scenes shipped with the app (assets/scenes/*.json: the papers' figures and toys).
  const std::vector<std::string> presets = listAssets("assets/scenes/");
  if (!presets.empty()) {
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled("Preset scenes");
    preset = std::clamp(preset, 0, static_cast<int>(presets.size()) - 1);
    auto shortName = [](const std::string& path) {
      std::string n = path.substr(path.find_last_of('/') + 1);
      return n.size() > 5 ? n.substr(0, n.size() - 5) : n;
    };
    ImGui::SetNextItemWidth(-90.f * scale);
    if (ImGui::BeginCombo("##preset", shortName(presets[static_cast<std::size_t>(preset)]).c_str())) {
      for (int k = 0; k < static_cast<int>(presets.size()); ++k) {
        if (ImGui::Selectable(shortName(presets[static_cast<std::size_t>(k)]).c_str(), k == preset))
          preset = k;
        if (const std::string& notes = presetNotes(presets[static_cast<std::size_t>(k)]); !notes.empty())
          tip(notes.c_str());
      }
      ImGui::EndCombo();
    }
    tip("Scenes shipped with attnmd: the default lesson, the papers' toys and settings.");
    ImGui::SameLine();
    if (ImGui::Button("Open", ImVec2(-1, 0))) {
      const std::string& path = presets[static_cast<std::size_t>(preset)];
      if (auto text = readAsset(path)) {
        auto r = core::parseScene(*text, path);
        if (r.ok()) {
          request = NewSceneRequest{documentFromScene(std::move(r.scene())), shortName(path)};
          message.clear();
        } else {
          message = r.error();
        }
      }
    }
    tip("Open this preset as a new document (the current one is kept until you say otherwise).");
    // What the chosen preset is, before opening it.
    if (const std::string& notes = presetNotes(presets[static_cast<std::size_t>(preset)]); !notes.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      ImGui::TextWrapped("%s", notes.c_str());
      ImGui::PopStyleColor();
    }
  }
  if (!message.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.84f, 0.37f, 0.f, 1.f));
    ImGui::TextWrapped("%s", message.c_str());
    ImGui::PopStyleColor();
  }
  return request;
}

}  // namespace attnmd::gui
