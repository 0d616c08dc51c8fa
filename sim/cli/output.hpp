// Writing result files safely: content goes to a temporary file beside the target, which is then
// renamed over it, so an interrupted run never leaves a truncated file or clobbers a good one.
#pragma once

#include <CLI/App.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim::cli {

void write_file_atomically(const std::string& path, const std::string& content);

// A CLI11 check for an option naming an output file: the path is checked (shardsim::
// output_path_problem) while the command line is parsed, before any work, and remembered so that
// an input that is the same file is refused.
CLI::Validator output_path_check();
// Adds output_path_check() to every option of every subcommand of `app` that names an output file
// (--csv, --trace, --out, --report).
void check_output_options(CLI::App& app);

// Parses a size given on the command line ("1G", "64MiB") or throws InputError naming the flag.
std::uint64_t size_flag(const std::string& flag, const std::string& text);

// The sizes a command runs, as nccl-tests' -b/-e/-f: --bytes alone, or --min-bytes up to
// --max-bytes, each `factor` times the last (either bound alone means that one size). Throws
// InputError naming the flag for a zero size, reversed bounds, a factor <= 1 or too many sizes.
std::vector<std::uint64_t> sweep_sizes(const std::string& bytes, const std::string& min_bytes, const std::string& max_bytes,
                                       double factor);

}  // namespace shardsim::cli
