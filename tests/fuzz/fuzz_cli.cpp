// Fuzzes the shardsim command line: the input is an argument list, one argument per line, parsed
// by a CLI::App with every subcommand registered exactly as sim/cli/main.cpp does. CLI11's parse
// errors, --help/--version and InputError are expected (exit 1 / 0 in the CLI); anything else is a
// bug. The callbacks of `formula` and `topology` run for real (they are cheap and validate their
// flags in the callback); the others would simulate training steps or plan sweeps, far too slow
// for a fuzz loop, so only their parsing is fuzzed. Inputs with a
// '/' are skipped: a path argument would make the callbacks read arbitrary files (/dev/zero never
// ends), and file contents are the other targets' job.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/cli/commands.hpp"

#include <CLI/CLI.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace {
// Thrown by the parse-complete callback to stop before a slow subcommand's callback runs.
struct SkipCallbacks {};
}  // namespace

SHARDSIM_FUZZ_TARGET(cli) {
  if (size > 4096) return 0;
  if (std::memchr(data, '/', size) != nullptr) return 0;
  // Callbacks print tables; the fuzzer's own output goes to stderr.
  static const bool quiet = [] { std::fflush(stdout); return std::freopen("/dev/null", "w", stdout) != nullptr; }();
  (void)quiet;

  std::vector<std::string> args{"shardsim"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n') { args.push_back(current); current.clear(); }
    else current.push_back(c);
  }
  if (!current.empty()) args.push_back(current);
  if (args.size() > 64) return 0;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  CLI::App app{"shardsim (fuzzed)"};
  shardsim::cli::register_all_commands(app);
  // The subcommands' options live in objects their callbacks own, so the callbacks stay; the main
  // app's parse-complete callback runs after every option is parsed and validated and before any
  // subcommand callback, and stops there for the slow subcommands.
  app.parse_complete_callback([&app] {
    for (const CLI::App* sub : app.get_subcommands())
      if (sub->get_name() != "formula" && sub->get_name() != "topology") throw SkipCallbacks{};
  });

  shardsim::fuzz::expect_only_input_errors("fuzz_cli", [&] {
    try {
      app.parse(static_cast<int>(args.size()), argv.data());
    } catch (const CLI::Success&) {
    } catch (const CLI::ParseError&) {
    } catch (const SkipCallbacks&) {
    }
  });
  return 0;
}
