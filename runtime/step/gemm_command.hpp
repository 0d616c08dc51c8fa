// `shardsim-run gemm`: how fast each rank's device runs the GEMMs a compute op stands for, so that
// shardsim-calibrate can fit the GPU's compute efficiency (achieved GEMM FLOP/s over its peak).
// Every rank runs the same sweep of FLOP counts at once, as the GPUs of a training step do, through
// the compute emulation a live step uses (compute_emulation.hpp): real bf16 GEMMs through cuBLAS
// with --compute gpu (the default on the nccl backend), or the sleep/busy stand-ins on CPUs, which
// take the time --instance's modelled rate gives and so check the pipeline, not a device. A row's
// time is the slowest rank's median call: a synchronous step waits for its slowest GPU.
#pragma once

#include "runtime/launch/world.hpp"

#include <CLI/App.hpp>

#include <string>

namespace shardsim::runtime {

struct GemmCommandOptions {
  std::string min_flops = "1e9";
  std::string max_flops = "1e12";
  double factor = 4;
  int iterations = 10;
  int warmup = 2;
  std::string compute;   // sleep | busy | gpu; empty: gpu on nccl, else sleep
  std::string instance;  // whose modelled rate the sleep/busy stand-ins take (required for them)
  bool json = false;
};

CLI::App* add_gemm_command(CLI::App& app, GemmCommandOptions& options);

// Collective over the world; rank 0 prints. Returns the exit status.
int run_gemm_command(const GemmCommandOptions& options, World& world);

}  // namespace shardsim::runtime
