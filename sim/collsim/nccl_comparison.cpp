#include "sim/collsim/nccl_comparison.hpp"

#include "sim/collectives/ring_order.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/nccl/nccl_cost_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace shardsim {
namespace {

// Differences below this are rounding, not a mechanism.
constexpr double kAgreement = 0.01;

}  // namespace

NcclComparison compare_with_nccl(const Cluster& cluster, const CollectiveLibrary& library, CollectiveKind kind,
                                 const std::vector<int>& group, double bytes, const LibraryPlan& plan, double simulated_s,
                                 double closed_form_s) {
  NcclComparison out;
  if (!library.is_nccl() || !(plan.nccl_time_s() > 0)) return out;
  out.relative_difference = simulated_s / plan.nccl_time_s() - 1;
  if (std::abs(out.relative_difference) < kAgreement) return out;
  auto& why = out.reasons;
  if (simulated_s > closed_form_s * (1 + kAgreement))
    why.push_back(fmt::format("contention: the flows take {:.1f}% longer than their own closed form, where links are shared",
                              100 * (simulated_s / closed_form_s - 1)));
  if (const auto fifo = fifo_bound_step(cluster, plan.plan))
    why.push_back(fmt::format("FIFO: a ring step's {} messages per connection hold its {} in-flight slots for the {:g} us hop latency "
                              "each, so a step takes at least {:.1f} us where the wire and the pipeline need {:.1f} us; NCCL's "
                              "formula has no such bound",
                              fifo->messages, fifo->in_flight, fifo->hop_latency_s * 1e6, fifo->floor_s * 1e6, fifo->other_s * 1e6));
  if (!plan.choice) {
    // A hierarchical plan: NCCL's formula prices each call alone at its own communicator's
    // channels, while the inter-node calls of the group's local ranks run at once and share each
    // node's NICs in the flows.
    const std::size_t concurrent = layout_of(cluster, group).locals.front().size();
    if (plan.phase_calls.size() > 1)
      why.push_back(fmt::format("NCCL's formula is summed over the plan's {} calls, each priced alone", plan.phase_calls.size()));
    if (concurrent > 1)
      why.push_back(fmt::format("sharing: in the flows the {} inter-node calls run at once and share each node's NICs", concurrent));
    why.push_back("bandwidth: the flows run at the topology's link rates and efficiencies, NCCL's formula at each call's graph channels");
    return out;
  }
  const NcclChoice& choice = *plan.choice;
  const GroupLayout layout = layout_of(cluster, group);
  std::size_t fewest = layout.locals.front().size(), most = fewest;
  for (const auto& locals : layout.locals) {
    fewest = std::min(fewest, locals.size());
    most = std::max(most, locals.size());
  }
  if (fewest != most)
    why.push_back(fmt::format("uneven group: {} to {} ranks per node; NCCL's formula sees {} on every node", fewest, most, most));
  const NcclSystem system = system_of(cluster, group);
  const double declared_us = system.declared_latency_us(*library.nccl);
  if (system.nodes > 1 && system.physical_latency_us && *system.physical_latency_us != declared_us)
    why.push_back(fmt::format("latency: the flows pay the network's physical {:g} us per message, NCCL's formula the plugin's declared {:g} us",
                              *system.physical_latency_us, declared_us));
  // The formula's size-dependent corrections: the chosen cell before and after ncclTopoGetAlgoTime.
  const NcclCostTable table = nccl_tune_model(*library.nccl, system, kind);
  const NcclCost& cell = table[nccl_index(choice.algorithm)][nccl_index(choice.protocol)];
  if (cell.bandwidth_GBps > 0 && std::abs(choice.algbw_GBps / cell.bandwidth_GBps - 1) > 1e-9)
    why.push_back(fmt::format("NCCL's formula scales {}'s bandwidth by {:.2f} at this size (its tree correction factor); the flows do not",
                              to_string(choice.algorithm), choice.algbw_GBps / cell.bandwidth_GBps));
  if (cell.latency_us > 0 && std::abs(choice.latency_us / cell.latency_us - 1) > 1e-9)
    why.push_back(fmt::format("NCCL's formula multiplies the ring's latency by {:.1f} (its Simple all-reduce plateau); the flows do not",
                              choice.latency_us / cell.latency_us));
  // Where the formula's bandwidth term is a tenth or more of its time.
  if (bytes / (1000 * choice.algbw_GBps) >= 0.1 * choice.time_s * 1e6)
    why.push_back(fmt::format("bandwidth: the flows run at the topology's link rates and efficiencies, NCCL's formula at its graph's "
                            "{} channels (busBw {:.1f} GB/s)",
                            cell.channels, choice.busbw_GBps));
  return out;
}

}  // namespace shardsim
