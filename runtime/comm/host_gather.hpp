// A few host values from every rank (timings for rank 0's report), gathered through the
// communicator's own all-gather: the values go through buffers the backend allocates, so this
// works where collectives only take device memory (NCCL) as well as on host memory (Gloo).
#pragma once

#include "runtime/comm/communicator.hpp"

#include <vector>

namespace shardsim::runtime {

// Every rank's `mine`, rank-major (rank r's values start at r * mine.size()). Collective: every
// rank passes the same number of values.
std::vector<double> all_gather_host_values(Communicator& group, const std::vector<double>& mine);

}  // namespace shardsim::runtime
