#include "runtime/step/compute_emulation.hpp"

#include "runtime/comm/communicator.hpp"
#include "sim/input/input_error.hpp"

#ifdef SHARDSIM_HAVE_NCCL
#include "runtime/nccl/gpu_compute.hpp"
#endif

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace shardsim::runtime {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration duration_of(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

class SleepEmulation : public ComputeEmulation {
 public:
  void run(double seconds, double) override {
    if (seconds > 0) std::this_thread::sleep_for(duration_of(seconds));
  }
};

class BusyEmulation : public ComputeEmulation {
 public:
  void run(double seconds, double) override {
    const auto deadline = Clock::now() + duration_of(seconds);
    while (Clock::now() < deadline) {
    }
  }
};

#ifdef SHARDSIM_HAVE_NCCL
class GpuEmulation : public ComputeEmulation {
 public:
  explicit GpuEmulation(int device) : gpu_(device) {}
  void run(double seconds, double flops_per_s) override {
    gpu_.run_flops(seconds * flops_per_s);
    gpu_.synchronize();
  }

 private:
  GpuComputeEmulator gpu_;
};
#endif

}  // namespace

const char* to_string(ComputeMode mode) {
  switch (mode) {
    case ComputeMode::sleep: return "sleep";
    case ComputeMode::busy: return "busy";
    case ComputeMode::gpu: return "gpu";
  }
  return "?";
}

ComputeMode parse_compute_mode(const std::string& text) {
  if (text == "sleep") return ComputeMode::sleep;
  if (text == "busy") return ComputeMode::busy;
  if (text == "gpu") return ComputeMode::gpu;
  throw InputError(fmt::format("--compute: unknown mode '{}' (use sleep, busy or gpu)", text));
}

std::unique_ptr<ComputeEmulation> make_compute_emulation(ComputeMode mode, int device) {
  switch (mode) {
    case ComputeMode::sleep: return std::make_unique<SleepEmulation>();
    case ComputeMode::busy: return std::make_unique<BusyEmulation>();
    case ComputeMode::gpu:
#ifdef SHARDSIM_HAVE_NCCL
      return std::make_unique<GpuEmulation>(device);
#else
      (void)device;
      throw InputError("--compute gpu: this shardsim-run was built without NCCL (CUDA/NCCL not found at configure time)");
#endif
  }
  throw std::logic_error("unknown compute mode");
}

}  // namespace shardsim::runtime
