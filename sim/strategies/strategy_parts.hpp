// Building blocks the strategy units share, so that what two strategies have in common is written
// once: the two ways of laying out model states (over the world, or over a partition group with
// replicas) and the collectives several strategies issue (per-unit parameter gathers with a
// reduce-scatter of gradients every micro-step, the replication all-reduce).
#pragma once

#include "sim/strategies/resolved_strategy.hpp"
#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

namespace shardsim {

// Model states replicated on every rank (p = 1, memory terms 1): the common start of every unit.
ResolvedStrategy unsharded(Strategy strategy, const Cluster& cluster);

// Model states sharded over all N ranks as `memory` says (p = N, no extra groups), gradients
// reduce-scattered over the world; the schedule is otherwise empty.
ResolvedStrategy world_sharded(Strategy strategy, const Cluster& cluster, ModelStateSharding memory);

// Every model state sharded over a partition group of p consecutive ranks (the configured size,
// or one node), replicated over N/p strided groups when there is more than one; gradients
// reduce-scattered over the partition group. A p that does not fit the cluster is kept as asked
// (validate_step_config reports it).
ResolvedStrategy partition_sharded(Strategy strategy, const Cluster& cluster, const StrategyConfig& config);

// ZeRO-3 style: each unit's parameters all-gathered over the shard group (with `algorithm`)
// before its forward and its backward, and gradients reduced every micro-step.
void gather_parameters_per_unit(ResolvedStrategy& resolved, Algorithm algorithm);

// ZeRO-1/2: after the optimizer each unit's updated shards are all-gathered over the world.
void gather_updated_parameters(ResolvedStrategy& resolved);

// An all-reduce over the replication group of what one partition-group rank holds (1/p), or
// nothing without a replication group (a single replica has nobody to sync with).
std::optional<CollectiveStep> replication_all_reduce(const ResolvedStrategy& resolved, std::string label, bool fp32);

}  // namespace shardsim
