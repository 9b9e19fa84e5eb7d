#include "app/gui/panels/experiment_panel.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "app/gui/widgets/ui_util.h"
#include "app/state/theory.h"
#include "core/enums.h"
#include "core/run.h"

namespace attnmd::gui {
namespace {

// Sliders on the scene's doubles directly: a float round trip would put 0.10000000149 into the user's file,
// and a value beyond float's range (lr = 1e300 from a file) would show as inf.
bool sliderDouble(const char* label, double* v, double lo, double hi, const char* format,
                  ImGuiSliderFlags flags = 0) {
  return ImGui::SliderScalar(label, ImGuiDataType_Double, v, &lo, &hi, format, flags);
}

// A combo over an enum table (one table per enum: style.md). Returns true when the value changed.
template <class E>
bool enumCombo(const char* label, E& value) {
  bool changed = false;
  if (ImGui::BeginCombo(label, core::enumLabel(value))) {
    for (const auto& e : core::enumTable<E>()) {
      const bool selected = e.value == value;
      if (ImGui::Selectable(e.label, selected) && !selected) {
        value = e.value;
        changed = true;
      }
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  return changed;
}

const char* modelTip(core::ModelKind k) {
  switch (k) {
    case core::ModelKind::Prompt:
      return "prompt: a_it = (M x_it)\xE1\xB5\x80 p with a trained prompt vector p (docs/theory.md \xC2\xA7"
             "2).";
    case core::ModelKind::Query:
      return "query: a_it = x_it\xE1\xB5\x80 W z_i with a trained d\xC3\x97"
             "d matrix W.";
    case core::ModelKind::KQ:
      return "key-query: W = K Q\xE1\xB5\x80 with K, Q \xE2\x88\x88 R^{d\xC3\x97m} trained; converges to the "
             "nuclear-norm SVM.";
  }
  return "";
}

void sectionHeader(const char* text) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", text);
  ImGui::Separator();
}

}  // namespace

void ExperimentPanel::draw(Document& doc, const core::AttentionSvm* svm, double svmMs, float scale) {
  // The selected run's scene (a shared pointer: an edit below replaces the document's copy).
  const std::shared_ptr<const core::Scene> edited = doc.editedScene();
  const core::Scene& scene = *edited;
  const float labelW = ImGui::CalcTextSize("step size \xCE\xB7  ").x;
  ImGui::PushItemWidth(-labelW);

  // ---------------------------------------------------------------- model
  sectionHeader("Model");
  {
    core::ModelSpec m = scene.model;
    if (enumCombo("model", m.kind)) doc.apply(cmd::SetModel{m, doc.editedRun()});
    tip(modelTip(scene.model.kind));
    if (m.kind == core::ModelKind::KQ) {
      m = doc.editedScene()->model;
      int rank = m.rank > 0 ? m.rank : scene.dim;
      const bool changed = ImGui::SliderInt("rank m", &rank, 1, std::max(1, scene.dim));
      if (changed) m.rank = rank;
      tip("Columns m of K and Q (W = K Q\xE1\xB5\x80 has rank \xE2\x89\xA4 m).");
      itemGesture(doc, "set the rank", changed, cmd::SetModel{m, doc.editedRun()});
    }
    if (doc.editedScene()->model.kind != core::ModelKind::Prompt) {
      core::QueryKind q = doc.editedScene()->model.query;
      if (enumCombo("query z", q)) doc.apply(cmd::SetQueryKind{q});
      tip("z_i = the first token of each sequence (self-attention), or a free query point per sequence "
          "(cross-attention), drawn as \xC3\x97 and draggable.");
    }
    m = doc.editedScene()->model;
    if (enumCombo("loss", m.loss)) doc.apply(cmd::SetModel{m, doc.editedRun()});
    tip("\xE2\x84\x93 in L = (1/n) \xCE\xA3\xE1\xB5\xA2 \xE2\x84\x93(Y\xE1\xB5\xA2 f\xE1\xB5\xA2): logistic "
        "log(1+e^{\xE2\x88\x92u}), exponential e^{\xE2\x88\x92u}, correlation \xE2\x88\x92u.");
    m = doc.editedScene()->model;
    if (ImGui::Checkbox("train v", &m.trainV)) doc.apply(cmd::SetModel{m, doc.editedRun()});
    tip("Train the decoder v jointly with the attention parameter (docs/theory.md \xC2\xA7"
        "2); otherwise v stays fixed.");
    if (scene.dim <= 4) {
      m = doc.editedScene()->model;
      const double speed = 0.01;
      const bool changed = ImGui::DragScalarN(m.trainV ? "v\xE2\x82\x80" : "v", ImGuiDataType_Double,
                                              m.v.data(), static_cast<int>(m.v.size()),
                                              static_cast<float>(speed), nullptr, nullptr, "%.2f");
      tip(m.trainV ? "Start value v\xE2\x82\x80 of the trained decoder; token scores \xCE\xB3_it = Y_i "
                     "v\xE1\xB5\x80x_it use the "
                     "current v. Drag its handle on the canvas too."
                   : "Decoder v: token scores \xCE\xB3_it = Y_i v\xE1\xB5\x80x_it decide which token is "
                     "optimal. Drag "
                     "its arrow tip on the canvas too.");
      itemGesture(doc, "set v", changed, cmd::SetV{m.v});
    }
  }

  // ---------------------------------------------------------------- optimizer
  sectionHeader("Optimizer");
  {
    core::OptimizerSpec o = doc.editedScene()->optimizer;
    if (enumCombo("optimizer", o.name)) doc.apply(cmd::SetOptimizer{o, doc.editedRun()});
    tip("gd: \xCE\xB8 \xE2\x86\x90 \xCE\xB8 \xE2\x88\x92 \xCE\xB7g;  ngd: g/\xE2\x80\x96g\xE2\x80\x96;  md: "
        "\xE2\x84\x93p mirror descent \xE2\x88\x87\xCF\x88(\xCE\xB8) \xE2\x86\x90 "
        "\xE2\x88\x87\xCF\x88(\xCE\xB8) \xE2\x88\x92 \xCE\xB7g;  nmd: md with g/\xE2\x80\x96g\xE2\x80\x96_q; "
        " polyak, adam, momentum for comparison (docs/theory.md \xC2\xA7"
        "4).");
    const bool mirror = o.name == core::OptimizerKind::MD || o.name == core::OptimizerKind::NMD;
    o = doc.editedScene()->optimizer;
    double p = o.p;
    ImGui::BeginDisabled(!mirror);
    bool changed = sliderDouble("p", &p, 1.05, 8.0, "%.3g", ImGuiSliderFlags_Logarithmic);
    if (changed) o.p = p;
    tip("The \xE2\x84\x93p geometry of mirror descent, \xCF\x88(\xCE\xB8) = (1/p) \xCE\xA3|\xCE\xB8_j|^p; "
        "training then converges to the \xE2\x84\x93p max-margin SVM. p = 2 is plain gd / ngd.");
    itemGesture(doc, "set p", changed, cmd::SetOptimizer{o, doc.editedRun()});
    for (double preset : {1.1, 1.5, 2.0, 3.0}) {
      char label[16];
      std::snprintf(label, sizeof label, "%g", preset);
      if (preset != 1.1) ImGui::SameLine();
      if (ImGui::Button(label, ImVec2(44.f * scale, 0))) {
        core::OptimizerSpec q = doc.editedScene()->optimizer;
        q.p = preset;
        doc.apply(cmd::SetOptimizer{q, doc.editedRun()});
      }
      tip("Set p to this value.");
    }
    ImGui::EndDisabled();
    if (!mirror) {
      ImGui::SameLine();
      ImGui::TextDisabled("(md / nmd only)");
    } else if (o.p < 1.3) {
      // Users took the huge norms of p = 1.1 for a bug: say why they are expected.
      ImGui::TextWrapped(
          "p near 1: \xCE\xB8 is the dual variable to the power 1/(p\xE2\x88\x92" "1) (%.3g here), so "
          "\xE2\x80\x96\xCE\xB8\xE2\x80\x96 grows by orders of magnitude; its direction is what converges.",
          1.0 / (o.p - 1.0));
    }

    o = doc.editedScene()->optimizer;
    double lr = o.lr;
    changed = sliderDouble(o.name == core::OptimizerKind::Polyak ? "factor c" : "step size \xCE\xB7", &lr,
                           1e-4, 10.0, "%.4g", ImGuiSliderFlags_Logarithmic);
    if (changed && lr > 0) o.lr = lr;
    tip(o.name == core::OptimizerKind::Polyak
            ? "Polyak step \xCE\xB7_k = c (L(\xCE\xB8_k) \xE2\x88\x92 L*)/\xE2\x80\x96g\xE2\x80\x96\xC2\xB2 "
              "with L* = 0; c \xE2\x89\xA4 1."
            : "Step size \xCE\xB7 > 0 of every update (log scale).");
    itemGesture(doc, "set the step size", changed && lr > 0, cmd::SetOptimizer{o, doc.editedRun()});
    if (o.name == core::OptimizerKind::Adam) {
      o = doc.editedScene()->optimizer;
      double b[2] = {o.beta1, o.beta2};
      const double bmin = 0, bmax = 0.9999;
      changed = ImGui::DragScalarN("\xCE\xB2\xE2\x82\x81, \xCE\xB2\xE2\x82\x82", ImGuiDataType_Double, b, 2,
                                   0.001f, &bmin, &bmax, "%.4f");
      if (changed) {
        o.beta1 = b[0];
        o.beta2 = b[1];
      }
      tip("Adam's moment decay rates (defaults 0.9, 0.999).");
      itemGesture(doc, "set Adam's betas", changed, cmd::SetOptimizer{o, doc.editedRun()});
    }
    if (o.name == core::OptimizerKind::Momentum) {
      o = doc.editedScene()->optimizer;
      double mu = o.momentum;
      changed = sliderDouble("momentum", &mu, 0.0, 0.999, "%.3f");
      if (changed) o.momentum = mu;
      tip("Heavy ball: velocity \xE2\x86\x90 \xCE\xBC velocity \xE2\x88\x92 \xCE\xB7g, \xCE\xB8 \xE2\x86\x90 "
          "\xCE\xB8 + velocity.");
      itemGesture(doc, "set the momentum", changed, cmd::SetOptimizer{o, doc.editedRun()});
    }
  }

  // ---------------------------------------------------------------- initialization
  sectionHeader("Initialization");
  {
    const core::InitSpec init = doc.editedScene()->init;
    const bool current = doc.experiment().continueFromCurrent;
    const char* names[] = {"zeros", "gaussian", "given (from the scene)", "current parameters"};
    int choice = current ? 3 : static_cast<int>(init.kind);
    if (ImGui::BeginCombo("init", names[choice])) {
      for (int k = 0; k < 4; ++k) {
        if (k == 2 && init.kind != core::InitKind::Given) continue;  // only scenes that carry parameters
        if (ImGui::Selectable(names[k], k == choice) && k != choice) {
          cmd::SetInit c{init, doc.editedScene()->seed, k == 3, doc.editedRun()};
          if (k < 3) c.init.kind = static_cast<core::InitKind>(k);
          doc.apply(c);
        }
      }
      ImGui::EndCombo();
    }
    tip("Where training starts: \xCE\xB8 = 0, \xCE\xB8 ~ N(0, scale\xC2\xB2) from the seed, the scene's "
        "given parameters, or (current) keep the trained parameters when data or settings change.");
    if (!current && init.kind == core::InitKind::Gaussian) {
      int seed = static_cast<int>(doc.editedScene()->seed & 0x7fffffff);
      bool changed = ImGui::InputInt("seed", &seed);
      tip("Seed of every random draw of the scene (the gaussian initialization).");
      itemGesture(doc, "set the seed", changed && seed >= 0,
                  cmd::SetInit{init, static_cast<std::uint64_t>(std::max(0, seed)), false, doc.editedRun()});
      double sc = init.scale;
      changed = sliderDouble("scale", &sc, 0.01, 10.0, "%.3g", ImGuiSliderFlags_Logarithmic);
      core::InitSpec ni = init;
      if (changed && sc > 0) ni.scale = sc;
      tip("Standard deviation of the gaussian initialization.");
      itemGesture(doc, "set the init scale", changed && sc > 0,
                  cmd::SetInit{ni, doc.editedScene()->seed, false, doc.editedRun()});
    }
    // K = Q = 0 is a stationary point of kq training (docs/theory.md §3: the gradients G Q and G^T K vanish),
    // so a run from zeros never moves: say so before a class watches nothing happen.
    if (!current && init.kind == core::InitKind::Zeros &&
        doc.editedScene()->model.kind == core::ModelKind::KQ) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.84f, 0.37f, 0.f, 1.f));
      ImGui::TextWrapped(
          "K = Q = 0 is stationary (\xE2\x88\x87K = G Q = 0, \xE2\x88\x87Q = G\xE1\xB5\x80K = 0): attention "
          "stays uniform. Use gaussian.");
      ImGui::PopStyleColor();
    }
  }

  // ---------------------------------------------------------------- SVM
  sectionHeader("Max-margin SVM (dashed)");
  {
    Experiment e = doc.experiment();
    if (enumCombo("tokens \xCE\xB1", e.svmTokens)) doc.apply(cmd::SetExperiment{e});
    tip("Which token \xCE\xB1_i per sequence the SVM separates from the others: the currently selected "
        "(argmax s), the optimal (argmax \xCE\xB3), or ones you pick on the canvas.");
    bool picking = doc.view().pickSvmTokens;
    if (ImGui::Checkbox("pick \xCE\xB1 by clicking tokens", &picking)) {
      doc.view().pickSvmTokens = picking;
      if (picking && doc.experiment().svmTokens != SvmTokens::Picked) {
        Experiment p = doc.experiment();
        p.svmTokens = SvmTokens::Picked;
        doc.apply(cmd::SetExperiment{p});
      }
    }
    tip("While on, a click on a token makes it \xCE\xB1_i of its sequence instead of editing (Esc ends "
        "picking).");
    const bool nuclear = core::svmNormFor(*doc.editedScene()) == core::SvmNorm::Nuclear;
    if (relaxedFor(*doc.editedScene())) {
      ImGui::TextDisabled("relaxed prompt SVM (v is trained too)");
      tip("Joint (p, v) training: rows of sequences that are support vectors of the v-SVM need margin 1, the "
          "others only 0 (docs/theory.md \xC2\xA7"
          "5).");
    }
    if (nuclear)
      ImGui::TextDisabled("geometry: nuclear norm \xE2\x80\x96W\xE2\x80\x96_*");
    else
      ImGui::TextDisabled("geometry: \xE2\x84\x93p with p = %.3g", core::svmPFor(*doc.editedScene()));
    if (svm) {
      const auto& s = svm->solution;
      if (s.status == core::SvmStatus::Optimal) {
        ImGui::Text("optimal: norm %s, %d support tokens", prettyNumber(s.value, "%.4g").c_str(),
                    static_cast<int>(svm->support.size()));
        tip("The SVM's optimal norm \xE2\x80\x96\xCE\xB8^mm\xE2\x80\x96; its support tokens lie on the "
            "margin lines.");
        ImGui::TextDisabled("duality gap %.1e, solved in %.2f ms", s.gap, svmMs);
        tip("Relative duality gap (value \xE2\x88\x92 dual)/value: the certificate that the direction is the "
            "max-margin one.");
      } else {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.84f, 0.37f, 0.f, 1.f));
        ImGui::TextWrapped("%s: %s", core::svmStatusName(s.status), s.reason.c_str());
        ImGui::PopStyleColor();
      }
    }
  }
  ImGui::PopItemWidth();
}

}  // namespace attnmd::gui
