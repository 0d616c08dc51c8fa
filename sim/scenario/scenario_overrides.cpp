#include "sim/input/input_error.hpp"
#include "sim/scenario/scenario.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

// The messages name the flags: command lines are where overrides come from (ScenarioOverrides).
void require_at_least_one(const std::optional<int>& value, const char* flag) {
  if (value && *value < 1) throw InputError(fmt::format("{} must be at least 1, got {}", flag, *value));
}

}  // namespace

void check_overrides(const ScenarioOverrides& o) {
  require_at_least_one(o.nodes, "--nodes");
  if (o.partition_size && *o.partition_size < 1)
    throw InputError(fmt::format("--partition-size must be positive, got {}", *o.partition_size));
  require_at_least_one(o.micro_batch, "--micro-batch");
  require_at_least_one(o.accumulation_steps, "--accumulation");
  require_at_least_one(o.seq_len, "--seq-len");
}

}  // namespace shardsim
