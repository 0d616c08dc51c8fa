#include "sim/cli/commands.hpp"
#include "sim/input/input_error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"shardsim: simulate and size sharding strategies (ZeRO, MiCS) for large-model training"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "shardsim 0.1.0");
  shardsim::cli::register_topology(app);
  shardsim::cli::register_collective(app);
  shardsim::cli::register_formula(app);
  shardsim::cli::register_bench(app);
  shardsim::cli::register_simulate(app);
  shardsim::cli::register_schedule(app);
  shardsim::cli::register_plan(app);
  shardsim::cli::register_scaling(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "shardsim: error: {}\n", e.what());
    return 1;
  } catch (const shardsim::InputError& e) {
    fmt::print(stderr, "shardsim: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "shardsim: internal error: {}\n", e.what());
    return 2;
  }
  return 0;
}
