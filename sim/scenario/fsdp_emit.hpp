// The PyTorch FSDP2 (torch.distributed.fsdp.fully_shard) settings that run a simulated step, for
// the planner's --emit-fsdp: the device mesh (1-D for full sharding, 2-D (replicate, shard) for
// hybrid sharding), reshard_after_forward (true: ZeRO-3; false: ZeRO-2's SHARD_GRAD_OP; an int:
// ZeRO++ hpZ's second hop, parameters kept sharded over that many intra-node ranks between
// forward and backward), whether the replication all-reduce runs every micro-step or only at the
// accumulation boundary (model.set_requires_all_reduce(False) on the others), the mixed-precision
// policy, the batch split, and the FSDP1 sharding_strategy name for older code. Strategies FSDP
// cannot express (ZeRO-1, MiCS's hierarchical gather) are refused in one line.
#pragma once

#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace shardsim {

nlohmann::ordered_json fsdp_config_for(const Cluster& cluster, const StepConfig& step);

// "torchrun --nnodes 8 --nproc-per-node 8 --rdzv-backend c10d --rdzv-endpoint $MASTER_ADDR:29500 train.py".
std::string torchrun_launch_line(const Cluster& cluster);

}  // namespace shardsim
