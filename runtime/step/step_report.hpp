// What a live step reports: statistics over iterations, the JSON summary and the trace.
//
// A step's time in one iteration is the latest op end over all ranks (every rank's clock starts
// at the exit of the barrier that begins the iteration). An op's start and end in one iteration
// are its earliest start and latest end over the ranks; its duration is the longest of the ranks'
// own durations (end - start on one rank), so skew between ranks is not counted as op time.
// Reported values are medians over the measured iterations (warm-up iterations are dropped
// before this point).
//
// JSON summary (`--json FILE`), stable field names, times in seconds, sizes in bytes:
//   scenario, strategy, backend, compute_emulation ("sleep" | "busy" | "gpu"), scale_bytes,
//   scale_compute, ranks, ranks_per_node, nodes, scenario_gpus (the scenario's own cluster),
//   model_instance (the instance whose compute_op_seconds is emulated), iterations, warmup,
//   step_time_s (median), step_times_s (every measured iteration), spread_s (max - min),
//   median_iteration (the iteration the trace shows), communicators (split per group and stream),
//   ops: [{index, label, stream, kind ("compute" | "copy" | "all_gather" | "reduce_scatter" |
//          "all_reduce"), algorithm, group ("" for compute), group_size (0 for compute),
//          bytes (nccl-tests size as scheduled, after --scale-bytes), padded_bytes (moved),
//          micro_step, layer, start_s, end_s, duration_s (medians)}],
//   passes: {micro_steps: [{forward_s, backward_s}], optimizer_s} (measured_passes),
//   prediction (with --predict): {topology, step_time_s, passes, ops: [{start_s, end_s}]} or absent.
// The trace (`--trace FILE`) is the simulator's Perfetto format (sim/stepsim/trace.hpp), one
// process per rank, of the median iteration.
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/stepsim/median.hpp"
#include "sim/stepsim/pass_times.hpp"
#include "sim/stepsim/step_simulation.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace shardsim::runtime {

using IterationTimings = std::vector<OpTiming>;                  // [op]
using RankTimings = std::vector<IterationTimings>;                // [iteration][op]
using WorldTimings = std::vector<RankTimings>;                    // [rank][iteration][op]

struct OpStatistics {
  double start_s = 0, end_s = 0, duration_s = 0;
};

struct StepStatistics {
  std::vector<double> step_times_s;  // per iteration
  double step_time_s = 0;            // median
  double spread_s = 0;
  int median_iteration = 0;          // an iteration whose step time is the (lower) median
  std::vector<OpStatistics> ops;
};

StepStatistics step_statistics(const WorldTimings& timings);

// Header fields of the summary, filled by the step command.
struct StepRunInfo {
  std::string scenario, strategy, backend, compute_emulation, model_instance;
  double scale_bytes = 1, scale_compute = 1;
  int ranks = 1, ranks_per_node = 1, scenario_gpus = 1, warmup = 0, communicators = 0;
};

// The live step's forward, backward and optimizer step (sim/stepsim/pass_times.hpp) from the
// median op times, so a live run is divided exactly as the simulator divides its prediction.
StepPasses measured_passes(const Schedule& schedule, const StepStatistics& stats);

// `schedule`: the representative's scaled program; `prediction` null when not asked.
nlohmann::ordered_json step_summary_json(const StepRunInfo& info, const Schedule& schedule, const StepStatistics& stats,
                                         const StepResult* prediction, const std::string& prediction_topology);

// The simulator's trace format with one process per rank (rank_program of `schedule` for each).
std::string step_trace_json(const Schedule& schedule, const WorldTimings& timings, int iteration, const std::string& name);

}  // namespace shardsim::runtime
