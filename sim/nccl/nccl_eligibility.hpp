// Which (algorithm, protocol) pairs NCCL may run for a collective on a system, and why not
// otherwise (src/graph/tuning.cc ncclTopoTuneModel leaves their bandwidth 0, src/enqueue.cc skips
// them): the release must run the pair (tree: AllReduce only; NVLS, NVLS_TREE and PAT: Simple
// only, from the version file), NVLS needs NVLink SHARP, at least `nvls_min_channels` channels and
// several GPUs per node (all_gather/reduce_scatter on one node only), NVLS_TREE several nodes,
// PAT one GPU per node, LL128 its enablement (§1.3). CollNet needs a CollNet network plugin,
// which EFA does not have. See shared/reference/nccl-tuning-model.md §1.3-§1.4.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/nccl/nccl_system.hpp"
#include "sim/nccl/nccl_version.hpp"

#include <string>

namespace shardsim {

// "" when eligible, else a sentence saying why not.
std::string nccl_ineligible_reason(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                                   NcclAlgorithm algorithm, NcclProtocol protocol);

}  // namespace shardsim
