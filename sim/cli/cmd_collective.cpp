// `shardsim collective --instance p4d.24xlarge --nodes 4 --op all_gather [--nccl 2.28] [--algo auto] --bytes 1G`
// An nccl-tests-style table of simulated collectives (algbw = bytes / time, busbw = algbw x the
// collective's factor, as nccl-tests defines them), or one JSON document with --json. Under NCCL
// each row says which algorithm, protocol and channel count NCCL picks for that size (as its
// TUNING debug output would), NCCL's own predicted time beside the simulated one, and what the
// flows simulated (collsim/library_plan.hpp).
#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/collsim/library_plan.hpp"
#include "sim/collsim/nccl_comparison.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/units/units.hpp"

#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <memory>

namespace shardsim::cli {
namespace {

struct CollectiveOptions {
  std::string instance = "p4d.24xlarge";
  int nodes = 2;
  std::string op = "all_gather";
  std::string algo = "auto";
  std::string nccl;   // "" = the instance's default library
  std::string proto;  // "" = NCCL picks
  std::string bytes = "1G";
  std::string min_bytes, max_bytes;
  double factor = 2;
  std::string group;
  std::string model = "automatic";
  bool json = false;
};

std::vector<int> parse_group(const std::string& text) {
  std::vector<int> ranks;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const std::size_t dash = item.find('-');
    auto number = [&](const std::string& s) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty())
        throw InputError(fmt::format("--group: '{}' is not a rank or a range like 0-7", item));
      return v;
    };
    if (dash == std::string::npos) {
      ranks.push_back(number(item));
    } else {
      const int a = number(item.substr(0, dash)), b = number(item.substr(dash + 1));
      if (b < a) throw InputError(fmt::format("--group: range '{}' runs backwards", item));
      // Checked before the loop: '0-2000000000' would otherwise fill memory with ranks.
      if (static_cast<std::int64_t>(b) - a >= limits::kMaxClusterGpus)
        throw InputError(fmt::format("--group: range '{}' spans more than the {} GPUs shardsim simulates", item, limits::kMaxClusterGpus));
      for (int r = a; r <= b; ++r) ranks.push_back(r);
    }
    pos = comma + 1;
  }
  return ranks;
}

FlowModel parse_model(const std::string& s) {
  if (s == "automatic") return FlowModel::automatic;
  if (s == "per_flow") return FlowModel::per_flow;
  if (s == "node_symmetric") return FlowModel::node_symmetric;
  throw InputError(fmt::format("--model: unknown flow model '{}' (expected automatic, per_flow or node_symmetric)", s));
}

// --algo: auto (NCCL picks; Gloo runs a ring), hierarchical (MiCS), or an algorithm to force as
// NCCL_ALGO does (ring, tree, nvls, nvls_tree, pat); --proto forces a protocol as NCCL_PROTO.
Algorithm apply_algo_flags(const CollectiveOptions& o, CollectiveLibrary& library) {
  if (!o.proto.empty()) {
    if (!library.is_nccl()) throw InputError(fmt::format("--proto {}: protocols are NCCL's (this run uses {})", o.proto, library.name));
    library.protocol = parse_nccl_protocol(o.proto);
  }
  if (o.algo == "auto") return Algorithm::ring;
  if (o.algo == "hierarchical" || o.algo == "two_level") return Algorithm::hierarchical;
  if (!library.is_nccl()) {
    return parse_algorithm(o.algo);
  }
  library.algorithm = parse_nccl_algorithm(o.algo);
  return Algorithm::ring;
}

std::string library_label(const CollectiveLibrary& library) {
  return library.is_nccl() ? fmt::format("NCCL {}", library.name) : library.name;
}

void run_collective(const CollectiveOptions& o) {
  const Cluster cluster = make_cluster(load_instance_by_name(o.instance), o.nodes);
  const CollectiveKind kind = parse_collective_kind(o.op);
  CollectiveLibrary library = load_collective_library(o.nccl, cluster.instance);
  const Algorithm algorithm = apply_algo_flags(o, library);
  const FlowModel model = parse_model(o.model);
  const std::vector<int> group = o.group.empty() ? world_group(cluster) : parse_group(o.group);
  if (group.size() < 2) throw InputError("--group: a collective needs at least 2 ranks");
  const std::vector<std::uint64_t> sizes = sweep_sizes(o.bytes, o.min_bytes, o.max_bytes, o.factor);

  const int p = static_cast<int>(group.size());
  // Every size is simulated before anything is printed, so bad input (a flow model the plan does
  // not admit at some size) leaves stdout empty.
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::string table;
  if (!o.json) {
    table += fmt::format("# {} {} over {} ranks on {} x {} (collectives: {}; flow model: {})\n", to_string(kind), o.algo, p, o.nodes,
                         cluster.instance.name, library_label(library), o.model);
    table += fmt::format("#{:>13} {:>12} {:>10} {:>10} {:>16} {:>7} {:>9} {:>12} {:>10} {:>7} {:>3} {:>11}\n", "size (B)",
                         "time (us)", "algbw", "busbw", "net B/node", "steps", "events", "formula (us)", "algo", "proto", "ch",
                         "nccl (us)");
    table += fmt::format("#{:>13} {:>12} {:>10} {:>10} {:>16} {:>7} {:>9} {:>12}\n", "", "", "(GB/s)", "(GB/s)", "", "", "", "");
  }
  for (std::uint64_t size : sizes) {
    const LibraryPlan lp = plan_on_library(cluster, library, kind, algorithm, group, static_cast<double>(size));
    const CollectivePlan& plan = lp.plan;
    const CollectiveResult r = simulate_collective(cluster, plan, model);
    const double algbw = static_cast<double>(size) / r.time_s / kGB;
    const double busbw = algbw * bus_bandwidth_factor(kind, p);
    const double formula = formula_time_s(cluster, plan);
    const NcclComparison versus = compare_with_nccl(cluster, library, kind, group, static_cast<double>(size), lp, r.time_s, formula);
    const std::string nccl_algo = lp.choice ? to_string(lp.choice->algorithm) : "-";
    const std::string nccl_proto = lp.choice ? to_string(lp.choice->protocol) : "-";
    if (o.json) {
      results.push_back({{"op", to_string(kind)},
                         {"algo", to_string(algorithm)},
                         {"group_size", p},
                         {"bytes", size},
                         {"time_s", r.time_s},
                         {"algbw_GBps", algbw},
                         {"busbw_GBps", busbw},
                         {"network_bytes_per_node", r.network_bytes_per_node},
                         {"steps", r.steps},
                         {"events", r.events},
                         {"flow_model", to_string(r.model_used)},
                         {"formula_time_s", formula},
                         {"library", library.name},
                         {"simulated_as", lp.simulated_as}});
      if (lp.choice) {
        results.back()["nccl_algorithm"] = nccl_algo;
        results.back()["nccl_protocol"] = nccl_proto;
        results.back()["nccl_channels"] = lp.choice->channels;
      }
      if (!lp.phase_calls.empty()) {
        nlohmann::ordered_json calls = nlohmann::ordered_json::array();
        for (const NcclPhaseCall& c : lp.phase_calls)
          calls.push_back({{"phase", c.phase},
                           {"nccl_algorithm", to_string(c.choice.algorithm)},
                           {"nccl_protocol", to_string(c.choice.protocol)},
                           {"nccl_channels", c.choice.channels},
                           {"nccl_time_s", c.choice.time_s}});
        results.back()["nccl_calls"] = std::move(calls);
      }
      if (lp.nccl_time_s() > 0) {
        // NCCL's own formula (summed over a hierarchical plan's calls): no contention, its own
        // per-channel bandwidths (the flows use the topology's links).
        results.back()["nccl_time_s"] = lp.nccl_time_s();
        results.back()["nccl_difference"] = {{"relative", versus.relative_difference}, {"reasons", versus.reasons}};
      }
    } else {
      table += fmt::format("{:>14} {:>12.2f} {:>10.2f} {:>10.2f} {:>16.0f} {:>7} {:>9} {:>12.2f} {:>10} {:>7} {:>3} {:>11}\n", size,
                           r.time_s * 1e6, algbw, busbw, r.network_bytes_per_node, r.steps, r.events, formula * 1e6, nccl_algo,
                           nccl_proto, lp.choice ? fmt::format("{}", lp.choice->channels) : "-",
                           lp.nccl_time_s() > 0 ? fmt::format("{:.2f}", lp.nccl_time_s() * 1e6) : "-");
      if (!versus.reasons.empty())
        table += fmt::format("#{:>13} {:+.1f}% vs NCCL's formula: {}\n", "", 100 * versus.relative_difference,
                             fmt::join(versus.reasons, "; "));
      // A hierarchical plan is several NCCL calls: say what NCCL ran for each of its phases.
      if (algorithm == Algorithm::hierarchical && library.is_nccl()) table += fmt::format("#{:>13} {}\n", "", lp.simulated_as);
    }
  }
  if (o.json) fmt::print("{}\n", nlohmann::ordered_json{{"results", results}}.dump(2));
  else fmt::print("{}", table);
}

}  // namespace

void register_collective(CLI::App& app) {
  auto o = std::make_shared<CollectiveOptions>();
  auto* cmd = app.add_subcommand("collective", "Simulate one collective on a cluster (nccl-tests-style output)");
  cmd->add_option("--instance,--topology", o->instance, "Instance name or topology JSON path (e.g. a calibrated one)")->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Number of nodes")->capture_default_str();
  cmd->add_option("--op", o->op, "all_gather | reduce_scatter | all_reduce")->capture_default_str();
  cmd->add_option("--algo", o->algo,
                  "auto (NCCL picks; Gloo runs a ring) | hierarchical (MiCS two-level) | an algorithm to force, as "
                  "NCCL_ALGO: ring, tree, nvls, nvls_tree, pat")
      ->capture_default_str();
  cmd->add_option("--proto", o->proto, "Force NCCL's protocol, as NCCL_PROTO: LL, LL128, Simple");
  cmd->add_option("--nccl", o->nccl,
                  "Collective library: an NCCL version (2.8, 2.12, 2.18, 2.28) or gloo; default: the newest NCCL where "
                  "the instance describes what NCCL sees, else gloo");
  cmd->add_option("--bytes", o->bytes, "Size M (nccl-tests convention; K/M/G = powers of 1024, GB = 1e9)")->capture_default_str();
  cmd->add_option("--min-bytes", o->min_bytes, "Sweep: smallest size");
  cmd->add_option("--max-bytes", o->max_bytes, "Sweep: largest size");
  cmd->add_option("--factor", o->factor, "Sweep: size multiplier")->capture_default_str();
  cmd->add_option("--group", o->group, "Ranks taking part, e.g. 0-15 or 0,8,16,24 (default: all)");
  cmd->add_option("--model", o->model, "Flow model: automatic | per_flow | node_symmetric")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->callback([o] { run_collective(*o); });
}

}  // namespace shardsim::cli
