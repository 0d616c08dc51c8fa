// Compute slowed while collectives run (interference). NCCL runs a collective as kernels with one
// thread block per channel, each on an SM of its own for the whole call, and moves its data
// through HBM: "at least 2x ... can be 3x" the link bandwidth (NVIDIA/nccl#1428), since every byte
// sent is read from HBM and every byte received written (and, reducing, read again). While a
// rank's collectives are in flight its compute therefore runs on the SMs left and the HBM
// bandwidth left: the SM fraction taken is the collectives' channels / sm_count, the HBM taken is
// collective_hbm_traffic_factor x the bytes per second they put on their links. A compute op's
// rate is then 1 / compute_op_seconds under that contention (compute_time.hpp): GEMMs lose the
// SMs, memory-bound kernels the bandwidth. Measured for comparison: a GEMM 2.08 ms overlapped vs
// 1.18 ms alone on A100-80GB (nccl#1428); an average compute slowdown of 18.9%, at most 40%
// (arXiv 2507.03114). Held blocks cost a GEMM more than their share of SMs: on an H200 one
// spinning block took 6-16% of an 8192^3 GEMM's rate (10% on average), 32 blocks (24% of the SMs) 25%
// (validate/gpu/README.md). Where the GPU file carries such a measured table
// (gemm_rate_lost_by_blocks_held, p5.48xlarge), GEMMs lose its interpolated fraction for the blocks
// held instead of the SM share. A collective whose plan gives no channel count (Gloo runs on CPU threads:
// 0 SMs; NCCL's hierarchical phases) takes the GPU's default_collective_channels when NCCL runs it.
#pragma once

#include "sim/compute/compute_time.hpp"

#include <vector>

namespace shardsim {

struct CollectiveLoad {
  int channels = 0;     // SMs held (one thread block per channel)
  double link_Bps = 0;  // bytes per second it moves over this GPU's links
};

// The contention on one GPU's compute from the collectives in flight (none on a GPU without an
// interference block, collective_hbm_traffic_factor 0 and no kernel model).
ComputeContention contention_of(const GpuSpec& gpu, const std::vector<CollectiveLoad>& in_flight);

}  // namespace shardsim
