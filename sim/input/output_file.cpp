#include "sim/input/output_file.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace shardsim {

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(fmt::format("{}: is a directory, expected a file path", path));
  const fs::path target(path);
  const fs::path tmp = target.parent_path() / fmt::format(".{}.tmp.{}", target.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(fmt::format("{}: cannot write ({})", path, std::strerror(errno)));
    out << content;
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw InputError(fmt::format("{}: write failed ({})", path, std::strerror(errno)));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InputError(fmt::format("{}: cannot replace file ({})", path, ec.message()));
  }
}

}  // namespace shardsim
