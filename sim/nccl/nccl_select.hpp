// NCCL's choice of algorithm, protocol and channel count for one call (src/enqueue.cc
// topoGetAlgoInfo / updateCollCostTable): the arg-min of ncclTopoGetAlgoTime over the eligible
// (algorithm, protocol) pairs of the cost table (nccl_cost_model.hpp), optionally restricted like
// NCCL_ALGO / NCCL_PROTO, then the channel count reduced for small messages:
//   while nBytes < nc * nThreads * threadThreshold (LL on a ring: x nRanks) and nc > 1: nc--
// (shared/reference/nccl-tuning-model.md §1.2, §1.7). Ties keep NCCL's loop order (algorithm
// index, then protocol index), as its strict "<" comparison does.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/nccl/nccl_cost_model.hpp"

#include <optional>
#include <vector>

namespace shardsim {

struct NcclChoice {
  NcclAlgorithm algorithm = NcclAlgorithm::ring;
  NcclProtocol protocol = NcclProtocol::simple;
  int channels = 0;          // after the small-message reduction
  double latency_us = 0;     // comm->latencies, with the ring Simple AllReduce plateau factor
  double algbw_GBps = 0;     // comm->bandwidths, with the tree correction factor
  double busbw_GBps = 0;     // NCCL's busBw (the model's nccl-tests busbw; before tree correction)
  double time_s = 0;         // ncclTopoGetAlgoTime
};

// nBytes in nccl-tests' convention (AG output, RS input, AR vector), like CollectivePlan::bytes.
// Every eligible (algorithm, protocol) with its time, in NCCL's loop order.
std::vector<NcclChoice> nccl_candidates(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind, double bytes);

// The arg-min; a forced algorithm and/or protocol restricts the candidates. Throws InputError when
// the forced choice is not eligible, naming why.
NcclChoice nccl_select(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind, double bytes,
                       std::optional<NcclAlgorithm> algo = {}, std::optional<NcclProtocol> proto = {});

// The channel count topoGetAlgoInfo runs a chosen pair with: the communicator's channels (twice
// the search's, at most MAXCHANNELS), reduced for small messages; NVLS its own graph's.
int nccl_channels(const NcclVersion& version, const NcclSystem& system, NcclAlgorithm algorithm, NcclProtocol protocol,
                  int graph_channels, double bytes);

}  // namespace shardsim
