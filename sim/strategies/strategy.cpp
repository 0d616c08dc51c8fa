#include "sim/strategies/strategy.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/strategies/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace shardsim {

std::string default_framework(Strategy strategy) {
  switch (strategy) {
    case Strategy::ddp: return "ideal";
    case Strategy::hybrid_shard:
    case Strategy::hybrid_shard_deferred: return "fsdp";
    default: return "deepspeed";
  }
}

// Names come from the registry, so a new strategy is named where it is registered.
const char* to_string(Strategy strategy) {
  for (const auto& unit : strategy_units())
    if (unit.strategy == strategy) return unit.name;
  return "unknown";
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& unit : strategy_units()) names.emplace_back(unit.name);
  return names;
}

Strategy parse_strategy(const std::string& name) {
  for (const auto& unit : strategy_units())
    if (name == unit.name) return unit.strategy;
  const auto names = strategy_names();
  const std::string hint = closest_word(name, names);
  throw InputError(fmt::format("unknown strategy '{}' (expected one of {}){}", name, fmt::join(names, ", "),
                               hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

}  // namespace shardsim
