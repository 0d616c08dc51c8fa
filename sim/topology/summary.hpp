// What a cluster offers, in the figures people compare instances by: GPUs, per-class link
// bandwidth and latency, per-node network bandwidth, and bisection bandwidth (the fabric is
// non-blocking apart from each node's leaf uplink, so a bisection carries floor(nodes/2) nodes'
// network bandwidth in each direction).
#pragma once

#include "sim/topology/topology.hpp"

#include <string>
#include <vector>

namespace shardsim {

struct LinkClassUse {
  LinkClass link_class;
  int links_per_node = 0;  // physical connections (both directions count once)
  int lanes_per_node = 0;  // summed link counts
  double capacity_Bps = 0; // effective, per direction, per single connection of count 1
};

struct TopologySummary {
  std::string instance;
  int nodes = 0;
  int gpus = 0;
  std::vector<LinkClassUse> classes;
  int nics_per_node = 0;
  int nic_ports_per_node = 0;
  std::vector<std::pair<std::string, std::vector<int>>> gpus_behind_nic;
  double node_network_Bps = 0;
  double bisection_Bps = 0;
  double price_per_hour_usd = 0;
};

TopologySummary summarize(const Cluster& cluster);

}  // namespace shardsim
