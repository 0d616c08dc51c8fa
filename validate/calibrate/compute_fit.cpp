#include "validate/calibrate/compute_fit.hpp"

#include "sim/input/input_error.hpp"
#include "validate/calibrate/error_summary.hpp"
#include "validate/calibrate/scaled_least_squares.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace shardsim::validate {
namespace {

// Weighted least squares of t = F x0 + x1 (x1 pinned at 0 when it comes out negative).
Eigen::Vector2d solve(const std::vector<GemmRow>& rows, bool with_overhead) {
  const auto n = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd a(n, with_overhead ? 2 : 1);
  Eigen::VectorXd b(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const GemmRow& r = rows[static_cast<std::size_t>(i)];
    const double weight = 1 / r.time_s;
    a(i, 0) = r.flops * weight;
    if (with_overhead) a(i, 1) = weight;
    b(i) = r.time_s * weight;
  }
  // Columns differ by ~1e12 (FLOPs vs seconds): the solver scales them.
  const Eigen::VectorXd x = solve_scaled_least_squares(std::move(a), b).x;
  return {x(0), with_overhead ? x(1) : 0};
}

}  // namespace

ComputeFit fit_compute(const std::vector<GemmRow>& rows, double peak_flops) {
  std::set<double> sizes;
  for (const auto& r : rows) {
    if (!(r.flops > 0) || !(r.time_s > 0)) throw InputError(fmt::format("{}: FLOPs and time must be positive", r.origin));
    sizes.insert(r.flops);
  }
  if (sizes.size() < 2)
    throw InputError("the GEMM rows measure fewer than two FLOP counts: throughput and launch overhead cannot be told apart "
                     "(run shardsim-run gemm over a range, e.g. --min-flops 1e9 --max-flops 1e13)");
  if (!(peak_flops > 0)) throw InputError("the topology gives no GPU peak (gpu.peak_tflops), so no efficiency can be computed");
  Eigen::Vector2d x = solve(rows, true);
  if (x(1) < 0) x = solve(rows, false);
  if (!(x(0) > 0))
    throw InputError("the GEMM times do not grow with the FLOPs: the measurements do not follow t = FLOPs / rate + overhead");
  ComputeFit fit;
  fit.achieved_flops_per_s = 1 / x(0);
  fit.launch_overhead_s = x(1);
  fit.efficiency = fit.achieved_flops_per_s / peak_flops;
  if (fit.efficiency > 1)
    throw InputError(fmt::format("the GEMMs ran at {:.4g} TFLOP/s, above the topology's peak of {:.4g} TFLOP/s: measured on "
                                 "another device than the topology describes?",
                                 fit.achieved_flops_per_s / 1e12, peak_flops / 1e12));
  std::vector<double> errors;
  for (const auto& r : rows) {
    const double predicted = r.flops * x(0) + x(1);
    fit.predicted_s.push_back(predicted);
    errors.push_back(std::abs(predicted - r.time_s) / r.time_s * 100);
  }
  const ErrorSummary summary = summarise_errors(std::move(errors));
  fit.median_abs_error_pct = summary.median_abs_error_pct;
  fit.max_abs_error_pct = summary.max_abs_error_pct;
  return fit;
}

}  // namespace shardsim::validate
