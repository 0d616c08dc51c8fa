// How the runtime's element types map onto NCCL's (bf16 -> ncclBfloat16, ...), kept apart so the
// mapping can be tested without a GPU and without NCCL headers in the test.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <cstddef>

namespace shardsim::runtime {

struct NcclTypeMapping {
  int nccl_type = 0;             // the ncclDataType_t value
  const char* nccl_name = "";    // its name in nccl.h, e.g. "ncclBfloat16"
  std::size_t element_bytes = 0;  // NCCL's element size, which must equal size_of(type)
};

// Throws RuntimeError for a value outside DataType.
NcclTypeMapping nccl_type_of(DataType type);

}  // namespace shardsim::runtime
