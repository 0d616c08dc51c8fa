// The hardware a simulation runs on. An InstanceType is one node as it really is, loaded from
// topologies/*.json: its GPUs, the devices between them (NVSwitch, PCIe switches, CPUs, NICs) and
// the directed links joining them, each with a capacity (bandwidth x link count x achievable
// efficiency) and a latency. A reserved vertex "network" stands for the fabric as seen from the
// node; a node's NICs reach it through an optional leaf whose uplink carries the fabric's
// oversubscription. A Cluster is `nodes` copies of the instance joined through "network"
// (non-blocking between nodes, so every link belongs to exactly one node: global link id =
// node * links_per_node + template link). Routes are found on the node's Boost.Graph by Dijkstra
// over each link's time to carry a reference message (latency + size / capacity), never written per instance: intra-node routes GPU->GPU, and the two halves of
// an inter-node route GPU->network and network->GPU. GPUs are never transit vertices.
#pragma once

#include "sim/topology/nccl_facts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shardsim {

enum class DeviceKind { gpu, nvswitch, pcie_switch, cpu, nic, leaf_switch, network };

const char* to_string(DeviceKind kind);

struct LinkClass {
  std::string name;
  double bandwidth_Bps = 0;  // per link, per direction, as specified
  double latency_s = 0;      // per traversal of one link
  double efficiency = 1;     // achievable fraction of bandwidth (calibration replaces it)
  std::string source;
};

// The GPU's compute model (sim/compute/ uses it). `gemm_peak_fraction` is the fraction of peak a
// large GEMM reaches when its tiles fill every wave; a compute op known only by its FLOPs runs at
// that rate. With a kernel model (`sm_count` > 0, the "kernels" block) each kernel of an op is a
// roofline with tile and wave quantization; without one (CPU ranks of the emulated cluster) an
// op's FLOPs, kernels or not, run at peak x gemm_peak_fraction and its HBM bytes at HBM bandwidth.
// Interference (the "interference" block; absent = none): while a collective of the rank runs,
// it holds `channels` SMs (one thread block per NCCL channel; `default_collective_channels` where
// the plan gives no count) and moves `collective_hbm_traffic_factor` HBM bytes per byte it puts
// on a link. Where the block has a measured `gemm_rate_lost_by_blocks_held` table, a GEMM beside
// collectives holding b blocks loses the table's fraction of its rate (interpolated in b) instead
// of the SM share b / sm_count: on Hopper one held SM already costs a large GEMM 7-10%.
// Memory-bound kernels and device copies run at `hbm_achievable_fraction` of the nominal HBM
// bandwidth: even a streaming kernel tuned for it stops near 90% of the data sheet's rate.
struct HeldBlocksPoint {
  int blocks = 0;
  double rate_lost = 0;  // fraction of the GEMM rate lost
};

struct GpuSpec {
  std::string model;
  double peak_flops = 0;          // dense FP16/BF16 tensor peak, FLOP/s
  double gemm_peak_fraction = 0;  // achievable fraction of peak for a large, wave-aligned GEMM
  int sm_count = 0;               // 0: no kernel model
  int gemm_tile_m = 0;            // output tile of the GEMM library's kernel, rows x columns
  int gemm_tile_n = 0;
  double collective_hbm_traffic_factor = 0;  // 0: collectives do not slow compute
  int default_collective_channels = 0;
  std::vector<HeldBlocksPoint> gemm_rate_lost_by_blocks_held;  // blocks ascending; empty: the SM share
  std::uint64_t memory_bytes = 0;
  double hbm_bandwidth_Bps = 0;        // nominal, the data sheet's
  double hbm_achievable_fraction = 1;  // of the nominal, the most any kernel or copy reaches
  double hbm_achievable_Bps() const { return hbm_bandwidth_Bps * hbm_achievable_fraction; }
  // A device-to-device copy of `bytes`: each read and written once at the achievable rate.
  double copy_seconds(double bytes) const { return 2 * bytes / hbm_achievable_Bps(); }
  // How fast a rank folds a received chunk into its own during a reduce-scatter or all-reduce
  // step (bytes of chunk per second). 0 = the reduction is fused into the transfer and costs
  // nothing extra, as in NCCL's kernels; a CPU rank (Gloo) reduces after receiving, in series.
  double reduce_bandwidth_Bps = 0;
  std::string source;
};

struct Device {
  std::string name;
  DeviceKind kind = DeviceKind::gpu;
  int gpu_index = -1;  // local rank for GPUs, -1 otherwise
};

// One direction of one physical connection (a bundle of `count` parallel lanes).
struct Link {
  int from = 0;  // device index
  int to = 0;
  int link_class = 0;
  int count = 1;
  double capacity_Bps = 0;  // bandwidth * count * efficiency
  double latency_s = 0;
};

// A path through one node: template link ids, in order, and their summed latency.
struct NodeRoute {
  std::vector<int> links;
  double latency_s = 0;
};

struct InstanceType {
  std::string name;
  std::string description;
  std::string file;
  double price_per_hour_usd = 0;
  std::string price_source;
  GpuSpec gpu;
  int gpus_per_node = 0;
  double route_selection_bytes = 0;  // routes minimise sum(latency + this / capacity) over links
  double oversubscription = 1;
  std::vector<LinkClass> link_classes;
  std::vector<Device> devices;  // GPUs first: device i < gpus_per_node is gpu i
  std::vector<Link> links;
  int network_device = -1;
  // What NCCL's topology search finds here (the optional "nccl" block); absent where NCCL does not run.
  std::optional<NcclTopologyFacts> nccl;

  // Filled by compute_routes(): gpu_route[i][j] (i != j), up[i]: gpu i -> network, down[j]: network -> gpu j.
  std::vector<std::vector<NodeRoute>> gpu_route;
  std::vector<NodeRoute> up;
  std::vector<NodeRoute> down;
  std::vector<int> nic_of_gpu;  // device index of the NIC on gpu i's way out (or -1)

  int links_per_node() const { return static_cast<int>(links.size()); }
  bool has_network() const { return network_device >= 0; }
  // Bytes per second one node can send into the fabric (NIC ports, leaf uplink, whichever binds).
  double node_network_Bps() const;
};

struct Cluster {
  InstanceType instance;
  int nodes = 1;

  int gpus() const { return nodes * instance.gpus_per_node; }
  int node_of(int rank) const { return rank / instance.gpus_per_node; }
  int local_of(int rank) const { return rank % instance.gpus_per_node; }
  int global_link(int node, int template_link) const { return node * instance.links_per_node() + template_link; }
  int total_links() const { return nodes * instance.links_per_node(); }
  const Link& link(int global_link) const { return instance.links[global_link % instance.links_per_node()]; }
  int node_of_link(int global_link) const { return global_link / instance.links_per_node(); }

  // Global link ids from GPU rank `src` to GPU rank `dst`, appended to `out`; returns latency.
  double route(int src, int dst, std::vector<int>& out) const;
  // The same route's latency alone (no allocation: called for every hop of every ring).
  double route_latency_s(int src, int dst) const;
};

// Reads and validates one instance file; throws InputError naming the file and field.
InstanceType load_instance_type(const std::string& path);
// Looks up `name` ("p4d.24xlarge") in the shipped topologies/ directory, or treats it as a path.
InstanceType load_instance_by_name(const std::string& name_or_path);
std::vector<std::string> shipped_instance_names();
std::string data_directory();
// Data files shipped under data_directory()/`folder` ("topologies", "topologies/nccl", ...): their
// names (file stems of the .json files, sorted), and the file a user's word stands for: the
// shipped NAME.json where there is one, else the word itself where it looks like a path (it has a
// '/' or ends in .json), else nullopt (an unknown name, for the caller's message).
std::vector<std::string> shipped_names(const std::string& folder);
std::optional<std::string> shipped_or_path(const std::string& folder, const std::string& name_or_path);

Cluster make_cluster(InstanceType instance, int nodes);

// Dijkstra over the node's Boost.Graph; fills the route tables. Throws InputError when a GPU
// cannot reach another GPU or (where the instance has one) the network.
void compute_routes(InstanceType& instance);

}  // namespace shardsim
