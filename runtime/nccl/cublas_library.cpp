#include "runtime/nccl/cublas_library.hpp"

#include "runtime/comm/communicator.hpp"

#include <dlfcn.h>

#include <string>

namespace shardsim::runtime::nccl_detail {
namespace {

template <typename Function>
void resolve(void* library, const char* symbol, Function& target) {
  void* address = dlsym(library, symbol);
  if (address == nullptr) {
    throw RuntimeError(std::string("cuBLAS (") + SHARDSIM_CUBLAS_SONAME + ") has no symbol " + symbol +
                       ": it is older than the toolkit shardsim-run was built with");
  }
  target = reinterpret_cast<Function>(address);
}

CublasLibrary load() {
  // The soname first, so LD_LIBRARY_PATH on the cluster decides as it would for a linked
  // library; then the file found at configure time.
  void* library = dlopen(SHARDSIM_CUBLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) library = dlopen(SHARDSIM_CUBLAS_PATH, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    throw RuntimeError(std::string("cannot load cuBLAS (") + SHARDSIM_CUBLAS_SONAME + " or " + SHARDSIM_CUBLAS_PATH +
                       "): " + (reason != nullptr ? reason : "unknown reason") +
                       "; add the CUDA Toolkit's lib64 to LD_LIBRARY_PATH");
  }
  CublasLibrary cublas;
  resolve(library, "cublasCreate_v2", cublas.create);
  resolve(library, "cublasDestroy_v2", cublas.destroy);
  resolve(library, "cublasSetStream_v2", cublas.set_stream);
  resolve(library, "cublasGemmEx", cublas.gemm_ex);
  resolve(library, "cublasGetStatusName", cublas.status_name);
  resolve(library, "cublasGetStatusString", cublas.status_string);
  return cublas;  // the library stays loaded for the life of the process
}

}  // namespace

const CublasLibrary& cublas_library() {
  static const CublasLibrary library = load();
  return library;
}

}  // namespace shardsim::runtime::nccl_detail
