// Scaling curves. Weak scaling keeps the batch per GPU fixed (micro-batch x accumulation) and grows
// the global batch with the cluster; strong scaling fixes the global batch (that of the largest
// cluster) and splits it over more GPUs, so smaller clusters accumulate more micro-steps. Either
// way efficiency(N) = per-GPU throughput at N / per-GPU throughput at the smallest N of the same
// strategy and mode: 1.0 is perfect scaling.
#pragma once

#include "sim/planner/planner.hpp"

namespace shardsim {

struct ScalingRequest {
  TransformerModel model;
  std::string instance = "p4d.24xlarge";
  std::vector<int> gpus{16, 32, 64, 128, 256, 512};
  std::vector<StrategyConfig> strategies;
  int micro_batch = 1;
  int accumulation_steps = 1;
  bool activation_checkpointing = true;
  KernelChoice kernels;
  int threads = 0;
  std::string collective_library;  // "gloo", an NCCL version, or "" for the instance's default
  std::string framework;           // a framework profile, or "" for each strategy's default
};

struct ScalingPoint {
  std::string mode;  // "weak" | "strong"
  Candidate candidate;
  long long global_batch = 0;
  double tokens_per_s_per_gpu = 0;
  double efficiency = 0;  // 0 when it does not fit or the baseline does not
};

std::vector<ScalingPoint> run_scaling(const ScalingRequest& request, const std::function<void(int, int)>& progress = {});

}  // namespace shardsim
