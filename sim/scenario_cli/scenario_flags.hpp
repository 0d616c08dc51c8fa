// The command-line flags that override a scenario, defined once for every program that loads one:
// `shardsim simulate` and `shardsim schedule` (sim/cli) and `shardsim-run step` (runtime/step).
// The flags keep one name, help text and meaning everywhere, and their values reach
// load_scenario, which checks them (check_overrides), so both programs refuse the same input with
// the same message. Two flags are opt-in because a program may give the name another meaning:
// shardsim-run step's --nodes checks the job's node count instead of overriding it, and its
// --topology names the instance for compute durations, so only `shardsim` aliases --instance to it.
#pragma once

#include "sim/scenario/scenario.hpp"

#include <CLI/App.hpp>

#include <optional>
#include <string>

namespace shardsim {

struct ScenarioFlags {
  std::string instance, strategy, hierarchical, deepspeed, nccl, framework, model, attention, elementwise;
  std::optional<int> nodes, partition_size, micro_batch, accumulation, seq_len;

  // --instance under `names` (CLI11 syntax: "--instance" or "--instance,--topology").
  void add_instance(CLI::App* cmd, const std::string& names = "--instance");
  // --nodes as an override of the scenario's node count.
  void add_nodes(CLI::App* cmd);
  // --strategy, --partition-size, --hierarchical, --micro-batch, --accumulation, --deepspeed, --framework, --seq-len,
  // --attention, --elementwise.
  void add_strategy_and_batch(CLI::App* cmd);
  // --model: the model, replacing the scenario's (or, with no scenario file, the model to simulate).
  void add_model(CLI::App* cmd);
  // --nccl: the collective library (an NCCL version or gloo).
  void add_collective_library(CLI::App* cmd);

  // The overrides given on the command line. Throws InputError for a bad --hierarchical or a
  // value no scenario could take (check_overrides), so a launcher can check before starting ranks.
  ScenarioOverrides overrides() const;
};

// --attention and --elementwise on `cmd` (plan and scaling, which take no scenario, use them too;
// their values are read by attention_from_flag and elementwise_from_flag, scenario.hpp).
void add_kernel_flags(CLI::App* cmd, std::string& attention, std::string& elementwise);

}  // namespace shardsim
