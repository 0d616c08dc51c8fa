// Arithmetic on raw buffers of any runtime DataType, for backends that reduce on the host (Gloo)
// and for checking results. f16 and bf16 are converted to float, summed, and rounded back to
// nearest-even (Eigen's half types), which is what NCCL's device kernels do per addition.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <cstddef>

namespace shardsim::runtime {

// accumulator[i] += addend[i] for i < count.
void add_into(void* accumulator, const void* addend, std::size_t count, DataType type);

// One element as a double (exact for every type except i64 beyond 2^53).
double element_value(const void* data, std::size_t index, DataType type);

// Stores `value` converted to `type` (rounded to nearest for the floating types).
void set_element(void* data, std::size_t index, DataType type, double value);

}  // namespace shardsim::runtime
