#include "sim/schedule/rank_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace shardsim {

Schedule rank_program(const Schedule& schedule, int rank) {
  if (rank < 0 || rank >= schedule.world_size)
    throw std::invalid_argument(fmt::format("rank {} is outside the world of {} ranks", rank, schedule.world_size));
  Schedule out = schedule;
  out.program.rank = rank;
  std::map<int, int> replacement;  // representative's group id -> rank's group id
  for (Op& op : out.program.ops) {
    auto* collective = std::get_if<CollectiveOp>(&op.body);
    if (!collective) continue;
    // Communicator ids name a family, the same on every rank, so they stay; the family must be
    // the group's, or the ranks of one communicator would not agree on its members.
    const Group& group = schedule.groups.at(collective->group);
    const CommunicatorInfo& communicator = schedule.communicators.at(collective->communicator);
    if (communicator.role != group.role || communicator.group_size != static_cast<int>(group.ranks.size()))
      throw std::invalid_argument(fmt::format("op '{}': its {} group of {} ranks is not in communicator {} ({})", op.label,
                                              to_string(group.role), group.ranks.size(), communicator.id, communicator.label));
    auto found = replacement.find(collective->group);
    if (found == replacement.end()) {
      int mine = -1;
      for (int id : schedule.family_of(collective->group)) {
        const auto& ranks = schedule.groups[id].ranks;
        if (std::find(ranks.begin(), ranks.end(), rank) != ranks.end()) { mine = id; break; }
      }
      if (mine < 0)
        throw std::invalid_argument(fmt::format("no {} group of {} ranks contains rank {}: the schedule is not SPMD",
                                                to_string(schedule.groups[collective->group].role),
                                                schedule.groups[collective->group].ranks.size(), rank));
      found = replacement.emplace(collective->group, mine).first;
    }
    collective->group = found->second;
  }
  return out;
}

}  // namespace shardsim
