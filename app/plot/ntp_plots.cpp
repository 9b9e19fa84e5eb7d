#include "app/plot/ntp_plots.h"

#include "app/plot/palette.h"

namespace attnmd::plot {

Figure ntpFigure(const core::NtpScene& scene, const std::vector<core::NtpPoint>& h, long long iteration,
                 AxisScale iterationScale) {
  Figure f;
  f.x.label = "iteration k";
  f.x.scale = iterationScale;
  auto series = [&](const char* name, std::size_t colour, auto value, bool log10,
                    LineStyle style = LineStyle::Solid) {
    Series s;
    s.name = name;
    s.color = paletteColor(colour);
    s.style = style;
    s.yLog10 = log10;
    for (const core::NtpPoint& p : h) {
      if (iterationScale == AxisScale::Log && p.iter <= 0) continue;
      s.x.push_back(static_cast<double>(p.iter));
      s.y.push_back(value(p));
    }
    return s;
  };
  auto plotOf = [&](const char* name, const char* title, const char* yLabel, AxisScale scale) {
    Plot p;
    p.name = name;
    p.title = title;
    p.y.label = yLabel;
    p.y.scale = scale;
    if (scene.schedule == core::NtpSchedule::TwoStage && scene.stage1Iterations > 0 &&
        scene.stage1Iterations < iteration) {
      RefLine stage;
      stage.horizontal = false;
      stage.value = static_cast<double>(scene.stage1Iterations);
      stage.name = "stage 1 | stage 2";
      stage.color = kReferenceGrey;
      p.refLines.push_back(stage);
    }
    return p;
  };
  using P = core::NtpPoint;
  Plot loss = plotOf("loss", "Loss (stage 1: collocation L_C, then sentences L)", "loss", AxisScale::Log);
  loss.series.push_back(series(
      "trained loss", 0, [](const P& p) { return p.log10Loss; }, true));
  loss.series.push_back(series(
      "L (sentences)", 1, [](const P& p) { return p.log10SentenceLoss; }, true, LineStyle::Dashed));
  loss.series.push_back(series(
      "L_C (collocation)", 2, [](const P& p) { return p.log10CollocationLoss; }, true, LineStyle::Dotted));
  Plot align =
      plotOf("alignment", "Alignment with the max-margin directions", "1 \u2212 corr", AxisScale::Log);
  align.series.push_back(series(
      "1 \u2212 corr(W_ov, W_ov^mm)", 0, [](const P& p) { return 1 - p.corrOv; }, false));
  align.series.push_back(series(
      "1 \u2212 corr(W_kq, W_kq^mm)", 1, [](const P& p) { return 1 - p.corrKq; }, false));
  Plot sparsity = plotOf("sparsity", "Attention on the optimal tokens", "softmax", AxisScale::Log);
  sparsity.series.push_back(series(
      "max_i (1 \u2212 s_i,opt)", 1, [](const P& p) { return p.log10MaxNonOptimal; }, true));
  Plot norm = plotOf("norm", "Parameter norms", "\u2016W\u2016_p", AxisScale::Linear);
  norm.series.push_back(series(
      "\u2016W_ov\u2016_p", 0, [](const P& p) { return p.normOv; }, false));
  norm.series.push_back(series(
      "\u2016W_kq\u2016_p", 1, [](const P& p) { return p.normKq; }, false));
  f.plots = {std::move(loss), std::move(align), std::move(sparsity), std::move(norm)};
  return f;
}

}  // namespace attnmd::plot
