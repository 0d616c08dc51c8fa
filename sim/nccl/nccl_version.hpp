// One NCCL release's cost model as data: the constant tables and version-specific rules that
// ncclTopoTuneModel (src/graph/tuning.cc) fills comm->latencies / comm->bandwidths from, and the
// chunking constants of src/include/device.h and enqueue.cc. Loaded from topologies/nccl/NAME.json
// (2.8, 2.12, 2.18, 2.28; default the newest); every block there names the line of the tagged
// NCCL source it was read from (and shared/reference/nccl-tuning-model.md §1.2-§1.7 where that
// gives it); tables a release did not have are 0 or unused. Columns of the per-node-count tables are
// {1 node, 2 nodes, more than 2 nodes}; generations are keyed by compute capability 70/80/90/100.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/nccl/nccl_names.hpp"
#include "sim/topology/nccl_facts.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shardsim {

using NcclProtocolRow = std::array<double, kNcclProtocols>;   // LL, LL128, Simple
using NcclNodeCountRow = std::array<double, 3>;                // 1 node, 2 nodes, >2 nodes

// Per GPU generation (llMaxBws' single-node row, the perChMax* caps, nvlsEfficiency).
struct NcclGenerationConstants {
  NcclNodeCountRow ll_max_bw_GBps{};
  NcclNodeCountRow ring_ll128_per_channel_GBps{};
  NcclNodeCountRow tree_ll128_per_channel_GBps{};
  NcclNodeCountRow tree_per_channel_GBps{};
  NcclNodeCountRow nvls_tree_per_channel_GBps{};
  double nvls_efficiency = 0;
};

struct NcclProtocolEfficiency {
  double ring_ll = 0;                     // ring LL busBw factor (0.5; 1/4 in 2.8/2.12)
  double ring_ll_single_node_gather = 0;  // ... for single-node AG/RS (1/3 in old versions)
  double ring_ll128 = 0;                  // 0.92 ~ 120/128
  // ... with one GPU per node ("sending/receiving at the same GPU through the NIC"): 0.7 up to
  // 2.18, the same 0.92 from 2.28 (the rule is gone)
  double ring_ll128_one_gpu_per_node = 0;
  double tree_all_reduce = 0;             // 0.92
  double tree_ll_divisor = 0;             // busBw / 3.8
  double tree_ll128_single_node = 0;      // 7/9
  double tree_ll128_multi_node = 0;       // 120/128
  double pat = 0;                         // 0.75
  // Tree busBw factor when the tree graph's pattern is NCCL_TOPO_PATTERN_TREE (maxTreePattern),
  // which the search sets for one GPU per node (search.cc: "if (ngpus == 1) ... pattern = TREE"):
  // 0.85 from 2.18, 1 (no such rule) before.
  double one_gpu_per_node_tree = 1;
  double tree_bus_to_alg = 0;             // bus -> algorithm bandwidth ratio of the tree (0.5)
};

struct NcclChunking {
  int steps = 0;  // NCCL_STEPS
  double buffsize_bytes = 0;
  int chunk_steps = 0;
  int slice_steps = 0;
  // The LL and LL128 buffers' geometry (their buffers are lines x threads x NCCL_STEPS): LL lines
  // of 16 bytes carry 8 of data; LL128 lines of ll128_line_elems 8-byte elements carry
  // ll128_data_elems of data.
  int ll_lines_per_thread = 0;
  int ll128_elems_per_thread = 0;
  int ll128_line_elems = 0;
  int ll128_data_elems = 0;
  std::array<int, kNcclProtocols> max_threads{};
  NcclProtocolRow thread_threshold_bytes{};
  bool ring_ll_threshold_times_ranks = false;
  // The communicator's channels, which a call's channel count starts from (src/enqueue.cc "int nc =
  // comm->nChannels"): ncclTopoPostset (src/graph/connect.cc) duplicates the search's channels,
  // comm->nChannels = min(MAXCHANNELS, nChannels * 2). The tuning's bandwidth keeps the search's.
  int comm_channels_per_graph_channel = 1;
  int max_channels = 0;  // MAXCHANNELS
  // Ring Simple's threads when the ring's bandwidth (bwIntra x nChannels) is at most PCI_BW
  // (src/graph/tuning.cc simpleDefaultThreads); max_threads otherwise.
  double low_bw_ring_at_most_GBps = 0;
  int low_bw_ring_simple_threads = 0;
  // PAT's threads in that channel rule, where the release has PAT: ncclTopoTuneModel sets none
  // (0), so its channels are never reduced for size.
  std::optional<int> pat_max_threads;
};

// What the network plugin's declared latency (graph->latencyInter) does to NCCL's per-step
// network latency: nothing before 2.12 (no such property: interLat = hwLat[NET]), replaces the
// table value when set (2.12: "latencyInter ? latencyInter : hwLat[NET]"), adds to it (2.18 on).
enum class NcclPluginLatencyRule { ignored, replaces, adds };

// The multi-node ring Simple all-reduce latency factor's size condition ("Plateau effect of
// ring"): nBytes >= nRanks/16*65536 before 2.18, nBytes/(comm->nChannels*nRanks) >= 64 from 2.18.
enum class NcclPlateauCondition { bytes_per_rank, bytes_per_channel_rank };

struct NcclVersion {
  std::string name;  // "2.28"
  NcclRelease release;  // parsed from name ("MAJOR.MINOR")
  std::string description;
  std::string file;
  // Which (algorithm, protocol) pairs this release runs for each collective (all_gather,
  // reduce_scatter, all_reduce in CollectiveKind order); [kind][algo][proto].
  std::array<std::array<std::array<bool, kNcclProtocols>, kNcclAlgorithms>, 3> available{};
  int nvls_min_channels = 0;
  std::array<NcclProtocolRow, kNcclAlgorithms> base_latency_us{};
  std::array<std::array<NcclProtocolRow, kNcclAlgorithms>, kNcclHardware> hw_latency_us{};  // [hw][algo][proto]
  std::map<int, NcclGenerationConstants> generations;  // by compute capability
  // Which row a GPU takes: up to 2.12 the Ampere row only on exactly sm80 and the Volta row
  // otherwise ("compCap80"); from 2.18 the newest row at or below its compute capability
  // (compCapIndex: an sm86 or sm89 GPU takes Ampere's, sm100 Hopper's in 2.18).
  bool generation_exactly_sm80 = false;
  std::optional<std::array<double, 3>> ring_ll128_by_collective_GBps;  // v2.8's per-collective cap
  std::array<std::vector<double>, kNcclProtocols> tree_correction;  // [proto][log2(nBytes/64)]
  NcclProtocolEfficiency efficiency;
  std::optional<std::pair<int, double>> busbw_cap;  // (compute capability, GB/s): A100 235 in old versions
  // Latency rules that changed between releases (§1.4, §1.5).
  bool all_reduce_inter_steps_2n = false;   // nInterSteps = 2*nNodes (before 2.23), else 2*(nNodes-1)
  NcclPluginLatencyRule plugin_latency = NcclPluginLatencyRule::adds;
  bool simple_flush_adds_plugin_latency = false;
  double ll_multi_node_intra_factor = 1;    // 1.8 in 2.8/2.12
  double net_overhead_intel_us = 0, net_overhead_amd_us = 0, net_overhead_other_us = 0;
  double net_overhead_simple_multiplier = 0;
  NcclPlateauCondition plateau_condition = NcclPlateauCondition::bytes_per_channel_rank;
  double plateau_min_bytes = 0;  // per rank, or per channel and rank, as plateau_condition says
  double plateau_factor_below_sm80 = 0, plateau_factor_sm80_up = 0;
  double pat_inter_divisor = 0, pat_per_rank_us = 0;
  NcclChunking chunking;
  // NVLS as 2.18 prices it (tuning.cc v2.18.6): busBw = channels x bw like the other algorithms,
  // no nvlsEfficiency or per-channel cap; bus -> algorithm ratio 5/6 (NVLS) and
  // tree_factor * nNodes / (2 (nNodes-1)) (NVLS-tree); latency base + hwLat[NET][NVLS] across nodes
  // (NVLS) or base + 2 (nNodes-1) hwLat[NET][NVLS_TREE], the plugin's latency not added; a call
  // runs comm->nvlsChannels (NCCL_NVLS_NCHANNELS' default) whatever the graph. Absent: 2.28's rules.
  struct NvlsBusRatio {
    double nvls_bus_to_alg = 0;
    double nvls_tree_factor = 0;
    int run_channels = 0;
  };
  std::optional<NvlsBusRatio> nvls_bus_ratio;
  // Whether a communicator with one GPU per node prices every algorithm's network step with the
  // tree's hwLat[NET] row (2.23 on: "ppn == 1 ? hwLat[NET][TREE][p] : hwLat[NET][a][p]").
  bool one_gpu_per_node_net_tree_latency = false;

  bool runs(CollectiveKind kind, NcclAlgorithm a, NcclProtocol p) const {
    return available[static_cast<int>(kind)][nccl_index(a)][nccl_index(p)];
  }
  // Throws InputError for a compute capability below every row.
  const NcclGenerationConstants& generation(int compute_capability) const;
  // The communicator's channels for a graph of `graph_channels` (ncclTopoPostset:
  // min(MAXCHANNELS, nChannels * 2)): what a call's channel count starts from.
  int comm_channels(int graph_channels) const;
  // How a ring call of this protocol moves a step over a connection: its chunk of data, the
  // messages per chunk (Simple's slices) and the messages a connection's NCCL_STEPS slots hold.
  // `simple_buffsize_bytes`: NCCL_BUFFSIZE where the environment sets it (default: buffsize_bytes).
  ConnectionFifo ring_fifo(NcclProtocol protocol, std::optional<double> simple_buffsize_bytes = std::nullopt) const;
};

inline constexpr const char* kDefaultNcclVersion = "2.28";

// "2.28" -> topologies/nccl/2.28.json under the data directory, or a path to such a file.
// Validated like every data file: unknown keys rejected, errors name the file and JSON path.
NcclVersion load_nccl_version(const std::string& name_or_path = kDefaultNcclVersion);
std::vector<std::string> shipped_nccl_versions();

}  // namespace shardsim
