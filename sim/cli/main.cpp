#include "sim/cli/commands.hpp"
#include "sim/input/input_error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"shardsim: simulate and size sharding strategies (ZeRO, MiCS) for large-model training"};
  shardsim::cli::register_all_commands(app);
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
