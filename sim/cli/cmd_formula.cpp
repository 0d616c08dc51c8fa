// `shardsim formula --op all_gather --p 128 --k 8 --bytes 1G --alpha-us 20 --bw-GBps 50`
// Flat ring vs MiCS two-level, side by side, from the closed forms alone.
#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/formulas/alpha_beta.hpp"
#include "sim/input/input_error.hpp"
#include "sim/topology/topology.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace shardsim::cli {
namespace {

struct FormulaOptions {
  std::string op = "all_gather";
  int p = 128;
  int k = 8;
  std::string bytes = "1G";
  double alpha_us = 20;
  double bw_GBps = 50;
  // Unset: from --instance. Given, checked like every other number (nan is refused, not "unset").
  std::optional<double> intra_alpha_us;
  std::optional<double> intra_bw_GBps;
  std::string instance = "p4d.24xlarge";
  bool json = false;
};

void require_positive(const char* flag, double v) {
  if (!(v > 0) || !std::isfinite(v)) throw InputError(fmt::format("{} must be a positive finite number, got {}", flag, v));
}

void run_formula(const FormulaOptions& o) {
  const CollectiveKind kind = parse_collective_kind(o.op);
  if (o.p < 2) throw InputError(fmt::format("--p must be at least 2, got {}", o.p));
  if (o.k < 1) throw InputError(fmt::format("--k must be at least 1, got {}", o.k));
  if (o.p % o.k != 0) throw InputError(fmt::format("--p {} is not a multiple of --k {}: the two-level algorithm needs whole nodes", o.p, o.k));
  require_positive("--alpha-us", o.alpha_us);
  require_positive("--bw-GBps", o.bw_GBps);
  const double bytes = static_cast<double>(size_flag("--bytes", o.bytes));
  if (!(bytes > 0)) throw InputError("--bytes must be positive");

  // Intra-node defaults come from an instance's data (its GPU-to-GPU route), not from constants.
  if (o.intra_alpha_us) require_positive("--intra-alpha-us", *o.intra_alpha_us);
  if (o.intra_bw_GBps) require_positive("--intra-bw-GBps", *o.intra_bw_GBps);
  double intra_alpha_s = o.intra_alpha_us.value_or(0) * kMicrosecond, intra_Bps = o.intra_bw_GBps.value_or(0) * kGB;
  if (!o.intra_alpha_us || !o.intra_bw_GBps) {
    const InstanceType inst = load_instance_by_name(o.instance);
    double cap = std::numeric_limits<double>::infinity();
    for (int l : inst.gpu_route[0][1].links) cap = std::min(cap, inst.links[l].capacity_Bps);
    if (!o.intra_alpha_us) intra_alpha_s = inst.gpu_route[0][1].latency_s;
    if (!o.intra_bw_GBps) intra_Bps = cap;
  }
  require_positive("--intra-alpha-us", intra_alpha_s);
  require_positive("--intra-bw-GBps", intra_Bps);

  const RingCost net = alpha_beta_cost(o.alpha_us * kMicrosecond, o.bw_GBps * kGB);
  const TwoLevelCost two{net, alpha_beta_cost(intra_alpha_s, intra_Bps), 0};
  const double flat_s = ring_time(kind, o.p, bytes, net);
  const double hier_s = hierarchical_time(kind, o.p, o.k, bytes, two);
  const int flat_steps = ring_steps(kind, o.p);
  const int hier_steps = hierarchical_steps(kind, o.p, o.k);
  const int hier_network_steps = hierarchical_network_steps(kind, o.p, o.k);
  const double ar = kind == CollectiveKind::all_reduce ? 2 : 1;
  const double flat_vol = ar * flat_network_volume_fraction(o.p);
  const double hier_vol = ar * hierarchical_network_volume_fraction(o.p, o.k);
  if (o.json) {
    nlohmann::ordered_json j{{"op", to_string(kind)}, {"p", o.p}, {"k", o.k}, {"bytes", bytes},
                             {"flat", {{"time_s", flat_s}, {"steps", flat_steps}, {"network_steps", flat_steps}, {"network_volume_fraction", flat_vol}, {"network_bytes_per_node", flat_vol * bytes}}},
                             {"hierarchical", {{"time_s", hier_s}, {"steps", hier_steps}, {"network_steps", hier_network_steps}, {"network_volume_fraction", hier_vol}, {"network_bytes_per_node", hier_vol * bytes}}},
                             {"latency_ratio_estimate", latency_ratio_estimate(o.p, o.k)},
                             {"speedup", flat_s / hier_s}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{} of {} over p = {} GPUs, k = {} per node (n = {} nodes)\n", to_string(kind), format_size(static_cast<std::uint64_t>(bytes)), o.p, o.k, o.p / o.k);
  fmt::print("network: alpha {} per step, B {} per node; intra-node: alpha {}, B {}\n\n", format_time(net.alpha_s),
             format_rate(net.bandwidth_Bps), format_time(intra_alpha_s), format_rate(intra_Bps));
  fmt::print("{:<28} {:>16} {:>16}\n", "", "flat ring", "hierarchical");
  fmt::print("{:<28} {:>16} {:>16}\n", "latency steps", flat_steps, hier_steps);
  fmt::print("{:<28} {:>16} {:>16}\n", "network latency steps", flat_steps, hier_network_steps);
  fmt::print("{:<28} {:>16.4f} {:>16.4f}\n", "network volume / M", flat_vol, hier_vol);
  fmt::print("{:<28} {:>16} {:>16}\n", "network bytes per node", format_size(static_cast<std::uint64_t>(flat_vol * bytes)),
             format_size(static_cast<std::uint64_t>(hier_vol * bytes)));
  fmt::print("{:<28} {:>16} {:>16}\n", "time", format_time(flat_s), format_time(hier_s));
  // DeepSpeed runs one intra-node gather per node block, so the saving is in network steps only.
  // One node (p == k): the hierarchical algorithm takes no network step, so there is no ratio.
  const std::string ratio = hier_network_steps > 0 ? fmt::format("{:.2f}", static_cast<double>(flat_steps) / hier_network_steps)
                                                   : std::string("undefined (one node: no network steps)");
  const double speedup = flat_s / hier_s;
  fmt::print("\nnetwork latency steps ratio {} (the MiCS paper's estimate with one intra-node gather p/(p/k+k) = {:.2f}); {}\n",
             ratio, latency_ratio_estimate(o.p, o.k),
             std::isfinite(speedup) && speedup > 0 ? fmt::format("hierarchical is {:.2f}x faster", speedup)
                                                   : std::string("no speedup to report"));
}

}  // namespace

void register_formula(CLI::App& app) {
  auto o = std::make_shared<FormulaOptions>();
  auto* cmd = app.add_subcommand("formula", "Closed-form alpha-beta costs: flat ring vs hierarchical, side by side");
  cmd->add_option("--op", o->op, "all_gather | reduce_scatter | all_reduce")->capture_default_str();
  cmd->add_option("--p", o->p, "Group size")->capture_default_str();
  cmd->add_option("--k", o->k, "GPUs per node")->capture_default_str();
  cmd->add_option("--bytes", o->bytes, "Size M (K/M/G = powers of 1024)")->capture_default_str();
  cmd->add_option("--alpha-us", o->alpha_us, "Network latency per step, microseconds")->capture_default_str();
  cmd->add_option("--bw-GBps", o->bw_GBps, "Network bandwidth per node, GB/s (1e9 B/s)")->capture_default_str();
  cmd->add_option("--intra-alpha-us", o->intra_alpha_us, "Intra-node latency per step (default: from --instance)");
  cmd->add_option("--intra-bw-GBps", o->intra_bw_GBps, "Intra-node ring bandwidth, GB/s (default: from --instance)");
  cmd->add_option("--instance", o->instance, "Instance whose intra-node links give the defaults")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] { run_formula(*o); });
}

}  // namespace shardsim::cli
