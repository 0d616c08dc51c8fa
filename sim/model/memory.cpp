#include "sim/model/memory.hpp"

#include "sim/input/input_error.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/checked_math.hpp"
#include "sim/model/model_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace shardsim {
namespace {

[[noreturn]] void fail(const MemoryInput& in, const std::string& message) {
  throw InputError(fmt::format("memory estimate ({}, model '{}'): {}", in.strategy, in.model.name, message));
}

void validate_degree(const MemoryInput& in, int ranks) {
  if (ranks < 1 || ranks > in.world_size)
    fail(in, fmt::format("partition size must be in [1, {}] (the world size), got {}", in.world_size, ranks));
  if (in.world_size % ranks != 0) fail(in, fmt::format("partition size {} does not divide world size {}", ranks, in.world_size));
}

void validate(const MemoryInput& in) {
  validate_model(in.model, fmt::format("model '{}'", in.model.name));
  if (in.world_size < 1) fail(in, fmt::format("world size must be at least 1, got {}", in.world_size));
  if (in.micro_batch < 1) fail(in, fmt::format("micro-batch must be at least 1, got {}", in.micro_batch));
  if (in.gathered_elements && !(*in.gathered_elements >= 0 && std::isfinite(*in.gathered_elements)))
    fail(in, "gathered elements must be finite and not negative");
  if (!(in.runtime_bytes >= 0) || !(in.allocator_reserve_fraction >= 0 && in.allocator_reserve_fraction < 1))
    fail(in, "runtime bytes must not be negative and the allocator reserve must be in [0, 1)");
  if (in.live_gathered_layers < 1)
    fail(in, fmt::format("live gathered layers must be at least 1 (the layer being computed), got {}", in.live_gathered_layers));
  // Model states are sharded over the partition group (or the world, or not at all).
  const ModelStateSharding& d = in.sharding;
  for (int ranks : {d.parameters, d.gradients, d.optimizer_states}) validate_degree(in, ranks);
}

std::uint64_t shard(std::uint64_t params, std::uint64_t ranks) { return (params + ranks - 1) / ranks; }

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
  const ModelStateSharding& d = in.sharding;
  constexpr const char* what = "memory bytes";

  const std::uint64_t param_bytes = checked_mul(k_p, shard(psi, d.parameters), what);
  const std::uint64_t grad_bytes = checked_mul(k_g, shard(psi, d.gradients), what);
  const std::uint64_t optimizer_bytes = checked_mul(k_o, shard(psi, d.optimizer_states), what);
  const bool secondary = d.secondary_parameters > 0;
  const std::uint64_t secondary_bytes = secondary ? checked_mul(k_p, shard(psi, d.secondary_parameters), what) : 0;

  MemoryBreakdown out;
  out.model_states_bytes = checked_add(checked_add(param_bytes, grad_bytes, what),
                                       checked_add(optimizer_bytes, secondary_bytes, what), what);
  if (d.gathers_parameters && in.gathered_elements)
    out.gathered_params_bytes = static_cast<std::uint64_t>(std::ceil(*in.gathered_elements)) * k_p;
  else if (d.gathers_parameters)
    out.gathered_params_bytes =
        checked_mul(checked_mul(static_cast<std::uint64_t>(in.live_gathered_layers), k_p, what), largest_gathered_unit(m), what);
  if (d.gradient_buckets) out.gradient_buckets_bytes = in.reduce_bucket_bytes;
  out.activations_bytes = activation_bytes(m, in.micro_batch, in.activation_checkpointing);
  out.runtime_bytes = static_cast<std::uint64_t>(in.runtime_bytes);
  const std::uint64_t allocated = checked_add(checked_add(out.model_states_bytes, out.gathered_params_bytes, what),
                                              checked_add(out.gradient_buckets_bytes, out.activations_bytes, what), what);
  out.allocator_reserve_bytes = static_cast<std::uint64_t>(static_cast<double>(allocated) * in.allocator_reserve_fraction);
  out.total_bytes = checked_add(allocated, checked_add(out.runtime_bytes, out.allocator_reserve_bytes, what), what);

  out.components = {
      {"parameters", static_cast<double>(param_bytes)},
      {"gradients", static_cast<double>(grad_bytes)},
      {"optimizer states", static_cast<double>(optimizer_bytes)},
  };
  if (secondary) out.components.emplace_back("hpZ secondary parameters", static_cast<double>(secondary_bytes));
  if (d.gathers_parameters)
    out.components.emplace_back("gathered parameters", static_cast<double>(out.gathered_params_bytes));
  if (d.gradient_buckets)
    out.components.emplace_back("gradient buckets", static_cast<double>(out.gradient_buckets_bytes));
  out.components.emplace_back("activations", static_cast<double>(out.activations_bytes));
  if (out.runtime_bytes > 0) out.components.emplace_back("CUDA context, NCCL", static_cast<double>(out.runtime_bytes));
  if (out.allocator_reserve_bytes > 0)
    out.components.emplace_back("allocator reserve", static_cast<double>(out.allocator_reserve_bytes));
  const auto largest = std::max_element(out.components.begin(), out.components.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
  out.largest_component = largest->first;
  return out;
}

bool fits(const MemoryBreakdown& breakdown, std::uint64_t gpu_memory_bytes) { return breakdown.total_bytes <= gpu_memory_bytes; }

}  // namespace shardsim
