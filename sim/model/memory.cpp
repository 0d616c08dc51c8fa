#include "sim/model/memory.hpp"

#include "sim/input/input_error.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/checked_math.hpp"
#include "sim/model/model_validation.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shardsim {
namespace {

[[noreturn]] void fail(const MemoryInput& in, const std::string& message) {
  throw InputError(fmt::format("memory estimate ({}, model '{}'): {}", to_string(in.strategy), in.model.name, message));
}

void validate(const MemoryInput& in) {
  validate_model(in.model, fmt::format("model '{}'", in.model.name));
  if (in.world_size < 1) fail(in, fmt::format("world size must be at least 1, got {}", in.world_size));
  if (in.gpus_per_node < 1) fail(in, fmt::format("GPUs per node must be at least 1, got {}", in.gpus_per_node));
  if (in.micro_batch < 1) fail(in, fmt::format("micro-batch must be at least 1, got {}", in.micro_batch));
  if (in.live_gathered_layers < 1)
    fail(in, fmt::format("live gathered layers must be at least 1 (the layer being computed), got {}", in.live_gathered_layers));
  if (uses_partition_group(in.strategy)) {
    if (in.partition_size < 1 || in.partition_size > in.world_size)
      fail(in, fmt::format("partition size must be in [1, {}] (the world size), got {}", in.world_size, in.partition_size));
    if (in.world_size % in.partition_size != 0)
      fail(in, fmt::format("partition size {} does not divide world size {}", in.partition_size, in.world_size));
  }
}

std::uint64_t shard(std::uint64_t params, std::uint64_t ranks) { return (params + ranks - 1) / ranks; }

// Ranks each of parameters, gradients and optimizer states is sharded over.
struct ShardDegrees {
  std::uint64_t params, grads, optimizer;
};

ShardDegrees shard_degrees(const MemoryInput& in) {
  const std::uint64_t n = in.world_size;
  switch (in.strategy) {
    case Strategy::ddp: return {1, 1, 1};
    case Strategy::zero1: return {1, 1, n};
    case Strategy::zero2: return {1, n, n};
    case Strategy::zero3:
    case Strategy::zeropp_hpz: return {n, n, n};
    case Strategy::mics:
    case Strategy::hybrid_shard:
    case Strategy::hybrid_shard_deferred: {
      const std::uint64_t p = in.partition_size;
      return {p, p, p};
    }
  }
  return {1, 1, 1};
}

// The largest module gathered as one unit: normally a block, but the vocabulary tables of small
// models outweigh a block.
std::uint64_t largest_gathered_unit(const TransformerModel& m) {
  return static_cast<std::uint64_t>(
      std::max({parameters_per_layer(m), embedding_parameters(m), output_head_parameters(m)}));
}

}  // namespace

MemoryBreakdown estimate_memory(const MemoryInput& in) {
  validate(in);
  const TransformerModel& m = in.model;
  const std::uint64_t psi = static_cast<std::uint64_t>(parameter_count(m));
  const std::uint64_t k_p = static_cast<std::uint64_t>(element_bytes(m));
  const std::uint64_t k_g = k_p;
  const std::uint64_t k_o = 16 - k_p - k_g;
  const ShardDegrees d = shard_degrees(in);
  constexpr const char* what = "memory bytes";

  const std::uint64_t param_bytes = checked_mul(k_p, shard(psi, d.params), what);
  const std::uint64_t grad_bytes = checked_mul(k_g, shard(psi, d.grads), what);
  const std::uint64_t optimizer_bytes = checked_mul(k_o, shard(psi, d.optimizer), what);
  std::uint64_t secondary_bytes = 0;
  if (in.strategy == Strategy::zeropp_hpz) {
    const std::uint64_t k = std::min(in.gpus_per_node, in.world_size);
    secondary_bytes = checked_mul(k_p, shard(psi, k), what);
  }

  MemoryBreakdown out;
  out.model_states_bytes = checked_add(checked_add(param_bytes, grad_bytes, what),
                                       checked_add(optimizer_bytes, secondary_bytes, what), what);
  if (gathers_parameters(in.strategy))
    out.gathered_params_bytes =
        checked_mul(checked_mul(static_cast<std::uint64_t>(in.live_gathered_layers), k_p, what), largest_gathered_unit(m), what);
  if (in.strategy != Strategy::ddp) out.gradient_buckets_bytes = in.reduce_bucket_bytes;
  out.activations_bytes = activation_bytes(m, in.micro_batch, in.activation_checkpointing);
  out.total_bytes = checked_add(checked_add(out.model_states_bytes, out.gathered_params_bytes, what),
                                checked_add(out.gradient_buckets_bytes, out.activations_bytes, what), what);

  out.components = {
      {"parameters", static_cast<double>(param_bytes)},
      {"gradients", static_cast<double>(grad_bytes)},
      {"optimizer states", static_cast<double>(optimizer_bytes)},
  };
  if (in.strategy == Strategy::zeropp_hpz) out.components.emplace_back("hpZ secondary parameters", static_cast<double>(secondary_bytes));
  if (gathers_parameters(in.strategy))
    out.components.emplace_back("gathered parameters", static_cast<double>(out.gathered_params_bytes));
  if (in.strategy != Strategy::ddp)
    out.components.emplace_back("gradient buckets", static_cast<double>(out.gradient_buckets_bytes));
  out.components.emplace_back("activations", static_cast<double>(out.activations_bytes));
  const auto largest = std::max_element(out.components.begin(), out.components.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
  out.largest_component = largest->first;
  return out;
}

bool fits(const MemoryBreakdown& breakdown, std::uint64_t gpu_memory_bytes) { return breakdown.total_bytes <= gpu_memory_bytes; }

}  // namespace shardsim
