// The resolve function of each registered strategy, one per file (ddp.cpp, zero1.cpp, ...). Only
// registry.cpp calls them; everyone else goes through resolve_strategy (registry.hpp).
#pragma once

#include "sim/strategies/resolved_strategy.hpp"
#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

ResolvedStrategy resolve_ddp(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_zero1(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_zero2(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_zero3(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_zeropp_hpz(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_mics(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_hybrid_shard(const Cluster& cluster, const StrategyConfig& config);
ResolvedStrategy resolve_hybrid_shard_deferred(const Cluster& cluster, const StrategyConfig& config);

}  // namespace shardsim
