#include "sim/strategies/schedule_builder.hpp"

#include "sim/collectives/group_spec.hpp"
#include "sim/model/transformer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace shardsim {

std::vector<int> existing(std::initializer_list<int> ids) {
  std::vector<int> out;
  for (int i : ids) if (i >= 0) out.push_back(i);
  return out;
}

ScheduleBuilder::ScheduleBuilder(const Cluster& cluster, const StepConfig& c, const ResolvedStrategy& resolved, int rank)
    : cluster_(cluster), config_(c), rank_(rank), element_bytes_(shardsim::element_bytes(c.model)) {
  schedule_.world_size = cluster.gpus();
  schedule_.micro_steps = c.accumulation_steps;
  schedule_.strategy = to_string(resolved.strategy);
  schedule_.program.rank = rank;
  // Created in this order whatever the strategy, so group ids are stable.
  const StrategyGroups& g = resolved.groups;
  using Kind = GroupSpec::Kind;
  group_ids_[GroupRole::world] = group_of(GroupRole::world, {Kind::world, 0});
  if (g.partition > 0) group_ids_[GroupRole::partition] = group_of(GroupRole::partition, {Kind::partition, g.partition});
  // A replication group of r ranks: every (N/r)-th rank, those with one index in their partition group.
  if (g.replication > 0)
    group_ids_[GroupRole::replication] = group_of(GroupRole::replication, {Kind::replication, cluster.gpus() / g.replication});
  if (g.hpz > 0) group_ids_[GroupRole::intra_node] = group_of(GroupRole::intra_node, {Kind::partition, g.hpz});
}

// Every group of the spec (collectives/group_spec.hpp, the runtime's grouping too); returns the
// id of this rank's.
int ScheduleBuilder::group_of(GroupRole role, GroupSpec spec) {
  const int n = cluster_.gpus();
  int my_id = -1;
  for (int colour = 0; colour < spec.group_count(n); ++colour) {
    Group group{static_cast<int>(schedule_.groups.size()), role, spec.members(n, colour)};
    for (int r : group.ranks) if (r == rank_) my_id = group.id;
    schedule_.groups.push_back(std::move(group));
  }
  return my_id;
}

// DeepSpeed (ZeRO-1/2/3, MiCS, hpZ) and FSDP issue every collective of one process group on that
// group's one NCCL communicator, whichever CUDA stream launches it; the strategies here use one
// process group per role, so there is one communicator family per role.
int ScheduleBuilder::communicator_of(GroupRole role, int group_id) {
  for (const auto& c : schedule_.communicators)
    if (c.role == role) return c.id;
  const int id = static_cast<int>(schedule_.communicators.size());
  const int size = static_cast<int>(schedule_.groups[group_id].ranks.size());
  schedule_.communicators.push_back({id, role, size, to_string(role)});
  last_on_communicator_.push_back(-1);
  return id;
}

int ScheduleBuilder::collective(const CollectiveStep& s, double bytes, Stream stream, std::vector<int> deps, std::string label,
                                int micro, int layer) {
  const auto group = group_ids_.find(s.group);
  if (group == group_ids_.end()) throw std::logic_error(fmt::format("a collective over a missing {} group", to_string(s.group)));
  const int communicator = communicator_of(s.group, group->second);
  const int previous = last_on_communicator_[communicator];
  if (previous >= 0 && std::find(deps.begin(), deps.end(), previous) == deps.end()) deps.push_back(previous);
  const CollectiveOp op{s.kind, s.algorithm, group->second, bytes / s.divisor, s.fp32 ? "fp32" : config_.model.precision,
                        communicator};
  return last_on_communicator_[communicator] = add(Op{op, stream, std::move(deps), std::move(label), micro, layer});
}

int ScheduleBuilder::compute(double flops, double hbm_bytes, std::vector<int> deps, std::string label, int micro, int layer) {
  return add(Op{ComputeOp{flops, hbm_bytes, {}}, Stream::compute, std::move(deps), std::move(label), micro, layer});
}

int ScheduleBuilder::compute(ComputeOp op, std::vector<int> deps, std::string label, int micro, int layer) {
  return add(Op{std::move(op), Stream::compute, std::move(deps), std::move(label), micro, layer});
}

int ScheduleBuilder::copy(double bytes, Stream stream, std::vector<int> deps, std::string label, int micro, int layer) {
  return add(Op{CopyOp{bytes}, stream, std::move(deps), std::move(label), micro, layer});
}

int ScheduleBuilder::group_size(GroupRole role) const {
  const auto group = group_ids_.find(role);
  if (group == group_ids_.end()) throw std::logic_error(fmt::format("no {} group", to_string(role)));
  return static_cast<int>(schedule_.groups[static_cast<std::size_t>(group->second)].ranks.size());
}

int ScheduleBuilder::host(double seconds, std::vector<int> deps, std::string label, int micro, int layer) {
  return add(Op{HostOp{seconds}, Stream::host, std::move(deps), std::move(label), micro, layer});
}

}  // namespace shardsim
