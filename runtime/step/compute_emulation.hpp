// How a live step stands in for a compute op: it occupies the compute stream for the duration the
// simulator charges (sim/compute/compute_time.hpp compute_op_seconds on the model instance GPU). On CPUs that is a sleeping wait
// (leaves the cores to the collectives' threads, the honest choice on a shared runner) or a busy
// wait (keeps a core spinning, as a kernel keeps a GPU busy); on GPUs it is real cuBLAS GEMMs
// sized to the FLOPs the simulator charges for that duration, so the measured time says how fast
// the device really runs them.
#pragma once

#include <memory>
#include <string>

namespace shardsim::runtime {

enum class ComputeMode { sleep, busy, gpu };
const char* to_string(ComputeMode mode);
ComputeMode parse_compute_mode(const std::string& text);  // throws InputError

class ComputeEmulation {
 public:
  virtual ~ComputeEmulation() = default;
  // Occupies the calling thread for a compute op modelled to take `seconds`; `flops_per_s` is the
  // achievable rate the model assumed (GPU emulation issues seconds * flops_per_s FLOPs).
  virtual void run(double seconds, double flops_per_s) = 0;
};

// `device` is the local GPU for ComputeMode::gpu (needs a build with NCCL/CUDA; throws otherwise).
std::unique_ptr<ComputeEmulation> make_compute_emulation(ComputeMode mode, int device);

}  // namespace shardsim::runtime
