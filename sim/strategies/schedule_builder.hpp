// What every step compiler needs to write a Schedule, so the layer-wise reference compiler and
// the framework compiler (compile.hpp) share one definition: the strategy's groups (created in a
// fixed order, so ids are stable), one communicator family per group role created at its first
// collective, and collectives that depend on the previous collective of their communicator in
// launch order (NCCL runs one communicator's operations one at a time, pytorch/pytorch#177015).
#pragma once

#include "sim/collectives/group_spec.hpp"
#include "sim/schedule/schedule.hpp"
#include "sim/strategies/resolved_strategy.hpp"
#include "sim/strategies/step_config.hpp"
#include "sim/topology/topology.hpp"

#include <map>
#include <string>
#include <vector>

namespace shardsim {

class ScheduleBuilder {
 public:
  ScheduleBuilder(const Cluster& cluster, const StepConfig& config, const ResolvedStrategy& resolved, int rank);

  int add(Op op) { return schedule_.program.add(std::move(op)); }
  // A collective of `step` over `bytes` (divided by the step's divisor, in its dtype), after
  // `deps` and the previous collective of its communicator.
  int collective(const CollectiveStep& step, double bytes, Stream stream, std::vector<int> deps, std::string label, int micro,
                 int layer);
  int compute(double flops, double hbm_bytes, std::vector<int> deps, std::string label, int micro, int layer);
  int compute(ComputeOp op, std::vector<int> deps, std::string label, int micro, int layer);
  int host(double seconds, std::vector<int> deps, std::string label, int micro, int layer);
  // A device-memory copy of `bytes` on `stream` (read and written once at HBM bandwidth).
  int copy(double bytes, Stream stream, std::vector<int> deps, std::string label, int micro, int layer);
  // Ranks in this rank's group of `role`.
  int group_size(GroupRole role) const;

  const Op& op(int id) const { return schedule_.program.ops.at(static_cast<std::size_t>(id)); }
  double element_bytes() const { return element_bytes_; }
  Schedule take() { return std::move(schedule_); }

 private:
  int group_of(GroupRole role, GroupSpec spec);
  int communicator_of(GroupRole role, int group_id);

  const Cluster& cluster_;
  const StepConfig& config_;
  int rank_;
  double element_bytes_;
  Schedule schedule_;
  std::map<GroupRole, int> group_ids_;
  std::vector<int> last_on_communicator_;  // per communicator id: its last collective so far
};

// Adam in mixed precision touches per parameter of its shard: reads fp32 master, m, v and the
// gradient, writes master, m, v and the half-precision copy.
inline constexpr double kOptimizerBytesPerParameter = 4 + 4 + 4 + 4 + 4 + 4 + 4 + 2;

// Indices of the ids that are not negative, in order: the dependencies that exist.
std::vector<int> existing(std::initializer_list<int> ids);

}  // namespace shardsim
