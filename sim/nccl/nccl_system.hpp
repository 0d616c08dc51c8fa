// The system NCCL's cost model sees for one communicator: node count, GPUs per node, and the
// graphs its topology search (src/graph/search.cc) would return on the instance, taken from the
// instance file's "nccl" block (topology/nccl_facts.hpp). A one-node communicator uses the
// single-node graph for ring and tree; a multi-node one the multi-node ring and tree graphs
// (the tree's bwIntra raised up to 2x bwInter, search.cc pass 2). With fewer GPUs per node than
// the instance has, a multi-node graph keeps the channels of the NICs those GPUs reach:
// channels x ranks_per_node / gpus_per_node, at least 1 (p4d: one NIC per 2 GPUs) [DERIVED].
// The Gloo-on-CPU emulated cluster has no "nccl" block and is refused.
#pragma once

#include "sim/nccl/nccl_names.hpp"
#include "sim/nccl/nccl_version.hpp"
#include "sim/topology/topology.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shardsim {

struct NcclGraph {
  int channels = 0;  // graph->nChannels (0: no such graph)
  double bw_intra_GBps = 0;
  double bw_inter_GBps = 0;
};

enum class NcclCpuVendor { intel, amd, other };

struct NcclSystem {
  std::string instance;
  int nodes = 1;
  int ranks_per_node = 1;
  int compute_capability = 0;
  NcclCpuVendor cpu_vendor = NcclCpuVendor::other;
  NcclHardware intra_hardware = NcclHardware::nvlink;  // hwLat row inside the node
  NcclGraph ring;
  NcclGraph tree;  // also PAT's graph (init.cc graphs[NCCL_ALGO_PAT] = treeGraph)
  NcclGraph nvls;  // channels 0 where the hardware has no NVLink SHARP
  double plugin_latency_us = 0;  // graph->latencyInter, as today's plugin declares it
  // What the plugin releases paired with older NCCL releases declared (nccl_facts.hpp).
  std::vector<NcclPluginLatencyEra> earlier_plugin_latencies;
  // The network's physical per-message latency, where the instance file gives one with a source:
  // flows pay it in place of plugin_latency_us (nccl_flow_system); NCCL's choice never sees it.
  std::optional<double> physical_latency_us;
  std::optional<NcclPluginBuffsize> plugin_buffsize;  // NCCL_BUFFSIZE as the plugin sets it (nccl_facts.hpp)
  bool ll128_enabled = false;

  int ranks() const { return nodes * ranks_per_node; }
  // The latency the plugin paired with NCCL release `v` declares: the first earlier era whose
  // bound `v` is older than, else plugin_latency_us.
  double declared_latency_us(const NcclVersion& v) const;
  // The Simple buffer NCCL release `v` runs with here: the plugin's NCCL_BUFFSIZE where the plugin
  // paired with `v` sets one, else nullopt (NCCL's DEFAULT_BUFFSIZE).
  std::optional<double> simple_buffsize_bytes(const NcclVersion& v) const;
};

// The system a flow simulation shapes its steps with: `s` with the plugin's declared latency (a
// tuning knob of NCCL's choice) replaced by the network's physical latency where one is known, so
// the step-latency formulas keep NCCL's shape (hwLat[NET] + latency, again for Simple's flush) but
// carry what the wire costs. Without a physical latency, `s` itself.
NcclSystem nccl_flow_system(const NcclSystem& s);

// Throws InputError when the instance has no "nccl" block, or nodes / ranks_per_node are out of range.
NcclSystem nccl_system(const InstanceType& instance, int nodes, int ranks_per_node);

}  // namespace shardsim
