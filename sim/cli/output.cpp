#include "sim/cli/output.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/input/output_file.hpp"
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>


namespace shardsim::cli {

void write_file_atomically(const std::string& path, const std::string& content) {
  shardsim::write_file_atomically(path, content);
}

CLI::Validator output_path_check() {
  return CLI::Validator(
      [](std::string& path) {
        const std::string problem = shardsim::output_path_problem(path);
        return problem.empty() ? std::string() : fmt::format("{}: {}", path.empty() ? "''" : path, problem);
      },
      "", "output path");
}

void check_output_options(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    for (const char* name : {"--csv", "--trace", "--out", "--report"})
      if (CLI::Option* option = sub->get_option_no_throw(name); option != nullptr && option->get_type_size() != 0)
        option->check(output_path_check());
    check_output_options(*sub);
  }
}

std::uint64_t size_flag(const std::string& flag, const std::string& text) {
  try {
    return parse_size_bytes(text);
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: {}", flag, e.what()));
  }
}

std::vector<std::uint64_t> sweep_sizes(const std::string& bytes, const std::string& min_bytes, const std::string& max_bytes,
                                       double factor) {
  std::vector<std::uint64_t> sizes;
  if (min_bytes.empty() && max_bytes.empty()) {
    sizes.push_back(size_flag("--bytes", bytes));
    if (sizes.front() == 0) throw InputError("--bytes must be positive");
    return sizes;
  }
  const std::uint64_t lo = size_flag("--min-bytes", min_bytes.empty() ? max_bytes : min_bytes);
  const std::uint64_t hi = size_flag("--max-bytes", max_bytes.empty() ? min_bytes : max_bytes);
  if (lo == 0) throw InputError("--min-bytes must be positive");
  if (hi < lo) throw InputError("--max-bytes is smaller than --min-bytes");
  if (!(factor > 1)) throw InputError("--factor must be greater than 1");
  for (double s = static_cast<double>(lo); s <= static_cast<double>(hi); s *= factor) {
    sizes.push_back(static_cast<std::uint64_t>(s));
    if (static_cast<std::int64_t>(sizes.size()) > limits::kMaxSweepSizes)
      throw InputError(fmt::format("--min-bytes/--max-bytes/--factor give more than {} sizes (sim/input/limits.hpp)",
                                   limits::kMaxSweepSizes));
  }
  return sizes;
}

}  // namespace shardsim::cli
