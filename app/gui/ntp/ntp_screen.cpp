// [SECTION] helpers: the canvas's projection, the Hasse diagram's layers
// [SECTION] frame, shortcuts, menu, status bar
// [SECTION] side panel: run, query, warnings, sentences
// [SECTION] canvas: words, collocation, class regions, the query's key direction
// [SECTION] heat map, Hasse diagram
#include "app/gui/ntp/ntp_screen.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes only: the 1.86 GLFW backend indexes io.KeysDown by GLFW keys
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "app/gui/widgets/draw_util.h"
#include "app/gui/widgets/ui_util.h"
#include "app/plot/ntp_plots.h"
#include "app/state/text_format.h"

namespace attnmd::gui {

namespace {

// =================================================================================================
// [SECTION] helpers: the canvas's projection, the Hasse diagram's layers
// =================================================================================================

// Embeddings on the canvas: the plane itself for d = 2; for larger d a fixed linear projection that
// spreads the coordinate axes evenly on a circle (axis j at angle 2 pi j / d), so one-hot vocabularies,
// the papers' setting, sit on a regular polygon and no two words of different coordinates coincide.
Eigen::Vector2d projectWord(const Eigen::VectorXd& e) {
  if (e.size() <= 2) return Eigen::Vector2d(e(0), e.size() > 1 ? e(1) : 0.0);
  Eigen::Vector2d p(0, 0);
  const double step = 2.0 * 3.14159265358979323846 / static_cast<double>(e.size());
  for (Eigen::Index j = 0; j < e.size(); ++j) {
    const double angle = 1.5707963267948966 + step * static_cast<double>(j);  // axis 0 points up
    p += e(j) * Eigen::Vector2d(std::cos(angle), std::sin(angle));
  }
  return p;
}

// World (projected) -> screen: equal scale on both axes, y up, the data and the origin fitted.
struct CanvasMap {
  Eigen::Vector2d centre{0, 0};
  double pixelsPerUnit = 1;
  ImVec2 screenCentre{0, 0};
  ImVec2 toScreen(const Eigen::Vector2d& w) const {
    return ImVec2(screenCentre.x + static_cast<float>((w.x() - centre.x()) * pixelsPerUnit),
                  screenCentre.y - static_cast<float>((w.y() - centre.y()) * pixelsPerUnit));
  }
  Eigen::Vector2d toWorld(ImVec2 s) const {
    return centre +
           Eigen::Vector2d((s.x - screenCentre.x) / pixelsPerUnit, -(s.y - screenCentre.y) / pixelsPerUnit);
  }
};

CanvasMap fitCanvas(const std::vector<Eigen::Vector2d>& points, ImVec2 min, ImVec2 max, float margin) {
  Eigen::Vector2d lo(0, 0), hi(0, 0);  // the origin is always in view: the key directions start there
  for (const Eigen::Vector2d& p : points) {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  const Eigen::Vector2d span = (hi - lo).cwiseMax(Eigen::Vector2d(1e-9, 1e-9));
  CanvasMap m;
  m.centre = 0.5 * (lo + hi);
  const double w = std::max(1.0, static_cast<double>(max.x - min.x) - 2.0 * margin);
  const double h = std::max(1.0, static_cast<double>(max.y - min.y) - 2.0 * margin);
  m.pixelsPerUnit = std::min(w / span.x(), h / span.y());
  m.screenCentre = ImVec2(0.5f * (min.x + max.x), 0.5f * (min.y + max.y));
  return m;
}

// Layer of each node of a Hasse diagram: 0 for the most preferred, then one below the lowest winner
// above it (the longest path from a top element). Empty when the relation has a cycle.
std::vector<int> hasseLayers(const std::vector<int>& nodes, const std::vector<core::NtpPreference>& edges) {
  std::vector<int> layer(nodes.size(), 0);
  auto at = [&](int token) {
    return static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), token) - nodes.begin());
  };
  for (std::size_t round = 0; round <= nodes.size(); ++round) {
    bool moved = false;
    for (const core::NtpPreference& e : edges) {
      const std::size_t w = at(e.winner), l = at(e.loser);
      if (layer[l] < layer[w] + 1) {
        layer[l] = layer[w] + 1;
        moved = true;
      }
    }
    if (!moved) return layer;
  }
  return {};  // still moving after |nodes| rounds: a cycle
}

const char* stageName(int stage) {
  switch (stage) {
    case 1:
      return "stage 1: W_ov on the collocation loss";
    case 2:
      return "stage 2: W_kq on the sentence loss";
    default:
      return "joint: both tensors on the sentence loss";
  }
}

std::string formatValue(double v) {
  if (!std::isfinite(v)) return "\xE2\x80\x94";  // an em dash: not available
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

// 10^x as text, for log10 values far below the smallest double.
std::string formatLog10(double log10Value) {
  if (!std::isfinite(log10Value)) return "\xE2\x80\x94";
  if (log10Value > -300) return formatValue(std::pow(10.0, log10Value));
  char b[32];
  std::snprintf(b, sizeof b, "1e%.0f", log10Value);
  return b;
}

}  // namespace

// =================================================================================================
// [SECTION] frame, shortcuts, menu, status bar
// =================================================================================================

bool NtpScreen::requestClose() {
  if (session_.modified() && !closeWarned_) {
    closeWarned_ = true;
    notify("the sentence edits are not saved: File > Save keeps them; close again to discard them");
    return false;
  }
  close_ = true;
  return true;
}

void NtpScreen::save() {
  if (session_.path().empty()) {
    savePromptOpen_ = true;
    confirmReplace_ = false;
    std::snprintf(savePath_, sizeof savePath_, "%s", "ntp-scene.json");
    return;
  }
  if (std::string e = session_.save(session_.path()); !e.empty())
    notify("not saved: " + e);
  else
    notify("saved " + session_.path());
}

void NtpScreen::handleShortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
  if (savePromptOpen_ || io.WantTextInput) return;
  const bool ctrl = io.KeyCtrl;
  if (ctrl && pressed(GLFW_KEY_S)) save();
  if (ctrl && pressed(GLFW_KEY_W)) requestClose();
  if (ctrl && !io.KeyShift && pressed(GLFW_KEY_Z)) {
    if (!session_.undo()) notify("nothing to undo");
  } else if (ctrl && (pressed(GLFW_KEY_Y) || (io.KeyShift && pressed(GLFW_KEY_Z)))) {
    if (!session_.redo()) notify("nothing to redo");
  }
  if (ctrl) return;
  if (pressed(GLFW_KEY_SPACE)) session_.setPlaying(!session_.playing());
  if (pressed(GLFW_KEY_S)) session_.requestSteps(1);
  if (pressed(GLFW_KEY_R)) session_.restart();
}

void NtpScreen::drawMenuBar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Save NTP scene", "Ctrl+S")) save();
    if (ImGui::MenuItem("Save NTP scene as\xE2\x80\xA6")) {
      savePromptOpen_ = true;
      confirmReplace_ = false;
      std::snprintf(savePath_, sizeof savePath_, "%s",
                    session_.path().empty() ? "ntp-scene.json" : session_.path().c_str());
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Close NTP scene", "Ctrl+W")) requestClose();
    tip("Back to the attention scene that was open before (it is kept, unsaved changes included).");
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Edit")) {
    const std::string undo = session_.canUndo() ? "Undo " + session_.undoName() : std::string("Undo");
    const std::string redo = session_.canRedo() ? "Redo " + session_.redoName() : std::string("Redo");
    if (ImGui::MenuItem(undo.c_str(), "Ctrl+Z", false, session_.canUndo())) session_.undo();
    if (ImGui::MenuItem(redo.c_str(), "Ctrl+Y", false, session_.canRedo())) session_.redo();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Run")) {
    if (ImGui::MenuItem(session_.playing() ? "Pause" : "Play", "Space"))
      session_.setPlaying(!session_.playing());
    if (ImGui::MenuItem("Step", "S")) session_.requestSteps(1);
    if (ImGui::MenuItem("Reset", "R")) session_.restart();
    ImGui::EndMenu();
  }
  const core::NtpScene& sc = session_.scene();
  char summary[160];
  std::snprintf(summary, sizeof summary, "next-token prediction \xC2\xB7 K = %d, d = %d, n = %d%s",
                sc.vocabularySize(), sc.dim, sc.sentenceCount(),
                session_.modified() ? " \xC2\xB7 modified" : "");
  const float w = ImGui::CalcTextSize(summary).x;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 20.f, ImGui::GetWindowWidth() - w - 16.f));
  ImGui::TextDisabled("%s", summary);
  ImGui::EndMainMenuBar();
}

void NtpScreen::frame(ThemeKind theme, float scale) {
  const ImGuiIO& io = ImGui::GetIO();
  theme_ = theme;
  handleShortcuts();
  // Training takes part of the frame: a slice that keeps the UI at ~60 fps.
  session_.advance(0.010);
  if (query_ < 0 || query_ >= session_.scene().vocabularySize())
    query_ = session_.run().analysis().orders.empty() ? 0 : session_.run().analysis().orders.front().query;

  drawMenuBar();
  const float menuH = ImGui::GetFrameHeight();
  const float statusH = ImGui::GetFrameHeight() + 6.f * scale;
  const float W = io.DisplaySize.x, H = io.DisplaySize.y - menuH - statusH;
  // Side columns in points, but never more than 30 % of the width each: a small window at UI scale 2
  // keeps a canvas.
  const float left = std::clamp(0.26f * W, std::min(260.f * scale, 0.30f * W), 420.f * scale);
  const float right = std::clamp(0.30f * W, std::min(280.f * scale, 0.30f * W), 520.f * scale);
  const float centre = std::max(100.f, W - left - right);
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoTitleBar;
  auto place = [](float x, float y, float w, float h) {
    ImGui::SetNextWindowPos(ImVec2(x, y));
    ImGui::SetNextWindowSize(ImVec2(w, h));
  };

  place(0, menuH, left, H);
  if (ImGui::Begin("NTP run", nullptr, fixed)) drawSidePanel(scale);
  ImGui::End();

  // The heat map's height follows the sentences (up to 40 % of the screen, then it scrolls).
  const float row = ImGui::GetFontSize() * 1.5f;
  const float heatH = std::clamp(row * static_cast<float>(session_.scene().sentenceCount() + 2),
                                 std::min(4.f * row, 0.40f * H), 0.40f * H);
  place(left, menuH, centre, H - heatH);
  if (ImGui::Begin("NTP canvas", nullptr, fixed | ImGuiWindowFlags_NoScrollbar))
    drawCanvas(ImGui::GetContentRegionAvail(), theme, scale);
  ImGui::End();
  place(left, menuH + H - heatH, centre, heatH);
  if (ImGui::Begin("NTP attention", nullptr, fixed))
    drawHeatmap(ImGui::GetContentRegionAvail(), theme, scale);
  ImGui::End();

  const float hasseH = std::clamp(0.30f * H, std::min(160.f * scale, 0.30f * H), 360.f * scale);
  place(left + centre, menuH, W - left - centre, H - hasseH);
  if (ImGui::Begin("NTP plots", nullptr, fixed)) {
    if (figureRevision_ != session_.runRevision()) {
      const core::NtpRun& run = session_.run();
      figure_ = plot::ntpFigure(session_.scene(), run.history(), run.iteration(), plot::AxisScale::Linear);
      figureRevision_ = session_.runRevision();
    }
    plots_.uiScale = scale;
    plots_.toolbar = false;
    plots_.minPlotHeight = 4;
    plots_.draw(figure_);
  }
  ImGui::End();
  place(left + centre, menuH + H - hasseH, W - left - centre, hasseH);
  if (ImGui::Begin("NTP order", nullptr, fixed | ImGuiWindowFlags_NoScrollbar))
    drawHasse(ImGui::GetContentRegionAvail(), theme, scale);
  ImGui::End();

  drawStatusBar(menuH + H, statusH, theme, scale);
  drawSavePrompt(scale);
}

void NtpScreen::drawStatusBar(float y, float height, ThemeKind theme, float scale) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, y));
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, height));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8.f * scale, 3.f * scale));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse;
  if (ImGui::Begin("##ntp status", nullptr, flags)) {
    const core::NtpRun& run = session_.run();
    const long long k = run.iteration();
    std::string left = "step " + groupedInt(k) + " of " + groupedInt(session_.scene().iterations);
    left += "  \xE2\x94\x82  ";
    left += stageName(run.stageOf(std::min(k, std::max(0LL, session_.scene().iterations - 1))));
    if (session_.playing())
      left += "  \xE2\x94\x82  " + groupedInt(static_cast<long long>(session_.stepsPerSecond())) + " steps/s";
    else
      left += session_.finished() ? "  \xE2\x94\x82  done" : "  \xE2\x94\x82  paused";
    std::string warning;
    bool alarming = false;
    if (run.stopped()) {
      warning = "run stopped: " + run.stopReason();
      alarming = true;
    } else if (!message_.empty() && ImGui::GetTime() - messageTime_ < 8.0) {
      warning = message_;
    } else if (!run.analysis().realizable) {
      warning = "not realizable: see the warnings on the left";
      alarming = true;
    }
    statusText_ = left + (warning.empty() ? "" : "  \xE2\x94\x82  " + warning);
    ImGui::TextUnformatted(left.c_str());
    if (!warning.empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("\xE2\x94\x82");
      ImGui::SameLine();
      ImGui::PushStyleColor(ImGuiCol_Text,
                            alarming ? palette(theme).warning : ImGui::GetColorU32(ImGuiCol_Text));
      ImGui::TextUnformatted(warning.c_str());
      ImGui::PopStyleColor();
    }
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

void NtpScreen::drawSavePrompt(float scale) {
  if (savePromptOpen_ && !ImGui::IsPopupOpen("Save NTP scene as")) ImGui::OpenPopup("Save NTP scene as");
  ImGui::SetNextWindowSize(ImVec2(520.f * scale, 0));
  if (!ImGui::BeginPopupModal("Save NTP scene as", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::TextUnformatted("File (a path, relative to the folder the app started in):");
  ImGui::SetNextItemWidth(-1);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  if (ImGui::InputText("##path", savePath_, sizeof savePath_)) confirmReplace_ = false;
  std::error_code ec;
  const bool exists = savePath_[0] != 0 && std::filesystem::exists(savePath_, ec);
  if (exists)
    ImGui::TextColored(ImVec4(0.85f, 0.37f, 0.f, 1.f), "%s already exists: Replace overwrites it.",
                       savePath_);
  bool done = false;
  if (ImGui::Button(exists ? "Replace" : "Save") && savePath_[0] != 0) {
    if (std::string e = session_.save(savePath_); !e.empty()) {
      notify("not saved: " + e);
    } else {
      notify(std::string("saved ") + savePath_);
      done = true;
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) done = true;
  if (done) {
    savePromptOpen_ = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// =================================================================================================
// [SECTION] side panel: run, query, warnings, sentences
// =================================================================================================

void NtpScreen::drawSidePanel(float scale) {
  const core::NtpRun& run = session_.run();
  const core::NtpScene& sc = session_.scene();
  if (ImGui::Button(session_.playing() ? "Pause" : "Play")) session_.setPlaying(!session_.playing());
  ImGui::SameLine();
  if (ImGui::Button("Step")) session_.requestSteps(1);
  ImGui::SameLine();
  if (ImGui::Button("+100")) session_.requestSteps(100);
  ImGui::SameLine();
  if (ImGui::Button("Reset")) session_.restart();
  ImGui::Text("%s, %s, lr %s", core::enumName(sc.optimizer.name), core::ntpScheduleName(sc.schedule),
              formatValue(sc.optimizer.lr).c_str());
  if (sc.schedule == core::NtpSchedule::TwoStage)
    ImGui::TextDisabled("stage 1: steps 1 to %s, then stage 2", groupedInt(sc.stage1Iterations).c_str());

  const core::NtpPoint& m = session_.metrics();
  if (ImGui::BeginTable("metrics", 2, ImGuiTableFlags_SizingStretchProp)) {
    auto rowOf = [](const char* name, const std::string& value, const char* help) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      tip(help);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(value.c_str());
    };
    rowOf("loss L", formatLog10(m.log10SentenceLoss),
          "Cross-entropy of the next token, mean over the sentences.");
    rowOf("collocation L_C", formatLog10(m.log10CollocationLoss),
          "Cross-entropy of n(a) given a alone, over the collocation: what stage 1 trains W_ov on.");
    rowOf("corr(W_ov, W_ov^mm)", formatValue(m.corrOv),
          "Correlation of W_ov with its max-margin direction (the multiclass SVM of the collocation); tends "
          "to 1.");
    rowOf("corr(W_kq, W_kq^mm)", formatValue(m.corrKq),
          "Correlation of W_kq with its max-margin direction (every query's optimal token above the others); "
          "tends to 1.");
    rowOf("attention left", formatLog10(m.log10MaxNonOptimal),
          "max over the sentences of 1 - the attention on the optimal token: tends to 0.");
    rowOf("accuracy", formatValue(m.accuracy),
          "Fraction of the sentences whose largest logit is the next token.");
    ImGui::EndTable();
  }

  // The query whose key direction and preference order the canvas and the diagram show.
  const core::NtpAnalysis& an = run.analysis();
  if (!an.orders.empty()) {
    ImGui::SetNextItemWidth(-1);
    const std::string current = "query: " + sc.wordName(query_);
    if (ImGui::BeginCombo("##query", current.c_str())) {
      for (const core::NtpQueryOrder& o : an.orders) {
        const std::string label =
            sc.wordName(o.query) + " (" + std::to_string(o.sentences.size()) + " sentences)";
        if (ImGui::Selectable(label.c_str(), o.query == query_)) query_ = o.query;
      }
      ImGui::EndCombo();
    }
    tip("The query (the last token of a sentence) whose key direction W_kq e_q the canvas draws and whose "
        "preference order the diagram shows.");
  }

  for (const std::string& w : an.warnings) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette(theme_).warning);
    ImGui::TextWrapped("%s", w.c_str());
    ImGui::PopStyleColor();
  }
  if (!run.kqSvm().solution.reason.empty() && an.realizable)
    ImGui::TextWrapped("W_kq^mm: %s", run.kqSvm().solution.reason.c_str());
  ImGui::Separator();
  drawSentences(scale);
}

void NtpScreen::drawSentences(float scale) {
  const core::NtpScene& sc = session_.scene();
  const core::NtpAnalysis& an = session_.run().analysis();
  ImGui::Text("Sentences (%d)", sc.sentenceCount());
  tip("Each sentence is a list of tokens; its last token is the query, and the next token (after the arrow) "
      "is "
      "the label the model learns to predict. Edits restart the run; Ctrl+Z undoes them.");
  ImGui::SameLine();
  if (ImGui::SmallButton("Add")) {
    core::NtpSentence s = sc.sentences.back();  // a copy of the last one, to edit
    if (std::string e = session_.apply(ntpcmd::AddSentence{s, -1}); !e.empty()) notify(e);
  }
  tip("Adds a copy of the last sentence at the end.");
  const int K = sc.vocabularySize();
  auto wordCombo = [&](const char* id, int& token, float width) {
    bool changed = false;
    ImGui::SetNextItemWidth(width);
    if (ImGui::BeginCombo(id, sc.wordName(token).c_str(), ImGuiComboFlags_NoArrowButton)) {
      for (int k = 0; k < K; ++k)
        if (ImGui::Selectable(sc.wordName(k).c_str(), k == token)) {
          token = k;
          changed = true;
        }
      ImGui::EndCombo();
    }
    return changed;
  };
  float wordWidth = 0;
  for (int k = 0; k < K; ++k) wordWidth = std::max(wordWidth, ImGui::CalcTextSize(sc.wordName(k).c_str()).x);
  wordWidth += 2.f * ImGui::GetStyle().FramePadding.x + 2.f * scale;

  ImGui::BeginChild("sentences", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  ImGuiListClipper clipper;
  clipper.Begin(sc.sentenceCount());
  std::optional<NtpCommand> edit;
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      ImGui::PushID(i);
      const core::NtpSentence& sen = sc.sentences[static_cast<std::size_t>(i)];
      const bool ok = an.sentences[static_cast<std::size_t>(i)].realizable;
      if (!ok) ImGui::PushStyleColor(ImGuiCol_Text, palette(theme_).warning);
      ImGui::Text("%d", i);
      if (!ok) ImGui::PopStyleColor();
      if (!ok && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", an.sentences[static_cast<std::size_t>(i)].problem.c_str());
      for (std::size_t t = 0; t < sen.tokens.size(); ++t) {
        ImGui::SameLine(0, 2.f * scale);
        ImGui::PushID(static_cast<int>(t));
        int token = sen.tokens[t];
        if (wordCombo("##t", token, wordWidth)) {
          core::NtpSentence s = sen;
          s.tokens[t] = token;
          edit = ntpcmd::SetSentence{i, s};
        }
        ImGui::PopID();
      }
      ImGui::SameLine(0, 4.f * scale);
      ImGui::TextDisabled("\xE2\x86\x92");  // the arrow to the next token
      ImGui::SameLine(0, 4.f * scale);
      int next = sen.next;
      if (wordCombo("##next", next, wordWidth)) {
        core::NtpSentence s = sen;
        s.next = next;
        edit = ntpcmd::SetSentence{i, s};
      }
      ImGui::SameLine();
      if (ImGui::SmallButton("+")) {
        core::NtpSentence s = sen;
        s.tokens.insert(s.tokens.begin(), s.tokens.front());  // the query (last token) stays
        edit = ntpcmd::SetSentence{i, s};
      }
      tip("Adds a token at the start of the sentence (the query, its last token, stays).");
      ImGui::SameLine(0, 2.f * scale);
      if (ImGui::SmallButton("\xE2\x88\x92") && sen.tokens.size() > 2) {
        core::NtpSentence s = sen;
        s.tokens.erase(s.tokens.begin());
        edit = ntpcmd::SetSentence{i, s};
      }
      tip("Removes the first token (a sentence keeps at least 2).");
      ImGui::SameLine(0, 2.f * scale);
      if (ImGui::SmallButton("\xC3\x97")) edit = ntpcmd::RemoveSentence{i};
      tip("Removes the sentence.");
      ImGui::PopID();
    }
  }
  ImGui::EndChild();
  if (edit)
    if (std::string e = session_.apply(*edit); !e.empty()) notify("not changed: " + e);
}

// =================================================================================================
// [SECTION] canvas: words, collocation, class regions, the query's key direction
// =================================================================================================

void NtpScreen::drawCanvas(ImVec2 size, ThemeKind theme, float scale) {
  const Palette& pal = palette(theme);
  const core::NtpScene& sc = session_.scene();
  const core::NtpRun& run = session_.run();
  const ImVec2 min = ImGui::GetCursorScreenPos();
  const ImVec2 max(min.x + size.x, min.y + std::max(size.y, 50.f));
  layout_.canvasMin = min;
  layout_.canvasMax = max;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, pal.canvasBackground);
  dl->PushClipRect(min, max, true);
  const float font = ImGui::GetFontSize();

  const int K = sc.vocabularySize();
  std::vector<Eigen::Vector2d> world(static_cast<std::size_t>(K));
  for (int k = 0; k < K; ++k) world[static_cast<std::size_t>(k)] = projectWord(sc.embedding(k));
  const CanvasMap map = fitCanvas(world, min, max, 3.f * font);
  double radius = 0;  // the words' extent: the key directions are drawn this long
  for (const Eigen::Vector2d& w : world) radius = std::max(radius, w.norm());
  if (radius <= 0) radius = 1;

  // W_ov's class regions: the next token W_ov r predicts at each point r of the plane (2D only: in
  // higher d a point of the picture is not one embedding).
  layout_.regionsDrawn = false;
  const Eigen::MatrixXd& Wov = run.params().Wov;
  if (sc.dim == 2 && Wov.size() > 0 && Wov.norm() > 0 && std::isfinite(Wov.norm())) {
    const float cell = std::max(6.f, 10.f * scale);
    for (float y = min.y; y < max.y; y += cell)
      for (float x = min.x; x < max.x; x += cell) {
        const Eigen::Vector2d r = map.toWorld(ImVec2(x + 0.5f * cell, y + 0.5f * cell));
        Eigen::Index best = 0;
        const Eigen::VectorXd o = Wov * r;
        o.maxCoeff(&best);
        dl->AddRectFilled(ImVec2(x, y), ImVec2(x + cell, y + cell),
                          withAlpha(sequenceColour(theme, static_cast<int>(best)), 0.16f));
      }
    layout_.regionsDrawn = true;
  }

  // Axes through the origin.
  const ImVec2 o = map.toScreen(Eigen::Vector2d(0, 0));
  dl->AddLine(ImVec2(min.x, o.y), ImVec2(max.x, o.y), pal.gridMajor, 1.f * scale);
  dl->AddLine(ImVec2(o.x, min.y), ImVec2(o.x, max.y), pal.gridMajor, 1.f * scale);

  // The collocation: an arrow from each word a to its successor n(a), bent to one side so a pair in
  // both directions stays two arrows.
  const float r = 7.f * scale;
  for (const auto& [a, b] : sc.collocation) {
    const ImVec2 pa = map.toScreen(world[static_cast<std::size_t>(a)]);
    const ImVec2 pb = map.toScreen(world[static_cast<std::size_t>(b)]);
    const float dx = pb.x - pa.x, dy = pb.y - pa.y, len = std::sqrt(dx * dx + dy * dy);
    if (len < 2.f * r + 4.f) continue;
    const ImVec2 u(dx / len, dy / len), nrm(-u.y, u.x);
    const float bend = 0.12f * len;
    const ImVec2 from(pa.x + u.x * r * 1.4f + nrm.x * 0.3f * bend,
                      pa.y + u.y * r * 1.4f + nrm.y * 0.3f * bend);
    const ImVec2 to(pb.x - u.x * r * 1.6f + nrm.x * 0.3f * bend, pb.y - u.y * r * 1.6f + nrm.y * 0.3f * bend);
    const ImVec2 ctrl(0.5f * (pa.x + pb.x) + nrm.x * bend, 0.5f * (pa.y + pb.y) + nrm.y * bend);
    dl->AddBezierQuadratic(from, ctrl, to, withAlpha(pal.textMuted, 0.8f), 1.5f * scale);
    const ImVec2 tail(to.x - (to.x - ctrl.x) * 0.25f, to.y - (to.y - ctrl.y) * 0.25f);
    drawArrow(dl, tail, to, withAlpha(pal.textMuted, 0.8f), 1.5f * scale, 7.f * scale);
  }

  // The chosen query's key direction W_kq e_q (the scores are e_w^T W_kq e_q) and its max-margin
  // counterpart, both drawn to the words' extent: only their directions matter.
  layout_.queryArrow = layout_.svmArrow = false;
  layout_.origin = o;
  auto keyArrow = [&](const Eigen::MatrixXd& W, bool dashed) {
    if (query_ < 0 || query_ >= K || W.rows() != sc.dim || W.cols() != sc.dim) return false;
    const Eigen::VectorXd k = W * sc.embedding(query_);  // the key direction W_kq e_q, e_q q's embedding
    const double n = k.norm();
    if (!(n > 0) || !std::isfinite(n)) return false;
    const ImVec2 tip = map.toScreen(projectWord(k * (0.95 * radius / n)));
    (dashed ? layout_.svmTip : layout_.queryTip) = tip;
    if (dashed)
      drawDashedArrow(dl, o, tip, pal.svm, 2.f * scale, 10.f * scale, 7.f * scale, 5.f * scale);
    else
      drawArrow(dl, o, tip, pal.foreground, 2.5f * scale, 11.f * scale);
    return true;
  };
  if (run.kqSvm().W.size() > 0) layout_.svmArrow = keyArrow(run.kqSvm().W, true);
  layout_.queryArrow = keyArrow(run.params().Wkq, false);
  // Their legend in the bottom-left corner (names at the tips would sit on each other once the two
  // directions meet, which is the point of the picture).
  {
    const std::string q = sc.wordName(query_);
    const std::string entries[2] = {"W_kq e_" + q + " (trained)", "W_kq^mm e_" + q + " (max margin)"};
    const bool shown[2] = {layout_.queryArrow, layout_.svmArrow};
    float y = max.y - 6.f * scale - font;
    for (int k = 1; k >= 0; --k) {
      if (!shown[k]) continue;
      const ImVec2 a(min.x + 8.f * scale, y + 0.5f * font), b(a.x + 2.f * font, a.y);
      const float tw = ImGui::CalcTextSize(entries[k].c_str()).x;
      dl->AddRectFilled(ImVec2(a.x - 4.f * scale, y - 2.f * scale),
                        ImVec2(b.x + 8.f * scale + tw + 4.f * scale, y + font + 2.f * scale),
                        pal.panelOverlay);
      if (k == 1)
        drawDashedLine(dl, a, b, pal.svm, 2.f * scale, 7.f * scale, 5.f * scale);
      else
        dl->AddLine(a, b, pal.foreground, 2.5f * scale);
      dl->AddText(ImVec2(b.x + 6.f * scale, y), pal.text, entries[k].c_str());
      y -= font + 6.f * scale;
    }
  }

  // The words, coloured as their class region, the query ringed.
  layout_.wordPositions.assign(static_cast<std::size_t>(K), ImVec2(0, 0));
  for (int k = 0; k < K; ++k) {
    const ImVec2 p = map.toScreen(world[static_cast<std::size_t>(k)]);
    layout_.wordPositions[static_cast<std::size_t>(k)] = p;
    if (k == query_) dl->AddCircle(p, r + 4.f * scale, pal.foreground, 24, 2.5f * scale);
    dl->AddCircleFilled(p, r, sequenceColour(theme, k), 24);
    dl->AddCircle(p, r, pal.markerOutline, 24, 1.f * scale);
    const std::string name = sc.wordName(k);
    drawLabel(dl, ImVec2(p.x + r + 3.f * scale, p.y - 0.5f * font), pal.text, pal.panelOverlay, name.c_str(),
              2.f * scale);
  }

  // What the picture is.
  std::string caption = sc.dim == 2 ? "the embedding plane"
                                    : "d = " + std::to_string(sc.dim) +
                                          ": the coordinate axes spread on a circle (a linear projection)";
  caption += "  \xC2\xB7  arrows: a \xE2\x86\x92 n(a)";
  if (layout_.regionsDrawn) caption += "  \xC2\xB7  shading: the next token W_ov predicts";
  dl->AddText(ImVec2(min.x + 6.f * scale, min.y + 4.f * scale), pal.textMuted, caption.c_str());
  if (!run.kqSvm().W.size() && run.analysis().realizable)
    dl->AddText(nullptr, 0, ImVec2(min.x + 6.f * scale, min.y + font + 8.f * scale), pal.warning,
                ("W_kq^mm not solved: " + run.kqSvm().solution.reason).c_str(), nullptr,
                max.x - min.x - 12.f * scale);
  dl->PopClipRect();
  ImGui::Dummy(ImVec2(size.x, std::max(size.y, 50.f)));
}

// =================================================================================================
// [SECTION] heat map, Hasse diagram
// =================================================================================================

void NtpScreen::drawHeatmap(ImVec2 size, ThemeKind theme, float scale) {
  const Palette& pal = palette(theme);
  const core::NtpScene& sc = session_.scene();
  const core::NtpEvaluation& ev = session_.evaluation();
  const core::NtpAnalysis& an = session_.run().analysis();
  ImGui::TextUnformatted("Attention by sentence and position (the outlined cell holds the optimal token)");
  std::size_t T = 0;
  for (const core::NtpSentence& s : sc.sentences) T = std::max(T, s.tokens.size());
  const float font = ImGui::GetFontSize();
  float cellW = 0;
  for (int k = 0; k < sc.vocabularySize(); ++k)
    cellW = std::max(cellW, ImGui::CalcTextSize(sc.wordName(k).c_str()).x);
  cellW = std::max(cellW + 8.f * scale, 2.2f * font);
  const float cellH = 1.35f * font;
  const float labelW = ImGui::CalcTextSize("000").x + 6.f * scale;
  ImGui::BeginChild("heat", ImVec2(size.x, std::max(0.f, size.y - ImGui::GetTextLineHeightWithSpacing())),
                    false, ImGuiWindowFlags_HorizontalScrollbar);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  layout_.heatmapMin = origin;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int n = sc.sentenceCount();
  for (int i = 0; i < n && static_cast<std::size_t>(i) < ev.seqs.size(); ++i) {
    const core::NtpSentence& sen = sc.sentences[static_cast<std::size_t>(i)];
    const core::NtpSentenceEval& e = ev.seqs[static_cast<std::size_t>(i)];
    const float y = origin.y + static_cast<float>(i) * cellH;
    char idx[16];
    std::snprintf(idx, sizeof idx, "%d", i);
    dl->AddText(ImVec2(origin.x, y + 0.15f * font), pal.textMuted, idx);
    const int opt = an.sentences[static_cast<std::size_t>(i)].optimalToken;
    for (std::size_t t = 0; t < sen.tokens.size(); ++t) {
      const double s =
          t < static_cast<std::size_t>(e.attention.size()) ? e.attention(static_cast<Eigen::Index>(t)) : 0;
      const ImVec2 a(origin.x + labelW + static_cast<float>(t) * cellW, y);
      const ImVec2 b(a.x + cellW - 1.f, a.y + cellH - 1.f);
      dl->AddRectFilled(a, b, attentionColour(std::isfinite(s) ? s : 0));
      if (sen.tokens[t] == opt)  // in the colour of the cell's text: it reads on every cell
        dl->AddRect(ImVec2(a.x + 1.f, a.y + 1.f), ImVec2(b.x - 1.f, b.y - 1.f), attentionTextColour(s), 0, 0,
                    2.f * scale);
      const std::string w = sc.wordName(sen.tokens[t]);
      dl->AddText(ImVec2(a.x + 4.f * scale, a.y + 0.15f * font), attentionTextColour(s), w.c_str());
      if (ImGui::IsMouseHoveringRect(a, b))
        ImGui::SetTooltip("sentence %d, position %zu: %s\nattention %.6g%s", i, t + 1, w.c_str(), s,
                          sen.tokens[t] == opt ? "\nthe optimal token (its successor is the label)" : "");
    }
    const float xr = origin.x + labelW + static_cast<float>(T) * cellW + 6.f * scale;
    const std::string next =
        "\xE2\x86\x92 " + sc.wordName(sen.next) + (e.correct ? "" : "  (predicts another)");
    dl->AddText(ImVec2(xr, y + 0.15f * font), e.correct ? pal.text : pal.warning, next.c_str());
  }
  const float width = labelW + static_cast<float>(T) * cellW + 12.f * font;
  ImGui::Dummy(ImVec2(width, static_cast<float>(n) * cellH));
  layout_.heatmapMax = ImVec2(origin.x + width, origin.y + static_cast<float>(n) * cellH);
  ImGui::EndChild();
}

void NtpScreen::drawHasse(ImVec2 size, ThemeKind theme, float scale) {
  const Palette& pal = palette(theme);
  const core::NtpScene& sc = session_.scene();
  const core::NtpAnalysis& an = session_.run().analysis();
  layout_.hasseNodes = 0;
  const core::NtpQueryOrder* order = nullptr;
  for (const core::NtpQueryOrder& o : an.orders)
    if (o.query == query_) order = &o;
  ImGui::Text("Preference order for the query %s", sc.wordName(query_).c_str());
  tip("Each sentence with this query prefers its optimal token (the one followed by the label) over its "
      "other "
      "tokens; a line joins a preferred token (above) to one it beats (below), transitive lines left out. "
      "W_kq^mm puts every preferred token's score above the other's.");
  const ImVec2 min = ImGui::GetCursorScreenPos();
  const ImVec2 max(min.x + size.x, min.y + std::max(40.f, size.y - ImGui::GetTextLineHeightWithSpacing()));
  layout_.hasseMin = min;
  layout_.hasseMax = max;
  ImGui::Dummy(ImVec2(max.x - min.x, max.y - min.y));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (!order) {
    dl->AddText(min, pal.textMuted, "no sentence ends with this query");
    return;
  }
  if (!order->cycle.empty()) {
    std::string c = "not realizable: the preferences form a cycle ";
    for (std::size_t k = 0; k < order->cycle.size(); ++k)
      c += (k ? " \xE2\x86\x92 " : "") + sc.wordName(order->cycle[k]);
    dl->AddText(nullptr, 0, min, pal.warning, c.c_str(), nullptr, max.x - min.x);
    return;
  }
  std::vector<int> nodes;
  for (const core::NtpPreference& e : order->hasse)
    for (int t : {e.winner, e.loser})
      if (std::find(nodes.begin(), nodes.end(), t) == nodes.end()) nodes.push_back(t);
  if (nodes.empty()) {
    dl->AddText(min, pal.textMuted, "no preferences: every sentence with this query holds one token");
    return;
  }
  const std::vector<int> layer = hasseLayers(nodes, order->hasse);
  if (layer.empty()) return;  // a cycle (reported above by the analysis)
  const int layers = *std::max_element(layer.begin(), layer.end()) + 1;
  std::vector<int> inLayer(static_cast<std::size_t>(layers), 0), slot(nodes.size(), 0);
  for (std::size_t k = 0; k < nodes.size(); ++k) slot[k] = inLayer[static_cast<std::size_t>(layer[k])]++;
  const float pad = 18.f * scale;
  const float r = 6.f * scale;
  const float font = ImGui::GetFontSize();
  // A layer's names go beside its nodes when they fit there; else centred below them, every other one
  // a line lower, so a wide layer's names do not run into each other.
  std::vector<bool> beside(static_cast<std::size_t>(layers), true);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::size_t l = static_cast<std::size_t>(layer[k]);
    const float room = (max.x - min.x - 2 * pad) / static_cast<float>(inLayer[l]);
    if (ImGui::CalcTextSize(sc.wordName(nodes[k]).c_str()).x + 2 * r + 6.f * scale >= room) beside[l] = false;
  }
  const float bottomPad = pad + (beside.back() ? 0.f : 2.f * font);  // names below the lowest layer
  if (max.y - min.y < pad + bottomPad + static_cast<float>(layers - 1) * 8.f * scale) {
    dl->AddText(nullptr, 0, min, pal.textMuted,
                "too little room for the diagram: a larger window or a smaller UI scale shows it", nullptr,
                max.x - min.x);
    return;
  }
  std::vector<ImVec2> pos(nodes.size());
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const int count = inLayer[static_cast<std::size_t>(layer[k])];
    const float fx = (static_cast<float>(slot[k]) + 0.5f) / static_cast<float>(count);
    const float fy = layers == 1 ? 0.5f : static_cast<float>(layer[k]) / static_cast<float>(layers - 1);
    pos[k] = ImVec2(min.x + pad + fx * (max.x - min.x - 2 * pad),
                    min.y + pad + fy * (max.y - min.y - pad - bottomPad));
  }
  auto at = [&](int token) {
    return static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), token) - nodes.begin());
  };
  for (const core::NtpPreference& e : order->hasse)
    dl->AddLine(pos[at(e.winner)], pos[at(e.loser)], pal.textMuted, 1.5f * scale);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    dl->AddCircleFilled(pos[k], r, sequenceColour(theme, nodes[k]), 20);
    dl->AddCircle(pos[k], r, pal.markerOutline, 20, 1.f * scale);
    const std::string name = sc.wordName(nodes[k]);
    const float w = ImGui::CalcTextSize(name.c_str()).x;
    const ImVec2 at =
        beside[static_cast<std::size_t>(layer[k])]
            ? ImVec2(pos[k].x + r + 3.f * scale, pos[k].y - 0.5f * font)
            : ImVec2(pos[k].x - 0.5f * w, pos[k].y + r + 1.f * scale + (slot[k] % 2 ? font : 0.f));
    drawLabel(dl, at, pal.text, pal.panelOverlay, name.c_str(), 2.f * scale);
  }
  layout_.hasseNodes = static_cast<int>(nodes.size());
}

}  // namespace attnmd::gui
