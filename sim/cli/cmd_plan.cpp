// `shardsim plan [--model M] [--instances a,b] [--gpus 128,256,512] [--global-batch 1024] ...`
// With no arguments: a 100B model on p4d at 128, 256 and 512 GPUs (the README's main job).
#include "sim/cli/candidate_json.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/collsim/library_plan.hpp"
#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/planner/plan_checks.hpp"
#include "sim/planner/planner.hpp"
#include "sim/planner/progress_bar.hpp"
#include "sim/scenario/deepspeed_emit.hpp"
#include "sim/scenario/fsdp_emit.hpp"
#include "sim/scenario/strategy_name.hpp"
#include "sim/scenario_cli/scenario_flags.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace shardsim::cli {
namespace {

struct PlanOptions {
  std::string model = "gpt-100b";
  std::optional<int> seq_len;
  std::vector<std::string> instances{"p4d.24xlarge"};
  std::vector<int> gpus{128, 256, 512};
  std::vector<int> nodes;
  long long global_batch = 1024;
  std::vector<std::string> strategies{"zero2", "zero3", "mics"};
  int splits = 4;
  // Unset unless given; given, each must be positive (0 is an error, never "no limit").
  std::optional<double> budget;
  std::optional<int> max_nodes;
  std::optional<double> tokens;
  bool gpus_given = false;
  std::string objective = "throughput";
  std::string csv;
  bool json = false;
  int threads = 0;
  int top = 15;
  bool no_checkpointing = false;
  std::string attention, elementwise;  // --attention, --elementwise
  std::string nccl;
  std::vector<std::string> frameworks;
  std::string emit_deepspeed;
  std::string emit_fsdp;
};

std::string strategy_label(const Candidate& c, bool with_framework) {
  std::string s = to_string(c.strategy.strategy);
  if (c.resolved.hierarchical_gather) s += "+hier";
  if (with_framework) s += "@" + c.framework;
  return s;
}

std::string csv_of(const std::vector<Candidate>& cs, const std::string& model) {
  std::ostringstream out;
  out << "instance,nodes,gpus,strategy,framework,partition_size,hierarchical,micro_batch,accumulation_steps,fits,within_constraints,"
         "step_time_s,tokens_per_s,tflops_per_gpu,exposed_comm_s,memory_per_gpu_bytes,cluster_usd_per_hour,usd_per_million_tokens,why,"
         "train_time_s,train_cost_usd,model\n";
  for (const auto& c : cs)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{},{:.6g},{:.9g},\"{}\",{:.9g},{:.9g},\"{}\"\n", c.instance, c.nodes, c.gpus,
                       to_string(c.strategy.strategy), c.framework, c.resolved.partition_size, c.resolved.hierarchical_gather ? "true" : "false", c.micro_batch,
                       c.accumulation_steps, c.fits ? "true" : "false", c.within_constraints ? "true" : "false", c.step_time_s,
                       c.tokens_per_s, c.tflops_per_gpu, c.exposed_comm_s, c.memory_per_gpu_bytes, c.cluster_price_per_hour_usd,
                       c.usd_per_million_tokens, c.why, c.train_time_s, c.train_cost_usd, model);
  return out.str();
}

nlohmann::ordered_json json_of(const Candidate& c, bool with_training) {
  nlohmann::ordered_json j = candidate_json(c);
  j["within_constraints"] = c.within_constraints;
  if (c.simulated) {
    j["exposed_comm_s"] = c.exposed_comm_s;
    j["cluster_usd_per_hour"] = c.cluster_price_per_hour_usd;
    j["usd_per_million_tokens"] = c.usd_per_million_tokens;
    if (with_training) {
      j["train_time_s"] = c.train_time_s;
      j["train_cost_usd"] = c.train_cost_usd;
    }
  }
  return j;
}

// The request the flags describe; throws InputError naming a bad flag.
PlanRequest plan_request(const PlanOptions& o) {
  PlanRequest r;
  r.model = load_model(o.model);
  if (o.seq_len) set_seq_len(r.model, *o.seq_len, "--seq-len");
  r.instances = o.instances;
  if (!o.nodes.empty() && o.gpus_given) throw InputError("--gpus and --nodes both give the cluster sizes: use one");
  if (!o.nodes.empty()) {
    r.gpus.clear();
    for (const auto& inst : o.instances) {
      const int k = load_instance_by_name(inst).gpus_per_node;
      for (int n : o.nodes) {
        if (n < 1) throw InputError(fmt::format("--nodes: {} is not a positive node count", n));
        r.gpus.push_back(n * k);
      }
    }
    std::sort(r.gpus.begin(), r.gpus.end());
    r.gpus.erase(std::unique(r.gpus.begin(), r.gpus.end()), r.gpus.end());
  } else {
    r.gpus = o.gpus;
    std::vector<int> sorted = o.gpus;
    std::sort(sorted.begin(), sorted.end());
    if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
      throw InputError(fmt::format("--gpus: {} is listed twice", *twice));
  }
  r.global_batch = o.global_batch;
  r.collective_library = o.nccl;
  r.frameworks = o.frameworks;
  r.strategies.clear();
  for (const auto& s : o.strategies) r.strategies.push_back(parse_strategy_name(s, "--frameworks"));
  if (o.splits < 1) throw InputError("--splits must be at least 1");
  r.max_micro_batch_splits = o.splits;
  if (o.budget && !(*o.budget > 0 && std::isfinite(*o.budget))) throw InputError("--budget must be a positive $/hour");
  if (o.budget) r.budget_per_hour_usd = *o.budget;
  if (o.max_nodes && *o.max_nodes < 1) throw InputError(fmt::format("--max-nodes must be at least 1, got {}", *o.max_nodes));
  if (o.max_nodes) r.max_nodes = *o.max_nodes;
  if (o.tokens && !(*o.tokens > 0 && std::isfinite(*o.tokens))) throw InputError("--tokens must be a positive count");
  if (o.tokens) r.train_tokens = *o.tokens;
  if (o.top < 0) throw InputError(fmt::format("--top must be at least 0, got {}", o.top));
  r.objective = parse_plan_objective(o.objective, "--objective");
  r.activation_checkpointing = !o.no_checkpointing;
  r.kernels.attention = attention_from_flag(o.attention, r.kernels.attention);
  r.kernels.elementwise = elementwise_from_flag(o.elementwise, r.kernels.elementwise);
  if (o.threads < 0) throw InputError("--threads must be positive");
  r.threads = o.threads;
  return r;
}

void print_plan_json(const PlanRequest& r, const PlanResult& plan) {
  nlohmann::ordered_json j;
  j["model"] = r.model.name;
  j["parameters"] = parameter_count(r.model);
  j["active_parameters"] = active_parameter_count(r.model);
  j["seq_len"] = r.model.seq_len;
  j["seq_len_source"] = r.model.seq_len_source;
  j["global_batch"] = r.global_batch;
  j["objective"] = to_string(r.objective);
  j["attention_kernel"] = to_string(r.kernels.attention);
  j["elementwise_kernels"] = to_string(r.kernels.elementwise);
  if (r.train_tokens) j["train_tokens"] = *r.train_tokens;
  if (plan.recommended) {
    j["recommendation"] = json_of(plan.candidates[*plan.recommended], r.train_tokens.has_value());
    j["recommendation"]["reason"] = plan.reason;
  } else {
    j["recommendation"] = nullptr;
    j["reason"] = plan.reason;
  }
  j["candidates"] = nlohmann::ordered_json::array();
  for (const auto& c : plan.candidates) j["candidates"].push_back(json_of(c, r.train_tokens.has_value()));
  fmt::print("{}\n", j.dump(2));
}

void print_plan_table(const PlanRequest& r, const PlanResult& plan, int top) {
  std::vector<const Candidate*> ranked;
  int infeasible = 0, not_simulated = 0;
  for (const auto& c : plan.candidates) {
    if (c.simulated) ranked.push_back(&c);
    else ++(c.fits ? not_simulated : infeasible);
  }
  // Ranked as the recommendation is, constraint-breaking candidates included (marked).
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Candidate* a, const Candidate* b) { return ranks_before(*a, *b, r.objective); });
  fmt::print("plan for {} ({:.1f}B parameters), global batch {} sequences of {} tokens ({})\n", r.model.name,
             parameter_count(r.model) / 1e9, r.global_batch, r.model.seq_len, r.model.seq_len_source);
  std::set<std::string> frameworks;
  for (const auto& c : plan.candidates) frameworks.insert(c.framework);
  fmt::print("framework profiles: {} (topologies/frameworks/); kernels: attention {}, element-wise {}\n", fmt::join(frameworks, ", "),
             to_string(r.kernels.attention), to_string(r.kernels.elementwise));
  // The collective library each instance runs (--nccl, else the instance's default).
  std::vector<std::string> libraries;
  for (const auto& inst : r.instances) {
    const std::string name = r.collective_library.empty() ? default_collective_library(load_instance_by_name(inst)) : r.collective_library;
    libraries.push_back(fmt::format("{} on {}", name == "gloo" ? "Gloo" : "NCCL " + name, inst));
  }
  fmt::print("collectives: {}\n", fmt::join(libraries, ", "));
  fmt::print("ranked by {}{}\n", to_string(r.objective),
             r.objective == PlanObjective::cost ? " ($ per million tokens)" : r.objective == PlanObjective::time ? " (time to train)" : " (tokens/s)");
  fmt::print("{} candidates: {} fit in memory, {} do not{}\n\n", plan.candidates.size(), ranked.size() + not_simulated, infeasible,
             not_simulated ? fmt::format("; {} that fit are too large to simulate (--json or --csv says why)", not_simulated) : "");
  const bool training = r.train_tokens.has_value();
  fmt::print("{:<14} {:>5} {:<16} {:>4} {:>3}x{:<3} {:>10} {:>11} {:>8} {:>11} {:>9} {:>9}{}\n", "instance", "GPUs", "strategy", "p", "mb", "acc",
             "step", "tokens/s", "TFLOPS", "mem/GPU", "$/h", "$/Mtok", training ? fmt::format(" {:>12} {:>11}", "to train", "$ to train") : "");
  int shown = 0;
  for (const Candidate* c : ranked) {
    if (shown++ >= top) break;
    fmt::print("{:<14} {:>5} {:<16} {:>4} {:>3}x{:<3} {:>10} {:>11.0f} {:>8.1f} {:>7.1f} GiB {:>9.0f} {:>9.3f}{}{}\n", c->instance, c->gpus,
               strategy_label(*c, frameworks.size() > 1), c->resolved.partition_size, c->micro_batch, c->accumulation_steps, format_time(c->step_time_s), c->tokens_per_s,
               c->tflops_per_gpu, c->memory_per_gpu_bytes / kGiB, c->cluster_price_per_hour_usd, c->usd_per_million_tokens,
               training ? fmt::format(" {:>12} {:>11.0f}", format_training_time(c->train_time_s), c->train_cost_usd) : "",
               c->within_constraints ? "" : "  (" + c->why + ")");
  }
  if (static_cast<int>(ranked.size()) > top) fmt::print("... {} more (--top N, --csv FILE or --json for all)\n", ranked.size() - top);
  fmt::print("\nrecommendation: {}\n", plan.reason);
  if (plan.recommended && r.train_tokens) {
    const Candidate& c = plan.candidates[*plan.recommended];
    fmt::print("training {:.3g} tokens: {}, ${:.0f}\n", *r.train_tokens, format_training_time(c.train_time_s), c.train_cost_usd);
  }
}

// The recommendation as files to launch with: a DeepSpeed config (which `simulate --deepspeed`
// reads back to the same prediction) and FSDP2 settings, each with its launch line.
void emit_recommendation(const PlanRequest& r, const PlanResult& plan, const PlanOptions& o) {
  if (!plan.recommended) throw InputError("--emit-deepspeed/--emit-fsdp: no candidate is recommended, so there is no configuration to write");
  const Candidate& c = plan.candidates[*plan.recommended];
  StepConfig step;
  step.model = r.model;
  step.strategy = c.strategy;
  step.micro_batch = c.micro_batch;
  step.accumulation_steps = c.accumulation_steps;
  step.activation_checkpointing = r.activation_checkpointing;
  step.kernels = r.kernels;
  const Cluster cluster = make_cluster(load_instance_by_name(c.instance), c.nodes);
  // Under --json stdout holds one JSON document: the notes go to stderr.
  std::FILE* out = o.json ? stderr : stdout;
  if (!o.emit_deepspeed.empty()) {
    write_file_atomically(o.emit_deepspeed, deepspeed_config_for(cluster, step).dump(2) + "\n");
    fmt::print(out, "\nwrote {} (DeepSpeed config of the recommendation); launch with:\n  {}\n", o.emit_deepspeed,
               deepspeed_launch_line(cluster, o.emit_deepspeed));
  }
  if (!o.emit_fsdp.empty()) {
    write_file_atomically(o.emit_fsdp, fsdp_config_for(cluster, step).dump(2) + "\n");
    fmt::print(out, "\nwrote {} (FSDP2 settings of the recommendation); launch with:\n  {}\n", o.emit_fsdp, torchrun_launch_line(cluster));
  }
}

void run_plan_command(const PlanOptions& o) {
  const PlanRequest r = plan_request(o);
  ProgressBar bar(stderr, isatty(STDERR_FILENO));
  auto progress = [&](int done, int total) { bar.update(done, total); };
  const PlanResult plan = run_plan(r, progress);
  if (!o.csv.empty()) write_file_atomically(o.csv, csv_of(plan.candidates, r.model.name));
  check_rankable(r, plan);  // nothing to recommend: one line naming why, exit 1
  if (o.json) print_plan_json(r, plan);
  else print_plan_table(r, plan, o.top);
  if (!o.emit_deepspeed.empty() || !o.emit_fsdp.empty()) emit_recommendation(r, plan, o);
}

}  // namespace

void register_plan(CLI::App& app) {
  auto o = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand("plan", "Size partition groups and pick instances: sweep strategies, p and batch splits, rank them");
  cmd->add_option("--model", o->model, "Model preset, model JSON or Hugging Face config.json")->capture_default_str();
  cmd->add_option("--seq-len", o->seq_len, "Training sequence length in tokens (default: the model's, as the output says)");
  cmd->add_option("--instances,--instance,--topologies", o->instances, "Instance names or topology JSON paths (--instance for one)")->delimiter(',')->capture_default_str();
  auto* gpus = cmd->add_option("--gpus", o->gpus, "Cluster sizes in GPUs")->delimiter(',')->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Cluster sizes in nodes (instead of --gpus)")->delimiter(',');
  cmd->add_option("--global-batch", o->global_batch, "Sequences per optimizer step")->capture_default_str();
  cmd->add_option("--strategies", o->strategies, "Strategies to sweep")->delimiter(',')->capture_default_str();
  cmd->add_option("--nccl", o->nccl, "Collective library: an NCCL version (2.8, 2.12, 2.18, 2.28) or gloo; default: the newest NCCL where the instance describes what NCCL sees");
  cmd->add_option("--frameworks", o->frameworks,
                  "Framework profiles to sweep (deepspeed, deepspeed-0.5.6, fsdp, fsdp2, smp, ideal); default: each strategy's "
                  "(deepspeed for ZeRO and MiCS)")->delimiter(',');
  cmd->add_option("--splits", o->splits, "Micro-batch sizes to try per cluster size")->capture_default_str();
  cmd->add_option("--budget", o->budget, "Maximum cluster price, $/hour");
  cmd->add_option("--max-nodes", o->max_nodes, "Maximum node count");
  cmd->add_option("--tokens", o->tokens, "Tokens to train, to report total time and cost");
  cmd->add_option("--objective", o->objective,
                  "Rank by throughput (tokens/s), time (to train --tokens: the same order) or cost ($ per million tokens, i.e. to train --tokens)")
      ->capture_default_str();
  cmd->add_option("--csv", o->csv, "Write every candidate to this CSV file");
  cmd->add_flag("--json", o->json, "Print one JSON document (recommendation, candidates)");
  cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)");
  cmd->add_option("--top", o->top, "Rows in the table")->capture_default_str();
  cmd->add_flag("--no-checkpointing", o->no_checkpointing, "Disable activation checkpointing");
  add_kernel_flags(cmd, o->attention, o->elementwise);
  cmd->add_option("--emit-deepspeed", o->emit_deepspeed,
                  "Write the recommendation as a DeepSpeed config JSON to this file (and print the deepspeed launch line)");
  cmd->add_option("--emit-fsdp", o->emit_fsdp,
                  "Write the recommendation's FSDP2 settings (mesh, reshard_after_forward, ...) as JSON to this file (and print the torchrun line)");
  cmd->callback([o] { run_plan_command(*o); });
  cmd->callback([o, gpus] {
    o->gpus_given = gpus->count() > 0;
    run_plan_command(*o);
  });
}

}  // namespace shardsim::cli
