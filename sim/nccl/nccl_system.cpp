// Builds the NcclSystem a communicator sees (see nccl_system.hpp).
#include "sim/nccl/nccl_system.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shardsim {
namespace {

NcclGraph graph(const NcclGraphFacts& f, int channels) { return {channels, f.bw_intra_GBps, f.bw_inter_GBps}; }

// The NICs a partial node's GPUs reach: channels scale with the GPUs taking part.
int scaled_channels(const NcclGraphFacts& f, int ranks_per_node, int gpus_per_node) {
  return std::max(1, f.channels * ranks_per_node / gpus_per_node);
}

}  // namespace

double NcclSystem::declared_latency_us(const NcclVersion& v) const {
  for (const NcclPluginLatencyEra& era : earlier_plugin_latencies)
    if (v.release < era.before) return era.latency_us;
  return plugin_latency_us;
}

std::optional<double> NcclSystem::simple_buffsize_bytes(const NcclVersion& v) const {
  if (plugin_buffsize && !(v.release < plugin_buffsize->from)) return plugin_buffsize->bytes;
  return std::nullopt;
}

NcclSystem nccl_flow_system(const NcclSystem& s) {
  NcclSystem flow = s;
  if (s.physical_latency_us) {
    flow.plugin_latency_us = *s.physical_latency_us;
    flow.earlier_plugin_latencies.clear();  // the wire's latency, whatever the plugin declared
  }
  return flow;
}

NcclSystem nccl_system(const InstanceType& instance, int nodes, int ranks_per_node) {
  if (!instance.nccl)
    throw InputError(fmt::format("{}: instance '{}' has no \"nccl\" block, so NCCL's cost model does not apply to it "
                                 "(the emulated cluster runs Gloo on CPUs; model it with `shardsim collective`)",
                                 instance.file, instance.name));
  if (nodes < 1) throw InputError(fmt::format("nodes must be at least 1, got {}", nodes));
  if (ranks_per_node < 1 || ranks_per_node > instance.gpus_per_node)
    throw InputError(fmt::format("ranks per node must be between 1 and {} (the GPUs of a {}), got {}", instance.gpus_per_node,
                                 instance.name, ranks_per_node));
  if (static_cast<long>(nodes) * ranks_per_node < 2)
    throw InputError("an NCCL collective needs at least 2 ranks");
  const NcclTopologyFacts& f = *instance.nccl;
  NcclSystem s;
  s.instance = instance.name;
  s.nodes = nodes;
  s.ranks_per_node = ranks_per_node;
  s.compute_capability = f.compute_capability;
  s.cpu_vendor = f.cpu_vendor == "intel" ? NcclCpuVendor::intel : f.cpu_vendor == "amd" ? NcclCpuVendor::amd : NcclCpuVendor::other;
  s.intra_hardware = f.intra_link == "pci" ? NcclHardware::pci : NcclHardware::nvlink;
  s.plugin_latency_us = f.plugin_latency_us;
  s.earlier_plugin_latencies = f.earlier_plugin_latencies;
  s.physical_latency_us = f.physical_latency_us;
  s.plugin_buffsize = f.plugin_buffsize;
  if (nodes == 1) {
    s.ring = s.tree = graph(f.single_node, f.single_node.channels);
    s.ll128_enabled = f.ll128_single_node;
  } else {
    s.ring = graph(f.multi_node_ring, scaled_channels(f.multi_node_ring, ranks_per_node, instance.gpus_per_node));
    s.tree = graph(f.multi_node_tree, scaled_channels(f.multi_node_tree, ranks_per_node, instance.gpus_per_node));
    s.ll128_enabled = f.ll128_multi_node;
  }
  if (f.nvls) s.nvls = graph(*f.nvls, f.nvls->channels);
  return s;
}

}  // namespace shardsim
