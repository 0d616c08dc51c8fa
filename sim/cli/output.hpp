// Writing result files safely: content goes to a temporary file beside the target, which is then
// renamed over it, so an interrupted run never leaves a truncated file or clobbers a good one.
#pragma once

#include <string>

namespace shardsim::cli {

void write_file_atomically(const std::string& path, const std::string& content);

// Parses a size given on the command line ("1G", "64MiB") or throws InputError naming the flag.
std::uint64_t size_flag(const std::string& flag, const std::string& text);

}  // namespace shardsim::cli
