// The shardsim subcommands. Each lives in its own file as register_<name>(app), which adds the
// subcommand, its options and a callback. Callbacks throw InputError for bad input; main() turns
// that into one line on stderr and exit status 1 (2 for anything unexpected).
#pragma once

#include <CLI/App.hpp>

namespace shardsim::cli {

void register_topology(CLI::App& app);
void register_collective(CLI::App& app);
void register_formula(CLI::App& app);
void register_bench(CLI::App& app);
void register_simulate(CLI::App& app);
void register_schedule(CLI::App& app);
void register_plan(CLI::App& app);
void register_scaling(CLI::App& app);
void register_nccl(CLI::App& app);
void register_env(CLI::App& app);

// Every subcommand above plus --version: the whole command line, for main() and the CLI fuzzer.
void register_all_commands(CLI::App& app);

}  // namespace shardsim::cli
