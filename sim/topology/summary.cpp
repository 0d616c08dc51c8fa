#include "sim/topology/summary.hpp"

#include <map>

namespace shardsim {

TopologySummary summarize(const Cluster& cluster) {
  const InstanceType& inst = cluster.instance;
  TopologySummary s;
  s.instance = inst.name;
  s.nodes = cluster.nodes;
  s.gpus = cluster.gpus();
  s.classes.resize(inst.link_classes.size());
  for (std::size_t c = 0; c < inst.link_classes.size(); ++c) {
    s.classes[c].link_class = inst.link_classes[c];
    s.classes[c].capacity_Bps = inst.link_classes[c].bandwidth_Bps * inst.link_classes[c].efficiency;
  }
  // Links are stored as direction pairs; count each connection once.
  for (std::size_t i = 0; i < inst.links.size(); i += 2) {
    auto& use = s.classes[inst.links[i].link_class];
    ++use.links_per_node;
    use.lanes_per_node += inst.links[i].count;
  }
  std::map<int, std::vector<int>> behind;
  for (int g = 0; g < inst.gpus_per_node; ++g)
    if (inst.nic_of_gpu[g] >= 0) behind[inst.nic_of_gpu[g]].push_back(g);
  for (const auto& d : inst.devices)
    if (d.kind == DeviceKind::nic) ++s.nics_per_node;
  for (const auto& l : inst.links)
    if (inst.devices[l.from].kind == DeviceKind::nic && inst.devices[l.to].kind == DeviceKind::leaf_switch)
      s.nic_ports_per_node += l.count;
  for (const auto& [nic, gpus] : behind) s.gpus_behind_nic.emplace_back(inst.devices[nic].name, gpus);
  s.node_network_Bps = inst.node_network_Bps();
  s.bisection_Bps = (cluster.nodes / 2) * s.node_network_Bps;
  s.price_per_hour_usd = inst.price_per_hour_usd * cluster.nodes;
  return s;
}

}  // namespace shardsim
