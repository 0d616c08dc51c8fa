// The DeepSpeed config that runs a simulated step: the inverse of apply_deepspeed_config, so the
// planner's recommendation can be launched and fed back (`simulate --deepspeed`) to the same
// prediction (tests/scenarios/deepspeed_emit_test.cpp). ZeRO stages for ddp/zero1/zero2/zero3,
// stage 3 with mics_shard_size and mics_hierarchical_params_gather for MiCS, with
// zero_hpz_partition_size for ZeRO++ hpZ; the resolved partition sizes (never "one node" left
// implicit); reduce_bucket_size and stage3_prefetch_bucket_size in elements as DeepSpeed counts
// them; the three batch sizes; the precision. Hybrid sharding is FSDP's, not DeepSpeed's: refused.
#pragma once

#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace shardsim {

nlohmann::ordered_json deepspeed_config_for(const Cluster& cluster, const StepConfig& step);

// "deepspeed --num_nodes 8 --num_gpus 8 --hostfile hostfile train.py --deepspeed ds_config.json".
std::string deepspeed_launch_line(const Cluster& cluster, const std::string& config_path);

}  // namespace shardsim
