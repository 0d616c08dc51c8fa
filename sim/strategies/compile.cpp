#include "sim/strategies/compile.hpp"

#include "sim/collectives/group_spec.hpp"

#include "sim/model/flops.hpp"
#include "sim/strategies/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace shardsim {
namespace {

// Adam in mixed precision touches per parameter of its shard: reads fp32 master, m, v and the
// gradient, writes master, m, v and the half-precision copy.
constexpr double kOptimizerBytesPerParameter = 4 + 4 + 4 + 4 + 4 + 4 + 4 + 2;

std::vector<int> deps_of(std::initializer_list<int> ids) {
  std::vector<int> out;
  for (int i : ids) if (i >= 0) out.push_back(i);
  return out;
}

// Builds one rank's schedule from a resolved strategy: the compute of every unit, and around it
// the collectives the strategy's StrategySchedule names. Nothing here depends on which strategy.
class StepCompiler {
 public:
  StepCompiler(const Cluster& cluster, const StepConfig& c, const ResolvedStrategy& resolved, int rank)
      : cluster_(cluster), config_(c), plan_(resolved.schedule), rank_(rank), units_(model_units(c)),
        elem_(element_bytes(c.model)) {
    schedule_.world_size = cluster.gpus();
    schedule_.micro_steps = c.accumulation_steps;
    schedule_.strategy = to_string(resolved.strategy);
    schedule_.program.rank = rank;
    for (const auto& u : units_) psi_ += u.parameters;
    // Created in this order whatever the strategy, so group ids are stable.
    const StrategyGroups& g = resolved.groups;
    using Kind = GroupSpec::Kind;
    group_ids_[GroupRole::world] = group_of(GroupRole::world, {Kind::world, 0});
    if (g.partition > 0) group_ids_[GroupRole::partition] = group_of(GroupRole::partition, {Kind::partition, g.partition});
    // A replication group of r ranks: every (N/r)-th rank, those with one index in their partition group.
    if (g.replication > 0)
      group_ids_[GroupRole::replication] = group_of(GroupRole::replication, {Kind::replication, cluster.gpus() / g.replication});
    if (g.hpz > 0) group_ids_[GroupRole::intra_node] = group_of(GroupRole::intra_node, {Kind::partition, g.hpz});
    optimizer_shard_fraction_ = 1.0 / resolved.memory.optimizer_states;
  }

  Schedule compile() {
    for (int m = 0; m < config_.accumulation_steps; ++m) {
      const bool boundary = m == config_.accumulation_steps - 1;
      forward(m);
      backward(m, boundary);
      last_op_ = bwd_[0];
      if (boundary) optimizer_step(m);
    }
    return std::move(schedule_);
  }

 private:
  // Every group of the spec (collectives/group_spec.hpp, the runtime's grouping too); returns the
  // id of this rank's.
  int group_of(GroupRole role, GroupSpec spec) {
    const int n = cluster_.gpus();
    int my_id = -1;
    for (int colour = 0; colour < spec.group_count(n); ++colour) {
      Group group{static_cast<int>(schedule_.groups.size()), role, spec.members(n, colour)};
      for (int r : group.ranks) if (r == rank_) my_id = group.id;
      schedule_.groups.push_back(std::move(group));
    }
    return my_id;
  }

  int add(Op op) { return schedule_.program.add(std::move(op)); }

  // The communicator of a collective over `role`'s group. DeepSpeed (ZeRO-1/2/3, MiCS, hpZ) and
  // FSDP issue every collective of one process group on that group's one NCCL communicator,
  // whichever CUDA stream launches it; the strategies here use one process group per role, so
  // there is one communicator family per role, created at its first collective.
  int communicator_of(GroupRole role, int group_id) {
    for (const auto& c : schedule_.communicators)
      if (c.role == role) return c.id;
    const int id = static_cast<int>(schedule_.communicators.size());
    const int size = static_cast<int>(schedule_.groups[group_id].ranks.size());
    schedule_.communicators.push_back({id, role, size, to_string(role)});
    last_on_communicator_.push_back(-1);
    return id;
  }

  // Collectives are added in the framework's launch order (see backward()). NCCL runs one
  // communicator's operations one at a time in that order (pytorch/pytorch#177015: separate
  // streams are not enough), so each one also waits for the previous one of its communicator.
  int collective(const CollectiveStep& s, double bytes, Stream stream, std::vector<int> deps, std::string label, int micro,
                 int layer) {
    const auto group = group_ids_.find(s.group);
    if (group == group_ids_.end()) throw std::logic_error(fmt::format("a collective over a missing {} group", to_string(s.group)));
    const int communicator = communicator_of(s.group, group->second);
    const int previous = last_on_communicator_[communicator];
    if (previous >= 0 && std::find(deps.begin(), deps.end(), previous) == deps.end()) deps.push_back(previous);
    const CollectiveOp op{s.kind, s.algorithm, group->second, bytes / s.divisor, s.fp32 ? "fp32" : config_.model.precision,
                          communicator};
    return last_on_communicator_[communicator] = add(Op{op, stream, std::move(deps), std::move(label), micro, layer});
  }

  int compute(double flops, double hbm_bytes, std::vector<int> deps, std::string label, int micro, int layer) {
    return add(Op{ComputeOp{flops, hbm_bytes, {}}, Stream::compute, std::move(deps), std::move(label), micro, layer});
  }
  int compute(std::vector<Kernel> kernels, std::vector<int> deps, std::string label, int micro, int layer) {
    return add(Op{compute_op_of(std::move(kernels)), Stream::compute, std::move(deps), std::move(label), micro, layer});
  }

  int unit_count() const { return static_cast<int>(units_.size()); }
  double unit_bytes(int u) const { return units_[u].parameters * elem_; }

  // Forward: DeepSpeed's pre-forward hook of unit u (partitioned_param_coordinator.py,
  // fetch_sub_module) fetches u and prefetches up to `prefetch` units ahead, so the gather of unit
  // u + prefetch is launched there. No other collective of the communicator is launched between
  // forward hooks, so adding each gather just before its unit's compute keeps the launch order.
  void forward(int m) {
    const int prefetch = config_.strategy.prefetch_layers;
    fwd_.assign(units_.size(), -1);
    for (int u = 0; u < unit_count(); ++u) {
      int gather = -1;
      if (plan_.forward_gather) {
        // A gather may run `prefetch` units ahead: it waits for the compute that frees a buffer,
        // the unit whose forward ran just before the hook that launches it.
        const int freeing = u - prefetch - 1;
        gather = collective(*plan_.forward_gather, unit_bytes(u), Stream::gather, deps_of({freeing >= 0 ? fwd_[freeing] : -1}),
                            fmt::format("{} {}", plan_.forward_gather->label, units_[u].name), m, u);
      }
      fwd_[u] = compute(units_[u].forward_kernels, deps_of({gather}), fmt::format("fwd {}", units_[u].name), m, u);
    }
  }

  // Backward, in DeepSpeed's launch order. The gradient hooks of unit u+1 (stage3.py,
  // reduce_partition_and_remove_grads -> reduce_ipg_grads) launch its reduce-scatter when its
  // bucket fills; then the pre-backward hook of unit u (fetch_sub_module) fetches u, gathered
  // already, and prefetches the next `prefetch` units, of which only u - prefetch is new. On the
  // data-parallel communicator that is ..., RS(u+1), AG(u-prefetch), RS(u), AG(u-prefetch-1), ...
  void backward(int m, bool boundary) {
    bwd_.assign(units_.size(), -1);
    backward_gather_.assign(units_.size(), -1);
    next_backward_gather_ = unit_count() - 1;
    double bucket_bytes = 0;
    for (int u = unit_count() - 1; u >= 0; --u) {
      launch_backward_gathers_through(u - config_.strategy.prefetch_layers, m);
      bwd_[u] = compute(units_[u].backward_kernels, deps_of({backward_gather_[u]}), fmt::format("bwd {}", units_[u].name), m, u);
      // Gradient communication of this micro-step, bucketed.
      if (plan_.sync_every_micro_step || boundary) reduce_gradients(u, m, bucket_bytes);
    }
  }

  // The backward gathers of units next_backward_gather_ down to `lowest` (at least unit 0).
  void launch_backward_gathers_through(int lowest, int m) {
    if (!plan_.backward_gather) return;
    const int prefetch = config_.strategy.prefetch_layers;
    for (; next_backward_gather_ >= std::max(lowest, 0); --next_backward_gather_) {
      const int u = next_backward_gather_;
      // The buffer comes free when the unit `prefetch + 1` later in backward order has computed:
      // the one whose backward ran just before the hook that launches this gather.
      const int freeing = u + prefetch + 1;
      backward_gather_[u] = collective(*plan_.backward_gather, unit_bytes(u), Stream::gather,
                                       deps_of({freeing < unit_count() ? bwd_[freeing] : fwd_[unit_count() - 1]}),
                                       fmt::format("{} {}", plan_.backward_gather->label, units_[u].name), m, u);
    }
  }

  // Adds unit u's gradients to the bucket; a full bucket (or the last unit) is synced.
  void reduce_gradients(int u, int m, double& bucket_bytes) {
    const std::uint64_t bucket_limit = config_.strategy.reduce_bucket_bytes;
    bucket_bytes += unit_bytes(u);
    const bool flush = u == 0 || bucket_limit == 0 || bucket_bytes >= static_cast<double>(bucket_limit);
    if (!flush) return;
    std::vector<int> deps{bwd_[u]};
    for (const auto& step : plan_.gradient_sync) {
      last_reduce_ = collective(step, bucket_bytes, Stream::reduce, deps, fmt::format("{} {}", step.label, units_[u].name), m, u);
      deps = {last_reduce_};
    }
    bucket_bytes = 0;
  }

  // The accumulation boundary: the second hop of the gradient sync, the optimizer, and the
  // parameters back to every rank where the optimizer updated only a shard of them.
  void optimizer_step(int m) {
    if (plan_.boundary_sync) {
      const CollectiveStep& s = *plan_.boundary_sync;
      last_reduce_ = collective(s, psi_ * (s.fp32 ? 4.0 : elem_), Stream::reduce, deps_of({last_reduce_}), s.label, m, -1);
    }
    const int optimizer = compute(0, psi_ * optimizer_shard_fraction_ * kOptimizerBytesPerParameter,
                                  deps_of({last_op_, last_reduce_}), "optimizer", m, -1);
    last_op_ = optimizer;
    if (!plan_.updated_parameter_gather) return;
    for (int u = 0; u < unit_count(); ++u)
      collective(*plan_.updated_parameter_gather, unit_bytes(u), Stream::gather, {optimizer},
                 fmt::format("{} {}", plan_.updated_parameter_gather->label, units_[u].name), m, u);
  }

  const Cluster& cluster_;
  const StepConfig& config_;
  const StrategySchedule& plan_;
  int rank_;
  std::vector<Unit> units_;
  double elem_;
  double psi_ = 0;
  double optimizer_shard_fraction_ = 1;
  Schedule schedule_;
  std::map<GroupRole, int> group_ids_;
  std::vector<int> fwd_, bwd_;
  std::vector<int> backward_gather_;  // per unit, this micro-step's
  int next_backward_gather_ = -1;     // the next unit whose backward gather is to be launched
  std::vector<int> last_on_communicator_;  // per communicator id: its last collective so far
  int last_op_ = -1;
  int last_reduce_ = -1;
};

}  // namespace

std::vector<Unit> model_units(const StepConfig& c) {
  const LayerFlops layer = layer_flops(c.model, c.micro_batch, c.activation_checkpointing);
  const LayerFlops head = output_head_flops(c.model, c.micro_batch);
  const PassKernels block = block_kernels(c.model, c.micro_batch, c.activation_checkpointing, c.attention);
  const PassKernels head_pass = head_kernels(c.model, c.micro_batch);
  auto unit = [](std::string name, double parameters, const LayerFlops& flops, const PassKernels& k) {
    Unit u{std::move(name), parameters, flops.forward, flops.backward + flops.recompute, k.forward, k.recompute, k.recompute};
    u.backward_kernels.insert(u.backward_kernels.end(), k.backward.begin(), k.backward.end());
    return u;
  };
  std::vector<Unit> units;
  for (int l = 0; l < c.model.layers; ++l)
    units.push_back(unit(fmt::format("L{}", l), static_cast<double>(parameters_per_layer(c.model)), layer, block));
  const double head_params = static_cast<double>(embedding_parameters(c.model) + output_head_parameters(c.model) +
                                                 final_norm_parameters(c.model));
  units.push_back(unit("head", head_params, head, head_pass));
  return units;
}

Schedule compile_schedule(const Cluster& cluster, const StepConfig& c, int rank) {
  validate_step_config(cluster, c);
  const ResolvedStrategy resolved = resolve_strategy(cluster, c.strategy);
  return StepCompiler(cluster, c, resolved, rank).compile();
}

}  // namespace shardsim
