#include "sim/strategies/registry.hpp"

#include "sim/strategies/units.hpp"

#include <array>
#include <stdexcept>

namespace shardsim {

std::span<const StrategyUnit> strategy_units() {
  static constexpr std::array<StrategyUnit, 8> kUnits{{
      {Strategy::ddp, "ddp", resolve_ddp},
      {Strategy::zero1, "zero1", resolve_zero1},
      {Strategy::zero2, "zero2", resolve_zero2},
      {Strategy::zero3, "zero3", resolve_zero3},
      {Strategy::mics, "mics", resolve_mics},
      {Strategy::zeropp_hpz, "zeropp_hpz", resolve_zeropp_hpz},
      {Strategy::hybrid_shard, "hybrid_shard", resolve_hybrid_shard},
      {Strategy::hybrid_shard_deferred, "hybrid_shard_deferred", resolve_hybrid_shard_deferred},
  }};
  return kUnits;
}

ResolvedStrategy resolve_strategy(const Cluster& cluster, const StrategyConfig& config) {
  for (const auto& unit : strategy_units())
    if (unit.strategy == config.strategy) return unit.resolve(cluster, config);
  // Only a Strategy value without a registry row gets here: a programming error, not an input one.
  throw std::logic_error("strategy without a registered unit");
}

}  // namespace shardsim
