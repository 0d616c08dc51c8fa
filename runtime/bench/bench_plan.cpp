#include "runtime/bench/bench_plan.hpp"

#include <fmt/format.h>


namespace shardsim::runtime {

std::vector<std::uint64_t> sweep_sizes(std::uint64_t min_bytes, std::uint64_t max_bytes, std::uint64_t factor) {
  if (min_bytes == 0) throw RuntimeError("-b (minimum size) must be positive");
  if (min_bytes > max_bytes) throw RuntimeError(fmt::format("-b {} is larger than -e {}", min_bytes, max_bytes));
  if (factor < 2) throw RuntimeError(fmt::format("-f {} must be at least 2", factor));
  std::vector<std::uint64_t> sizes;
  for (std::uint64_t bytes = min_bytes; bytes <= max_bytes; bytes *= factor) {
    sizes.push_back(bytes);
    if (bytes > max_bytes / factor) break;
  }
  return sizes;
}

SizePoint size_point(CollectiveKind op, Algorithm algorithm, std::uint64_t requested_bytes, DataType type, int group_size) {
  const std::size_t element = size_of(type);
  std::size_t elements = requested_bytes / element;
  const bool whole_chunks = op != CollectiveKind::all_reduce || algorithm == Algorithm::hierarchical;
  if (whole_chunks) elements -= elements % group_size;
  SizePoint point;
  point.total_elements = elements;
  point.bytes = elements * element;
  point.count = op == CollectiveKind::all_reduce ? elements : elements / group_size;
  return point;
}

}  // namespace shardsim::runtime
