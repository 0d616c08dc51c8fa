// The one construction of the groups a collective runs over, shared by the strategies' schedules
// (partition and replication groups), `shardsim-run bench --group` and the runtime's split
// communicators. With world size N and partition size P: a partition group is P consecutive ranks
// (MiCS's partition group: one full model replica), a replication group is the N/P ranks with the
// same index in their partition group (every P-th rank: the ranks holding the same shard).
#pragma once

#include <string>
#include <vector>

namespace shardsim {

struct GroupSpec {
  enum class Kind { world, partition, replication } kind = Kind::world;
  int partition_size = 0;  // P (partition and replication)

  std::string text() const;  // "world", "partition:P", "replication:P"
  int group_size(int world_size) const;
  int group_count(int world_size) const;
  int colour(int world_rank) const;  // ranks with the same colour form a group
  // The ranks of the group of this colour, in group-rank order (ascending world rank).
  std::vector<int> members(int world_size, int colour) const;
  // Ranks of one group on each node it spans, with nodes of k ranks placed block-wise.
  int ranks_per_node(int world_size, int k) const;
};

// "world", "partition:P" or "replication:P". Throws InputError when malformed or when P does not
// divide the world.
GroupSpec parse_group_spec(const std::string& text, int world_size);

}  // namespace shardsim
