#include "runtime/bench/check_pattern.hpp"

#include "runtime/comm/element_math.hpp"

#include <fmt/format.h>

namespace shardsim::runtime {
namespace {

// Values -2..2; neighbouring ranks and indices differ, so swapped chunks do not cancel out.
constexpr int kPatternPeriod = 5;
constexpr int kPatternOffset = 2;

double expected_sum(int group_size, std::size_t index) {
  double sum = 0;
  for (int r = 0; r < group_size; ++r) sum += input_value(r, index);
  return sum;
}

}  // namespace

double input_value(int rank, std::size_t index) {
  return static_cast<double>((static_cast<std::size_t>(rank) + 2 * index) % kPatternPeriod) - kPatternOffset;
}

void fill_input(void* data, std::size_t elements, DataType type, int rank) {
  for (std::size_t i = 0; i < elements; ++i) set_element(data, i, type, input_value(rank, i));
}

std::size_t count_wrong(CollectiveKind op, const void* output, std::size_t count, DataType type, int rank, int group_size) {
  std::size_t wrong = 0;
  const std::size_t elements = output_elements(op, count, group_size);
  for (std::size_t i = 0; i < elements; ++i) {
    double expected = 0;
    switch (op) {
      case CollectiveKind::all_gather: expected = input_value(static_cast<int>(i / count), i % count); break;
      case CollectiveKind::reduce_scatter: expected = expected_sum(group_size, rank * count + i); break;
      case CollectiveKind::all_reduce: expected = expected_sum(group_size, i); break;
    }
    if (element_value(output, i, type) != expected) ++wrong;
  }
  return wrong;
}

}  // namespace shardsim::runtime
