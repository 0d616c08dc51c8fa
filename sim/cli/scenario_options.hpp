// The scenario file and its overrides, as `simulate` and `schedule` take them: the positional
// scenario plus every flag of ScenarioFlags (the one definition shared with shardsim-run step),
// with --topology as another name for --instance. Without a scenario file the flags alone
// describe the run (scenario_from_flags: --model, --instance, --nodes, --strategy).
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario_cli/scenario_flags.hpp"

#include <CLI/App.hpp>

#include <string>

namespace shardsim::cli {

struct ScenarioOptions {
  std::string file;
  ScenarioFlags flags;

  void add_to(CLI::App* cmd);
  Scenario load() const;  // throws InputError
};

}  // namespace shardsim::cli
