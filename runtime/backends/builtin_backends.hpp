// The backends shardsim-run is built with, registered by name for join_world: "cpu" (Gloo over
// TCP, always) and "nccl" (GPUs; where CUDA and NCCL were not found at configure time, a factory
// that refuses with one line saying so, so `--backend nccl` never reads as a typo). This folder is
// the only place that links every backend; the launch layer below it knows none of them.
#pragma once

#include "runtime/launch/backend_registry.hpp"

#include <string>

namespace shardsim::runtime {

// The command-line settings some backend reads (only Gloo has any today).
struct BuiltinBackendOptions {
  std::string gloo_hostname;      // empty: SHARDSIM_GLOO_HOSTNAME, else a default
  double inter_node_delay_s = 0;  // emulated cluster only: latency of each ring transfer between nodes
};

BackendRegistry builtin_backends(const BuiltinBackendOptions& options);

}  // namespace shardsim::runtime
