// What the bench puts into its buffers and how it checks every result, as nccl-tests does: each
// rank fills its input from (rank, index) with small integers, so every sum is exact in every
// type (|sum| <= 2 * ranks: exact in bf16 up to 128 ranks, f16 up to 1024) and a misplaced chunk
// or a missed contribution shows up as a wrong element.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "sim/collectives/collective.hpp"

#include <cstddef>
#include <string>

namespace shardsim::runtime {

double input_value(int rank, std::size_t index);
void fill_input(void* data, std::size_t elements, DataType type, int rank);

// Elements of `output` (output_elements of them) that differ from the exact result on `rank`.
std::size_t count_wrong(CollectiveKind op, const void* output, std::size_t count, DataType type, int rank, int group_size);

}  // namespace shardsim::runtime
