#include "app/gui/panels/generator_panel.h"

#include <imgui.h>

#include <algorithm>
#include <stdexcept>

#include "app/common/assets.h"
#include "app/gui/widgets/ui_util.h"
#include "app/state/doc_extras.h"
#include "core/scene_io.h"

namespace attnmd::gui {

void GeneratorPanel::draw(Document& doc, float scale) {
  const auto gens = core::generators();
  if (gens.empty()) {
    ImGui::TextDisabled("no generators available");
    return;
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
  tip("Which dataset to generate (papers' random setting, clusters, or a toy of math.md \xC2\xA7"
      "8).");
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
      core::Scene s = core::generateScene(gens[static_cast<std::size_t>(choice)].name, options);
      message = doc.apply(cmd::ReplaceScene{
          std::move(s), std::string("generate ") + gens[static_cast<std::size_t>(choice)].name, std::nullopt,
          std::nullopt});
      if (message.empty()) doc.view().refit();  // fit the new data
    } catch (const std::exception& e) {
      message = e.what();
    }
  }
  tip("Replace the scene by a generated one (Ctrl+Z restores the previous scene).");
  ImGui::SameLine();
  if (ImGui::Button("Default scene")) {
    if (auto text = readAsset("assets/scenes/default.json")) {
      auto r = core::parseScene(*text, "default.json");
      if (r.ok()) {
        LoadedDocument d = documentFromScene(std::move(r.scene()));
        message = doc.apply(cmd::ReplaceScene{std::move(d.state.scene), "load the default scene",
                                              d.state.experiment, d.state.runs});
      } else {
        message = r.error();
      }
      if (message.empty()) doc.view().refit();
    }
  }
  tip("Replace the scene by the embedded teaching scene.");

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
      for (int k = 0; k < static_cast<int>(presets.size()); ++k)
        if (ImGui::Selectable(shortName(presets[static_cast<std::size_t>(k)]).c_str(), k == preset))
          preset = k;
      ImGui::EndCombo();
    }
    tip("Scenes shipped with attnmd: the default lesson, the toys of math.md \xC2\xA7"
        "8 and the papers' settings.");
    ImGui::SameLine();
    if (ImGui::Button("Open", ImVec2(-1, 0))) {
      const std::string& path = presets[static_cast<std::size_t>(preset)];
      if (auto text = readAsset(path)) {
        auto r = core::parseScene(*text, path);
        if (r.ok()) {
          LoadedDocument d = documentFromScene(std::move(r.scene()));
          message = doc.apply(cmd::ReplaceScene{std::move(d.state.scene), "open " + shortName(path),
                                                d.state.experiment, d.state.runs});
          if (message.empty()) doc.view().refit();
        } else {
          message = r.error();
        }
      }
    }
    tip("Replace the scene by this preset (Ctrl+Z restores the previous scene).");
  }
  if (!message.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.84f, 0.37f, 0.f, 1.f));
    ImGui::TextWrapped("%s", message.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace attnmd::gui
