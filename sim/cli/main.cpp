#include "sim/cli/commands.hpp"
#include "sim/cli/output.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/output_file.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstring>
#include <new>
#include <system_error>

namespace {

void report(std::string_view kind, std::string_view message) noexcept {
  shardsim::print_error_line("shardsim", kind, message);
}

}  // namespace

// Exit status: 0 ok, 1 a user error (bad input, an output that cannot be written, a full disk or
// a closed standard output), 2 a bug. Every error is one line on stderr; a failure to write that
// line is ignored, never a crash.
int main(int argc, char** argv) {
  shardsim::prepare_process_io();
  CLI::App app{"shardsim: simulate and size sharding strategies (ZeRO, MiCS) for large-model training"};
  shardsim::cli::register_all_commands(app);
  shardsim::cli::check_output_options(app);
  int status = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    status = app.exit(e);
  } catch (const CLI::ParseError& e) {
    report("error", e.what());
    status = 1;
  } catch (const shardsim::InputError& e) {
    report("error", e.what());
    status = 1;
  } catch (const std::system_error& e) {
    // fmt::print throws when standard output cannot take the text (full disk, closed pipe).
    if (shardsim::stdout_failed()) {
      report("error", fmt::format("standard output: write error ({})", std::strerror(e.code().value())));
      status = 1;
    } else {
      report("internal error", e.what());
      status = 2;
    }
  } catch (const std::bad_alloc&) {
    report("error", "out of memory (the input is too large for this machine)");
    status = 2;
  } catch (const std::exception& e) {
    report("internal error", e.what());
    status = 2;
  } catch (...) {
    report("internal error", "unknown exception");
    status = 2;
  }
  try {
    shardsim::finish_stdout();
  } catch (const shardsim::InputError& e) {
    if (status == 0) {
      report("error", e.what());
      status = 1;
    }
  }
  return status;
}
