#include "sim/collsim/library_plan.hpp"

#include "sim/collectives/pat_plan.hpp"
#include "sim/collectives/plan.hpp"
#include "sim/collectives/tree_plan.hpp"
#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_cost_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace shardsim {
namespace {

constexpr double kMicrosecond = 1e-6;

PhaseShape shape_of(const NcclVersion& version, const NcclRingShape& s, NcclAlgorithm algorithm, NcclProtocol protocol) {
  PhaseShape shape;
  shape.label = fmt::format("nccl {} {} {}", version.name, to_string(algorithm), to_string(protocol));
  shape.base_latency_s = s.base_latency_us * kMicrosecond;
  shape.intra_step_latency_s = s.intra_step_latency_us * kMicrosecond;
  shape.inter_step_latency_s = s.inter_step_latency_us * kMicrosecond;
  shape.bandwidth_efficiency = s.bandwidth_efficiency > 0 ? s.bandwidth_efficiency : 1.0;
  return shape;
}

// The protocol's shape on a ring phase; its flags travel too, so the wire bytes grow by 1/efficiency.
void apply_shape(RingPhase& ring, PhaseShape shape) {
  ring.bytes_per_step /= shape.bandwidth_efficiency;
  ring.shape = std::move(shape);
}

// The flows' shape of NCCL's choice: its start-up and step latencies on the flow system (physical
// latency where known), its protocol's efficiency, and for NVLS-tree NCCL's nvlsEfficiency
// (tuning.cc, sm90 0.85: what NVLink SHARP achieves of the NVLink bandwidth).
PhaseShape choice_shape(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind, NcclAlgorithm algorithm,
                        NcclProtocol protocol) {
  const NcclRingShape s = nccl_step_shape(version, nccl_flow_system(system), kind, algorithm, protocol);
  PhaseShape shape = shape_of(version, s, algorithm, protocol);
  // A ring's steps go through its connections' FIFOs, with the Simple buffer the plugin sets where
  // it sets one; a tree's or PAT's transfers are costed whole.
  if (algorithm == NcclAlgorithm::ring) shape.fifo = version.ring_fifo(protocol, system.simple_buffsize_bytes(version));
  if (algorithm == NcclAlgorithm::nvls_tree || algorithm == NcclAlgorithm::nvls) {
    const double nvls_efficiency = version.generation(system.compute_capability).nvls_efficiency;
    if (nvls_efficiency > 0) shape.switch_efficiency = nvls_efficiency;
  }
  return shape;
}

// Whether NCCL's choice runs as transfers of its own plan (tree_plan.hpp, pat_plan.hpp) rather than
// as a ring, for this collective. NVLS runs on one node only (across nodes it needs CollNet):
// NVLS-tree's plan on one node, whose NVLink SHARP transfers are NVLS's and whose latency (base +
// one intra step) is NCCL's NVLS latency.
bool runs_as_transfers(NcclAlgorithm algorithm, CollectiveKind kind) {
  if (algorithm == NcclAlgorithm::pat) return kind != CollectiveKind::all_reduce;
  return kind == CollectiveKind::all_reduce &&
         (algorithm == NcclAlgorithm::tree || algorithm == NcclAlgorithm::nvls_tree || algorithm == NcclAlgorithm::nvls);
}

CollectivePlan transfer_plan(const Cluster& cluster, const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                             const NcclChoice& choice, const std::vector<int>& group, double bytes) {
  const PhaseShape shape = choice_shape(version, system, kind, choice.algorithm, choice.protocol);
  if (choice.algorithm == NcclAlgorithm::pat) return plan_pat(cluster, kind, group, bytes, shape);
  if (choice.algorithm == NcclAlgorithm::nvls_tree || choice.algorithm == NcclAlgorithm::nvls)
    return plan_nvls_tree_all_reduce(cluster, group, bytes, shape);
  return plan_tree_all_reduce(cluster, group, bytes, shape);
}

// What the flows ran for a choice: its own name, or the ring that stood in for it.
std::string simulated_name(NcclAlgorithm algorithm, CollectiveKind kind) {
  if (runs_as_transfers(algorithm, kind) || algorithm == NcclAlgorithm::ring) return data_key(algorithm);
  return fmt::format("ring (NCCL's {} is not modelled as flows)", to_string(algorithm));
}

// MiCS's hierarchical plan as NCCL runs it: every ring phase is an NCCL call of its own
// sub-communicator (runtime/comm/hierarchical does exactly that), so NCCL picks the algorithm and
// protocol for that call's shape (one rank per node across nodes: PAT for all-gather and
// reduce-scatter from 2.23, a tree for all-reduce). A phase NCCL runs as transfers becomes that
// algorithm's transfer phases, the scope's groups running at once (their transfers share each
// step); a ring phase takes the chosen protocol's shape. Returns, per distinct phase, what ran.
std::string run_phases_as_nccl_calls(const Cluster& cluster, const CollectiveLibrary& library, const std::vector<int>& group,
                                     CollectivePlan& plan, std::vector<NcclPhaseCall>& calls) {
  std::vector<PlanPhase> phases;
  std::vector<std::string> ran;
  for (PlanPhase& phase : plan.phases) {
    auto* ring = std::get_if<RingPhase>(&phase);
    if (!ring) {
      phases.push_back(std::move(phase));
      continue;
    }
    const std::vector<std::vector<int>> groups = scope_groups(cluster, ring->scope, group);
    const NcclSystem system = system_of(cluster, groups.front());
    const NcclChoice choice = nccl_select(*library.nccl, system, ring->kind, ring->collective_bytes, library.algorithm, library.protocol);
    calls.push_back({ring->label, choice});
    const std::string what = fmt::format("{} {} as {} {}", to_string(ring->scope), to_string(ring->kind),
                                         simulated_name(choice.algorithm, ring->kind), to_string(choice.protocol));
    if (std::find(ran.begin(), ran.end(), what) == ran.end()) ran.push_back(what);
    if (!runs_as_transfers(choice.algorithm, ring->kind)) {
      apply_shape(*ring, choice_shape(*library.nccl, system, ring->kind, NcclAlgorithm::ring, choice.protocol));
      phases.push_back(std::move(phase));
      continue;
    }
    CollectivePlan merged = transfer_plan(cluster, *library.nccl, system, ring->kind, choice, groups.front(), ring->collective_bytes);
    for (std::size_t g = 1; g < groups.size(); ++g)
      join_concurrent(merged, transfer_plan(cluster, *library.nccl, system, ring->kind, choice, groups[g], ring->collective_bytes));
    for (PlanPhase& p : merged.phases) {
      std::get<TransferPhase>(p).label = fmt::format("{}: {}", ring->label, std::get<TransferPhase>(p).label);
      phases.push_back(std::move(p));
    }
  }
  plan.phases = std::move(phases);
  std::string out = "hierarchical";
  for (std::size_t i = 0; i < ran.size(); ++i) out += (i == 0 ? ": " : "; ") + ran[i];
  return out;
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

double LibraryPlan::nccl_time_s() const {
  if (choice) return choice->time_s;
  double total = 0;
  for (const NcclPhaseCall& c : phase_calls) total += c.choice.time_s;
  return total;
}

double LibraryPlan::nccl_latency_s() const {
  if (choice) return choice->latency_us * 1e-6;
  double total = 0;
  for (const NcclPhaseCall& c : phase_calls) total += c.choice.latency_us * 1e-6;
  return total;
}

LibraryPlan plan_on_library(const Cluster& cluster, const CollectiveLibrary& library, CollectiveKind kind,
                            Algorithm algorithm, const std::vector<int>& group, double bytes, RingOrderMemo* memo) {
  LibraryPlan out;
  // A group of one exchanges nothing: its plan has no phase for any library.
  if (!library.is_nccl() || algorithm == Algorithm::tree || algorithm == Algorithm::nvls_tree || algorithm == Algorithm::pat ||
      group.size() < 2) {
    out.plan = plan_collective(cluster, kind, algorithm, group, bytes, memo);
    out.simulated_as = to_string(algorithm);
    return out;
  }
  if (algorithm == Algorithm::hierarchical) {
    out.plan = plan_collective(cluster, kind, algorithm, group, bytes, memo);
    out.simulated_as = run_phases_as_nccl_calls(cluster, library, group, out.plan, out.phase_calls);
    return out;
  }
  // A flat call: NCCL picks the algorithm and protocol.
  const NcclSystem system = system_of(cluster, group);
  out.choice = nccl_select(*library.nccl, system, kind, bytes, library.algorithm, library.protocol);
  const NcclChoice& choice = *out.choice;
  out.simulated_as = simulated_name(choice.algorithm, kind);
  if (runs_as_transfers(choice.algorithm, kind)) {
    out.plan = transfer_plan(cluster, *library.nccl, system, kind, choice, group, bytes);
    return out;
  }
  out.plan = plan_collective(cluster, kind, Algorithm::ring, group, bytes, memo);
  const PhaseShape shape = choice_shape(*library.nccl, system, kind, NcclAlgorithm::ring, choice.protocol);
  for (auto& phase : out.plan.phases)
    if (auto* ring = std::get_if<RingPhase>(&phase)) apply_shape(*ring, shape);
  return out;
}

}  // namespace shardsim
