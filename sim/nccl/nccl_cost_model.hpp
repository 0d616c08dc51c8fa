// NCCL's cost model for one communicator, as src/graph/tuning.cc computes it
// (shared/reference/nccl-tuning-model.md §1.2-§1.4, constants from the NcclVersion):
//
//   ncclTopoTuneModel, per (algorithm a, protocol p):
//     busBw = nChannels * bw,  bw = nNodes <= 2 ? bwIntra : bwInter  (NVLS: min of an intra and an inter term)
//     refined by protocol efficiency and per-channel caps (ring LL: min(llMaxBw, 0.5 busBw), ring
//     LL128: min(0.92 busBw, nCh*perChMaxRingLL128Bw), tree: 0.92, /3.8, 7/9 or 120/128, PAT 0.75)
//     bandwidth = busBw * (ring/NVLS: nRanks/nsteps; tree: 0.5; non-ring AG/RS: 1)
//     latency   = baseLat + per-algorithm step terms, intraLat = hwLat[NVLINK|PCI], interLat =
//                 hwLat[NET] + plugin latency (+ again for Simple: the flush); ring:
//                 (nsteps - nInterSteps) * max(intraLat, netOverhead) + nInterSteps * interLat
//   ncclTopoGetAlgoTime:
//     time_us = latency (x1.4/1.9 ring Simple AllReduce plateau) + nBytes / (1000 * bandwidth
//               (x treeCorrectionFactor for tree AllReduce))
//
// nBytes follows nccl-tests (AG output, RS input, AR vector). One launch (numPipeOps = 1).
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/nccl/nccl_system.hpp"
#include "sim/nccl/nccl_version.hpp"

#include <array>
#include <string>

namespace shardsim {

// One cell of comm->latencies / comm->bandwidths.
struct NcclCost {
  double latency_us = 0;      // comm->latencies[coll][a][p]
  double bandwidth_GBps = 0;  // comm->bandwidths[coll][a][p]: algorithm bandwidth; 0 = not eligible
  double busbw_GBps = 0;      // NCCL's busBw before the bus -> algorithm conversion
  int channels = 0;           // the graph's channel count
  std::string ineligible;     // why not, when bandwidth_GBps is 0
};

using NcclCostTable = std::array<std::array<NcclCost, kNcclProtocols>, kNcclAlgorithms>;  // [algo][proto]

NcclCostTable nccl_tune_model(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind);

// ncclTopoGetAlgoTime for one eligible cell and a size: the size-dependent corrections applied.
struct NcclAlgoTime {
  double latency_us = 0;
  double bandwidth_GBps = 0;
  double time_us = 0;
};
NcclAlgoTime nccl_algo_time(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind, NcclAlgorithm algorithm,
                            NcclProtocol protocol, const NcclCost& cost, double bytes);

// The pieces of a ring's latency a flow simulator shapes each step with: latency =
// base + (nsteps - nInterSteps) * intra_step + nInterSteps * inter_step, and the fraction of the
// raw channel bandwidth (nChannels x bw) the protocol achieves (busBw / raw). The Simple
// AllReduce plateau factor of ncclTopoGetAlgoTime is not included.
struct NcclRingShape {
  double base_latency_us = 0;
  double intra_step_latency_us = 0;  // max(hwLat[NVLINK|PCI][RING][p], net overhead)
  double inter_step_latency_us = 0;  // hwLat[NET] + plugin latency (+ the Simple flush)
  int inter_steps = 0;
  int steps = 0;
  double bandwidth_efficiency = 0;
};
NcclRingShape nccl_ring_shape(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind, NcclProtocol protocol);
// The same pieces for any algorithm a flow simulation runs (ring, tree, PAT): its base latency,
// the latency of one intra- and one inter-node step (for the tree: a chain hop and a tree level;
// for PAT: one dimension, interLat / pat_inter_divisor, its base carrying nRanks x pat_per_rank_us,
// so the steps add up to NCCL's PAT latency), and the protocol's bandwidth efficiency (refined
// busBw / raw busBw, PAT's 0.75 included). `steps`/`inter_steps` are the ring's and stay 0 for
// other algorithms.
NcclRingShape nccl_step_shape(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                              NcclAlgorithm algorithm, NcclProtocol protocol);

}  // namespace shardsim
