// `shardsim scaling --model M --instance I --gpus 16,32,64,128,256,512 --strategies zero3,mics`
#include "sim/cli/candidate_json.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/planner/scaling.hpp"
#include "sim/scenario_cli/scenario_flags.hpp"
#include "sim/scenario/strategy_name.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <optional>
#include <sstream>

namespace shardsim::cli {
namespace {

struct ScalingOptions {
  std::string model = "gpt2-small";
  std::optional<int> seq_len;
  std::string instance = "p4d.24xlarge";
  std::vector<int> gpus{16, 32, 64, 128, 256, 512};
  std::vector<std::string> strategies{"zero3", "mics"};
  std::optional<int> partition_size;  // unset: the strategy's default; given, at least 1
  std::string hierarchical = "on";
  int micro_batch = 1;
  int accumulation = 1;
  std::string csv;
  bool json = false;
  int threads = 0;
  std::string nccl;
  std::string framework;
  std::string attention, elementwise;  // --attention, --elementwise
};

std::string label(const Candidate& c) {
  std::string out = to_string(c.strategy.strategy);
  if (c.resolved.has_partition_group()) out += fmt::format(" p={}", c.resolved.partition_size);
  if (c.resolved.hierarchical_gather) out += " hier";
  return out;
}

void run_scaling_command(const ScalingOptions& o) {
  ScalingRequest r;
  r.model = load_model(o.model);
  if (o.seq_len) set_seq_len(r.model, *o.seq_len, "--seq-len");
  r.instance = o.instance;
  r.gpus = o.gpus;
  std::vector<int> sorted = o.gpus;
  std::sort(sorted.begin(), sorted.end());
  if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
    throw InputError(fmt::format("--gpus: {} is listed twice", *twice));
  if (o.partition_size && *o.partition_size < 1)
    throw InputError(fmt::format("--partition-size must be at least 1, got {}", *o.partition_size));
  if (o.hierarchical != "on" && o.hierarchical != "off") throw InputError("--hierarchical must be on or off");
  for (const auto& name : o.strategies) {
    StrategyConfig s;
    s.strategy = parse_strategy_name(name, "--framework");
    s.partition_size = o.partition_size.value_or(0);
    s.hierarchical_gather = o.hierarchical == "on";
    r.strategies.push_back(s);
  }
  r.micro_batch = o.micro_batch;
  r.accumulation_steps = o.accumulation;
  if (o.threads < 0) throw InputError("--threads must be positive");
  r.threads = o.threads;
  r.collective_library = o.nccl;
  r.framework = o.framework;
  r.kernels.attention = attention_from_flag(o.attention, r.kernels.attention);
  r.kernels.elementwise = elementwise_from_flag(o.elementwise, r.kernels.elementwise);
  if (!o.framework.empty()) load_framework(o.framework);  // an unknown name fails here, once, not per point
  const auto points = run_scaling(r);
  // A sweep with no point that ran is an error, not an empty success.
  if (!points.empty() && std::none_of(points.begin(), points.end(), [](const auto& pt) { return pt.candidate.simulated; }))
    throw InputError(fmt::format("no point of the sweep could be simulated; the first: {} GPUs: {}", points.front().candidate.gpus,
                                 points.front().candidate.why));

  std::ostringstream csv;
  csv << "mode,strategy,framework,instance,gpus,nodes,partition_size,micro_batch,accumulation_steps,global_batch,step_time_s,tokens_per_s,"
         "tokens_per_s_per_gpu,tflops_per_gpu,efficiency,fits,why,model\n";
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& pt : points) {
    const Candidate& c = pt.candidate;
    csv << fmt::format("{},{},{},{},{},{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{},\"{}\",\"{}\"\n", pt.mode, to_string(c.strategy.strategy),
                       c.framework, c.instance, c.gpus, c.nodes, c.resolved.partition_size, c.micro_batch, c.accumulation_steps, pt.global_batch, c.step_time_s,
                       c.tokens_per_s, pt.tokens_per_s_per_gpu, c.tflops_per_gpu, pt.efficiency, c.fits ? "true" : "false", c.why, r.model.name);
    nlohmann::ordered_json j{{"mode", pt.mode}};
    j.update(candidate_json(c));
    j["global_batch"] = pt.global_batch;
    if (c.simulated) {
      j["tokens_per_s_per_gpu"] = pt.tokens_per_s_per_gpu;
      j["efficiency"] = pt.efficiency;
    }
    rows.push_back(std::move(j));
  }
  if (!o.csv.empty()) write_file_atomically(o.csv, csv.str());
  if (o.json) {
    fmt::print("{}\n", nlohmann::ordered_json{{"model", r.model.name},
                                               {"seq_len", r.model.seq_len},
                                               {"seq_len_source", r.model.seq_len_source},
                                               {"instance", r.instance},
                                               {"points", rows}}
                           .dump(2));
    return;
  }
  fmt::print("scaling of {} on {} (micro-batch {}, {} micro-steps per GPU for weak scaling)\n{}\n", r.model.name, r.instance,
             r.micro_batch, r.accumulation_steps, seq_len_description(r.model));
  std::set<std::string> frameworks;
  for (const auto& pt : points) frameworks.insert(pt.candidate.framework.empty() ? default_framework(pt.candidate.strategy.strategy) : pt.candidate.framework);
  fmt::print("framework profiles: {} (topologies/frameworks/); kernels: attention {}, element-wise {}\n", fmt::join(frameworks, ", "),
             to_string(r.kernels.attention), to_string(r.kernels.elementwise));
  for (const char* mode : {"weak", "strong"}) {
    fmt::print("\n{} scaling ({})\n", mode, std::string(mode) == "weak" ? "batch per GPU fixed" : "global batch fixed");
    fmt::print("{:<18} {:>6} {:>8} {:>12} {:>16} {:>8} {:>11}\n", "strategy", "GPUs", "batch", "step", "tokens/s/GPU", "TFLOPS", "efficiency");
    for (const auto& pt : points) {
      if (pt.mode != mode) continue;
      const Candidate& c = pt.candidate;
      if (!c.simulated) {
        fmt::print("{:<18} {:>6} {:>8} {}\n", label(c), c.gpus, pt.global_batch, "does not run: " + c.why);
        continue;
      }
      fmt::print("{:<18} {:>6} {:>8} {:>11.3f}s {:>16.1f} {:>8.1f} {:>10.1f}%\n", label(c), c.gpus,
                 pt.global_batch, c.step_time_s, pt.tokens_per_s_per_gpu, c.tflops_per_gpu, 100 * pt.efficiency);
    }
  }
}

}  // namespace

void register_scaling(CLI::App& app) {
  auto o = std::make_shared<ScalingOptions>();
  auto* cmd = app.add_subcommand("scaling", "Weak- and strong-scaling efficiency per strategy over cluster sizes");
  cmd->add_option("--model", o->model, "Model preset, model JSON or Hugging Face config.json")->capture_default_str();
  cmd->add_option("--seq-len", o->seq_len, "Training sequence length in tokens (default: the model's, as the output says)");
  cmd->add_option("--instance,--topology", o->instance, "Instance name or topology JSON path")->capture_default_str();
  cmd->add_option("--gpus", o->gpus, "Cluster sizes in GPUs")->delimiter(',')->capture_default_str();
  cmd->add_option("--strategies", o->strategies, "Strategies")->delimiter(',')->capture_default_str();
  cmd->add_option("--framework", o->framework,
                  "Framework profile for every strategy (deepspeed, deepspeed-0.5.6, fsdp, fsdp2, smp, ideal); default: each strategy's");
  add_kernel_flags(cmd, o->attention, o->elementwise);
  cmd->add_option("--nccl", o->nccl, "Collective library: an NCCL version (2.8, 2.12, 2.18, 2.28) or gloo; default: the newest NCCL where the instance describes what NCCL sees");
  cmd->add_option("--partition-size", o->partition_size, "MiCS / hybrid partition size (default: one node)");
  cmd->add_option("--hierarchical", o->hierarchical, "MiCS hierarchical gather: on | off")->capture_default_str();
  cmd->add_option("--micro-batch", o->micro_batch, "Sequences per GPU per micro-step")->capture_default_str();
  cmd->add_option("--accumulation", o->accumulation, "Micro-steps per optimizer step (weak scaling)")->capture_default_str();
  cmd->add_option("--csv", o->csv, "Write the points to this CSV file");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)");
  cmd->callback([o] { run_scaling_command(*o); });
}

}  // namespace shardsim::cli
