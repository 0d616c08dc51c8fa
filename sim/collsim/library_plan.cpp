#include "sim/collsim/library_plan.hpp"

#include "sim/collectives/plan.hpp"
#include "sim/collectives/tree_plan.hpp"
#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_cost_model.hpp"

#include <fmt/format.h>

#include <utility>

namespace shardsim {
namespace {

constexpr double kMicrosecond = 1e-6;

PhaseShape shape_of(const NcclVersion& version, const NcclRingShape& s, NcclAlgorithm algorithm, NcclProtocol protocol) {
  return PhaseShape{fmt::format("nccl {} {} {}", version.name, to_string(algorithm), to_string(protocol)),
                    s.base_latency_us * kMicrosecond, s.intra_step_latency_us * kMicrosecond,
                    s.inter_step_latency_us * kMicrosecond, s.bandwidth_efficiency > 0 ? s.bandwidth_efficiency : 1.0};
}

// The protocol's shape on a ring phase; its flags travel too, so the wire bytes grow by 1/efficiency.
void apply_shape(RingPhase& ring, PhaseShape shape) {
  ring.bytes_per_step /= shape.bandwidth_efficiency;
  ring.shape = std::move(shape);
}

// A ring phase run as an NCCL ring call of its own sub-communicator, with NCCL's protocol for it.
void shape_ring_phase(const Cluster& cluster, const CollectiveLibrary& library, RingPhase& ring) {
  const std::vector<int>& one_group = ring.rings.front();
  const NcclSystem system = system_of(cluster, one_group);
  const NcclChoice choice =
      nccl_select(*library.nccl, system, ring.kind, ring.collective_bytes, NcclAlgorithm::ring, library.protocol);
  const NcclRingShape s = nccl_step_shape(*library.nccl, nccl_flow_system(system), ring.kind, NcclAlgorithm::ring, choice.protocol);
  apply_shape(ring, shape_of(*library.nccl, s, NcclAlgorithm::ring, choice.protocol));
}

}  // namespace

NcclSystem system_of(const Cluster& cluster, const std::vector<int>& group) {
  const GroupLayout layout = layout_of(cluster, group);
  std::size_t per_node = 1;
  for (const auto& locals : layout.locals) per_node = std::max(per_node, locals.size());
  return nccl_system(cluster.instance, static_cast<int>(layout.nodes.size()), static_cast<int>(per_node));
}

std::string default_collective_library(const InstanceType& instance) {
  return instance.nccl ? std::string(kDefaultNcclVersion) : "gloo";
}

CollectiveLibrary load_collective_library(const std::string& name, const InstanceType& instance) {
  CollectiveLibrary library;
  library.name = name.empty() ? default_collective_library(instance) : name;
  if (library.name == "gloo") return library;
  if (!instance.nccl)
    throw InputError(fmt::format("{}: NCCL {} needs the instance's \"nccl\" block (what NCCL's topology search finds); "
                                 "use gloo for this instance",
                                 instance.file, library.name));
  library.nccl = load_nccl_version(library.name);
  return library;
}

LibraryPlan plan_on_library(const Cluster& cluster, const CollectiveLibrary& library, CollectiveKind kind,
                            Algorithm algorithm, const std::vector<int>& group, double bytes, RingOrderMemo* memo) {
  LibraryPlan out;
  // A group of one exchanges nothing: its plan has no phase for any library.
  if (!library.is_nccl() || algorithm == Algorithm::tree || algorithm == Algorithm::nvls_tree || group.size() < 2) {
    out.plan = plan_collective(cluster, kind, algorithm, group, bytes, memo);
    out.simulated_as = to_string(algorithm);
    return out;
  }
  if (algorithm == Algorithm::hierarchical) {
    out.plan = plan_collective(cluster, kind, algorithm, group, bytes, memo);
    for (auto& phase : out.plan.phases)
      if (auto* ring = std::get_if<RingPhase>(&phase)) shape_ring_phase(cluster, library, *ring);
    out.simulated_as = "hierarchical";
    return out;
  }
  // A flat call: NCCL picks the algorithm and protocol.
  const NcclSystem system = system_of(cluster, group);
  out.choice = nccl_select(*library.nccl, system, kind, bytes, library.algorithm, library.protocol);
  const NcclChoice& choice = *out.choice;
  if (choice.algorithm == NcclAlgorithm::tree) {
    const NcclRingShape s = nccl_step_shape(*library.nccl, nccl_flow_system(system), kind, NcclAlgorithm::tree, choice.protocol);
    out.plan = plan_tree_all_reduce(cluster, group, bytes, shape_of(*library.nccl, s, NcclAlgorithm::tree, choice.protocol));
    out.simulated_as = "tree";
    return out;
  }
  if (choice.algorithm == NcclAlgorithm::nvls_tree && kind == CollectiveKind::all_reduce) {
    const NcclRingShape s = nccl_step_shape(*library.nccl, nccl_flow_system(system), kind, NcclAlgorithm::nvls_tree, choice.protocol);
    PhaseShape shape = shape_of(*library.nccl, s, NcclAlgorithm::nvls_tree, choice.protocol);
    // NCCL's nvlsEfficiency (tuning.cc, sm90 0.85): what NVLink SHARP achieves of the NVLink bandwidth.
    const double nvls_efficiency = library.nccl->generation(system.compute_capability).nvls_efficiency;
    if (nvls_efficiency > 0) shape.switch_efficiency = nvls_efficiency;
    out.plan = plan_nvls_tree_all_reduce(cluster, group, bytes, shape);
    out.simulated_as = "nvls_tree";
    return out;
  }
  out.plan = plan_collective(cluster, kind, Algorithm::ring, group, bytes, memo);
  const NcclRingShape s = nccl_step_shape(*library.nccl, nccl_flow_system(system), kind, NcclAlgorithm::ring, choice.protocol);
  for (auto& phase : out.plan.phases)
    if (auto* ring = std::get_if<RingPhase>(&phase)) apply_shape(*ring, shape_of(*library.nccl, s, NcclAlgorithm::ring, choice.protocol));
  out.simulated_as = choice.algorithm == NcclAlgorithm::ring
                         ? "ring"
                         : fmt::format("ring (NCCL's {} is not modelled as flows)", to_string(choice.algorithm));
  return out;
}

}  // namespace shardsim
