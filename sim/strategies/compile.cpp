#include "sim/strategies/compile.hpp"

#include "sim/model/flops.hpp"

#include <fmt/format.h>

#include <map>

namespace shardsim {
namespace {

// Adam in mixed precision touches per parameter of its shard: reads fp32 master, m, v and the
// gradient, writes master, m, v and the half-precision copy.
constexpr double kOptimizerBytesPerParameter = 4 + 4 + 4 + 4 + 4 + 4 + 4 + 2;

class Builder {
 public:
  Builder(const Cluster& cluster, const StepConfig& config, int rank)
      : cluster_(cluster), config_(config), rank_(rank) {
    schedule_.world_size = cluster.gpus();
    schedule_.micro_steps = config.accumulation_steps;
    schedule_.strategy = to_string(config.strategy.strategy);
    schedule_.program.rank = rank;
  }

  // Groups of `size` consecutive ranks (stride 1) or every `size`-th rank (strided), all of them.
  int group_of(GroupRole role, int size, bool strided) {
    auto key = std::make_pair(role, size);
    auto it = mine_.find(key);
    if (it != mine_.end()) return it->second;
    const int n = cluster_.gpus();
    const int count = n / size;
    int my_id = -1;
    for (int g = 0; g < count; ++g) {
      Group group{static_cast<int>(schedule_.groups.size()), role, {}};
      for (int i = 0; i < size; ++i) group.ranks.push_back(strided ? g + i * count : g * size + i);
      for (int r : group.ranks) if (r == rank_) my_id = group.id;
      schedule_.groups.push_back(std::move(group));
    }
    mine_[key] = my_id;
    return my_id;
  }

  int add(Op op) { return schedule_.program.add(std::move(op)); }

  int collective(CollectiveKind kind, Algorithm algo, int group, double bytes, const std::string& dtype, Stream stream,
                 std::vector<int> deps, std::string label, int micro, int layer) {
    Op op{CollectiveOp{kind, algo, group, bytes, dtype}, stream, std::move(deps), std::move(label), micro, layer};
    return add(std::move(op));
  }

  int compute(double flops, double hbm_bytes, std::vector<int> deps, std::string label, int micro, int layer) {
    return add(Op{ComputeOp{flops, hbm_bytes}, Stream::compute, std::move(deps), std::move(label), micro, layer});
  }

  Schedule take() { return std::move(schedule_); }

 private:
  const Cluster& cluster_;
  const StepConfig& config_;
  int rank_;
  Schedule schedule_;
  std::map<std::pair<GroupRole, int>, int> mine_;
};

std::vector<int> deps_of(std::initializer_list<int> ids) {
  std::vector<int> out;
  for (int i : ids) if (i >= 0) out.push_back(i);
  return out;
}

}  // namespace

std::vector<Unit> model_units(const StepConfig& c) {
  const LayerFlops layer = layer_flops(c.model, c.micro_batch, c.activation_checkpointing);
  const LayerFlops head = output_head_flops(c.model, c.micro_batch);
  std::vector<Unit> units;
  for (int l = 0; l < c.model.layers; ++l)
    units.push_back({fmt::format("L{}", l), static_cast<double>(parameters_per_layer(c.model)), layer.forward,
                     layer.backward + layer.recompute});
  const double head_params = static_cast<double>(embedding_parameters(c.model) + output_head_parameters(c.model) +
                                                 final_norm_parameters(c.model));
  units.push_back({"head", head_params, head.forward, head.backward + head.recompute});
  return units;
}

Schedule compile_schedule(const Cluster& cluster, const StepConfig& c, int rank) {
  validate_step_config(cluster, c);
  const Strategy strategy = c.strategy.strategy;
  const int n = cluster.gpus();
  const int k = cluster.instance.gpus_per_node;
  const int p = effective_partition_size(cluster, c.strategy);
  const std::vector<Unit> units = model_units(c);
  const int u_count = static_cast<int>(units.size());
  const double elem = element_bytes(c.model);
  const std::string dtype = c.model.precision;
  double psi = 0;
  for (const auto& u : units) psi += u.parameters;

  Builder b(cluster, c, rank);
  const int world = b.group_of(GroupRole::world, n, false);
  const bool sharded_groups = uses_partition_group(strategy);
  const int shard_group = sharded_groups ? b.group_of(GroupRole::partition, p, false) : world;
  const int replication = sharded_groups && n / p > 1 ? b.group_of(GroupRole::replication, n / p, true) : -1;
  const int hpz_size = c.strategy.hpz_partition_size > 0 ? c.strategy.hpz_partition_size : k;
  const int hpz_group = strategy == Strategy::zeropp_hpz ? b.group_of(GroupRole::intra_node, hpz_size, false) : -1;
  const Algorithm gather_algo =
      (strategy == Strategy::mics && c.strategy.hierarchical_gather && p > k) ? Algorithm::hierarchical : Algorithm::ring;
  const bool gathers = gathers_parameters(strategy);
  const int prefetch = c.strategy.prefetch_layers;
  const double shard_fraction = strategy == Strategy::ddp ? 1.0 : 1.0 / (sharded_groups ? p : n);

  int last_op = -1;
  int last_reduce = -1;
  for (int m = 0; m < c.accumulation_steps; ++m) {
    const bool boundary = m == c.accumulation_steps - 1;
    std::vector<int> fwd(u_count, -1), bwd(u_count, -1);
    for (int u = 0; u < u_count; ++u) {
      int gather = -1;
      if (gathers) {
        // A gather may run `prefetch` units ahead: it waits for the compute that frees a buffer.
        const int freeing = u - prefetch - 1;
        gather = b.collective(CollectiveKind::all_gather, gather_algo, shard_group, units[u].parameters * elem, dtype,
                              Stream::gather, deps_of({freeing >= 0 ? fwd[freeing] : -1}),
                              fmt::format("ag-fwd {}", units[u].name), m, u);
      }
      fwd[u] = b.compute(units[u].forward_flops, 0, deps_of({gather}), fmt::format("fwd {}", units[u].name), m, u);
    }
    double bucket_bytes = 0;
    for (int u = u_count - 1; u >= 0; --u) {
      int gather = -1;
      if (gathers) {
        const int freeing = u + prefetch + 1;
        const bool secondary = strategy == Strategy::zeropp_hpz;
        gather = b.collective(CollectiveKind::all_gather, secondary ? Algorithm::ring : gather_algo,
                              secondary ? hpz_group : shard_group, units[u].parameters * elem, dtype, Stream::gather,
                              deps_of({freeing < u_count ? bwd[freeing] : fwd[u_count - 1]}),
                              fmt::format("ag-bwd {}", units[u].name), m, u);
      }
      bwd[u] = b.compute(units[u].backward_flops, 0, deps_of({gather}), fmt::format("bwd {}", units[u].name), m, u);
      // Gradient communication of this micro-step, bucketed.
      const bool reduce_now = strategy == Strategy::zero2 || gathers || boundary;
      if (!reduce_now) continue;
      bucket_bytes += units[u].parameters * elem;
      const bool flush = u == 0 || c.strategy.reduce_bucket_bytes == 0 ||
                         bucket_bytes >= static_cast<double>(c.strategy.reduce_bucket_bytes);
      if (!flush) continue;
      const std::string where = fmt::format("{}", units[u].name);
      if (strategy == Strategy::ddp) {
        last_reduce = b.collective(CollectiveKind::all_reduce, Algorithm::ring, world, bucket_bytes, dtype, Stream::reduce,
                                   {bwd[u]}, "ar-grad " + where, m, u);
      } else {
        last_reduce = b.collective(CollectiveKind::reduce_scatter, Algorithm::ring, shard_group, bucket_bytes, dtype,
                                   Stream::reduce, {bwd[u]}, "rs-grad " + where, m, u);
        if (strategy == Strategy::hybrid_shard && replication >= 0)
          last_reduce = b.collective(CollectiveKind::all_reduce, Algorithm::ring, replication, bucket_bytes / p, dtype,
                                     Stream::reduce, {last_reduce}, "ar-replication " + where, m, u);
      }
      bucket_bytes = 0;
    }
    last_op = bwd[0];
    if (!boundary) continue;
    // The accumulation boundary: the second hop of the gradient sync, then the optimizer.
    if ((strategy == Strategy::mics || strategy == Strategy::hybrid_shard_deferred) && replication >= 0) {
      const double accumulated_elem = strategy == Strategy::mics ? 4.0 : elem;  // MiCS accumulates in fp32
      last_reduce = b.collective(CollectiveKind::all_reduce, Algorithm::ring, replication, psi * accumulated_elem / p,
                                 strategy == Strategy::mics ? "fp32" : dtype, Stream::reduce, {last_reduce},
                                 "ar-replication boundary", m, -1);
    }
    const int optimizer = b.compute(0, psi * shard_fraction * kOptimizerBytesPerParameter, deps_of({last_op, last_reduce}),
                                    "optimizer", m, -1);
    last_op = optimizer;
    if (strategy == Strategy::zero1 || strategy == Strategy::zero2) {
      // Every rank needs the whole updated model back: all-gather the shards, unit by unit.
      for (int u = 0; u < u_count; ++u)
        b.collective(CollectiveKind::all_gather, Algorithm::ring, world, units[u].parameters * elem, dtype, Stream::gather,
                     {optimizer}, fmt::format("ag-params {}", units[u].name), m, u);
    }
  }
  return b.take();
}

}  // namespace shardsim
