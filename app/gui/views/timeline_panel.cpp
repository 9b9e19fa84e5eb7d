// [SECTION] step <-> x
// [SECTION] cursor moves
// [SECTION] the panel
#include "app/gui/views/timeline_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/gui/widgets/ui_util.h"

namespace attnmd::gui {

// =================================================================================================
// [SECTION] step <-> x
// =================================================================================================

float timelineX(long long step, long long n, bool logScale, float x0, float x1) {
  if (n <= 0) return x0;
  const double k = static_cast<double>(std::clamp(step, 0LL, n));
  const double u =
      logScale ? std::log10(1.0 + k) / std::log10(1.0 + static_cast<double>(n)) : k / static_cast<double>(n);
  return x0 + static_cast<float>(u) * (x1 - x0);
}

long long timelineStep(float x, long long n, bool logScale, float x0, float x1) {
  if (n <= 0 || x1 <= x0) return 0;
  const double u = std::clamp(static_cast<double>(x - x0) / static_cast<double>(x1 - x0), 0.0, 1.0);
  const double k = logScale ? std::pow(1.0 + static_cast<double>(n), u) - 1.0 : u * static_cast<double>(n);
  return std::clamp(std::llround(k), 0LL, n);
}

// =================================================================================================
// [SECTION] cursor moves
// =================================================================================================

namespace {

ImU32 colourFromHex(const std::string& hex) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() != 7 || hex[0] != '#' || std::sscanf(hex.c_str() + 1, "%2x%2x%2x", &r, &g, &b) != 3)
    return IM_COL32(128, 128, 128, 255);
  return IM_COL32(r, g, b, 255);
}

// The step on screen: the cursor's, or the furthest trained one when following the live runs.
long long currentStep(const Lab& lab) {
  return lab.cursor() ? *lab.cursor() : lab.furthestStep();
}

constexpr double kSpeeds[] = {1, 2, 5, 10, 30, 100, 300, 1000, 10000};

}  // namespace

float TimelinePanel::preferredHeight(float scale) {
  return std::ceil((2.f * 23.f + 2.f * 6.f) * scale);
}

void TimelinePanel::stepBack(Lab& lab) {
  playing = false;
  lab.setCursor(std::max(0LL, currentStep(lab) - 1));
}

void TimelinePanel::stepForward(Lab& lab) {
  playing = false;
  if (lab.cursor() && *lab.cursor() < lab.furthestStep())
    lab.setCursor(*lab.cursor() + 1);
  else
    lab.requestSteps(1);  // at the end (or live) there is no recorded step ahead: train one
}

// Playback moves the cursor by whole steps, carrying the fraction, so a slow speed still lands on every
// step and a fast one is independent of the frame rate; it stops at the last recorded step.
void TimelinePanel::advancePlayback(Lab& lab) {
  if (!playing) return;
  const long long n = lab.furthestStep();
  long long k = currentStep(lab);
  if (!lab.cursor() || k >= n) {
    playing = false;
    return;
  }
  playCarry_ += static_cast<double>(ImGui::GetIO().DeltaTime) * playSpeed;
  const long long whole = static_cast<long long>(std::floor(playCarry_));
  if (whole <= 0) return;
  playCarry_ -= static_cast<double>(whole);
  k = std::min(n, k + whole);
  lab.setCursor(k);
  if (k >= n) playing = false;
}

// =================================================================================================
// [SECTION] the panel
// =================================================================================================

void TimelinePanel::draw(Document& doc, Lab& lab, float scale) {
  advancePlayback(lab);
  const long long n = lab.furthestStep();
  const std::optional<long long> cursor = lab.cursor();
  const long long current = currentStep(lab);
  const std::vector<LabEvent> events = lab.events();
  auto rect = [] { return Rect{ImGui::GetItemRectMin(), ImGui::GetItemRectMax()}; };

  ImGui::PushID("timeline");
  // ---- row 1: the buttons
  std::optional<long long> prevEvent, nextEvent;
  for (const LabEvent& e : events) {
    if (e.event.iter < current) prevEvent = e.event.iter;
    if (e.event.iter > current && e.event.iter <= n && !nextEvent) nextEvent = e.event.iter;
  }
  ImGui::BeginDisabled(!prevEvent);
  if (ImGui::Button("|<")) {
    playing = false;
    lab.setCursor(*prevEvent);
  }
  ImGui::EndDisabled();
  layout_.prevEvent = rect();
  tip("Jump back to the previous event (a run's selected tokens change, or its attention saturates).");
  ImGui::SameLine();
  ImGui::BeginDisabled(current <= 0);
  if (ImGui::Button("<")) stepBack(lab);
  ImGui::EndDisabled();
  layout_.back = rect();
  tip("One step back (Shift+S). Every run is shown replayed to that step.");
  ImGui::SameLine();
  ImGui::BeginDisabled(n <= 0);
  if (ImGui::Button(playing ? "Stop" : "Replay", ImVec2(64.f * scale, 0))) {
    playing = !playing;
    playCarry_ = 0;
    // From the live runs, or from the end, a replay starts at step 0.
    if (playing && (!cursor || *cursor >= n)) lab.setCursor(0);
  }
  ImGui::EndDisabled();
  layout_.play = rect();
  tip("Play back the recorded steps at the chosen speed, from the cursor; it stops at the last step. "
      "Training stays paused meanwhile.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90.f * scale);
  char speedLabel[32];
  std::snprintf(speedLabel, sizeof speedLabel, "%g steps/s", playSpeed);
  if (ImGui::BeginCombo("##speed", speedLabel)) {
    for (double s : kSpeeds) {
      char label[32];
      std::snprintf(label, sizeof label, "%g steps/s", s);
      if (ImGui::Selectable(label, s == playSpeed)) playSpeed = s;
    }
    ImGui::EndCombo();
  }
  tip("Playback speed in steps per second.");
  ImGui::SameLine();
  if (ImGui::Button(">")) stepForward(lab);
  layout_.forward = rect();
  tip("One step forward (S). At the last recorded step this trains one more step.");
  ImGui::SameLine();
  ImGui::BeginDisabled(!nextEvent);
  if (ImGui::Button(">|")) {
    playing = false;
    lab.setCursor(*nextEvent);
  }
  ImGui::EndDisabled();
  layout_.nextEvent = rect();
  tip("Jump to the next event (a run's selected tokens change, or its attention saturates).");
  ImGui::SameLine();
  ImGui::BeginDisabled(!cursor);
  if (ImGui::Button("Live")) {
    playing = false;
    lab.setCursor(std::nullopt);
  }
  ImGui::EndDisabled();
  layout_.live = rect();
  tip("Leave the timeline and show the runs as they train now.");
  ImGui::SameLine();
  if (cursor)
    ImGui::Text("step %s of %s", groupedInt(current).c_str(), groupedInt(n).c_str());
  else
    ImGui::Text("step %s of %s (live)", groupedInt(current).c_str(), groupedInt(n).c_str());
  tip("The step every run is shown at, and the most steps any run has trained.");
  ImGui::SameLine();
  const int run = std::clamp(doc.view().selectedRun, 0, std::max(0, lab.runCount() - 1));
  const bool canContinue =
      cursor && run < lab.runCount() && lab.run(run).live && *cursor < lab.run(run).live->trainedSteps;
  ImGui::BeginDisabled(!canContinue);
  if (ImGui::Button("Continue from here")) {
    playing = false;
    lab.continueFromHere(run, doc);
  }
  ImGui::EndDisabled();
  layout_.continueHere = rect();
  tip("The selected run drops its steps after the cursor and goes on training from here, e.g. after an "
      "edit. Ctrl+Z brings the dropped steps back.");
  ImGui::SameLine();
  ImGui::Checkbox("log", &logScale);
  layout_.scale = rect();
  tip("Space the bar by log(1 + step), like the plots' log axis: the early steps, where the selections "
      "change, get most of the room.");

  // ---- row 2: the bar
  const float h = ImGui::GetFrameHeight();
  const float w = std::max(ImGui::GetContentRegionAvail().x, 40.f * scale);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##scrubber", ImVec2(w, h));
  layout_.bar = rect();
  layout_.barSteps = n;
  const float x0 = p0.x + 4.f * scale, x1 = p0.x + w - 4.f * scale;  // room for the handle at the ends
  if (ImGui::IsItemActive() && n > 0) {
    const long long k = timelineStep(ImGui::GetIO().MousePos.x, n, logScale, x0, x1);
    if (!cursor || *cursor != k) {
      playing = false;
      lab.setCursor(k);
    }
  }
  const bool barHovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float midY = p0.y + h * 0.5f;
  dl->AddRectFilled(ImVec2(x0, midY - 2.f * scale), ImVec2(x1, midY + 2.f * scale),
                    ImGui::GetColorU32(ImGuiCol_FrameBg), 2.f * scale);
  // Event marks in their run's colour; the hovered ones' texts as the tooltip.
  std::string hoverText;
  const float mouseX = ImGui::GetIO().MousePos.x;
  for (const LabEvent& e : events) {
    const float x = timelineX(e.event.iter, n, logScale, x0, x1);
    dl->AddLine(ImVec2(x, p0.y + 2.f * scale), ImVec2(x, p0.y + h - 2.f * scale),
                colourFromHex(doc.runInfo(e.run).colour), 2.f * scale);
    if (barHovered && !ImGui::IsItemActive() && std::abs(mouseX - x) <= 3.f * scale) {
      if (!hoverText.empty()) hoverText += "\n";
      hoverText += doc.runInfo(e.run).name + ", step " + groupedInt(e.event.iter) + ": " + e.event.text;
    }
  }
  // The cursor (or the live end).
  const float cx = timelineX(current, n, logScale, x0, x1);
  const ImU32 handle = ImGui::GetColorU32(cursor ? ImGuiCol_SliderGrabActive : ImGuiCol_SliderGrab);
  dl->AddRectFilled(ImVec2(cx - 3.f * scale, p0.y), ImVec2(cx + 3.f * scale, p0.y + h), handle, 2.f * scale);
  if (!hoverText.empty()) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(hoverText.c_str());
    ImGui::EndTooltip();
  } else if (barHovered && !ImGui::IsItemActive()) {
    ImGui::BeginTooltip();
    ImGui::Text("Drag to show every run at step %s.",
                groupedInt(timelineStep(mouseX, n, logScale, x0, x1)).c_str());
    ImGui::EndTooltip();
  }
  ImGui::PopID();
}

}  // namespace attnmd::gui
