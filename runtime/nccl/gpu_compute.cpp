#include "runtime/nccl/gpu_compute.hpp"

#include "runtime/comm/communicator.hpp"
#include "runtime/nccl/cublas_library.hpp"

#include <cuda_bf16.h>
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace shardsim::runtime {
namespace {

// Elements every GEMM dimension is a multiple of: 8 bf16 = 16 bytes, cuBLAS's alignment for its
// tensor-core kernels' vector and TMA loads.
constexpr int kAlign = 8;

[[noreturn]] void fail(int device, const std::string& operation, const std::string& reason) {
  throw RuntimeError("GPU compute emulator on device " + std::to_string(device) + ": " + operation + ": " + reason);
}

void check(cudaError_t error, int device, const std::string& operation) {
  if (error == cudaSuccess) return;
  (void)cudaGetLastError();
  fail(device, operation, std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error));
}

void check(cublasStatus_t status, int device, const std::string& operation) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  const nccl_detail::CublasLibrary& cublas = nccl_detail::cublas_library();
  fail(device, operation, std::string(cublas.status_name(status)) + ": " + cublas.status_string(status));
}

// Operands hold values of order one, not zeros: tensor cores draw less power on zeros, and a
// power-limited GPU runs them faster than it runs a real layer. A fixed seed keeps runs alike.
std::vector<__nv_bfloat16> operand_values(std::size_t elements) {
  std::mt19937 generator(0x5eed);
  std::uniform_real_distribution<float> value(-1.0F, 1.0F);
  std::vector<__nv_bfloat16> values(elements);
  for (auto& v : values) v = __float2bfloat16(value(generator));
  return values;
}

}  // namespace

struct GpuComputeEmulator::State {
  int device = 0;
  int n = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t handle = nullptr;
  void* a = nullptr;
  void* b = nullptr;
  void* c = nullptr;
  double issued_flops = 0;

  ~State() {
    cudaSetDevice(device);
    if (handle != nullptr) nccl_detail::cublas_library().destroy(handle);
    for (void* p : {a, b, c}) {
      if (p != nullptr) cudaFree(p);
    }
    if (stream != nullptr) cudaStreamDestroy(stream);
    (void)cudaGetLastError();
  }

  // C (rows x n) = A (rows x inner) B (inner x n), column-major, each operand in its n x n buffer.
  void gemm(int rows, int inner) {
    const float alpha = 1.0F;
    const float beta = 0.0F;
    check(nccl_detail::cublas_library().gemm_ex(handle, CUBLAS_OP_N, CUBLAS_OP_N, rows, n, inner, &alpha, a, CUDA_R_16BF,
                                                rows, b, CUDA_R_16BF, inner, &beta, c, CUDA_R_16BF, rows,
                                                CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
          device, "cublasGemmEx " + std::to_string(rows) + "x" + std::to_string(n) + "x" + std::to_string(inner));
    issued_flops += 2.0 * rows * n * inner;
  }
};

GpuComputeEmulator::GpuComputeEmulator(int device, int gemm_dimension) : state_(std::make_unique<State>()) {
  if (device < 0) fail(device, "setup", "the device (or local rank) cannot be negative");
  if (gemm_dimension <= 0 || gemm_dimension % kAlign != 0) {
    fail(device, "setup", "the GEMM dimension must be a positive multiple of " + std::to_string(kAlign) + ", got " +
                              std::to_string(gemm_dimension));
  }
  int visible = 0;
  cudaError_t counted = cudaGetDeviceCount(&visible);
  if (counted != cudaSuccess || visible <= 0) {
    (void)cudaGetLastError();
    fail(device, "setup", std::string("no CUDA device visible (cudaGetDeviceCount: ") +
                              (counted != cudaSuccess ? cudaGetErrorString(counted) : "0 devices") + ")");
  }
  State& s = *state_;
  s.device = device % visible;
  s.n = gemm_dimension;
  device = s.device;
  check(cudaSetDevice(device), device, "cudaSetDevice");
  check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), device, "cudaStreamCreateWithFlags");
  const nccl_detail::CublasLibrary& cublas = nccl_detail::cublas_library();
  check(cublas.create(&s.handle), device, "cublasCreate");
  check(cublas.set_stream(s.handle, s.stream), device, "cublasSetStream");
  const std::size_t elements = static_cast<std::size_t>(s.n) * static_cast<std::size_t>(s.n);
  const std::size_t bytes = elements * sizeof(__nv_bfloat16);
  for (void** p : {&s.a, &s.b, &s.c}) {
    check(cudaMalloc(p, bytes), device, "cudaMalloc of " + std::to_string(bytes) + " bytes");
  }
  std::vector<__nv_bfloat16> values = operand_values(elements);
  check(cudaMemcpy(s.a, values.data(), bytes, cudaMemcpyHostToDevice), device, "filling the GEMM operands");
  check(cudaMemcpy(s.b, values.data(), bytes, cudaMemcpyHostToDevice), device, "filling the GEMM operands");
}

GpuComputeEmulator::~GpuComputeEmulator() = default;
GpuComputeEmulator::GpuComputeEmulator(GpuComputeEmulator&&) noexcept = default;
GpuComputeEmulator& GpuComputeEmulator::operator=(GpuComputeEmulator&&) noexcept = default;

void GpuComputeEmulator::run_flops(double flops) {
  State& s = *state_;
  if (!(flops >= 0) || !std::isfinite(flops)) {
    fail(s.device, "run_flops", "FLOPs must be finite and >= 0, got " + std::to_string(flops));
  }
  check(cudaSetDevice(s.device), s.device, "cudaSetDevice");
  const double per_gemm = 2.0 * s.n * s.n * s.n;
  const auto full = static_cast<std::int64_t>(std::floor(flops / per_gemm));
  for (std::int64_t i = 0; i < full; ++i) s.gemm(s.n, s.n);
  // The rest as at most two GEMMs whose every dimension is a multiple of kAlign elements: cuBLAS's
  // fast kernels need 16-byte-aligned leading dimensions, and a remainder with an inner dimension
  // of 3052 ran at 236 TFLOP/s on an H200 that runs aligned ones at over 600 (validate/gpu/README.md).
  // First n x n x k with k a multiple of kAlign, then rows x n x kAlign for what is left.
  double rest = flops - static_cast<double>(full) * per_gemm;
  const double per_inner_step = 2.0 * s.n * s.n * kAlign;
  const auto inner = static_cast<int>(std::floor(rest / per_inner_step)) * kAlign;
  if (inner > 0) {
    s.gemm(s.n, inner);
    rest -= 2.0 * s.n * s.n * inner;
  }
  const auto rows = static_cast<int>(std::llround(rest / (2.0 * s.n * kAlign * kAlign))) * kAlign;
  if (rows > 0) s.gemm(rows, kAlign);
}

void GpuComputeEmulator::synchronize() {
  State& s = *state_;
  check(cudaSetDevice(s.device), s.device, "cudaSetDevice");
  check(cudaStreamSynchronize(s.stream), s.device, "waiting for the GEMMs");
}

double GpuComputeEmulator::issued_flops() const { return state_->issued_flops; }

void GpuComputeEmulator::load_cublas() { (void)nccl_detail::cublas_library(); }

}  // namespace shardsim::runtime
