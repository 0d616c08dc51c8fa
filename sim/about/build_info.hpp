// What was built: the version (CMake's project version and the git commit the build was configured
// at, when the source is a git checkout) and the build options that change what the binaries can
// do (build type, sanitizers, whether shardsim-run's NCCL backend was built and with which CUDA,
// NCCL and cuBLAS, or why not). Fixed at configure time, so the same build always prints the same.
#pragma once

#include <string>

namespace shardsim {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string git_commit;  // 12 hex digits, "" outside a git checkout
  std::string build_type;  // "Release", ...
  std::string compiler;    // "GNU 12.2.0"
  bool sanitizers = false; // SHARDSIM_SANITIZE (ASan + UBSan)
  bool nccl_backend = false;     // shardsim-run --backend nccl available
  std::string nccl_missing;      // why not, as CMake said ("" when built)
  std::string cuda_version;      // "" when the CUDA Toolkit was not found
  std::string nccl_version_code; // NCCL_VERSION_CODE of nccl.h, "" when not found
  std::string cublas;            // the cuBLAS library loaded at run time, "" when not found
};

const BuildInfo& build_info();

// "shardsim 0.1.0 (git 1234abcd5678)": what `--version` prints for `program`.
std::string version_string(const std::string& program);

}  // namespace shardsim
