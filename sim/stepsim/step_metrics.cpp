#include "sim/stepsim/step_metrics.hpp"

#include "sim/model/flops.hpp"
#include "sim/model/weights.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"

#include <algorithm>

namespace shardsim {

namespace {

// The parameters a framework holds gathered at worst (framework_profile.hpp): DeepSpeed keeps its
// small (persistent) tensors gathered throughout, and under activation checkpointing a whole
// block (gathered for the recompute, freed module by module in backward) plus its prefetch window
// (at least the next weight, up to stage3_prefetch_bucket_size, within stage3_max_live_parameters);
// FSDP the block computing plus the prefetched ones.
double gathered_elements(const StepConfig& step) {
  const FrameworkProfile p = effective_framework(step);
  const TransformerModel& m = step.model;
  const double block = static_cast<double>(std::max({parameters_per_layer(m), embedding_parameters(m), output_head_parameters(m)}));
  if (p.gather == GatherGranularity::per_block) return (1.0 + p.prefetch_blocks) * block;
  const double threshold = p.persistence_threshold_elements;
  double persistent = 0, largest = 0, block_gathered = 0;
  for (const WeightTensor& w : block_weights(m)) {
    const auto e = static_cast<double>(w.elements);
    if (e <= threshold) persistent += e * m.layers;
    else block_gathered += e;
    largest = std::max(largest, e);
  }
  const double bucket = p.prefetch_bucket_elements;
  double window = p.trace_lookups_off_by_one ? 0.0 : std::max(bucket, largest);  // nothing prefetched
  const double max_live = p.max_live_elements;
  if (max_live > 0) window = std::min(window, std::max(max_live, largest));
  const double computing = step.activation_checkpointing ? block_gathered : largest;
  return persistent + computing + window;
}

}  // namespace

MemoryInput memory_input(const Scenario& sc) {
  MemoryInput in;
  in.strategy = to_string(sc.step.strategy.strategy);
  in.sharding = resolve_strategy(sc.cluster, sc.step.strategy).memory;
  in.model = sc.step.model;
  in.world_size = sc.cluster.gpus();
  in.micro_batch = sc.step.micro_batch;
  in.activation_checkpointing = sc.step.activation_checkpointing;
  // Prefetching cannot hold more than every unit (the layers, and the embedding/head unit) at once.
  in.live_gathered_layers = std::min(sc.step.strategy.prefetch_layers, sc.step.model.layers) + 1;
  in.reduce_bucket_bytes = sc.step.strategy.reduce_bucket_bytes;
  const FrameworkProfile framework = effective_framework(sc.step);
  if (!framework.ideal) {
    in.gathered_elements = gathered_elements(sc.step);
    in.reduce_bucket_bytes = static_cast<std::uint64_t>(framework.reduce_bucket_elements * element_bytes(sc.step.model));
    const StrategyGroups& g = resolve_strategy(sc.cluster, sc.step.strategy).groups;
    const int communicators = 1 + (g.partition > 0) + (g.replication > 0) + (g.hpz > 0);
    in.runtime_bytes = framework.cuda_context_bytes + communicators * framework.nccl_bytes_per_communicator;
    in.allocator_reserve_fraction = framework.allocator_reserve_fraction;
  }
  return in;
}

StepMetrics step_metrics(const Scenario& sc, const StepResult& r) {
  StepMetrics m;
  const double gpus = sc.cluster.gpus();
  const double samples = gpus * sc.step.micro_batch * sc.step.accumulation_steps;
  const double tokens = samples * sc.step.model.seq_len;
  double hardware_flops_per_gpu = 0;
  for (const auto& u : model_units(sc.step)) hardware_flops_per_gpu += u.forward_flops + u.backward_flops;
  hardware_flops_per_gpu *= sc.step.accumulation_steps;
  m.step_time_s = r.step_time_s;
  m.samples_per_s = samples / r.step_time_s;
  m.tokens_per_s = tokens / r.step_time_s;
  m.tflops_per_gpu = hardware_flops_per_gpu / r.step_time_s / 1e12;
  m.model_tflops_per_gpu = model_flops_per_token(sc.step.model) * tokens / gpus / r.step_time_s / 1e12;
  m.percent_of_peak = 100 * m.tflops_per_gpu * 1e12 / sc.cluster.instance.gpu.peak_flops;
  m.compute_s = r.compute_busy_s;
  m.exposed_comm_s = r.exposed_comm_s;
  return m;
}

}  // namespace shardsim
