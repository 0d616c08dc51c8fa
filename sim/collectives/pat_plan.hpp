// NCCL's PAT ("Parallel Aggregated Trees", NCCL >= 2.23) all-gather and reduce-scatter as
// transfers. NCCL runs PAT only where every node holds one rank of the call (src/graph/tuning.cc),
// and its pattern (src/include/collectives.h PatAGAlgorithm / PatRSAlgorithm) exchanges data with
// the peers at distances 2^d, one "dimension" d at a time, so a call takes ceil(log2 n) network
// steps instead of a ring's n-1, and each rank still sends (n-1)/n of M in all. The plan here is
// the dimension structure of that pattern, Bruck's all-gather (Bruck et al., IEEE TPDS 1997): in
// step d every rank sends min(2^d, n - 2^d) shards of M/n to the rank 2^d below it; the
// reduce-scatter is its mirror (the widest distance first, partial sums instead of shards). PAT's
// chunk aggregation and its interleaving of dimensions inside a step are not modelled: they move
// the same bytes over the same distances and change only how the steps overlap. Each step is a
// transfer phase; the latency comes from the shape when a backend model gives one (NCCL's PAT
// formula: its start-up once, then one per-dimension latency for each of floor(log2 n) steps, as
// log2i(nNodes) in tuning.cc), else from the routes.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/topology/topology.hpp"

#include <optional>

namespace shardsim {

// The steps a PAT call over n ranks takes: ceil(log2 n).
int pat_steps(int ranks);

// Throws InputError for an all-reduce, a group with more than one rank on a node, or an empty group.
CollectivePlan plan_pat(const Cluster& cluster, CollectiveKind kind, const std::vector<int>& group, double bytes,
                        const std::optional<PhaseShape>& shape = std::nullopt);

}  // namespace shardsim
