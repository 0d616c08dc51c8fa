#include "runtime/step/step_command.hpp"

#include "runtime/comm/host_gather.hpp"
#include "runtime/step/compute_emulation.hpp"
#include "runtime/step/live_schedule.hpp"
#include "runtime/step/step_executor.hpp"
#include "runtime/step/step_report.hpp"
#ifdef SHARDSIM_HAVE_NCCL
#include "runtime/nccl/nccl_world.hpp"
#endif
#include "sim/input/input_error.hpp"
#include "sim/input/output_file.hpp"
#include "sim/schedule/rank_program.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>
#include <optional>

namespace shardsim::runtime {
namespace {

std::size_t max_buffer_bytes(const StepCommandOptions& o, int ranks_per_node) {
  if (o.max_buffer_bytes.empty()) return default_max_buffer_bytes(ranks_per_node);
  try {
    return parse_size_bytes(o.max_buffer_bytes);
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("--max-buffer-bytes: {}", e.what()));
  }
}

// Every rank's timings on every rank (a world all-gather of doubles: start, end per op).
WorldTimings gather_timings(Communicator& world, const RankTimings& mine, std::size_t ops) {
  std::vector<double> flat;
  for (const auto& iteration : mine)
    for (const OpTiming& t : iteration) {
      flat.push_back(t.start_s);
      flat.push_back(t.end_s);
    }
  const std::vector<double> all = all_gather_host_values(world, flat);
  WorldTimings out(world.size(), RankTimings(mine.size(), IterationTimings(ops)));
  std::size_t at = 0;
  for (auto& rank : out)
    for (auto& iteration : rank)
      for (OpTiming& t : iteration) {
        t.start_s = all[at++];
        t.end_s = all[at++];
      }
  return out;
}

void print_report(const StepRunInfo& info, const Schedule& schedule, const StepStatistics& stats, const StepResult* prediction) {
  fmt::print("{}: {} live on {} ranks ({} nodes x {} ranks; the scenario's cluster has {} GPUs), backend {}\n", info.scenario,
             info.strategy, info.ranks, info.ranks / info.ranks_per_node, info.ranks_per_node, info.scenario_gpus, info.backend);
  fmt::print("compute emulation {} (durations of {}), scale bytes {}, scale compute {}, {} ops, {} communicators\n",
             info.compute_emulation, info.model_instance, info.scale_bytes, info.scale_compute, schedule.program.ops.size(),
             info.communicators);
  fmt::print("{} iterations after {} warm-up\n\n", stats.step_times_s.size(), info.warmup);
  fmt::print("step time            {} median ({} .. {}, spread {})\n", format_time(stats.step_time_s),
             format_time(*std::min_element(stats.step_times_s.begin(), stats.step_times_s.end())),
             format_time(*std::max_element(stats.step_times_s.begin(), stats.step_times_s.end())), format_time(stats.spread_s));
  if (prediction)
    fmt::print("predicted            {} (simulator, same scaled schedule; measured / predicted = {:.3f})\n",
               format_time(prediction->step_time_s), stats.step_time_s / prediction->step_time_s);
  // Forward, backward and optimizer step, divided alike for the live run and the prediction.
  const auto averaged = [](const StepPasses& p) {
    const MicroStepPasses mean = mean_micro_step(p);
    return fmt::format("forward {}, backward {}, optimizer step {}", format_time(mean.forward_s), format_time(mean.backward_s),
                       format_time(p.optimizer_s));
  };
  fmt::print("passes               {} (per micro-step, median op times)\n", averaged(measured_passes(schedule, stats)));
  if (prediction) fmt::print("predicted passes     {}\n", averaged(pass_times(schedule, *prediction)));
  struct Total {
    int count = 0;
    double bytes = 0, busy_s = 0, predicted_s = 0;
  };
  std::map<std::pair<std::string, std::string>, Total> totals;
  for (std::size_t i = 0; i < schedule.program.ops.size(); ++i) {
    const Op& op = schedule.program.ops[i];
    std::pair<std::string, std::string> key{"", "compute"};
    double bytes = 0;
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
      key = {to_string(schedule.groups[c->group].role), to_string(c->kind)};
      bytes = c->bytes;
    } else if (const auto* c = std::get_if<CopyOp>(&op.body)) {
      key = {"", "copy"};
      bytes = c->bytes;
    } else if (std::holds_alternative<HostOp>(op.body)) {
      key = {"", "host"};
    }
    Total& t = totals[key];
    ++t.count;
    t.bytes += bytes;
    t.busy_s += stats.ops[i].duration_s;
    if (prediction) t.predicted_s += prediction->ops[i].end_s - prediction->ops[i].start_s;
  }
  fmt::print("\n{:<12} {:<16} {:>6} {:>12} {:>14} {:>14}\n", "group", "op", "count", "bytes", "busy (median)",
             prediction ? "predicted" : "");
  for (const auto& [key, t] : totals)
    fmt::print("{:<12} {:<16} {:>6} {:>12} {:>14} {:>14}\n", key.first, key.second, t.count,
               format_size(static_cast<std::uint64_t>(t.bytes)), format_time(t.busy_s), prediction ? format_time(t.predicted_s) : "");
}

// A scale factor: finite, positive and at most 1e6 (a size scaled past that overflows the byte
// counts of a real step; nan and inf would turn every size into 0 or garbage).
CLI::Validator scale_factor_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return fmt::format("'{}' is not a number", text);
        if (!std::isfinite(value) || !(value > 0) || value > 1e6)
          return fmt::format("must be a positive finite factor of at most 1e6, got {}", text);
        return "";
      },
      "", "scale factor");
}

// The ranks that write the files (rank 0, or the launcher before it starts them) check the paths
// while parsing, so a bad path fails before the step runs rather than after.
bool writes_outputs() {
  const char* rank = std::getenv("RANK");
  return rank == nullptr || std::string_view(rank) == "0";
}

CLI::Validator output_check() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        if (!writes_outputs()) return "";
        const std::string problem = output_path_problem(path);
        return problem.empty() ? "" : fmt::format("{}: {}", path.empty() ? "''" : path, problem);
      },
      "", "output path");
}

CLI::Validator compute_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          const ComputeMode mode = parse_compute_mode(text);
#ifndef SHARDSIM_HAVE_NCCL
          if (mode == ComputeMode::gpu)
            return "gpu: this shardsim-run was built without NCCL (CUDA/NCCL not found at configure time); use sleep or busy";
#else
          if (mode == ComputeMode::gpu) {
            const CudaDeviceQuery devices = query_cuda_devices();
            if (devices.count <= 0)
              return fmt::format("gpu: no CUDA device visible (cudaGetDeviceCount: {}); use sleep or busy",
                                 devices.error.empty() ? "0 devices" : devices.error);
          }
#endif
        } catch (const InputError& e) {
          std::string message = e.what();
          if (message.rfind("--compute: ", 0) == 0) message = message.substr(11);
          return message;
        }
        return "";
      },
      "", "compute mode");
}

}  // namespace

CLI::App* add_step_command(CLI::App& app, StepCommandOptions& o) {
  auto* cmd = app.add_subcommand("step", "Execute a strategy's schedule for a scenario live and time it");
  cmd->add_option("scenario", o.scenario_file, "Scenario JSON (see scenarios/)")->required();
  o.scenario.add_instance(cmd);
  cmd->add_option("--nodes", o.nodes, "Check: the job's node count (the schedule is always compiled for the live world)");
  o.scenario.add_strategy_and_batch(cmd);
  cmd->add_option("-n,--iterations", o.iterations, "Measured iterations (the median is reported)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("-w,--warmup", o.warmup, "Warm-up iterations, not measured")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--compute", o.compute, "Compute emulation: sleep | busy | gpu (default: gpu on nccl, else sleep)")
      ->check(compute_check());
  cmd->add_option("--scale-bytes", o.scale_bytes, "Multiply every collective and copy size")
      ->check(scale_factor_check())->capture_default_str();
  cmd->add_option("--scale-compute", o.scale_compute, "Multiply every compute op's modelled duration")
      ->check(scale_factor_check())->capture_default_str();
  cmd->add_option("--max-buffer-bytes", o.max_buffer_bytes, "Refuse steps needing more buffer memory per rank (default: a quarter of RAM over the node's ranks)");
  cmd->add_option("--trace", o.trace_file, "Write a Perfetto trace of the median iteration, one process per rank")
      ->check(output_check());
  cmd->add_option("--json", o.json_file, "Write the JSON summary")->check(output_check());
  cmd->add_flag("--predict", o.predict, "Also simulate the same scaled schedule and report the prediction");
  cmd->add_option("--topology", o.topology_file, "Instance file for compute durations and --predict (default: the scenario's instance)");
  return cmd;
}

int run_step_command(const StepCommandOptions& o, World& world) {
  Communicator& comm = *world.communicator;
  const LiveShape shape{world.info.world_size, world.info.local_world_size};
  // Every rank reaches the same verdict on its input; they agree on a barrier before failing, so
  // no rank tears its connections down while a peer still uses them.
  std::optional<Scenario> loaded;
  std::optional<InstanceType> model_instance;
  std::optional<Schedule> compiled;
  ComputeMode mode = ComputeMode::sleep;
  try {
    if (o.nodes && *o.nodes * shape.ranks_per_node != shape.world_size)
      throw InputError(fmt::format("--nodes {}: this job has {} ranks, {} per node, so {} nodes", *o.nodes, shape.world_size,
                                   shape.ranks_per_node, shape.world_size / shape.ranks_per_node));
    const Scenario scenario = load_scenario(o.scenario_file, o.scenario.overrides());
    const InstanceType model = o.topology_file.empty() ? scenario.cluster.instance : load_instance_type(o.topology_file);
    if (o.predict && model.gpus_per_node != shape.ranks_per_node)
      throw InputError(fmt::format("--predict: {} has {} GPUs per node but this job runs {} ranks per node; pass --topology FILE "
                                   "describing a node of {}", model.file.empty() ? model.name : model.file, model.gpus_per_node,
                                   shape.ranks_per_node, shape.ranks_per_node));
    mode = o.compute.empty() ? (comm.backend() == "nccl" ? ComputeMode::gpu : ComputeMode::sleep)
                                               : parse_compute_mode(o.compute);
    const Schedule representative =
        scale_schedule(compile_schedule(live_cluster(model, shape), scenario.step, 0), {o.scale_bytes, o.scale_compute});
    check_buffer_limit(representative, max_buffer_bytes(o, shape.ranks_per_node), o.scale_bytes);
    loaded = scenario;
    model_instance = model;
    compiled = representative;
  } catch (const InputError&) {
    comm.barrier();
    throw;
  }
  const Scenario& scenario = *loaded;
  const InstanceType& model = *model_instance;
  const Schedule& representative = *compiled;

  const Schedule mine = rank_program(representative, world.info.rank);
  const auto emulation = make_compute_emulation(mode, world.info.local_rank);
  StepExecutor executor(mine, comm, world.info.node, model, *emulation);
  for (int i = 0; i < o.warmup; ++i) executor.run_once();
  RankTimings timings;
  for (int i = 0; i < o.iterations; ++i) timings.push_back(executor.run_once());
  const WorldTimings all = gather_timings(comm, timings, mine.program.ops.size());
  if (world.info.rank != 0) return 0;

  const StepStatistics stats = step_statistics(all);
  std::optional<StepResult> prediction;
  if (o.predict)
    prediction = simulate_step(make_cluster(model, shape.world_size / shape.ranks_per_node), representative,
                               FlowModel::automatic, load_collective_library("", model));
  StepRunInfo info;
  info.scenario = scenario.name;
  info.strategy = representative.strategy;
  info.backend = comm.backend();
  info.compute_emulation = to_string(mode);
  info.model_instance = model.name;
  info.scale_bytes = o.scale_bytes;
  info.scale_compute = o.scale_compute;
  info.ranks = shape.world_size;
  info.ranks_per_node = shape.ranks_per_node;
  info.scenario_gpus = scenario.cluster.gpus();
  info.warmup = o.warmup;
  info.communicators = executor.communicator_count();
  print_report(info, representative, stats, prediction ? &*prediction : nullptr);
  if (!o.json_file.empty())
    write_file_atomically(o.json_file, step_summary_json(info, representative, stats, prediction ? &*prediction : nullptr,
                                                         model.name).dump(2) + "\n");
  if (!o.trace_file.empty())
    write_file_atomically(o.trace_file, step_trace_json(representative, all, stats.median_iteration, scenario.name));
  return 0;
}

}  // namespace shardsim::runtime
