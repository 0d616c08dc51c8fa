#include "runtime/backends/builtin_backends.hpp"

#include "runtime/gloo/gloo_world.hpp"

#if defined(SHARDSIM_HAVE_NCCL)
#include "runtime/nccl/nccl_world.hpp"
#endif

namespace shardsim::runtime {
namespace {

WorldFactory nccl_or_refusal() {
#if defined(SHARDSIM_HAVE_NCCL)
  return nccl_backend();
#else
  return [](const BackendContext&) -> std::unique_ptr<Communicator> {
    throw RuntimeError("this shardsim-run was built without NCCL (CUDA/NCCL not found at configure time)");
  };
#endif
}

}  // namespace

BackendRegistry builtin_backends(const BuiltinBackendOptions& options) {
  BackendRegistry backends;
  backends.add("cpu", gloo_backend({options.gloo_hostname, options.inter_node_delay_s}));
  backends.add("nccl", nccl_or_refusal());
  return backends;
}

}  // namespace shardsim::runtime
