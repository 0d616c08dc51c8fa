#include "sim/strategies/step_config.hpp"

#include "sim/input/input_error.hpp"
#include "sim/strategies/registry.hpp"

#include <fmt/format.h>

namespace shardsim {

FrameworkProfile effective_framework(const StepConfig& c) {
  FrameworkProfile p = c.framework;
  if (p.ideal) return p;
  p.prefetch_bucket_elements = c.strategy.prefetch_bucket_elements.value_or(p.prefetch_bucket_elements);
  p.persistence_threshold_elements = c.strategy.persistence_threshold_elements.value_or(p.persistence_threshold_elements);
  p.max_live_elements = c.strategy.max_live_elements.value_or(p.max_live_elements);
  p.max_reuse_distance_elements = c.strategy.max_reuse_distance_elements.value_or(p.max_reuse_distance_elements);
  if (c.strategy.reduce_bucket_elements && *c.strategy.reduce_bucket_elements > 0)
    p.reduce_bucket_elements = *c.strategy.reduce_bucket_elements;
  else if (!c.strategy.reduce_bucket_elements && c.strategy.reduce_bucket_bytes > 0)
    p.reduce_bucket_elements = static_cast<double>(c.strategy.reduce_bucket_bytes) / element_bytes(c.model);
  return p;
}

void validate_step_config(const Cluster& cluster, const StepConfig& c) {
  const int n = cluster.gpus(), k = cluster.instance.gpus_per_node;
  if (c.micro_batch < 1) throw InputError(fmt::format("micro_batch must be at least 1, got {}", c.micro_batch));
  if (c.accumulation_steps < 1)
    throw InputError(fmt::format("accumulation steps must be at least 1, got {}", c.accumulation_steps));
  if (c.strategy.prefetch_layers < 0) throw InputError("prefetch_layers must not be negative");
  const ResolvedStrategy resolved = resolve_strategy(cluster, c.strategy);
  const int p = resolved.partition_size;
  if (p < 1 || p > n || n % p != 0)
    throw InputError(fmt::format("partition size {} does not divide the world of {} GPUs", p, n));
  if (p > k && p % k != 0)
    throw InputError(fmt::format("partition size {} splits a node unevenly: with {} GPUs per node it must be a multiple of {} or a divisor of it", p, k, k));
  if (p < k && k % p != 0)
    throw InputError(fmt::format("partition size {} does not divide the {} GPUs of a node", p, k));
  const int h = resolved.groups.hpz;
  if (h != 0 && (h < 1 || h > k || k % h != 0))
    throw InputError(fmt::format("hpZ partition size {} must divide the {} GPUs of a node", h, k));
}

}  // namespace shardsim
