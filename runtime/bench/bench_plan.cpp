#include "runtime/bench/bench_plan.hpp"

#include <fmt/format.h>

#include <charconv>

namespace shardsim::runtime {

BenchAlgorithm parse_bench_algorithm(const std::string& text) {
  if (text == "ring") return BenchAlgorithm::ring;
  if (text == "hierarchical") return BenchAlgorithm::hierarchical;
  throw RuntimeError(fmt::format("unknown algorithm '{}' (use ring or hierarchical)", text));
}

const char* to_string(BenchAlgorithm algorithm) {
  return algorithm == BenchAlgorithm::ring ? "ring" : "hierarchical";
}

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

GroupSpec parse_group_spec(const std::string& text, int world_size) {
  GroupSpec spec;
  if (text == "world") return spec;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (colon == std::string::npos || (kind != "partition" && kind != "replication")) {
    throw RuntimeError(fmt::format("--group '{}': use world, partition:P or replication:P", text));
  }
  spec.kind = kind == "partition" ? GroupSpec::Kind::partition : GroupSpec::Kind::replication;
  const std::string number = text.substr(colon + 1);
  const auto [rest, error] = std::from_chars(number.data(), number.data() + number.size(), spec.partition_size);
  if (error != std::errc{} || rest != number.data() + number.size() || spec.partition_size < 1) {
    throw RuntimeError(fmt::format("--group '{}': P must be a positive whole number", text));
  }
  if (world_size % spec.partition_size != 0) {
    throw RuntimeError(fmt::format("--group '{}': the partition size {} does not divide the {} ranks", text,
                                   spec.partition_size, world_size));
  }
  return spec;
}

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

SizePoint size_point(CollectiveOp op, BenchAlgorithm algorithm, std::uint64_t requested_bytes, DataType type, int group_size) {
  const std::size_t element = size_of(type);
  std::size_t elements = requested_bytes / element;
  const bool whole_chunks = op != CollectiveOp::all_reduce || algorithm == BenchAlgorithm::hierarchical;
  if (whole_chunks) elements -= elements % group_size;
  SizePoint point;
  point.total_elements = elements;
  point.bytes = elements * element;
  point.count = op == CollectiveOp::all_reduce ? elements : elements / group_size;
  return point;
}

double bus_bandwidth_factor(CollectiveOp op, int group_size) {
  const double n = group_size;
  return op == CollectiveOp::all_reduce ? 2 * (n - 1) / n : (n - 1) / n;
}

}  // namespace shardsim::runtime
