#include "sim/compute/compute_time.hpp"

#include <algorithm>
#include <cmath>

namespace shardsim {
namespace {

GemmQuantization quantize(double rows, double cols, double batch, int tile_m, int tile_n, int sm_count) {
  GemmQuantization q;
  q.tile_m = tile_m;
  q.tile_n = tile_n;
  q.tiles = batch * std::ceil(rows / tile_m) * std::ceil(cols / tile_n);
  q.waves = std::ceil(q.tiles / sm_count);
  q.efficiency = batch * rows * cols / (q.waves * sm_count * static_cast<double>(tile_m) * tile_n);
  return q;
}

double usable_fraction(double taken) { return 1.0 - std::clamp(taken, 0.0, 0.9); }

// The fraction of its rate a GEMM keeps beside collectives: from the GPU's measured table where it
// has one (linear between its points, the last point's loss or the SM share beyond it, whichever is
// larger), else the SM share left.
double gemm_rate_kept(const GpuSpec& gpu, const ComputeContention& c) {
  const auto& table = gpu.gemm_rate_lost_by_blocks_held;
  if (table.empty() || c.blocks_held <= 0) return usable_fraction(sm_fraction_taken(gpu, c));
  const double b = c.blocks_held;
  double lost = 0;
  if (b >= table.back().blocks) {
    lost = std::max(table.back().rate_lost, sm_fraction_taken(gpu, c));
  } else {
    HeldBlocksPoint below{0, 0.0};
    for (const HeldBlocksPoint& p : table) {
      if (b <= p.blocks) {
        lost = below.rate_lost + (p.rate_lost - below.rate_lost) * (b - below.blocks) / (p.blocks - below.blocks);
        break;
      }
      below = p;
    }
  }
  return usable_fraction(lost);
}

// The HBM rate a memory-bound kernel keeps beside collectives: their traffic takes its share of
// the nominal rate and the kernel keeps the rest of what it can reach. The achievable fraction
// scales both alike, as the interference model was checked against the published slowdowns
// (tests/stepsim/interference_test.cpp) in those terms.
double hbm_rate_kept_Bps(const GpuSpec& gpu, const ComputeContention& c) {
  return gpu.hbm_achievable_Bps() * usable_fraction(c.hbm_Bps_taken / gpu.hbm_bandwidth_Bps);
}

}  // namespace

double sm_fraction_taken(const GpuSpec& gpu, const ComputeContention& c) {
  return gpu.sm_count > 0 ? static_cast<double>(c.blocks_held) / gpu.sm_count : 0.0;
}

GemmQuantization gemm_quantization(const GpuSpec& gpu, const Kernel& k) {
  if (gpu.sm_count <= 0 || k.kind == KernelKind::memory || k.m <= 0 || k.n <= 0) return {};
  if (k.kind == KernelKind::fused_attention) {
    // Query blocks of min(Tm, Tn) rows, each over the whole head dimension.
    const int block = std::min(gpu.gemm_tile_m, gpu.gemm_tile_n);
    return quantize(k.m, 1, k.batch, block, 1, gpu.sm_count);
  }
  const GemmQuantization a = quantize(k.m, k.n, k.batch, gpu.gemm_tile_m, gpu.gemm_tile_n, gpu.sm_count);
  const GemmQuantization b = quantize(k.m, k.n, k.batch, gpu.gemm_tile_n, gpu.gemm_tile_m, gpu.sm_count);
  return b.efficiency > a.efficiency ? b : a;
}

double kernel_seconds(const GpuSpec& gpu, const Kernel& k, const ComputeContention& c) {
  const double rate = gpu.peak_flops * gpu.gemm_peak_fraction * gemm_rate_kept(gpu, c);
  const double hbm = hbm_rate_kept_Bps(gpu, c);
  const double compute_s = k.flops / (rate * gemm_quantization(gpu, k).efficiency);
  const double memory_s = k.hbm_bytes / hbm;
  return k.count * std::max(compute_s, memory_s);
}

double compute_op_seconds(const GpuSpec& gpu, const ComputeOp& op, const ComputeContention& c) {
  if (op.kernels.empty() || gpu.sm_count <= 0) {
    const double rate = gpu.peak_flops * gpu.gemm_peak_fraction * gemm_rate_kept(gpu, c);
    const double hbm = hbm_rate_kept_Bps(gpu, c);
    // Without a kernel model only the FLOPs of kernels count (their bytes are the roofline's,
    // which needs the kernel model); the op's own HBM bytes (the optimizer's) at HBM bandwidth.
    const double bytes = op.kernels.empty() ? op.hbm_bytes : 0;
    return op.flops / rate + bytes / hbm;
  }
  double total = 0;
  for (const Kernel& k : op.kernels) total += kernel_seconds(gpu, k, c);
  return total;
}

}  // namespace shardsim
