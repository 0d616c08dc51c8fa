// `shardsim-run step SCENARIO.json`: executes the schedule a strategy compiles for the scenario
// (the very program `shardsim simulate` runs) live on this job's ranks, for N iterations after W
// warm-ups, and on rank 0 prints the median step time, optionally the simulator's prediction for
// the same scaled schedule, a JSON summary (fields in step_report.hpp) and a Perfetto trace.
// The schedule is compiled for the live world's shape (ranks, ranks per node), not the
// scenario's cluster size; compute ops are emulated (compute_emulation.hpp) for the durations
// the simulator charges on the model instance (--topology FILE, else the scenario's instance).
#pragma once

#include "runtime/launch/world.hpp"
#include "sim/scenario_cli/scenario_flags.hpp"

#include <CLI/App.hpp>

#include <optional>
#include <string>

namespace shardsim::runtime {

struct StepCommandOptions {
  std::string scenario_file;
  // Scenario overrides: the very flags of `shardsim simulate` (all but --nodes, which is below).
  ScenarioFlags scenario;
  std::optional<int> nodes;  // must equal the live world's node count when given (a consistency check)

  int iterations = 5;
  int warmup = 1;
  std::string compute;  // "sleep" | "busy" | "gpu"; empty: gpu on the nccl backend, else sleep
  double scale_bytes = 1;
  double scale_compute = 1;
  std::string max_buffer_bytes;  // a size ("2G"); empty: default_max_buffer_bytes
  std::string trace_file, json_file;
  bool predict = false;
  std::string topology_file;
};

CLI::App* add_step_command(CLI::App& app, StepCommandOptions& options);

// Runs on every rank (a collective over the world); rank 0 prints and writes the files. Throws
// InputError for bad input and RuntimeError when a peer fails; returns the exit status (0).
int run_step_command(const StepCommandOptions& options, World& world);

}  // namespace shardsim::runtime
