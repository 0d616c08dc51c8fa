#include "sim/strategies/compile.hpp"

#include "sim/collectives/group_spec.hpp"

#include "sim/model/flops.hpp"
#include "sim/strategies/registry.hpp"
#include "sim/strategies/compile_framework.hpp"
#include "sim/strategies/schedule_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace shardsim {
namespace {


// The layer-wise reference schedule (the `ideal` framework profile): one gather per unit, prefetched
// `prefetch_layers` ahead, no host ops. compile_framework.cpp compiles the real frameworks.
class StepCompiler {
 public:
  StepCompiler(const Cluster& cluster, const StepConfig& c, const ResolvedStrategy& resolved, int rank)
      : config_(c), plan_(resolved.schedule), builder_(cluster, c, resolved, rank), units_(model_units(c)),
        elem_(element_bytes(c.model)) {
    for (const auto& u : units_) psi_ += u.parameters;
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
    return builder_.take();
  }

 private:
  int collective(const CollectiveStep& s, double bytes, Stream stream, std::vector<int> deps, std::string label, int micro,
                 int layer) {
    return builder_.collective(s, bytes, stream, std::move(deps), std::move(label), micro, layer);
  }
  int compute(double flops, double hbm_bytes, std::vector<int> deps, std::string label, int micro, int layer) {
    return builder_.compute(flops, hbm_bytes, std::move(deps), std::move(label), micro, layer);
  }
  int compute(std::vector<Kernel> kernels, std::vector<int> deps, std::string label, int micro, int layer) {
    return builder_.compute(compute_op_of(std::move(kernels)), std::move(deps), std::move(label), micro, layer);
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
        gather = collective(*plan_.forward_gather, unit_bytes(u), Stream::gather, existing({freeing >= 0 ? fwd_[freeing] : -1}),
                            fmt::format("{} {}", plan_.forward_gather->label, units_[u].name), m, u);
      }
      fwd_[u] = compute(units_[u].forward_kernels, existing({gather}), fmt::format("fwd {}", units_[u].name), m, u);
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
      bwd_[u] = compute(units_[u].backward_kernels, existing({backward_gather_[u]}), fmt::format("bwd {}", units_[u].name), m, u);
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
                                       existing({freeing < unit_count() ? bwd_[freeing] : fwd_[unit_count() - 1]}),
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
      last_reduce_ = collective(s, psi_ * (s.fp32 ? 4.0 : elem_), Stream::reduce, existing({last_reduce_}), s.label, m, -1);
    }
    const int optimizer = compute(0, psi_ * optimizer_shard_fraction_ * kOptimizerBytesPerParameter,
                                  existing({last_op_, last_reduce_}), "optimizer", m, -1);
    last_op_ = optimizer;
    if (!plan_.updated_parameter_gather) return;
    for (int u = 0; u < unit_count(); ++u)
      collective(*plan_.updated_parameter_gather, unit_bytes(u), Stream::gather, {optimizer},
                 fmt::format("{} {}", plan_.updated_parameter_gather->label, units_[u].name), m, u);
  }

  const StepConfig& config_;
  const StrategySchedule& plan_;
  ScheduleBuilder builder_;
  std::vector<Unit> units_;
  double elem_;
  double psi_ = 0;
  double optimizer_shard_fraction_ = 1;
  std::vector<int> fwd_, bwd_;
  std::vector<int> backward_gather_;  // per unit, this micro-step's
  int next_backward_gather_ = -1;     // the next unit whose backward gather is to be launched
  int last_op_ = -1;
  int last_reduce_ = -1;
};

}  // namespace

std::vector<Unit> model_units(const StepConfig& c) {
  const LayerFlops layer = layer_flops(c.model, c.micro_batch, c.activation_checkpointing);
  const LayerFlops head = output_head_flops(c.model, c.micro_batch);
  const PassKernels block = block_kernels(c.model, c.micro_batch, c.activation_checkpointing, c.kernels);
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
  if (!c.framework.ideal) return compile_framework_schedule(cluster, c, resolved, rank);
  return StepCompiler(cluster, c, resolved, rank).compile();
}

}  // namespace shardsim
