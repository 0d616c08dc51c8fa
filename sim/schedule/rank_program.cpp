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
