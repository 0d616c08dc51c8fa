#include "sim/input/input_error.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/strategy_name.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

// The messages name the flags: command lines are where overrides come from (ScenarioOverrides).
void require_at_least_one(const std::optional<int>& value, const char* flag) {
  if (value && *value < 1) throw InputError(fmt::format("{} must be at least 1, got {}", flag, *value));
}

}  // namespace

void apply_overrides(const ScenarioOverrides& o, Scenario& sc, const std::string& framework_origin) {
  // DeepSpeed's "auto" batch values are filled from the flags too, as the HF Trainer fills them
  // from its arguments; the flags are applied again below, so they also win over the config.
  if (o.micro_batch) sc.step.micro_batch = *o.micro_batch;
  if (o.accumulation_steps) sc.step.accumulation_steps = *o.accumulation_steps;
  if (o.deepspeed_config) sc.notes = apply_deepspeed_config(*o.deepspeed_config, sc.cluster.gpus(), sc.step);
  if (o.strategy) sc.step.strategy.strategy = parse_strategy_name(*o.strategy, "--framework");
  if (o.partition_size) sc.step.strategy.partition_size = *o.partition_size;
  if (o.hierarchical_gather) sc.step.strategy.hierarchical_gather = *o.hierarchical_gather;
  if (o.micro_batch) sc.step.micro_batch = *o.micro_batch;
  if (o.accumulation_steps) sc.step.accumulation_steps = *o.accumulation_steps;
  if (o.collective_library) sc.collective_library = *o.collective_library;
  sc.step.kernels.attention = attention_from_flag(o.attention.value_or(""), sc.step.kernels.attention);
  sc.step.kernels.elementwise = elementwise_from_flag(o.elementwise.value_or(""), sc.step.kernels.elementwise);
  // The framework: the flag, else the scenario's key, else a DeepSpeed config means DeepSpeed,
  // else the strategy's own default (strategy.hpp).
  if (o.framework) sc.framework = *o.framework;
  if (sc.framework.empty()) sc.framework = o.deepspeed_config ? "deepspeed" : default_framework(sc.step.strategy.strategy);
  try {
    sc.step.framework = load_framework(sc.framework);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", o.framework ? "--framework" : framework_origin, e.what()));
  }
}

AttentionKernel attention_from_flag(const std::string& value, AttentionKernel fallback) {
  if (value.empty()) return fallback;
  if (const auto kernel = attention_kernel_named(value)) return *kernel;
  throw InputError(fmt::format("--attention must be fused or unfused, got \"{}\"", value));
}

ElementwiseKernels elementwise_from_flag(const std::string& value, ElementwiseKernels fallback) {
  if (value.empty()) return fallback;
  if (const auto kernels = elementwise_kernels_named(value)) return *kernels;
  throw InputError(fmt::format("--elementwise must be fused or unfused, got \"{}\"", value));
}

void check_overrides(const ScenarioOverrides& o) {
  require_at_least_one(o.nodes, "--nodes");
  if (o.partition_size && *o.partition_size < 1)
    throw InputError(fmt::format("--partition-size must be positive, got {}", *o.partition_size));
  require_at_least_one(o.micro_batch, "--micro-batch");
  require_at_least_one(o.accumulation_steps, "--accumulation");
  require_at_least_one(o.seq_len, "--seq-len");
  attention_from_flag(o.attention.value_or(""), AttentionKernel::unfused);
  elementwise_from_flag(o.elementwise.value_or(""), ElementwiseKernels::fused);
}

}  // namespace shardsim
