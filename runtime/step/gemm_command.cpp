#include "runtime/step/gemm_command.hpp"

#include "runtime/comm/host_gather.hpp"
#include "runtime/step/compute_emulation.hpp"
#include "runtime/step/step_report.hpp"
#include "sim/input/input_error.hpp"
#include "sim/topology/topology.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

namespace shardsim::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// The GPU emulation issues seconds x rate FLOPs: any rate works, so it runs at 1 FLOP/s.
constexpr double kGpuUnitRate_flops_per_s = 1;

double parse_flops(const std::string& text, const char* option) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(value >= 1) || !std::isfinite(value))
    throw InputError(fmt::format("{} '{}': expected a FLOP count of at least 1 (e.g. 1e9)", option, text));
  return value;
}

struct GemmPlan {
  std::vector<double> flops;
  ComputeMode mode = ComputeMode::sleep;
  double modelled_rate_flops_per_s = kGpuUnitRate_flops_per_s;
  std::string instance_name;
};

GemmPlan make_gemm_plan(const GemmCommandOptions& o, const std::string& backend) {
  GemmPlan plan;
  const double smallest = parse_flops(o.min_flops, "--min-flops");
  const double largest = parse_flops(o.max_flops, "--max-flops");
  if (largest < smallest) throw InputError(fmt::format("--max-flops {} is below --min-flops {}", o.max_flops, o.min_flops));
  if (!(o.factor > 1)) throw InputError(fmt::format("--stepfactor {}: must be above 1", o.factor));
  if (o.iterations < 1) throw InputError(fmt::format("--iters {}: need at least one timed call", o.iterations));
  if (o.warmup < 0) throw InputError(fmt::format("--warmup_iters {}: cannot be negative", o.warmup));
  for (double f = smallest; f <= largest * (1 + 1e-12); f *= o.factor) plan.flops.push_back(std::round(f));
  plan.mode = o.compute.empty() ? (backend == "nccl" ? ComputeMode::gpu : ComputeMode::sleep) : parse_compute_mode(o.compute);
  if (plan.mode != ComputeMode::gpu) {
    if (o.instance.empty())
      throw InputError(fmt::format("--compute {} only waits the time a modelled rate gives: name that model with --instance "
                                   "(real GEMMs need --compute gpu on the nccl backend)",
                                   to_string(plan.mode)));
    const InstanceType instance = load_instance_by_name(o.instance);
    plan.modelled_rate_flops_per_s = instance.gpu.peak_flops * instance.gpu.gemm_peak_fraction;
    plan.instance_name = instance.name;
  }
  return plan;
}

}  // namespace

CLI::App* add_gemm_command(CLI::App& app, GemmCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand("gemm", "GEMM throughput of every rank's device over FLOP counts (for shardsim-calibrate's "
                                             "compute efficiency)");
  cmd->add_option("--min-flops", o.min_flops, "smallest FLOP count per call")->capture_default_str();
  cmd->add_option("--max-flops", o.max_flops, "largest FLOP count per call")->capture_default_str();
  cmd->add_option("-f,--stepfactor", o.factor, "multiply the FLOP count by this each step")->capture_default_str();
  cmd->add_option("-n,--iters", o.iterations, "timed calls per size")->capture_default_str();
  cmd->add_option("-w,--warmup_iters", o.warmup, "untimed calls before them")->capture_default_str();
  cmd->add_option("--compute", o.compute, "gpu (cuBLAS GEMMs), or sleep | busy (stand-ins at --instance's rate); default: gpu on nccl, else sleep");
  cmd->add_option("--instance", o.instance, "topology (name or JSON) whose modelled rate sleep/busy take");
  cmd->add_flag("--json", o.json, "print {\"results\": [...]} instead of the table");
  return cmd;
}

int run_gemm_command(const GemmCommandOptions& o, World& world) {
  Communicator& comm = *world.communicator;
  std::optional<GemmPlan> planned;
  // Every rank reaches the same verdict on its options; they meet at a barrier before failing.
  try {
    planned = make_gemm_plan(o, comm.backend());
  } catch (const InputError&) {
    comm.barrier();
    throw;
  }
  const GemmPlan& plan = *planned;
  const auto emulation = make_compute_emulation(plan.mode, world.info.local_rank);
  std::vector<double> mine;
  for (double flops : plan.flops) {
    const double modelled_s = flops / plan.modelled_rate_flops_per_s;
    for (int i = 0; i < o.warmup; ++i) emulation->run(modelled_s, plan.modelled_rate_flops_per_s);
    comm.barrier();  // every device starts together, as in a step
    std::vector<double> calls;
    for (int i = 0; i < o.iterations; ++i) {
      const auto start = Clock::now();
      emulation->run(modelled_s, plan.modelled_rate_flops_per_s);
      calls.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    mine.push_back(median(calls));
  }
  const std::vector<double> all = all_gather_host_values(comm, mine);  // [rank][size]
  if (world.info.rank != 0) return 0;

  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  if (!o.json) fmt::print("# gemm on {} ranks ({} backend, compute {}){}\n#{:>15} {:>13} {:>13} {:>10}\n", comm.size(), comm.backend(),
                          to_string(plan.mode), plan.instance_name.empty() ? "" : fmt::format(", rate of {}", plan.instance_name),
                          "flops", "time(us)", "fastest(us)", "TFLOP/s");
  for (std::size_t s = 0; s < plan.flops.size(); ++s) {
    double slowest = 0, fastest = all[s];
    for (int r = 0; r < comm.size(); ++r) {
      slowest = std::max(slowest, all[r * plan.flops.size() + s]);
      fastest = std::min(fastest, all[r * plan.flops.size() + s]);
    }
    const double tflops = plan.flops[s] / slowest / 1e12;
    if (o.json) {
      rows.push_back({{"op", "gemm"}, {"flops", plan.flops[s]}, {"time_s", slowest}, {"fastest_rank_time_s", fastest},
                      {"tflops", tflops}, {"compute", to_string(plan.mode)}, {"backend", comm.backend()}, {"ranks", comm.size()},
                      {"iterations", o.iterations}, {"warmup", o.warmup}});
    } else {
      fmt::print("{:>16.4g} {:>13.1f} {:>13.1f} {:>10.4f}\n", plan.flops[s], slowest * 1e6, fastest * 1e6, tflops);
    }
  }
  if (o.json) fmt::print("{}\n", nlohmann::ordered_json{{"results", rows}}.dump(1));
  return 0;
}

}  // namespace shardsim::runtime
