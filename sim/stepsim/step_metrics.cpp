#include "sim/stepsim/step_metrics.hpp"

#include "sim/model/flops.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"

namespace shardsim {

MemoryInput memory_input(const Scenario& sc) {
  MemoryInput in;
  in.strategy = to_string(sc.step.strategy.strategy);
  in.sharding = resolve_strategy(sc.cluster, sc.step.strategy).memory;
  in.model = sc.step.model;
  in.world_size = sc.cluster.gpus();
  in.micro_batch = sc.step.micro_batch;
  in.activation_checkpointing = sc.step.activation_checkpointing;
  in.live_gathered_layers = sc.step.strategy.prefetch_layers + 1;
  in.reduce_bucket_bytes = sc.step.strategy.reduce_bucket_bytes;
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
