// Why a collective's simulated time differs from NCCL's own formula for the same call. The flows
// and the formula share NCCL's choice and its protocol's shape, but not everything else: the flows
// share the modelled links (contention where several flows cross one, uneven groups where some
// nodes hold more ranks than others), pay the network's physical latency where the instance file
// gives one, and run at the links' rates; the formula charges the plugin's declared latency, runs
// at its graph's per-channel bandwidths, and applies size-dependent corrections the flows do not
// have (the tree correction factor, the ring Simple all-reduce plateau). Each applicable mechanism
// is named, so a user reading `shardsim collective` knows which side of the comparison to trust.
#pragma once

#include "sim/collsim/library_plan.hpp"

#include <string>
#include <vector>

namespace shardsim {

struct NcclComparison {
  double relative_difference = 0;    // simulated / NCCL's formula - 1
  std::vector<std::string> reasons;  // the mechanisms that make them differ, where they differ
};

// `simulated_s`: the flows' time; `closed_form_s`: the flows' own closed form (no contention).
// Empty reasons where NCCL prices nothing (Gloo) or the two agree within 1%; a hierarchical plan is
// compared with NCCL's formula summed over its calls.
NcclComparison compare_with_nccl(const Cluster& cluster, const CollectiveLibrary& library, CollectiveKind kind,
                                 const std::vector<int>& group, double bytes, const LibraryPlan& plan, double simulated_s,
                                 double closed_form_s);

}  // namespace shardsim
