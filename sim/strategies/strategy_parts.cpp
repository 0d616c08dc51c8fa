#include "sim/strategies/strategy_parts.hpp"

#include <utility>

namespace shardsim {
namespace {

CollectiveStep reduce_scatter_gradients(GroupRole group) {
  return {CollectiveKind::reduce_scatter, group, Algorithm::ring, 1, false, "rs-grad"};
}

}  // namespace

ResolvedStrategy unsharded(Strategy strategy, const Cluster& cluster) {
  ResolvedStrategy r;
  r.strategy = strategy;
  r.world_size = cluster.gpus();
  r.gpus_per_node = cluster.instance.gpus_per_node;
  r.partition_size = 1;
  r.memory = {1, 1, 1};
  return r;
}

ResolvedStrategy world_sharded(Strategy strategy, const Cluster& cluster, ModelStateSharding memory) {
  ResolvedStrategy r = unsharded(strategy, cluster);
  r.partition_size = r.world_size;
  r.memory = memory;
  r.memory.gradient_buckets = true;
  r.schedule.gradient_sync = {reduce_scatter_gradients(GroupRole::world)};
  return r;
}

ResolvedStrategy partition_sharded(Strategy strategy, const Cluster& cluster, const StrategyConfig& config) {
  ResolvedStrategy r = unsharded(strategy, cluster);
  const int p = config.partition_size > 0 ? config.partition_size : r.gpus_per_node;
  r.partition_size = p;
  r.groups.partition = p;
  // Integer division keeps an uneven p harmless here; validation refuses it before any use.
  if (r.world_size / p > 1) r.groups.replication = r.world_size / p;
  r.memory = {p, p, p};
  r.memory.gradient_buckets = true;
  r.schedule.gradient_sync = {reduce_scatter_gradients(GroupRole::partition)};
  return r;
}

void gather_parameters_per_unit(ResolvedStrategy& r, Algorithm algorithm) {
  const GroupRole group = r.shard_group();
  r.schedule.forward_gather = CollectiveStep{CollectiveKind::all_gather, group, algorithm, 1, false, "ag-fwd"};
  r.schedule.backward_gather = CollectiveStep{CollectiveKind::all_gather, group, algorithm, 1, false, "ag-bwd"};
  // Gathered parameters are freed after use, so their gradients cannot wait for the boundary.
  r.schedule.sync_every_micro_step = true;
  r.memory.gathers_parameters = true;
}

void gather_updated_parameters(ResolvedStrategy& r) {
  r.schedule.updated_parameter_gather =
      CollectiveStep{CollectiveKind::all_gather, GroupRole::world, Algorithm::ring, 1, false, "ag-params"};
}

std::optional<CollectiveStep> replication_all_reduce(const ResolvedStrategy& r, std::string label, bool fp32) {
  if (r.groups.replication == 0) return std::nullopt;
  return CollectiveStep{CollectiveKind::all_reduce, GroupRole::replication, Algorithm::ring, r.partition_size, fp32, std::move(label)};
}

}  // namespace shardsim
