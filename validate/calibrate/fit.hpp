// Least-squares fit of the step model (step_model.hpp) to measured collective times: the unknowns
// are the route latency of an intra- and an inter-node hop, the per-link capacity of the two
// link classes that bound them and a rank's reduction rate (fitted as seconds per byte, which
// makes each bound linear; each step group pays the larger of its two bounds, and the fit settles
// which by refitting until no group changes). Rows are weighted by 1 / measured time, so the fit minimises relative
// error: a 10 ms and a 10 s collective count alike. Latencies and the reduction's seconds per byte
// are constrained to be >= 0 (a negative one is fixed at 0 and the rest refitted); an unknown no
// row depends on is reported as not identified and left out.
#pragma once

#include "validate/calibrate/step_model.hpp"

#include <array>
#include <string>
#include <vector>

namespace shardsim::validate {

struct FitSample {
  StepModelTerms terms;
  double measured_s = 0;
};

struct StepModelFit {
  double alpha_intra_s = 0;
  double alpha_inter_s = 0;
  double intra_Bps = 0;
  double inter_Bps = 0;
  double reduce_Bps = 0;  // 0 = the data show reductions cost nothing
  // Which of (alpha_intra, alpha_inter, intra bandwidth, inter bandwidth, reduction rate) the data determine.
  std::array<bool, 5> identified{};
  std::vector<double> predicted_s;  // per sample
  double r_squared = 0;             // of the times, 1 - SS_res / SS_tot
  double median_abs_error_pct = 0;
  double max_abs_error_pct = 0;
};

// Throws InputError when the data cannot determine a bandwidth (no row moves bytes over a class
// that other rows need) or give a non-positive one.
StepModelFit fit_step_model(const std::vector<FitSample>& samples);

}  // namespace shardsim::validate
