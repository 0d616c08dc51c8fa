// DDP: every rank holds all model states; at the boundary each bucket of gradients is all-reduced
// over the world as backward produces it, then the optimizer updates all of Psi.
#include "sim/strategies/strategy_parts.hpp"
#include "sim/strategies/units.hpp"

namespace shardsim {

ResolvedStrategy resolve_ddp(const Cluster& cluster, const StrategyConfig&) {
  ResolvedStrategy r = unsharded(Strategy::ddp, cluster);
  // No bucket memory: buckets are views of the gradients (gradient_as_bucket_view).
  r.schedule.gradient_sync = {{CollectiveKind::all_reduce, GroupRole::world, Algorithm::ring, 1, false, "ar-grad"}};
  return r;
}

}  // namespace shardsim
