// A GPU's compute efficiency from timed GEMM calls (`shardsim-run gemm --json`): a call of F FLOPs
// takes t = F / R + t_launch, fitted by least squares over the sizes measured (rows weighted by
// 1/t, as the link fit), so R is the throughput of large GEMMs with the per-call launch overhead
// separated out. The simulator charges a compute op flops / (peak x efficiency), so the calibrated
// efficiency is R / peak of the topology the measurements were taken on.
#pragma once

#include <string>
#include <vector>

namespace shardsim::validate {

struct GemmRow {
  std::string origin;  // "file.json: /results/3"
  double flops = 0;
  double time_s = 0;
};

struct ComputeFit {
  double achieved_flops_per_s = 0;  // R
  double launch_overhead_s = 0;     // t_launch (>= 0)
  double efficiency = 0;            // R / peak
  std::vector<double> predicted_s;  // per row
  double median_abs_error_pct = 0;
  double max_abs_error_pct = 0;
};

// Throws InputError when fewer than two FLOP counts were measured, when the time does not grow
// with the FLOPs, or when the throughput exceeds `peak_flops` (measured on another device?).
ComputeFit fit_compute(const std::vector<GemmRow>& rows, double peak_flops);

}  // namespace shardsim::validate
