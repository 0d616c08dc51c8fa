// Reads topologies/*.json into an InstanceType and validates it (see topology.hpp).
#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/limits.hpp"
#include "sim/topology/topology.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

namespace shardsim {
namespace {

DeviceKind parse_kind(JsonObject& device, const std::string& text) {
  static const std::pair<const char*, DeviceKind> kinds[] = {
      {"nvswitch", DeviceKind::nvswitch}, {"pcie_switch", DeviceKind::pcie_switch}, {"cpu", DeviceKind::cpu},
      {"nic", DeviceKind::nic},           {"leaf_switch", DeviceKind::leaf_switch}};
  std::vector<std::string> names;
  for (const auto& [name, kind] : kinds) {
    if (text == name) return kind;
    names.emplace_back(name);
  }
  const std::string hint = closest_word(text, names);
  device.fail("kind", fmt::format("unknown device kind '{}' (expected one of nvswitch, pcie_switch, cpu, nic, leaf_switch{})",
                                  text, hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

using NameIndex = std::map<std::string, int, std::less<>>;

void read_gpu(JsonObject& root, InstanceType& inst) {
  JsonObject gpu = root.object("gpu");
  inst.gpu.model = gpu.string("model");
  inst.gpu.peak_flops = gpu.positive_number("peak_tflops") * 1e12;
  if (inst.gpu.peak_flops > limits::kMaxFlops) gpu.fail("peak_tflops", "expected at most 1e6 TFLOPS (sim/input/limits.hpp)");
  inst.gpu.gemm_peak_fraction = gpu.fraction("gemm_peak_fraction");
  if (inst.gpu.peak_flops * inst.gpu.gemm_peak_fraction < limits::kMinFlops)
    gpu.fail("gemm_peak_fraction", "peak_tflops x gemm_peak_fraction is below 1 MFLOP/s (sim/input/limits.hpp)");
  if (gpu.has("kernels")) {
    JsonObject k = gpu.object("kernels");
    inst.gpu.sm_count = static_cast<int>(k.integer("sm_count", 1, 100000));
    const auto tile = k.integers("gemm_tile", 1, 4096);
    if (tile.size() != 2) k.fail("gemm_tile", "expected [rows, columns] of the GEMM output tile");
    inst.gpu.gemm_tile_m = static_cast<int>(tile[0]);
    inst.gpu.gemm_tile_n = static_cast<int>(tile[1]);
    k.ignore("source");
    k.finish();
  }
  if (gpu.has("interference")) {
    JsonObject i = gpu.object("interference");
    inst.gpu.collective_hbm_traffic_factor = i.number("collective_hbm_traffic_factor");
    if (!(inst.gpu.collective_hbm_traffic_factor >= 0) || inst.gpu.collective_hbm_traffic_factor > 100)
      i.fail("collective_hbm_traffic_factor", "expected HBM bytes per link byte, 0..100");
    inst.gpu.default_collective_channels = static_cast<int>(i.integer("default_collective_channels", 0, 1024));
    if (i.has("gemm_rate_lost_by_blocks_held")) {
      JsonObject t = i.object("gemm_rate_lost_by_blocks_held");
      const auto blocks = t.integers("blocks", 1, 1024);
      if (blocks.empty()) t.fail("blocks", "expected at least one block count");
      const auto lost = t.numbers("rate_lost", blocks.size());  // one per block count
      for (std::size_t n = 0; n < blocks.size(); ++n) {
        if (n > 0 && blocks[n] <= blocks[n - 1]) t.fail("blocks", "expected block counts in ascending order");
        if (!(lost[n] >= 0 && lost[n] <= 0.9)) t.fail("rate_lost", "expected fractions of the GEMM rate between 0 and 0.9");
        inst.gpu.gemm_rate_lost_by_blocks_held.push_back({static_cast<int>(blocks[n]), lost[n]});
      }
      t.ignore("source");
      t.finish();
    }
    i.ignore("source");
    i.finish();
  }
  inst.gpu.memory_bytes = gpu.size_bytes("memory");
  if (inst.gpu.memory_bytes == 0) gpu.fail("memory", "GPU memory must be positive");
  inst.gpu.hbm_bandwidth_Bps = gpu.rate_Bps("hbm_bandwidth");
  if (gpu.has("hbm_achievable_fraction")) inst.gpu.hbm_achievable_fraction = gpu.fraction("hbm_achievable_fraction");
  if (gpu.has("reduce_bandwidth")) inst.gpu.reduce_bandwidth_Bps = gpu.rate_Bps("reduce_bandwidth");
  inst.gpu.source = gpu.optional_string("source").value_or("");
  gpu.finish();
}

NameIndex read_link_classes(JsonObject& root, InstanceType& inst) {
  NameIndex class_index;
  for (auto& [name, lc] : root.named_objects("link_classes")) {
    LinkClass c;
    c.name = name;
    c.bandwidth_Bps = lc.rate_Bps("bandwidth");
    c.latency_s = lc.time_s("latency");
    c.efficiency = lc.fraction("efficiency");
    c.source = lc.optional_string("source").value_or("");
    lc.finish();
    class_index[name] = static_cast<int>(inst.link_classes.size());
    inst.link_classes.push_back(std::move(c));
  }
  if (inst.link_classes.empty()) root.fail("link_classes", "at least one link class is required");
  return class_index;
}

// The implicit GPUs gpu0..gpu{k-1}, then the declared devices.
NameIndex read_devices(JsonObject& root, InstanceType& inst) {
  NameIndex device_index;
  for (int g = 0; g < inst.gpus_per_node; ++g) {
    inst.devices.push_back({fmt::format("gpu{}", g), DeviceKind::gpu, g});
    device_index[inst.devices.back().name] = g;
  }
  auto devices = root.objects("devices");
  if (static_cast<std::int64_t>(devices.size()) > limits::kMaxNodeDevices)
    root.fail("devices", fmt::format("{} devices, more than the {} a node may declare (sim/input/limits.hpp)", devices.size(),
                                     limits::kMaxNodeDevices));
  for (auto& d : devices) {
    Device dev;
    dev.name = d.string("name");
    dev.kind = parse_kind(d, d.string("kind"));
    d.finish();
    if (dev.name == "network") d.fail("name", "'network' is reserved for the fabric between nodes");
    if (device_index.count(dev.name)) d.fail("name", fmt::format("device '{}' is declared twice (GPUs gpu0..gpu{} are implicit)", dev.name, inst.gpus_per_node - 1));
    device_index[dev.name] = static_cast<int>(inst.devices.size());
    inst.devices.push_back(std::move(dev));
  }
  return device_index;
}

void read_links(JsonObject& root, InstanceType& inst, const NameIndex& device_index, const NameIndex& class_index) {
  auto device_named = [&](JsonObject& link, const std::string& name) {
    auto it = device_index.find(name);
    if (it == device_index.end()) {
      std::vector<std::string> names;
      for (const auto& [n, i] : device_index) names.push_back(n);
      const std::string hint = closest_word(name, names);
      link.fail("between", fmt::format("unknown link endpoint '{}'{}", name, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    return it->second;
  };
  auto links = root.objects("links");
  if (static_cast<std::int64_t>(links.size()) > limits::kMaxNodeLinks)
    root.fail("links", fmt::format("{} links, more than the {} a node may declare (sim/input/limits.hpp)", links.size(),
                                   limits::kMaxNodeLinks));
  for (auto& l : links) {
    const auto ends = l.strings("between");
    if (ends.size() != 2) l.fail("between", fmt::format("expected two device names, found {}", ends.size()));
    const int a = device_named(l, ends[0]);
    const int b = device_named(l, ends[1]);
    if (a == b) l.fail("between", fmt::format("a link joins '{}' to itself", ends[0]));
    const std::string cls = l.string("class");
    auto ci = class_index.find(cls);
    if (ci == class_index.end()) {
      std::vector<std::string> names;
      for (const auto& [n, i] : class_index) names.push_back(n);
      const std::string hint = closest_word(cls, names);
      l.fail("class", fmt::format("unknown link class '{}'{}", cls, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    const int count = static_cast<int>(l.optional_integer("count", 1, 1024).value_or(1));
    l.finish();
    const LinkClass& c = inst.link_classes[ci->second];
    if (c.bandwidth_Bps * count * c.efficiency < limits::kMinRate_Bps)
      l.fail("class", fmt::format("link class '{}' gives an effective capacity (bandwidth x count x efficiency) below 1 KB/s "
                                  "(sim/input/limits.hpp)", cls));
    for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}})
      inst.links.push_back({from, to, ci->second, count, c.bandwidth_Bps * count * c.efficiency, c.latency_s});
  }
}

// The optional fabric block: the leaf switch's uplink to the network between nodes.
void read_fabric(JsonObject& root, InstanceType& inst, const NameIndex& device_index) {
  if (root.has("fabric")) {
    JsonObject fabric = root.object("fabric");
    const std::string leaf_name = fabric.string("leaf");
    auto it = device_index.find(leaf_name);
    if (it == device_index.end() || inst.devices[it->second].kind != DeviceKind::leaf_switch)
      fabric.fail("leaf", fmt::format("'{}' is not a device of kind leaf_switch", leaf_name));
    const int leaf = it->second;
    const double oversubscription = fabric.number("oversubscription");
    if (!(oversubscription >= 1)) fabric.fail("oversubscription", fmt::format("expected a factor >= 1, found {}", oversubscription));
    inst.oversubscription = oversubscription;
    const double uplink_latency = fabric.time_s("uplink_latency");
    fabric.ignore("source");
    fabric.finish();
    double into_leaf_Bps = 0;
    for (const auto& link : inst.links)
      if (link.to == leaf) into_leaf_Bps += link.capacity_Bps;
    if (into_leaf_Bps <= 0) fabric.fail("leaf", fmt::format("no link reaches leaf '{}'", leaf_name));
    inst.network_device = static_cast<int>(inst.devices.size());
    inst.devices.push_back({"network", DeviceKind::network, -1});
    // The uplink's capacity is derived, not declared: the leaf's NIC ports over the oversubscription.
    const double uplink_Bps = into_leaf_Bps / oversubscription;
    if (uplink_Bps < limits::kMinRate_Bps)
      fabric.fail("oversubscription", fmt::format("{} leaves the uplink below 1 KB/s (sim/input/limits.hpp)", oversubscription));
    inst.link_classes.push_back({"fabric_uplink", uplink_Bps, uplink_latency, 1.0,
                                 "derived: leaf NIC capacity / fabric.oversubscription"});
    const int uplink_class = static_cast<int>(inst.link_classes.size()) - 1;
    inst.links.push_back({leaf, inst.network_device, uplink_class, 1, uplink_Bps, uplink_latency});
    inst.links.push_back({inst.network_device, leaf, uplink_class, 1, uplink_Bps, uplink_latency});
  }
}

}  // namespace

const char* to_string(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::gpu: return "gpu";
    case DeviceKind::nvswitch: return "nvswitch";
    case DeviceKind::pcie_switch: return "pcie_switch";
    case DeviceKind::cpu: return "cpu";
    case DeviceKind::nic: return "nic";
    case DeviceKind::leaf_switch: return "leaf_switch";
    case DeviceKind::network: return "network";
  }
  return "?";
}

InstanceType load_instance_type(const std::string& path) {
  const nlohmann::json doc = load_json_file(path);
  JsonObject root(doc, path);
  InstanceType inst;
  inst.file = path;
  inst.name = root.string("name");
  inst.description = root.optional_string("description").value_or("");
  inst.price_per_hour_usd = root.positive_number("price_per_hour_usd");
  inst.price_source = root.optional_string("price_source").value_or("");
  root.ignore("source");
  read_gpu(root, inst);
  inst.gpus_per_node = static_cast<int>(root.integer("gpus_per_node", 1, 1024));
  inst.route_selection_bytes = static_cast<double>(root.size_bytes("route_selection_size"));
  root.ignore("route_selection_source");
  const NameIndex class_index = read_link_classes(root, inst);
  const NameIndex device_index = read_devices(root, inst);
  read_links(root, inst, device_index, class_index);
  read_fabric(root, inst, device_index);
  if (root.has("nccl")) {
    JsonObject nccl = root.object("nccl");
    inst.nccl = read_nccl_facts(nccl);
  }
  root.finish();
  compute_routes(inst);
  return inst;
}

std::string data_directory() {
  if (const char* env = std::getenv("SHARDSIM_DATA_DIR"); env && *env) return env;
  return SHARDSIM_DATA_DIR;
}

std::vector<std::string> shipped_names(const std::string& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_directory() + "/" + folder, ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> shipped_or_path(const std::string& folder, const std::string& name_or_path) {
  const std::string shipped = data_directory() + "/" + folder + "/" + name_or_path + ".json";
  std::error_code ec;
  if (std::filesystem::exists(shipped, ec)) return shipped;
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json")) return name_or_path;
  return std::nullopt;
}

std::vector<std::string> shipped_instance_names() { return shipped_names("topologies"); }

InstanceType load_instance_by_name(const std::string& name_or_path) {
  if (const auto file = shipped_or_path("topologies", name_or_path)) return load_instance_type(*file);
  const auto names = shipped_instance_names();
  const std::string hint = closest_word(name_or_path, names);
  throw InputError(fmt::format("unknown instance '{}' (shipped: {}){}", name_or_path, fmt::join(names, ", "),
                               hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

Cluster make_cluster(InstanceType instance, int nodes) {
  if (nodes < 1) throw InputError(fmt::format("nodes must be at least 1, got {}", nodes));
  if (nodes > 1 && !instance.has_network())
    throw InputError(fmt::format("{}: instance has no 'fabric' block, so it cannot form a {}-node cluster", instance.file, nodes));
  if (static_cast<std::int64_t>(nodes) * instance.gpus_per_node > limits::kMaxClusterGpus)
    throw InputError(fmt::format("{} nodes x {} GPUs is more than the {} GPUs shardsim simulates (sim/input/limits.hpp)", nodes,
                                 instance.gpus_per_node, limits::kMaxClusterGpus));
  return Cluster{std::move(instance), nodes};
}

double Cluster::route(int src, int dst, std::vector<int>& out) const {
  const int a = node_of(src), b = node_of(dst);
  const int la = local_of(src), lb = local_of(dst);
  if (a == b) {
    const NodeRoute& r = instance.gpu_route[la][lb];
    for (int l : r.links) out.push_back(global_link(a, l));
    return r.latency_s;
  }
  const NodeRoute& up = instance.up[la];
  const NodeRoute& down = instance.down[lb];
  for (int l : up.links) out.push_back(global_link(a, l));
  for (int l : down.links) out.push_back(global_link(b, l));
  return up.latency_s + down.latency_s;
}

double Cluster::route_latency_s(int src, int dst) const {
  const int la = local_of(src), lb = local_of(dst);
  if (node_of(src) == node_of(dst)) return instance.gpu_route[la][lb].latency_s;
  return instance.up[la].latency_s + instance.down[lb].latency_s;
}

double InstanceType::node_network_Bps() const {
  if (!has_network()) return 0;
  double into_network = 0;
  for (const auto& l : links)
    if (l.to == network_device) into_network += l.capacity_Bps;
  return into_network;
}

}  // namespace shardsim
