// NCCL's own prediction of a collective's time: NCCL >= 2.22 can "simulate" a group
// (ncclGroupSimulateEnd), running its tuning model - the algorithm, protocol and channel choice
// and their alpha-beta cost - without launching anything. bench prints it beside the measured
// time, which separates what NCCL expects of the hardware from what it gets. This header has no
// CUDA or NCCL types, so callers only guard its inclusion with SHARDSIM_HAVE_NCCL.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "sim/collectives/collective.hpp"

#include <cstddef>
#include <optional>

namespace shardsim::runtime {

// Predicted time in microseconds of one collective of `count` elements per rank (nccl-tests
// conventions, as in Communicator) on `communicator`. nullopt when `communicator` is not an NCCL
// communicator or the NCCL library is older than 2.22. Local: no peer takes part, nothing runs on
// the device. Throws RuntimeError if NCCL reports an error.
std::optional<double> nccl_predicted_time_us(Communicator& communicator, CollectiveKind kind, std::size_t count,
                                             DataType type);

}  // namespace shardsim::runtime
