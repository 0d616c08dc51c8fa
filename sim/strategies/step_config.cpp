#include "sim/strategies/step_config.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

namespace shardsim {

int effective_partition_size(const Cluster& cluster, const StrategyConfig& s) {
  switch (s.strategy) {
    case Strategy::ddp: return 1;
    case Strategy::mics:
    case Strategy::hybrid_shard:
    case Strategy::hybrid_shard_deferred:
      return s.partition_size > 0 ? s.partition_size : cluster.instance.gpus_per_node;
    default: return cluster.gpus();
  }
}

void validate_step_config(const Cluster& cluster, const StepConfig& c) {
  const int n = cluster.gpus(), k = cluster.instance.gpus_per_node;
  if (c.micro_batch < 1) throw InputError(fmt::format("micro_batch must be at least 1, got {}", c.micro_batch));
  if (c.accumulation_steps < 1)
    throw InputError(fmt::format("accumulation steps must be at least 1, got {}", c.accumulation_steps));
  if (c.strategy.prefetch_layers < 0) throw InputError("prefetch_layers must not be negative");
  const int p = effective_partition_size(cluster, c.strategy);
  if (p < 1 || p > n || n % p != 0)
    throw InputError(fmt::format("partition size {} does not divide the world of {} GPUs", p, n));
  if (p > k && p % k != 0)
    throw InputError(fmt::format("partition size {} splits a node unevenly: with {} GPUs per node it must be a multiple of {} or a divisor of it", p, k, k));
  if (p < k && k % p != 0)
    throw InputError(fmt::format("partition size {} does not divide the {} GPUs of a node", p, k));
  if (c.strategy.strategy == Strategy::zeropp_hpz) {
    const int h = c.strategy.hpz_partition_size > 0 ? c.strategy.hpz_partition_size : k;
    if (h < 1 || h > k || k % h != 0)
      throw InputError(fmt::format("hpZ partition size {} must divide the {} GPUs of a node", h, k));
  }
}

}  // namespace shardsim
