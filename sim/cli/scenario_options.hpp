// The scenario file and the overrides shared by `simulate` and `schedule`.
#pragma once

#include "sim/scenario/scenario.hpp"

#include <CLI/App.hpp>

#include <memory>
#include <optional>

namespace shardsim::cli {

struct ScenarioOptions {
  std::string file;
  std::string instance, strategy, deepspeed;
  std::optional<int> nodes, partition_size, micro_batch, accumulation;
  std::string hierarchical;  // "on" | "off" | ""

  void add_to(CLI::App* cmd);
  Scenario load() const;
};

}  // namespace shardsim::cli
