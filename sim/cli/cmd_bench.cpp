// `shardsim bench`: wall time and peak memory of simulating one large collective at several
// cluster sizes. Each size runs in its own child process so its peak RSS is its own.
#include "sim/cli/commands.hpp"
#include "sim/collectives/plan.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/cli/output.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/simulation_size.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <functional>
#include <memory>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shardsim::cli {
namespace {

struct BenchOptions {
  std::string instance = "p4d.24xlarge";
  std::vector<int> gpus{512, 1024, 4096, 16384};
  std::string op = "all_reduce";
  std::string algo = "ring";
  std::string bytes = "1G";
  std::string model = "automatic";
  std::string step_scenario;
  std::vector<std::string> step_strategies{"zero3", "mics:8"};
};

struct Measurement {
  double wall_s;
  double sim_time_s;
  long max_rss_kB;
  unsigned long long events;
  unsigned long long flows;
  int model;
};

Measurement measure(const InstanceType& inst, int gpus, CollectiveKind kind, Algorithm algo, double bytes, FlowModel model) {
  const auto start = std::chrono::steady_clock::now();
  const Cluster cluster = make_cluster(inst, gpus / inst.gpus_per_node);
  const CollectivePlan plan = plan_collective(cluster, kind, algo, world_group(cluster), bytes);
  const CollectiveResult r = simulate_collective(cluster, plan, model);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {wall, r.time_s, usage.ru_maxrss, r.events, r.simulated_flows, static_cast<int>(r.model_used)};
}

// Runs `measure` in a forked child so its peak RSS is its own, and returns what the child measured.
Measurement in_child_process(const std::function<Measurement()>& measure, const std::string& what) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    Measurement m{};
    try { m = measure(); } catch (...) { m.wall_s = -1; }
    [[maybe_unused]] auto n = write(fds[1], &m, sizeof m);
    _exit(0);
  }
  close(fds[1]);
  Measurement m{};
  const auto got = read(fds[0], &m, sizeof m);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != static_cast<ssize_t>(sizeof m) || m.wall_s < 0) throw std::runtime_error(fmt::format("benchmark of {} failed", what));
  return m;
}

// One training step per strategy ("name" or "name:p"), timed in a child process each.
void run_step_bench(const BenchOptions& o) {
  // Every strategy is parsed, loaded and size-checked before the header, so bad input prints
  // nothing on stdout; the checks run here, not in the measuring child, whose errors only show as
  // a failed measurement.
  std::vector<Scenario> scenarios;
  for (const auto& spec : o.step_strategies) {
    ScenarioOverrides ov;
    const auto colon = spec.find(':');
    ov.strategy = spec.substr(0, colon);
    if (colon != std::string::npos) {
      // std::stoi would throw std::invalid_argument (an internal error, exit 2) on "mics:x".
      const std::string p = spec.substr(colon + 1);
      int value = 0;
      const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
      if (ec != std::errc() || end != p.data() + p.size() || value < 1)
        throw InputError(fmt::format("--strategies: '{}': the partition size after ':' must be a positive integer", spec));
      ov.partition_size = value;
    }
    scenarios.push_back(load_scenario(o.step_scenario, ov));
    check_simulation_size(compile_schedule(scenarios.back().cluster, scenarios.back().step));
  }
  fmt::print("# one training step of {} (memory check skipped: this measures the simulator)\n", o.step_scenario);
  fmt::print("{:<14} {:>8} {:>10} {:>14} {:>12} {:>12} {:>16}\n", "strategy", "GPUs", "wall (s)", "peak RSS (MiB)", "events",
             "step time", "flow model");
  std::fflush(stdout);
  for (std::size_t si = 0; si < o.step_strategies.size(); ++si) {
    const std::string& spec = o.step_strategies[si];
    const Scenario& sc = scenarios[si];
    const Measurement m = in_child_process([&] {
      Measurement m{};
      const auto start = std::chrono::steady_clock::now();
      const Schedule schedule = compile_schedule(sc.cluster, sc.step);
      const StepResult r = simulate_step(sc.cluster, schedule, FlowModel::automatic,
                                         load_collective_library(sc.collective_library, sc.cluster.instance));
      m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rusage usage{};
      getrusage(RUSAGE_SELF, &usage);
      m.sim_time_s = r.step_time_s;
      m.max_rss_kB = usage.ru_maxrss;
      m.events = r.events;
      m.model = static_cast<int>(r.model_used);
      return m;
    }, spec);
    fmt::print("{:<14} {:>8} {:>10.3f} {:>14.1f} {:>12} {:>12} {:>16}\n", spec, sc.cluster.gpus(), m.wall_s, m.max_rss_kB / 1024.0,
               m.events, format_time(m.sim_time_s), to_string(static_cast<FlowModel>(m.model)));
    std::fflush(stdout);
  }
}


void run_bench(const BenchOptions& o) {
  // Checked first, so a bad --model is refused with or without --step, before any header.
  FlowModel model = FlowModel::automatic;
  if (o.model == "per_flow") model = FlowModel::per_flow;
  else if (o.model == "node_symmetric") model = FlowModel::node_symmetric;
  else if (o.model != "automatic") throw InputError(fmt::format("--model: unknown flow model '{}' (expected automatic, per_flow or node_symmetric)", o.model));
  if (!o.step_scenario.empty()) return run_step_bench(o);
  const InstanceType inst = load_instance_by_name(o.instance);
  const CollectiveKind kind = parse_collective_kind(o.op);
  const Algorithm algo = parse_algorithm(o.algo);
  const double bytes = static_cast<double>(size_flag("--bytes", o.bytes));
  for (int g : o.gpus) {
    if (g < inst.gpus_per_node || g % inst.gpus_per_node != 0)
      throw InputError(fmt::format("--gpus: {} is not a positive multiple of {} GPUs per node", g, inst.gpus_per_node));
    if (g > limits::kMaxClusterGpus)
      throw InputError(fmt::format("--gpus: {} is more than the {} GPUs a cluster may have (sim/input/limits.hpp)", g,
                                   limits::kMaxClusterGpus));
  }
  fmt::print("# {} {} of {} on {} ({} CPU core per run)\n", o.algo, o.op, format_size(static_cast<std::uint64_t>(bytes)),
             inst.name, 1);
  fmt::print("{:>8} {:>12} {:>14} {:>12} {:>12} {:>12} {:>16}\n", "GPUs", "wall (s)", "peak RSS (MiB)", "events",
             "sim flows", "sim time", "flow model");
  std::fflush(stdout);
  for (int g : o.gpus) {
    const Measurement m = in_child_process([&] { return measure(inst, g, kind, algo, bytes, model); }, fmt::format("{} GPUs", g));
    fmt::print("{:>8} {:>12.3f} {:>14.1f} {:>12} {:>12} {:>12} {:>16}\n", g, m.wall_s, m.max_rss_kB / 1024.0, m.events,
               m.flows, format_time(m.sim_time_s), to_string(static_cast<FlowModel>(m.model)));
    std::fflush(stdout);
  }
}

}  // namespace

void register_bench(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Benchmark the simulator: wall time and peak memory by cluster size");
  cmd->add_option("--instance", o->instance, "Instance name")->capture_default_str();
  cmd->add_option("--gpus", o->gpus, "Cluster sizes in GPUs")->delimiter(',')->capture_default_str();
  cmd->add_option("--op", o->op, "Collective")->capture_default_str();
  cmd->add_option("--algo", o->algo, "ring | hierarchical")->capture_default_str();
  cmd->add_option("--bytes", o->bytes, "Size")->capture_default_str();
  cmd->add_option("--model", o->model, "Flow model: automatic | per_flow | node_symmetric")->capture_default_str();
  cmd->add_option("--step", o->step_scenario, "Time one training step of this scenario instead of a collective");
  cmd->add_option("--strategies", o->step_strategies, "With --step: strategies as name or name:partition_size")->delimiter(',')->capture_default_str();
  cmd->callback([o] { run_bench(*o); });
}

}  // namespace shardsim::cli
