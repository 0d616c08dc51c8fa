#include "sim/cli/scenario_options.hpp"

#include <CLI/CLI.hpp>

namespace shardsim::cli {

void ScenarioOptions::add_to(CLI::App* cmd) {
  cmd->add_option("scenario", file,
                  "Scenario JSON (see scenarios/, docs/scenarios.md); without one, --model, --instance, --nodes and --strategy describe the run");
  flags.add_model(cmd);
  flags.add_instance(cmd, "--instance,--topology");
  flags.add_nodes(cmd);
  flags.add_strategy_and_batch(cmd);
  flags.add_collective_library(cmd);
}

Scenario ScenarioOptions::load() const {
  return file.empty() ? scenario_from_flags(flags.overrides()) : load_scenario(file, flags.overrides());
}

}  // namespace shardsim::cli
