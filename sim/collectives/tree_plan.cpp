#include "sim/collectives/tree_plan.hpp"

#include "sim/collectives/ring_order.hpp"
#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace shardsim {
namespace {

int floor_log2(int n) {
  int levels = 0;
  while (n > 1) {
    n /= 2;
    ++levels;
  }
  return levels;
}

// Parent position of position i in a binary heap over n positions (root 0), in the mirrored tree
// when `mirrored` (position i stands for node n-1-i).
int parent_position(int i, int n, bool mirrored) {
  const int heap = mirrored ? n - 1 - i : i;
  const int parent = (heap - 1) / 2;
  return mirrored ? n - 1 - parent : parent;
}

bool is_root(int i, int n, bool mirrored) { return (mirrored ? n - 1 - i : i) == 0; }

// The chain of one channel inside a node: the group's local ranks, rotated to start at `head`.
std::vector<int> chain_from(const std::vector<int>& locals, int head) {
  std::vector<int> chain = locals;
  std::rotate(chain.begin(), std::find(chain.begin(), chain.end(), head), chain.end());
  return chain;
}

// The members of the group behind distinct NICs, in local-rank order: a channel's chain head
// (tree) or an NVLS head (NVLS-tree) each.
std::vector<int> nic_heads(const InstanceType& inst, const std::vector<int>& locals) {
  std::vector<int> heads;
  std::set<int> nics;
  for (int l : locals)
    if (nics.insert(l < static_cast<int>(inst.nic_of_gpu.size()) ? inst.nic_of_gpu[l] : -1).second) heads.push_back(l);
  return heads;
}

// The template link between local GPU `local` and its node's NVSwitch, upward or downward; -1 if none.
int switch_link(const InstanceType& inst, int local, bool up) {
  for (int l = 0; l < inst.links_per_node(); ++l) {
    const Link& link = inst.links[l];
    const int gpu = up ? link.from : link.to;
    const int other = up ? link.to : link.from;
    if (gpu == local && inst.devices[other].kind == DeviceKind::nvswitch) return l;
  }
  return -1;
}

// The layout of a tree's group, which must hold the same local ranks on every node it spans.
GroupLayout uniform_layout(const Cluster& cluster, const std::vector<int>& group, double bytes, const char* algorithm) {
  if (group.empty()) throw InputError("the collective's group is empty");
  if (!(bytes > 0)) throw InputError("a collective must move a positive number of bytes");
  GroupLayout layout = layout_of(cluster, group);
  if (!layout.uniform)
    throw InputError(fmt::format("the {} algorithm needs a group that holds the same local ranks on every node it spans", algorithm));
  return layout;
}

}  // namespace

double transfer_route(const Cluster& cluster, const Transfer& t, std::vector<int>& out) {
  if (t.path == TransferPath::gpu_to_gpu) return cluster.route(t.from, t.to, out);
  const bool up = t.path == TransferPath::gpu_to_switch;
  const int gpu = up ? t.from : t.to;
  const int l = switch_link(cluster.instance, cluster.local_of(gpu), up);
  if (l < 0)
    throw InputError(fmt::format("{}: GPU {} has no NVLink to an NVSwitch, so NVLS cannot run on it", cluster.instance.name,
                                 cluster.local_of(gpu)));
  out.push_back(cluster.global_link(cluster.node_of(gpu), l));
  return cluster.link(out.back()).latency_s;
}

CollectivePlan plan_tree_all_reduce(const Cluster& cluster, const std::vector<int>& group, double bytes,
                                    const std::optional<PhaseShape>& shape) {
  const GroupLayout layout = uniform_layout(cluster, group, bytes, "tree");
  const InstanceType& inst = cluster.instance;
  const int k = inst.gpus_per_node;
  const std::vector<int>& locals = layout.locals.front();
  const int n = static_cast<int>(layout.nodes.size());
  // One channel per NIC behind the group's GPUs, headed by the first of them behind it.
  const std::vector<int> heads = nic_heads(inst, locals);
  const int channels = static_cast<int>(heads.size());
  const double efficiency = shape ? shape->bandwidth_efficiency : 1.0;
  const double share = bytes / (2.0 * channels) / efficiency;  // wire bytes of one tree of one channel

  CollectivePlan plan{.kind = CollectiveKind::all_reduce, .algorithm = Algorithm::tree, .group = group, .bytes = bytes, .channels = channels, .phases = {}};
  // runTreeSplit (src/device/all_reduce.h, every protocol on CUDA >= 11.4): the reduction toward
  // the roots and the broadcast back run at once in two thread groups, so one phase holds both.
  TransferPhase phase{"tree reduce + broadcast", {}, 0, 0};
  std::vector<Transfer> down;  // the broadcast, after the reduction in the phase's list
  for (int head : heads) {
    const std::vector<int> chain = chain_from(locals, head);
    for (bool mirrored : {false, true}) {
      for (int i = 0; i < n; ++i) {
        const int base = layout.nodes[i] * k;
        for (std::size_t c = chain.size() - 1; c > 0; --c) {
          phase.transfers.push_back({base + chain[c], base + chain[c - 1], share});
          down.push_back({base + chain[c - 1], base + chain[c], share});
        }
        if (is_root(i, n, mirrored)) continue;
        const int parent = layout.nodes[parent_position(i, n, mirrored)] * k + head;
        phase.transfers.push_back({base + head, parent, share});
        down.push_back({parent, base + head, share});
      }
    }
  }
  // Step latencies along the depth: the chain, then the inter-node levels.
  const int chain_steps = static_cast<int>(locals.size()) - 1;
  const int tree_levels = floor_log2(n);
  double intra_s = 0, inter_s = 0;
  if (shape) {
    intra_s = shape->intra_step_latency_s;
    inter_s = shape->inter_step_latency_s;
  } else {
    const int first = layout.nodes.front() * k;
    if (chain_steps > 0) intra_s = cluster.route_latency_s(first + locals[1], first + locals[0]);
    if (n > 1) inter_s = cluster.route_latency_s(layout.nodes[1] * k + heads.front(), first + heads.front());
  }
  // A chunk goes up the depth and back down: NCCL's 2 ((k'-1) intra + log2(n) inter) + base.
  const double depth_s = chain_steps * intra_s + tree_levels * inter_s;
  phase.latency_s = 2 * depth_s + (shape ? shape->base_latency_s : 0);
  phase.transfers.insert(phase.transfers.end(), down.begin(), down.end());
  if (!phase.transfers.empty()) plan.phases.emplace_back(std::move(phase));  // a group of one exchanges nothing
  return plan;
}

CollectivePlan plan_nvls_tree_all_reduce(const Cluster& cluster, const std::vector<int>& group, double bytes,
                                         const std::optional<PhaseShape>& shape) {
  const GroupLayout layout = uniform_layout(cluster, group, bytes, "NVLS-tree");
  const InstanceType& inst = cluster.instance;
  const int k = inst.gpus_per_node;
  const std::vector<int>& locals = layout.locals.front();
  if (locals.size() < 2) throw InputError("NVLS-tree needs at least 2 GPUs per node (NVLink SHARP reduces inside the node)");
  for (int l : locals)
    if (switch_link(inst, l, true) < 0 || switch_link(inst, l, false) < 0)
      throw InputError(fmt::format("{}: GPU {} has no NVLink to an NVSwitch, so NVLS cannot run on it", inst.name, l));
  const int n = static_cast<int>(layout.nodes.size());
  const std::vector<int> heads = nic_heads(inst, locals);
  const int h = static_cast<int>(heads.size());
  const double efficiency = shape ? shape->bandwidth_efficiency : 1.0;
  const double switch_efficiency = shape ? shape->switch_efficiency : 1.0;
  const double wire = bytes / efficiency / switch_efficiency;  // the vector through the NVSwitch
  const double slice = wire / h;                               // one head's share of it
  const double net_slice = bytes / efficiency / h;             // a head's share across nodes

  CollectivePlan plan{.kind = CollectiveKind::all_reduce, .algorithm = Algorithm::nvls_tree, .group = group, .bytes = bytes, .channels = h, .phases = {}};
  TransferPhase phase{"nvls-tree reduce + broadcast", {}, 0, 0};
  for (int i = 0; i < n; ++i) {
    const int base = layout.nodes[i] * k;
    for (int l : locals) {
      phase.transfers.push_back({base + l, base + l, wire, TransferPath::gpu_to_switch});   // ld_reduce reads
      phase.transfers.push_back({base + l, base + l, wire, TransferPath::switch_to_gpu});   // multicast arrivals
    }
    for (int head : heads) {
      phase.transfers.push_back({base + head, base + head, slice, TransferPath::switch_to_gpu});  // the slice's sum
      phase.transfers.push_back({base + head, base + head, slice, TransferPath::gpu_to_switch});  // multimem.st
      if (n < 2) continue;
      for (bool mirrored : {false, true}) {
        if (is_root(i, n, mirrored)) continue;
        const int parent = layout.nodes[parent_position(i, n, mirrored)] * k + head;
        phase.transfers.push_back({base + head, parent, net_slice / 2});  // reduce up
        phase.transfers.push_back({parent, base + head, net_slice / 2});  // broadcast down
      }
    }
  }
  if (shape) {
    phase.latency_s = shape->base_latency_s + shape->intra_step_latency_s + 2 * floor_log2(n) * shape->inter_step_latency_s;
  } else {
    const int first = layout.nodes.front() * k;
    double inter_s = 0;
    if (n > 1) inter_s = cluster.route_latency_s(layout.nodes[1] * k + heads.front(), first + heads.front());
    std::vector<int> up;
    const double intra_s = transfer_route(cluster, {first + locals[0], first + locals[0], 0, TransferPath::gpu_to_switch}, up);
    phase.latency_s = 2 * intra_s + 2 * floor_log2(n) * inter_s;
  }
  plan.phases.emplace_back(std::move(phase));
  return plan;
}

}  // namespace shardsim
