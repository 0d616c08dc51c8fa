// Which collective library runs the collectives, and the plan it really runs. Gloo (and the
// emulated cluster) runs the plan as planned: rings at the routes' latencies, every byte useful.
// NCCL, version by version (sim/nccl/), first picks an algorithm and a protocol for every call
// from its own cost model, as ncclTopoGetAlgoTime's arg-min does, then runs it: a flat call
// becomes a ring, a double binary tree (tree_plan.hpp), NVLS-tree (NVLink SHARP flows through the
// NVSwitch under an inter-node double binary tree) or PAT (pat_plan.hpp: one rank per node, all-
// gather and reduce-scatter), shaped by the chosen protocol (its start-up latency, per-step
// latencies inside and across nodes, its bandwidth efficiency). Each phase of MiCS's hierarchical
// plan is an NCCL call of its own sub-communicator, so NCCL picks for it the same way: across
// nodes, one rank per node, that is PAT (NCCL >= 2.23) or a tree for an all-reduce where NCCL's
// model prefers them. The flows then share the modelled network, so contention and uneven groups
// still come from the max-min network rather than from NCCL's formula, whose time is kept beside
// the simulated one for comparison. NVLS, which NCCL runs on one node only, is NVLS-tree's plan on
// that node (its NVLink SHARP transfers; latency base + one intra step, NCCL's NVLS latency). The flows' inter-node steps pay the network's physical latency
// where the instance file gives one (nccl_flow_system); NCCL's choice and formula keep the
// plugin's declared latency.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/collectives/ring_order.hpp"
#include "sim/nccl/nccl_select.hpp"
#include "sim/topology/topology.hpp"

#include <optional>
#include <string>

namespace shardsim {

struct CollectiveLibrary {
  std::string name = "gloo";               // "gloo" or an NCCL version ("2.28")
  std::optional<NcclVersion> nccl;         // absent: Gloo's plain rings
  std::optional<NcclAlgorithm> algorithm;  // forced, as NCCL_ALGO
  std::optional<NcclProtocol> protocol;    // forced, as NCCL_PROTO

  bool is_nccl() const { return nccl.has_value(); }
};

// "gloo", an NCCL version ("2.28", "2.12", ...), or "" for the instance's default: the newest
// NCCL version where the instance file says what NCCL sees (its "nccl" block), Gloo otherwise.
// Throws InputError for an unknown version or NCCL on an instance without an "nccl" block.
CollectiveLibrary load_collective_library(const std::string& name, const InstanceType& instance);
std::string default_collective_library(const InstanceType& instance);

// One NCCL call a hierarchical plan makes: its phase and NCCL's pick for it.
struct NcclPhaseCall {
  std::string phase;  // the plan phase's label ("inter-node all_gather", "intra-node all_gather, node block 0 of 16")
  NcclChoice choice;
};

struct LibraryPlan {
  CollectivePlan plan;
  std::optional<NcclChoice> choice;  // NCCL's pick for a flat call (nullopt: Gloo, or hierarchical)
  // A hierarchical plan on NCCL: one entry per NCCL call, in order (each intra-node node block is
  // its own call); empty otherwise.
  std::vector<NcclPhaseCall> phase_calls;
  // NCCL's own predicted time for what runs, and its latency part: the flat call's, or the sum over
  // a hierarchical plan's calls (they run one after another); 0 where NCCL prices nothing (Gloo).
  double nccl_time_s() const;
  double nccl_latency_s() const;
  // "ring", "tree", "nvls_tree", "pat", what stood in for an unmodelled algorithm, or for a
  // hierarchical plan what NCCL ran for each distinct phase ("hierarchical: inter_node all_gather
  // as pat Simple; intra_node all_gather as ring LL").
  std::string simulated_as;
};

// The shape of a group's layout as NCCL sees it: its nodes and ranks per node (the most on any node).
NcclSystem system_of(const Cluster& cluster, const std::vector<int>& group);

LibraryPlan plan_on_library(const Cluster& cluster, const CollectiveLibrary& library, CollectiveKind kind,
                            Algorithm algorithm, const std::vector<int>& group, double bytes,
                            RingOrderMemo* memo = nullptr);

}  // namespace shardsim
