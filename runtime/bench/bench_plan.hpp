// What a bench sweep runs, decided before any rank connects, so every rank (and the local
// launcher, which checks the arguments once before starting the ranks) computes the same plan:
// the sizes (nccl-tests' -b/-e/-f), the element counts per size, and the group shape. Sizes
// follow nccl-tests: `bytes` is the whole buffer (all_gather's output, reduce_scatter's input,
// all_reduce's buffer), divided into elements and rounded down to a multiple of the group size
// for all_gather and reduce_scatter (and for the hierarchical all_reduce, which is a
// reduce-scatter plus an all-gather); a size that rounds to nothing is skipped.
#pragma once

#include "runtime/bench/check_pattern.hpp"
#include "sim/collectives/collective.hpp"
#include "sim/collectives/group_spec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim::runtime {

// -b, -e, -f: b, b*f, b*f^2, ... up to e. Throws RuntimeError for b > e, b == 0 or f < 2.
std::vector<std::uint64_t> sweep_sizes(std::uint64_t min_bytes, std::uint64_t max_bytes, std::uint64_t factor);

struct SizePoint {
  std::uint64_t bytes = 0;        // after rounding (what the row reports)
  std::size_t count = 0;          // the Communicator call's count (per rank for AG and RS)
  std::size_t total_elements = 0; // nccl-tests' "count" column: bytes / element size
};
// count == 0 means the size is too small for this group and is skipped.
SizePoint size_point(CollectiveKind op, Algorithm algorithm, std::uint64_t requested_bytes, DataType type, int group_size);

}  // namespace shardsim::runtime
