// Writing result files safely: content goes to a temporary file beside the target, which is then
// renamed over it, so an interrupted run never leaves a truncated file or clobbers a good one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim::cli {

void write_file_atomically(const std::string& path, const std::string& content);

// Parses a size given on the command line ("1G", "64MiB") or throws InputError naming the flag.
std::uint64_t size_flag(const std::string& flag, const std::string& text);

// The sizes a command runs, as nccl-tests' -b/-e/-f: --bytes alone, or --min-bytes up to
// --max-bytes, each `factor` times the last (either bound alone means that one size). Throws
// InputError naming the flag for a zero size, reversed bounds, a factor <= 1 or too many sizes.
std::vector<std::uint64_t> sweep_sizes(const std::string& bytes, const std::string& min_bytes, const std::string& max_bytes,
                                       double factor);

}  // namespace shardsim::cli
