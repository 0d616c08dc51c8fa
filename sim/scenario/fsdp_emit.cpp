#include "sim/scenario/fsdp_emit.hpp"

#include "sim/input/input_error.hpp"
#include "sim/strategies/registry.hpp"

#include <fmt/format.h>

namespace shardsim {

nlohmann::ordered_json fsdp_config_for(const Cluster& cluster, const StepConfig& step) {
  const ResolvedStrategy r = resolve_strategy(cluster, step.strategy);
  const int n = cluster.gpus();
  nlohmann::ordered_json j;
  auto mesh = [&](int replicate, int shard) {
    if (replicate == 1) j["device_mesh"] = {{"shape", {shard}}, {"dim_names", {"shard"}}};
    else j["device_mesh"] = {{"shape", {replicate, shard}}, {"dim_names", {"replicate", "shard"}}};
  };
  const Strategy s = step.strategy.strategy;
  switch (s) {
    case Strategy::ddp:
      mesh(n, 1);
      j["reshard_after_forward"] = false;
      j["fsdp1_sharding_strategy"] = "NO_SHARD";
      break;
    case Strategy::zero1:
      throw InputError("zero1 (optimizer states sharded, gradients not) has no FSDP setting; emit a DeepSpeed config instead");
    case Strategy::zero2:
      mesh(1, n);
      j["reshard_after_forward"] = false;
      j["fsdp1_sharding_strategy"] = "SHARD_GRAD_OP";
      break;
    case Strategy::zero3:
      mesh(1, n);
      j["reshard_after_forward"] = true;
      j["fsdp1_sharding_strategy"] = "FULL_SHARD";
      break;
    case Strategy::zeropp_hpz:
      mesh(1, n);
      j["reshard_after_forward"] = r.groups.hpz;  // the second hop: kept sharded within the node after forward
      j["fsdp1_sharding_strategy"] = nullptr;
      break;
    case Strategy::mics:
      if (r.hierarchical_gather)
        throw InputError("mics with the hierarchical (two-hop) parameter gather has no FSDP setting; use --hierarchical off or emit a DeepSpeed config");
      [[fallthrough]];
    case Strategy::hybrid_shard:
    case Strategy::hybrid_shard_deferred:
      mesh(n / r.partition_size, r.partition_size);
      j["reshard_after_forward"] = true;
      j["fsdp1_sharding_strategy"] = "HYBRID_SHARD";
      break;
  }
  // MiCS and the deferred variant all-reduce the replicas' gradients once per step.
  const bool deferred = s == Strategy::mics || s == Strategy::hybrid_shard_deferred;
  if (j["device_mesh"]["shape"].size() == 2)
    j["replication_all_reduce"] = deferred ? "at the accumulation boundary: model.set_requires_all_reduce(False) on all but the last micro-step"
                                           : "every micro-step (FSDP's default)";
  const std::string dtype = step.model.precision == "bf16" ? "bfloat16" : step.model.precision == "fp16" ? "float16" : "float32";
  j["mixed_precision"] = {{"param_dtype", dtype}, {"reduce_dtype", dtype}};
  j["wrap"] = "fully_shard each transformer block, then the root module";
  j["activation_checkpointing"] = step.activation_checkpointing;
  j["micro_batch_per_gpu"] = step.micro_batch;
  j["gradient_accumulation_steps"] = step.accumulation_steps;
  j["global_batch"] = static_cast<long long>(n) * step.micro_batch * step.accumulation_steps;
  j["seq_len"] = step.model.seq_len;
  return j;
}

std::string torchrun_launch_line(const Cluster& cluster) {
  return fmt::format("torchrun --nnodes {} --nproc-per-node {} --rdzv-backend c10d --rdzv-endpoint $MASTER_ADDR:29500 train.py",
                     cluster.nodes, cluster.instance.gpus_per_node);
}

}  // namespace shardsim
