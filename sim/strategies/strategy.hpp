// The sharding strategies the simulator compares, named as in scenario files: DDP (no sharding),
// ZeRO stages 1-3 (optimizer states / + gradients / + parameters sharded over all N ranks), MiCS
// (everything sharded over a partition group of p ranks, replicated across the N/p groups),
// ZeRO++ hpZ (ZeRO-3 plus a secondary intra-node copy of the parameters for backward gathers),
// and FSDP1 HYBRID_SHARD (sharded within a group like MiCS, with the cross-group all-reduce on
// every backward, or, "deferred", only at the accumulation boundary as MiCS does). What each one
// does lives in its own unit (registry.hpp); this is only the identifier and its name.
#pragma once

#include <string>
#include <vector>

namespace shardsim {

enum class Strategy { ddp, zero1, zero2, zero3, mics, zeropp_hpz, hybrid_shard, hybrid_shard_deferred };

const char* to_string(Strategy strategy);
// "zero3" -> Strategy::zero3; throws InputError listing the names and the closest one.
Strategy parse_strategy(const std::string& name);
// The registered strategies' names, in registry order.
std::vector<std::string> strategy_names();
// The framework profile (framework/framework_profile.hpp) a strategy runs on when the scenario
// names none: current DeepSpeed for ZeRO-1/2/3, MiCS and hpZ, FSDP for HYBRID_SHARD, and the
// layer-wise reference (`ideal`) for DDP, which this simulator does not model as PyTorch DDP.
std::string default_framework(Strategy strategy);

}  // namespace shardsim
