// Compute of a training step emulated on a GPU: bf16 GEMMs with fp32 accumulation through cuBLAS
// (what transformer layers spend their FLOPs on), sized so their FLOPs add up to a requested
// amount, issued on a stream of their own so they overlap the NCCL streams as a real step does.
// Only the FLOP count is modelled, not a layer's shapes: the step executor measures how long the
// device takes for the FLOPs the simulator charges, which is what compute efficiency calibrates.
// This header has no CUDA types.
#pragma once

#include <memory>

namespace shardsim::runtime {

class GpuComputeEmulator {
 public:
  // `gemm_dimension` n (a multiple of 8): each full GEMM is n x n x n (2 n^3 FLOPs); the remainder
  // of a request is n x n x k and rows x n x 8 with k and rows multiples of 8 (16-byte-aligned
  // operands, as cuBLAS's fast kernels need), so the issued total is within 8 n x 8 FLOPs of it.
  // The default is large enough to reach tensor-core throughput on A100/H100-class devices.
  static constexpr int default_gemm_dimension = 4096;

  // `device` may be the rank's local rank: it is taken modulo the devices this process sees, the
  // rule make_nccl_world uses, so the GEMMs run on the GPU of the rank's NCCL communicators both
  // with every GPU visible and with one GPU per process (srun --gpus-per-task=1). Throws
  // RuntimeError when no device is visible.
  explicit GpuComputeEmulator(int device, int gemm_dimension = default_gemm_dimension);
  ~GpuComputeEmulator();
  GpuComputeEmulator(GpuComputeEmulator&&) noexcept;
  GpuComputeEmulator& operator=(GpuComputeEmulator&&) noexcept;
  GpuComputeEmulator(const GpuComputeEmulator&) = delete;
  GpuComputeEmulator& operator=(const GpuComputeEmulator&) = delete;

  // Enqueues GEMMs totalling about `flops` (>= 0) and returns without waiting.
  void run_flops(double flops);
  // Waits for everything enqueued; throws RuntimeError with the CUDA/cuBLAS error text.
  void synchronize();

  // FLOPs actually enqueued since construction (what run_flops rounded the requests to).
  double issued_flops() const;

  // cuBLAS is loaded by the first emulator, not at program start; this loads it now, so a missing
  // library is reported before a step starts. Throws RuntimeError naming the library.
  static void load_cublas();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shardsim::runtime
