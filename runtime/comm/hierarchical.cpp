#include "runtime/comm/hierarchical.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <set>

namespace shardsim::runtime {

NodeLayout node_layout_of(const std::vector<int>& node_of_group_rank) {
  const int size = static_cast<int>(node_of_group_rank.size());
  int k = 0;
  while (k < size && node_of_group_rank[k] == node_of_group_rank[0]) ++k;
  if (size == 0 || size % k != 0) {
    throw RuntimeError(fmt::format("hierarchical collectives need the same number of group ranks on every node; "
                                   "the group of {} ranks has {} on its first node",
                                   size, k));
  }
  std::set<int> block_nodes;
  for (int r = 0; r < size; ++r) {
    const int block_node = node_of_group_rank[(r / k) * k];
    const bool starts_new_block = r % k == 0;
    if (node_of_group_rank[r] != block_node || (starts_new_block && !block_nodes.insert(block_node).second)) {
      throw RuntimeError(fmt::format("hierarchical collectives need {} group ranks per node placed block-wise "
                                     "(group ranks n*{}..n*{}+{} on node n); group rank {} breaks this",
                                     k, k, k, k - 1, r));
    }
  }
  return NodeLayout{size / k, k};
}

HierarchicalCollectives::HierarchicalCollectives(Communicator& group, int node, const std::string& tag)
    : group_(group) {
  // Every rank learns every rank's node through the group itself (device memory on NCCL).
  const int size = group.size();
  const std::int64_t mine = node;
  auto send = group.allocate(sizeof mine);
  auto recv = group.allocate(sizeof mine * size);
  group.copy_from_host(send, &mine, sizeof mine);
  group.all_gather(send.data(), recv.data(), 1, DataType::i64);
  group.synchronize();
  std::vector<std::int64_t> nodes64(size);
  group.copy_to_host(nodes64.data(), recv, sizeof mine * size);
  layout_ = node_layout_of(std::vector<int>(nodes64.begin(), nodes64.end()));

  const int k = layout_.ranks_per_node;
  const int rank = group.rank();
  intra_ = group.split(rank / k, rank, tag + "-intra");
  inter_ = group.split(rank % k, rank, tag + "-inter");
}

Buffer& HierarchicalCollectives::scratch(std::size_t bytes) {
  if (scratch_.bytes < bytes) scratch_ = group_.allocate(bytes);
  return scratch_;
}

void HierarchicalCollectives::all_gather(const void* send, void* recv, std::size_t count, DataType type) {
  const std::size_t chunk_bytes = count * size_of(type);
  const int m = layout_.nodes;
  const int k = layout_.ranks_per_node;
  Buffer& shards = scratch(m * chunk_bytes);
  // Inter-node: shards[n] = chunk of the rank with my local index on node n (group rank n*k+l).
  inter_->all_gather(send, shards.data(), count, type);
  inter_->synchronize();  // the two levels may run on different streams
  // Intra-node, once per node block: output positions n*k .. n*k+k-1 are contiguous.
  auto* out = static_cast<char*>(recv);
  for (int n = 0; n < m; ++n) {
    intra_->all_gather(shards.at(n * chunk_bytes), out + static_cast<std::size_t>(n) * k * chunk_bytes, count, type);
  }
}

void HierarchicalCollectives::reduce_scatter(const void* send, void* recv, std::size_t count, DataType type) {
  const std::size_t chunk_bytes = count * size_of(type);
  const int m = layout_.nodes;
  const int k = layout_.ranks_per_node;
  Buffer& partial = scratch(m * chunk_bytes);
  // Intra-node, once per node block: partial[n] = this node's sum of chunk n*k + my local index.
  const auto* in = static_cast<const char*>(send);
  for (int n = 0; n < m; ++n) {
    intra_->reduce_scatter(in + static_cast<std::size_t>(n) * k * chunk_bytes, partial.at(n * chunk_bytes), count, type);
  }
  intra_->synchronize();
  // Inter-node: the node n rank keeps partial[n] summed over all nodes, i.e. its flat chunk.
  inter_->reduce_scatter(partial.data(), recv, count, type);
}

void HierarchicalCollectives::all_reduce(const void* send, void* recv, std::size_t count, DataType type) {
  const int p = group_.size();
  if (count % p != 0) {
    throw RuntimeError(fmt::format("hierarchical all-reduce of {} elements: the count must be a multiple of the "
                                   "group size {}",
                                   count, p));
  }
  const std::size_t shard_count = count / p;
  const std::size_t shard_bytes = shard_count * size_of(type);
  if (shard_.bytes < shard_bytes) shard_ = group_.allocate(shard_bytes);
  reduce_scatter(send, shard_.data(), shard_count, type);
  inter_->synchronize();
  all_gather(shard_.data(), recv, shard_count, type);
}

void HierarchicalCollectives::synchronize() {
  intra_->synchronize();
  inter_->synchronize();
}

}  // namespace shardsim::runtime
