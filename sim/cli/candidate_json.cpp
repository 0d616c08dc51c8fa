#include "sim/cli/candidate_json.hpp"

namespace shardsim::cli {

nlohmann::ordered_json candidate_json(const Candidate& c) {
  nlohmann::ordered_json j{{"instance", c.instance},
                           {"nodes", c.nodes},
                           {"gpus", c.gpus},
                           {"strategy", to_string(c.strategy.strategy)},
                           {"framework", c.framework},
                           {"partition_size", c.resolved.partition_size},
                           {"hierarchical", c.resolved.hierarchical_gather},
                           {"micro_batch", c.micro_batch},
                           {"accumulation_steps", c.accumulation_steps},
                           {"fits", c.fits},
                           {"memory_per_gpu_bytes", c.memory_per_gpu_bytes}};
  if (c.simulated) {
    j["step_time_s"] = c.step_time_s;
    j["tokens_per_s"] = c.tokens_per_s;
    j["tflops_per_gpu"] = c.tflops_per_gpu;
  }
  if (!c.why.empty()) j["why"] = c.why;
  return j;
}

}  // namespace shardsim::cli
