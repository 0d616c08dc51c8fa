// How long a compute op takes on a GPU: the one function the simulator (stepsim/) and the live
// runtime's compute emulation (runtime/step/) both call.
// A GEMM kernel is a roofline with tile and wave quantization (NVIDIA, "Matrix Multiplication
// Background User's Guide"): the library computes the m x n output in tiles of Tm x Tn (either
// orientation; the better one is taken, as cuBLAS's heuristics pick among both), one tile per SM
// at a time, so tiles = ceil(m/Tm) * ceil(n/Tn) per GEMM of the batch, waves =
// ceil(batch*tiles / sm_count), and the useful fraction of the work the SMs do is
//   quantization_efficiency = batch*m*n / (waves * sm_count * Tm * Tn)
// (partial tiles at the edges and a partial last wave both waste SM time).
//   time = max(flops / (peak * gemm_peak_fraction * quantization_efficiency), hbm_bytes / achievable HBM bandwidth)
// A fused attention kernel quantizes the same way over its query blocks (min(Tm, Tn) rows each;
// a block covers the whole head dimension). A memory-bound kernel is max(flops at the GEMM rate,
// bytes at the achievable HBM bandwidth: GpuSpec::hbm_achievable_Bps). An op is the sum of its kernels (each x count; kernels of one stream
// run one after another). An op without kernels, or any op on a GPU without a kernel model
// (sm_count 0: the emulated cluster's CPU ranks), runs its FLOPs at peak x gemm_peak_fraction and
// its HBM bytes at the achievable HBM bandwidth, one after the other.
// Contention (interference.hpp): collectives in flight take a fraction of the SMs and some HBM
// bandwidth; the same roofline then runs on what is left.
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

struct ComputeContention {
  int blocks_held = 0;       // SMs held by collective kernels (one thread block per channel)
  double hbm_Bps_taken = 0;  // HBM bandwidth used by collectives
};

// The fraction of the GPU's SMs those blocks hold (0 without a kernel model).
double sm_fraction_taken(const GpuSpec& gpu, const ComputeContention& c);

// The tile/wave arithmetic of one GEMM (or fused attention) kernel on `gpu`.
struct GemmQuantization {
  double tiles = 0;  // over the whole batch
  double waves = 0;
  int tile_m = 0, tile_n = 0;  // the orientation taken
  double efficiency = 1;       // useful tile work / (waves * sm_count * Tm * Tn)
};
// Efficiency 1 (and no tiles) on a GPU without a kernel model or for a memory-bound kernel.
GemmQuantization gemm_quantization(const GpuSpec& gpu, const Kernel& kernel);

double kernel_seconds(const GpuSpec& gpu, const Kernel& kernel, const ComputeContention& contention = {});
double compute_op_seconds(const GpuSpec& gpu, const ComputeOp& op, const ComputeContention& contention = {});

}  // namespace shardsim
