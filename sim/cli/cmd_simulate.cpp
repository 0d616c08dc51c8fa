// `shardsim simulate SCENARIO.json [--nodes 32 --strategy mics --partition-size 16] [--json] [--trace out.json]`
#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/cli/scenario_options.hpp"
#include "sim/input/input_error.hpp"
#include "sim/model/memory.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/model/transformer.hpp"
#include "sim/scenario/simulation_size.hpp"
#include "sim/stepsim/deepspeed_timer_log.hpp"
#include "sim/stepsim/exposed_time.hpp"
#include "sim/stepsim/pass_times.hpp"
#include "sim/stepsim/step_metrics.hpp"
#include "sim/stepsim/trace.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace shardsim::cli {
namespace {

struct SimulateOptions {
  ScenarioOptions scenario;
  bool json = false;
  std::string trace;
  std::vector<int> trace_ranks{0};
  bool trace_ranks_given = false;
  std::string deepspeed_log;
};

// Each rank is a process in the trace with every op of the step; past this the file is too big to open.
constexpr std::size_t kMaxTraceRanks = 256;

void run_simulate(const SimulateOptions& o) {
  if (o.trace_ranks_given && o.trace.empty()) throw InputError("--trace-ranks needs --trace FILE, the trace to write them to");
  if (o.trace_ranks.size() > kMaxTraceRanks)
    throw InputError(fmt::format("--trace-ranks: {} ranks, more than the {} a trace holds; name fewer", o.trace_ranks.size(), kMaxTraceRanks));
  const Scenario sc = o.scenario.load();
  // Read before simulating, so a bad log fails fast and prints nothing.
  std::optional<MeasuredPasses> measured;
  if (!o.deepspeed_log.empty()) measured = read_deepspeed_timer_log(o.deepspeed_log, sc.step.accumulation_steps);
  const MemoryBreakdown mem = estimate_memory(memory_input(sc));
  const std::uint64_t capacity = sc.cluster.instance.gpu.memory_bytes;
  if (!fits(mem, capacity))
    throw InputError(fmt::format("{} with {} on {} x {} does not fit: {} per GPU needed, {} available; the largest consumer is {}",
                                 sc.step.model.name, to_string(sc.step.strategy.strategy), sc.cluster.nodes, sc.cluster.instance.name,
                                 format_size(mem.total_bytes), format_size(capacity), mem.largest_component));
  const Schedule schedule = compile_schedule(sc.cluster, sc.step);
  check_simulation_size(schedule);
  const CollectiveLibrary library = load_collective_library(sc.collective_library, sc.cluster.instance);
  const StepResult r = simulate_step(sc.cluster, schedule, FlowModel::automatic, library);
  const StepMetrics m = step_metrics(sc, r);
  if (!o.trace.empty())
    write_file_atomically(o.trace, perfetto_trace_json_of_ranks(schedule, r.ops, o.trace_ranks, sc.name));
  const ResolvedStrategy strategy = resolve_strategy(sc.cluster, sc.step.strategy);
  const ExposedTime exposed = exposed_time(schedule, r);
  const StepPasses passes = pass_times(schedule, r);
  if (o.json) {
    nlohmann::ordered_json j;
    j["scenario"] = sc.name;
    j["model"] = sc.step.model.name;
    j["parameters"] = parameter_count(sc.step.model);
    j["active_parameters"] = active_parameter_count(sc.step.model);
    j["seq_len"] = sc.step.model.seq_len;
    j["seq_len_source"] = sc.step.model.seq_len_source;
    j["notes"] = sc.notes;
    j["instance"] = sc.cluster.instance.name;
    j["nodes"] = sc.cluster.nodes;
    j["gpus"] = sc.cluster.gpus();
    j["gpu_memory_bytes"] = sc.cluster.instance.gpu.memory_bytes;
    j["strategy"] = to_string(strategy.strategy);
    j["partition_size"] = strategy.partition_size;
    j["hierarchical_gather"] = strategy.hierarchical_gather;
    j["micro_batch"] = sc.step.micro_batch;
    j["accumulation_steps"] = sc.step.accumulation_steps;
    j["collective_library"] = library.name;
    j["framework"] = sc.step.framework.name;
    j["attention_kernel"] = to_string(sc.step.kernels.attention);
    j["elementwise_kernels"] = to_string(sc.step.kernels.elementwise);
    j["step_time_s"] = m.step_time_s;
    j["samples_per_s"] = m.samples_per_s;
    j["tokens_per_s"] = m.tokens_per_s;
    j["tflops_per_gpu"] = m.tflops_per_gpu;
    j["model_tflops_per_gpu"] = m.model_tflops_per_gpu;
    j["percent_of_peak"] = m.percent_of_peak;
    j["compute_s"] = m.compute_s;
    j["exposed_comm_s"] = m.exposed_comm_s;
    // Why the step is slower than its compute (stepsim/exposed_time.hpp): these add up to exposed_comm_s.
    j["exposed_time_s"] = {{"host_overhead", exposed.host_overhead_s},
                           {"latency", exposed.latency_s},
                           {"fifo_waits", exposed.fifo_s},
                           {"bandwidth", exposed.bandwidth_s},
                           {"other_waits", exposed.other_s}};
    j["interference_s"] = r.interference_s;
    // The passes as a framework's own timers divide the step (stepsim/pass_times.hpp), to set beside
    // DeepSpeed's wall_clock_breakdown or a training loop's timers.
    j["passes"] = passes_json(passes);
    if (measured) {
      const PassComparison c = compare_passes(passes, *measured);
      const auto error = [](const std::optional<double>& e) { return e ? nlohmann::ordered_json(*e) : nlohmann::ordered_json(); };
      j["measured_passes"] = {{"file", measured->file},
                              {"micro_steps", measured->micro_steps},
                              {"running_totals", measured->running_totals},
                              {"forward_s", measured->forward_s},
                              {"backward_s", measured->backward_s},
                              {"optimizer_s", measured->optimizer_s},
                              {"errors", {{"forward", error(c.forward)}, {"backward", error(c.backward)}, {"optimizer", error(c.optimizer)}}}};
    }
    j["memory_per_gpu_bytes"] = mem.total_bytes;
    j["fits"] = true;
    for (const auto& [name, bytes] : mem.components) j["memory_breakdown_bytes"][name] = bytes;
    for (const auto& c : r.collectives)
      j["collectives"].push_back({{"group", c.role}, {"op", c.kind}, {"count", c.count}, {"bytes", c.bytes}, {"busy_s", c.busy_s}});
    j["flow_model"] = to_string(r.model_used);
    j["events"] = r.events;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  const TransformerModel& model = sc.step.model;
  const std::string active = active_parameter_count(model) != parameter_count(model)
                                 ? fmt::format(", {:.1f}B active per token", active_parameter_count(model) / 1e9)
                                 : "";
  fmt::print("{}: {} ({:.1f}B parameters{}) on {} x {} ({} GPUs)\n", sc.name, model.name, parameter_count(model) / 1e9, active,
             sc.cluster.nodes, sc.cluster.instance.name, sc.cluster.gpus());
  fmt::print("{}\n", seq_len_description(model));
  for (const auto& note : sc.notes) fmt::print("note: {}\n", note);
  const std::string gather =
      strategy.hierarchical_gather_knob ? fmt::format(", hierarchical gather {}", strategy.hierarchical_gather ? "on" : "off") : "";
  fmt::print("strategy {} (partition size {}{}), micro-batch {}, {} micro-steps\n", to_string(strategy.strategy),
             strategy.partition_size, gather, sc.step.micro_batch, sc.step.accumulation_steps);
  fmt::print("framework {}{}\n", sc.step.framework.name,
             sc.step.framework.ideal ? " (no host costs: the layer-wise reference schedule)" : " (topologies/frameworks/" + sc.step.framework.name + ".json)");
  fmt::print("kernels: attention {}, element-wise {}\n", to_string(sc.step.kernels.attention), to_string(sc.step.kernels.elementwise));
  fmt::print("collectives on {}\n\n", library.is_nccl() ? "NCCL " + library.name + " (its algorithm and protocol per call)" : library.name);
  fmt::print("step time            {}\n", format_time(m.step_time_s));
  fmt::print("throughput           {:.1f} samples/s, {:.0f} tokens/s\n", m.samples_per_s, m.tokens_per_s);
  fmt::print("TFLOPS per GPU       {:.1f} hardware (incl. recomputation, {:.1f}% of peak), {:.1f} model (6*params*tokens)\n",
             m.tflops_per_gpu, m.percent_of_peak, m.model_tflops_per_gpu);
  fmt::print("compute              {}\n", format_time(m.compute_s));
  fmt::print("exposed comm         {} (host overhead {}, latency {}, FIFO waits {}, bandwidth {}, other waits {})\n",
             format_time(m.exposed_comm_s), format_time(exposed.host_overhead_s), format_time(exposed.latency_s),
             format_time(exposed.fifo_s), format_time(exposed.bandwidth_s), format_time(exposed.other_s));
  fmt::print("interference         {} (compute time lost to collectives in flight)\n", format_time(r.interference_s));
  const MicroStepPasses mean = mean_micro_step(passes);
  fmt::print("passes               forward {}, backward {}{}, optimizer step {} (as DeepSpeed's wall_clock_breakdown times them)\n",
             format_time(mean.forward_s), format_time(mean.backward_s),
             passes.micro_steps.size() > 1 ? " per micro-step" : "", format_time(passes.optimizer_s));
  if (measured) {
    const PassComparison c = compare_passes(passes, *measured);
    const auto pct = [](const std::optional<double>& e) { return e ? fmt::format("{:+.1f}%", 100 * *e) : std::string("-"); };
    fmt::print("measured             forward {}, backward {}, optimizer step {} (median of {} micro-steps in {}{}); "
               "predicted against measured: {}, {}, {}\n",
               format_time(measured->forward_s), format_time(measured->backward_s), format_time(measured->optimizer_s),
               measured->micro_steps, measured->file, measured->running_totals ? ", running totals differenced" : "",
               pct(c.forward), pct(c.backward), pct(c.optimizer));
  }
  fmt::print("\nmemory per GPU       {} of {}\n", format_size(mem.total_bytes), format_size(sc.cluster.instance.gpu.memory_bytes));
  for (const auto& [name, bytes] : mem.components) fmt::print("  {:<22} {}\n", name, format_size(static_cast<std::uint64_t>(bytes)));
  fmt::print("\n{:<12} {:<16} {:>6} {:>14} {:>12}\n", "group", "collective", "count", "bytes", "busy");
  for (const auto& c : r.collectives)
    fmt::print("{:<12} {:<16} {:>6} {:>14} {:>12}\n", c.role, c.kind, c.count, format_size(static_cast<std::uint64_t>(c.bytes)), format_time(c.busy_s));
  fmt::print("\n({} events, flow model {})\n", r.events, to_string(r.model_used));
}

}  // namespace

void register_simulate(CLI::App& app) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand("simulate", "Simulate one training step of a scenario");
  o->scenario.add_to(cmd);
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->add_option("--trace", o->trace, "Write a Chrome/Perfetto trace (rank 0 unless --trace-ranks)");
  cmd->add_option("--trace-ranks", o->trace_ranks, "Ranks in the trace, one process each (e.g. 0,8,15)")
      ->delimiter(',')
      ->each([o](const std::string&) { o->trace_ranks_given = true; });
  cmd->add_option("--deepspeed-log", o->deepspeed_log,
                  "A DeepSpeed log written with \"wall_clock_breakdown\": true: its measured forward, backward and optimizer-step "
                  "times beside the simulated ones");
  cmd->callback([o] { run_simulate(*o); });
}

}  // namespace shardsim::cli
