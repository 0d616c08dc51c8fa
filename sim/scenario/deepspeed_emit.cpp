#include "sim/scenario/deepspeed_emit.hpp"

#include "sim/input/input_error.hpp"
#include "sim/strategies/registry.hpp"

#include <fmt/format.h>

namespace shardsim {

nlohmann::ordered_json deepspeed_config_for(const Cluster& cluster, const StepConfig& step) {
  const ResolvedStrategy r = resolve_strategy(cluster, step.strategy);
  nlohmann::ordered_json z;
  switch (step.strategy.strategy) {
    case Strategy::ddp: z["stage"] = 0; break;
    case Strategy::zero1: z["stage"] = 1; break;
    case Strategy::zero2: z["stage"] = 2; break;
    case Strategy::zero3: z["stage"] = 3; break;
    case Strategy::mics:
      z["stage"] = 3;
      z["mics_shard_size"] = r.partition_size;
      z["mics_hierarchical_params_gather"] = step.strategy.hierarchical_gather;
      break;
    case Strategy::zeropp_hpz:
      z["stage"] = 3;
      z["zero_hpz_partition_size"] = r.groups.hpz;
      break;
    case Strategy::hybrid_shard:
    case Strategy::hybrid_shard_deferred:
      throw InputError(fmt::format("{} is PyTorch FSDP's hybrid sharding, which DeepSpeed does not have; no DeepSpeed config can run it",
                                   to_string(step.strategy.strategy)));
  }
  z["overlap_comm"] = true;
  z["contiguous_gradients"] = true;
  const std::uint64_t element = static_cast<std::uint64_t>(element_bytes(step.model));
  const bool stage3 = step.strategy.strategy == Strategy::zero3 || step.strategy.strategy == Strategy::mics ||
                      step.strategy.strategy == Strategy::zeropp_hpz;
  if (step.framework.ideal) {
    // The layer-wise reference: buckets and prefetch in whole layers.
    z["reduce_bucket_size"] = step.strategy.reduce_bucket_bytes / element;
    if (stage3) z["stage3_prefetch_bucket_size"] = static_cast<std::int64_t>(step.strategy.prefetch_layers) * parameters_per_layer(step.model);
  } else {
    // The values the framework profile runs with (its defaults, or the scenario's knobs).
    const FrameworkProfile p = effective_framework(step);
    z["reduce_bucket_size"] = static_cast<std::int64_t>(step.strategy.reduce_bucket_elements.value_or(p.reduce_bucket_elements));
    if (stage3) {
      z["stage3_prefetch_bucket_size"] = static_cast<std::int64_t>(p.prefetch_bucket_elements);
      z["stage3_param_persistence_threshold"] = static_cast<std::int64_t>(p.persistence_threshold_elements);
      z["stage3_max_live_parameters"] = static_cast<std::int64_t>(p.max_live_elements);
      if (p.release_by_reuse_distance) z["stage3_max_reuse_distance"] = static_cast<std::int64_t>(p.max_reuse_distance_elements);
    }
  }

  nlohmann::ordered_json ds;
  ds["train_batch_size"] = static_cast<long long>(cluster.gpus()) * step.micro_batch * step.accumulation_steps;
  ds["train_micro_batch_size_per_gpu"] = step.micro_batch;
  ds["gradient_accumulation_steps"] = step.accumulation_steps;
  ds["bf16"] = {{"enabled", step.model.precision == "bf16"}};
  ds["fp16"] = {{"enabled", step.model.precision == "fp16"}};
  ds["zero_optimization"] = z;
  return ds;
}

std::string deepspeed_launch_line(const Cluster& cluster, const std::string& config_path) {
  return fmt::format("deepspeed --num_nodes {} --num_gpus {} --hostfile hostfile train.py --deepspeed {}", cluster.nodes,
                     cluster.instance.gpus_per_node, config_path);
}

}  // namespace shardsim
