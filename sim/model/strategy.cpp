#include "sim/model/strategy.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <utility>

namespace shardsim {
namespace {

constexpr std::pair<const char*, Strategy> kStrategies[] = {
    {"ddp", Strategy::ddp},
    {"zero1", Strategy::zero1},
    {"zero2", Strategy::zero2},
    {"zero3", Strategy::zero3},
    {"mics", Strategy::mics},
    {"zeropp_hpz", Strategy::zeropp_hpz},
    {"hybrid_shard", Strategy::hybrid_shard},
    {"hybrid_shard_deferred", Strategy::hybrid_shard_deferred},
};

}  // namespace

const char* to_string(Strategy strategy) {
  for (const auto& [name, s] : kStrategies)
    if (s == strategy) return name;
  return "unknown";
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& [name, s] : kStrategies) names.emplace_back(name);
  return names;
}

Strategy parse_strategy(const std::string& name) {
  for (const auto& [n, s] : kStrategies)
    if (name == n) return s;
  const auto names = strategy_names();
  const std::string hint = closest_word(name, names);
  throw InputError(fmt::format("unknown strategy '{}' (expected one of {}){}", name, fmt::join(names, ", "),
                               hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

bool uses_partition_group(Strategy s) {
  return s == Strategy::mics || s == Strategy::hybrid_shard || s == Strategy::hybrid_shard_deferred;
}

bool gathers_parameters(Strategy s) {
  return s == Strategy::zero3 || s == Strategy::zeropp_hpz || uses_partition_group(s);
}

}  // namespace shardsim
