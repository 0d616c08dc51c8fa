#include "sim/cli/commands.hpp"

#include "sim/about/build_info.hpp"

namespace shardsim::cli {

void register_all_commands(CLI::App& app) {
  app.require_subcommand(1);
  app.set_version_flag("--version", version_string("shardsim"));
  register_topology(app);
  register_collective(app);
  register_formula(app);
  register_bench(app);
  register_simulate(app);
  register_schedule(app);
  register_plan(app);
  register_scaling(app);
  register_nccl(app);
  register_env(app);
}

}  // namespace shardsim::cli
