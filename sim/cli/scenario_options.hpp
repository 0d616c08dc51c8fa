// The scenario file and the overrides shared by `simulate` and `schedule`.
#pragma once

#include "sim/scenario/scenario.hpp"

#include <CLI/App.hpp>

#include <memory>

namespace shardsim::cli {

struct ScenarioOptions {
  std::string file;
  std::string instance, strategy, deepspeed;
  int nodes = 0, partition_size = 0, micro_batch = 0, accumulation = 0;
  std::string hierarchical;  // "on" | "off" | ""

  void add_to(CLI::App* cmd);
  Scenario load() const;
};

}  // namespace shardsim::cli
