// The screen of a next-token prediction scene (docs/theory.md §10), shown instead of the attention views
// while one is open. It reads an NtpSession (app/state/ntp_session.h) and submits its sentence edits;
// every number it shows comes from the core.
//
//   +------------------------------------------------------------------+
//   | menu: File (Save, Close), Edit (undo), Run                       |
//   +-------------+-------------------------------------+--------------+
//   | run, query, | vocabulary: labelled words,         | plots (stage |
//   | warnings,   | collocation arrows a -> n(a),       | switch as a  |
//   | sentences   | W_ov's class regions, W_kq e_q and  | line)        |
//   | (editable)  | its max-margin direction (dashed)   +--------------+
//   |             +-------------------------------------+ Hasse diagram|
//   |             | attention heat map (sentence x pos) | of the query |
//   +-------------+-------------------------------------+--------------+
//   | status: step, stage, steps/s, loss, warnings                     |
//   +------------------------------------------------------------------+
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/gui/views/plot_view.h"
#include "app/gui/widgets/theme.h"
#include "app/plot/figure.h"
#include "app/state/ntp_session.h"

namespace attnmd::gui {

// What the screen drew in the last frame (tests aim at it and check it).
struct NtpScreenLayout {
  ImVec2 canvasMin{0, 0}, canvasMax{0, 0};
  std::vector<ImVec2> wordPositions;  // screen position of each vocabulary word (empty when not drawn)
  ImVec2 heatmapMin{0, 0}, heatmapMax{0, 0};
  ImVec2 hasseMin{0, 0}, hasseMax{0, 0};
  int hasseNodes = 0;
  bool regionsDrawn = false;  // W_ov's class regions were shaded
  bool queryArrow = false, svmArrow = false;
  ImVec2 origin{0, 0};                  // the canvas's origin, where both key arrows start
  ImVec2 queryTip{0, 0}, svmTip{0, 0};  // their tips
};

class NtpScreen {
 public:
  explicit NtpScreen(NtpSession session) : session_(std::move(session)) {}

  // One frame: the menu bar, the panels and the status bar, filling the display.
  void frame(ThemeKind theme, float scale);

  NtpSession& session() { return session_; }
  const NtpSession& session() const { return session_; }
  // The query whose W_kq e_q, SVM direction and Hasse diagram are shown (a vocabulary index).
  int query() const { return query_; }
  void setQuery(int token) { query_ = token; }
  // File > Close (or Quit after a warning about unsaved edits): the app goes back to its attention scene.
  bool closeRequested() const { return close_; }
  // Asks to close; with unsaved sentence edits the first call only warns (returns false).
  bool requestClose();
  const std::string& statusText() const { return statusText_; }
  const NtpScreenLayout& layout() const { return layout_; }
  void notify(std::string message) { message_ = std::move(message), messageTime_ = ImGui::GetTime(); }
  bool animating() const { return session_.playing() || session_.pendingSteps() > 0; }
  const plot::Figure& figure() const { return figure_; }

 private:
  void handleShortcuts();
  void drawMenuBar();
  void drawSidePanel(float scale);
  void drawSentences(float scale);
  void drawCanvas(ImVec2 size, ThemeKind theme, float scale);
  void drawHeatmap(ImVec2 size, ThemeKind theme, float scale);
  void drawHasse(ImVec2 size, ThemeKind theme, float scale);
  void drawStatusBar(float y, float height, ThemeKind theme, float scale);
  void drawSavePrompt(float scale);
  void save();  // to the opened file, else asks for a path

  NtpSession session_;
  int query_ = -1;                      // -1: the first query of the data
  ThemeKind theme_ = ThemeKind::Light;  // this frame's
  bool close_ = false;
  bool closeWarned_ = false;
  std::string message_;
  double messageTime_ = -1;
  std::string statusText_;
  NtpScreenLayout layout_;
  plot::Figure figure_;
  std::uint64_t figureRevision_ = 0;
  PlotView plots_;
  bool savePromptOpen_ = false;
  char savePath_[1024] = {};
  bool confirmReplace_ = false;
};

}  // namespace attnmd::gui
