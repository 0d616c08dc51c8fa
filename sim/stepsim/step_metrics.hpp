// The figures a user compares configurations by, from a simulated step. Throughput counts
// sequences and tokens over all N GPUs per optimizer step. TFLOPS per GPU is given two ways:
// hardware FLOPs (everything executed, including activation recomputation, as MiCS-style papers
// report) and model FLOPs (6 x parameters x tokens, the MFU convention).
#pragma once

#include "sim/model/memory.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/stepsim/step_simulation.hpp"

namespace shardsim {

struct StepMetrics {
  double step_time_s = 0;
  double samples_per_s = 0;
  double tokens_per_s = 0;
  double tflops_per_gpu = 0;        // hardware FLOPs, including recomputation
  double model_tflops_per_gpu = 0;  // 6 * Psi * tokens
  double percent_of_peak = 0;       // hardware FLOPs over the GPU's peak
  double compute_s = 0;
  double exposed_comm_s = 0;
};

MemoryInput memory_input(const Scenario& scenario);
StepMetrics step_metrics(const Scenario& scenario, const StepResult& result);

}  // namespace shardsim
