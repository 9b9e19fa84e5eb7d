// The plots of one next-token prediction run (docs/theory.md §10): the loss (log y, the stage switch as a
// vertical line), the alignment of both tensors with their max-margin directions (1 - corr), the
// attention left on non-optimal tokens, and the norms. `attnmd-cli figure` writes them; the app's NTP
// screen draws them.
#pragma once

#include <vector>

#include "app/plot/figure.h"
#include "core/ntp_run.h"

namespace attnmd::plot {

// `points`: the run's history (ascending iter); `iteration`: the run's current step (the stage line is
// drawn once the run is past the switch).
Figure ntpFigure(const core::NtpScene& scene, const std::vector<core::NtpPoint>& points, long long iteration,
                 AxisScale iterationScale);

}  // namespace attnmd::plot
