// Fuzzes load_nccl_version (topologies/nccl/*.json) and what the model does next with a user's
// version file: NCCL's choice for each collective on a few shipped clusters and sizes, whose
// predicted time must be a finite, positive number.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/nccl/nccl_select.hpp"

#include <cmath>

SHARDSIM_FUZZ_TARGET(nccl) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "nccl");
  fuzz::expect_only_input_errors("fuzz_nccl", [&] {
    const NcclVersion version = load_nccl_version(path);
    for (const char* instance : {"p4d.24xlarge", "p5.48xlarge"}) {
      const InstanceType inst = load_instance_by_name(instance);
      for (int nodes : {1, 2, 16})
        for (CollectiveKind kind : {CollectiveKind::all_gather, CollectiveKind::reduce_scatter, CollectiveKind::all_reduce})
          for (double bytes : {8.0, 1048576.0, 1073741824.0}) {
            const NcclChoice c = nccl_select(version, nccl_system(inst, nodes, inst.gpus_per_node), kind, bytes);
            if (!(std::isfinite(c.time_s) && c.time_s > 0)) {
              std::fprintf(stderr, "\nfuzz_nccl: BUG: NCCL's model predicted %g s\n", c.time_s);
              std::abort();
            }
          }
    }
  });
  return 0;
}
