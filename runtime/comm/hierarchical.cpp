#include "runtime/comm/hierarchical.hpp"

#include "sim/collectives/plan.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>

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

// Walks a plan's phases in order; every step names the phase it expects, so an executor that
// drifts from the plan (another order, scope, kind or size) fails loudly.
class HierarchicalCollectives::Cursor {
 public:
  Cursor(std::vector<PlanPhase> phases, std::size_t element_bytes)
      : phases_(std::move(phases)), element_bytes_(element_bytes) {}

  // The next phase, which must be a ring of this scope and kind whose per-call count (the
  // Communicator's convention) is `expected_count`.
  std::size_t ring(PhaseScope scope, CollectiveKind kind, std::size_t expected_count) {
    const auto* ring = next_phase() ? std::get_if<RingPhase>(&phases_[next_]) : nullptr;
    if (!ring || ring->scope != scope || ring->kind != kind)
      drift(fmt::format("a {} {}", to_string(scope), to_string(kind)));
    const double elements = ring->collective_bytes / static_cast<double>(element_bytes_);
    const auto count = static_cast<std::size_t>(
        std::llround(kind == CollectiveKind::all_reduce ? elements : elements / ring->group_size));
    if (count != expected_count) drift(fmt::format("{} elements per call in '{}'", expected_count, ring->label));
    ++next_;
    return count;
  }

  // The next phase, which must be a copy of `expected_bytes`.
  void copy(std::size_t expected_bytes) {
    const auto* copy = next_phase() ? std::get_if<CopyPhase>(&phases_[next_]) : nullptr;
    if (!copy || std::llround(copy->bytes) != static_cast<long long>(expected_bytes))
      drift(fmt::format("a copy of {} bytes", expected_bytes));
    ++next_;
  }

  void finish() const {
    if (next_ != phases_.size()) drift("the end of the plan");
  }

 private:
  bool next_phase() const { return next_ < phases_.size(); }
  [[noreturn]] void drift(const std::string& expected) const {
    const std::string found = !next_phase() ? "no more phases"
                              : std::visit([](const auto& p) { return "'" + p.label + "'"; }, phases_[next_]);
    throw std::logic_error(fmt::format("the hierarchical executor expected {} at phase {} of the plan, which has {}",
                                       expected, next_, found));
  }

  std::vector<PlanPhase> phases_;
  std::size_t element_bytes_;
  std::size_t next_ = 0;
};

Buffer& HierarchicalCollectives::scratch(std::size_t bytes) {
  if (scratch_.bytes < bytes) scratch_ = group_.allocate(bytes);
  return scratch_;
}

void HierarchicalCollectives::call(PhaseScope scope, CollectiveKind kind, const void* send, void* recv,
                                   std::size_t count, DataType type) {
  Communicator& comm = scope == PhaseScope::inter_node ? *inter_ : *intra_;
  if (log_) {
    const std::size_t elements = kind == CollectiveKind::all_reduce ? count : count * comm.size();
    log_->push_back({false, scope, kind, static_cast<double>(elements * size_of(type))});
  }
  comm.collective(kind, send, recv, count, type);
}

void HierarchicalCollectives::copy(void* destination, const void* source, std::size_t bytes) {
  // On the inter-node stream, right after the inter-node gather that produced `source`.
  inter_->copy_local(destination, source, bytes);
}

void HierarchicalCollectives::run(CollectiveKind kind, const void* send, void* recv, std::size_t count, DataType type) {
  if (count == 0) return;
  const std::size_t element = size_of(type);
  const int p = group_.size();
  if (p == 1) {  // nothing to exchange: the plan has no phase
    if (send != recv) group_.copy_local(recv, send, count * element);
    return;
  }
  const std::size_t elements = kind == CollectiveKind::all_reduce ? count : count * p;
  Cursor phases(collective_phases(kind, Algorithm::hierarchical, GroupShape{layout_.nodes, layout_.ranks_per_node},
                                  static_cast<double>(elements * element)),
                element);
  switch (kind) {
    case CollectiveKind::all_gather: all_gather(phases, send, recv, count, type); break;
    case CollectiveKind::reduce_scatter: reduce_scatter(phases, send, recv, count, type); break;
    case CollectiveKind::all_reduce: all_reduce(phases, send, recv, count, type); break;
  }
  phases.finish();
}

void HierarchicalCollectives::all_gather(Cursor& phases, const void* send, void* recv, std::size_t count, DataType type) {
  const std::size_t chunk = count * size_of(type);
  const int m = layout_.nodes, k = layout_.ranks_per_node, local = intra_->rank();
  auto* out = static_cast<char*>(recv);
  if (m > 1) {
    // Inter-node: shards[n] = the chunk of the rank with my local index on node n (group rank n*k+l).
    char* shards = k > 1 ? scratch(m * chunk).at(0) : out;
    call(PhaseScope::inter_node, CollectiveKind::all_gather, send, shards, phases.ring(PhaseScope::inter_node, CollectiveKind::all_gather, count), type);
    if (k > 1) {
      phases.copy(m * chunk);
      for (int n = 0; n < m; ++n) copy(out + (static_cast<std::size_t>(n) * k + local) * chunk, shards + n * chunk, chunk);
      if (log_) log_->push_back({true, PhaseScope::group, CollectiveKind::all_gather, static_cast<double>(m * chunk)});
    }
    inter_->synchronize();  // the two levels may run on different streams
  }
  if (k == 1) return;
  // Intra-node, one per node block: in place (the inputs were just copied there) when m > 1.
  for (int n = 0; n < m; ++n) {
    char* block = out + static_cast<std::size_t>(n) * k * chunk;
    const void* input = m > 1 ? block + local * chunk : send;
    call(PhaseScope::intra_node, CollectiveKind::all_gather, input, block, phases.ring(PhaseScope::intra_node, CollectiveKind::all_gather, count), type);
  }
}

void HierarchicalCollectives::reduce_scatter(Cursor& phases, const void* send, void* recv, std::size_t count,
                                             DataType type) {
  const std::size_t chunk = count * size_of(type);
  const int m = layout_.nodes, k = layout_.ranks_per_node;
  const auto* in = static_cast<const char*>(send);
  const void* partial = send;
  if (k > 1) {
    // Intra-node, one per node block: partial[n] = this node's sum of chunk n*k + my local index.
    char* sums = m > 1 ? scratch(m * chunk).at(0) : static_cast<char*>(recv);
    for (int n = 0; n < m; ++n)
      call(PhaseScope::intra_node, CollectiveKind::reduce_scatter, in + static_cast<std::size_t>(n) * k * chunk,
           sums + n * chunk, phases.ring(PhaseScope::intra_node, CollectiveKind::reduce_scatter, count), type);
    intra_->synchronize();
    partial = sums;
  }
  // Inter-node: the node n rank keeps partial[n] summed over all nodes, i.e. its flat chunk.
  if (m > 1)
    call(PhaseScope::inter_node, CollectiveKind::reduce_scatter, partial, recv,
         phases.ring(PhaseScope::inter_node, CollectiveKind::reduce_scatter, count), type);
}

void HierarchicalCollectives::all_reduce(Cursor& phases, const void* send, void* recv, std::size_t count, DataType type) {
  const int m = layout_.nodes, k = layout_.ranks_per_node, local = intra_->rank();
  if (count % k != 0) {
    throw RuntimeError(fmt::format("hierarchical all-reduce of {} elements: the count must be a multiple of the "
                                   "{} ranks per node",
                                   count, k));
  }
  const std::size_t shard = count / k;
  // My 1/k of the vector lives at its place in the output throughout, so the last step is an
  // in-place all-gather (and an in-place all-reduce is in place at every level).
  char* mine = static_cast<char*>(recv) + local * shard * size_of(type);
  if (k > 1) {
    call(PhaseScope::intra_node, CollectiveKind::reduce_scatter, send, mine,
         phases.ring(PhaseScope::intra_node, CollectiveKind::reduce_scatter, shard), type);
    intra_->synchronize();
  }
  if (m > 1) {
    call(PhaseScope::inter_node, CollectiveKind::all_reduce, k > 1 ? mine : send, k > 1 ? mine : recv,
         phases.ring(PhaseScope::inter_node, CollectiveKind::all_reduce, shard), type);
    inter_->synchronize();
  }
  if (k > 1)
    call(PhaseScope::intra_node, CollectiveKind::all_gather, mine, recv,
         phases.ring(PhaseScope::intra_node, CollectiveKind::all_gather, shard), type);
}

void HierarchicalCollectives::synchronize() {
  intra_->synchronize();
  inter_->synchronize();
}

}  // namespace shardsim::runtime
