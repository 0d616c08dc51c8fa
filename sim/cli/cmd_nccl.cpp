// `shardsim nccl --instance p4d.24xlarge --nodes 16 --op all_gather [--nccl 2.28] [--algo Ring]
// [--proto Simple] [--bytes 1G | --min-bytes 8 --max-bytes 1G --factor 4] [--all] [--table] [--json]`
// What NCCL's own cost model (sim/nccl/) picks per size, as its TUNING debug output would: the
// algorithm, protocol and channel count, the model's latency, bandwidths and predicted time;
// with --all every eligible (algorithm, protocol) with its time. With --tuning-log FILE: NCCL's own
// table from its TUNING output beside the modelled one (nccl_tuning_compare.hpp).
#include "sim/cli/commands.hpp"
#include "sim/cli/nccl_tuning_compare.hpp"
#include "sim/cli/output.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/nccl/nccl_select.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace shardsim::cli {
namespace {

struct NcclOptions {
  std::string instance = "p4d.24xlarge";
  int nodes = 2;
  int ranks_per_node = 0;  // 0: every GPU of the node
  std::string op = "all_gather";
  std::string version = kDefaultNcclVersion;
  std::string algo, proto;
  std::string bytes = "1G";
  std::string min_bytes, max_bytes;
  double factor = 2;
  bool all = false;
  bool table = false;
  bool json = false;
  std::string tuning_log;
  int table_index = 1;
};

std::vector<double> sizes_of(const NcclOptions& o) {
  std::vector<double> sizes;
  for (std::uint64_t b : sweep_sizes(o.bytes, o.min_bytes, o.max_bytes, o.factor)) sizes.push_back(static_cast<double>(b));
  return sizes;
}

nlohmann::ordered_json choice_json(const NcclChoice& c) {
  return {{"algorithm", to_string(c.algorithm)}, {"protocol", to_string(c.protocol)}, {"channels", c.channels},
          {"latency_us", c.latency_us},          {"algbw_GBps", c.algbw_GBps},         {"busbw_GBps", c.busbw_GBps},
          {"time_s", c.time_s}};
}

void print_row(const std::string& label, const NcclChoice& c) {
  fmt::print("{:>14} {:>9} {:>7} {:>4} {:>12.1f} {:>10.2f} {:>10.2f} {:>14.2f}\n", label, to_string(c.algorithm), to_string(c.protocol),
             c.channels, c.latency_us, c.algbw_GBps, c.busbw_GBps, c.time_s * 1e6);
}

// The init-time table NCCL_DEBUG_SUBSYS=TUNING prints: latency (us) / algorithm bandwidth (GB/s)
// per algorithm and protocol, 0/0 where the pair is not eligible.
void print_cost_table(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind) {
  const NcclCostTable table = nccl_tune_model(version, system, kind);
  fmt::print("# cost table (latency us / algbw GB/s, as NCCL_DEBUG_SUBSYS=TUNING prints it)\n#{:>14}", "algo");
  for (NcclProtocol p : kAllNcclProtocols) fmt::print(" {:>15}", to_string(p));
  fmt::print("\n");
  for (NcclAlgorithm a : kAllNcclAlgorithms) {
    fmt::print("#{:>14}", to_string(a));
    for (NcclProtocol p : kAllNcclProtocols) {
      const NcclCost& c = table[nccl_index(a)][nccl_index(p)];
      const bool ok = c.ineligible.empty();
      fmt::print(" {:>8.1f}/{:>6.1f}", ok ? c.latency_us : 0.0, ok ? c.bandwidth_GBps : 0.0);
    }
    fmt::print("\n");
  }
}

// The latency per node crossing NCCL's model reads from the network plugin of this release's time
// (none before 2.12).
std::optional<double> plugin_latency_seen_us(const NcclVersion& v, const NcclSystem& s) {
  if (v.plugin_latency == NcclPluginLatencyRule::ignored) return std::nullopt;
  return s.declared_latency_us(v);
}

std::string plugin_latency_note(const NcclVersion& v, const NcclSystem& s) {
  if (s.nodes < 2) return "";
  const std::optional<double> seen = plugin_latency_seen_us(v, s);
  if (!seen) return fmt::format("; NCCL {} reads no latency from the network plugin", v.name);
  return fmt::format("; the network plugin of its time declares {:g} us per node crossing", *seen);
}

void run_nccl(const NcclOptions& o) {
  const InstanceType instance = load_instance_by_name(o.instance);
  const CollectiveKind kind = parse_collective_kind(o.op);
  const NcclVersion version = load_nccl_version(o.version);
  const std::optional<NcclAlgorithm> algo = o.algo.empty() ? std::nullopt : std::optional{parse_nccl_algorithm(o.algo)};
  const std::optional<NcclProtocol> proto = o.proto.empty() ? std::nullopt : std::optional{parse_nccl_protocol(o.proto)};
  const NcclSystem system = nccl_system(instance, o.nodes, o.ranks_per_node == 0 ? instance.gpus_per_node : o.ranks_per_node);
  const std::vector<double> sizes = sizes_of(o);
  if (!o.tuning_log.empty()) return print_nccl_tuning_comparison(version, system, kind, o.tuning_log, o.table_index, sizes, o.json);
  nccl_select(version, system, kind, sizes.front(), algo, proto);  // bad input fails before any output
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  if (!o.json) {
    fmt::print("# NCCL {} model: {} on {} x {} ({} ranks, {} per node){}{}{}\n", version.name, to_string(kind), system.nodes,
               system.instance, system.ranks(), system.ranks_per_node, algo ? fmt::format(", NCCL_ALGO={}", to_string(*algo)) : "",
               proto ? fmt::format(", NCCL_PROTO={}", to_string(*proto)) : "", plugin_latency_note(version, system));
    if (o.table) print_cost_table(version, system, kind);
    fmt::print("#{:>13} {:>9} {:>7} {:>4} {:>12} {:>10} {:>10} {:>14}\n", "size (B)", "algo", "proto", "nch", "latency (us)",
               "algbw", "busbw", "time (us)");
  }
  for (double bytes : sizes) {
    const NcclChoice chosen = nccl_select(version, system, kind, bytes, algo, proto);
    const std::vector<NcclChoice> all = o.all ? nccl_candidates(version, system, kind, bytes) : std::vector<NcclChoice>{};
    if (o.json) {
      nlohmann::ordered_json row = {{"bytes", bytes}, {"chosen", choice_json(chosen)}};
      if (o.all)
        for (const NcclChoice& c : all) row["candidates"].push_back(choice_json(c));
      results.push_back(row);
      continue;
    }
    print_row(fmt::format("{:.0f}", bytes), chosen);
    for (const NcclChoice& c : all) print_row("candidate", c);
  }
  if (o.json) {
    const std::optional<double> plugin_us = plugin_latency_seen_us(version, system);
    fmt::print("{}\n", nlohmann::ordered_json{{"nccl", version.name}, {"instance", system.instance}, {"nodes", system.nodes},
                                              {"ranks_per_node", system.ranks_per_node}, {"op", to_string(kind)},
                                              {"plugin_latency_us", plugin_us ? nlohmann::ordered_json(*plugin_us) : nlohmann::ordered_json(nullptr)},
                                              {"results", results}}
                           .dump(2));
  }
}

}  // namespace

void register_nccl(CLI::App& app) {
  auto o = std::make_shared<NcclOptions>();
  auto* cmd = app.add_subcommand("nccl", "What NCCL's own cost model picks per size (algorithm, protocol, channels, predicted time)");
  cmd->add_option("--instance,--topology", o->instance, "Instance name or topology JSON path (needs an \"nccl\" block)")->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Number of nodes")->capture_default_str();
  cmd->add_option("--ranks-per-node", o->ranks_per_node, "GPUs per node in the communicator (default: all)");
  cmd->add_option("--op", o->op, "all_gather | reduce_scatter | all_reduce")->capture_default_str();
  cmd->add_option("--nccl", o->version, "NCCL version (topologies/nccl/NAME.json: 2.8, 2.12, 2.18, 2.28) or a path")->capture_default_str();
  cmd->add_option("--algo", o->algo, "Force an algorithm like NCCL_ALGO (Ring, Tree, NVLS, NVLSTree, PAT)");
  cmd->add_option("--proto", o->proto, "Force a protocol like NCCL_PROTO (LL, LL128, Simple)");
  cmd->add_option("--bytes", o->bytes, "Size (nccl-tests convention: AG output, RS input, AR vector)")->capture_default_str();
  cmd->add_option("--min-bytes", o->min_bytes, "Sweep: smallest size");
  cmd->add_option("--max-bytes", o->max_bytes, "Sweep: largest size");
  cmd->add_option("--factor", o->factor, "Sweep: size multiplier")->capture_default_str();
  cmd->add_flag("--all", o->all, "Also print every eligible (algorithm, protocol) with its time");
  cmd->add_flag("--table", o->table, "Also print NCCL's init-time cost table (TUNING debug output)");
  cmd->add_flag("--json", o->json, "Print one JSON document");
  auto* log = cmd->add_option("--tuning-log", o->tuning_log,
                              "Compare with NCCL's own cost table from a log written with NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=TUNING");
  cmd->add_option("--table-index", o->table_index, "Which complete table of the log (1 = the first; one per communicator)")
      ->capture_default_str()
      ->needs(log);
  log->excludes("--algo")->excludes("--proto")->excludes("--all")->excludes("--table");
  cmd->callback([o] { run_nccl(*o); });
}

}  // namespace shardsim::cli
