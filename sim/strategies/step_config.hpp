// What a strategy compiles: the model, the strategy and its knobs (named after DeepSpeed's), and
// the batch split. `validate_step_config` checks it against the cluster and throws InputError
// naming the problem (a partition size that does not divide the world, or splits nodes unevenly).
#pragma once

#include "sim/compute/block_kernels.hpp"
#include "sim/model/transformer.hpp"
#include "sim/strategies/strategy.hpp"
#include "sim/topology/topology.hpp"

#include <cstdint>

namespace shardsim {

struct StrategyConfig {
  Strategy strategy = Strategy::zero3;
  int partition_size = 0;            // p for mics / hybrid sharding; 0 = one node (k); resolved in registry.hpp
  bool hierarchical_gather = true;   // mics_hierarchical_params_gather
  int prefetch_layers = 1;           // gathers issued ahead of the layer computing
  std::uint64_t reduce_bucket_bytes = 0;  // 0 = one reduce-scatter per layer
  int hpz_partition_size = 0;        // ZeRO++ secondary partition; 0 = one node (k)
};

struct StepConfig {
  TransformerModel model;
  StrategyConfig strategy;
  int micro_batch = 1;          // sequences per GPU per micro-step
  int accumulation_steps = 1;   // micro-steps per optimizer step
  bool activation_checkpointing = true;
  // The software stack's attention: unfused (scores and probabilities through HBM, as DeepSpeed
  // and Megatron-LM ran it in 2021-22) or fused (FlashAttention, 2022; PyTorch 2's SDPA).
  AttentionKernel attention = AttentionKernel::unfused;
};

void validate_step_config(const Cluster& cluster, const StepConfig& config);

}  // namespace shardsim
