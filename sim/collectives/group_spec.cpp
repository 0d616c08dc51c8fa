#include "sim/collectives/group_spec.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace shardsim {

std::string GroupSpec::text() const {
  switch (kind) {
    case Kind::world: return "world";
    case Kind::partition: return fmt::format("partition:{}", partition_size);
    case Kind::replication: return fmt::format("replication:{}", partition_size);
  }
  return "";
}

int GroupSpec::group_size(int world_size) const {
  switch (kind) {
    case Kind::world: return world_size;
    case Kind::partition: return partition_size;
    case Kind::replication: return world_size / partition_size;
  }
  return world_size;
}

int GroupSpec::group_count(int world_size) const { return world_size / group_size(world_size); }

int GroupSpec::colour(int world_rank) const {
  switch (kind) {
    case Kind::world: return 0;
    case Kind::partition: return world_rank / partition_size;
    case Kind::replication: return world_rank % partition_size;
  }
  return 0;
}

std::vector<int> GroupSpec::members(int world_size, int colour) const {
  std::vector<int> ranks;
  const int size = group_size(world_size);
  for (int i = 0; i < size; ++i) {
    switch (kind) {
      case Kind::world: ranks.push_back(i); break;
      case Kind::partition: ranks.push_back(colour * size + i); break;
      case Kind::replication: ranks.push_back(colour + i * partition_size); break;
    }
  }
  return ranks;
}

int GroupSpec::ranks_per_node(int world_size, int k) const {
  switch (kind) {
    case Kind::world: return std::min(k, world_size);
    case Kind::partition: return std::min(k, partition_size);
    case Kind::replication: return partition_size >= k ? 1 : k / partition_size;
  }
  return 1;
}

GroupSpec parse_group_spec(const std::string& text, int world_size) {
  GroupSpec spec;
  if (text == "world") return spec;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (colon == std::string::npos || (kind != "partition" && kind != "replication")) {
    throw InputError(fmt::format("--group '{}': use world, partition:P or replication:P", text));
  }
  spec.kind = kind == "partition" ? GroupSpec::Kind::partition : GroupSpec::Kind::replication;
  const std::string number = text.substr(colon + 1);
  const auto [rest, error] = std::from_chars(number.data(), number.data() + number.size(), spec.partition_size);
  if (error != std::errc{} || rest != number.data() + number.size() || spec.partition_size < 1) {
    throw InputError(fmt::format("--group '{}': P must be a positive whole number", text));
  }
  if (world_size % spec.partition_size != 0) {
    throw InputError(fmt::format("--group '{}': the partition size {} does not divide the {} ranks", text,
                                 spec.partition_size, world_size));
  }
  return spec;
}

}  // namespace shardsim
