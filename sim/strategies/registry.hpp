// The strategy table: one unit per strategy, each in its own file (ddp.cpp, zero1.cpp, ...),
// resolving the strategy for a cluster and its knobs into a ResolvedStrategy. Every caller that
// needs a partition size, a group, a memory term, a hierarchical flag or the collectives of a
// strategy asks resolve_strategy; nothing else branches on the strategy to derive them.
//
// Adding a strategy: a value in the Strategy enum (strategy.hpp), one file defining its resolve
// function (declared in units.hpp, built from the shared parts in strategy_parts.hpp), its row in
// strategy_units() (registry.cpp), and its tests in tests/strategies.
#pragma once

#include "sim/strategies/resolved_strategy.hpp"
#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

#include <span>

namespace shardsim {

using ResolveStrategy = ResolvedStrategy (*)(const Cluster& cluster, const StrategyConfig& config);

struct StrategyUnit {
  Strategy strategy;
  const char* name;  // as in scenario files and on the command line
  ResolveStrategy resolve;
};

// The registered strategies, in the order names are listed in messages. Immutable.
std::span<const StrategyUnit> strategy_units();

// The unit of `config.strategy` resolved for `cluster`. Derivation only: it does not throw for a
// partition size that does not fit the cluster (validate_step_config does), so callers can report
// the size that was asked for.
ResolvedStrategy resolve_strategy(const Cluster& cluster, const StrategyConfig& config);

}  // namespace shardsim
