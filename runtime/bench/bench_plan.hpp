// What a bench sweep runs, decided before any rank connects, so every rank (and the local
// launcher, which checks the arguments once before starting the ranks) computes the same plan:
// the sizes (nccl-tests' -b/-e/-f), the element counts per size, and the group shape. Sizes
// follow nccl-tests: `bytes` is the whole buffer (all_gather's output, reduce_scatter's input,
// all_reduce's buffer), divided into elements and rounded down to a multiple of the group size
// for all_gather and reduce_scatter (and for the hierarchical all_reduce, which is a
// reduce-scatter plus an all-gather); a size that rounds to nothing is skipped.
#pragma once

#include "runtime/bench/check_pattern.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim::runtime {

enum class BenchAlgorithm { ring, hierarchical };
BenchAlgorithm parse_bench_algorithm(const std::string& text);
const char* to_string(BenchAlgorithm algorithm);

// "world", "partition:P" (groups of P consecutive ranks: a MiCS partition group), or
// "replication:P" (ranks with the same index in their partition group of size P).
struct GroupSpec {
  enum class Kind { world, partition, replication } kind = Kind::world;
  int partition_size = 0;

  std::string text() const;
  int group_size(int world_size) const;
  int group_count(int world_size) const;
  int colour(int world_rank) const;  // ranks with the same colour form a group
};
// Throws RuntimeError when malformed or when P does not divide the world.
GroupSpec parse_group_spec(const std::string& text, int world_size);

// -b, -e, -f: b, b*f, b*f^2, ... up to e. Throws RuntimeError for b > e, b == 0 or f < 2.
std::vector<std::uint64_t> sweep_sizes(std::uint64_t min_bytes, std::uint64_t max_bytes, std::uint64_t factor);

struct SizePoint {
  std::uint64_t bytes = 0;        // after rounding (what the row reports)
  std::size_t count = 0;          // the Communicator call's count (per rank for AG and RS)
  std::size_t total_elements = 0; // nccl-tests' "count" column: bytes / element size
};
// count == 0 means the size is too small for this group and is skipped.
SizePoint size_point(CollectiveOp op, BenchAlgorithm algorithm, std::uint64_t requested_bytes, DataType type, int group_size);

// busbw = algbw * factor: (n-1)/n for all_gather and reduce_scatter, 2(n-1)/n for all_reduce.
double bus_bandwidth_factor(CollectiveOp op, int group_size);

}  // namespace shardsim::runtime
