// What NCCL's topology search finds on one instance type: the facts its cost model
// (src/graph/tuning.cc ncclTopoTuneModel) reads from the graphs it built (src/graph/search.cc) and
// from the network plugin (aws-ofi-nccl src/platform-aws.cpp). Read from the optional "nccl" block
// of topologies/NAME.json; an instance without one (the Gloo-on-CPU emulated cluster) cannot be
// modelled as NCCL. Each graph is `channels` rings/trees with a per-channel bandwidth inside the
// node (bwIntra) and across nodes (bwInter), in GB/s as NCCL counts them (search.cc speed arrays).
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shardsim {

class JsonObject;

// One of NCCL's search results (graph->nChannels, graph->bwIntra, graph->bwInter).
struct NcclGraphFacts {
  int channels = 0;
  double bw_intra_GBps = 0;
  double bw_inter_GBps = 0;
};

// An NCCL release as MAJOR.MINOR ("2.12"), ordered as releases are.
struct NcclRelease {
  int major = 0, minor = 0;
  auto operator<=>(const NcclRelease&) const = default;
};
// "2.12" -> {2, 12}; nullopt unless the text is exactly MAJOR.MINOR.
std::optional<NcclRelease> parse_nccl_release(std::string_view text);

// A latency an earlier release of the network plugin declared, for the NCCL releases older than
// `before` that it was paired with (net_plugin.earlier_latencies).
struct NcclPluginLatencyEra {
  NcclRelease before;
  double latency_us = 0;
};

// The Simple buffer the network plugin sets (NCCL_BUFFSIZE in its environment) for the NCCL
// releases from `from` on, which were paired with plugin releases that set it (net_plugin.buffsize).
struct NcclPluginBuffsize {
  double bytes = 0;
  NcclRelease from;
};

struct NcclTopologyFacts {
  int compute_capability = 0;        // 70, 80, 90, 100
  std::string cpu_vendor;            // "intel", "amd" or "other" (picks llMaxBw's row and the net overhead)
  std::string intra_link;            // "nvlink" or "pci": hwLat's row inside the node
  NcclGraphFacts single_node;        // the ring/tree graph of a one-node communicator
  NcclGraphFacts multi_node_ring;    // the ring graph when the communicator spans nodes
  NcclGraphFacts multi_node_tree;    // the tree graph when it spans nodes (bwIntra raised up to 2x bwInter)
  std::optional<NcclGraphFacts> nvls;  // NVLink SHARP graph (H100 NVSwitch only)
  double plugin_latency_us = 0;      // the net plugin's props->latency, NCCL's graph->latencyInter
  // What earlier plugin releases declared, oldest bound first: an NCCL release older than an
  // entry's bound saw the first such entry's latency instead of plugin_latency_us.
  std::vector<NcclPluginLatencyEra> earlier_plugin_latencies;
  // The network's physical per-message latency where a source independent of the curves says what
  // it is (net_plugin.physical_latency_us): what the event simulation pays in place of the declared
  // plugin latency, which stays NCCL's tuning input. Absent: the declared value is used for both.
  std::optional<double> physical_latency_us;
  std::optional<NcclPluginBuffsize> plugin_buffsize;
  bool ll128_single_node = false;    // LL128 enabled by default (typeIntra <= PATH_NVB, sm70+)
  bool ll128_multi_node = false;     // ... and typeInter <= PATH_PXB
  std::string source;
};

// Reads an instance file's "nccl" block; throws InputError naming the file and JSON path.
NcclTopologyFacts read_nccl_facts(JsonObject& block);

}  // namespace shardsim
