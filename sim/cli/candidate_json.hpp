// One planner candidate as plan and scaling print it: the fields both commands share, in one
// place, so `shardsim plan --json` and `shardsim scaling --json` describe a candidate alike.
// `partition_size` and `hierarchical` come from the candidate's resolved strategy: `hierarchical`
// is whether it really gathers hierarchically (MiCS with the knob on and p spanning nodes), not
// the raw knob, which other strategies and single-node partitions ignore.
#pragma once

#include "sim/planner/planner.hpp"

#include <nlohmann/json.hpp>

namespace shardsim::cli {

// instance, nodes, gpus, strategy, partition_size, hierarchical, micro_batch, accumulation_steps,
// fits, memory_per_gpu_bytes; for a simulated candidate step_time_s, tokens_per_s, tflops_per_gpu;
// `why` when it does not fit, breaks a constraint or was too large to simulate.
nlohmann::ordered_json candidate_json(const Candidate& c);

}  // namespace shardsim::cli
