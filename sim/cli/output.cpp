#include "sim/cli/output.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/output_file.hpp"
#include "sim/units/units.hpp"

#include <fmt/format.h>


namespace shardsim::cli {

void write_file_atomically(const std::string& path, const std::string& content) {
  shardsim::write_file_atomically(path, content);
}

std::uint64_t size_flag(const std::string& flag, const std::string& text) {
  try {
    return parse_size_bytes(text);
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: {}", flag, e.what()));
  }
}

}  // namespace shardsim::cli
