// NCCL-like ring construction from the topology. Inside a node a ring visits the group's GPUs in
// the order that maximises its slowest hop (then minimises latency), found by exhaustive search
// over the node's routes, so on the p3dn hybrid cube-mesh it follows double NVLinks and avoids
// PCIe hops. Across nodes the ring visits nodes in ascending order and crosses each node boundary
// once; with several NICs per node it becomes one channel per NIC, each entering and leaving a node
// through GPUs behind its NIC, so a flat ring uses the node's aggregate NIC bandwidth as NCCL does.
#pragma once

#include "sim/topology/topology.hpp"

#include <map>
#include <tuple>
#include <vector>

namespace shardsim {

struct GroupLayout {
  std::vector<int> nodes;                   // ascending
  std::vector<std::vector<int>> locals;     // per node (same order), sorted local ranks in the group
  bool uniform = true;                      // every node holds the same local ranks
};

GroupLayout layout_of(const Cluster& cluster, const std::vector<int>& group);

// Intra-node orders already searched, by (local ranks, entry, exit, closed cycle). The search is
// exhaustive (up to 8! orders), and a family of groups (512 partition groups of 8 on 4096 GPUs)
// asks the same question once per node, so a simulation keeps one memo for its cluster and passes
// it to every plan. Valid for one instance type only.
struct RingOrderMemo {
  std::map<std::tuple<std::vector<int>, int, int, bool>, std::vector<int>> orders;
};

// Rings (one per channel) over `group`; each ring lists every member once.
std::vector<std::vector<int>> build_channel_rings(const Cluster& cluster, const std::vector<int>& group,
                                                  RingOrderMemo* memo = nullptr);

}  // namespace shardsim
