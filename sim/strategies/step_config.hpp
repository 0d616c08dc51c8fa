// What a strategy compiles: the model, the strategy and its knobs (named after DeepSpeed's), and
// the batch split. `validate_step_config` checks it against the cluster and throws InputError
// naming the problem (a partition size that does not divide the world, or splits nodes unevenly).
#pragma once

#include "sim/framework/framework_profile.hpp"
#include "sim/compute/block_kernels.hpp"
#include "sim/model/transformer.hpp"
#include "sim/strategies/strategy.hpp"
#include "sim/topology/topology.hpp"

#include <cstdint>
#include <optional>

namespace shardsim {

struct StrategyConfig {
  Strategy strategy = Strategy::zero3;
  int partition_size = 0;            // p for mics / hybrid sharding; 0 = one node (k); resolved in registry.hpp
  bool hierarchical_gather = true;   // mics_hierarchical_params_gather
  int prefetch_layers = 1;           // gathers issued ahead of the layer computing
  std::uint64_t reduce_bucket_bytes = 0;  // 0 = one reduce-scatter per layer
  int hpz_partition_size = 0;        // ZeRO++ secondary partition; 0 = one node (k)
  // DeepSpeed's stage-3 knobs, in elements; unset = the framework profile's default.
  std::optional<double> prefetch_bucket_elements{};      // stage3_prefetch_bucket_size
  std::optional<double> persistence_threshold_elements{};  // stage3_param_persistence_threshold
  std::optional<double> max_live_elements{};            // stage3_max_live_parameters
  std::optional<double> max_reuse_distance_elements{};     // stage3_max_reuse_distance
  std::optional<double> reduce_bucket_elements{};        // reduce_bucket_size as given; 0 = a reduce per gradient
};

struct StepConfig {
  TransformerModel model;
  StrategyConfig strategy;
  int micro_batch = 1;          // sequences per GPU per micro-step
  int accumulation_steps = 1;   // micro-steps per optimizer step
  bool activation_checkpointing = true;
  // How the framework runs the step (framework_profile.hpp); the built-in `ideal` by default, the
  // layer-wise reference schedule. Scenarios choose a real one.
  FrameworkProfile framework;
  KernelChoice kernels;  // the software stack's attention and element-wise kernels
};

void validate_step_config(const Cluster& cluster, const StepConfig& config);

// The framework profile with the scenario's knobs in place of its defaults: a DeepSpeed config's
// stage3_prefetch_bucket_size, stage3_param_persistence_threshold, stage3_max_live_parameters,
// stage3_max_reuse_distance and reduce_bucket_size (a positive one; 0, a reduce per gradient, is the compiler's to handle), or a
// scenario's reduce bucket in bytes. What the compiler, the memory estimate and the emitted
// DeepSpeed config all read.
FrameworkProfile effective_framework(const StepConfig& config);

}  // namespace shardsim
