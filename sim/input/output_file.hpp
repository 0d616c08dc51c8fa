// Writing result files safely: content goes to a temporary file beside the target, which is then
// renamed over it, so an interrupted run never leaves a truncated file or clobbers a good one.
// In a library (not only the `shardsim` CLI) so the live runtime writes its outputs the same way.
#pragma once

#include <string>

namespace shardsim {

// Throws InputError naming the path when it cannot be written.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace shardsim
