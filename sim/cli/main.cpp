#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/input/exit_status.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstring>
#include <new>
#include <system_error>

// Exit status: 0 ok, 1 a user error (bad input, an output that cannot be written, a full disk or
// a closed standard output), 2 a bug (sim/input/exit_status.hpp). Every error is one line on
// stderr; a failure to write that line is ignored, never a crash.
int main(int argc, char** argv) {
  shardsim::prepare_process_io();
  CLI::App app{"shardsim: simulate and size sharding strategies (ZeRO, MiCS) for large-model training"};
  shardsim::cli::register_all_commands(app);
  shardsim::cli::check_output_options(app);
  return shardsim::exit_status_of("shardsim", [&] {
    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      shardsim::print_error_line("shardsim", "error", e.what());
      return 1;
    }
    return 0;
  });
}
