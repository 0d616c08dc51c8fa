// Ranks started with different arguments would run different sweeps and deadlock or mismatch in
// their collectives; each rank publishes a digest of its arguments and the ranks compare them
// against rank 0's before connecting, so the mismatch is reported at start, naming the rank.
#pragma once

#include "runtime/comm/communicator.hpp"
#include "runtime/launch/launch_info.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace shardsim::runtime {

// A stable digest (FNV-1a, hex) of the arguments, the same on every machine and build.
std::string arguments_digest(const std::vector<std::string>& arguments);

// Rank 0 compares every rank's digest with its own; the others compare theirs with rank 0's.
// Throws RuntimeError naming the differing rank, or the rank that did not arrive in time.
void check_arguments(Store& store, const LaunchInfo& info, const std::string& digest, std::chrono::milliseconds timeout);

}  // namespace shardsim::runtime
