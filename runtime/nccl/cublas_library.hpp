// Internal to the NCCL backend: cuBLAS, loaded on first use rather than linked. Linking it costs
// every process that merely contains the NCCL backend about 1.5 s of start-up (its initialisers),
// which every shardsim-run rank and runtime test would pay whether or not it ever runs a GEMM;
// only the step executor on GPUs needs it. Types come from the cuBLAS headers, so the calls are
// checked at compile time against the toolkit the backend was built with.
#pragma once

#include <cublas_v2.h>

namespace shardsim::runtime::nccl_detail {

struct CublasLibrary {
  cublasStatus_t (*create)(cublasHandle_t*) = nullptr;
  cublasStatus_t (*destroy)(cublasHandle_t) = nullptr;
  cublasStatus_t (*set_stream)(cublasHandle_t, cudaStream_t) = nullptr;
  cublasStatus_t (*gemm_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                            const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                            cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
  const char* (*status_name)(cublasStatus_t) = nullptr;
  const char* (*status_string)(cublasStatus_t) = nullptr;
};

// Loaded once per process (the library named at configure time, then the toolkit's own copy);
// throws RuntimeError naming the library and the loader's reason if it cannot be loaded.
const CublasLibrary& cublas_library();

}  // namespace shardsim::runtime::nccl_detail
