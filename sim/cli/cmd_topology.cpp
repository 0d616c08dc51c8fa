// `shardsim topology --instance p4d.24xlarge --nodes 16 [--json]`
#include "sim/cli/commands.hpp"
#include "sim/topology/summary.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace shardsim::cli {
namespace {

struct TopologyOptions {
  std::string instance = "p4d.24xlarge";
  int nodes = 1;
  bool json = false;
};

void run_topology(const TopologyOptions& o) {
  const Cluster cluster = make_cluster(load_instance_by_name(o.instance), o.nodes);
  const TopologySummary s = summarize(cluster);
  const InstanceType& inst = cluster.instance;
  if (o.json) {
    nlohmann::ordered_json j;
    j["instance"] = s.instance;
    j["nodes"] = s.nodes;
    j["gpus"] = s.gpus;
    j["gpu"] = {{"model", inst.gpu.model}, {"peak_tflops", inst.gpu.peak_flops / 1e12},
                {"memory_bytes", inst.gpu.memory_bytes}, {"hbm_bandwidth_GBps", inst.gpu.hbm_bandwidth_Bps / kGB},
                {"hbm_achievable_fraction", inst.gpu.hbm_achievable_fraction},
                {"gemm_peak_fraction", inst.gpu.gemm_peak_fraction}, {"sm_count", inst.gpu.sm_count},
                {"gemm_tile", {inst.gpu.gemm_tile_m, inst.gpu.gemm_tile_n}}};
    for (const auto& c : s.classes)
      j["link_classes"].push_back({{"name", c.link_class.name}, {"bandwidth_GBps", c.link_class.bandwidth_Bps / kGB},
                                   {"efficiency", c.link_class.efficiency}, {"latency_us", c.link_class.latency_s / kMicrosecond},
                                   {"links_per_node", c.links_per_node}, {"lanes_per_node", c.lanes_per_node}});
    j["nics_per_node"] = s.nics_per_node;
    j["nic_ports_per_node"] = s.nic_ports_per_node;
    j["node_network_GBps"] = s.node_network_Bps / kGB;
    j["bisection_GBps"] = s.bisection_Bps / kGB;
    j["price_per_hour_usd"] = s.price_per_hour_usd;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  const std::string achievable = inst.gpu.hbm_achievable_fraction < 1
                                     ? fmt::format(", {:.0f}% reachable", 100 * inst.gpu.hbm_achievable_fraction)
                                     : std::string();
  fmt::print("{} x {} ({} GPUs: {}, {:.0f} TFLOPS peak, {} memory, {} HBM{})\n", s.nodes, s.instance, s.gpus, inst.gpu.model,
             inst.gpu.peak_flops / 1e12, format_size(inst.gpu.memory_bytes), format_rate(inst.gpu.hbm_bandwidth_Bps), achievable);
  if (!inst.description.empty()) fmt::print("  {}\n", inst.description);
  fmt::print("\n{:<14} {:>12} {:>10} {:>12} {:>10} {:>8}\n", "link class", "GB/s/lane", "efficiency", "latency", "links/node", "lanes");
  for (const auto& c : s.classes)
    fmt::print("{:<14} {:>12.2f} {:>10.2f} {:>12} {:>10} {:>8}\n", c.link_class.name, c.link_class.bandwidth_Bps / kGB,
               c.link_class.efficiency, format_time(c.link_class.latency_s), c.links_per_node, c.lanes_per_node);
  fmt::print("\nNICs per node: {} ({} ports)\n", s.nics_per_node, s.nic_ports_per_node);
  for (const auto& [nic, gpus] : s.gpus_behind_nic) fmt::print("  {} serves GPUs {}\n", nic, fmt::join(gpus, ","));
  fmt::print("network bandwidth per node: {} per direction (effective)\n", format_rate(s.node_network_Bps));
  fmt::print("bisection bandwidth:        {} per direction (fabric oversubscription {:.2f})\n", format_rate(s.bisection_Bps),
             inst.oversubscription);
  fmt::print("price: ${:.2f}/hour for the cluster\n", s.price_per_hour_usd);
}

}  // namespace

void register_topology(CLI::App& app) {
  auto o = std::make_shared<TopologyOptions>();
  auto* cmd = app.add_subcommand("topology", "Summarise a cluster of one instance type");
  cmd->add_option("--instance", o->instance, "Instance name (topologies/NAME.json) or a topology JSON path")->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Number of nodes")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] { run_topology(*o); });
}

}  // namespace shardsim::cli
