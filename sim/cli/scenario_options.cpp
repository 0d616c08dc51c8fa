#include "sim/cli/scenario_options.hpp"

#include <CLI/CLI.hpp>

namespace shardsim::cli {

void ScenarioOptions::add_to(CLI::App* cmd) {
  cmd->add_option("scenario", file, "Scenario JSON (see scenarios/)")->required();
  flags.add_instance(cmd, "--instance,--topology");
  flags.add_nodes(cmd);
  flags.add_strategy_and_batch(cmd);
  flags.add_collective_library(cmd);
}

Scenario ScenarioOptions::load() const { return load_scenario(file, flags.overrides()); }

}  // namespace shardsim::cli
