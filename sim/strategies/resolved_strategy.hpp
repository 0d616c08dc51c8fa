// A sharding strategy resolved for one cluster and its StrategyConfig: everything the rest of the
// simulator asks about a strategy, derived once by the strategy's own unit (registry.hpp) so no
// caller re-decides it. It holds
//   - the groups: model states are sharded over a partition group of p consecutive ranks, or over
//     the world; N/p strided replication groups hold the replicas; ZeRO++ hpZ adds an intra-node
//     secondary partition;
//   - the partition size p (1 for DDP, N for ZeRO) and whether parameter gathers run the MiCS
//     hierarchical algorithm (MiCS with the knob on, and only where p spans nodes);
//   - the memory terms: over how many ranks parameters, gradients and optimizer states are sharded;
//   - the schedule: which collectives each micro-step and the accumulation boundary issue.
// compile_schedule (compile.hpp) turns the schedule part into per-rank programs; it has no
// strategy-specific branches.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/model/memory.hpp"
#include "sim/schedule/schedule.hpp"
#include "sim/strategies/strategy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shardsim {

// Group sizes; 0 = the group does not exist. The world group always does.
struct StrategyGroups {
  int partition = 0;    // consecutive ranks holding one copy of the model states, sharded
  int replication = 0;  // every (N / size)-th rank: the same shard in each partition group
  int hpz = 0;          // ZeRO++ secondary partition within a node, for backward gathers
};

// One collective of the schedule, over one of the strategy's groups. Its bytes are the unit's,
// the bucket's or (at the boundary) the whole model's, divided by `divisor`, in the model's
// precision unless `fp32` (MiCS accumulates gradients in fp32 across micro-steps).
struct CollectiveStep {
  CollectiveKind kind = CollectiveKind::all_gather;
  GroupRole group = GroupRole::world;
  Algorithm algorithm = Algorithm::ring;
  int divisor = 1;
  bool fp32 = false;
  std::string label;  // "rs-grad": the op's label, followed by the unit or bucket name
};

// The collectives a strategy adds around the compute of each micro-step (see compile.hpp).
struct StrategySchedule {
  // All-gathers of each unit's parameters before its forward and its backward (ZeRO-3 family).
  std::optional<CollectiveStep> forward_gather, backward_gather;
  // Gradient communication after backward, per bucket, each step waiting for the previous one.
  std::vector<CollectiveStep> gradient_sync;
  bool sync_every_micro_step = false;  // false: only in the last micro-step (the boundary)
  // At the boundary before the optimizer: over the model's Psi parameters.
  std::optional<CollectiveStep> boundary_sync;
  // After the optimizer, per unit: every rank gets the updated parameters back (ZeRO-1/2).
  std::optional<CollectiveStep> updated_parameter_gather;
};

struct ResolvedStrategy {
  Strategy strategy = Strategy::zero3;
  int world_size = 1;      // N
  int gpus_per_node = 1;   // k
  StrategyGroups groups;
  int partition_size = 1;  // p: ranks one copy of the model states is spread over
  bool hierarchical_gather = false;
  bool hierarchical_gather_knob = false;  // the strategy reads StrategyConfig::hierarchical_gather
  ModelStateSharding memory;
  StrategySchedule schedule;

  // The group model states are sharded over: the partition group, or the world.
  GroupRole shard_group() const { return groups.partition > 0 ? GroupRole::partition : GroupRole::world; }
  bool has_partition_group() const { return groups.partition > 0; }
};

}  // namespace shardsim
