// `shardsim schedule SCENARIO.json --rank R [--json]`: the program a strategy compiles for one rank.
#include "sim/cli/commands.hpp"
#include "sim/cli/scenario_options.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/input/input_error.hpp"
#include "sim/schedule/schedule_json.hpp"
#include "sim/strategies/compile.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace shardsim::cli {
namespace {

struct ScheduleOptions {
  ScenarioOptions scenario;
  int rank = 0;
  bool json = false;
};

void run_schedule(const ScheduleOptions& o) {
  const Scenario sc = o.scenario.load();
  if (o.rank < 0 || o.rank >= sc.cluster.gpus())
    throw InputError(fmt::format("--rank {} is outside the cluster of {} GPUs", o.rank, sc.cluster.gpus()));
  const Schedule s = compile_schedule(sc.cluster, sc.step, o.rank);
  if (o.json) {
    fmt::print("{}\n", schedule_to_json(s).dump(2));
    return;
  }
  fmt::print("# {} schedule of rank {} ({} ops, {} groups, {} communicators, {} micro-steps)\n", s.strategy, o.rank,
             s.program.ops.size(), s.groups.size(), s.communicators.size(), s.micro_steps);
  fmt::print("# model {}, {}\n", sc.step.model.name, seq_len_description(sc.step.model));
  for (const auto& note : sc.notes) fmt::print("# note: {}\n", note);
  for (std::size_t i = 0; i < s.program.ops.size(); ++i) {
    const Op& op = s.program.ops[i];
    std::string what;
    if (const auto* c = std::get_if<ComputeOp>(&op.body)) what = fmt::format("compute {:.3g} FLOP {:.3g} B", c->flops, c->hbm_bytes);
    else if (const auto* c = std::get_if<CollectiveOp>(&op.body))
      what = fmt::format("{} {} over {} group {} ({} ranks) on communicator {} ({}), {:.0f} B {}", to_string(c->kind),
                         to_string(c->algorithm), to_string(s.groups[c->group].role), c->group, s.groups[c->group].ranks.size(),
                         c->communicator, s.communicators.at(c->communicator).label, c->bytes, c->dtype);
    else if (const auto* c = std::get_if<CopyOp>(&op.body)) what = fmt::format("copy {:.0f} B", c->bytes);
    else what = fmt::format("host {:.3g} s", std::get<HostOp>(op.body).seconds);
    fmt::print("{:>5} {:<8} {:<22} {}{}\n", i, to_string(op.stream), op.label, what,
               op.deps.empty() ? "" : fmt::format("  after {}", fmt::join(op.deps, ",")));
  }
}

}  // namespace

void register_schedule(CLI::App& app) {
  auto o = std::make_shared<ScheduleOptions>();
  auto* cmd = app.add_subcommand("schedule", "Print the per-rank program a strategy compiles to");
  o->scenario.add_to(cmd);
  cmd->add_option("--rank", o->rank, "Rank whose program to print")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] { run_schedule(*o); });
}

}  // namespace shardsim::cli
